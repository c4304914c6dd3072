"""The context shared by all rules: the validated series, the set-up, cached statistics.

Every expensive statistic is computed once per run through :meth:`Context.cached`, so two
rules never run the same test twice.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

from lstm_doctor.config import LSTMConfig
from lstm_doctor.data import SeriesData

T = TypeVar("T")


def holdout_length(test_size: float, n: int, given: int | None = None) -> int:
    """Holdout points of a series of ``n``: the separate test file's rows (``given``), a
    whole number of points, or ``ceil(test_size * n)`` for a fraction; at least 1 and at
    most ``n - 1``.
    """
    if given:
        count = int(given)
    elif isinstance(test_size, int) and test_size >= 1:
        count = test_size
    else:
        count = math.ceil(float(test_size) * n)
    return min(max(1, count), max(1, n - 1))


def check_setup_fits(config: LSTMConfig, series: SeriesData) -> None:
    """Refuse a set-up whose values cannot apply to this series (where data and set-up meet).

    The schema bounds every value on its own; what depends on the data is checked here,
    once, before any rule runs: a log or Box-Cox transform of a series with values it
    cannot take, a window, horizon, seasonal period or differencing longer than the series.

    Parameters
    ----------
    config : LSTMConfig
        The validated set-up.
    series : SeriesData
        The validated series.

    Raises
    ------
    InputError
        One line naming the set-up key, its value, what the series has and the fix.
    """
    from lstm_doctor.errors import InputError

    p, w, n = config.preprocessing, config.window, series.n
    what = f"target '{series.target}' of {_label(series.source)}"
    finite = series.y[np.isfinite(series.y)]
    low = float(finite.min()) if finite.size else 0.0
    if p.log and low < 0:
        row = int(np.flatnonzero(series.y == low)[0])
        raise InputError(f"set-up: preprocessing.log is true but {what} has negative values "
                         f"(min {low:g} at row {row}); remove log, or shift the series above "
                         "zero before the log")
    if p.boxcox is not None and low <= 0:
        row = int(np.flatnonzero(series.y == low)[0])
        raise InputError(f"set-up: preprocessing.boxcox ({p.boxcox:g}) needs a strictly "
                         f"positive series but {what} has values <= 0 (min {low:g} at row "
                         f"{row}); remove boxcox, or shift the series above zero")
    for key, value in (("preprocessing.deseasonalize", p.deseasonalize),
                       ("preprocessing.seasonal_difference", p.seasonal_difference)):
        if value and value >= n:
            raise InputError(f"set-up: {key} is {value}, but {what} has only {n} points; "
                             "give the seasonal period (e.g. 12 for monthly data, 7 for "
                             "daily), shorter than the series")
    if p.difference and p.difference + p.seasonal_difference >= n:
        raise InputError(f"set-up: differencing (difference {p.difference} + "
                         f"seasonal_difference {p.seasonal_difference}) removes all {n} "
                         f"points of {what}; difference less")
    span = (w.seq_length - 1) * w.sampling_rate + 1
    if span > n:
        rate = f" x sampling_rate {w.sampling_rate}" if w.sampling_rate > 1 else ""
        raise InputError(f"set-up: window.seq_length {w.seq_length}{rate} spans {span} "
                         f"points, longer than the {n} points of {what}; choose a window "
                         "shorter than the series (a few seasonal periods at most)")
    if w.horizon >= n:
        raise InputError(f"set-up: window.horizon is {w.horizon}, but {what} has only {n} "
                         "points; forecast fewer steps ahead than the series is long")


def _label(source: str) -> str:
    return source if str(source).startswith("<") else f"'{source}'"


class Context:
    """What rules look at.

    Parameters
    ----------
    series : SeriesData
        The validated series.
    config : LSTMConfig
        The set-up (Keras defaults when none was given).
    config_given : bool
        Whether the user gave a set-up; set-up rules are skipped otherwise.
    experiment : ExperimentResult, optional
        A training run's results, which the training-symptom rules (LD7xx) judge; read-only
        (see :meth:`with_experiment`).
    """

    def __init__(self, series: SeriesData, config: LSTMConfig, *, config_given: bool,
                 experiment: Any = None, arrays: Any = None) -> None:
        #: The arrays fed to ``fit`` (:class:`lstm_doctor.arrays.FitArrays`), when the
        #: set-up comes from a live model and its data (:func:`lstm_doctor.diagnose`).
        self.arrays = arrays
        self.series = series
        self.config = config
        self.config_given = config_given
        self._experiment = experiment
        #: Effective thresholds of the rules in this run (code -> options), for statistics
        #: that one rule's decision shares with another (e.g. LD205's with LD201).
        self.rule_options: dict[str, dict[str, Any]] = {}
        self._cache: dict[Any, Any] = {}

    @property
    def experiment(self) -> Any:
        """The training run's results (``None`` in a check: the LD7xx rules skip)."""
        return self._experiment

    def with_experiment(self, experiment: Any) -> Context:
        """A copy of the context holding a training run's results (for the LD7xx rules).

        The new context shares the series, the set-up, the cached statistics and the rule
        options; this one is unchanged.
        """
        import copy

        other = copy.copy(self)
        other._experiment = experiment
        return other

    # -- caching ---------------------------------------------------------------------------
    def cached(self, key: Any, compute: Callable[[], T]) -> T:
        """Return the value stored under ``key``, computing it once with ``compute()``."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    # -- the series ------------------------------------------------------------------------
    @property
    def y(self) -> np.ndarray:
        """The target as given (may hold NaN/inf)."""
        return self.series.y

    @property
    def n(self) -> int:
        """Number of points as given."""
        return self.series.n

    @property
    def values(self) -> np.ndarray:
        """The finite target values, in order (statistics are computed on these)."""
        return self.cached("values", lambda: self.y[np.isfinite(self.y)])

    # -- the split -------------------------------------------------------------------------
    @property
    def n_test(self) -> int:
        """Holdout length: the separate test file's rows, a count of points, or
        ``ceil(test_size * n)`` for a fraction; at least 1 and at most ``n - 1``.
        """
        return holdout_length(self.config.split.test_size, self.n,
                              getattr(self.series, "n_test_given", None))

    def train_length(self, *, best_case_for_assumed: bool = False) -> int:
        """Training points; with ``best_case_for_assumed``, an assumed test size (and no
        separate test file) is replaced by the most generous one: a 1-point holdout.
        """
        if best_case_for_assumed and self.config.origin("split.test_size") == "assumed" \
                and not getattr(self.series, "n_test_given", None):
            return self.n - 1
        return self.n_train

    @property
    def n_train(self) -> int:
        """Training length (the first ``n - n_test`` points for a temporal split)."""
        return self.n - self.n_test

    @property
    def train(self) -> np.ndarray:
        """Finite training values."""
        part = self.y[: self.n_train]
        return part[np.isfinite(part)]

    @property
    def test(self) -> np.ndarray:
        """Finite holdout values."""
        part = self.y[self.n_train:]
        return part[np.isfinite(part)]

    # -- what the network sees -------------------------------------------------------------
    @property
    def pipeline(self):
        """The set-up's preprocessing :class:`~lstm_doctor.preprocess.Pipeline`, fitted."""
        return self.cached("pipeline", self._fit_pipeline)[0]

    @property
    def transformed(self) -> np.ndarray:
        """The target after the set-up's preprocessing (NaN where differencing lost points)."""
        return self.cached("pipeline", self._fit_pipeline)[1]

    def _fit_pipeline(self):
        from lstm_doctor.preprocess import Pipeline

        pipe = Pipeline(self.config.preprocessing)
        z = pipe.fit_transform(self.y, self.n_train)
        return pipe, z

    @property
    def window_span(self) -> int:
        """Points one input window covers (``(seq_length - 1) * sampling_rate + 1``)."""
        w = self.config.window
        return (w.seq_length - 1) * w.sampling_rate + 1

    @property
    def n_train_windows(self) -> int:
        """Number of (input, target) training windows the set-up yields."""
        return self.train_windows()

    def train_windows(self, *, best_case_for_assumed: bool = False) -> int:
        """Training windows; with ``best_case_for_assumed``, assumed split and validation
        values are replaced by the most generous ones (a 1-point holdout, no validation
        split), so a judgement that still holds does not rest on them.
        """
        cfg = self.config
        n_train = self.train_length(best_case_for_assumed=best_case_for_assumed)
        val = cfg.training.validation_split if cfg.training.validation == "split" else 0.0
        if best_case_for_assumed and cfg.origin("training.validation_split") == "assumed":
            val = 0.0
        span = self.window_span
        if best_case_for_assumed and cfg.origin("window.seq_length") == "assumed":
            span = 1
        usable = n_train - self.pipeline.lost
        windows = max(0, usable - span - cfg.window.horizon + 1)
        return int(windows * (1 - val)) if val else windows

    @property
    def n_features(self) -> int:
        """Inputs per time step (target + extra features)."""
        return 1 + len(self.series.feature_names)

    @property
    def time_grid(self) -> dict | None:
        """Regularity facts about the time index (see :func:`lstm_doctor.data.time_grid`)."""
        from lstm_doctor.data import time_grid

        return self.cached("time_grid", lambda: time_grid(self.series.time,
                                                          calendar=self.series.calendar))
