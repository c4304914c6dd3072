"""`lstm-doctor check` end to end: bad input, stdin, text table, JSON fields, many files."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.helpers import run_cli

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
AIR = str(FIXTURES / "airpassengers.csv")
AUSBEER = str(FIXTURES / "ausbeer.csv")  # NaN at the end: LD101 error
TAYLOR = str(FIXTURES / "taylor.csv")  # one step outlier: LD104 warning
MACRO = str(FIXTURES / "macrodata.csv")



def _csv(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


def _dates(n):
    return [d.strftime("%Y-%m-%d") for d in pd.date_range("2020-01-01", periods=n, freq="D")]


@pytest.fixture
def bad_inputs(tmp_path):
    """Each bad input: (args, words that the one error line must contain)."""
    d = tmp_path
    (d / "a_directory").mkdir()
    text_rows = "\n".join(f"{day},abc{i}" for i, day in enumerate(_dates(20)))
    nan_rows = "\n".join(f"{day}," for day in _dates(20))
    few_rows = "\n".join(f"{day},{i}" for i, day in enumerate(_dates(5)))
    bad_time = "\n".join(f"noon{i},{i}" for i in range(20))
    garbage = d / "garbage.csv"
    garbage.write_bytes(np.random.default_rng(0).integers(0, 256, 3000, dtype=np.uint8).tobytes())
    bad_key = _csv(d / "badkey.yaml", "model:\n  unit: 10\n")
    out_of_range = _csv(d / "range.yaml", "model:\n  dropout: 1.5\n")
    return {
        "file missing": ([str(d / "missing.csv")], ["missing.csv", "does not exist"]),
        "unreadable (a directory)": ([str(d / "a_directory")], ["a_directory", "directory"]),
        "empty file": ([_csv(d / "empty.csv", "")], ["empty.csv", "empty"]),
        "header only": ([_csv(d / "header.csv", "date,y\n")], ["header.csv", "no rows"]),
        "unknown column": ([AIR, "--target", "passenger"],
                           ["'passenger' not found", "did you mean 'passengers'"]),
        "non-numeric target": ([_csv(d / "text.csv", "date,y\n" + text_rows), "--target", "y"],
                               ["text.csv", "'y' is not numeric", "abc0"]),
        "no numeric column": ([_csv(d / "text2.csv", "date,y\n" + text_rows)],
                              ["text2.csv", "no numeric column", "--target"]),
        "all-NaN target": ([_csv(d / "nan.csv", "date,y\n" + nan_rows)],
                           ["nan.csv", "no finite values"]),
        "fewer than 10 points": ([_csv(d / "few.csv", "date,y\n" + few_rows)],
                                 ["few.csv", "5 finite values", "at least 10"]),
        "unparseable time column": ([_csv(d / "badtime.csv", "when,y\n" + bad_time),
                                     "--time-col", "when"],
                                    ["badtime.csv", "'when'", "not dates", "noon0"]),
        "binary garbage": ([str(garbage)], ["garbage.csv", "binary"]),
        "several numeric columns, no --target": (
            [MACRO], ["macrodata.csv", "realgdp", "realcons", "unemp", "--target"]),
        "bad config key": ([AIR, "--config", bad_key],
                           ["badkey.yaml", "model.unit", "did you mean 'units'"]),
        "out-of-range config value": ([AIR, "--config", out_of_range],
                                      ["range.yaml", "model.dropout", "1.5", "< 1"]),
        "unknown --select code": ([AIR, "--select", "LD999"], ["--select", "LD999"]),
        "--model that is not a .keras archive": ([AIR, "--config", out_of_range, "--model",
                                                  "m.h5"], ["m.h5", "model.save"]),
    }


BAD_CASES = ["file missing", "unreadable (a directory)", "empty file", "header only",
             "unknown column", "non-numeric target", "no numeric column", "all-NaN target",
             "fewer than 10 points",
             "unparseable time column", "binary garbage", "several numeric columns, no --target",
             "bad config key", "out-of-range config value", "unknown --select code",
             "--model that is not a .keras archive"]


@pytest.mark.parametrize("case", BAD_CASES)
def test_bad_input_exits_2_with_one_line(case, bad_inputs, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no project file of this repository is picked up
    args, words = bad_inputs[case]
    code, out, err = run_cli(["check", *args], capsys)
    assert code == 2, (case, out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert "Traceback" not in err + out
    for word in words:
        assert word in lines[0], (word, lines[0])
    assert out == ""


def test_bad_input_in_a_real_process_has_no_traceback(tmp_path):
    cli = Path(sys.executable).parent / "lstm-doctor"
    proc = subprocess.run([str(cli), "check", str(tmp_path / "nope.csv")], capture_output=True,
                          text=True, cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "nope.csv" in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stdout == ""


def test_stdin_dash_is_read(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(["check", "-", "--format", "json"], capsys, monkeypatch,
                             stdin=Path(AIR).read_text())
    assert code == 0, err
    doc = json.loads(out)
    assert doc["data"]["source"] == "<stdin>"
    assert doc["data"]["n"] == 144 and doc["data"]["target"] == "passengers"


def test_stdin_in_a_real_process(tmp_path):
    cli = Path(sys.executable).parent / "lstm-doctor"
    proc = subprocess.run([str(cli), "check", "-", "--select", "LD1"],
                          input=Path(AUSBEER).read_text(), capture_output=True, text=True,
                          cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    assert "<stdin>" in proc.stdout and "LD101" in proc.stdout


def test_text_format_is_a_rich_table(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COLUMNS", "160")
    code, out, err = run_cli(["check", AUSBEER, "--select", "LD1"], capsys)
    assert code == 1
    header = next(line for line in out.splitlines() if "Code" in line)
    for col in ("Code", "Severity", "Finding", "Fix"):
        assert col in header
    assert any(ch in out for ch in "┃│|")  # table borders
    assert "LD101" in out and "error" in out
    assert "missing values" in out  # the message
    assert "interpolate" in out  # the fix
    assert "1 error(s)" in out


def test_json_format_fields(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli(["check", AUSBEER, "--format", "json"], capsys)
    assert code == 1
    doc = json.loads(out)
    assert doc["schema_version"] == 2
    assert doc["tool"]["name"] == "lstm-doctor"
    for key in ("n", "target", "features", "frequency", "start", "end"):
        assert key in doc["data"]
    assert doc["config"] is None
    f = next(f for f in doc["findings"] if f["code"] == "LD101")
    assert set(f) >= {"code", "name", "group", "severity", "message", "evidence", "fix",
                      "remedies", "crashed"}
    assert f["severity"] == "error" and f["evidence"]["missing"] == 1
    assert doc["summary"]["error"] >= 1
    assert {r["status"] for r in doc["rules"]} <= {"fail", "pass", "skip", "crash"}
    json.loads(out, parse_constant=lambda c: pytest.fail(f"non-JSON number {c}"))
    assert "check_seconds" in doc["meta"] and "LD101" in doc["meta"]["rule_seconds"]


def test_fail_on_controls_exit_code(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    assert run_cli(["check", TAYLOR, "--select", "LD104"], capsys)[0] == 0
    assert run_cli(["check", TAYLOR, "--select", "LD104", "--fail-on", "warning"], capsys)[0] == 1
    assert run_cli(["check", AUSBEER, "--fail-on", "never"], capsys)[0] == 0


def test_many_files_worst_exit_and_every_file_reported(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    missing = str(tmp_path / "gone.csv")
    code, out, err = run_cli(["check", AIR, missing, AUSBEER, "--select", "LD1",
                              "--format", "json"], capsys)
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "gone.csv" in lines[0]
    doc = json.loads(out)
    assert [Path(f["source"] if "error" in f else f["data"]["source"]).name
            for f in doc["files"]] == ["airpassengers.csv", "gone.csv", "ausbeer.csv"]
    assert doc["summary"]["files"] == 3 and doc["summary"]["input_errors"] == 1
    assert doc["summary"]["error"] == 1 and doc["summary"]["failing"] == 1
    # without the bad file the worst status is 1 (ausbeer has an error finding)
    assert run_cli(["check", AIR, AUSBEER, "--select", "LD1"], capsys)[0] == 1
    code, out, _ = run_cli(["check", AIR, TAYLOR, "--select", "LD1"], capsys)
    assert code == 0
    assert "airpassengers.csv" in out and "taylor.csv" in out and "2 files" in out


def _without_timings(report: dict) -> dict:
    return {k: v for k, v in report.items() if k != "meta"}


def test_one_file_many_files_and_jobs_share_one_path(capsys, monkeypatch, tmp_path):
    """The same series gives the same report alone, among several files and in workers."""
    monkeypatch.chdir(tmp_path)
    args = ["--select", "LD1", "--format", "json", "--fail-on", "never"]
    code, out, _ = run_cli(["check", TAYLOR, *args], capsys)
    alone = json.loads(out)
    assert code == 0
    code, out, _ = run_cli(["check", AIR, TAYLOR, *args], capsys)
    among = json.loads(out)["files"][1]
    code2, out, _ = run_cli(["check", AIR, TAYLOR, "--jobs", "2", *args], capsys)
    parallel = json.loads(out)["files"][1]
    assert code == code2 == 0
    assert _without_timings(alone) == _without_timings(among) == _without_timings(parallel)


def test_many_files_error_names_file_even_if_message_does_not(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(["check", AIR, MACRO, "--target", "passengers"], capsys)
    assert code == 2
    assert "macrodata.csv" in err and "passengers" in err
    assert "airpassengers.csv" in out


def test_several_outputs_in_one_run(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(["check", AUSBEER, "--format", "json", "--output", "a.json",
                              "--format", "junit", "--output", "b.xml", "--format", "github"],
                             capsys)
    assert code == 1
    assert json.loads((tmp_path / "a.json").read_text())["summary"]["error"] >= 1
    assert (tmp_path / "b.xml").read_text().startswith("<?xml")
    assert out.startswith("::error ")  # the unpaired format went to stdout
    assert "wrote a.json" in err and "wrote b.xml" in err


@pytest.mark.parametrize("args,words", [
    (["--format", "json", "--format", "junit"], ["stdout"]),
    (["--format", "json", "--output", "a", "--output", "b"], ["'b'", "no matching --format"]),
    (["--format", "json", "--output", "x", "--format", "junit", "--output", "x"], ["twice"]),
    (["--format", "yaml"], ["yaml"]),
])
def test_output_pairing_errors(args, words, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(["check", AIR, *args], capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    for w in words:
        assert w in err


def test_output_without_format_is_text(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    code, out, _ = run_cli(["check", AUSBEER, "--output", "report.txt"], capsys)
    assert code == 1 and out == ""
    text = (tmp_path / "report.txt").read_text()
    assert "LD101" in text and "Fix" in text


def test_stdin_only_once(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(["check", "-", "-"], capsys, monkeypatch, stdin="")
    assert code == 2 and "stdin" in err


def test_no_data_argument_is_a_usage_error(capsys):
    code, _, err = run_cli(["check"], capsys)
    assert code == 2 and "DATA" in err


def test_exit_codes_documented_in_help(capsys):
    code, out, _ = run_cli(["check", "--help"], capsys)
    assert code == 0
    assert "0 nothing" in " ".join(out.split()) and "2 a usage or input error" in " ".join(
        out.split())


def test_output_to_unwritable_place_is_an_input_error(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    target = os.path.join(str(tmp_path), "no", "such", "dir", "out.json")
    code, _, err = run_cli(["check", AIR, "--format", "json", "--output", target], capsys)
    assert code == 2 and "out.json" in err and len(err.strip().splitlines()) == 1


def test_brackets_in_messages_are_printed_not_parsed_as_markup(capsys, monkeypatch, tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.lstm_doctor]\nfail-on = 'info'\n")
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(["check", AIR], capsys)
    assert code == 2 and "[tool.lstm_doctor]" in err and "[tool.lstm-doctor]" in err
    from rich.console import Console

    from lstm_doctor.render.text import print_many

    report = {"data": {"source": "d[1].csv", "target": "y", "n": 20},
              "summary": {"error": 1, "warning": 0, "info": 0}, "rules": [],
              "findings": [{"code": "LD601", "name": "setup.x", "severity": "error",
                            "message": "activation [relu] is unbounded", "fix": "use [tanh]"}]}
    console = Console(file=io.StringIO(), width=200, record=True)
    print_many([report, {"source": "e[2].csv", "error": "bad [bold]x"}], console)
    text = console.export_text()
    for word in ("d[1].csv", "[relu]", "[tanh]", "e[2].csv", "bad [bold]x"):
        assert word in text
