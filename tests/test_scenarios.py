"""Reference scenarios: a set-up that fails for known reasons, and a sound one.

fixtures/scenarios/<name>/ holds ``series.csv`` and ``config.yaml`` (see its README).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import lstm_doctor
from lstm_doctor.cli import cli
from lstm_doctor.config import load_config
from lstm_doctor.remedies import remediate

SCENARIOS = Path(__file__).resolve().parent.parent / "fixtures" / "scenarios"
FAILING = SCENARIOS / "failing"
CLEAN = SCENARIOS / "clean"

# Why each finding is expected on 100 points of white noise with the tutorial set-up:
FAILING_EXPECTED = {
    "LD203": "error",    # differenced although the series is already stationary
    "LD206": "warning",  # white noise: nothing to learn, the mean is the best forecast
    "LD303": "warning",  # minmax fit on the full series (here its extremes lie in train)
    "LD401": "error",    # LSTM(50): 10,451 parameters for 69 training windows
    "LD402": "warning",  # 69 training windows
    "LD601": "error",    # activation relu
    "LD603": "warning",  # 100 epochs, no validation split, no early stopping
}


def _check(folder: Path, **kwargs):
    return lstm_doctor.check(folder / "series.csv", config=folder / "config.yaml", **kwargs)


def test_failing_scenario_finds_exactly_the_known_problems():
    report = _check(FAILING)
    found = {f.code: f.severity.value for f in report.findings}
    assert found == FAILING_EXPECTED
    assert not any(o.status == "crash" for o in report.outcomes)
    by_code = {f.code: f for f in report.findings}
    assert by_code["LD401"].evidence["parameters"] == 10_451
    assert by_code["LD401"].evidence["train_windows"] == 69
    assert by_code["LD601"].evidence["activation"] == "relu"
    assert by_code["LD303"].evidence["scaler_fit"] == "full"
    assert report.exit_code("error") == 1


def test_failing_scenario_remedies_clear_the_setup_findings():
    report = _check(FAILING)
    config = load_config(FAILING / "config.yaml")
    fixed = remediate(config, [r for f in report.findings for r in f.remedies])
    changed = {key for key, _, _ in config.diff(fixed)}
    assert {"preprocessing.difference", "preprocessing.scaler_fit", "model.units",
            "model.activation", "training.validation_split",
            "training.early_stopping"} <= changed
    again = lstm_doctor.check(FAILING / "series.csv", config=fixed)
    assert again.summary["error"] == 0
    # what remains is about the data itself, not the set-up
    assert set(again.codes()) <= {"LD206", "LD402"}


def test_clean_scenario_has_no_error_or_warning():
    report = _check(CLEAN)
    loud = [(f.code, f.severity.value, f.message) for f in report.findings
            if f.severity.value in ("error", "warning")]
    assert loud == []
    assert not any(o.status == "crash" for o in report.outcomes)
    ran = {o.code for o in report.outcomes if o.status == "pass"}
    assert {"LD301", "LD303", "LD304", "LD401", "LD402", "LD403", "LD501", "LD503",
            "LD504", "LD601", "LD602", "LD603", "LD604", "LD605"} <= ran


def _cli(folder: Path, *extra: str):
    args = ["check", str(folder / "series.csv"), "--config", str(folder / "config.yaml"),
            *extra]
    return CliRunner().invoke(cli, args)


def test_cli_failing_scenario_json_exits_1():
    result = _cli(FAILING, "--format", "json")
    assert result.exit_code == 1, result.output
    payload = json.loads(result.stdout)
    assert {f["code"] for f in payload["findings"]} == set(FAILING_EXPECTED)
    assert payload["summary"]["error"] == 3


def test_cli_clean_scenario_exits_0_even_on_warnings():
    result = _cli(CLEAN, "--fail-on", "warning", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"] == {"error": 0, "warning": 0,
                                                    "info": len(_check(CLEAN).findings)}


@pytest.mark.parametrize("folder,code", [(FAILING, 1), (CLEAN, 0)], ids=["failing", "clean"])
def test_console_script_exit_codes(folder, code):
    exe = Path(sys.executable).with_name("lstm-doctor")
    if not exe.exists():
        pytest.skip("console script not installed next to the interpreter")
    proc = subprocess.run([str(exe), "check", str(folder / "series.csv"), "--config",
                           str(folder / "config.yaml"), "--fail-on", "warning"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == code, proc.stderr
