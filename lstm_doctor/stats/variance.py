"""Variance: how the spread of the target scales with its level, and its Box-Cox lambda."""

from __future__ import annotations

import math
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np

from lstm_doctor.stats._common import _finite, _is_constant, _scale_free, cached
from lstm_doctor.stats.seasonality import detect_period

if TYPE_CHECKING:
    from lstm_doctor.context import Context


def _guerrero(x: np.ndarray, period: int, lower: float = -1.0, upper: float = 2.0) -> float:
    """Guerrero's (1993) lambda: minimises the CV of ``sd_i / mean_i ** (1 - lambda)``."""
    from scipy.optimize import minimize_scalar

    m = x.size // period
    blocks = x[x.size - m * period:].reshape(m, period)
    mu = blocks.mean(axis=1)
    sd = blocks.std(axis=1, ddof=1)
    ok = (mu > 0) & (sd > 0)
    mu, sd = mu[ok], sd[ok]
    if mu.size < 3:
        return math.nan

    def cv(lam: float) -> float:
        rat = sd / mu ** (1.0 - lam)
        return float(np.std(rat, ddof=1) / np.mean(rat))

    return float(minimize_scalar(cv, bounds=(lower, upper), method="bounded").x)


@cached
def boxcox_lambda(ctx: Context) -> dict[str, Any]:
    """Box-Cox lambda of the positive training part of the target (cached).

    Returns
    -------
    dict
        ``lambda`` (Guerrero's method on subseries of the seasonal period, or of 2 points
        without one, as R's ``forecast::BoxCox.lambda``), ``lambda_mle`` (scipy's
        maximum likelihood), ``period`` used, ``n``; ``lambda`` is NaN when the
        training part is not strictly positive.
    """
    from scipy import stats as sps

    train = _scale_free(_finite(ctx.train))[0]  # lambda is scale-free
    season = detect_period(ctx)
    period = season["period"] if season and season["kind"] == "seasonal" else 2
    if train.size < max(8, 3 * period) or train.min() <= 0 or _is_constant(train):
        return {"lambda": math.nan, "lambda_mle": math.nan, "period": period,
                "n": int(train.size), "positive": bool(train.size and train.min() > 0)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mle = float(sps.boxcox_normmax(train, method="mle"))
    return {"lambda": _guerrero(train, period), "lambda_mle": mle, "period": period,
            "n": int(train.size), "positive": True}


@cached
def variance_vs_level(ctx: Context) -> dict[str, Any]:
    """How the local spread of the raw target scales with its local level (cached).

    The series is cut into non-overlapping blocks (a multiple of the seasonal period
    with at least 8 points, else ``max(8, n // 20)`` points); in each block the level is
    the mean and the spread the standard deviation of the first differences (which a
    trend does not inflate). The slope ``b`` of ``log(spread)`` on ``log(level)`` is the
    power law ``sd ~ level ** b``: ``b = 0`` is constant variance, ``b = 1`` spread
    proportional to the level (log fixes it); ``1 - b`` is the variance-stabilising
    Box-Cox lambda (the idea behind Guerrero's method).

    Returns
    -------
    dict
        ``positive`` (all values > 0; nothing else is computed otherwise), ``block``,
        ``n_blocks``, ``level_ratio`` (largest / smallest block mean), ``slope``,
        ``slope_pvalue``, ``correlation`` (of the logs), ``lambda_from_slope``.
    """
    from scipy import stats as sps

    x = _scale_free(ctx.values)[0]  # level ratio and slope are scale-free
    if x.size < 16 or x.min() <= 0 or _is_constant(x):
        return {"positive": bool(x.size and x.min() > 0), "n_blocks": 0}
    season = detect_period(ctx)
    if season and season["kind"] == "seasonal":
        p = season["period"]
        w = p * math.ceil(8 / p)
    else:
        w = max(8, x.size // 20)
    m = x.size // w
    if m < 4:
        return {"positive": True, "block": int(w), "n_blocks": int(m)}
    blocks = x[x.size - m * w:].reshape(m, w)
    level = blocks.mean(axis=1)
    spread = np.diff(blocks, axis=1).std(axis=1, ddof=1)
    ok = spread > 0
    if ok.sum() < 4:
        return {"positive": True, "block": int(w), "n_blocks": int(ok.sum())}
    fit = sps.linregress(np.log(level[ok]), np.log(spread[ok]))
    return {"positive": True, "block": int(w), "n_blocks": int(ok.sum()),
            "level_ratio": float(level.max() / level.min()), "slope": float(fit.slope),
            "slope_pvalue": float(fit.pvalue), "correlation": float(fit.rvalue),
            "lambda_from_slope": float(1.0 - fit.slope)}

