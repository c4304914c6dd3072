"""CI logs: the concise one-line format, --quiet, --statistics, a text table that never cuts
an identifier, and the markdown summary capped below GitHub's 1 MiB limit."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

import lstm_doctor
from lstm_doctor.render.concise import FIX_SEPARATOR, fix_text, statistics
from lstm_doctor.render.markdown import SUMMARY_LIMIT, cap_summary, render_markdown
from lstm_doctor.render.text import render_text, wrap_cell
from tests.helpers import FIXTURES, run_cli

SETUP = """\
preprocessing:
  scaler: none
window:
  seq_length: 3
training:
  epochs: 500
  learning_rate: 0.1
"""


@pytest.fixture
def project(tmp_path, monkeypatch):
    (tmp_path / "beer.csv").write_text((FIXTURES / "ausbeer.csv").read_text())
    (tmp_path / "air.csv").write_text((FIXTURES / "airpassengers.csv").read_text())
    (tmp_path / "lstm.yaml").write_text(SETUP)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_concise_is_one_grep_friendly_line_per_finding(project, capsys):
    code, out, _ = run_cli(["check", "beer.csv", "--config", "lstm.yaml", "--isolated",
                            "--format", "concise"], capsys)
    assert code == 1
    lines = out.splitlines()
    by_code = {re.search(r" (LD\d{3}) ", line).group(1): line for line in lines}
    assert by_code["LD301"].startswith("lstm.yaml:2:3: LD301 error unscaled input: the network "
                                       "sees unscaled inputs")
    assert by_code["LD301"].endswith(FIX_SEPARATOR + "preprocessing.scaler: standard, "
                                     "preprocessing.scaler_fit: train")
    assert by_code["LD101"].startswith("beer.csv:213:1: LD101 error missing values: ")
    assert by_code["LD502"].startswith("lstm.yaml:4:3: LD502 ")
    assert all(re.match(r"^[\w./-]+(:\d+:\d+)?: LD\d{3} (error|warning|info) ", line)
               for line in lines)
    report = lstm_doctor.check("beer.csv", config="lstm.yaml").to_dict()
    assert len(lines) == len(report["findings"])


def test_quiet_prints_only_failing_lines_and_nothing_on_pass(project, capsys):
    code, out, err = run_cli(["check", "beer.csv", "air.csv", "--config", "lstm.yaml",
                              "--isolated", "-q"], capsys)
    assert code == 1
    lines = out.splitlines()
    assert lines and all(" error " in line for line in lines)  # warnings do not fail
    code, warn_out, _ = run_cli(["check", "beer.csv", "--config", "lstm.yaml", "--isolated",
                                 "--quiet", "--fail-on", "warning"], capsys)
    assert any(" warning " in line for line in warn_out.splitlines())
    assert not any(" info " in line for line in warn_out.splitlines())
    code, out, err = run_cli(["check", "air.csv", "--select", "LD1", "--isolated", "-q",
                              "--format", "json", "--output", "out.json", "--format", "text"],
                             capsys)
    assert (code, out, err) == (0, "", "")  # nothing at all on a pass, not even "wrote"
    assert (project / "out.json").exists()


def test_statistics_count_findings_per_code(project, capsys):
    code, out, _ = run_cli(["check", "beer.csv", "air.csv", "--config", "lstm.yaml",
                            "--isolated", "--statistics"], capsys)
    assert code == 1
    rows = [line.split() for line in out.splitlines()]
    counts = {row[1]: int(row[0]) for row in rows}
    assert counts["LD301"] == 2 and counts["LD101"] == 1  # scaling in both files, NaN in one
    assert [int(r[0]) for r in rows] == sorted((int(r[0]) for r in rows), reverse=True)
    assert rows[0][2] in ("error", "warning", "info") and rows[0][3].count(".") == 1
    code, quiet, _ = run_cli(["check", "beer.csv", "air.csv", "--config", "lstm.yaml",
                              "--isolated", "--statistics", "-q"], capsys)
    assert {line.split()[2] for line in quiet.splitlines()} == {"error"}


def test_statistics_of_input_errors():
    rows = statistics([{"source": "x.csv", "error": "empty"}])
    assert rows == [{"code": "input-error", "name": "input error", "count": 1,
                     "severity": "error", "failing": 1}]


def test_fix_text_prefers_the_set_up_change():
    f = {"fix": "Scale it.\nReally.", "remedies": [
        {"section": "preprocessing", "changes": {"scaler": "standard", "log": False}}]}
    assert fix_text(f) == "preprocessing.scaler: standard, preprocessing.log: false"
    assert fix_text({"fix": "Re-index\n  the data.", "remedies": []}) == "Re-index the data."


# -- the boxed table --------------------------------------------------------------------------

def test_text_table_never_cuts_an_identifier(project):
    report = lstm_doctor.check("beer.csv", config="lstm.yaml").to_dict()
    for width in (80, 100, 120):
        text = render_text(report, width=width)
        assert max(len(line) for line in text.splitlines() if line.startswith("│")) <= width
        for f in report["findings"]:
            for ident in re.findall(r"[A-Za-z_][\w]*(?:\.[\w]+)+", f["message"] + f["fix"]):
                assert ident in text, (width, ident)  # dotted keys stay whole
    assert "training.validation_split" in render_text(report, width=80)


def test_wrap_cell_breaks_long_tokens_after_punctuation_only():
    text = "Set training.validation_split: 0.2 (keras.callbacks.EarlyStopping(monitor='val')"
    wrapped = wrap_cell(text, 30)
    assert all(len(line) <= 30 for line in wrapped.splitlines())
    assert "keras.callbacks.EarlyStopping(" in wrapped.splitlines()
    assert "training.validation_split:" in wrapped
    assert wrap_cell("a" * 12, 5).splitlines() == ["aaaaa", "aaaaa", "aa"]  # last resort


# -- markdown step summary ----------------------------------------------------------------------

def _big_results(n: int) -> list[dict]:
    finding = {"code": "LD104", "name": "data.outliers", "group": "data",
               "severity": "warning", "message": "12 points lie far out " + "x" * 2000,
               "fix": "winsorise", "crashed": False}
    return [{"data": {"source": f"panel.csv[store={i}]", "target": "y", "n": 100},
             "summary": {"error": 0, "warning": 1, "info": 0}, "rules": [],
             "findings": [dict(finding)]} for i in range(n)]


def test_markdown_summary_is_capped_with_a_note():
    md = render_markdown(_big_results(600))
    assert len(md.encode()) > 1024 * 1024
    capped, cut = cap_summary(md, full="the workflow artifact `lstm-doctor-summary`")
    assert cut and len(capped.encode()) <= SUMMARY_LIMIT
    assert capped.startswith(md[:2000])
    assert "**Truncated**" in capped and "`lstm-doctor-summary`" in capped
    small = render_markdown(_big_results(3))
    assert cap_summary(small) == (small, False)


def test_markdown_cap_closes_an_open_details_block():
    text = "# t\n" + "<details><summary>x</summary>\n" + "- line\n" * 500
    capped, cut = cap_summary(text, limit=2000)
    assert cut and capped.count("<details>") == capped.count("</details>") == 1


def test_markdown_cap_module_entry_point(tmp_path):
    path = tmp_path / "full.md"
    path.write_text(render_markdown(_big_results(600)))
    proc = subprocess.run([sys.executable, "-m", "lstm_doctor.render.markdown", str(path),
                           "--artifact", "lstm-doctor-summary"], capture_output=True)
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout) <= SUMMARY_LIMIT and b"lstm-doctor-summary" in proc.stdout


def test_check_caps_markdown_written_to_the_step_summary(tmp_path, monkeypatch, capsys):
    import lstm_doctor.render.markdown as md

    (tmp_path / "beer.csv").write_text((FIXTURES / "ausbeer.csv").read_text())
    summary = tmp_path / "step-summary.md"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    monkeypatch.setattr(md.cap_summary, "__defaults__", (600,))  # not 960 KiB
    args = ["check", "beer.csv", "--isolated", "--select", "LD1", "--format", "markdown",
            "--output"]
    assert run_cli([*args, summary], capsys)[0] == 1
    text = summary.read_text()
    assert len(text.encode()) <= 600 and "**Truncated**" in text and "--output FILE" in text
    assert text.startswith("## lstm-doctor: ❌")
    assert run_cli([*args, tmp_path / "full.md"], capsys)[0] == 1  # another file: in full
    assert "**Truncated**" not in (tmp_path / "full.md").read_text()
