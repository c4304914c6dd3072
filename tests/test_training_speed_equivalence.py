"""The fast training path (one traced epoch function per architecture, reused across seeds
and set-ups: ``lstm_doctor.experiment.graphfit``) gives the results of the plain Keras path.

- A seed's initial weights are those of a one-seed Keras model built with that seed.
- Fed the same batches, it matches Keras ``fit`` bit for bit (losses, validation losses,
  early stopping, restored weights, forecasts) -- both with TensorFlow's graph optimiser
  off, as the fast path runs (with it on, Keras ``fit`` differs by float rounding only) --
  when every batch is full. A last, partial batch is padded to the full batch size with
  zero-weight windows (a static batch shape makes the traced graph 40% smaller): its loss
  is still the mean over its real windows, equal to Keras' up to float rounding.
- A seed trained with other seeds, or after other set-ups, equals that seed trained alone
  on a fresh process state; a run is bit-identical to a run in another process.
- The ``--max-seconds`` deadline is still checked after every batch.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("tensorflow")

from lstm_doctor.config import load_config  # noqa: E402
from lstm_doctor.experiment import graphfit  # noqa: E402
from lstm_doctor.experiment.graphfit import GraphLSTMForecaster, get_trainer  # noqa: E402
from lstm_doctor.experiment.lstm import Budget, LSTMForecaster, import_keras  # noqa: E402
from lstm_doctor.experiment.training import WorkData, train_lstm  # noqa: E402


def _windows(n: int = 44, seq: int = 5, features: int = 1, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, seq, features)).astype("float32")
    return X, (0.5 * X[:, -1, :1] + 0.2 * X[:, -2, :1]).astype("float32")


@pytest.fixture(autouse=True)
def fresh_trainers():
    graphfit.clear_trainers()
    yield
    graphfit.clear_trainers()


@pytest.mark.parametrize("params", [{"units": 3}, {"cell": "gru", "units": 2, "dropout": 0.2}])
def test_initial_weights_are_those_of_a_one_seed_keras_model(params):
    keras = import_keras()
    est = GraphLSTMForecaster(seed=4, **params)
    trainer = get_trainer(est, 5, 1)  # built (unrolled unless dropout) under seed 4
    for seed in (4, 9):
        keras.utils.set_random_seed(seed)
        reference = LSTMForecaster(seed=seed, **params)._build(keras, 5, 1)
        got = trainer.initial_weights(seed)
        assert len(got) == len(reference.variables)  # weights and dropout generator states
        for mine, theirs in zip(got, reference.variables, strict=True):
            np.testing.assert_array_equal(mine, theirs.numpy())


def test_same_as_keras_fit_with_early_stopping_and_restored_weights():
    tf = pytest.importorskip("tensorflow")
    X, Y = _windows()
    kw = {"units": 3, "epochs": 30, "batch_size": 8, "seed": 3, "shuffle": False,
          "early_stopping": True, "patience": 3, "restore_best_weights": True,
          "min_epochs": 2, "learning_rate": 0.05, "optimizer": "rmsprop", "momentum": 0.5}
    with graphfit._grappler_off(tf):  # 32 windows: four full batches
        keras_fit = LSTMForecaster(**kw).fit(X[:32], Y[:32], validation_data=(X[32:], Y[32:]))
    fast = GraphLSTMForecaster(**kw).fit(X[:32], Y[:32], validation_data=(X[32:], Y[32:]))
    assert keras_fit.stopped_by_ == fast.stopped_by_ == "early_stopping"
    assert fast.epochs_run_ == keras_fit.epochs_run_ < 30
    assert fast.history_ == keras_fit.history_  # every loss and val_loss, bit for bit
    np.testing.assert_array_equal(fast.predict(X), keras_fit.predict(X))
    # the restored weights are the best epoch's, not the last one's
    assert min(fast.history_["val_loss"]) < fast.history_["val_loss"][-1]


@pytest.mark.parametrize("params", [{"units": 3}, {"cell": "gru", "units": 2, "dropout": 0.1,
                                                   "optimizer": "adagrad"}])
def test_shuffled_batches_are_keras_fit_fed_the_same_permutations(params):
    tf = pytest.importorskip("tensorflow")
    keras = import_keras()
    X, Y = _windows()
    seed, epochs, batch = 2, 4, 8
    fast = GraphLSTMForecaster(epochs=epochs, batch_size=batch, seed=seed, **params).fit(
        X[:32], Y[:32], validation_data=(X[32:], Y[32:]))
    # the reference: Keras fit, one epoch per call, on the permutations of numpy's
    # default_rng(seed) -- the only thing the fast path does differently from Keras
    keras.utils.set_random_seed(seed)
    model = LSTMForecaster(seed=seed, **params)._build(keras, 5, 1)
    rng = np.random.default_rng(seed)
    losses, val_losses = [], []
    with graphfit._grappler_off(tf):
        for _ in range(epochs):
            perm = rng.permutation(32)
            hist = model.fit(X[:32][perm], Y[:32][perm], epochs=1, batch_size=batch,
                             shuffle=False, verbose=0, validation_data=(X[32:], Y[32:]))
            losses += hist.history["loss"]
            val_losses += hist.history["val_loss"]
        reference = np.asarray(model.predict_on_batch(X), dtype=float)
    assert fast.history_ == {"loss": losses, "val_loss": val_losses}
    np.testing.assert_array_equal(fast.predict(X), reference)


def test_a_padded_last_batch_matches_keras_fit_up_to_float_rounding():
    tf = pytest.importorskip("tensorflow")
    X, Y = _windows()
    kw = {"units": 3, "epochs": 4, "batch_size": 8, "seed": 1, "shuffle": False}
    with graphfit._grappler_off(tf):  # 37 windows: four full batches and one of 5
        keras_fit = LSTMForecaster(**kw).fit(X[:37], Y[:37], validation_data=(X[37:], Y[37:]))
    fast = GraphLSTMForecaster(**kw).fit(X[:37], Y[:37], validation_data=(X[37:], Y[37:]))
    assert fast.batches_run_ == 20
    for key in ("loss", "val_loss"):
        np.testing.assert_allclose(fast.history_[key], keras_fit.history_[key], rtol=1e-5)
    np.testing.assert_allclose(fast.predict(X), keras_fit.predict(X), rtol=1e-5, atol=1e-6)


def _data(n: int = 70, seed: int = 0) -> WorkData:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = 20 + 0.2 * t + 3 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 0.3, n)
    return WorkData(y=y, features=None, stamps=list(range(n)), n_train=n - 10)


USER = {"preprocessing": {"scaler": "standard"}, "window": {"seq_length": 6},
        "model": {"units": 3},
        "training": {"epochs": 12, "batch_size": 16, "validation_split": 0.2,
                     "early_stopping": True, "patience": 2, "optimizer": "adagrad"},
        "split": {"method": "random"}}


def _runs(model):
    assert model.ok, model.error
    return {r.seed: (r.forecast.tobytes(), r.history, r.epochs_run, r.stopped_by)
            for r in model.runs}


@pytest.mark.parametrize("user", [True, False])
def test_each_seed_is_the_same_trained_alone_or_with_other_seeds(user):
    cfg = load_config(USER)  # user: a random validation split drawn per seed
    together = _runs(train_lstm("m", cfg, _data(), seeds=[0, 1, 2], epochs=None,
                                budget=Budget(None, 3), user=user))
    graphfit.clear_trainers()  # a fresh process state: nothing traced, nothing cached
    alone = _runs(train_lstm("m", cfg, _data(), seeds=[2], epochs=None,
                             budget=Budget(None, 1), user=user))
    assert alone[2] == together[2]
    assert together[0][0] != together[1][0] != together[2][0]  # seeds do differ


def test_a_reused_trainer_carries_nothing_from_other_set_ups():
    other = load_config({**USER, "training": {**USER["training"], "learning_rate": 0.5}})
    cfg = load_config(USER)
    train_lstm("other", other, _data(90, seed=5), seeds=[1], epochs=None,
               budget=Budget(None, 1), user=False)  # same layers: the same trainer
    after = _runs(train_lstm("m", cfg, _data(), seeds=[1], epochs=None,
                             budget=Budget(None, 1), user=False))
    graphfit.clear_trainers()
    fresh = _runs(train_lstm("m", cfg, _data(), seeds=[1], epochs=None,
                             budget=Budget(None, 1), user=False))
    assert after == fresh


_SCRIPT = """
import hashlib, sys
import numpy as np
from lstm_doctor.config import load_config
from lstm_doctor.experiment.lstm import Budget
from lstm_doctor.experiment.training import WorkData, train_lstm
rng = np.random.default_rng(0)
t = np.arange(70)
y = 20 + 0.2 * t + 3 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 0.3, 70)
cfg = load_config({config!r})
model = train_lstm("m", cfg, WorkData(y=y, features=None, stamps=list(range(70)), n_train=60),
                   seeds=[0, 1], epochs=None, budget=Budget(None, 2), user=True)
digest = hashlib.sha256()
for run in model.runs:
    digest.update(run.forecast.tobytes())
    digest.update(repr(run.history).encode())
print(digest.hexdigest())
"""


def test_runs_are_bit_identical_across_processes():
    cfg = load_config(USER)
    model = train_lstm("m", cfg, _data(), seeds=[0, 1], epochs=None, budget=Budget(None, 2),
                       user=True)
    digest = hashlib.sha256()
    for run in model.runs:
        digest.update(run.forecast.tobytes())
        digest.update(repr(run.history).encode())
    proc = subprocess.run([sys.executable, "-c", _SCRIPT.format(config=USER)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.split()[-1] == digest.hexdigest()


def test_the_deadline_is_checked_after_every_batch(monkeypatch):
    ticks = iter(range(10_000))
    monkeypatch.setattr(graphfit, "_CLOCK", lambda: float(next(ticks)))
    X, Y = _windows(32)

    class Epochs:
        seen: list[int] = []
        ended = 0

        def on_epoch_end(self, epoch, logs=None):
            Epochs.seen.append(epoch)

        def on_train_end(self, logs=None):
            Epochs.ended += 1

    est = GraphLSTMForecaster(units=2, epochs=40, batch_size=8, max_seconds=2.5,
                              callbacks=[Epochs()])
    assert not graphfit.is_traced(est, 5, 1)
    est.fit(X, Y)
    assert graphfit.is_traced(est, 5, 1)  # the next budgeted training starts warm
    # one clock read when training starts (0), one after each batch (1, 2, 3): the third of
    # the four batches of epoch 1 passes the deadline and training stops there
    assert est.stopped_by_ == "budget" and est.batches_run_ == 3 and est.epochs_run_ == 1
    assert est.startup_seconds_ == 1.0
    assert Epochs.seen == [0] and Epochs.ended == 1
    # without a deadline the clock is never read and every epoch runs
    monkeypatch.setattr(graphfit, "_CLOCK", lambda: pytest.fail("clock read"))
    est = GraphLSTMForecaster(units=2, epochs=3, batch_size=8).fit(X, Y)
    assert est.stopped_by_ == "epochs" and est.batches_run_ == 12 and est.epochs_run_ == 3


def test_a_non_finite_loss_stops_training():
    X, Y = _windows(16)
    est = GraphLSTMForecaster(units=2, epochs=5, batch_size=8).fit(X * 1e20, Y * 1e20)
    assert est.stopped_by_ == "non-finite loss" and est.epochs_run_ == 1
