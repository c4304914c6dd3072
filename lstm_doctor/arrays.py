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
    target_channel : int or None
        Which feature of ``X_train`` is the target's own past (:func:`find_target_channel`),
        when known and the windows are consecutive; the feature rules (LD8xx) read the
        other channels as extra inputs.
    target_note : str
        Why ``target_channel`` is None (or how it was found).
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
    target_channel: int | None = None
    target_note: str = ""

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


def _continues(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether ``a`` equals ``b`` up to an affine map (a scaler applied to one of them)."""
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 3 or not ok[: max(3, ok.size // 2)].any():
        return False
    a, b = a[ok], b[ok]
    if np.allclose(a, b, rtol=1e-6, atol=1e-9 * max(float(np.abs(b).max()), 1e-300)):
        return True
    if np.std(a) == 0 or np.std(b) == 0:
        return False
    return bool(np.corrcoef(a, b)[0, 1] >= 1 - 1e-9)


def find_target_channel(X: np.ndarray, y: np.ndarray, given: int | None = None
                        ) -> tuple[int | None, str]:
    """The feature of ``X`` that is the target's own past, when the windows show it.

    In consecutive one-step windows the last input step of window ``i + 1`` is the first
    target of window ``i``: ``X[i + 1, -1, j] == y[i, 0]`` (up to a scaler) for the target's
    channel ``j``. That is how the channel is found, and how a ``given`` one is confirmed
    (which also says the windows are in time order).

    Parameters
    ----------
    X : ndarray
        ``(n, time_steps, features)`` windows.
    y : ndarray
        ``(n, outputs)`` targets.
    given : int, optional
        The channel the user states.

    Returns
    -------
    (int or None, str)
        The channel and a note on how it was found, or None and why not.
    """
    k = X.shape[2]
    if X.shape[0] < 4:
        return None, "too few windows to tell the target channel"
    candidates = [given] if given is not None else list(range(k))
    found = [j for j in candidates if _continues(X[1:, -1, j], y[:-1, 0])]
    if given is not None:
        if found:
            return given, f"target_channel {given} (given; it continues y_train)"
        return None, (f"target_channel {given} does not continue y_train (X_train[i+1, -1, "
                      f"{given}] != y_train[i, 0]): it is not the target's past, or the "
                      "windows are not consecutive one-step windows in time order, so the "
                      "inputs cannot be compared over time")
    if len(found) == 1:
        return found[0], (f"channel {found[0]} of X_train continues y_train (X_train[i+1, -1] "
                          "== y_train[i]): it is the target's own past")
    if len(found) > 1:
        return None, (f"channels {found} of X_train all continue y_train: pass "
                      "target_channel= to lstm_doctor.diagnose")
    return None, ("no channel of X_train continues y_train (the windows are shuffled or "
                  "strided, or the target is not an input): pass target_channel= to "
                  "lstm_doctor.diagnose with windows in time order")


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
