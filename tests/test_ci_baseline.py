"""Baseline flow: record known findings, then fail only on new or worsened ones."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lstm_doctor.baseline import fingerprint, load_baseline
from lstm_doctor.errors import InputError
from lstm_doctor.render.json import validate
from tests.helpers import run_cli

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"



@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A project with two data files that already have findings (LD101 error, LD104 warning)."""
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(FIXTURES / "ausbeer.csv", data / "beer.csv")
    shutil.copy(FIXTURES / "taylor.csv", data / "demand.csv")
    (tmp_path / "lstm-doctor.toml").write_text('select = ["LD1"]\nfail-on = "warning"\n')
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_write_then_check_against_baseline(repo, capsys):
    assert run_cli(["check", "data/beer.csv", "data/demand.csv"], capsys)[0] == 1
    code, _, err = run_cli(["check", "data/beer.csv", "data/demand.csv",
                            "--write-baseline", "baseline.json"], capsys)
    assert code == 0 and "2 finding(s)" in err
    doc = json.loads((repo / "baseline.json").read_text())
    assert doc["lstm_doctor_baseline"] == 1
    entries = doc["findings"]
    assert [(e["file"], e["code"], e["severity"]) for e in entries] == [
        ("data/beer.csv", "LD101", "error"), ("data/demand.csv", "LD104", "warning")]
    for e in entries:
        assert e["fingerprint"] == fingerprint(e["file"], e["target"], e["code"])
        assert not any(isinstance(v, float) for v in e.values())  # no wobbling numbers

    code, out, err = run_cli(["check", "data/beer.csv", "data/demand.csv", "--baseline",
                              "baseline.json", "--format", "json"], capsys)
    assert code == 0, out
    assert "2 known finding(s) ignored" in err
    result = json.loads(out)
    validate(result)
    states = [f["baseline_state"] for r in result["files"] for f in r["findings"]]
    assert states == ["unchanged", "unchanged"]
    assert result["summary"]["failing"] == 0
    # text output marks them as known
    code, out, _ = run_cli(["check", "data/beer.csv", "--baseline", "baseline.json"], capsys)
    assert code == 0 and "known" in out and "baseline: 1 known, 0 new" in " ".join(out.split())


def test_new_finding_fails(repo, capsys):
    run_cli(["check", "data/demand.csv", "--write-baseline", "baseline.json"], capsys)
    frame = pd.read_csv(repo / "data" / "demand.csv")
    frame.loc[100:102, "demand"] = np.nan  # a data refresh brings gaps: LD101 is new
    frame.to_csv(repo / "data" / "demand.csv", index=False)
    code, out, _ = run_cli(["check", "data/demand.csv", "--baseline", "baseline.json",
                            "--format", "json"], capsys)
    assert code == 1
    states = {f["code"]: f["baseline_state"] for f in json.loads(out)["findings"]}
    assert states["LD101"] == "new"
    assert set(states.values()) <= {"new", "unchanged"}


def test_new_file_fails(repo, capsys):
    run_cli(["check", "data/demand.csv", "--write-baseline", "baseline.json"], capsys)
    code, out, _ = run_cli(["check", "data/demand.csv", "data/beer.csv", "--baseline",
                            "baseline.json", "--format", "github"], capsys)
    assert code == 1
    lines = out.splitlines()
    assert any(line.startswith("::error file=data/beer.csv,line=") and "title=LD101" in line
               for line in lines)  # the annotation sits on the row of the first gap
    assert any(line.startswith("::notice file=data/demand.csv,") and "title=LD104" in line
               for line in lines)


def test_worsened_severity_fails(repo, capsys):
    run_cli(["check", "data/demand.csv", "--write-baseline", "baseline.json"], capsys)
    (repo / "lstm-doctor.toml").write_text('select = ["LD1"]\nfail-on = "warning"\n'
                                           '[severities]\nLD104 = "error"\n')
    code, out, _ = run_cli(["check", "data/demand.csv", "--baseline", "baseline.json",
                            "--format", "sarif"], capsys)
    assert code == 1
    (result,) = json.loads(out)["runs"][0]["results"]
    assert result["baselineState"] == "updated" and result["level"] == "error"
    # a milder severity than recorded stays known
    (repo / "lstm-doctor.toml").write_text('select = ["LD1"]\nfail-on = "info"\n'
                                           '[severities]\nLD104 = "info"\n')
    assert run_cli(["check", "data/demand.csv", "--baseline", "baseline.json"], capsys)[0] == 0


def test_wobbling_numbers_keep_the_finding_known(repo, capsys):
    run_cli(["check", "data/demand.csv", "--write-baseline", "baseline.json"], capsys)
    frame = pd.read_csv(repo / "data" / "demand.csv")
    frame["demand"] = frame["demand"] * 1.001 + 3.0  # refreshed values, same problem
    frame.to_csv(repo / "data" / "demand.csv", index=False)
    code, out, _ = run_cli(["check", "data/demand.csv", "--baseline", "baseline.json",
                            "--format", "json"], capsys)
    assert code == 0
    assert [f["baseline_state"] for f in json.loads(out)["findings"]] == ["unchanged"]


def test_fixed_findings_are_reported_absent(repo, capsys):
    run_cli(["check", "data/beer.csv", "--write-baseline", "baseline.json"], capsys)
    frame = pd.read_csv(repo / "data" / "beer.csv").dropna()
    frame.to_csv(repo / "data" / "beer.csv", index=False)
    code, out, err = run_cli(["check", "data/beer.csv", "--baseline", "baseline.json",
                              "--format", "json"], capsys)
    assert code == 0
    doc = json.loads(out)
    assert doc["baseline"]["absent"] == [{"code": "LD101", "severity": "error"}]
    assert "1 fixed" in err


def test_baseline_works_from_another_directory(repo, capsys, monkeypatch):
    run_cli(["check", "data/beer.csv", "--write-baseline", "baseline.json"], capsys)
    monkeypatch.chdir(repo / "data")
    code, out, _ = run_cli(["check", "beer.csv", "--baseline", "../baseline.json",
                            "--format", "json"], capsys)
    assert code == 0
    assert json.loads(out)["findings"][0]["baseline_state"] == "unchanged"


@pytest.mark.parametrize("content,words", [
    (None, ["does not exist", "--write-baseline"]),
    ("{not json", ["not valid JSON"]),
    ('{"findings": []}', ["not a lstm-doctor baseline"]),
    ('{"lstm_doctor_baseline": 9, "findings": []}', ["version 9"]),
    ('{"lstm_doctor_baseline": 1, "findings": [{"file": "a"}]}', ["entry 0"]),
])
def test_bad_baseline_file(repo, capsys, content, words):
    if content is not None:
        (repo / "b.json").write_text(content)
    code, out, err = run_cli(["check", "data/beer.csv", "--baseline", "b.json"], capsys)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "b.json" in err
    for w in words:
        assert w in err
    if content is not None:
        with pytest.raises(InputError):
            load_baseline(repo / "b.json")


def test_write_baseline_with_an_input_error_still_exits_2(repo, capsys):
    code, _, err = run_cli(["check", "data/beer.csv", "data/nope.csv", "--write-baseline",
                            "baseline.json"], capsys)
    assert code == 2 and "nope.csv" in err
    files = {e["file"] for e in json.loads((repo / "baseline.json").read_text())["findings"]}
    assert files == {"data/beer.csv"}
