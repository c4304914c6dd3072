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
    """

    def __init__(self, series: SeriesData, config: LSTMConfig, *, config_given: bool) -> None:
        self.series = series
        self.config = config
        self.config_given = config_given
        self.experiment: Any = None  # set by the experiment (training-symptom rules read it)
        #: Effective thresholds of the rules in this run (code -> options), for statistics
        #: that one rule's decision shares with another (e.g. LD205's with LD201).
        self.rule_options: dict[str, dict[str, Any]] = {}
        self._cache: dict[Any, Any] = {}

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
        """Holdout length (``ceil(test_size * n)``, at least 1)."""
        return max(1, math.ceil(self.config.split.test_size * self.n))

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
    def n_train_windows(self) -> int:
        """Number of (input, target) training windows the set-up yields."""
        w = self.config.window
        usable = self.n_train - self.pipeline.lost
        val = self.config.training.validation_split
        windows = max(0, usable - w.seq_length - w.horizon + 1)
        return int(windows * (1 - val)) if val else windows

    @property
    def n_features(self) -> int:
        """Inputs per time step (target + extra features)."""
        return 1 + len(self.series.feature_names)

    @property
    def time_grid(self) -> dict | None:
        """Regularity facts about the time index (see :func:`lstm_doctor.data.time_grid`)."""
        from lstm_doctor.data import time_grid

        return self.cached("time_grid", lambda: time_grid(self.series.time))
