"""The :class:`Doctor` Keras callback: diagnose a run at the end of ``fit``.

Exposed as ``lstm_doctor.keras.Doctor``. Importing this module imports Keras (``import keras``
is absolute: the package's own ``lstm_doctor.keras`` module never shadows it).
"""

from __future__ import annotations

import math
import os
import warnings
from pathlib import Path
from typing import Any

import keras

__all__ = ["Doctor"]


class Doctor(keras.callbacks.Callback):
    """Record a training run and diagnose it at ``on_train_end`` (never changes training).

    Keras 3 does not hand the training arrays to callbacks: pass them as ``x`` and ``y``
    (the same arrays as ``fit``'s). The callback records the model, ``fit``'s parameters
    (``self.params``: epochs and steps per epoch) and every epoch's logs, then calls
    :func:`lstm_doctor.diagnose` with them. It only reads: no weight, metric, learning rate
    or stopping decision of the run changes. A diagnosis that fails is reported as a warning
    (``error_``), never as a failed ``fit``.

    Parameters
    ----------
    series : pandas Series or 1-D array, optional
        The raw series before windowing (see :func:`lstm_doctor.diagnose`).
    test : (X_test, y_test), optional
        The holdout windows.
    output : str or Path, optional
        Write the HTML report there (atomically).
    x, y : array, optional
        The training windows and targets passed to ``fit``. Without them (and with
        ``series``) the run is checked as :func:`lstm_doctor.check` with the live model;
        without either, only the set-up and history are kept and a warning says why.
    validation_data : (X_val, y_val), optional
        As passed to ``fit``.
    fit_kwargs : dict, optional
        ``fit``'s other keyword arguments (``batch_size``, ``shuffle``,
        ``validation_split``, ``callbacks``); they win over what the callback infers.
    **options
        Passed to :func:`lstm_doctor.diagnose`: ``config``, ``select``, ``ignore``,
        ``thresholds``, ``severities``, ``train``, ``seeds``.

    Attributes
    ----------
    report_ : Report or None
        The diagnosis, after ``fit``.
    history_ : dict
        Per-epoch logs (``{"loss": [...], "val_loss": [...]}``).
    fit_params_ : dict
        ``fit``'s parameters as Keras gave them to the callback.
    error_ : str or None
        Why the diagnosis failed, if it did.
    """

    def __init__(self, series: Any = None, test: tuple[Any, Any] | None = None,
                 output: str | os.PathLike | None = None, *, x: Any = None, y: Any = None,
                 validation_data: tuple[Any, Any] | None = None,
                 fit_kwargs: dict[str, Any] | None = None, **options: Any) -> None:
        super().__init__()
        self.series = series
        self.test = test
        self.output = output
        self.x = x
        self.y = y
        self.validation_data = validation_data
        self.fit_kwargs = fit_kwargs
        self.options = options
        self.report_ = None
        self.history_: dict[str, list[float]] = {}
        self.fit_params_: dict[str, Any] = {}
        self.error_: str | None = None

    # -- recording (read-only) ---------------------------------------------------------------
    def on_train_begin(self, logs: dict | None = None) -> None:
        """Start a new record."""
        self.history_ = {}
        self.fit_params_ = dict(self.params or {})
        self.report_ = None
        self.error_ = None

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        """Keep this epoch's logs (loss, val_loss, metrics)."""
        for key, value in (logs or {}).items():
            try:
                self.history_.setdefault(str(key), []).append(float(value))
            except (TypeError, ValueError):
                continue

    def on_train_end(self, logs: dict | None = None) -> None:
        """Diagnose the run; store ``report_`` and write ``output`` when asked."""
        try:
            self.report_ = self._diagnose()
        except Exception as exc:  # noqa: BLE001 - a failed diagnosis must not fail fit
            self.error_ = f"{type(exc).__name__}: {exc}"
            warnings.warn(f"lstm-doctor could not diagnose this run: {self.error_}",
                          stacklevel=2)
            return
        if self.report_ is not None and self.output is not None:
            from lstm_doctor.outputs import write_atomic

            Path(self.output).parent.mkdir(parents=True, exist_ok=True)
            write_atomic(Path(self.output), self.report_.to_html(), what="Doctor(output=...)")

    # -- the diagnosis -----------------------------------------------------------------------
    def inferred_fit_kwargs(self) -> dict[str, Any]:
        """``fit``'s keyword arguments as far as the callback knows them.

        ``epochs`` from ``self.params``; ``batch_size`` from the steps per epoch and the
        number of training windows when only one batch size gives that many steps
        (otherwise it is unknown, ``None``, and stays assumed); ``fit_kwargs`` given to the
        callback win.
        """
        fit: dict[str, Any] = {"batch_size": None}
        if self.fit_params_.get("epochs"):
            fit["epochs"] = int(self.fit_params_["epochs"])
        given = dict(self.fit_kwargs or {})
        steps = int(self.fit_params_.get("steps") or 0)
        if self.x is not None and steps:
            n = len(self.x)
            n_fit = n - int(n * float(given.get("validation_split") or 0.0))
            fewest = math.ceil(n_fit / steps)  # batch sizes giving `steps` batches
            most = math.ceil(n_fit / (steps - 1)) - 1 if steps > 1 else n_fit
            if fewest == most:
                fit["batch_size"] = fewest
        fit.update(given)
        return fit

    def _diagnose(self) -> Any:
        import lstm_doctor

        history = self.history_ if self.history_.get("loss") else None
        if self.x is not None and self.y is not None:
            return lstm_doctor.diagnose(
                self.model, self.x, self.y, validation_data=self.validation_data,
                test=self.test, history=history, series=self.series,
                fit_kwargs=self.inferred_fit_kwargs(), **self.options)
        if self.series is not None:
            keep = {k: v for k, v in self.options.items()
                    if k in ("config", "select", "ignore", "thresholds", "severities")}
            return lstm_doctor.check(self.series, model=self.model, **keep)
        warnings.warn("lstm_doctor.keras.Doctor: Keras does not give callbacks the training "
                      "arrays; pass Doctor(x=X_train, y=y_train) (or series=) to diagnose "
                      "the run", stacklevel=3)
        return None


