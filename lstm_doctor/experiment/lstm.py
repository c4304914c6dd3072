"""A Keras LSTM forecaster with scikit-learn estimator manners.

Explicit keyword hyper-parameters, no work in ``__init__``, ``fit`` returns ``self`` and the
learned state ends in ``_`` (``model_``, ``history_``, ``epochs_run_``...). TensorFlow/Keras
are imported inside :meth:`LSTMForecaster.fit`, never at module import time.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

INSTALL_HINT = "pip install 'lstm-doctor[tensorflow]'"

_LOSSES = {"mse": "mean_squared_error", "mean_squared_error": "mean_squared_error",
           "mae": "mean_absolute_error", "mean_absolute_error": "mean_absolute_error",
           "huber": "huber", "logcosh": "log_cosh", "log_cosh": "log_cosh",
           "mape": "mean_absolute_percentage_error",
           "mean_absolute_percentage_error": "mean_absolute_percentage_error",
           "msle": "mean_squared_logarithmic_error",
           "mean_squared_logarithmic_error": "mean_squared_logarithmic_error"}

_OPTIMIZERS = {"adam": "Adam", "adamw": "AdamW", "rmsprop": "RMSprop", "sgd": "SGD",
               "adagrad": "Adagrad", "adadelta": "Adadelta", "adamax": "Adamax",
               "nadam": "Nadam", "ftrl": "Ftrl", "lion": "Lion", "lamb": "Lamb"}
_CELLS = {"lstm": "LSTM", "gru": "GRU", "simple_rnn": "SimpleRNN"}

_DETERMINISM = {"on": False}


@contextlib.contextmanager
def _native_stderr_silenced():
    """Send the process's native stderr (fd 2) to /dev/null for the duration.

    TensorFlow's C++ start-up notices (oneDNN, absl) are written before its logging is
    initialised, so ``TF_CPP_MIN_LOG_LEVEL`` does not silence them; Python-level errors
    are raised after stderr is restored and stay visible.
    """
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, ValueError, OSError):  # e.g. captured stderr in a notebook
        yield
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
        yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)
        os.close(devnull)


def import_keras():
    """Import Keras 3 (TensorFlow backend) quietly and enable deterministic ops.

    Raises
    ------
    ImportError
        With the install hint when TensorFlow/Keras are missing.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    try:
        with _native_stderr_silenced():
            import keras
            import tensorflow as tf
    except ImportError as exc:
        raise ImportError(f"TensorFlow/Keras is not installed ({exc}); {INSTALL_HINT}") \
            from exc
    if not _DETERMINISM["on"]:
        tf.config.experimental.enable_op_determinism()
        tf.get_logger().setLevel("ERROR")
        _DETERMINISM["on"] = True
    return keras


def keras_available() -> str | None:
    """``None`` when Keras can be imported, else the reason (with the install hint)."""
    try:
        import_keras()
    except ImportError as exc:
        return str(exc)
    return None


class Budget:
    """A wall-clock budget shared by several trainings (``--max-seconds``).

    The budget is a deadline: ``total_seconds`` after it is created. Each training gets an
    equal share of the time left, ``(deadline - now) / remaining``, and stops mid-epoch
    when its share is spent; a training whose fixed start-up cost (graph tracing, the
    first batch, measured on the trainings before it) no longer fits is skipped and
    recorded in :attr:`skipped`, so the run ends within a small margin of the budget.
    Start-up costs are kept apart for *warm* trainings (their architecture's training
    function is already traced, :func:`~lstm_doctor.experiment.graphfit.is_traced`): those
    start in milliseconds.

    Parameters
    ----------
    total_seconds : float or None
        ``None`` = unlimited.
    trainings : int
        How many trainings will share it.
    clock : callable
        Returns seconds (``time.perf_counter``; replaceable in tests).
    """

    def __init__(self, total_seconds: float | None, trainings: int,
                 clock: Callable[[], float] = time.perf_counter) -> None:
        self.total = total_seconds
        self.remaining = max(1, int(trainings))
        self.clock = clock
        self.started = clock()
        self.used = 0.0
        self.skipped: list[str] = []
        self._startup: dict[bool, list[float]] = {False: [], True: []}

    def left(self) -> float | None:
        """Seconds left before the deadline (``None`` = unlimited)."""
        if self.total is None:
            return None
        return max(0.0, self.total - (self.clock() - self.started))

    def next_share(self) -> float | None:
        """Seconds the next training may use (``None`` = unlimited)."""
        left = self.left()
        return None if left is None else left / self.remaining

    def fits(self, warm: bool = False) -> bool:
        """Whether another training can start: its start-up cost fits in the time left.

        ``warm``: the training's function is already traced (its start-up is estimated
        from the warm trainings before it; none yet: nothing).
        """
        left = self.left()
        if left is None:
            return True
        startups = self._startup[bool(warm)]
        startup = float(np.median(startups)) if startups else 0.0
        return left > startup

    def spend(self, seconds: float, startup: float | None = None, warm: bool = False) -> None:
        """Record a finished training (how long its first batch took, and whether its
        function was traced before it started).
        """
        self.used += seconds
        if startup is not None and startup > 0:
            self._startup[bool(warm)].append(float(startup))
        self.remaining = max(1, self.remaining - 1)

    def skip(self, what: str) -> None:
        """Record a training left out because the budget was spent."""
        self.skipped.append(what)
        self.remaining = max(1, self.remaining - 1)


def guard_callback(keras: Any, seconds: float | None, clock: Callable[[], float]):
    """A Keras callback that stops training when ``seconds`` have elapsed (checked after
    every batch, so the budget holds within one batch) or when the loss is non-finite
    (checked at epoch ends: reading the loss each batch would force a device sync).

    ``startup`` is the time to the end of the first batch (tracing included).
    """

    class Guard(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.stopped = ""
            self.start = 0.0
            self.startup: float | None = None

        def on_train_begin(self, logs=None):
            self.start = clock()

        def on_train_batch_end(self, batch, logs=None):
            elapsed = clock() - self.start
            if self.startup is None:
                self.startup = elapsed
            if seconds is not None and elapsed >= seconds:
                self.model.stop_training = True
                self.stopped = "budget"

        def on_epoch_end(self, epoch, logs=None):
            loss = (logs or {}).get("loss")
            if loss is not None and not np.isfinite(float(loss)):
                self.model.stop_training = True
                self.stopped = "non-finite loss"
            elif seconds is not None and clock() - self.start >= seconds:
                self.model.stop_training = True
                self.stopped = "budget"

    return Guard()


def stop_reason(losses: Any, *, budget: bool, stopper: Any) -> str:
    """Why a training ended: ``non-finite loss``, ``budget``, ``early_stopping`` or ``epochs``.

    Shared by the plain Keras ``fit`` path and the traced one
    (:mod:`lstm_doctor.experiment.graphfit`).
    """
    losses = np.asarray(losses, dtype=float)
    if losses.size and not np.all(np.isfinite(losses)):
        return "non-finite loss"
    if budget:
        return "budget"
    if stopper is not None and stopper.stopped_epoch > 0:
        return "early_stopping"
    return "epochs"


class LSTMForecaster:
    """Stacked-LSTM forecaster (Keras 3) predicting ``horizon`` steps from a window.

    Trained with Keras ``fit``. The experiment uses its subclass
    :class:`~lstm_doctor.experiment.graphfit.GraphLSTMForecaster` (same parameters and
    results, fed the same batches; several times faster on small series).

    Parameters
    ----------
    units, layers, activation, recurrent_activation, dropout, recurrent_dropout
        The LSTM layers (``layers`` stacked layers of ``units`` each) and a ``Dense(horizon)``
        head.
    horizon : int
    cell, bidirectional, head, head_activation, conv_filters, conv_kernel_size
        The rest of the architecture: the recurrent layer type (``lstm``, ``gru``,
        ``simple_rnn``), bidirectional wrapping, hidden Dense layers before the output, and
        an optional causal ``Conv1D`` front end.
    optimizer, learning_rate, momentum, nesterov, loss
        Compilation (momentum and nesterov apply to SGD; momentum also to RMSprop).
    epochs, batch_size, shuffle
        Fitting.
    early_stopping : bool
        Stop when ``val_loss`` has not improved for ``patience`` epochs (needs validation
        data).
    restore_best_weights : bool
        Keras' ``EarlyStopping(restore_best_weights=...)`` (Keras' default is False).
    min_epochs : int
        Early stopping only starts watching the validation loss after this many epochs
        (Keras' ``start_from_epoch``), so a noisy small validation split whose loss happens
        to be lowest at epoch 1 cannot stop (and rewind) training there.
    seed : int
        ``keras.utils.set_random_seed(seed)`` before building (with deterministic ops the
        same seed gives bit-identical results).
    max_seconds : float, optional
        Stop training once this much wall-clock time is used.
    callbacks : list, optional
        Extra Keras callbacks (e.g. a progress bar).
    clock : callable, optional
        Time source for the budget (tests).

    Attributes
    ----------
    model_ : keras.Model
    history_ : dict
        ``loss`` and (with validation data) ``val_loss`` per epoch.
    epochs_run_ : int
    fit_seconds_ : float
    stopped_by_ : str
        ``"epochs"``, ``"early_stopping"``, ``"budget"`` or ``"non-finite loss"``.
    n_params_ : int
    """

    def __init__(self, *, units: int = 50, layers: int = 1, activation: str = "tanh",
                 recurrent_activation: str = "sigmoid", dropout: float = 0.0,
                 recurrent_dropout: float = 0.0, horizon: int = 1, optimizer: str = "adam",
                 learning_rate: float = 0.001, loss: str = "mse", epochs: int = 100,
                 batch_size: int = 32, shuffle: bool = True, early_stopping: bool = False,
                 patience: int = 10, restore_best_weights: bool = False, seed: int = 0,
                 max_seconds: float | None = None, callbacks: list | None = None,
                 clock: Callable[[], float] | None = None, cell: str = "lstm",
                 bidirectional: bool = False, head: tuple = (), head_activation: str = "linear",
                 conv_filters: int = 0, conv_kernel_size: int = 3, momentum: float = 0.0,
                 nesterov: bool = False, min_epochs: int = 0) -> None:
        self.min_epochs = min_epochs
        self.cell = cell
        self.bidirectional = bidirectional
        self.head = tuple(head)
        self.head_activation = head_activation
        self.conv_filters = conv_filters
        self.conv_kernel_size = conv_kernel_size
        self.momentum = momentum
        self.nesterov = nesterov
        self.units = units
        self.layers = layers
        self.activation = activation
        self.recurrent_activation = recurrent_activation
        self.dropout = dropout
        self.recurrent_dropout = recurrent_dropout
        self.horizon = horizon
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.loss = loss
        self.epochs = epochs
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.early_stopping = early_stopping
        self.patience = patience
        self.restore_best_weights = restore_best_weights
        self.seed = seed
        self.max_seconds = max_seconds
        self.callbacks = callbacks
        self.clock = clock

    @classmethod
    def from_config(cls, config: Any, **overrides: Any) -> LSTMForecaster:
        """Build from an :class:`~lstm_doctor.config.LSTMConfig` (``overrides`` win)."""
        m, t = config.model, config.training
        params = {"units": m.units, "layers": m.layers, "activation": m.activation,
                  "recurrent_activation": m.recurrent_activation, "dropout": m.dropout,
                  "recurrent_dropout": m.recurrent_dropout, "horizon": config.window.horizon,
                  "optimizer": t.optimizer, "learning_rate": t.learning_rate, "loss": t.loss,
                  "epochs": t.epochs, "batch_size": t.batch_size, "shuffle": t.shuffle,
                  "early_stopping": t.early_stopping, "patience": t.patience,
                  "cell": m.cell, "bidirectional": m.bidirectional, "head": tuple(m.head),
                  "head_activation": m.head_activation, "conv_filters": m.conv_filters,
                  "conv_kernel_size": m.conv_kernel_size, "momentum": t.momentum,
                  "nesterov": t.nesterov}
        params.update(overrides)
        return cls(**params)

    def get_params(self) -> dict[str, Any]:
        """The constructor's keyword arguments."""
        import inspect

        names = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
        return {n: getattr(self, n) for n in names}

    def _network(self, keras: Any, seq_length: int, n_features: int, unroll: bool = False):
        """The uncompiled network (built under the current global seed); ``unroll`` unrolls
        the recurrent layers over the time steps (same weights, same arithmetic).
        """
        layers = [keras.Input((seq_length, n_features))]
        if self.conv_filters:
            layers.append(keras.layers.Conv1D(self.conv_filters, self.conv_kernel_size,
                                              padding="causal", activation="relu"))
        cell = getattr(keras.layers, _CELLS[self.cell])
        for i in range(self.layers):
            kwargs = {"activation": self.activation, "dropout": self.dropout,
                      "recurrent_dropout": self.recurrent_dropout,
                      "return_sequences": i < self.layers - 1, "unroll": unroll}
            if self.cell != "simple_rnn":
                kwargs["recurrent_activation"] = self.recurrent_activation
            layer = cell(self.units, **kwargs)
            layers.append(keras.layers.Bidirectional(layer) if self.bidirectional else layer)
        for units in self.head:
            layers.append(keras.layers.Dense(units, activation=self.head_activation))
        layers.append(keras.layers.Dense(self.horizon))
        return keras.Sequential(layers)

    def _optimizer(self, keras: Any):
        """A new Keras optimizer for the set-up."""
        opt_cls = getattr(keras.optimizers, _OPTIMIZERS[self.optimizer])
        opt_kwargs: dict[str, Any] = {"learning_rate": self.learning_rate}
        if self.optimizer == "sgd":
            opt_kwargs.update(momentum=self.momentum, nesterov=self.nesterov)
        elif self.optimizer == "rmsprop" and self.momentum:
            opt_kwargs["momentum"] = self.momentum
        return opt_cls(**opt_kwargs)

    def _keras_loss(self) -> str:
        """The Keras name of the loss."""
        return _LOSSES.get(self.loss, self.loss)

    def _build(self, keras: Any, seq_length: int, n_features: int):
        model = self._network(keras, seq_length, n_features)
        model.compile(optimizer=self._optimizer(keras), loss=self._keras_loss())
        return model

    def fit(self, X: np.ndarray, y: np.ndarray,
            validation_data: tuple[np.ndarray, np.ndarray] | None = None) -> LSTMForecaster:
        """Train on windows ``X`` (m, seq_length, features) -> ``y`` (m, horizon).

        ``validation_data`` gives the ``val_loss`` curve; it drives early stopping only when
        ``early_stopping`` is set.
        """
        keras = import_keras()
        clock = self.clock or time.perf_counter
        keras.utils.set_random_seed(int(self.seed))
        X = np.asarray(X, dtype=np.float32)
        y = np.asarray(y, dtype=np.float32).reshape(len(X), -1)
        self.model_ = self._build(keras, X.shape[1], X.shape[2])
        self.n_params_ = int(self.model_.count_params())
        guard = guard_callback(keras, self.max_seconds, clock)
        callbacks = [guard]
        stopper = None
        has_val = validation_data is not None and len(validation_data[0]) > 0
        if self.early_stopping and has_val:
            stopper = keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=self.patience,
                restore_best_weights=self.restore_best_weights,
                start_from_epoch=int(min(self.min_epochs, max(0, self.epochs - 1))))
            callbacks.append(stopper)
        callbacks.extend(self.callbacks or [])
        started = clock()
        hist = self.model_.fit(
            X, y, epochs=int(self.epochs), batch_size=int(self.batch_size),
            shuffle=bool(self.shuffle), verbose=0, callbacks=callbacks,
            validation_data=(np.asarray(validation_data[0], np.float32),
                             np.asarray(validation_data[1], np.float32).reshape(
                                 len(validation_data[0]), -1)) if has_val else None)
        self.fit_seconds_ = float(clock() - started)
        self.startup_seconds_ = guard.startup
        self.history_ = {k: [float(v) for v in vals] for k, vals in hist.history.items()}
        self.epochs_run_ = len(self.history_.get("loss", []))
        self.stopped_by_ = stop_reason(self.history_.get("loss", []),
                                       budget=guard.stopped == "budget", stopper=stopper)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Forecasts ``(m, horizon)`` on the scale the network was trained on."""
        X = np.asarray(X, dtype=np.float32)
        if len(X) == 0:
            return np.empty((0, self.horizon))
        out = np.asarray(self.model_.predict_on_batch(X), dtype=float)
        return out.reshape(len(X), -1)
