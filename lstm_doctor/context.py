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
