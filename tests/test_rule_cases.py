"""Rule cases from fixtures/rules/LDxxx.yml: data where each rule must fire and must not.

Case format::

    rule: LD101
    cases:
      - name: nan-in-target
        data: {generator: ar, n: 300, nan_at: [10, 11]}   # or {file: co2_weekly.csv}
        config: {preprocessing: {scaler: standard}}        # optional (dict or fixture path)
        expect: fire            # fire | pass | skip
        severity: error         # optional, checked when expect is fire
        evidence: {missing: 2}  # optional exact values; {key: {min: a, max: b}} for ranges
        message_contains: "..." # optional
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import lstm_doctor
from tests.generators import make

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CASE_FILES = sorted((FIXTURES / "rules").glob("LD*.yml"))


def _cases():
    for path in CASE_FILES:
        spec = yaml.safe_load(path.read_text())
        for case in spec["cases"]:
            marks = [pytest.mark.slow] if case.get("slow") else []
            yield pytest.param(spec["rule"], case, id=f"{spec['rule']}-{case['name']}",
                               marks=marks)


@pytest.mark.parametrize("code,case", list(_cases()))
def test_rule_case(code, case):
    data, kwargs = make(case["data"], FIXTURES)
    config = case.get("config")
    if isinstance(config, str):
        config = str(FIXTURES / config)
    report = lstm_doctor.check(data, config=config, select=[code], **kwargs)
    outcome = {o.code: o for o in report.outcomes}[code]
    expect = case["expect"]
    if expect == "skip":
        assert outcome.status == "skip", outcome
        return
    assert outcome.status != "crash", report.findings[0].message if report.findings else outcome
    found = [f for f in report.findings if f.code == code]
    if expect == "pass":
        assert not found, f"{code} fired unexpectedly: {found[0].message} {found[0].evidence}"
        return
    assert found, f"{code} did not fire (status {outcome.status} {outcome.reason})"
    finding = found[0]
    if "severity" in case:
        assert finding.severity.value == case["severity"], finding.message
    for key, want in (case.get("evidence") or {}).items():
        got = finding.evidence[key]
        if isinstance(want, dict):
            if "min" in want:
                assert got >= want["min"], (key, got)
            if "max" in want:
                assert got <= want["max"], (key, got)
        else:
            assert got == want, (key, got)
    if "message_contains" in case:
        assert case["message_contains"] in finding.message
    assert finding.fix


def test_every_rule_has_fire_and_pass_cases():
    seen: dict[str, set] = {}
    for path in CASE_FILES:
        spec = yaml.safe_load(path.read_text())
        assert path.stem == spec["rule"]
        seen[spec["rule"]] = {c["expect"] for c in spec["cases"]}
    for rule in lstm_doctor.list_rules():
        if rule["code"].startswith("LD7"):
            continue  # training-symptom rules are tested from training runs
        assert {"fire", "pass"} <= seen.get(rule["code"], set()), rule["code"]
