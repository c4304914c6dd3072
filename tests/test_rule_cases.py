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
        remedy: {preprocessing.scaler: standard, preprocessing.scaler_fit: train}
                                # optional, when expect is fire: exactly the dotted keys and
                                # values the finding's remedies set (sqlfluff's fix_str);
                                # use_reference: naive for advice (UseReference); or
                                # ``remedy: none`` when no remedy is proposed

Training-symptom rules (LD7xx) read a training run instead of data: their cases give
``experiment:`` (a spec :func:`tests.generators.make_experiment` turns into an
ExperimentResult) in place of ``data:``. Rules that judge the arrays fed to ``fit``
(``needs_arrays``) give ``arrays: {pipeline: minmax_full, look_back: 12}``, a tutorial
pipeline from :mod:`tests.array_pipelines`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import lstm_doctor
from lstm_doctor.config import LSTMConfig
from lstm_doctor.context import Context
from lstm_doctor.data import SeriesData
from lstm_doctor.rules import find_rule
from tests.array_pipelines import build as build_arrays
from tests.array_pipelines import context as arrays_context
from tests.generators import make, make_experiment

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
CASE_FILES = sorted((FIXTURES / "rules").glob("LD*.yml"))


def _cases():
    for path in CASE_FILES:
        spec = yaml.safe_load(path.read_text())
        for case in spec["cases"]:
            marks = [pytest.mark.slow] if case.get("slow") else []
            yield pytest.param(spec["rule"], case, id=f"{spec['rule']}-{case['name']}",
                               marks=marks)


def _run_case(code: str, case: dict) -> tuple[str, str, list]:
    """``(status, reason, findings of the rule)`` for one case."""
    if "experiment" in case:  # a training-symptom rule judging a constructed run
        experiment = make_experiment(case["experiment"])
        ctx = Context(SeriesData(y=experiment.y, target="y"), LSTMConfig(), config_given=True)
        rule = find_rule(code)(thresholds=case.get("thresholds"))
        status, finding, reason = rule.run(ctx.with_experiment(experiment))
        return status, reason, [finding] if finding is not None else []
    if "arrays" in case:  # a rule judging the arrays fed to fit
        rule = find_rule(code)(thresholds=case.get("thresholds"))
        status, finding, reason = rule.run(arrays_context(build_arrays(**case["arrays"])))
        return status, reason, [finding] if finding is not None else []
    data, kwargs = make(case["data"], FIXTURES)
    config = case.get("config")
    if isinstance(config, str):
        config = str(FIXTURES / config)
    report = lstm_doctor.check(data, config=config, select=[code], **kwargs)
    outcome = {o.code: o for o in report.outcomes}[code]
    return outcome.status, outcome.reason, [f for f in report.findings if f.code == code]


@pytest.mark.parametrize("code,case", list(_cases()))
def test_rule_case(code, case):
    status, reason, found = _run_case(code, case)
    expect = case["expect"]
    if expect == "skip":
        assert status == "skip", (status, reason)
        return
    assert status != "crash", found[0].message if found else reason
    if expect == "pass":
        assert not found, f"{code} fired unexpectedly: {found[0].message} {found[0].evidence}"
        return
    assert found, f"{code} did not fire (status {status} {reason})"
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
    if "remedy" in case:
        _check_remedy(finding, case["remedy"])
    assert finding.fix


def proposed(finding) -> dict:
    """The dotted keys and values a finding's remedies set (later remedies win), plus
    ``use_reference`` for advice without a config change."""
    out: dict = {}
    for remedy in finding.remedies:
        if remedy.reference:
            out["use_reference"] = remedy.reference
        out.update({f"{remedy.section}.{k}": v for k, v in remedy.changes.items()})
    return out


def _check_remedy(finding, want) -> None:
    got = proposed(finding)
    if want in (None, "none"):
        assert not got, f"{finding.code} proposes {got}, the case says none"
        return
    assert set(got) == set(want), (f"{finding.code} proposes {got}, the case says {want}")
    for key, value in want.items():
        if isinstance(value, float):
            assert got[key] == pytest.approx(value), (key, got[key])
        else:
            assert got[key] == value and type(got[key]) is type(value), (key, got[key], value)


def test_every_rule_has_fire_and_pass_cases():
    seen: dict[str, set] = {}
    for path in CASE_FILES:
        spec = yaml.safe_load(path.read_text())
        assert path.stem == spec["rule"]
        seen[spec["rule"]] = {c["expect"] for c in spec["cases"]}
    for rule in lstm_doctor.list_rules():
        assert {"fire", "pass"} <= seen.get(rule["code"], set()), rule["code"]
