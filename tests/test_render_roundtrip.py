"""The Report is data: every output renders from ``Report.to_dict()`` alone.

A saved JSON report (``check --format json``, ``report --json``) re-renders with
``lstm-doctor render`` to exactly what the original run wrote, in every format; the
renderers import no rule, statistic, context, experiment or data module.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

import lstm_doctor
from lstm_doctor.findings import Report
from lstm_doctor.render import FORMATS, render
from lstm_doctor.render.html import render_html
from tests.helpers import FIXTURES, run_cli

ROOT = Path(__file__).resolve().parent.parent
AIR = FIXTURES / "airpassengers.csv"
NAIVE_SETUP = {"preprocessing": {"scaler": "none"}, "window": {"seq_length": 6},
               "model": {"units": 50, "activation": "relu"}, "training": {"epochs": 100}}
SETUP_YAML = ("preprocessing: {scaler: none}\nwindow: {seq_length: 6}\n"
              "model: {units: 50, activation: relu}\ntraining: {epochs: 100}\n")
GENERATED = re.compile(r"Generated \d{4}-\d\d-\d\d \d\d:\d\d UTC")


def masked(text: str) -> str:
    """The HTML without its generation time (the only thing that depends on the clock)."""
    return GENERATED.sub("Generated <time>", text)


def saved(d: dict) -> dict:
    """``d`` written as JSON and read back, as ``lstm-doctor render`` reads it."""
    return json.loads(json.dumps(d, allow_nan=False))


@pytest.fixture(scope="module")
def air():
    return lstm_doctor.check(str(AIR), config=NAIVE_SETUP)


@pytest.fixture(scope="module")
def air_full():
    from tests.test_html import fake_comparison

    report = lstm_doctor.check(str(AIR), config=NAIVE_SETUP)
    report.comparison = fake_comparison(report)
    report.meta["command"] = "lstm-doctor report fixtures/airpassengers.csv"
    return report


# -- the model ------------------------------------------------------------------------------
def test_facts_are_stored_and_json_able(air):
    d = air.to_dict()
    facts = d["facts"]
    assert facts["period"] == {"period": 12, "kind": "seasonal"}
    assert facts["split"]["n"] == 144 and facts["split"]["n_test"] > 0
    series = facts["series"]
    assert series["n"] == 144 and series["i"] is None and len(series["y"]) == 144
    assert series["x_kind"] == "datetime" and series["x_origin"] == "1949-01-01T00:00:00"
    assert series["x_unit"] == "D" and series["x"][:3] == [0, 31, 59]  # days after the origin
    assert facts["proposed"]["remediated_config"]["preprocessing"]["scaler"] == "standard"
    assert "import" in facts["proposed"]["training_script"]
    assert {f["code"] for f in d["findings"]} <= {c for c, r in facts["rules"].items()
                                                  if "sections" in r}
    assert {"numpy", "pandas", "python"} <= set(facts["versions"])
    assert "errors" not in facts
    json.dumps(d, allow_nan=False)


@pytest.mark.parametrize("which", ["check", "full", "report"])
def test_from_dict_round_trips(which, air, air_full):
    if which == "report":
        report = lstm_doctor.report(str(FIXTURES / "nile.csv"), train=False)
    else:
        report = air if which == "check" else air_full
    d = report.to_dict()
    again = Report.from_dict(saved(d))
    assert again.to_dict() == d
    assert again.codes() == report.codes() and again.summary == report.summary
    assert [r.to_dict() for f in again.findings for r in f.remedies] == \
        [r.to_dict() for f in report.findings for r in f.remedies]


def test_proposed_set_up_is_what_fix_writes(tmp_path):
    """The HTML's proposed set-up is the fixpoint ``lstm-doctor fix`` writes."""
    setup = tmp_path / "setup.yaml"
    setup.write_text(SETUP_YAML)
    fixed = lstm_doctor.fix(str(FIXTURES / "lynx.csv"), config=str(setup))
    proposed = lstm_doctor.check(str(FIXTURES / "lynx.csv"),
                                 config=str(setup)).facts["proposed"]
    assert proposed["remediated_config"] == fixed.config.to_dict()


# -- every format, live vs saved ------------------------------------------------------------
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("which", ["check", "full"])
def test_every_format_renders_the_same_from_the_saved_json(fmt, which, air, air_full):
    d = (air if which == "check" else air_full).to_dict()
    live, again = render(fmt, [d]), render(fmt, [saved(d)])
    if fmt == "html":
        live, again = masked(live), masked(again)
    assert live == again


def test_html_of_a_report_object_equals_its_saved_json(air_full):
    html = render_html(air_full)
    assert masked(html) == masked(render_html(saved(air_full.to_dict())))
    assert masked(air_full.to_html()) == masked(html)
    for fig in ("fig-series", "fig-acf", "fig-decomposition", "fig-distribution", "fig-mase",
                "fig-forecast", "fig-loss", "fig-ablation"):
        assert f'id="{fig}"' in html, fig


def test_cli_render_equals_the_original_run_in_every_format(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    setup = tmp_path / "setup.yaml"
    setup.write_text(SETUP_YAML)
    args = ["check", AIR, "--config", setup, "--isolated"]
    for fmt in FORMATS:
        args += ["--format", fmt, "--output", tmp_path / f"live.{fmt}"]
    code, _, err = run_cli(args, capsys)
    assert code == 1, err
    for fmt in FORMATS:
        code, _, err = run_cli(["render", tmp_path / "live.json", "--format", fmt,
                                "--output", tmp_path / f"again.{fmt}"], capsys)
        assert code == 0, err
        live = (tmp_path / f"live.{fmt}").read_text(encoding="utf-8")
        again = (tmp_path / f"again.{fmt}").read_text(encoding="utf-8")
        if fmt == "html":
            assert live.lower().startswith("<!doctype html") and 'id="fig-series"' in live
            live, again = masked(live), masked(again)
        assert live == again, fmt
    # to stdout too
    code, out, _ = run_cli(["render", tmp_path / "live.json", "--format", "markdown"], capsys)
    assert code == 0 and out == (tmp_path / "live.markdown").read_text(encoding="utf-8")


def test_cli_render_of_a_saved_report_run(tmp_path, capsys, monkeypatch):
    """``report --json`` (findings only) re-renders to the run's own HTML and SARIF."""
    monkeypatch.chdir(tmp_path)
    args = ["report", AIR, "--config", FIXTURES / "demo" / "config.yaml", "--no-train",
            "--isolated", "--json", tmp_path / "r.json", "--format", "html", "--output",
            tmp_path / "live.html", "--format", "sarif", "--output", tmp_path / "live.sarif"]
    code, _, err = run_cli(args, capsys)
    assert code == 1, err
    for fmt in ("html", "sarif"):
        code, _, err = run_cli(["render", tmp_path / "r.json", "--format", fmt, "--output",
                                tmp_path / f"again.{fmt}"], capsys)
        assert code == 0, err
        live, again = ((tmp_path / f"{w}.{fmt}").read_text() for w in ("live", "again"))
        assert masked(live) == masked(again), fmt
    assert "The proposed set-up" in (tmp_path / "again.html").read_text()


def test_cli_render_of_several_files_and_panel_entries(tmp_path, capsys, monkeypatch):
    """Several files (entries without facts): SARIF still documents every rule."""
    monkeypatch.chdir(ROOT)
    files = [FIXTURES / "nile.csv", FIXTURES / "lynx.csv"]
    args = ["check", *files, "--select", "LD1,LD2", "--isolated", "--fail-on", "warning"]
    for fmt in ("json", "sarif", "junit", "markdown", "github"):
        args += ["--format", fmt, "--output", tmp_path / f"live.{fmt}"]
    run_cli(args, capsys)
    doc = json.loads((tmp_path / "live.json").read_text())
    assert doc["fail_on"] == "warning" and len(doc["files"]) == 2
    for fmt in ("sarif", "junit", "markdown", "github"):
        code, _, err = run_cli(["render", tmp_path / "live.json", "--format", fmt,
                                "--output", tmp_path / f"again.{fmt}"], capsys)
        assert code == 0, err
        assert (tmp_path / f"again.{fmt}").read_text() == (tmp_path / f"live.{fmt}").read_text()
    sarif = json.loads((tmp_path / "live.sarif").read_text())
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert rules and all("Anti-pattern" in r["help"]["text"] for r in rules)


def test_check_html_output(tmp_path, capsys):
    out = tmp_path / "r.html"
    code, _, err = run_cli(["check", AIR, "--isolated", "--format", "html", "--output", out],
                           capsys)
    assert code in (0, 1), err
    html = out.read_text(encoding="utf-8")
    assert html.lower().startswith("<!doctype html") and 'id="fig-series"' in html
    assert "could not be drawn" not in html and "not attached" not in html


def test_render_errors_are_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    code, _, err = run_cli(["render", bad, "--format", "text"], capsys)
    assert code == 2 and "is not JSON" in err
    bad.write_text('{"a": 1}')
    code, _, err = run_cli(["render", bad], capsys)
    assert code == 2 and "not an lstm-doctor JSON report" in err
    two = tmp_path / "two.json"
    one = lstm_doctor.check(str(FIXTURES / "nile.csv"), select="LD1").to_dict()
    two.write_text(json.dumps({"files": [one, one], "fail_on": "error"}))
    code, _, err = run_cli(["render", two, "--format", "html", "--output",
                            tmp_path / "x.html"], capsys)
    assert code == 2 and "shows one series" in err


# -- import hygiene -------------------------------------------------------------------------
FORBIDDEN = ("lstm_doctor.rules", "lstm_doctor.stats", "lstm_doctor.context",
             "lstm_doctor.experiment", "lstm_doctor.data", "lstm_doctor.report_facts",
             "lstm_doctor.config", "lstm_doctor.fixpoint", "lstm_doctor.api",
             "lstm_doctor.panel")


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at any level (function-level imports included)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


@pytest.mark.parametrize("path", sorted((ROOT / "lstm_doctor" / "render").glob("*.py")),
                         ids=lambda p: p.name)
def test_renderers_import_only_the_report_model(path):
    bad = sorted(m for m in imported_modules(path)
                 if any(m == f or m.startswith(f + ".") for f in FORBIDDEN))
    assert not bad, f"{path.name} imports {bad}"


def test_findings_imports_no_renderer_at_module_level():
    tree = ast.parse((ROOT / "lstm_doctor" / "findings.py").read_text(encoding="utf-8"))
    top = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    modules = {getattr(n, "module", None) or n.names[0].name for n in top}
    assert not any(str(m).startswith("lstm_doctor.render") for m in modules)
