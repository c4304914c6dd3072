"""Autocorrelation: ACF, PACF and the Ljung-Box test, on FFT autocovariances (cached)."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from lstm_doctor._numeric import _acf_fft, _fft_length, _levinson_pacf
from lstm_doctor.stats._common import _finite, _finite_scale_free, _is_constant, cached

if TYPE_CHECKING:
    from lstm_doctor.context import Context

#: Ljung-Box through statsmodels (O(n^2) direct ACF) up to this length; FFT ACF beyond.
LJUNG_BOX_DIRECT_MAX = 20_000
#: Beyond this many points, autocovariances use :func:`long_autocovariances` (dot products
#: for a few lags, a real FFT padded only to ``n + lags`` otherwise) instead of statsmodels'
#: complex FFT padded to ``2n + 1``; shorter series keep statsmodels' exact operations.
ACF_LONG_MIN = 20_000
#: ... and up to this many lags the sums are direct dot products (O(n * lags)).
ACF_DOT_MAX_LAGS = 32


def _acf_direct(x: np.ndarray, nlags: int) -> np.ndarray:
    """``statsmodels.tsa.stattools.acf(x, nlags, fft=False)`` (direct sums; same operations)."""
    nobs = x.shape[0]
    xo = x - x.mean()
    acov = np.correlate(xo, xo, "full")[nobs - 1:] / np.full(nobs, float(nobs))
    return acov[: nlags + 1] / acov[0]


def long_autocovariances(xo: np.ndarray, lags: int) -> np.ndarray:
    """Sums ``sum(xo[k:] * xo[:n - k])`` for ``k = 0..lags`` of a long, centred series.

    Direct dot products up to :data:`ACF_DOT_MAX_LAGS` lags (no padding at all); beyond, a
    real FFT padded to the next 5-smooth length ``>= n + lags + 1``, the least that keeps
    lags ``0..lags`` free of wrap-around (statsmodels pads to ``2n + 1`` and takes complex
    transforms: about 4x the work and memory). The sums agree with the direct ones to
    rounding (~1e-15 relative).

    Parameters
    ----------
    xo : ndarray
        The series, already centred (1-D, finite).
    lags : int
        Largest lag (``< len(xo)``).

    Returns
    -------
    ndarray
        ``lags + 1`` sums of lagged products (not divided by ``n``).
    """
    n = xo.shape[0]
    if lags <= ACF_DOT_MAX_LAGS:
        return np.array([np.dot(xo[k:], xo[: n - k]) for k in range(lags + 1)])
    size = _fft_length(n + lags + 1)
    spectrum = np.fft.rfft(xo, n=size)
    power = spectrum.real**2 + spectrum.imag**2
    del spectrum
    return np.fft.irfft(power, n=size)[: lags + 1]


def _acf_raw(x: np.ndarray, nlags: int) -> np.ndarray:
    x = _finite_scale_free(x)
    nlags = int(max(1, min(nlags, x.size - 1)))
    if _is_constant(x):
        return np.concatenate([[1.0], np.zeros(nlags)])
    if x.size > ACF_LONG_MIN:
        acov = long_autocovariances(x - x.mean(), nlags)
        return acov / acov[0]
    return _acf_fft(x, nlags)


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
    z = _finite(x)
    k = int(max(1, min(nlags, z.size // 2 - 1)))
    if _is_constant(z) or z.size < 4:
        return np.r_[1.0, np.zeros(k)]
    r = acf(ctx, x_key, z, k)
    with np.errstate(all="ignore"):
        values = _levinson_pacf(np.asarray(r[: k + 1], dtype=float), k)
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
    z = _finite_scale_free(x)
    k = int(max(1, min(lags, z.size - 2)))
    if _is_constant(z) or z.size < 4:
        return {"statistic": math.nan, "pvalue": math.nan, "lags": k, "nobs": int(z.size),
                "method": "constant series"}
    n = z.size
    if n <= LJUNG_BOX_DIRECT_MAX:
        # statsmodels' acorr_ljungbox(z, lags=[k]): direct autocorrelations, the same
        # operations without its argument handling and DataFrame
        r = _acf_direct(z, k)
        stat = float(n * (n + 2) * np.cumsum(r[1:k + 1] ** 2 / (n - np.arange(1, k + 1)))[-1])
        method = "statsmodels acorr_ljungbox"
    else:
        r = _acf_raw(z, k)[1:]
        stat = float(n * (n + 2) * np.sum(r**2 / (n - np.arange(1, k + 1))))
        method = "Ljung-Box on FFT autocorrelations"
    return {"statistic": stat, "pvalue": _chi2_sf(stat, k), "lags": k, "nobs": int(n),
            "method": method}


def _chi2_sf(stat: float, df: int) -> float:
    """``scipy.stats.chi2.sf(stat, df)`` (its special function, without the wrapper)."""
    from scipy import special

    if stat <= 0:
        return 1.0
    return float(special.chdtrc(df, stat))


def ljung_box_lags(n: int) -> int:
    """Ljung-Box lags used by the signal rules: ``min(10, n // 5)`` (at least 1)."""
    return int(max(1, min(10, n // 5)))

