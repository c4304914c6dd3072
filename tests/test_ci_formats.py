"""Output formats of `lstm-doctor check`: json (schema), junit, sarif, github, markdown."""

from __future__ import annotations

import copy
import json
import re
import sys
from pathlib import Path

import jsonschema
import pytest
from junitparser import Error, Failure, JUnitXml, Skipped

import lstm_doctor
from lstm_doctor.render import FORMATS, render
from lstm_doctor.render.github import render_github
from lstm_doctor.render.json import schema, validate
from lstm_doctor.render.markdown import render_markdown
from lstm_doctor.render.sarif import build_sarif
from tests.helpers import run_cli
from tests.sarif_official import assert_valid_sarif

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
BAD_SETUP = {"preprocessing": {"scaler": "none"}, "window": {"seq_length": 3},
             "model": {"units": 200, "activation": "relu"},
             "training": {"epochs": 500, "learning_rate": 0.1}}



@pytest.fixture(scope="module")
def reports():
    """Two real series with a deliberately bad set-up (many findings of every severity)."""
    aus = lstm_doctor.check(str(FIXTURES / "ausbeer.csv"), config=BAD_SETUP)
    taylor = lstm_doctor.check(str(FIXTURES / "taylor.csv"), select="LD1")
    return [aus.to_dict(), taylor.to_dict()]


@pytest.fixture
def with_error(reports):
    return [*copy.deepcopy(reports), {"source": "data/broken.csv",
                                      "error": "'data/broken.csv' is empty; give a file"}]


# -- json -------------------------------------------------------------------------------------

def test_shipped_schema_is_a_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(schema())
    assert schema()["$defs"]["report"]["properties"]["schema_version"] == {"const": 2}


def test_single_report_validates(reports):
    severities = {f["severity"] for f in reports[0]["findings"]}
    assert severities >= {"error", "warning"}
    assert any(f["remedies"] for f in reports[0]["findings"])
    for doc in reports:
        validate(doc)
        validate(json.loads(render("json", [doc])))


def test_in_memory_and_report_outputs_validate():
    import numpy as np

    validate(lstm_doctor.check(np.sin(np.arange(200) / 3.0)).to_dict())
    validate(lstm_doctor.report(str(FIXTURES / "nile.csv"), train=False).to_dict())


def test_many_files_document_validates(with_error):
    doc = json.loads(render("json", with_error, fail_on="warning"))
    validate(doc)
    assert doc["fail_on"] == "warning" and len(doc["files"]) == 3
    assert doc["files"][2] == with_error[2]
    s = doc["summary"]
    assert s["files"] == 3 and s["input_errors"] == 1
    assert s["error"] == sum(r["summary"]["error"] for r in with_error[:2])
    assert s["failing"] == sum(f["severity"] in ("error", "warning")
                               for r in with_error[:2] for f in r["findings"])


@pytest.mark.parametrize("mutate", [
    lambda d: d["findings"][0].update(severity="fatal"),
    lambda d: d.pop("rules"),
    lambda d: d["findings"][0].pop("fix"),
    lambda d: d["data"].update(n="144"),
    lambda d: d.update(unexpected=1),
    lambda d: d["rules"][0].update(status="maybe"),
])
def test_schema_rejects_broken_documents(reports, mutate):
    doc = copy.deepcopy(reports[0])
    mutate(doc)
    with pytest.raises(jsonschema.ValidationError):
        validate(doc)


# -- junit ------------------------------------------------------------------------------------

def _parse_junit(text: str, tmp_path: Path) -> JUnitXml:
    path = tmp_path / "junit.xml"
    path.write_text(text)
    xml = JUnitXml.fromfile(str(path))
    assert xml._tag == "testsuites"
    return xml


def test_junit_one_case_per_rule_failures_and_skips(reports, tmp_path):
    xml = _parse_junit(render("junit", reports, fail_on="error"), tmp_path)
    suites = list(xml)
    assert len(suites) == 2
    for suite, rep in zip(suites, reports, strict=True):
        cases = list(suite)
        assert len(cases) == len(rep["rules"]) == suite.tests
        by_code = {c.name.split()[0]: c for c in cases}
        for outcome in rep["rules"]:
            case = by_code[outcome["code"]]
            kinds = {type(r) for r in case.result}
            finding = next((f for f in rep["findings"] if f["code"] == outcome["code"]), None)
            if outcome["status"] == "skip":
                assert kinds == {Skipped}
            elif finding is not None and finding["severity"] == "error":
                assert kinds == {Failure}, outcome
                assert finding["message"] in case.result[0].message
                assert "fix:" in case.result[0].text
            else:
                assert kinds == set(), outcome
        assert suite.failures == sum(f["severity"] == "error" for f in rep["findings"])
        assert suite.skipped == sum(o["status"] == "skip" for o in rep["rules"])


def test_junit_fail_on_warning_and_input_error(with_error, tmp_path):
    xml = _parse_junit(render("junit", with_error, fail_on="warning"), tmp_path)
    suites = list(xml)
    taylor = suites[1]
    ld104 = next(c for c in taylor if c.name.startswith("LD104"))
    assert isinstance(ld104.result[0], Failure) and ld104.result[0].type == "warning"
    broken = suites[2]
    (case,) = list(broken)
    assert isinstance(case.result[0], Error) and "broken.csv" in case.result[0].message
    assert xml.errors == 1


def test_junit_is_plain_xml_too(reports):
    import xml.etree.ElementTree as ET

    root = ET.fromstring(render("junit", reports).split("\n", 1)[1])
    assert root.tag == "testsuites"
    assert int(root.get("tests")) == sum(len(r["rules"]) for r in reports)


# -- sarif ------------------------------------------------------------------------------------

def _validate_sarif(doc):
    """The official SARIF 2.1.0 schema (tests/sarif_official.py)."""
    assert_valid_sarif(doc)


def test_sarif_validates_and_maps_levels(reports, monkeypatch):
    monkeypatch.chdir(ROOT)
    doc = json.loads(render("sarif", reports))
    _validate_sarif(doc)
    run = doc["runs"][0]
    assert doc["version"] == "2.1.0"
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert ids == sorted({o["code"] for r in reports for o in r["rules"]})
    ld101 = rules[ids.index("LD101")]
    assert "Anti-pattern" in ld101["help"]["text"] and "Best practice" in ld101["help"]["text"]
    assert ld101["shortDescription"]["text"] == lstm_doctor.list_rules()[0]["summary"]
    assert ld101["defaultConfiguration"]["level"] == "error"
    findings = [f for r in reports for f in r["findings"]]
    assert len(run["results"]) == len(findings)
    levels = {"error": "error", "warning": "warning", "info": "note"}
    for res, f in zip(run["results"], findings, strict=True):
        assert res["ruleId"] == f["code"] and res["level"] == levels[f["severity"]]
        assert rules[res["ruleIndex"]]["id"] == f["code"]
        assert f["message"] in res["message"]["text"]
        uri = res["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri in ("fixtures/ausbeer.csv", "fixtures/taylor.csv")
        assert re.fullmatch(r"[0-9a-f]{16}", res["partialFingerprints"]["lstmDoctor/v1"])
    assert run["invocations"][0]["executionSuccessful"] is True


def test_sarif_input_errors_are_notifications(with_error):
    doc = build_sarif(with_error)
    _validate_sarif(doc)
    inv = doc["runs"][0]["invocations"][0]
    assert inv["executionSuccessful"] is False
    (note,) = inv["toolExecutionNotifications"]
    assert note["level"] == "error" and "broken.csv" in note["message"]["text"]


def test_official_sarif_schema_catches_mistakes(reports):
    doc = build_sarif(reports)
    doc["runs"][0]["results"][0]["level"] = "info"  # not a SARIF level
    with pytest.raises(AssertionError):
        _validate_sarif(doc)
    doc = build_sarif(reports)
    doc["runs"][0]["results"][0]["severity"] = "error"  # not a SARIF property
    with pytest.raises(AssertionError):
        _validate_sarif(doc)


# -- github -----------------------------------------------------------------------------------

def test_github_annotations(reports):
    text = render_github(reports)
    lines = text.splitlines()
    findings = [(r["data"]["source"], f) for r in reports for f in r["findings"]]
    assert len(lines) == len(findings)
    pattern = re.compile(r"^::(error|warning|notice) file=([^,]+),title=(LD\d{3}) ([^:]+)::(.+)$")
    levels = {"error": "error", "warning": "warning", "info": "notice"}
    for line, (source, f) in zip(lines, findings, strict=True):
        m = pattern.match(line)
        assert m, line
        assert m.group(1) == levels[f["severity"]]
        assert m.group(2) == source.replace(":", "%3A").replace(",", "%2C")
        assert m.group(3) == f["code"]
        assert "%0AFix: " in m.group(5)


def test_github_escaping_and_input_errors():
    report = {"data": {"source": "data/a,b:c.csv", "target": "y"}, "findings": [{
        "code": "LD104", "name": "data.outliers", "severity": "info",
        "message": "100% of\nrows", "fix": "do x", "baseline_state": "unchanged"}]}
    text = render_github([report, {"source": "x.csv", "error": "'x.csv' is empty"}])
    first, second = text.splitlines()
    assert first.startswith("::notice file=data/a%2Cb%3Ac.csv,title=LD104 data.outliers::")
    assert "100%25 of%0Arows" in first and "baseline" in first
    assert second == "::error file=x.csv,title=lstm-doctor%3A input error::'x.csv' is empty"


# -- markdown ---------------------------------------------------------------------------------

def test_markdown_summary(with_error):
    md = render_markdown(with_error, fail_on="error")
    assert md.startswith("## lstm-doctor: ❌")
    assert "| File | Target | Points | Errors | Warnings | Info | Gate |" in md
    assert "`data/broken.csv`" in md
    for f in with_error[0]["findings"]:
        assert f"**{f['code']}**" in md
    table_rows = [line for line in md.splitlines() if line.startswith("| **LD")]
    assert all(line.count(" | ") == 3 for line in table_rows)  # pipes in text are escaped
    ok = render_markdown([with_error[1]], fail_on="error")
    assert ok.startswith("## lstm-doctor: ✅")


def test_markdown_escapes_pipes_and_newlines():
    report = {"data": {"source": "a.csv", "target": "y", "n": 20},
              "summary": {"error": 1, "warning": 0, "info": 0}, "rules": [],
              "findings": [{"code": "LD101", "name": "data.missing-values", "severity": "error",
                            "message": "a | b\nc", "fix": "x"}]}
    md = render_markdown([report])
    assert "a \\| b<br>c" in md


# -- through the CLI --------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_through_the_cli(fmt, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(["check", FIXTURES / "ausbeer.csv", "--select", "LD1",
                              "--format", fmt], capsys)
    assert code == 1, err
    assert "LD101" in out
    if fmt == "json":
        validate(json.loads(out))
    elif fmt == "sarif":
        _validate_sarif(json.loads(out))
    elif fmt == "junit":
        _parse_junit(out, tmp_path)


def test_clean_run_is_quiet(capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(["check", FIXTURES / "airpassengers.csv", "--select", "LD1",
                              "--format", "github"], capsys)
    assert (code, out, err) == (0, "", "")


def test_render_rejects_unknown_format(reports):
    with pytest.raises(ValueError):
        render("yaml", reports)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(pytest.main([__file__]))


def test_several_files_json_has_one_line_per_file_and_loads_back():
    import json as _json

    from lstm_doctor.render.json import render_json

    reports = [{"data": {"source": f"s{i}.csv"}, "findings": [], "rules": [],
                "summary": {"error": 0, "warning": 0, "info": 0}} for i in range(3)]
    text = render_json([*reports, {"source": "bad.csv", "error": "one line"}])
    doc = _json.loads(text)
    assert [f.get("data", {}).get("source", f.get("source")) for f in doc["files"]] == [
        "s0.csv", "s1.csv", "s2.csv", "bad.csv"]
    file_lines = [ln for ln in text.splitlines() if ln.startswith('    {"')]
    assert len(file_lines) == 4  # one line per file: greppable, diff-friendly
    assert _json.loads(render_json([reports[0]])) == reports[0]
    assert "\n  " in render_json([reports[0]])  # one report stays indented
