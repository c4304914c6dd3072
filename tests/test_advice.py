"""Advice that is right on real set-ups (issue 11): rule corrections and one loss for verdicts.

* LD602 judges the effective step (learning rate × momentum × input scale × loss gradient),
  so SGD rates tuned for raw inputs are not called "too low"; LD301 resets such a rate when
  it scales the inputs.
* LD304's severity follows the size of the excursion and whether the output is bounded.
* The verdict and the Diebold-Mariano tests use one loss (absolute error, what MASE scales)
  and never call a model best by one metric while citing a test on another.
"""

from __future__ import annotations

import numpy as np
import pytest

import lstm_doctor
from lstm_doctor.api import load_series, load_setup
from lstm_doctor.context import Context
from lstm_doctor.experiment.remediation import build_remediation
from lstm_doctor.experiment.result import ExperimentResult
from lstm_doctor.experiment.runner import DM_NOTE, _dm_tests, verdict
from lstm_doctor.rules import find_rule
from tests.helpers import FIXTURES

REAL = FIXTURES / "realworld"
SUNSPOTS = REAL / "sunspots-dlai-conv-lstm"
TEMPS = REAL / "daily-min-temps-dlai"
SUNSPOTS_DATA = {"data": str(SUNSPOTS / "Sunspots.csv"),
                 "target": "Monthly Mean Total Sunspot Number", "time_col": "Date"}
TEMPS_DATA = {"data": str(TEMPS / "daily-min-temperatures.csv"), "target": "Temp",
              "time_col": "Date"}


def _check(data: dict, **kwargs):
    kw = dict(data)
    return lstm_doctor.check(kw.pop("data"), **kw, **kwargs)


def _context(data: dict, config) -> Context:
    kw = dict(data)
    series = load_series(kw.pop("data"), **kw)
    return Context(series, load_setup(config, None), config_given=True)


def _finding(report, code):
    return next((f for f in report.findings if f.code == code), None)


# -- LD602: the effective step ---------------------------------------------------------------
@pytest.mark.parametrize("case,data,low,high", [
    (SUNSPOTS, SUNSPOTS_DATA, 3e-4, 6e-4),   # 8e-7 × 10 × ~110 × ~1 / 2
    (TEMPS, TEMPS_DATA, 4e-4, 8e-4),         # 1e-5 × 10 × ~12 × ~1 / 2
])
def test_ld602_sgd_rates_tuned_for_raw_inputs_are_in_range(case, data, low, high):
    config = str(case / "setup.yaml")
    outcome = {o.code: o for o in _check(data, config=config, select="LD602").outcomes}
    assert outcome["LD602"].status == "pass"
    ev = find_rule("LD602")().measure(_context(data, config))
    assert ev["scales_with_gradient"] and ev["momentum_factor"] == pytest.approx(10)
    assert ev["input_scale"] > 10 and ev["loss"] == "huber"
    assert 0.9 < ev["loss_gradient_scale"] <= 1.0  # Huber's gradient is bounded by 1
    assert low < ev["effective_learning_rate"] < high
    assert ev["effective_learning_rate"] == pytest.approx(
        ev["learning_rate"] * ev["momentum_factor"] * ev["input_scale"]
        * ev["loss_gradient_scale"] / ev["reference_gradient_scale"])
    for part in ("(momentum)", "(input RMS)", "(loss gradient)", "reference"):
        assert part in ev["computation"]


def test_ld602_the_same_rate_on_standardised_inputs_is_far_too_low():
    config = load_setup(str(SUNSPOTS / "setup.yaml"), None).replace(
        "preprocessing", scaler="standard")
    f = _finding(_check(SUNSPOTS_DATA, config=config, select="LD602"), "LD602")
    assert f is not None and f.severity.value == "error" and "too low" in f.message
    assert f.evidence["input_scale"] == pytest.approx(1.0)
    assert f.evidence["effective_learning_rate"] < 1e-5
    assert "8e-07 × 10 (momentum) × 1 (input RMS)" in f.message
    assert [r.changes for r in f.remedies] == [{"learning_rate": 0.01}]


def test_ld602_an_sgd_rate_on_raw_counts_is_too_high_and_blames_the_scale():
    f = _finding(lstm_doctor.check(str(FIXTURES / "airpassengers.csv"), select="LD602",
                                   config={"preprocessing": {"scaler": "none"},
                                           "training": {"optimizer": "sgd",
                                                        "learning_rate": 0.01}}), "LD602")
    assert f is not None and f.severity.value == "error" and "too high" in f.message
    assert f.evidence["learning_rate"] == 0.01  # the raw rate alone is in range
    assert "unscaled inputs" in f.fix
    assert [r.kind for r in f.remedies] == ["scale", "set-learning-rate"]


def test_ld602_reads_momentum_and_scaler_and_an_assumed_scaler_makes_it_info():
    rule = find_rule("LD602")
    assert {"training.momentum", "preprocessing.scaler"} <= set(rule.reads)
    # no preprocessing section: the input scale SGD's step rests on is assumed
    f = _finding(lstm_doctor.check(str(FIXTURES / "airpassengers.csv"), select="LD602",
                                   config={"training": {"optimizer": "sgd",
                                                        "learning_rate": 0.01}}), "LD602")
    assert f.severity.value == "info" and "preprocessing.scaler" in f.evidence["assumed"]
    # Adam's step does not depend on the input scale: an assumed scaler does not soften it
    f = _finding(lstm_doctor.check(str(FIXTURES / "airpassengers.csv"), select="LD602",
                                   config={"training": {"optimizer": "adam",
                                                        "learning_rate": 0.05}}), "LD602")
    assert f.severity.value == "warning" and "assumed" not in f.evidence


def test_ld602_model_mode_sunspots_is_not_an_alarm():
    rep = _check(SUNSPOTS_DATA, model=str(SUNSPOTS / "model.keras"), select="LD602")
    assert {o.code: o.status for o in rep.outcomes}["LD602"] == "pass"


# -- LD301: scaling resets a learning rate tuned for the raw scale ---------------------------
def test_ld301_remediation_of_the_sunspots_lab_resets_the_learning_rate():
    config = load_setup(str(SUNSPOTS / "setup.yaml"), None)
    report = _check(SUNSPOTS_DATA, config=config)
    ld301 = _finding(report, "LD301")
    assert ld301 is not None and "tuned for the raw scale" in ld301.fix
    assert ld301.evidence["learning_rate_after_scaling"]["suggested"] == 0.01
    assert not any(f.code == "LD602" and f.severity.value in ("warning", "error")
                   for f in report.findings)
    rem = build_remediation(config, report.findings)
    t = rem.config.training
    assert rem.config.preprocessing.scaler == "standard"
    assert t.optimizer == "sgd" and 1e-4 <= t.learning_rate <= 0.1
    lr = next(a for a in rem.applied if a.kind == "set-learning-rate")
    assert "LD301" in lr.sources
    # and the remediated set-up's effective step is in the sane range
    after = _check(SUNSPOTS_DATA, config=rem.config, select="LD602")
    assert {o.code: o.status for o in after.outcomes}["LD602"] == "pass"


def test_ld301_keeps_the_learning_rate_of_an_adam_set_up():
    rep = lstm_doctor.check(str(FIXTURES / "airpassengers.csv"), select="LD301",
                            config={"preprocessing": {"scaler": "none"}})
    f = _finding(rep, "LD301")
    assert f.evidence["learning_rate_after_scaling"] is None
    assert [r.kind for r in f.remedies] == ["scale"]


# -- LD304: severity follows the excursion ---------------------------------------------------
def test_ld304_shampoo_tutorial_small_excursion_is_info_without_flat_talk():
    case = REAL / "shampoo-stateful"
    rep = lstm_doctor.check(str(case / "shampoo-sales.csv"), target="Sales", time_col="Month",
                            config=str(case / "setup.yaml"), select="LD304")
    f = _finding(rep, "LD304")
    assert f.severity.value == "info" and 0.15 < f.evidence["max_excess"] < 0.25
    assert "flat" not in f.message
    assert f.evidence["thresholds"]["warning_excess"] == 0.25


def test_ld304_airline_tutorial_large_minmax_excursion_stays_an_error():
    case = REAL / "airline-lookback1"
    rep = lstm_doctor.check(str(case / "airline-passengers.csv"), target="Passengers",
                            time_col="Month", config=str(case / "setup.yaml"), select="LD304")
    f = _finding(rep, "LD304")
    assert f.severity.value == "error" and f.evidence["max_excess"] > 0.5
    assert f.evidence["bounded_output"].startswith("min-max")


# -- one loss for the verdict and the tests --------------------------------------------------
def _mae_vs_mse_result() -> ExperimentResult:
    """Remediated LSTM: small errors with one large miss in ten (lower MAE, higher MSE);
    naive: a steady error of 1 (higher MAE, lower MSE)."""
    n, n_train = 200, 150
    t = np.arange(n)
    y = 10 + np.sin(t / 4)
    m = n - n_train
    sign = np.where(np.arange(m) % 2 == 0, 1.0, -1.0)
    rem_err = np.where(np.arange(m) % 10 == 0, 4.0, 0.2) * sign
    forecasts = {"naive": y[n_train:] + 1.0 * sign,
                 "baseline_lstm": [y[n_train:] + 3.0],
                 "remediated_lstm": [y[n_train:] + rem_err]}
    res = ExperimentResult.from_forecasts(y, n_train, forecasts)
    actual = res.actual
    mae = {k: float(np.mean(np.abs(res.models[k].forecast - actual))) for k in forecasts}
    mse = {k: float(np.mean((res.models[k].forecast - actual) ** 2)) for k in forecasts}
    assert mae["remediated_lstm"] < mae["naive"] and mse["remediated_lstm"] > mse["naive"]
    return res


def test_dm_tests_use_absolute_error_by_default_and_name_it():
    res = _mae_vs_mse_result()
    tests = _dm_tests(res)
    assert tests and all(d["loss"] == "absolute error" for d in tests)
    d = next(d for d in tests if d["a"] == "remediated_lstm" and d["b"] == "naive")
    assert d["better"] == "remediated_lstm" and d["significant"]
    assert "absolute-error loss" in DM_NOTE and "squared" not in DM_NOTE


def test_verdict_and_test_agree_on_absolute_error():
    res = _mae_vs_mse_result()
    res.dm_tests = _dm_tests(res)
    text, winner = verdict(res)
    assert winner == "remediated_lstm"
    assert "significantly better than the best reference model" in text
    assert "absolute error" in text and "squared" not in text


def test_verdict_never_calls_a_model_best_while_citing_a_test_that_ranks_it_last():
    res = _mae_vs_mse_result()
    res.dm_tests = _dm_tests(res, loss="squared")
    d = next(d for d in res.dm_tests if d["a"] == "remediated_lstm" and d["b"] == "naive")
    assert d["better"] == "naive" and d["loss"] == "squared error"
    text, winner = verdict(res)
    assert winner == "remediated_lstm"  # the lowest MASE, as the table shows
    assert "Best on the holdout: remediated" not in text
    assert "significantly better than the best reference model" not in text
    assert "by MASE" in text and "squared error" in text
    assert "naive (last value) is" in text and "more accurate" in text


def test_every_dm_citation_in_the_verdict_names_its_loss():
    res = _mae_vs_mse_result()
    res.dm_tests = _dm_tests(res)
    text, _ = verdict(res)
    cites = text.count("DM p")
    assert cites >= 1 and text.count("absolute error") >= cites
