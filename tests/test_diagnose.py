"""``lstm_doctor.diagnose``: a live Keras model, the arrays fed to fit, and its history.

The cases are built the way the popular tutorials build them (real Keras models, tiny and
trained for a few epochs): the airline look-back-as-features script (MinMax fit on the
full series, ``(n, 1, 3)`` inputs) and a correct pipeline (StandardScaler fit on train,
``(n, 12, 1)`` windows, temporal split, early stopping on a validation split).
"""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import resources
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lstm_doctor
from lstm_doctor.errors import InputError

keras = pytest.importorskip("keras")

ROOT = Path(__file__).resolve().parent.parent
CHECK_GROUPS = ("LD1", "LD2", "LD3", "LD4", "LD5", "LD6")  # the set-up and data rules


def _airline() -> np.ndarray:
    path = resources.files("lstm_doctor") / "demo_data" / "airpassengers.csv"
    return pd.read_csv(path)["passengers"].to_numpy(float)


@pytest.fixture(scope="module")
def lookback_case():
    """The airline tutorial: MinMax on the full series, look_back = 3 passed as features."""
    y = _airline()
    z = (y - y.min()) / (y.max() - y.min())
    lb = 3
    X = np.array([z[i:i + lb] for i in range(len(z) - lb)])
    t = z[lb:]
    n_tr = int(len(X) * 0.67)
    Xtr, ytr = X[:n_tr].reshape(-1, 1, lb), t[:n_tr]
    Xte, yte = X[n_tr:].reshape(-1, 1, lb), t[n_tr:]
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((1, lb)), keras.layers.LSTM(4),
                              keras.layers.Dense(1)])
    model.compile(loss="mean_squared_error", optimizer="adam")
    hist = model.fit(Xtr, ytr, epochs=3, batch_size=16, verbose=0)
    return {"model": model, "X": Xtr, "y": ytr, "test": (Xte, yte), "history": hist,
            "fit": {"epochs": 3, "batch_size": 16}}


def _seasonal_ar(n: int = 480, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    e = np.zeros(n)
    for i in range(1, n):
        e[i] = 0.5 * e[i - 1] + rng.normal()
    return 50 + 10 * np.sin(2 * np.pi * np.arange(n) / 12) + 3 * e


@pytest.fixture(scope="module")
def correct_case():
    """A correct pipeline: train-fit StandardScaler, 12-step windows, temporal split."""
    raw = _seasonal_ar()
    n_test, w = 96, 12
    mu, sd = raw[:-n_test].mean(), raw[:-n_test].std()
    z = (raw - mu) / sd

    def windows(a):
        X = np.array([a[i:i + w] for i in range(len(a) - w)])
        return X[..., None], a[w:, None]

    Xtr, ytr = windows(z[:-n_test])
    Xte, yte = windows(z[-n_test - w:])
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((w, 1)), keras.layers.LSTM(16),
                              keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer=keras.optimizers.Adam(1e-3))
    es = keras.callbacks.EarlyStopping(patience=3, restore_best_weights=True)
    fit = {"epochs": 5, "batch_size": 32, "validation_split": 0.2, "callbacks": [es],
           "shuffle": True}
    hist = model.fit(Xtr, ytr, verbose=0, **fit)
    return {"model": model, "X": Xtr, "y": ytr, "test": (Xte, yte), "history": hist,
            "fit": fit, "raw": raw,
            "config": {"preprocessing": {"scaler": "standard", "scaler_fit": "train"}}}


def _fired(report, groups=None):
    return {f.code: f.severity.value for f in report.findings
            if groups is None or f.code.startswith(groups)}


# -- the set-up read from the objects -----------------------------------------------------------
def test_lookback_as_features_setup(lookback_case):
    c = lookback_case
    r = lstm_doctor.diagnose(c["model"], c["X"], c["y"], test=c["test"], fit_kwargs=c["fit"])
    cfg = r.config
    assert cfg["model"]["units"] == 4 and cfg["model"]["layers"] == 1
    assert cfg["model_file"]["trainable_params"] == 4 * 4 * (3 + 4 + 1) + 5 == 133
    assert cfg["model_file"]["live_trainable_params"] == c["model"].count_params()
    assert cfg["window"]["layout"] == "features" and cfg["window"]["seq_length"] == 3
    assert cfg["window"]["horizon"] == 1
    assert cfg["training"]["loss"] == "mse" and cfg["training"]["optimizer"] == "adam"
    assert cfg["training"]["learning_rate"] == pytest.approx(1e-3)
    assert cfg["training"]["epochs"] == 3 and cfg["training"]["batch_size"] == 16
    assert cfg["origins"]["window.layout"] in ("model", "given")
    assert cfg["origins"]["training.batch_size"] == "given"
    assert cfg["origins"]["preprocessing.scaler"] == "assumed"
    arrays = r.data["arrays"]
    assert arrays["source"] == "arrays" and arrays["shapes"]["X_train"] == [94, 1, 3]
    assert any("look-back values are passed as features" in n for n in arrays["notes"])
    assert any("rebuilt from the target windows" in n for n in arrays["notes"])
    # the rebuilt series: the first row's three values, then every target (train + test)
    assert r.data["n"] == 3 + 94 + 47 and r.data["source"] == "rebuilt from the target windows"


def test_sgd_momentum_and_schedule_read_from_the_live_model():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((24, 2)), keras.layers.LSTM(8, return_sequences=True),
                              keras.layers.LSTM(8), keras.layers.Dense(3)])
    model.compile(loss="mae", optimizer=keras.optimizers.SGD(learning_rate=0.01, momentum=0.9))
    X = np.random.default_rng(0).normal(size=(200, 24, 2))
    y = np.random.default_rng(1).normal(size=(200, 3))
    r = lstm_doctor.diagnose(model, X, y, select="LD3,LD4,LD6")
    t = r.config["training"]
    assert (t["optimizer"], t["loss"]) == ("sgd", "mae")
    assert t["learning_rate"] == pytest.approx(0.01) and t["momentum"] == pytest.approx(0.9)
    assert r.config["model"]["layers"] == 2 and r.config["window"]["horizon"] == 3
    assert r.config["window"]["seq_length"] == 24
    assert r.config["model_file"]["trainable_params"] == model.count_params()
    assert r.config["origins"]["training.epochs"] == "assumed"  # no fit_kwargs


def test_learning_rate_schedule_read():
    sched = keras.optimizers.schedules.ExponentialDecay(1e-3, decay_steps=100, decay_rate=0.9)
    model = keras.Sequential([keras.Input((10, 1)), keras.layers.LSTM(4), keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer=keras.optimizers.Adam(sched))
    X = np.random.default_rng(0).normal(size=(150, 10, 1))
    r = lstm_doctor.diagnose(model, X, X[:, -1, 0], select="LD6")
    assert r.config["training"]["lr_schedule"] == "exponential_decay"


def test_correct_pipeline_check_rules_stay_quiet(correct_case):
    c = correct_case
    r = lstm_doctor.diagnose(c["model"], c["X"], c["y"], test=c["test"], fit_kwargs=c["fit"],
                             config=c["config"])
    t = r.config["training"]
    assert t["early_stopping"] is True and t["patience"] == 3
    assert t["validation"] == "split" and t["validation_split"] == pytest.approx(0.2)
    assert r.config["window"] == {"seq_length": 12, "horizon": 1, "sampling_rate": 1,
                                  "target": "vector", "layout": "time"}
    assert r.config["origins"]["preprocessing.scaler"] == "given"
    loud = {k: v for k, v in _fired(r, CHECK_GROUPS).items() if v in ("warning", "error")}
    assert loud == {}, [f.message for f in r.findings]
    # consecutive windows: the first window's 12 inputs lead the targets
    assert r.data["n"] == 12 + len(c["y"]) + len(c["test"][1])


def test_correct_pipeline_with_the_raw_series(correct_case):
    c = correct_case
    r = lstm_doctor.diagnose(c["model"], c["X"], c["y"], test=c["test"], fit_kwargs=c["fit"],
                             series=pd.Series(c["raw"], name="y"), config=c["config"])
    assert r.data["arrays"]["source"] == "series" and r.data["n"] == len(c["raw"])
    assert r.facts["split"]["n_test"] == len(c["test"][1])
    loud = {k: v for k, v in _fired(r, CHECK_GROUPS).items() if v in ("warning", "error")}
    assert loud == {}, [f.message for f in r.findings]


# -- scale as the network sees it -----------------------------------------------------------------
def test_ld301_judges_the_arrays_fed():
    """Raw values fed to the network: LD301 measures the arrays (no assumed scaler caveat)."""
    raw = _seasonal_ar() * 20  # values around 1000
    X = np.array([raw[i:i + 12] for i in range(len(raw) - 12)])[..., None]
    y = raw[12:, None]
    model = keras.Sequential([keras.Input((12, 1)), keras.layers.LSTM(4), keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer="adam")
    r = lstm_doctor.diagnose(model, X, y, select="LD301")
    f = next(f for f in r.findings if f.code == "LD301")
    assert f.severity.value == "error" and "assumed" not in f.evidence
    scaled = (raw - raw.mean()) / raw.std()
    Xs = np.array([scaled[i:i + 12] for i in range(len(raw) - 12)])[..., None]
    quiet = lstm_doctor.diagnose(model, Xs, scaled[12:], select="LD301")
    assert "LD301" not in _fired(quiet)


# -- history: the training-symptom rules without retraining ---------------------------------------
def test_history_is_judged_without_retraining(correct_case):
    c = correct_case
    r = lstm_doctor.diagnose(c["model"], c["X"], c["y"], test=c["test"], history=c["history"],
                             fit_kwargs=c["fit"], config=c["config"], select="LD7")
    ran = {o.code: o.status for o in r.outcomes}
    assert set(ran) == {"LD701", "LD702", "LD703", "LD704", "LD705", "LD706"}
    assert ran["LD705"] == "pass"  # finite, non-exploding loss
    assert "skip" not in {ran["LD701"], ran["LD705"]}
    # five epochs of a tiny model: the loss is still falling
    assert ran["LD706"] == "fail" or len(c["history"].history["loss"]) < 5


def test_history_dict_without_test_judges_loss_curves_only():
    model = keras.Sequential([keras.Input((12, 1)), keras.layers.LSTM(4), keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer="adam")
    X = np.random.default_rng(0).normal(size=(150, 12, 1))
    loss = [1.0, float("nan"), 2.0, 3.0, 4.0]
    r = lstm_doctor.diagnose(model, X, X[:, -1, 0], history={"loss": loss}, select="LD7")
    ran = {o.code: o.status for o in r.outcomes}
    assert ran["LD705"] == "fail"  # the NaN loss
    assert ran["LD701"] in ("skip", "pass") and ran["LD702"] == "skip"
    assert r.config["training"]["epochs"] == 5


# -- check(model=<live model>) --------------------------------------------------------------------
def test_check_accepts_a_live_model(lookback_case):
    c = lookback_case
    r = lstm_doctor.check(_airline(), model=c["model"])
    assert r.config["model_file"]["trainable_params"] == 133
    assert r.config["window"]["layout"] == "features"


def test_check_with_a_path_model_does_not_import_tensorflow():
    path = ROOT / "fixtures" / "keras" / "airline_lookback_features.keras"
    code = ("import sys, numpy as np, lstm_doctor; "
            f"r = lstm_doctor.check(np.sin(np.arange(200) / 5), model={str(path)!r}); "
            "assert r.config is not None; "
            "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, "
            "sorted(m for m in sys.modules if m.startswith(('tensorflow', 'keras')))")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


# -- bad input ----------------------------------------------------------------------------------
@pytest.mark.parametrize("kwargs, match", [
    ({"fit_kwargs": {"epoch": 3}}, "did you mean"),
    ({"fit_kwargs": {"epochs": 0}}, "epochs"),
    ({"validation_split": 1.5}, "validation_split"),
    ({"history": [1, 2]}, "history"),
    ({"test": np.zeros((3, 12, 1))}, "pair"),
    ({"train": True}, "series="),
])
def test_bad_input_is_one_line(correct_case, kwargs, match):
    c = correct_case
    with pytest.raises(InputError, match=match) as info:
        lstm_doctor.diagnose(c["model"], c["X"], c["y"], **kwargs)
    assert "\n" not in str(info.value)


def test_not_a_model_and_mismatched_arrays(correct_case):
    c = correct_case
    with pytest.raises(InputError, match="Keras model"):
        lstm_doctor.diagnose("model.keras", c["X"], c["y"])
    with pytest.raises(InputError, match="same first dimension"):
        lstm_doctor.diagnose(c["model"], c["X"], c["y"][:-1])
    with pytest.raises(InputError, match="window both the same way"):
        lstm_doctor.diagnose(c["model"], c["X"], c["y"], test=(c["X"][:, :6], c["y"]))


def test_report_renders_the_arrays_facts(lookback_case):
    c = lookback_case
    r = lstm_doctor.diagnose(c["model"], c["X"], c["y"], test=c["test"], fit_kwargs=c["fit"])
    html = r.to_html()
    assert "Read from the arrays fed to fit" in html and "(94, 1, 3)" in html
    again = type(r).from_dict(r.to_dict())
    assert again.data["arrays"] == r.data["arrays"]


@pytest.mark.slow
def test_train_true_runs_the_report_experiment(correct_case):
    c = correct_case
    r = lstm_doctor.diagnose(c["model"], c["X"], c["y"], test=c["test"], fit_kwargs=c["fit"],
                             series=c["raw"], config=c["config"], train=True, seeds=1)
    assert r.comparison and "baseline_lstm" in {m["name"] for m in r.comparison["models"]}


def _loud(report):
    return {f.code for f in report.findings if f.severity.value in ("warning", "error")}


def test_validation_data_is_the_test_set(correct_case):
    """The multivariate pollution tutorial's ``validation_data=(test_X, test_y)``."""
    c = correct_case
    report = lstm_doctor.diagnose(c["model"], c["X"], c["y"], validation_data=c["test"],
                                  test=c["test"], config=c["config"],
                                  fit_kwargs={"epochs": 5, "batch_size": 32})
    assert report.to_dict()["config"]["training"]["validation"] == "holdout"
    assert _loud(report) == {"LD607"}  # the validation windows are the test windows
    # nothing stops or checkpoints on it here: LD606 says so at info
    assert {f.code: f.severity.value for f in report.findings}["LD606"] == "info"


def test_shuffled_random_split_of_windows(correct_case):
    """``train_test_split(X, y, test_size=0.2)`` (shuffle=True) on overlapping windows."""
    c = correct_case
    X = np.concatenate([c["X"], c["test"][0]])
    y = np.concatenate([c["y"], c["test"][1]])
    order = np.random.default_rng(0).permutation(len(X))
    cut = int(0.8 * len(X))
    train, test = order[:cut], order[cut:]
    report = lstm_doctor.diagnose(c["model"], X[train], y[train], test=(X[test], y[test]),
                                  config=c["config"],
                                  fit_kwargs={"epochs": 5, "batch_size": 32,
                                              "validation_split": 0.2})
    loud = _loud(report)
    assert "LD608" in loud  # test windows inside the training period
    # the series rebuilt from shuffled windows is not in time order: no statistics on it
    assert not {code for code in loud if code.startswith(("LD1", "LD2", "LD5"))}, loud
    assert "not in time order" in " ".join(report.to_dict()["data"]["arrays"]["notes"])
