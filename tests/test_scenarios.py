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


# -- degenerate and unusual inputs: no rule may crash -----------------------------------------

def _edge_inputs() -> dict[str, object]:
    import numpy as np

    from tests import generators as gen

    rng = np.random.default_rng(11)
    with_nans = gen.ar(300, seed=3)
    with_nans[[7, 8, 150, 299]] = np.nan
    return {
        "step-5-zeros-10-ones": np.r_[np.zeros(5), np.ones(10)],
        "clean-step-200": gen.step(200),
        "step-with-little-noise": gen.step(200, scale=0.01),
        "two-steps": gen.step(300, at=(100, 200), sizes=(5.0, -3.0), scale=0.001),
        "straight-line": np.arange(100, dtype=float),
        "spike-on-constant": np.r_[np.full(60, 3.0), 9.0, np.full(59, 3.0)],
        "short-10": gen.white_noise(10, seed=1),
        "short-15-random-walk": gen.random_walk(15, seed=2),
        "short-20": gen.ar(20, seed=4),
        "few-nans": with_nans,
        "integer-counts": gen.poisson_counts(300),
        "intermittent-counts": gen.intermittent(300),
        "negative-values": gen.random_walk(300, seed=5, start=-500.0),
        "negative-noise": gen.white_noise(300, seed=6, loc=-20.0),
        "huge-1e12": 1e12 * (1.0 + 0.01 * gen.random_walk(300, seed=7, start=0.0)),
        "huge-seasonal-1e12": 1e12 * gen.seasonal(240, seed=8) / 50.0,
        "tiny-1e-9": 1e-9 * gen.white_noise(300, seed=9),
        "tiny-1e-15": 1e-15 * gen.ar(300, seed=12),
        "tiny-random-walk-1e-9": 1e-9 * gen.random_walk(300, seed=10),
        "near-constant-with-noise-1e-13": 5.0 + 1e-13 * rng.standard_normal(200),
    }


EDGE_CONFIGS = {
    "no-config": None,
    "naive": {"preprocessing": {"scaler": "none"}, "window": {"seq_length": 6},
              "model": {"units": 50}},
    "busy": {"preprocessing": {"difference": 1, "seasonal_difference": 4, "scaler": "minmax",
                               "scaler_fit": "full"},
             "window": {"seq_length": 3, "horizon": 2}, "model": {"units": 8},
             "training": {"validation_split": 0.2, "early_stopping": True}},
}


@pytest.mark.parametrize("config_name", list(EDGE_CONFIGS))
@pytest.mark.parametrize("name", list(_edge_inputs()))
def test_no_rule_crashes_on_degenerate_inputs(name, config_name):
    data = _edge_inputs()[name]
    report = lstm_doctor.check(data, config=EDGE_CONFIGS[config_name])
    crashed = {o.code: o.reason for o in report.outcomes if o.status == "crash"}
    assert crashed == {}, crashed
    ran = {o.code for o in report.outcomes if o.status in ("pass", "fail")}
    assert ran, "no rule ran at all"
