"""The arrays users feed to ``fit``, built the ways the popular tutorials build them.

Each pipeline windows the airline series (``fixtures/airpassengers.csv``) and returns a
:class:`lstm_doctor.arrays.FitArrays`, so the rules that judge arrays (LD306, LD505,
LD607-LD609) can be tested without TensorFlow. Referenced by name from
``fixtures/rules/*.yml`` (``arrays: {pipeline: ...}``) and from ``tests/test_array_rules.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lstm_doctor.arrays import FitArrays
from lstm_doctor.config import LSTMConfig
from lstm_doctor.context import Context
from lstm_doctor.data import load_series

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
AIRLINE = FIXTURES / "airpassengers.csv"


def airline() -> np.ndarray:
    """The raw airline series (144 monthly values)."""
    return np.asarray(load_series(AIRLINE).y, dtype=float)


def minmax(fit_on: np.ndarray):
    lo, hi = float(fit_on.min()), float(fit_on.max())
    return lambda v: (np.asarray(v, dtype=float) - lo) / (hi - lo)


def standard(fit_on: np.ndarray):
    mu, sd = float(fit_on.mean()), float(fit_on.std())
    return lambda v: (np.asarray(v, dtype=float) - mu) / sd


def windows(data: np.ndarray, look_back: int, horizon: int = 1, offset: int = 1,
            stride: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """``X[i] = data[i:i+L]``, ``y[i] = data[i+L-1+offset : ... + horizon]`` (offset 1 is
    right; 0 is the classic off-by-one that makes the target the last input)."""
    X, y = [], []
    first = look_back - 1 + offset
    for i in range(0, len(data) - first - horizon + 1, stride):
        X.append(data[i:i + look_back])
        y.append(data[i + first:i + first + horizon])
    return np.asarray(X, dtype=float)[:, :, None], np.asarray(y, dtype=float)


def split_point(n: int, train_fraction: float = 0.67) -> int:
    return int(n * train_fraction)


def build(pipeline: str, look_back: int = 12, horizon: int = 1, seed: int = 0,
          with_series: bool = True) -> FitArrays:
    """The arrays of one named tutorial pipeline (see :data:`PIPELINES`)."""
    return PIPELINES[pipeline](look_back=look_back, horizon=horizon, seed=seed,
                               with_series=with_series)


def _temporal(scale_fit: str = "train", scaler=minmax, look_back: int = 12,
              horizon: int = 1, reach_back: bool = True, offset: int = 1,
              transform=None):
    """Split the series 67/33 by time, scale, window each part (the test part starting
    ``look_back`` steps early when ``reach_back``)."""
    raw = airline()
    base = transform(raw) if transform is not None else raw
    cut = split_point(len(base))
    scale = scaler(base[:cut] if scale_fit == "train" else base)
    scaled = scale(base)
    X_tr, y_tr = windows(scaled[:cut], look_back, horizon, offset)
    start = cut - look_back if reach_back else cut
    X_te, y_te = windows(scaled[start:], look_back, horizon, offset)
    return raw, X_tr, y_tr, X_te, y_te


def correct(look_back=12, horizon=1, seed=0, with_series=True) -> FitArrays:
    """Temporal split, scaler fit on train, the last 10% of training windows validate."""
    raw, X_tr, y_tr, X_te, y_te = _temporal(look_back=look_back, horizon=horizon)
    return FitArrays(X_tr, y_tr, X_test=X_te, y_test=y_te, validation_split=0.1,
                     series=raw if with_series else None)


def correct_standard(look_back=12, horizon=1, seed=0, with_series=True) -> FitArrays:
    """As :func:`correct` with a standard scaler fit on train."""
    raw, X_tr, y_tr, X_te, y_te = _temporal(scaler=standard, look_back=look_back,
                                            horizon=horizon)
    return FitArrays(X_tr, y_tr, X_test=X_te, y_test=y_te, validation_split=0.1,
                     series=raw if with_series else None)


def correct_val_data(look_back=12, horizon=1, seed=0, with_series=True) -> FitArrays:
    """Train | validation | test by time, each windowed with a full look-back."""
    raw = airline()
    n = len(raw)
    cut_val, cut_test = int(n * 0.6), int(n * 0.8)
    scaled = minmax(raw[:cut_val])(raw)
    X_tr, y_tr = windows(scaled[:cut_val], look_back, horizon)
    X_va, y_va = windows(scaled[cut_val - look_back:cut_test], look_back, horizon)
    X_te, y_te = windows(scaled[cut_test - look_back:], look_back, horizon)
    return FitArrays(X_tr, y_tr, X_val=X_va, y_val=y_va, X_test=X_te, y_test=y_te,
                     series=raw if with_series else None)


def unscaled(look_back=12, horizon=1, seed=0, with_series=True) -> FitArrays:
    """Raw values, temporal split (a scale problem for LD301, not a leak)."""
    raw = airline()
    cut = split_point(len(raw))
    X_tr, y_tr = windows(raw[:cut], look_back, horizon)
    X_te, y_te = windows(raw[cut - look_back:], look_back, horizon)
    return FitArrays(X_tr, y_tr, X_test=X_te, y_test=y_te,
                     series=raw if with_series else None)


def brownlee(look_back=1, horizon=1, seed=0, with_series=True) -> FitArrays:
    """The famous tutorial: MinMaxScaler fit on the whole series, 67/33 split, each part
    windowed with ``create_dataset`` (``range(len(dataset) - look_back - 1)``)."""
    raw = airline()
    scaled = minmax(raw)(raw)
    cut = split_point(len(raw))

    def create_dataset(data):
        X, y = windows(data, look_back, horizon)
        return X[:-1], y[:-1]  # the tutorial's loop stops one window early

    X_tr, y_tr = create_dataset(scaled[:cut])
    X_te, y_te = create_dataset(scaled[cut:])
    return FitArrays(X_tr, y_tr, X_test=X_te, y_test=y_te,
                     series=raw if with_series else None)


def brownlee_train_fit(look_back=1, horizon=1, seed=0, with_series=True) -> FitArrays:
    """The same windowing with the scaler fit on the training part only."""
    raw = airline()
    cut = split_point(len(raw))
    scaled = minmax(raw[:cut])(raw)

    def create_dataset(data):
        X, y = windows(data, look_back, horizon)
        return X[:-1], y[:-1]

    X_tr, y_tr = create_dataset(scaled[:cut])
    X_te, y_te = create_dataset(scaled[cut:])
    return FitArrays(X_tr, y_tr, X_test=X_te, y_test=y_te,
                     series=raw if with_series else None)


def minmax_full(look_back=12, horizon=1, seed=0, with_series=True) -> FitArrays:
    """MinMaxScaler fit on the full series, then the temporal split."""
    raw, X_tr, y_tr, X_te, y_te = _temporal("full", look_back=look_back, horizon=horizon)
    return FitArrays(X_tr, y_tr, X_test=X_te, y_test=y_te, validation_split=0.1,
                     series=raw if with_series else None)


def minmax_full_symmetric(look_back=12, horizon=1, seed=0, with_series=True) -> FitArrays:
    """``MinMaxScaler(feature_range=(-1, 1))`` fit on the full series."""
    def scaler(fit_on):
        unit = minmax(fit_on)
        return lambda v: 2.0 * unit(v) - 1.0

    raw, X_tr, y_tr, X_te, y_te = _temporal("full", scaler=scaler, look_back=look_back,
                                            horizon=horizon)
    return FitArrays(X_tr, y_tr, X_test=X_te, y_test=y_te, validation_split=0.1,
                     series=raw if with_series else None)


def zscore_full(look_back=12, horizon=1, seed=0, with_series=True) -> FitArrays:
    """StandardScaler fit on the full series, then the temporal split."""
    raw, X_tr, y_tr, X_te, y_te = _temporal("full", scaler=standard, look_back=look_back,
                                            horizon=horizon)
    return FitArrays(X_tr, y_tr, X_test=X_te, y_test=y_te, validation_split=0.1,
                     series=raw if with_series else None)


def random_split(look_back=12, horizon=1, seed=0, with_series=True) -> FitArrays:
    """Window the whole (train-fit scaled) series, then ``train_test_split(X, y,
    test_size=0.33)`` with its default ``shuffle=True``."""
    raw = airline()
    cut = split_point(len(raw))
    X, y = windows(minmax(raw[:cut])(raw), look_back, horizon)
    perm = np.random.default_rng(seed).permutation(len(X))
    n_test = int(round(0.33 * len(X)))
    te, tr = perm[:n_test], perm[n_test:]
    return FitArrays(X[tr], y[tr], X_test=X[te], y_test=y[te],
                     series=raw if with_series else None)


def test_from_full_series(look_back=12, horizon=1, seed=0, with_series=True) -> FitArrays:
    """Train windows from the training part, "test" windows cut from the whole series."""
    raw = airline()
    cut = split_point(len(raw))
    scaled = minmax(raw[:cut])(raw)
    X_tr, y_tr = windows(scaled[:cut], look_back, horizon)
    X_te, y_te = windows(scaled, look_back, horizon)
    return FitArrays(X_tr, y_tr, X_test=X_te, y_test=y_te,
                     series=raw if with_series else None)


def validation_is_test(look_back=12, horizon=1, seed=0, with_series=True) -> FitArrays:
    """The correct pipeline with ``validation_data=(X_test, y_test)``."""
    a = correct(look_back, horizon, seed, with_series)
    return FitArrays(a.X_train, a.y_train, X_val=a.X_test, y_val=a.y_test,
                     X_test=a.X_test, y_test=a.y_test, series=a.series)


def validation_from_test(look_back=12, horizon=1, seed=0, with_series=True) -> FitArrays:
    """Validation windows carved out of the test windows (the second half of them)."""
    a = correct(look_back, horizon, seed, with_series)
    half = len(a.X_test) // 2
    return FitArrays(a.X_train, a.y_train, X_val=a.X_test[half:], y_val=a.y_test[half:],
                     X_test=a.X_test, y_test=a.y_test, series=a.series)


def shuffled_validation(look_back=12, horizon=1, seed=0, with_series=True) -> FitArrays:
    """``validation_data`` split off the training windows at random."""
    a = correct(look_back, horizon, seed, with_series)
    perm = np.random.default_rng(seed).permutation(len(a.X_train))
    n_val = len(perm) // 5
    va, tr = perm[:n_val], perm[n_val:]
    return FitArrays(a.X_train[tr], a.y_train[tr], X_val=a.X_train[va], y_val=a.y_train[va],
                     X_test=a.X_test, y_test=a.y_test, series=a.series)


def permuted_validation_split(look_back=12, horizon=1, seed=0,
                              with_series=True) -> FitArrays:
    """``fit(X_train[perm], y_train[perm], validation_split=0.2)``."""
    a = correct(look_back, horizon, seed, with_series)
    perm = np.random.default_rng(seed).permutation(len(a.X_train))
    return FitArrays(a.X_train[perm], a.y_train[perm], X_test=a.X_test, y_test=a.y_test,
                     validation_split=0.2, series=a.series)


def off_by_one(look_back=12, horizon=1, seed=0, with_series=True) -> FitArrays:
    """``y[i] = data[i + L - 1]``: the target is the window's last input."""
    raw, X_tr, y_tr, X_te, y_te = _temporal(look_back=look_back, horizon=horizon, offset=0)
    return FitArrays(X_tr, y_tr, X_test=X_te, y_test=y_te,
                     series=raw if with_series else None)


def one_step_too_far(look_back=12, horizon=1, seed=0, with_series=True) -> FitArrays:
    """``y[i] = data[i + L + 1]``: one step skipped."""
    raw, X_tr, y_tr, X_te, y_te = _temporal(look_back=look_back, horizon=horizon, offset=2)
    return FitArrays(X_tr, y_tr, X_test=X_te, y_test=y_te,
                     series=raw if with_series else None)


def differenced(look_back=12, horizon=1, seed=0, with_series=True) -> FitArrays:
    """Correct windows of the first difference (scaled on train); the raw series given."""
    raw, X_tr, y_tr, X_te, y_te = _temporal(look_back=look_back, horizon=horizon,
                                            transform=np.diff)
    return FitArrays(X_tr, y_tr, X_test=X_te, y_test=y_te,
                     series=raw if with_series else None)


def per_window_normalised(look_back=12, horizon=1, seed=0, with_series=True) -> FitArrays:
    """Each window divided by its first value (the stock-prediction tutorial)."""
    raw, X_tr, y_tr, X_te, y_te = _temporal(look_back=look_back, horizon=horizon,
                                            scaler=lambda fit_on: (lambda v: v))

    def norm(X, y):
        first = X[:, :1, 0]
        return X / first[:, :, None] - 1.0, y / first - 1.0

    X_tr, y_tr = norm(X_tr, y_tr)
    X_te, y_te = norm(X_te, y_te)
    return FitArrays(X_tr, y_tr, X_test=X_te, y_test=y_te,
                     series=raw if with_series else None)


PIPELINES = {f.__name__: f for f in (
    correct, correct_standard, correct_val_data, unscaled, brownlee, brownlee_train_fit,
    minmax_full, minmax_full_symmetric, zscore_full, random_split, test_from_full_series,
    validation_is_test, validation_from_test, shuffled_validation, permuted_validation_split,
    off_by_one, one_step_too_far, differenced, per_window_normalised)}


def context(arrays: FitArrays) -> Context:
    """A context holding the airline series and ``arrays`` (as ``diagnose`` builds it)."""
    return Context(load_series(AIRLINE), LSTMConfig(), config_given=True, arrays=arrays)
