"""Do no harm: remedies are screened on an inner validation split, never on the holdout;
a remediated LSTM that loses names the remedy responsible; early stopping cannot leave the
remediated LSTM under-trained."""

from __future__ import annotations

import numpy as np
import pytest

from lstm_doctor.config import load_config
from lstm_doctor.experiment.remediation import AppliedRemedy, Remediation, apply_all
from lstm_doctor.experiment.result import ExperimentResult, ModelResult, SeedRun
from lstm_doctor.experiment.runner import (
    WorkData,
    harm_report,
    inner_split,
    min_epochs_before_stopping,
    screen_remedies,
)
from lstm_doctor.remedies import Difference, Scale, SetWindow

USER = {"preprocessing": {"scaler": "standard"}, "window": {"seq_length": 12},
        "model": {"units": 8}, "training": {"epochs": 30, "batch_size": 16}}


def _seasonal(n: int = 240) -> np.ndarray:
    rng = np.random.default_rng(0)
    t = np.arange(n)
    return 10 + 3 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 0.3, n)


def _remediation(user, remedies):
    applied = [AppliedRemedy(r, [src]) for r, src in remedies]
    return Remediation(user_config=user, config=apply_all(user, [a.remedy for a in applied]),
                       applied=applied)


def test_inner_split_never_reaches_the_holdout():
    y = np.arange(100.0)
    data = WorkData(y=y, features=None, stamps=list(range(100)), n_train=80)
    inner = inner_split(data, horizon=1)
    assert inner.n == 80 and inner.y[-1] == 79.0  # the holdout (80..99) is not in it
    assert inner.n_train == 60  # the inner validation part is as long as the holdout
    assert inner_split(WorkData(y=y[:15], features=None, stamps=list(range(15)), n_train=12),
                       horizon=1) is None


def test_min_epochs_before_stopping():
    assert min_epochs_before_stopping(100) == 20
    assert min_epochs_before_stopping(30) == 10
    assert min_epochs_before_stopping(5) == 4


def test_a_remedy_that_makes_the_inner_validation_error_worse_is_dropped():
    pytest.importorskip("tensorflow")
    from lstm_doctor.experiment.lstm import Budget

    user = load_config(USER)
    # differencing a stationary seasonal series twice only amplifies its noise
    rem = _remediation(user, [(Difference(2), "LD201"), (Scale("standard", "train"),
                                                          "remediation")])
    data = WorkData(y=_seasonal(), features=None, stamps=list(range(240)), n_train=192)
    kept, records = screen_remedies(rem, data, horizon=1, seed=0, epochs=None,
                                    budget=Budget(None, 10))
    assert [r["remedy"] for r in records] == ["difference"]  # scaling is never screened
    (record,) = records
    assert not record["kept"] and record["effect"] > 0.02
    assert record["mae_with"] > record["mae_without"]
    assert [a.kind for a in kept.applied] == ["scale"]
    assert kept.config.preprocessing.difference == 0
    assert "inner validation error worse" in kept.dropped[-1]["reason"]
    assert kept.dropped[-1]["source"] == "LD201"


def test_a_helpful_remedy_is_kept():
    pytest.importorskip("tensorflow")
    from lstm_doctor.experiment.lstm import Budget

    user = load_config({**USER, "window": {"seq_length": 3}})
    # a window that covers the season helps on a seasonal series
    rem = _remediation(user, [(SetWindow(15), "LD502")])
    data = WorkData(y=_seasonal(), features=None, stamps=list(range(240)), n_train=192)
    kept, records = screen_remedies(rem, data, horizon=1, seed=0, epochs=None,
                                    budget=Budget(None, 10))
    assert records[0]["kept"] and kept.config.window.seq_length == 15


def _model(name: str, mase: float) -> ModelResult:
    run = SeedRun(seed=0, forecast=np.zeros((3, 1)), metrics={"mase": mase, "mae": mase,
                                                              "rmse": mase, "smape": mase})
    return ModelResult(name, "lstm", runs=[run])


def test_a_losing_remediation_names_the_remedy_responsible():
    res = ExperimentResult(y=np.zeros(10), n_train=7, origins=np.arange(7, 10), horizon=1,
                           period=None, scale=1.0)
    res.models = {"baseline_lstm": _model("baseline_lstm", 1.55),
                  "remediated_lstm": _model("remediated_lstm", 3.35)}
    res.ablation = [
        {"remedy": "difference", "describe": "preprocessing.difference = 0",
         "source": "LD203", "mase": 1.50},
        {"remedy": "set-units", "describe": "model.units = 8", "source": "LD401",
         "mase": 3.40},
    ]
    harm = harm_report(res)
    assert harm["responsible"] == "difference" and harm["source"] == "LD203"
    assert "LD203" in harm["text"] and "3.35" in harm["text"]
    res.models["remediated_lstm"] = _model("remediated_lstm", 1.2)
    assert harm_report(res) is None  # it won: nothing to explain


def test_early_stopping_waits_for_the_minimum_epochs():
    pytest.importorskip("tensorflow")
    from lstm_doctor.experiment.lstm import LSTMForecaster

    rng = np.random.default_rng(1)
    X = rng.normal(size=(64, 4, 1)).astype("float32")
    # learning the training targets (+1) only drives the validation loss (targets -1) up:
    # it is lowest at epoch 1, the case that used to stop the remediated LSTM there
    y_fit, y_val = np.ones((64, 1)), -np.ones((16, 1))
    kwargs = {"units": 4, "epochs": 20, "batch_size": 16, "early_stopping": True,
              "patience": 2, "restore_best_weights": True, "learning_rate": 0.01}
    eager = LSTMForecaster(**kwargs).fit(X, y_fit, validation_data=(X[:16], y_val))
    patient = LSTMForecaster(**kwargs, min_epochs=8).fit(X, y_fit,
                                                         validation_data=(X[:16], y_val))
    assert eager.epochs_run_ <= 4
    assert patient.epochs_run_ >= 8 + 2


@pytest.mark.parametrize("kind,with_,without,kept", [
    ("detrend", 0.99, 1.00, False),    # an extrapolated trend must prove a gain (>= 2%)
    ("detrend", 0.90, 1.00, True),
    ("difference", 0.99, 1.00, True),  # other remedies only must not hurt
    ("difference", 1.05, 1.00, False),
])
def test_screening_rule_for_each_kind_of_remedy(monkeypatch, kind, with_, without, kept):
    from lstm_doctor.experiment import screening
    from lstm_doctor.remedies import Detrend

    user = load_config(USER)
    remedy = Detrend() if kind == "detrend" else Difference(1)
    rem = _remediation(user, [(remedy, "LD202")])
    data = WorkData(y=np.zeros(100), features=None, stamps=list(range(100)), n_train=80)

    def fake_train(name, config, inner, **kwargs):
        error = with_ if name == "screen: remediated" else without
        origins = np.arange(inner.n_train, inner.n)
        return ModelResult(name, "lstm", runs=[SeedRun(seed=0, forecast=np.full(
            (len(origins), 1), error))])

    monkeypatch.setattr(screening, "train_lstm", fake_train)
    new, records = screening.screen_remedies(rem, data, horizon=1, seed=0, epochs=None,
                                             budget=None)
    assert records[0]["kept"] is kept
    assert (len(new.applied) == 1) is kept
