"""Honest reference forecasters, evaluated like the LSTMs.

Every forecaster returns an array of shape ``(len(origins), horizon)``: row ``i`` forecasts
``y[t], ..., y[t + h - 1]`` for origin ``t = origins[i]`` using only ``y[:t]`` (rolling
origin over the holdout, from actual history). Parameters are fit on the training split
only.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np


def naive(y: np.ndarray, origins: np.ndarray, horizon: int) -> np.ndarray:
    """Last observed value: ``ŷ[t + k] = y[t - 1]``."""
    y = np.asarray(y, float)
    last = y[np.asarray(origins) - 1]
    return np.repeat(last[:, None], horizon, axis=1)


def seasonal_naive(y: np.ndarray, origins: np.ndarray, horizon: int, period: int) -> np.ndarray:
    """Value one period earlier: ``ŷ[t + k] = y[t + k - p·ceil((k + 1) / p)]``."""
    y = np.asarray(y, float)
    k = np.arange(horizon)
    back = period * ((k // period) + 1)
    return y[np.asarray(origins)[:, None] + k[None, :] - back[None, :]]


def expanding_mean(y: np.ndarray, origins: np.ndarray, horizon: int) -> np.ndarray:
    """Mean of all history: ``ŷ[t + k] = mean(y[:t])`` (optimal for white noise)."""
    y = np.asarray(y, float)
    csum = np.concatenate([[0.0], np.cumsum(y)])
    origins = np.asarray(origins)
    means = csum[origins] / origins
    return np.repeat(means[:, None], horizon, axis=1)


@dataclass
class ETSForecaster:
    """Holt-Winters exponential smoothing (statsmodels), chosen by AICc on the training split.

    Candidates: no trend / additive damped trend, times no season / additive / multiplicative
    season (when a period is known, the training split holds at least two periods and, for
    multiplicative, is strictly positive). The chosen model's parameters are then held fixed
    and the model is run over the whole series: its one-step-ahead fitted values over the
    holdout are forecasts from actual history (no refit, no look-ahead).

    Parameters
    ----------
    period : int or None
        Seasonal period.

    Attributes
    ----------
    spec_ : dict
        The chosen ``trend``/``seasonal``/``damped`` and the AICc.
    params_ : dict
        The fitted smoothing parameters and initial states.
    """

    period: int | None = None
    spec_: dict[str, Any] = field(default_factory=dict, init=False)
    params_: dict[str, Any] = field(default_factory=dict, init=False)

    def _candidates(self, train: np.ndarray) -> list[dict[str, Any]]:
        seasons: list[str | None] = [None]
        p = self.period
        if p and p > 1 and train.size >= 2 * p + 2:
            seasons.append("add")
            if np.all(train > 0):
                seasons.append("mul")
        out = []
        for seasonal in seasons:
            for trend in (None, "add"):
                out.append({"trend": trend, "damped_trend": trend is not None,
                            "seasonal": seasonal,
                            "seasonal_periods": p if seasonal else None})
        return out

    def _model(self, y: np.ndarray, spec: dict, **kwargs):
        from statsmodels.tsa.holtwinters import ExponentialSmoothing

        return ExponentialSmoothing(y, trend=spec["trend"], damped_trend=spec["damped_trend"],
                                    seasonal=spec["seasonal"],
                                    seasonal_periods=spec["seasonal_periods"], **kwargs)

    def fit(self, train: np.ndarray) -> ETSForecaster:
        """Choose and fit the model on the training split."""
        train = np.asarray(train, float)
        best = None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for spec in self._candidates(train):
                try:
                    res = self._model(train, spec, initialization_method="estimated").fit()
                except Exception:  # noqa: BLE001 - a candidate that fails is skipped
                    continue
                aicc = float(res.aicc)
                if not np.isfinite(aicc) or not np.all(np.isfinite(res.fittedvalues)):
                    continue
                if best is None or aicc < best[0]:
                    best = (aicc, spec, res)
        if best is None:
            raise RuntimeError("no exponential smoothing model could be fit")
        aicc, spec, res = best
        self.spec_ = {"trend": spec["trend"], "seasonal": spec["seasonal"],
                      "damped": spec["damped_trend"], "period": spec["seasonal_periods"],
                      "aicc": aicc}
        self.params_ = {k: v for k, v in dict(res.params).items()
                        if k not in ("use_boxcox", "lamda", "remove_bias")}
        return self

    def _fixed(self, y: np.ndarray):
        spec = {"trend": self.spec_["trend"], "damped_trend": self.spec_["damped"],
                "seasonal": self.spec_["seasonal"], "seasonal_periods": self.spec_["period"]}
        p = self.params_
        init: dict[str, Any] = {"initialization_method": "known",
                                "initial_level": p["initial_level"]}
        if spec["trend"]:
            init["initial_trend"] = p["initial_trend"]
        if spec["seasonal"]:
            init["initial_seasonal"] = np.asarray(p["initial_seasons"])
        smoothing = {"smoothing_level": p["smoothing_level"]}
        if spec["trend"]:
            smoothing["smoothing_trend"] = p["smoothing_trend"]
            smoothing["damping_trend"] = p["damping_trend"]
        if spec["seasonal"]:
            smoothing["smoothing_seasonal"] = p["smoothing_seasonal"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return self._model(y, spec, **init).fit(optimized=False, **smoothing)

    def predict(self, y: np.ndarray, origins: np.ndarray, horizon: int) -> np.ndarray:
        """Rolling-origin forecasts with the parameters fixed at their training values."""
        y = np.asarray(y, float)
        origins = np.asarray(origins, dtype=int)
        if horizon == 1:
            fitted = np.asarray(self._fixed(y[: origins.max() + 1]).fittedvalues)
            return fitted[origins][:, None]
        out = np.empty((origins.size, horizon))
        for i, t in enumerate(origins):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out[i] = np.asarray(self._fixed(y[:t]).forecast(horizon))
        return out
