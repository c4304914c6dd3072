"""Autocorrelation: ACF, PACF and the Ljung-Box test, on FFT autocovariances (cached)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from lstm_doctor.stats._common import _finite, _is_constant, _scale_free, cached

if TYPE_CHECKING:
    from lstm_doctor.context import Context

#: Ljung-Box through statsmodels (O(n^2) direct ACF) up to this length; FFT ACF beyond.
LJUNG_BOX_DIRECT_MAX = 20_000


def _acf_raw(x: np.ndarray, nlags: int) -> np.ndarray:
    from statsmodels.tsa.stattools import acf as sm_acf

    x = _scale_free(_finite(x))[0]
    nlags = int(max(1, min(nlags, x.size - 1)))
    if _is_constant(x):
        return np.concatenate([[1.0], np.zeros(nlags)])
    return np.asarray(sm_acf(x, nlags=nlags, fft=True), dtype=float)


@cached
def acf(ctx: Context, x_key: str, x: np.ndarray, nlags: int) -> np.ndarray:
    """Sample autocorrelation of ``x`` at lags ``0..nlags`` (FFT; cached).

    Parameters
    ----------
    ctx : Context
        The run's context (cache).
    x_key : str
        Cache name of ``x``.
    x : ndarray
        The series (non-finite values are dropped).
    nlags : int
        Largest lag (limited to ``len(x) - 1``).

    Returns
    -------
    ndarray
        ``acf[k]`` for ``k = 0..nlags`` (``acf[0] == 1``).
    """
    return _acf_raw(x, nlags)


@cached
def pacf(ctx: Context, x_key: str, x: np.ndarray, nlags: int) -> np.ndarray:
    """Sample partial autocorrelation of ``x`` at lags ``0..k`` (cached).

    Levinson-Durbin on the cached FFT autocorrelation (:func:`acf`), i.e. statsmodels'
    ``pacf(method="ldb")``; ``k = min(nlags, len(x) // 2 - 1)``.

    Parameters
    ----------
    ctx : Context
        The run's context (cache).
    x_key : str
        Cache name of ``x``.
    x : ndarray
        The series (non-finite values are dropped).
    nlags : int
        Largest lag (limited to ``len(x) // 2 - 1``, at least 1).

    Returns
    -------
    ndarray
        ``pacf[k]`` for ``k = 0..k`` (``pacf[0] == 1``); zeros beyond lag 0 for a constant
        or too short series.
    """
    from statsmodels.tsa.stattools import levinson_durbin

    z = _finite(x)
    k = int(max(1, min(nlags, z.size // 2 - 1)))
    if _is_constant(z) or z.size < 4:
        return np.r_[1.0, np.zeros(k)]
    r = acf(ctx, x_key, z, k)
    with np.errstate(all="ignore"):
        values = np.asarray(levinson_durbin(r[: k + 1], nlags=k, isacov=True)[2],
                            dtype=float)
    return np.clip(np.nan_to_num(values, nan=0.0, posinf=0.0, neginf=0.0), -1.0, 1.0)


@cached
def pacf_significant_lags(ctx: Context, x_key: str, x: np.ndarray, nlags: int) -> list[int]:
    """Lags ``1..nlags`` where ``|PACF| > 1.96 / sqrt(n)`` (from :func:`pacf`; cached).

    Parameters
    ----------
    ctx : Context
        The run's context (cache).
    x_key : str
        Cache name of ``x``.
    x : ndarray
        The series (non-finite values are dropped).
    nlags : int
        Largest lag tested (limited to ``len(x) // 2 - 1``).

    Returns
    -------
    list of int
        The significant lags, ascending.
    """
    z = _finite(x)
    if _is_constant(z) or z.size < 4:
        return []
    values = pacf(ctx, x_key, z, nlags)
    bound = 1.96 / math.sqrt(z.size)
    return [int(lag) for lag in range(1, values.size) if abs(values[lag]) > bound]


@cached
def ljung_box(ctx: Context, x_key: str, x: np.ndarray, lags: int) -> dict[str, Any]:
    """Ljung-Box test of no autocorrelation up to ``lags`` (cached).

    Uses :func:`statsmodels.stats.diagnostic.acorr_ljungbox` up to
    :data:`LJUNG_BOX_DIRECT_MAX` points; beyond, the same statistic from FFT
    autocorrelations (statsmodels computes the ACF directly, which is quadratic in n).

    Parameters
    ----------
    ctx : Context
        The run's context (cache).
    x_key : str
        Cache name of ``x``.
    x : ndarray
        The series (non-finite values are dropped).
    lags : int
        Number of autocorrelations in the statistic (one test, ``lags`` degrees of
        freedom).

    Returns
    -------
    dict
        ``statistic``, ``pvalue``, ``lags``, ``nobs``, ``method``.
    """
    from scipy import stats as sps

    z = _scale_free(_finite(x))[0]
    k = int(max(1, min(lags, z.size - 2)))
    if _is_constant(z) or z.size < 4:
        return {"statistic": math.nan, "pvalue": math.nan, "lags": k, "nobs": int(z.size),
                "method": "constant series"}
    if z.size <= LJUNG_BOX_DIRECT_MAX:
        from statsmodels.stats.diagnostic import acorr_ljungbox

        res = acorr_ljungbox(z, lags=[k], return_df=True)
        stat, pval = float(res["lb_stat"].iloc[0]), float(res["lb_pvalue"].iloc[0])
        method = "statsmodels acorr_ljungbox"
    else:
        r = _acf_raw(z, k)[1:]
        n = z.size
        stat = float(n * (n + 2) * np.sum(r**2 / (n - np.arange(1, k + 1))))
        pval = float(sps.chi2.sf(stat, k))
        method = "Ljung-Box on FFT autocorrelations"
    return {"statistic": stat, "pvalue": pval, "lags": k, "nobs": int(z.size),
            "method": method}


def ljung_box_lags(n: int) -> int:
    """Ljung-Box lags used by the signal rules: ``min(10, n // 5)`` (at least 1)."""
    return int(max(1, min(10, n // 5)))

