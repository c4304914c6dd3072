"""`lstm-doctor report` output options (findings-only runs: fast, no training)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from click.testing import CliRunner

from lstm_doctor.cli import cli

from .test_rule_cases import FIXTURES

DATA = str(FIXTURES / "airpassengers.csv")
CONFIG = str(FIXTURES / "demo" / "config.yaml")


def run(*args):
    return CliRunner().invoke(cli, ["report", DATA, "--config", CONFIG, "--no-train",
                                    "--isolated", *args])


def test_default_is_text_and_output_is_html(tmp_path):
    out = tmp_path / "r.html"
    result = run("--output", str(out))
    assert result.exit_code == 1, result.output  # the demo set-up has error findings
    assert "LD401" in result.stdout
    assert out.read_text().lstrip().lower().startswith("<!doctype html")


def test_several_formats_in_one_run(tmp_path):
    paths = {f: tmp_path / f"r.{f}" for f in ("json", "junit", "sarif", "html")}
    args = []
    for fmt, path in paths.items():
        args += ["--format", fmt, "--output", str(path)]
    result = run(*args, "--format", "markdown")
    assert result.exit_code == 1, result.output
    report = json.loads(paths["json"].read_text())
    assert report["schema_version"] == 2 and "LD401" in [f["code"] for f in report["findings"]]
    assert ET.parse(paths["junit"]).getroot().tag in ("testsuites", "testsuite")
    assert json.loads(paths["sarif"].read_text())["version"] == "2.1.0"
    assert "LD401" in paths["html"].read_text()
    assert "LD401" in result.stdout  # markdown to stdout


def test_fail_on_never_and_html_needs_a_file():
    assert run("--fail-on", "never").exit_code == 0
    result = run("--format", "html")
    assert result.exit_code == 2 and "needs an --output" in result.output
