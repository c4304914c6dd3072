"""The preprocessing pipeline a set-up describes, with an exact inverse.

Stages run in this order: log, Box-Cox, detrend, deseasonalise, difference (``d`` times),
seasonal difference, scale. Every stage is fit on the training part of its own input
(the scaler on the whole series when ``scaler_fit == "full"``, as the user configured), so
the same object answers "what does the network see?" (rules) and "what is the forecast on
the original scale?" (experiment).

Forecast inversion works from actual history: a forecast made at origin ``t`` (first
predicted index) for ``h`` steps is turned back into original units using the actual values
before ``t``, as in a rolling-origin evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from lstm_doctor.config import Preprocessing
from lstm_doctor.errors import InputError


class _Stage:
    name = "stage"

    def fit(self, x: np.ndarray, n_train: int) -> None:  # noqa: B027
        """Learn parameters from ``x[:n_train]`` (or all of ``x``)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def inverse(self, pred: np.ndarray, origins: np.ndarray, actual_in: np.ndarray) -> np.ndarray:
        """Map predictions ``pred`` (m, h) at this stage's output back to its input level."""
        raise NotImplementedError

    def params(self) -> dict:
        return {}


class _Log(_Stage):
    name = "log"

    def fit(self, x: np.ndarray, n_train: int) -> None:
        finite = x[np.isfinite(x)]
        if finite.size and finite.min() < 0:
            raise InputError("preprocessing.log is set but the series has negative values "
                             f"(min {finite.min():g}); remove log or shift the series")
        self.offset = 1.0 if finite.size and finite.min() == 0 else 0.0

    def forward(self, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.log(x + self.offset)

    def inverse(self, pred, origins, actual_in):
        return np.exp(np.clip(pred, -700, 700)) - self.offset

    def params(self):
        return {"offset": self.offset}


class _BoxCox(_Stage):
    name = "boxcox"

    def __init__(self, lmbda: float):
        self.lmbda = float(lmbda)

    def fit(self, x, n_train):
        finite = x[np.isfinite(x)]
        if finite.size and finite.min() <= 0:
            raise InputError("preprocessing.boxcox needs a strictly positive series "
                             f"(min {finite.min():g}); use log with zeros or shift the series")

    def forward(self, x):
        with np.errstate(divide="ignore", invalid="ignore"):
            if abs(self.lmbda) < 1e-12:
                return np.log(x)
            return (np.power(x, self.lmbda) - 1.0) / self.lmbda

    def inverse(self, pred, origins, actual_in):
        if abs(self.lmbda) < 1e-12:
            return np.exp(np.clip(pred, -700, 700))
        base = np.maximum(self.lmbda * pred + 1.0, 1e-12)
        return np.power(base, 1.0 / self.lmbda)

    def params(self):
        return {"lambda": self.lmbda}


class _Detrend(_Stage):
    name = "detrend"

    def fit(self, x, n_train):
        t = np.arange(n_train, dtype=float)
        ok = np.isfinite(x[:n_train])
        if ok.sum() < 2:
            self.slope, self.intercept = 0.0, float(np.nanmean(x[:n_train]))
            return
        self.slope, self.intercept = (float(v) for v in np.polyfit(t[ok], x[:n_train][ok], 1))

    def _trend(self, idx):
        return self.intercept + self.slope * idx

    def forward(self, x):
        return x - self._trend(np.arange(x.shape[0], dtype=float))

    def inverse(self, pred, origins, actual_in):
        steps = origins[:, None] + np.arange(pred.shape[1])[None, :]
        return pred + self._trend(steps.astype(float))

    def params(self):
        return {"slope": self.slope, "intercept": self.intercept}


class _Deseasonalize(_Stage):
    name = "deseasonalize"

    def __init__(self, period: int):
        self.period = int(period)

    def fit(self, x, n_train):
        p = self.period
        train = x[:n_train]
        ok = np.isfinite(train)
        if ok.sum() >= 2 * p:  # profile of the linearly detrended training part (no sawtooth)
            t = np.arange(train.shape[0], dtype=float)
            slope, intercept = np.polyfit(t[ok], train[ok], 1)
            train = train - (intercept + slope * t)
        # the mean of each phase in one pass (O(n), whatever the period)
        phase = np.arange(train.shape[0]) % p
        good = np.isfinite(train)
        sums = np.bincount(phase[good], weights=train[good], minlength=p)
        counts = np.bincount(phase[good], minlength=p)
        profile = np.divide(sums, counts, out=np.zeros(p), where=counts > 0)
        self.profile = profile - profile.mean()

    def forward(self, x):
        return x - self.profile[np.arange(x.shape[0]) % self.period]

    def inverse(self, pred, origins, actual_in):
        steps = origins[:, None] + np.arange(pred.shape[1])[None, :]
        return pred + self.profile[steps % self.period]

    def params(self):
        return {"period": self.period}


class _Difference(_Stage):
    name = "difference"

    def __init__(self, lag: int = 1):
        self.lag = int(lag)

    def forward(self, x):
        out = np.full_like(x, np.nan, dtype=float)
        out[self.lag:] = x[self.lag:] - x[:-self.lag]
        return out

    def inverse(self, pred, origins, actual_in):
        m, h = pred.shape
        out = np.empty_like(pred, dtype=float)
        for k in range(h):
            back = origins + k - self.lag
            if k >= self.lag:
                base = out[:, k - self.lag]
            else:
                base = actual_in[back]
            out[:, k] = pred[:, k] + base
        return out

    def params(self):
        return {"lag": self.lag}


class _Scale(_Stage):
    name = "scale"

    def __init__(self, kind: str, fit_on: str, feature_range: tuple = (0.0, 1.0)):
        self.kind, self.fit_on = kind, fit_on
        self.low, self.high = (float(v) for v in feature_range)

    def fit(self, x, n_train):
        data = x if self.fit_on == "full" else x[:n_train]
        data = data[np.isfinite(data)]
        if data.size == 0:
            self.center, self.scale = 0.0, 1.0
            return
        if self.kind == "minmax":
            # MinMaxScaler(feature_range=(low, high)): x -> low + (x - min) / (max - min) *
            # (high - low), written as (x - center) / scale
            lo, hi = float(data.min()), float(data.max())
            span = (hi - lo) or 1.0
            self.scale = span / (self.high - self.low)
            self.center = lo - self.low * self.scale
        elif self.kind == "standard":
            self.center, self.scale = float(data.mean()), float(data.std()) or 1.0
        else:  # robust
            q1, med, q3 = np.percentile(data, [25, 50, 75])
            self.center, self.scale = float(med), float(q3 - q1) or 1.0

    def forward(self, x):
        return (x - self.center) / self.scale

    def inverse(self, pred, origins, actual_in):
        return pred * self.scale + self.center

    def params(self):
        return {"kind": self.kind, "fit_on": self.fit_on, "center": self.center,
                "scale": self.scale}


@dataclass
class Pipeline:
    """The target transform described by :class:`~lstm_doctor.config.Preprocessing`.

    Parameters
    ----------
    preprocessing : Preprocessing
        The set-up's preprocessing section.

    Attributes
    ----------
    stages_ : list
        The fitted stages, in order.
    levels_ : list of ndarray
        The full series at the input of each stage (``levels_[-1]`` is the output).
    """

    preprocessing: Preprocessing
    stages_: list = field(default_factory=list, init=False, repr=False)
    levels_: list = field(default_factory=list, init=False, repr=False)

    def _build(self) -> list[_Stage]:
        p = self.preprocessing
        stages: list[_Stage] = []
        if p.log:
            stages.append(_Log())
        if p.boxcox is not None:
            stages.append(_BoxCox(p.boxcox))
        if p.detrend:
            stages.append(_Detrend())
        if p.deseasonalize:
            stages.append(_Deseasonalize(p.deseasonalize))
        stages.extend(_Difference(1) for _ in range(p.difference))
        if p.seasonal_difference:
            stages.append(_Difference(p.seasonal_difference))
        if p.scaler != "none":
            stages.append(_Scale(p.scaler, p.scaler_fit, p.feature_range))
        return stages

    @property
    def lost(self) -> int:
        """Leading points lost to differencing."""
        p = self.preprocessing
        return p.difference + p.seasonal_difference

    def fit_transform(self, y: np.ndarray, n_train: int) -> np.ndarray:
        """Fit every stage on the first ``n_train`` points of its input; transform all of ``y``.

        Returns the transformed series (same length; NaN where differencing lost points).
        """
        x = np.asarray(y, dtype=float)
        self.stages_ = self._build()
        self.levels_ = [x]
        for stage in self.stages_:
            stage.fit(x, n_train)
            x = stage.forward(x)
            self.levels_.append(x)
        return x

    def inverse(self, pred: np.ndarray, origins: np.ndarray) -> np.ndarray:
        """Invert forecasts back to the original scale.

        Parameters
        ----------
        pred : ndarray, shape (m,) or (m, h)
            Forecasts on the transformed scale; row ``i`` predicts indices
            ``origins[i] .. origins[i] + h - 1``.
        origins : ndarray of int, shape (m,)
            Index (in the full series) of each forecast's first step.

        Returns
        -------
        ndarray with the shape of ``pred``, on the original scale.
        """
        pred = np.asarray(pred, dtype=float)
        squeeze = pred.ndim == 1
        out = pred[:, None] if squeeze else pred
        origins = np.asarray(origins, dtype=int)
        for i in range(len(self.stages_) - 1, -1, -1):
            out = self.stages_[i].inverse(out, origins, self.levels_[i])
        return out[:, 0] if squeeze else out

    def describe(self) -> list[dict]:
        """Fitted stages and their parameters (for reports)."""
        return [{"stage": s.name, **s.params()} for s in self.stages_]


def scale_features(features: np.ndarray, n_train: int, kind: str, fit_on: str) -> np.ndarray:
    """Scale each feature column the way the target's scaler is configured."""
    out = np.empty_like(features, dtype=float)
    for j in range(features.shape[1]):
        stage = _Scale(kind, fit_on) if kind != "none" else None
        col = features[:, j].astype(float)
        if stage is None:
            out[:, j] = col
        else:
            stage.fit(col, n_train)
            out[:, j] = stage.forward(col)
    return out
