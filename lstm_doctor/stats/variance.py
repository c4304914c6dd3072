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

    count = mu.size

    def cv(lam: float) -> float:
        # np.std(rat, ddof=1) / np.mean(rat), the same operations without numpy's wrappers
        rat = sd / mu ** (1.0 - lam)
        total = rat.sum()
        dev = rat - total / count
        return float(math.sqrt((dev * dev).sum() / (count - 1)) / (total / count))

    return float(minimize_scalar(cv, bounds=(lower, upper), method="bounded").x)


def _logsumexp(a: np.ndarray) -> Any:
    """``scipy.special.logsumexp`` of a 1-D array: the same operations, without its wrappers.

    The largest term is taken out of the sum (``log1p(sum(exp(a - max)) / m) + log(m) +
    max`` with ``m`` the count of maxima), and the plain ``log(sum(exp(a)))`` is used when
    that is not finite, exactly as scipy does, so the result has the same bits.
    """
    i = int(a.argmax())
    top = a[i]
    e = np.exp(a - top)
    ties = a == top
    m = int(np.count_nonzero(ties))
    if m == 1:
        e[i] = 0.0
    else:
        e[ties] = 0.0
    s = e.sum()
    if s != 0:
        s = s / float(m)
    out = np.log1p(s) + np.log(float(m)) + top
    if not np.isfinite(out):
        out = np.log(np.exp(a).sum())
    return out


def _boxcox_log_var(logx: np.ndarray, log_n: float) -> Any:
    """The log of the variance of ``exp(logx)`` from ``logx``, as scipy computes it."""
    logmean = _logsumexp(logx) - log_n
    # log|x_i - mean| = log1p(-exp(-|logx_i - logmean|)) + max(logx_i, logmean): scipy's
    # signed logsumexp of the pair, element by element
    out = np.log1p(-np.exp(-np.abs(logx - logmean))) + np.maximum(logx, logmean)
    bad = ~np.isfinite(out)
    if bad.any():
        out[bad] = np.log(np.abs(np.exp(logx[bad]) + (-np.exp(logmean))))
    return _logsumexp(2 * out) - log_n


def boxcox_mle(x: np.ndarray) -> float:
    """Box-Cox lambda by maximum likelihood: ``scipy.stats.boxcox_normmax(x, method="mle")``.

    The same Brent search over the same log-likelihood (scipy's ``boxcox_llf``, whose
    operations are reproduced without its array-API and NaN-policy wrappers: 20x faster,
    and the same result to the last bit, which ``tests/test_stats.py`` checks).

    Parameters
    ----------
    x : ndarray
        Strictly positive, finite values.

    Returns
    -------
    float
        The lambda maximising the Box-Cox log-likelihood.
    """
    from scipy import optimize, special

    x = np.asarray(x, dtype=float)
    logdata = np.log(x)
    total = logdata.sum()
    n = x.shape[0]
    log_n, half = math.log(n), n / 2

    def neg_llf(lmb: float) -> Any:
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            if lmb == 0:
                logvar = np.log(np.var(logdata))
            else:
                logvar = _boxcox_log_var(lmb * logdata, log_n) - 2 * math.log(abs(lmb))
        return -((lmb - 1) * total - half * logvar)

    res = optimize.brent(neg_llf, brack=(-2.0, 2.0))
    # scipy keeps the transformed extreme below float max / 1e4 (never binding on
    # ordinary data); the same guard
    ymax = np.finfo(np.float64).max / 10000
    xmax, xmin = float(x.max()), float(x.min())
    if xmin >= 1:
        extreme = xmax
    elif xmax <= 1:
        extreme = xmin
    else:
        extreme = xmax if special.boxcox(xmax, res) > abs(special.boxcox(xmin, res)) else xmin
    if abs(special.boxcox(extreme, res)) > ymax:
        y = ymax * np.sign(extreme - 1)
        num = special.lambertw(-(extreme ** (-1 / y)) * np.log(extreme) / y, k=-1)
        res = np.real(-num / np.log(extreme) - 1 / y)
    return float(res)


def _linregress(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    """``(slope, rvalue, pvalue)`` of ``scipy.stats.linregress(x, y)`` (same formulas).

    Raises
    ------
    ValueError
        When every ``x`` is equal, as scipy does.
    """
    from scipy import special

    n = len(x)
    if np.amax(x) == np.amin(x) and n > 1:
        raise ValueError("Cannot calculate a linear regression if all x values are identical")
    ssxm, ssxym, _, ssym = np.cov(x, y, bias=1).flat
    if ssxm == 0.0 or ssym == 0.0:
        r = math.nan if ssxym == 0 else 0.0
    else:
        r = ssxym / np.sqrt(ssxm * ssym)
        r = min(1.0, max(-1.0, r)) if abs(r) > 1.0 else r
    slope = ssxym / ssxm
    if n == 2:
        prob = 1.0 if y[0] == y[1] else 0.0
    else:
        df = n - 2
        tiny = 1.0e-20
        t = r * np.sqrt(df / ((1.0 - r + tiny) * (1.0 + r + tiny)))
        prob = 2 * special.stdtr(df, -np.abs(t))
    return float(slope), float(r), float(prob)


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
    train = _scale_free(_finite(ctx.train))[0]  # lambda is scale-free
    season = detect_period(ctx)
    period = season["period"] if season and season["kind"] == "seasonal" else 2
    if train.size < max(8, 3 * period) or train.min() <= 0 or _is_constant(train):
        return {"lambda": math.nan, "lambda_mle": math.nan, "period": period,
                "n": int(train.size), "positive": bool(train.size and train.min() > 0)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mle = float(boxcox_mle(train))
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
    slope, rvalue, pvalue = _linregress(np.log(level[ok]), np.log(spread[ok]))
    return {"positive": True, "block": int(w), "n_blocks": int(ok.sum()),
            "level_ratio": float(level.max() / level.min()), "slope": float(slope),
            "slope_pvalue": float(pvalue), "correlation": float(rvalue),
            "lambda_from_slope": float(1.0 - slope)}

