"""The arrays a user feeds to ``model.fit``: the facts rules judge when they are given.

:func:`lstm_doctor.diagnose` (and the :class:`lstm_doctor.keras.Doctor` callback) wrap the
user's own ``X_train, y_train`` (and validation / test windows, and optionally the raw series
before windowing) in a :class:`FitArrays`; the context carries it as ``ctx.arrays``, and rules
that judge what the network really sees read it. numpy only: no TensorFlow here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class FitArrays:
    """The windows fed to ``fit`` (and the holdout windows), as float64 arrays.

    Attributes
    ----------
    X_train, y_train : ndarray
        ``(n, time_steps, features)`` inputs and ``(n, outputs)`` targets (2-D ``X`` is read as
        ``(n, time_steps)`` with one feature).
    X_val, y_val : ndarray or None
        Explicit validation windows (``validation_data``).
    X_test, y_test : ndarray or None
        The user's holdout windows.
    validation_split : float
        ``fit(validation_split=...)``: the last fraction of the training windows.
    shuffle : bool
        ``fit(shuffle=...)``.
    series : ndarray or None
        The raw target series before windowing (1-D), when given.
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray | None = None
    y_val: np.ndarray | None = None
    X_test: np.ndarray | None = None
    y_test: np.ndarray | None = None
    validation_split: float = 0.0
    shuffle: bool = True
    series: np.ndarray | None = None

    @property
    def time_steps(self) -> int:
        """Length of the time axis of ``X_train``."""
        return int(self.X_train.shape[1])

    @property
    def n_features(self) -> int:
        """Values per time step."""
        return int(self.X_train.shape[2])

    @property
    def outputs(self) -> int:
        """Values per target window."""
        return int(self.y_train.shape[1])

    @property
    def lookback_as_features(self) -> bool:
        """A 1-step time axis carrying several values: look-back values passed as features."""
        return self.time_steps == 1 and self.n_features > 1


def as_windows(X: object, name: str) -> np.ndarray:
    """``X`` as a float64 ``(n, time_steps, features)`` array (2-D -> one feature)."""
    from lstm_doctor.errors import InputError

    try:
        arr = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name}: not a numeric array ({exc}); pass a numpy array") from None
    if arr.ndim == 2:
        arr = arr[:, :, None]
    if arr.ndim != 3 or arr.shape[0] == 0:
        raise InputError(f"{name}: expected windows of shape (n, time_steps, features), found "
                         f"shape {arr.shape}; reshape with X.reshape(n, time_steps, features)")
    return arr


def as_targets(y: object, n: int, name: str) -> np.ndarray:
    """``y`` as a float64 ``(n, outputs)`` array."""
    from lstm_doctor.errors import InputError

    try:
        arr = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{name}: not a numeric array ({exc}); pass a numpy array") from None
    arr = arr.reshape(arr.shape[0], -1) if arr.ndim >= 1 and arr.size else arr
    if arr.ndim != 2 or arr.shape[0] != n:
        raise InputError(f"{name}: expected {n} targets (one per window), found shape "
                         f"{np.shape(y)}; X and y must have the same first dimension")
    return arr
