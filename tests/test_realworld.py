"""Real users' material: popular public LSTM tutorials reproduced in fixtures/realworld/.

Each case holds the tutorial's data file (real or a marked stand-in with the same calendar
and date format), the set-up as its script fixes it (``setup.yaml``), the script's model
(``model.keras``) and, in ``case.yaml``, what a careful reader finds wrong and right in the
script. Both ways a user runs the gate are exercised, as the CLI runs them:
``check DATA --config setup.yaml`` and ``check DATA --model model.keras``.

* every code under ``fire`` must be reported at warning or error (``LDxxx@info``: reported
  at any severity), except those a case lists under ``known_missed`` with the reason;
* no code under ``not_fire`` may be reported at warning or error (a false alarm);
* a case whose data lstm-doctor cannot check must end in one clear line and exit 2.

The results table (caught / missed / false alarm per case) is
``benchmarks/RESULTS_realworld.md``, written by ``benchmarks/bench_realworld.py``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.helpers import FIXTURES, run_cli

CASES = sorted(p.parent for p in (FIXTURES / "realworld").glob("*/case.yaml"))
LOUD = ("warning", "error")


def _args(case_dir: Path, case: dict, mode: str) -> list[str]:
    args = ["check", str(case_dir / case["data"]["file"]), "--format", "json", "--isolated"]
    args += (["--config", str(case_dir / "setup.yaml")] if mode == "config"
             else ["--model", str(case_dir / "model.keras")])
    for key, flag in (("target", "--target"), ("time_col", "--time-col"),
                      ("features", "--features")):
        value = (case.get("check_options") or {}).get(key)
        if value:
            args += [flag, str(value)]
    return args


def test_the_suite_has_at_least_ten_cases():
    assert len(CASES) >= 10


@pytest.mark.parametrize("mode", ["config", "model"])
@pytest.mark.parametrize("case_dir", CASES, ids=[p.name for p in CASES])
def test_realworld_case(case_dir, mode, capsys):
    case = yaml.safe_load((case_dir / "case.yaml").read_text(encoding="utf-8"))
    expect = case["expect"][mode]
    code, out, err = run_cli(_args(case_dir, case, mode), capsys)
    if "input_error" in expect:
        assert code == 2 and out == "", out
        lines = err.strip().splitlines()
        assert len(lines) == 1 and expect["input_error"] in lines[0], err
        return
    assert code in (0, 1), err
    report = json.loads(out)
    severity = {f["code"]: f["severity"] for f in report["findings"]}
    crashed = [f["code"] for f in report["findings"] if f.get("crashed")]
    assert not crashed, crashed
    known = {k["rule"] for k in expect.get("known_missed") or []}
    for entry in expect["fire"]:
        rule, _, level = entry.partition("@")
        if rule in known:
            continue
        wanted = ("info", *LOUD) if level == "info" else LOUD
        assert severity.get(rule) in wanted, (
            f"{rule} should fire ({level or 'warning+'}); got {severity.get(rule)}: "
            f"{[f['message'] for f in report['findings'] if f['code'] == rule]}")
    false_alarms = {c: severity[c] for c in expect["not_fire"] if severity.get(c) in LOUD}
    assert not false_alarms, [f"{f['code']}: {f['message']}" for f in report["findings"]
                              if f["code"] in false_alarms]
