"""Forecast accuracy metrics on the original scale.

All functions take ``actual`` and ``forecast`` arrays of the same shape (any shape: every
origin x step error counts once). A non-finite forecast makes the metric NaN: a model whose
forecasts blew up has no score, not a good one.
"""

from __future__ import annotations

import numpy as np

METRICS = ("mae", "rmse", "smape", "mase")


def mae(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Mean absolute error."""
    e = np.asarray(forecast, float) - np.asarray(actual, float)
    return float(np.mean(np.abs(e))) if e.size else float("nan")


def rmse(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Root mean squared error."""
    e = np.asarray(forecast, float) - np.asarray(actual, float)
    return float(np.sqrt(np.mean(e * e))) if e.size else float("nan")


def smape(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Symmetric MAPE in percent: ``mean(200 |F - A| / (|A| + |F|))`` (0/0 counts as 0)."""
    a = np.asarray(actual, float).ravel()
    f = np.asarray(forecast, float).ravel()
    if not a.size:
        return float("nan")
    den = np.abs(a) + np.abs(f)
    num = 200.0 * np.abs(f - a)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(den == 0, 0.0, num / np.where(den == 0, 1.0, den))
    terms = np.where(np.isfinite(f), terms, np.nan)
    return float(np.mean(terms))


def mase_scale(train: np.ndarray, period: int | None = None) -> float:
    """The in-sample naive MAE on the training split (seasonal naive when ``period`` > 1).

    Falls back to lag 1 when the training split is shorter than two periods; returns NaN
    when the scale is zero (a constant training split).
    """
    y = np.asarray(train, float)
    y = y[np.isfinite(y)]
    lag = int(period) if period and period > 1 and y.size > 2 * period else 1
    if y.size <= lag:
        return float("nan")
    scale = float(np.mean(np.abs(y[lag:] - y[:-lag])))
    return scale if scale > 0 else float("nan")


def mase(actual: np.ndarray, forecast: np.ndarray, scale: float) -> float:
    """Mean absolute scaled error: MAE / ``scale`` (see :func:`mase_scale`)."""
    return mae(actual, forecast) / scale if scale and np.isfinite(scale) else float("nan")


def all_metrics(actual: np.ndarray, forecast: np.ndarray, scale: float) -> dict[str, float]:
    """``{"mae", "rmse", "smape", "mase"}`` for one forecast."""
    return {"mae": mae(actual, forecast), "rmse": rmse(actual, forecast),
            "smape": smape(actual, forecast), "mase": mase(actual, forecast, scale)}


def summarize(per_seed: list[dict[str, float]]) -> dict[str, float]:
    """Mean and spread of each metric over seeds.

    Returns ``{m: mean, m_std: sample std (0 for one seed), m_min, m_max}`` for every metric
    in :data:`METRICS`. Any non-finite seed makes the mean non-finite.
    """
    out: dict[str, float] = {}
    for name in METRICS:
        vals = np.array([s.get(name, np.nan) for s in per_seed], dtype=float)
        if not vals.size:
            continue
        out[name] = float(np.mean(vals))
        out[f"{name}_std"] = float(np.std(vals, ddof=1)) if vals.size > 1 else 0.0
        out[f"{name}_min"] = float(np.min(vals))
        out[f"{name}_max"] = float(np.max(vals))
    return out
