"""Fast training of the experiment's LSTMs: one traced training function per architecture.

Keras' ``fit`` spends milliseconds per batch and per epoch in Python (callbacks, logs, a
``tf.data`` iterator, an evaluation loop for the validation data) and traces a new
training function for every model it builds. On the series lstm-doctor trains on (a
hundred windows, three batches an epoch) that overhead, not arithmetic, is the training
time. Here one ``tf.function`` runs a whole epoch -- every batch, then the validation loss
-- inside TensorFlow; it is traced once per architecture (:class:`GraphTrainer`) and
reused for every seed and every set-up with the same layers: before each training the
trainer's variables are set to the seed's initial weights (built exactly as a one-seed
model with that seed would be: the seed, then the layers; see :func:`seed_for_build`) and
the optimizer goes back to its initial state, so a training never depends on what the
trainer trained before (``tests/test_training_speed_equivalence.py``).

Semantics kept from :class:`~lstm_doctor.experiment.lstm.LSTMForecaster` (Keras ``fit``):
the loss and its reduction (the compiled Keras loss), the optimizer (the Keras optimizer's
own update), the epoch loss (mean of the batch losses weighted by batch size), the
validation loss each epoch (in batches of ``batch_size``), ``EarlyStopping`` with
``patience``, ``start_from_epoch`` and ``restore_best_weights`` (the same decision rule,
checked after every epoch), a stop on a non-finite loss, and the ``max_seconds`` deadline,
checked after every batch (inside the graph: the clock is read through
``tf.numpy_function``, only when there is a deadline; ``tf.timestamp`` is refused under
deterministic ops). What differs: the shuffle order comes from
``numpy.random.default_rng(seed)`` (one permutation per epoch) instead of ``tf.data``; fed
the same batches, the two paths give the same results bit for bit. Callbacks are called
per epoch only (``on_train_begin``, ``on_epoch_end``, ``on_train_end``).

TensorFlow's graph optimiser (grappler) is off while a training runs (and restored after):
on these small graphs it costs more than it saves, and with it off the path is bit-identical
to Keras ``fit`` run the same way. Recurrent layers are unrolled over short windows (same
weights, same arithmetic, fewer graph iterations); XLA is not used (its compile time is
seconds per architecture); seeds are trained one after the other through the same traced
function (three seeds as three branches of one graph trace twice as long and run only
about a third faster on two cores). Measurements: ``benchmarks/RESULTS_report_speed.md``.
Deterministic ops are on (:func:`~.lstm.import_keras`), so the same seed gives
bit-identical results run to run.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections import OrderedDict
from typing import Any

import numpy as np

from lstm_doctor.experiment.lstm import LSTMForecaster, import_keras, stop_reason

#: How many traced trainers (architectures) are kept; the least recently used goes first.
MAX_TRAINERS = 12
#: Initial weights kept per trainer (by seed), so a seed's weights are built once.
MAX_INIT_WEIGHTS = 16

#: Recurrent layers are unrolled over at most this many time steps (fewer graph
#: iterations per batch; longer windows would make the traced graph too large).
MAX_UNROLL = 32  # (not with dropout: its masks are applied in another order)

#: Parameters that change the traced graph (the rest are run-time inputs).
_GRAPH_PARAMS = ("units", "layers", "activation", "recurrent_activation", "dropout",
                 "recurrent_dropout", "horizon", "optimizer", "loss", "cell", "bidirectional",
                 "head", "head_activation", "conv_filters", "conv_kernel_size", "momentum",
                 "nesterov", "batch_size")

_TRAINERS: OrderedDict[tuple, GraphTrainer] = OrderedDict()
#: Held while the global random generators are seeded and a network is built, and while
#: the trainer cache changes (several report runs may share a process, e.g. Dask threads).
_GLOBAL_LOCK = threading.RLock()


_GRAPPLER = {"users": 0, "before": False}


@contextlib.contextmanager
def _grappler_off(tf: Any):
    """Switch TensorFlow's graph optimiser off while any training runs (restored after the
    last one ends; counted, so that trainings in several threads all run without it).
    """
    with _GLOBAL_LOCK:
        if _GRAPPLER["users"] == 0:
            try:
                before = tf.config.optimizer.get_experimental_options()
                _GRAPPLER["before"] = bool(before.get("disable_meta_optimizer", False))
                tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": True})
            except Exception:  # noqa: BLE001 - an optimisation, never a failure
                _GRAPPLER["before"] = None
        _GRAPPLER["users"] += 1
    try:
        yield
    finally:
        with _GLOBAL_LOCK:
            _GRAPPLER["users"] -= 1
            if _GRAPPLER["users"] == 0 and _GRAPPLER["before"] is not None:
                tf.config.optimizer.set_experimental_options(
                    {"disable_meta_optimizer": _GRAPPLER["before"]})


#: The wall clock of the in-graph deadline (replaceable in tests).
_CLOCK = time.time


def _now() -> np.float64:
    return np.float64(_CLOCK())


def seed_for_build(keras: Any, seed: int) -> None:
    """Seed what Keras draws initial weights from, as ``keras.utils.set_random_seed``.

    Keras 3 initializers and dropout seed generators take their seeds from Python's
    ``random`` (and the Keras global seed), never from TensorFlow's global seed; and
    ``tf.random.set_seed`` clears TensorFlow's kernel cache, so every traced function would
    be instantiated again (about 0.1 s each). This sets everything but TensorFlow's seed
    (``keras.utils.set_random_seed`` when Keras' internals are not where expected);
    ``tests/test_training_speed_equivalence.py`` checks that the initial weights are the
    same.
    """
    import random

    try:
        from keras.src.backend.common import global_state
        from keras.src.random.seed_generator import GLOBAL_SEED_GENERATOR
        from keras.src.utils.rng_utils import GLOBAL_RANDOM_SEED
    except ImportError:  # another Keras layout: the public function (slower, same seeds)
        keras.utils.set_random_seed(int(seed))
        return
    global_state.set_global_attribute(GLOBAL_RANDOM_SEED, int(seed))
    global_state.set_global_attribute(GLOBAL_SEED_GENERATOR, None)
    random.seed(int(seed))
    np.random.seed(int(seed))


class GraphTrainer:
    """One architecture's model, optimizer and traced epoch function.

    Built by :func:`get_trainer`; trains one model at a time (:meth:`reset` before each
    training); :attr:`lock` is held by the estimator that trains or predicts with it.

    Parameters
    ----------
    est : LSTMForecaster
        Gives the architecture, the optimizer and the loss.
    seq_length, n_features : int
        Input shape of a window.
    """

    def __init__(self, est: LSTMForecaster, seq_length: int, n_features: int) -> None:
        keras = import_keras()
        import tensorflow as tf

        self.tf = tf
        self.keras = keras
        self.lock = threading.RLock()
        self.arch = LSTMForecaster(**{p: getattr(est, p) for p in _GRAPH_PARAMS})
        self.shape = (int(seq_length), int(n_features))
        unroll = self.shape[0] <= MAX_UNROLL and not (est.dropout or est.recurrent_dropout)
        with _GLOBAL_LOCK:  # built as a one-seed model with est.seed: that seed's weights
            seed_for_build(keras, int(est.seed))
            self.model = self.arch._network(keras, *self.shape, unroll=unroll)
        self._inits: OrderedDict[int, list[np.ndarray]] = OrderedDict(
            {int(est.seed): [np.array(v.numpy()) for v in self.model.variables]})
        self.model.compile(optimizer=self.arch._optimizer(keras), loss=self.arch._keras_loss())
        self.loss_fn = keras.losses.get(self.arch._keras_loss())  # per window
        self.batch_size = max(1, int(est.batch_size))
        self.optimizer = self.model.optimizer
        self.optimizer.build(self.model.trainable_variables)
        self.n_params = int(self.model.count_params())
        self._opt_init = [np.array(v.numpy()) for v in self.optimizer.variables]
        self.owner: object | None = None
        self.warm: set[bool] = set()  # the epoch functions that have run (by ``budgeted``)
        window = tf.TensorSpec([None, *self.shape], tf.float32)
        target = tf.TensorSpec([None, None], tf.float32)
        batches = [None, self.batch_size]  # static batch size: no shape arithmetic in the graph
        self._signature = [window, target, window, target, tf.TensorSpec(batches, tf.int32),
                           tf.TensorSpec(batches, tf.float32), tf.TensorSpec([None], tf.float32),
                           tf.TensorSpec([], tf.float64)]
        self._epochs: dict[bool, Any] = {}  # with / without a deadline, traced on first use

    # -- the graphs ---------------------------------------------------------------------------
    def _epoch_fn(self, budgeted: bool):
        if budgeted not in self._epochs:
            def epoch(*args):
                return self._epoch_graph(*args, budgeted=budgeted)

            self._epochs[budgeted] = self.tf.function(epoch, autograph=False,
                                                      input_signature=self._signature)
        return self._epochs[budgeted]

    def _epoch_graph(self, X, Y, Xv, Yv, batches, weights, sizes, deadline, budgeted):
        """One epoch: a step per row of ``batches`` (stopping after a batch past
        ``deadline``), then the validation loss.

        ``batches`` holds window indices, ``batch_size`` a row (the last row padded with
        repeated indices whose ``weights`` are 0), ``sizes`` the real windows per row; a
        batch's loss is the Keras one: the mean of its windows' losses. ``budgeted``: read
        the clock after every batch (the graph without a deadline has no clock). Returns
        ``[loss, val_loss, batches_done, first_batch_end_time]``.
        """
        tf, model, opt = self.tf, self.model, self.optimizer
        f32 = tf.float32
        batch_size = self.batch_size
        n_batches = tf.shape(batches)[0]
        params = model.trainable_variables

        def train_batch(i, total, count, late, first):
            idx, size = batches[i], sizes[i]
            x, y = tf.gather(X, idx), tf.gather(Y, idx)
            with tf.GradientTape() as tape:
                values = self.loss_fn(y, model(x, training=True))
                loss = tf.math.divide_no_nan(tf.reduce_sum(values * weights[i]), size)
            opt.apply(tape.gradient(loss, params), params)
            total, count = total + loss * size, count + size
            if not budgeted:
                return i + 1, total, count, late, first
            with tf.control_dependencies([opt.iterations.value, loss]):
                # after the batch; tf.timestamp is refused under deterministic ops
                now = tf.reshape(tf.numpy_function(_now, [], tf.float64, stateful=True), [])
            return i + 1, total, count, now >= deadline, tf.where(tf.equal(i, 0), now, first)

        done, total, count, _, first = tf.while_loop(
            lambda i, total, count, late, first: tf.logical_and(i < n_batches,
                                                                tf.logical_not(late)),
            train_batch,
            (tf.constant(0), tf.constant(0.0, f32), tf.constant(0.0, f32), tf.constant(False),
             tf.constant(0.0, tf.float64)))
        n_val = tf.shape(Xv)[0]

        def val_batch(j, total, count):
            start = j * batch_size
            stop = tf.minimum(start + batch_size, n_val)
            x, y = Xv[start:stop], Yv[start:stop]
            loss = model.compute_loss(x=x, y=y, y_pred=model(x, training=False),
                                      training=False)
            size = tf.cast(stop - start, f32)
            return j + 1, total + loss * size, count + size

        with tf.control_dependencies([total]):
            _, vtotal, vcount = tf.while_loop(
                lambda j, total, count: j * batch_size < n_val, val_batch,
                (tf.constant(0), tf.constant(0.0, f32), tf.constant(0.0, f32)))
        nan = tf.constant(float("nan"), f32)
        loss = tf.where(count > 0, total / tf.maximum(count, 1.0), nan)
        val = tf.where(vcount > 0, vtotal / tf.maximum(vcount, 1.0), nan)
        return tf.stack([tf.cast(loss, tf.float64), tf.cast(val, tf.float64),
                         tf.cast(done, tf.float64), first])

    # -- state --------------------------------------------------------------------------------
    def initial_weights(self, seed: int) -> list[np.ndarray]:
        """The weights (and random-generator states) a one-seed model with ``seed`` starts
        from: the seed (:func:`seed_for_build`), then the layers, as in
        :meth:`LSTMForecaster.fit`.
        """
        if seed in self._inits:
            self._inits.move_to_end(seed)
        else:
            with _GLOBAL_LOCK:
                seed_for_build(self.keras, int(seed))
                fresh = self.arch._network(self.keras, *self.shape)
            self._inits[seed] = [np.array(v.numpy()) for v in fresh.variables]
            if len(self._inits) > MAX_INIT_WEIGHTS:
                self._inits.popitem(last=False)
        return self._inits[seed]

    def reset(self, owner: object, seed: int, learning_rate: float) -> None:
        """Start a training: the seed's initial weights, the optimizer's initial state."""
        for var, value in zip(self.model.variables, self.initial_weights(seed), strict=True):
            var.assign(value)
        for var, value in zip(self.optimizer.variables, self._opt_init, strict=True):
            var.assign(value)
        self.optimizer.learning_rate = float(learning_rate)
        self.owner = owner

    def get_weights(self) -> list[np.ndarray]:
        """The model's weights (``model.get_weights()``)."""
        return [np.array(v.numpy()) for v in self.model.weights]

    def set_weights(self, weights: list[np.ndarray], owner: object) -> None:
        """Load ``weights`` (from :meth:`get_weights`) for ``owner``."""
        for var, value in zip(self.model.weights, weights, strict=True):
            var.assign(value)
        self.owner = owner

    # -- running ------------------------------------------------------------------------------
    def batch_layout(self, n: int) -> tuple[Any, Any]:
        """``(weights, sizes)`` of :meth:`epoch` for ``n`` windows (the same every epoch)."""
        tf, bs = self.tf, self.batch_size
        rows = -(-n // bs)
        weights = np.zeros(rows * bs, np.float32)
        weights[:n] = 1.0
        sizes = np.full(rows, bs, np.float32)
        sizes[-1] = n - (rows - 1) * bs
        return tf.constant(weights.reshape(rows, bs)), tf.constant(sizes)

    def epoch(self, X, Y, Xv, Yv, perm: np.ndarray, layout: tuple[Any, Any],
              deadline: float) -> np.ndarray:
        """Run one epoch over the windows in the order ``perm`` (``layout`` from
        :meth:`batch_layout`); ``[loss, val_loss, batches_done, first_batch_end_time]``.
        """
        tf, bs = self.tf, self.batch_size
        rows = -(-len(perm) // bs)
        padded = np.empty(rows * bs, np.int32)  # the last batch padded with its last index
        padded[: len(perm)] = perm
        padded[len(perm):] = perm[-1]
        budgeted = math.isfinite(deadline)
        out = self._epoch_fn(budgeted)(
            X, Y, Xv, Yv, tf.constant(padded.reshape(rows, bs)), *layout,
            tf.constant(float(deadline), tf.float64)).numpy()
        self.warm.add(budgeted)
        return out

    def predict(self, X: np.ndarray, batch_size: int = 4096) -> np.ndarray:
        """Forecasts of the loaded weights for windows ``X`` (run eagerly, in batches: no
        graph to trace for the few hundred windows of a holdout).
        """
        tf = self.tf
        parts = [self.model(tf.constant(X[i: i + batch_size], tf.float32), training=False)
                 for i in range(0, len(X), batch_size)]
        return np.concatenate([np.asarray(p.numpy(), dtype=float) for p in parts])


def graph_key(est: LSTMForecaster, seq_length: int, n_features: int) -> tuple:
    """What a trainer is traced for: the architecture, optimizer, loss and input shape."""
    return tuple(getattr(est, p) for p in _GRAPH_PARAMS) + (int(seq_length), int(n_features))


def get_trainer(est: LSTMForecaster, seq_length: int, n_features: int) -> GraphTrainer:
    """The cached trainer for ``est``'s architecture (built and traced on first use)."""
    key = graph_key(est, seq_length, n_features)
    with _GLOBAL_LOCK:
        trainer = _TRAINERS.get(key)
        if trainer is None:
            trainer = GraphTrainer(est, seq_length, n_features)
            _TRAINERS[key] = trainer
            while len(_TRAINERS) > MAX_TRAINERS:
                _TRAINERS.popitem(last=False)
        else:
            _TRAINERS.move_to_end(key)
    return trainer


def is_traced(est: LSTMForecaster, seq_length: int, n_features: int) -> bool:
    """Whether ``est``'s architecture has a trainer whose epoch function with a deadline
    has run (a new training under a budget then starts without tracing).
    """
    trainer = _TRAINERS.get(graph_key(est, seq_length, n_features))
    return bool(trainer is not None and True in trainer.warm)


def clear_trainers() -> None:
    """Forget every cached trainer (tests; frees the traced graphs)."""
    with _GLOBAL_LOCK:
        _TRAINERS.clear()


class _EarlyStopping:
    """Keras' ``EarlyStopping(monitor="val_loss")`` decision rule, in plain Python."""

    def __init__(self, patience: int, start_from_epoch: int, restore: bool) -> None:
        self.patience = int(patience)
        self.start = int(start_from_epoch)
        self.restore = bool(restore)
        self.wait = 0
        self.best: float | None = None
        self.best_weights: list[np.ndarray] | None = None
        self.stopped_epoch = 0

    def update(self, epoch: int, val_loss: float, trainer: GraphTrainer) -> bool:
        """After an epoch: True to stop."""
        if epoch < self.start:
            return False
        if self.restore and self.best_weights is None:
            self.best_weights = trainer.get_weights()
        self.wait += 1
        if self.best is None or val_loss < self.best:
            self.best = val_loss
            if self.restore:
                self.best_weights = trainer.get_weights()
            self.wait = 0
            return False
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            return True
        return False


def _hook(callbacks: list, name: str, *args: Any) -> None:
    for cb in callbacks:
        method = getattr(cb, name, None)
        if method is not None:
            method(*args)


class GraphLSTMForecaster(LSTMForecaster):
    """:class:`LSTMForecaster` trained by a cached :class:`GraphTrainer`.

    Same parameters and attributes as :class:`LSTMForecaster` (see the module docstring
    for what differs from Keras ``fit``); ``callbacks`` are called at the epoch level only
    (``on_train_begin``, ``on_epoch_end(epoch, logs)``, ``on_train_end``).

    Attributes
    ----------
    batches_run_ : int
        Optimizer steps taken (a budget stop can end an epoch early).
    weights_ : list of ndarray
        The trained weights (``model.get_weights()`` order).
    model_ : keras.Model
        A stand-alone Keras model with the trained weights (built on first access).
    """

    def fit(self, X: np.ndarray, y: np.ndarray,
            validation_data: tuple[np.ndarray, np.ndarray] | None = None
            ) -> GraphLSTMForecaster:
        """Train on windows ``X`` (m, seq_length, features) -> ``y`` (m, horizon)."""
        import_keras()
        import tensorflow as tf

        clock = self.clock or time.perf_counter
        # the in-graph deadline is on the wall clock, read only when there is one
        started, wall = clock(), (_CLOCK() if self.max_seconds is not None else 0.0)
        X = np.asarray(X, dtype=np.float32)
        y = np.asarray(y, dtype=np.float32).reshape(len(X), -1)
        has_val = validation_data is not None and len(validation_data[0]) > 0
        if has_val:
            Xv = np.asarray(validation_data[0], np.float32)
            Yv = np.asarray(validation_data[1], np.float32).reshape(len(Xv), -1)
        else:
            Xv, Yv = X[:0], y[:0]
        trainer = get_trainer(self, X.shape[1], X.shape[2])
        with trainer.lock, _grappler_off(tf):
            return self._fit(trainer, tf, clock, started, wall, X, y, has_val, Xv, Yv)

    def _fit(self, trainer, tf, clock, started, wall, X, y, has_val, Xv, Yv):
        trainer.reset(self, int(self.seed), self.learning_rate)
        self.n_params_ = trainer.n_params
        stopper = _EarlyStopping(self.patience, min(self.min_epochs, max(0, self.epochs - 1)),
                                 self.restore_best_weights) \
            if self.early_stopping and has_val else None
        deadline = math.inf if self.max_seconds is None else wall + float(self.max_seconds)
        Xt, Yt = tf.constant(X), tf.constant(y)
        Xvt, Yvt = tf.constant(Xv), tf.constant(Yv)
        rng = np.random.default_rng(int(self.seed))
        n = len(X)
        n_batches = -(-n // trainer.batch_size)
        layout = trainer.batch_layout(n)
        callbacks = list(self.callbacks or [])
        _hook(callbacks, "on_train_begin", None)
        history: dict[str, list[float]] = {"loss": []}
        if has_val:
            history["val_loss"] = []
        stopped, self.startup_seconds_, self.batches_run_ = "", None, 0
        for epoch in range(int(self.epochs)):
            perm = rng.permutation(n) if self.shuffle else np.arange(n)
            loss, val, done, first = trainer.epoch(Xt, Yt, Xvt, Yvt, perm, layout, deadline)
            self.batches_run_ += int(done)
            if epoch == 0 and math.isfinite(deadline) and done > 0:
                self.startup_seconds_ = max(0.0, float(first) - wall)
            history["loss"].append(float(np.float32(loss)))
            logs = {"loss": history["loss"][-1]}
            if has_val:
                history["val_loss"].append(float(np.float32(val)))
                logs["val_loss"] = history["val_loss"][-1]
            _hook(callbacks, "on_epoch_end", epoch, logs)
            stop = False
            if not np.isfinite(loss):
                stopped, stop = "non-finite loss", True
            elif done < n_batches or (self.max_seconds is not None
                                      and clock() - started >= self.max_seconds):
                stopped, stop = "budget", True
            if stopper is not None and stopper.update(epoch, logs["val_loss"], trainer):
                stop = True
            if stop:
                break
        if stopper is not None and stopper.restore and stopper.best_weights is not None:
            trainer.set_weights(stopper.best_weights, self)
        _hook(callbacks, "on_train_end", None)
        self.weights_ = trainer.get_weights()
        self._trainer = trainer
        self.fit_seconds_ = float(clock() - started)
        self.history_ = history
        self.epochs_run_ = len(history["loss"])
        self.stopped_by_ = stop_reason(history["loss"], budget=stopped == "budget",
                                       stopper=stopper)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Forecasts ``(m, horizon)`` on the scale the network was trained on."""
        X = np.asarray(X, dtype=np.float32)
        if len(X) == 0:
            return np.empty((0, self.horizon))
        trainer = self._trainer
        with trainer.lock:
            if trainer.owner is not self:
                trainer.set_weights(self.weights_, self)
            return trainer.predict(X).reshape(len(X), -1)

    @property
    def model_(self):
        """A stand-alone Keras model with the trained weights."""
        model = self.__dict__.get("_model")
        if model is None:
            keras = import_keras()
            model = self._network(keras, *self._trainer.shape)
            model.set_weights(self.weights_)
            self.__dict__["_model"] = model
        return model
