"""``lstm_doctor.keras.Doctor``: diagnose inside a real ``model.fit``, changing nothing."""

from __future__ import annotations

import numpy as np
import pytest

import lstm_doctor

keras = pytest.importorskip("keras")
tf = pytest.importorskip("tensorflow")


def _data():
    rng = np.random.default_rng(0)
    z = np.sin(np.arange(260) / 4) + 0.1 * rng.normal(size=260)
    X = np.array([z[i:i + 12] for i in range(len(z) - 12)])[..., None]
    y = z[12:, None]
    return X[:200], y[:200], X[200:], y[200:]


def _fit(callbacks):
    X, y, _, _ = _data()
    keras.utils.set_random_seed(42)
    model = keras.Sequential([keras.Input((12, 1)), keras.layers.LSTM(6), keras.layers.Dense(1)])
    model.compile(loss="mse", optimizer="adam")
    hist = model.fit(X, y, epochs=3, batch_size=25, validation_split=0.2, verbose=0,
                     callbacks=callbacks)
    return model, hist


@pytest.fixture(scope="module")
def deterministic():
    tf.config.experimental.enable_op_determinism()
    yield


def test_callback_changes_no_weight_or_metric(deterministic, tmp_path):
    X, y, Xte, yte = _data()
    plain, plain_hist = _fit([])
    doctor = lstm_doctor.keras.Doctor(test=(Xte, yte), output=tmp_path / "report.html",
                                      x=X, y=y, fit_kwargs={"validation_split": 0.2})
    watched, watched_hist = _fit([doctor])
    for a, b in zip(plain.get_weights(), watched.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert plain_hist.history == watched_hist.history
    # what it recorded
    assert doctor.error_ is None
    assert doctor.fit_params_["epochs"] == 3 and doctor.fit_params_["steps"] == 7
    assert doctor.history_["loss"] == watched_hist.history["loss"]
    r = doctor.report_
    assert r is not None
    t = r.config["training"]
    assert (t["epochs"], t["validation_split"]) == (3, 0.2)
    # 160 fitted windows in 7 steps: any batch size from 23 to 26 -> unknown, assumed
    assert r.config["origins"]["training.batch_size"] == "assumed"
    assert r.config["origins"]["training.epochs"] == "given"
    assert r.config["model_file"]["trainable_params"] == watched.count_params()
    assert {o.code for o in r.outcomes if o.status != "skip"} >= {"LD705"}
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Read from the arrays fed to fit" in html


def test_without_arrays_it_warns_and_keeps_the_history():
    doctor = lstm_doctor.keras.Doctor()
    with pytest.warns(UserWarning, match="x=X_train"):
        _fit([doctor])
    assert doctor.report_ is None and len(doctor.history_["loss"]) == 3


def test_a_failing_diagnosis_does_not_fail_fit():
    X, y, _, _ = _data()
    doctor = lstm_doctor.keras.Doctor(x=X, y=y, select="LD999")  # unknown rule code
    with pytest.warns(UserWarning, match="could not diagnose"):
        _fit([doctor])
    assert doctor.report_ is None and "LD999" in doctor.error_


def test_batch_size_inferred_only_when_unique():
    doctor = lstm_doctor.keras.Doctor(x=np.zeros((100, 12, 1)), y=np.zeros(100))
    doctor.fit_params_ = {"epochs": 2, "steps": 100}
    assert doctor.inferred_fit_kwargs()["batch_size"] == 1
    doctor.fit_params_ = {"epochs": 2, "steps": 4}
    assert doctor.inferred_fit_kwargs()["batch_size"] is None


def test_import_path():
    from lstm_doctor.keras import Doctor

    assert Doctor is lstm_doctor.keras.Doctor
    assert issubclass(Doctor, keras.callbacks.Callback)
