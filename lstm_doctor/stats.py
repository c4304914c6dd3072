"""Shared statistics for the rules, each computed once per run through ``ctx.cached``.

Every function takes the :class:`~lstm_doctor.context.Context` first and caches its result
in it, so two rules asking the same question share one computation. Functions that test an
arbitrary array also take an ``x_key``: a short, stable name for that array (``"values"``,
``"diff1"``, ``"stationary"``...) that becomes part of the cache key, so the caller is
responsible for giving different arrays different keys.

The hypothesis tests themselves are statsmodels' and scipy's (ADF, KPSS, Ljung-Box,
Box-Cox MLE, STL); this module chooses their arguments, bounds their cost on long series
and reports the statistic, p-value, lags used and the regression variant.

Cost on long series
-------------------
ADF uses :func:`lstm_doctor.fast_adf.adfuller_fast` when it is available (chunked QR,
``O(n)`` memory) with the lag search capped at :data:`ADF_MAX_LAG`; KPSS caps its lag
count beyond :data:`KPSS_AUTO_MAX` points; ACF, PACF and Ljung-Box use FFT
autocovariances; the seasonal search looks at the last :data:`SEASON_MAX_POINTS` points,
scores candidates with an O(n) classical decomposition and runs STL only when
``n * period <= STL_MAX_WORK``. On 1e6 points the LD2xx rules together take seconds to
tens of seconds (dominated by the ADF regressions), with memory a few times the series.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

__all__ = [
    "acf",
    "adf",
    "boxcox_lambda",
    "detect_period",
    "differencing_order",
    "frequency_periods",
    "kpss",
    "lag_covers_period",
    "level_diagnosis",
    "level_shift",
    "ljung_box",
    "ljung_box_lags",
    "model_scale",
    "pacf",
    "pacf_significant_lags",
    "season_handling",
    "season_removed_by",
    "stabilising_transform",
    "stationarity_order",
    "stationarity_order_of",
    "stationary_series",
    "untestable_reason",
    "variance_grows_with_level",
    "variance_vs_level",
    "window_covers_period",
]

#: Significance level of the unit-root / stationarity tests.
ALPHA = 0.05
#: The stationarity and signal rules need this many finite values.
MIN_TEST_POINTS = 20
#: A unit root needs ADF to fail to reject even at this level (5-10 % is a grey zone).
UNIT_ROOT_ADF_P = 0.10
#: A deterministic trend must explain at least this share of the variance.
TREND_MIN_R2 = 0.10
#: Upper bound of the ADF lag search (statsmodels' default grows like n**0.25).
ADF_MAX_LAG = 60
#: ADF lag selection. BIC rather than statsmodels' default AIC: at the same size it keeps
#: the power on short series (white noise of 100 points: ADF rejects in 100 % of 300 draws
#: with BIC, 98.7 % with AIC, whose long lag lists leave p-values like 0.35).
ADF_AUTOLAG = "BIC"
#: KPSS uses statsmodels' automatic lags up to this length; beyond, the same lag count
#: capped at KPSS_MAX_LAG (the long-run variance costs O(n * lags)).
KPSS_AUTO_MAX = 50_000
KPSS_MAX_LAG = 500
#: Seasonal search (ACF, periodogram, STL) looks at the last this-many points at most.
SEASON_MAX_POINTS = 20_000
#: Ljung-Box through statsmodels (O(n^2) direct ACF) up to this length; FFT ACF beyond.
LJUNG_BOX_DIRECT_MAX = 20_000
#: Seasonal strength (noise-discounted) a period needs; a calendar period needs less.
SEASON_MIN_STRENGTH = 0.5
SEASON_MIN_STRENGTH_CALENDAR = 0.4
#: ... and the ACF of the detrended series at that lag must reach this.
SEASON_MIN_ACF = 0.2
#: Correlation of the two halves' profiles a non-calendar period needs (>= 4 cycles).
SEASON_MIN_PROFILE_CORR = 0.8
#: Correlation of the seasonal profiles of the two halves for a "stable" season.
SEASON_MIN_STABILITY = 0.9
#: STL confirms the chosen period when ``n * period`` is at most this (STL is O(n * p)).
STL_MAX_WORK = 2_000_000
#: ADF/KPSS refuse a "near-constant" input: all values equal except at most this many (or
#: this share of them), e.g. the differences of a clean step. Their lag selection and
#: long-run variance break down on it (statsmodels' KPSS raises OverflowError).
DEGENERATE_MAX_OFF = 2
DEGENERATE_MAX_OFF_SHARE = 0.01
#: A level shift (:func:`level_shift`): changes that are ~0 except a few jumps larger
#: than this many robust standard deviations of the changes...
SHIFT_MIN_JUMP_Z = 8.0
#: ... at most this many jumps (or 1 % of the points) ...
SHIFT_MAX_JUMPS = 3
#: ... each regime lasting at least this many points (a spike is not a shift) ...
SHIFT_MIN_SEGMENT = 5
#: ... and the step function explaining at least this share of the level's variance.
SHIFT_MIN_SHARE = 0.9
#: "The spread grows with the level" (LD205's default thresholds, shared with LD201, which
#: suggests the differencing order on the scale LD205's remedy produces): the power-law
#: slope of spread on level, its p-value and the ratio of the largest to smallest level.
VARIANCE_MIN_SLOPE = 0.5
VARIANCE_MAX_PVALUE = 0.01
VARIANCE_MIN_LEVEL_RATIO = 1.5
#: A Box-Cox lambda within this distance of 0 is proposed as a plain log.
LOG_LAMBDA_BAND = 0.25


def untestable_reason(ctx) -> str | None:
    """Why the unit-root/white-noise tests cannot judge the target (None when they can).

    Rules raise :class:`~lstm_doctor.rules.base.NotApplicable` with this reason: fewer
    than :data:`MIN_TEST_POINTS` finite values, or a constant series (LD103's finding).
    """
    x = ctx.values
    if x.size < MIN_TEST_POINTS:
        return (f"{x.size} finite values: too few for unit-root and white-noise tests "
                f"(need {MIN_TEST_POINTS})")
    if _is_constant(x):
        return "the series is constant (see LD103)"
    return None


def _finite(x: Any) -> np.ndarray:
    arr = np.asarray(x, dtype=float).ravel()
    return arr[np.isfinite(arr)]


def _is_constant(x: np.ndarray) -> bool:
    # relative to the magnitude (as LD103 judges it): 1e-15-scale noise is not constant
    return x.size == 0 or float(np.ptp(x)) <= 1e-12 * float(np.abs(x).max())


def _degenerate_reason(z: np.ndarray, min_size: int, what: str = "the series") -> str | None:
    """Why ``z`` cannot be given to a unit-root/stationarity test (None when it can).

    Too short, constant, or near-constant: every value equals the median except at most
    ``max(DEGENERATE_MAX_OFF, DEGENERATE_MAX_OFF_SHARE * n)`` (a constant with isolated
    spikes, such as the differences of a clean step). Scale-free: values count as equal
    when they differ by less than 1e-9 of the largest deviation.
    """
    if z.size < min_size:
        return f"too short ({what}: {z.size} values, need {min_size})"
    if _is_constant(z):
        return f"constant ({what})"
    dev = np.abs(z - np.median(z))
    off = int(np.count_nonzero(dev > 1e-9 * float(dev.max())))
    if off <= max(DEGENERATE_MAX_OFF, DEGENERATE_MAX_OFF_SHARE * z.size):
        return (f"near-constant ({what}: all but {off} of {z.size} values equal; a step or "
                "isolated spikes)")
    return None


# -- autocorrelation ----------------------------------------------------------------------

def _acf_raw(x: np.ndarray, nlags: int) -> np.ndarray:
    from statsmodels.tsa.stattools import acf as sm_acf

    x = _finite(x)
    nlags = int(max(1, min(nlags, x.size - 1)))
    if _is_constant(x):
        return np.concatenate([[1.0], np.zeros(nlags)])
    return np.asarray(sm_acf(x, nlags=nlags, fft=True), dtype=float)


def acf(ctx, x_key: str, x: np.ndarray, nlags: int) -> np.ndarray:
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
    return ctx.cached(("acf", x_key, int(nlags)), lambda: _acf_raw(x, nlags))


def pacf(ctx, x_key: str, x: np.ndarray, nlags: int) -> np.ndarray:
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

    def compute() -> np.ndarray:
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

    return ctx.cached(("pacf", x_key, int(nlags)), compute)


def pacf_significant_lags(ctx, x_key: str, x: np.ndarray, nlags: int) -> list[int]:
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

    def compute() -> list[int]:
        z = _finite(x)
        if _is_constant(z) or z.size < 4:
            return []
        values = pacf(ctx, x_key, z, nlags)
        bound = 1.96 / math.sqrt(z.size)
        return [int(lag) for lag in range(1, values.size) if abs(values[lag]) > bound]

    return ctx.cached(("pacf_significant", x_key, int(nlags)), compute)


def ljung_box(ctx, x_key: str, x: np.ndarray, lags: int) -> dict[str, Any]:
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

    def compute() -> dict[str, Any]:
        from scipy import stats as sps

        z = _finite(x)
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

    return ctx.cached(("ljung_box", x_key, int(lags)), compute)


# -- unit-root and stationarity tests -----------------------------------------------------

def _adf_raw(x: np.ndarray, regression: str) -> dict[str, Any]:
    z = _finite(x)
    ntrend = {"n": 0, "c": 1, "ct": 2, "ctt": 3}[regression]
    base = {"regression": regression, "nobs": int(z.size)}
    # ADF regresses the changes on the level: a degenerate level or degenerate changes
    # (a step, a straight line) give a perfect fit and a meaningless, infinite statistic
    reason = _degenerate_reason(z, 8 + 2 * ntrend) or \
        _degenerate_reason(np.diff(z), 2, "its changes")
    if reason:
        return {**base, "statistic": math.nan, "pvalue": math.nan, "usedlag": 0,
                "critical_values": {}, "maxlag": 0, "error": reason}
    default = int(math.ceil(12.0 * (z.size / 100.0) ** 0.25))
    maxlag = max(0, min(default, z.size // 2 - ntrend - 1, ADF_MAX_LAG))
    try:
        from lstm_doctor.fast_adf import adfuller_fast
    except ImportError:  # pragma: no cover - the fast path ships with the package
        adfuller_fast = None
    try:
        if adfuller_fast is not None:
            res = adfuller_fast(z, maxlag=maxlag, regression=regression, autolag=ADF_AUTOLAG)
            stat, pval, used, nobs, crit = (res.statistic, res.pvalue, res.usedlag, res.nobs,
                                            res.critical_values)
            impl = "fast_adf"
        else:  # pragma: no cover
            from statsmodels.tsa.stattools import adfuller

            stat, pval, used, nobs, crit, _ = adfuller(z, maxlag=maxlag, regression=regression,
                                                       autolag=ADF_AUTOLAG)
            impl = "statsmodels"
    except (ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
        return {**base, "statistic": math.nan, "pvalue": math.nan, "usedlag": 0,
                "critical_values": {}, "maxlag": maxlag, "error": f"{type(exc).__name__}: {exc}"}
    if not (np.isfinite(stat) and np.isfinite(pval)):
        return {**base, "statistic": math.nan, "pvalue": math.nan, "usedlag": 0,
                "critical_values": {}, "maxlag": maxlag,
                "error": "non-finite statistic (degenerate regression)"}
    return {"statistic": float(stat), "pvalue": float(pval), "usedlag": int(used),
            "nobs": int(nobs), "regression": regression, "maxlag": int(maxlag),
            "critical_values": {k: float(v) for k, v in dict(crit).items()}, "impl": impl}


def adf(ctx, x_key: str, x: np.ndarray, regression: str = "c") -> dict[str, Any]:
    """Augmented Dickey-Fuller unit-root test (H0: unit root), lag by AIC (cached).

    Parameters
    ----------
    ctx : Context
        The run's context (cache).
    x_key : str
        Cache name of ``x``.
    x : ndarray
        The series (non-finite values are dropped).
    regression : {"c", "ct", "ctt", "n"}
        Deterministic terms of the test regression.

    Returns
    -------
    dict
        ``statistic``, ``pvalue``, ``usedlag``, ``nobs``, ``regression``,
        ``critical_values``, ``maxlag`` (and ``error`` when the test could not run:
        statistic and p-value are then NaN).
    """
    return ctx.cached(("adf", x_key, regression), lambda: _adf_raw(x, regression))


def _kpss_auto_lags(z: np.ndarray, regression: str) -> int:
    """Hobijn et al. (1998) lag count, as statsmodels' ``nlags="auto"`` computes it."""
    if regression == "ct":
        t = np.arange(1, z.size + 1, dtype=float)
        resid = z - np.polyval(np.polyfit(t, z, 1), t)
    else:
        resid = z - z.mean()
    try:
        from statsmodels.tsa.stattools._stattools import _kpss_autolag

        return int(_kpss_autolag(resid, z.size))
    except ImportError:  # pragma: no cover - private helper moved: the legacy rule
        return int(math.ceil(12.0 * (z.size / 100.0) ** 0.25))


def _kpss_raw(x: np.ndarray, regression: str) -> dict[str, Any]:
    from statsmodels.tools.sm_exceptions import InterpolationWarning
    from statsmodels.tsa.stattools import kpss as sm_kpss

    z = _finite(x)
    reason = _degenerate_reason(z, 8)
    failed = {"statistic": math.nan, "pvalue": math.nan, "pvalue_bound": None, "lags": 0,
              "regression": regression, "nobs": int(z.size)}
    if reason:
        return {**failed, "error": reason}
    nlags: int | str = "auto"
    if z.size > KPSS_AUTO_MAX:  # statsmodels' long-run variance loops over every lag
        nlags = min(_kpss_auto_lags(z, regression), KPSS_MAX_LAG)
    result, error = None, ""
    # the automatic lag (Hobijn et al.) divides by a long-run variance that can vanish on
    # spiky inputs (OverflowError in statsmodels); fall back to the fixed rule then
    for attempt in (nlags, "legacy"):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = sm_kpss(z, regression=regression, nlags=attempt)
            except (ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
                error = f"{type(exc).__name__}: {exc}"
                continue
        if np.isfinite(result[0]) and np.isfinite(result[1]):
            break
        result, error = None, "non-finite statistic"
    if result is None:
        return {**failed, "error": error}
    stat, pval, lags, crit = result
    bound = None
    for w in caught:
        if issubclass(w.category, InterpolationWarning):
            text = str(w.message)
            bound = "lower" if "smaller" in text else "upper" if "greater" in text else None
            # "p-value is smaller than the indicated p-value" -> true p below 0.01
    return {"statistic": float(stat), "pvalue": float(pval), "pvalue_bound": bound,
            "lags": int(lags), "regression": regression, "nobs": int(z.size),
            "critical_values": {k: float(v) for k, v in crit.items()}}


def kpss(ctx, x_key: str, x: np.ndarray, regression: str = "c") -> dict[str, Any]:
    """KPSS stationarity test (H0: level- or trend-stationary), automatic lags (cached).

    statsmodels interpolates the p-value in a table and clips it to [0.01, 0.1];
    ``pvalue_bound`` says when it was clipped: ``"lower"`` (true p-value below 0.01),
    ``"upper"`` (above 0.1) or ``None``.

    Parameters
    ----------
    ctx : Context
        The run's context (cache).
    x_key : str
        Cache name of ``x``.
    x : ndarray
        The series (non-finite values are dropped).
    regression : {"c", "ct"}
        Null hypothesis: level-stationary (``"c"``) or trend-stationary (``"ct"``).

    Returns
    -------
    dict
        ``statistic``, ``pvalue``, ``pvalue_bound``, ``lags``, ``regression``, ``nobs``,
        ``critical_values``.
    """
    return ctx.cached(("kpss", x_key, regression), lambda: _kpss_raw(x, regression))


def _rejects_unit_root(res: dict) -> bool:
    return bool(np.isfinite(res["pvalue"]) and res["pvalue"] < ALPHA)


def _rejects_stationarity(res: dict) -> bool:
    return bool(np.isfinite(res["pvalue"]) and res["pvalue"] < ALPHA)


def _says_stationary(adf_res: dict, kpss_res: dict) -> bool:
    """ADF rejects a unit root and KPSS does not reject stationarity (at ALPHA).

    A strong ADF rejection (p < 0.01) overrules a weak KPSS rejection (0.01 < p < 0.05):
    KPSS with automatic lags over-rejects on short series (white noise of 100 points),
    while ADF rejecting at 1 % on a unit-root series is rare. A KPSS p-value at its
    lower table bound (< 0.01) is never overruled (the Nile's level shift).
    """
    if not _rejects_unit_root(adf_res):
        return False
    if not _rejects_stationarity(kpss_res):
        return True
    return bool(adf_res["pvalue"] < 0.01 and kpss_res["pvalue"] > 0.01
                and kpss_res.get("pvalue_bound") != "lower")


def _brief(res: dict) -> dict[str, Any]:
    keys = ("statistic", "pvalue", "usedlag", "lags", "pvalue_bound", "regression", "nobs",
            "error")
    return {k: res[k] for k in keys if k in res}


def _linear_trend(x: np.ndarray) -> tuple[float, float, float]:
    """``(slope, intercept, r2)`` of the least-squares line through ``x``."""
    t = np.arange(x.size, dtype=float)
    slope, intercept = np.polyfit(t, x, 1)
    var = float(np.var(x))
    r2 = 1.0 - float(np.var(x - (slope * t + intercept))) / var if var > 0 else 0.0
    return float(slope), float(intercept), r2


def _order_verdict(a: dict, k: dict) -> str:
    """What ADF (c) and KPSS (c) say about one differencing order.

    ``stationary`` (:func:`_says_stationary`), ``unit-root`` (ADF p >= UNIT_ROOT_ADF_P and
    KPSS p < ALPHA: LD201's own criterion), ``untestable`` (a test could not run) or
    ``inconclusive`` (anything else: the grey zone, or both tests rejecting, as on a level
    shift or on noise where KPSS over-rejects).
    """
    if not (np.isfinite(a["pvalue"]) and np.isfinite(k["pvalue"])):
        return "untestable"
    if _says_stationary(a, k):
        return "stationary"
    if a["pvalue"] >= UNIT_ROOT_ADF_P and _rejects_stationarity(k):
        return "unit-root"
    return "inconclusive"


def stationarity_order_of(ctx, x_key: str, x: np.ndarray, *, deseasonalize: bool = True,
                          trend: bool = False) -> dict[str, Any]:
    """Number of first differences ``d`` (0..2) that ``x`` needs: one per unit root found.

    Starting at ``d = 0``, ``x`` is differenced again only while the two tests agree on a
    unit root by LD201's criterion (ADF p >= :data:`UNIT_ROOT_ADF_P` and KPSS p <
    :data:`ALPHA`). The search stops, ``conclusive``, at the first order where ADF
    (constant) rejects a unit root at 5 % and KPSS (level) does not reject stationarity (a
    strong ADF rejection, p < 0.01, overrules a weak KPSS rejection, 0.01 < p < 0.05). It
    also stops, not conclusive, when the tests disagree or sit in the grey zone, or cannot
    run: a series is never differenced without evidence of a unit root (ADF rejecting at 1 %
    never leads to a difference, so noise on which KPSS happens to reject is not
    over-differenced). When :func:`detect_period` found a seasonal (not merely cyclic)
    period in the target, the seasonal profile is removed first, so seasonality alone never
    makes a series "non-stationary".

    Parameters
    ----------
    ctx : Context
        The run's context (cache; the season comes from the raw target).
    x_key : str
        Cache name of ``x``.
    x : ndarray
        The series (non-finite values are dropped).
    deseasonalize : bool
        Remove the target's seasonal profile first (default True).
    trend : bool
        Also accept ``d = 0`` with a linear trend removed when ADF and KPSS with a trend
        say trend-stationary and the line explains at least :data:`TREND_MIN_R2` of the
        variance (``detrend`` is then True; LD202's criterion).

    Returns
    -------
    dict
        ``d`` (2 at most), ``conclusive``, ``verdict`` (of the last order tested:
        ``stationary``, ``trend-stationary``, ``unit-root``, ``inconclusive`` or
        ``untestable``), ``detrend``, ``deseasonalized`` (the period removed, or 0) and
        ``per_order``: one ``{d, adf, kpss, verdict, stationary}`` entry per order tried.
    """

    def compute() -> dict[str, Any]:
        base, period = _seasonally_adjusted(ctx, x_key, x) if deseasonalize else (_finite(x), 0)
        per_order: list[dict[str, Any]] = []
        z = base
        for d in range(3):
            key = f"{x_key}|sa{period}|d{d}"
            a, k = adf(ctx, key, z, "c"), kpss(ctx, key, z, "c")
            verdict = _order_verdict(a, k)
            entry = {"d": d, "adf": _brief(a), "kpss": _brief(k), "verdict": verdict}
            if trend and d == 0 and verdict in ("unit-root", "inconclusive"):
                a_ct, k_ct = adf(ctx, key, z, "ct"), kpss(ctx, key, z, "ct")
                if _says_stationary(a_ct, k_ct) and _linear_trend(z)[2] >= TREND_MIN_R2:
                    verdict = entry["verdict"] = "trend-stationary"
                    entry.update(adf_trend=_brief(a_ct), kpss_trend=_brief(k_ct))
            entry["stationary"] = verdict in ("stationary", "trend-stationary")
            per_order.append(entry)
            if verdict != "unit-root":
                return {"d": d, "conclusive": entry["stationary"], "verdict": verdict,
                        "detrend": verdict == "trend-stationary", "deseasonalized": period,
                        "per_order": per_order}
            z = np.diff(z)
            if z.size < 10:
                break
        return {"d": min(2, len(per_order)), "conclusive": False, "verdict": "unit-root",
                "detrend": False, "deseasonalized": period, "per_order": per_order}

    return ctx.cached(("stationarity_order", x_key, deseasonalize, trend), compute)


def _level_shift_raw(x: np.ndarray) -> tuple[dict[str, Any] | None, np.ndarray | None]:
    n = x.size
    if n < MIN_TEST_POINTS or _is_constant(x):
        return None, None
    d = np.diff(x)
    med = float(np.median(d))
    dev = np.abs(d - med)
    mad = 1.4826 * float(np.median(dev))
    threshold = max(SHIFT_MIN_JUMP_Z * mad, 1e-9 * float(dev.max()))
    is_jump = dev > threshold
    jumps = np.flatnonzero(is_jump)
    if jumps.size == 0 or jumps.size > max(SHIFT_MAX_JUMPS, 0.01 * n):
        return None, None
    segments = np.diff(np.r_[0, jumps + 1, n])
    if segments.min() < SHIFT_MIN_SEGMENT:  # up and straight back down: a spike
        return None, None
    step = np.r_[0.0, np.cumsum(np.where(is_jump, d - med, 0.0))]
    adjusted = x - step
    share = 1.0 - float(np.var(adjusted)) / float(np.var(x))
    if share < SHIFT_MIN_SHARE:
        return None, None
    summary = {"at": [int(j + 1) for j in jumps],
               "sizes": [float(d[j] - med) for j in jumps],
               "share": share,
               "jump_threshold": threshold,
               "change_sd": mad}
    return summary, adjusted


def level_shift(ctx) -> dict[str, Any] | None:
    """Abrupt level shift(s) of the raw target that its unit-root tests would misread.

    A clean step is flat, jumps, and is flat again: ADF cannot reject a unit root and KPSS
    rejects stationarity, exactly as on a random walk, yet nothing wanders. Detected when
    the first differences are ~0 (within their robust spread) except 1 to
    ``max(SHIFT_MAX_JUMPS, 1 % of n)`` jumps larger than ``SHIFT_MIN_JUMP_Z`` robust
    standard deviations (1.4826 MAD) of the changes, every regime between jumps lasts at
    least :data:`SHIFT_MIN_SEGMENT` points (so a spike, up and straight back, is not a
    shift) and the step function explains at least :data:`SHIFT_MIN_SHARE` of the
    variance of the level (cached). A noisy regime change such as the Nile's (1898) is
    not "clean" and is left to the tests.

    Returns
    -------
    dict or None
        ``at`` (index of the first point after each jump), ``sizes``, ``share`` (variance
        explained by the steps), ``jump_threshold`` and ``change_sd`` (robust spread of the
        changes); None when there is no clean shift.
    """
    return ctx.cached(("level_shift",), lambda: _level_shift_raw(ctx.values))[0]


def _order_input(ctx) -> tuple[str, np.ndarray]:
    """The raw target, minus its level shifts when it has clean ones (key, values)."""
    summary, adjusted = ctx.cached(("level_shift",), lambda: _level_shift_raw(ctx.values))
    if summary is not None:
        return "values|shift-adjusted", adjusted
    return "values", ctx.values


def stationarity_order(ctx) -> dict[str, Any]:
    """:func:`stationarity_order_of` the raw target (``ctx.values``), trend-aware.

    A trend-stationary target stops at ``d = 0`` with ``detrend`` True (LD202's
    criterion); a target with clean level shifts (:func:`level_shift`) is tested with the
    shifts removed (``level_shift_adjusted`` is then True).
    """
    key, x = _order_input(ctx)
    order = stationarity_order_of(ctx, key, x, trend=True)
    return {**order, "level_shift_adjusted": key != "values"}


def stationary_series(ctx) -> np.ndarray:
    """``ctx.values`` made stationary, as :func:`stationarity_order` tested it.

    Clean level shifts are removed, then the seasonal profile when the target has a
    seasonal period, then the linear trend when the order is trend-stationary, and the
    series is differenced ``stationarity_order(ctx)["d"]`` times.
    """

    def compute() -> np.ndarray:
        order = stationarity_order(ctx)
        key, x = _order_input(ctx)
        z, _ = _seasonally_adjusted(ctx, key, x)
        if order["detrend"]:
            slope, intercept, _ = _linear_trend(z)
            z = z - (intercept + slope * np.arange(z.size, dtype=float))
        for _ in range(order["d"]):
            z = np.diff(z)
        return z

    return ctx.cached(("stationary_series",), compute)


def level_diagnosis(ctx) -> dict[str, Any]:
    """What the level of the raw target is, from ADF and KPSS with and without a trend.

    Shared by LD201 (unit root), LD202 (trend-stationary), LD206 and LD207 (random walk)
    so that they agree. The series is seasonally adjusted first when it has a seasonal
    period (see :func:`stationarity_order_of`). ``kind`` is one of:

    ``stationary``
        ADF (c) rejects a unit root at 5 % and KPSS (c) does not reject stationarity.
    ``level-shift``
        Not ``stationary``, and the level is flat between a few clean jumps
        (:func:`level_shift`): a structural break that the tests would read as a unit
        root (or a trend), not a wandering level.
    ``trend-stationary``
        Not the above, but ADF (ct) rejects a unit root, KPSS (ct) does not reject
        trend-stationarity and a linear trend explains at least :data:`TREND_MIN_R2` of
        the variance.
    ``unit-root``
        ADF (c) does not reject even at :data:`UNIT_ROOT_ADF_P` (10 %) and KPSS (c)
        rejects at 5 %: the two tests agree on a unit root.
    ``inconclusive``
        Anything else: the tests disagree (a noisy level shift, as in the Nile series,
        makes both reject) or the ADF p-value is in the grey zone between 5 % and 10 %
        (sunspots: 0.053), or a test could not run.

    Returns
    -------
    dict
        ``kind``, ``adf_c``, ``kpss_c``, ``adf_ct``, ``kpss_ct`` (test results),
        ``trend_slope`` (per step), ``trend_r2``, ``deseasonalized`` (period removed or 0),
        ``level_shift`` (:func:`level_shift`, or None).
    """

    def compute() -> dict[str, Any]:
        x, period = _seasonally_adjusted(ctx, "values", ctx.values)
        key = f"values|sa{period}|d0"
        a_c, k_c = adf(ctx, key, x, "c"), kpss(ctx, key, x, "c")
        a_ct, k_ct = adf(ctx, key, x, "ct"), kpss(ctx, key, x, "ct")
        slope, _, r2 = _linear_trend(x)
        shift = level_shift(ctx)
        level_ok = _says_stationary(a_c, k_c)
        trend_ok = _says_stationary(a_ct, k_ct)
        if level_ok:
            kind = "stationary"
        elif shift is not None:
            kind = "level-shift"
        elif trend_ok and r2 >= TREND_MIN_R2:
            kind = "trend-stationary"
        elif a_c["pvalue"] >= UNIT_ROOT_ADF_P and _rejects_stationarity(k_c):
            kind = "unit-root"
        else:
            kind = "inconclusive"
        return {"kind": kind, "adf_c": _brief(a_c), "kpss_c": _brief(k_c),
                "adf_ct": _brief(a_ct), "kpss_ct": _brief(k_ct), "trend_slope": slope,
                "trend_r2": r2, "deseasonalized": period, "level_shift": shift}

    return ctx.cached(("level_diagnosis",), compute)


# -- seasonality --------------------------------------------------------------------------

def frequency_periods(freq: str | None) -> list[int]:
    """Seasonal periods suggested by a pandas frequency alias.

    monthly -> 12, quarterly -> 4, weekly -> 52, daily -> 7, business-daily -> 5,
    hourly -> 24 and 168, sub-daily steps -> steps per day and per week.
    Annual, integer or unknown frequencies suggest nothing.
    """
    if not freq:
        return []
    f = str(freq).upper()
    if f.startswith(("QS", "Q", "BQ")):
        return [4]
    if f.startswith(("MS", "ME", "BM", "SM", "CBM")) or f == "M":
        return [12]
    if f.startswith("W"):
        return [52]
    if f in ("B", "C"):
        return [5]
    try:
        import pandas as pd

        offset = pd.tseries.frequencies.to_offset(freq)
        seconds = pd.Timedelta(offset).total_seconds()
    except (ValueError, TypeError):
        return []
    if seconds <= 0:
        return []
    if seconds == 86400:
        return [7]
    if seconds < 86400 and 86400 % seconds == 0:
        per_day = int(86400 // seconds)
        return [per_day, 7 * per_day]
    return []


def _season_candidates(x: np.ndarray, hints: list[int]) -> list[int]:
    """Candidate periods: calendar hints, ACF peaks (differenced and detrended), periodogram."""
    from scipy.signal import periodogram

    n = x.size
    max_p = n // 3
    cands: list[int] = [p for p in hints if 2 <= p <= max_p]
    t = np.arange(n, dtype=float)
    detr = x - np.polyval(np.polyfit(t, x, 1), t)
    nl = int(min(max_p, 800))
    bound = 1.96 / math.sqrt(n)
    for series in (np.diff(x), detr):
        if nl < 3 or _is_constant(series):
            continue
        r = _acf_raw(series, nl)
        peaks = [k for k in range(2, r.size - 1)
                 if r[k] > r[k - 1] and r[k] >= r[k + 1] and r[k] > bound]
        peaks.sort(key=lambda k: -r[k])
        cands.extend(peaks[:4])
    if not _is_constant(detr):
        freqs, power = periodogram(detr, detrend="constant")
        keep = freqs > 0
        freqs, power = freqs[keep], power[keep]
        added = 0
        for i in np.argsort(power)[::-1][:20]:
            p = int(round(1.0 / freqs[i]))
            if 2 <= p <= max_p:
                cands.append(p)
                added += 1
            if added >= 4:
                break
    return list(dict.fromkeys(cands))


def _ma_trend(x: np.ndarray, period: int) -> tuple[np.ndarray, int]:
    """Centred moving average of length ``period`` (2 x p for even p); ``(trend, offset)``."""
    if period % 2 == 0:
        w = np.r_[0.5, np.ones(period - 1), 0.5] / period
    else:
        w = np.ones(period) / period
    return np.convolve(x, w, mode="valid"), (w.size - 1) // 2


def _phase_means(values: np.ndarray, phase: np.ndarray, period: int) -> np.ndarray:
    counts = np.bincount(phase, minlength=period)
    sums = np.bincount(phase, weights=values, minlength=period)
    return sums / np.maximum(counts, 1)


def _classical(x: np.ndarray, period: int) -> dict[str, Any]:
    """Classical decomposition: moving-average trend, fixed seasonal profile, remainder."""
    trend, off = _ma_trend(x, period)
    detr = x[off:off + trend.size] - trend
    phase = (np.arange(detr.size) + off) % period
    profile = _phase_means(detr, phase, period)
    profile -= profile.mean()
    return {"detrended": detr, "phase": phase, "profile": profile,
            "remainder": detr - profile[phase]}


def _score_period(x: np.ndarray, period: int) -> dict[str, Any]:
    """Seasonal strength, ACF at the period and profile stability of one candidate."""
    dec = _classical(x, period)
    detr, phase, rem = dec["detrended"], dec["phase"], dec["remainder"]
    var = float(np.var(detr))
    raw = max(0.0, 1.0 - float(np.var(rem)) / var) if var > 0 else 0.0
    # a profile of p free means fits ~ (p - 1) / (N - 1) of pure noise: discount it
    base = (period - 1) / max(detr.size - 1, 1)
    strength = max(0.0, (raw - base) / (1.0 - base)) if base < 1 else 0.0
    cycles = detr.size / period
    stability = math.nan
    if cycles >= 4:
        half = int(cycles // 2) * period
        a = _phase_means(detr[:half], phase[:half], period)
        b = _phase_means(detr[-half:], phase[-half:], period)
        if np.std(a) > 0 and np.std(b) > 0:
            stability = float(np.corrcoef(a, b)[0, 1])
    r = _acf_raw(detr, period)
    return {"period": int(period), "strength": strength, "raw_strength": raw,
            "acf_at_period": float(r[period]) if r.size > period else 0.0,
            "stability": stability, "cycles": float(x.size / period)}


def _stl_strength(x: np.ndarray, period: int) -> float:
    from statsmodels.tsa.seasonal import STL

    res = STL(x, period=int(period), robust=False).fit()
    seas, resid = np.asarray(res.seasonal), np.asarray(res.resid)
    denom = float(np.var(seas + resid))
    return max(0.0, 1.0 - float(np.var(resid)) / denom) if denom > 0 else 0.0


def _passes(s: dict[str, Any], calendar: bool) -> bool:
    if s["acf_at_period"] < SEASON_MIN_ACF:
        return False
    if calendar:  # a calendar period needs 3 cycles; its profile must not flip
        return bool(s["strength"] >= SEASON_MIN_STRENGTH_CALENDAR and s["cycles"] >= 3
                    and not (np.isfinite(s["stability"]) and s["stability"] < 0.5))
    return bool(s["strength"] >= SEASON_MIN_STRENGTH and np.isfinite(s["stability"])
                and s["stability"] >= SEASON_MIN_PROFILE_CORR)


def _detect_period_raw(values: np.ndarray, freq: str | None) -> dict[str, Any] | None:
    x = _finite(values)[-SEASON_MAX_POINTS:]
    if x.size < 12 or _is_constant(x):
        return None
    hints = frequency_periods(freq)
    scored = [_score_period(x, p) for p in _season_candidates(x, hints)]
    good = [s for s in scored if _passes(s, s["period"] in hints)]
    if not good:
        return None
    calendar_good = [s for s in good if s["period"] in hints]
    if calendar_good:
        best = max(calendar_good, key=lambda s: s["strength"])
    else:  # the fundamental: the shortest period nearly as strong as the strongest
        top = max(s["strength"] for s in good)
        best = min((s for s in good if s["strength"] >= 0.9 * top), key=lambda s: s["period"])
    p = best["period"]
    stl = _stl_strength(x, p) if x.size * p <= STL_MAX_WORK else None
    if stl is not None and stl < SEASON_MIN_STRENGTH_CALENDAR:
        return None
    calendar = bool(p in hints)
    stable = bool(np.isfinite(best["stability"]) and best["stability"] >= SEASON_MIN_STABILITY)
    kind = "seasonal" if calendar or (stable and best["cycles"] >= 8) else "cycle"
    return {**best, "stl_strength": stl, "kind": kind, "stable": stable, "calendar": calendar,
            "method": ("calendar" if calendar else "acf/periodogram") + " + seasonal strength",
            "hints": hints, "other_periods": sorted(s["period"] for s in good if s is not best),
            "candidates": [s["period"] for s in scored], "n_used": int(x.size)}


def detect_period(ctx) -> dict[str, Any] | None:
    """The dominant seasonal period of the raw target, or None (cached).

    Candidates come from the frequency (:func:`frequency_periods`), peaks of the ACF of
    the differenced and of the linearly detrended series, and the periodogram's largest
    peaks. Each is scored on a classical decomposition (centred moving-average trend,
    fixed seasonal profile): seasonal strength ``F_s = max(0, 1 - Var(R) / Var(S + R))``
    (Hyndman & Athanasopoulos, FPP3 4.3) discounted by what a profile of ``p`` free means
    fits in pure noise, the ACF of the detrended series at the period, and the stability
    of the profile (correlation of the profiles of the two halves). A period needs
    ``ACF >= SEASON_MIN_ACF`` and either ``strength >= SEASON_MIN_STRENGTH`` with a
    profile correlation >= ``SEASON_MIN_PROFILE_CORR`` over >= 4 cycles, or, for a
    calendar period, ``strength >= SEASON_MIN_STRENGTH_CALENDAR`` over >= 3 cycles with a
    profile that does not flip. A calendar period wins over others; otherwise the
    shortest period at least 90 % as strong as the strongest (the fundamental, not its
    multiples). The winner is confirmed by STL's
    seasonal strength when the series is small enough (``n * p <= STL_MAX_WORK``).

    ``kind`` is ``"seasonal"`` for a calendar period, or one whose profile is stable
    (correlation >= SEASON_MIN_STABILITY over >= 8 cycles); otherwise ``"cycle"``: a
    quasi-periodic cycle (lynx) whose length and phase drift, which a window can capture
    but seasonal differencing should not remove. Sunspots' ~11-year cycle drifts so much
    that no period passes at all.

    Returns
    -------
    dict or None
        ``period``, ``strength``, ``raw_strength``, ``stl_strength`` (None when skipped),
        ``acf_at_period``, ``stability``, ``stable``, ``cycles``, ``kind``, ``calendar``,
        ``method``, ``hints``, ``other_periods``, ``candidates``, ``n_used``.
    """
    return ctx.cached(("detect_period",),
                      lambda: _detect_period_raw(ctx.values, ctx.series.frequency))


def _seasonally_adjusted(ctx, x_key: str, x: np.ndarray) -> tuple[np.ndarray, int]:
    """``x`` minus its seasonal profile when the target has a seasonal (not cyclic) period.

    The profile is the classical one (phase means of ``x`` minus its centred moving
    average), so the adjustment costs O(n) on any length. Returns ``(series, period)``
    with period 0 when nothing was removed (cached per ``x_key``).
    """

    def compute() -> tuple[np.ndarray, int]:
        z = _finite(x)
        season = detect_period(ctx)
        if not season or season["kind"] != "seasonal" or z.size < 2 * season["period"] + 1:
            return z, 0
        p = season["period"]
        profile = _classical(z, p)["profile"]
        return z - profile[np.arange(z.size) % p], p

    return ctx.cached(("seasonally_adjusted", x_key), compute)


# -- variance -----------------------------------------------------------------------------

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


def boxcox_lambda(ctx) -> dict[str, Any]:
    """Box-Cox lambda of the positive training part of the target (cached).

    Returns
    -------
    dict
        ``lambda`` (Guerrero's method on subseries of the seasonal period, or of 2 points
        without one, as R's ``forecast::BoxCox.lambda``), ``lambda_mle`` (scipy's
        maximum likelihood), ``period`` used, ``n``; ``lambda`` is NaN when the
        training part is not strictly positive.
    """

    def compute() -> dict[str, Any]:
        from scipy import stats as sps

        train = _finite(ctx.train)
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

    return ctx.cached(("boxcox_lambda",), compute)


def variance_vs_level(ctx) -> dict[str, Any]:
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

    def compute() -> dict[str, Any]:
        from scipy import stats as sps

        x = ctx.values
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

    return ctx.cached(("variance_vs_level",), compute)


def lag_covers_period(lag: int, period: int) -> bool:
    """Whether a seasonal lag (differencing or profile) handles ``period``.

    True when ``lag`` is, within 5 % of ``period``, a multiple of it (52 or 53 handle a
    weekly series' yearly season; 336 handles a half-hourly daily season of 48).
    """
    if not lag or not period:
        return False
    k = max(1, round(lag / period))
    return abs(lag - k * period) <= 0.05 * period


def season_removed_by(prep, period: int) -> str | None:
    """Which preprocessing stage removes a season of ``period`` (None when none does).

    The one definition of "the set-up removes the season", shared by LD203, LD204, LD502
    and LD503: ``preprocessing.seasonal_difference`` or ``preprocessing.deseasonalize``
    at a lag that covers the period (:func:`lag_covers_period`: the period or a multiple
    of it, within 5 %). A lag near the period but not a multiple (5 for a period of 4,
    13 for 12) does not remove it: ``x[t] - x[t-5]`` leaves a period-4 season in.

    Parameters
    ----------
    prep : Preprocessing
        The set-up's preprocessing section.
    period : int
        The seasonal period (0: no season).

    Returns
    -------
    str or None
        ``"seasonal_difference"``, ``"deseasonalize"`` or None.
    """
    if not period:
        return None
    if lag_covers_period(prep.seasonal_difference, period):
        return "seasonal_difference"
    if lag_covers_period(prep.deseasonalize, period):
        return "deseasonalize"
    return None


def window_covers_period(seq_length: int, period: int) -> bool:
    """Whether an input window of ``seq_length`` steps reaches back one ``period``.

    With ``seq_length >= period`` every window holds the value one season before the
    first step it forecasts (for a one-step horizon), so the network can see the season.
    """
    return bool(period) and int(seq_length) >= int(period)


def season_handling(ctx, period: int) -> dict[str, Any]:
    """How the set-up deals with a season of ``period``: removed, seen, or neither.

    Returns
    -------
    dict
        ``period``; ``removed_by`` (:func:`season_removed_by`); ``window_covers``
        (:func:`window_covers_period` of the set-up's ``seq_length``); ``handled_by``
        (``removed_by``, else ``"window"`` when the window covers it, else None) and
        ``misplaced``: the seasonal stages configured at a lag that does not cover the
        period (``{key: lag}``).
    """
    prep, win = ctx.config.preprocessing, ctx.config.window
    removed = season_removed_by(prep, period)
    # a window of seq_length steps sampled every sampling_rate points spans more points
    seen = window_covers_period((win.seq_length - 1) * win.sampling_rate + 1, period)
    misplaced = {key: int(lag) for key, lag in (("seasonal_difference",
                                                 prep.seasonal_difference),
                                                ("deseasonalize", prep.deseasonalize))
                 if lag and not lag_covers_period(lag, period)}
    return {"period": int(period), "removed_by": removed, "window_covers": seen,
            "handled_by": removed or ("window" if seen else None), "misplaced": misplaced}


# -- the scale the level is modelled on ---------------------------------------------------

def variance_grows_with_level(rel: dict[str, Any], *, min_slope: float = VARIANCE_MIN_SLOPE,
                              max_pvalue: float = VARIANCE_MAX_PVALUE,
                              min_level_ratio: float = VARIANCE_MIN_LEVEL_RATIO) -> bool:
    """LD205's judgement of :func:`variance_vs_level`: ``sd ~ level ** b`` with ``b`` large.

    True when the power-law slope ``b >= min_slope`` with p-value ``< max_pvalue`` over
    levels that vary at least ``min_level_ratio``-fold.
    """
    if "slope" not in rel:
        return False
    return bool(rel["slope"] >= min_slope and rel["slope_pvalue"] < max_pvalue
                and rel["level_ratio"] >= min_level_ratio)


def stabilising_transform(ctx, *, log_band: float = LOG_LAMBDA_BAND) -> dict[str, Any]:
    """The variance-stabilising transform LD205 proposes (log or Box-Cox).

    The Box-Cox lambda is Guerrero's (:func:`boxcox_lambda`), else ``1 - b`` from
    :func:`variance_vs_level`; within ``log_band`` of 0 it is a plain log, otherwise
    Box-Cox with lambda clipped to [-1, 1].

    Returns
    -------
    dict
        ``transform`` (``"log"`` or ``"boxcox"``), ``lambda`` (0 for log) and
        ``lambda_estimate`` (before rounding to log/clipping).
    """
    lam = boxcox_lambda(ctx)["lambda"]
    if not math.isfinite(lam):
        lam = variance_vs_level(ctx).get("lambda_from_slope", math.nan)
    if not math.isfinite(lam) or abs(lam) <= log_band:
        return {"transform": "log", "lambda": 0.0, "lambda_estimate": float(lam)}
    return {"transform": "boxcox", "lambda": float(max(-1.0, min(1.0, lam))),
            "lambda_estimate": float(lam)}


def model_scale(ctx) -> dict[str, Any]:
    """The scale the target's level is modelled on once the remedies are applied (cached).

    The set-up's own log/Box-Cox when it has one; otherwise the transform LD205 proposes
    (:func:`stabilising_transform`) when the spread grows with the level
    (:func:`variance_grows_with_level` with LD205's thresholds in this run, i.e. including
    the user's overrides); otherwise the raw scale.

    Returns
    -------
    dict
        ``transform`` (``"log"``, ``"boxcox"`` or None for the raw scale), ``lambda``,
        ``offset`` (added before the log, 1 when the series has zeros, as the
        preprocessing does), ``source`` (``"setup"``, ``"variance grows with level"`` or
        None) and ``name`` (``"raw"``, ``"log"``, ``"Box-Cox(0.5)"``).
    """

    def compute() -> dict[str, Any]:
        prep = ctx.config.preprocessing
        x = ctx.values
        raw = {"transform": None, "lambda": None, "offset": 0.0, "source": None,
               "name": "raw"}
        if x.size == 0:
            return raw
        if prep.log and x.min() >= 0:
            offset = 1.0 if x.min() == 0 else 0.0
            return {"transform": "log", "lambda": 0.0, "offset": offset, "source": "setup",
                    "name": "log" if not offset else "log(1 + y)"}
        if prep.boxcox is not None and x.min() > 0:
            lam = float(prep.boxcox)
            return {"transform": "boxcox", "lambda": lam, "offset": 0.0, "source": "setup",
                    "name": f"Box-Cox({lam:g})"}
        if prep.log or prep.boxcox is not None:
            return raw  # the set-up's transform is invalid here (the pipeline says so)
        o = getattr(ctx, "rule_options", {}).get("LD205", {})
        rel = variance_vs_level(ctx)
        grows = variance_grows_with_level(
            rel, min_slope=o.get("min_slope", VARIANCE_MIN_SLOPE),
            max_pvalue=o.get("max_pvalue", VARIANCE_MAX_PVALUE),
            min_level_ratio=o.get("min_level_ratio", VARIANCE_MIN_LEVEL_RATIO))
        if not (rel.get("positive") and grows):
            return raw
        t = stabilising_transform(ctx, log_band=o.get("log_lambda_band", LOG_LAMBDA_BAND))
        name = "log" if t["transform"] == "log" else f"Box-Cox({t['lambda']:.2f})"
        return {"transform": t["transform"], "lambda": t["lambda"], "offset": 0.0,
                "source": "variance grows with level", "name": name}

    return ctx.cached(("model_scale",), compute)


def differencing_order(ctx) -> dict[str, Any]:
    """:func:`stationarity_order` on the scale the remedies model the level on (cached).

    On an exponentially growing series the raw level may need one more difference than
    its log (the changes grow with the level); a remedy that takes logs (the set-up's, or
    LD205's) and differences must difference on the log scale. This is the order LD201
    and LD304 propose.

    Returns
    -------
    dict
        The :func:`stationarity_order` result plus ``scale`` (:func:`model_scale`).
    """

    def compute() -> dict[str, Any]:
        scale = model_scale(ctx)
        if scale["transform"] is None:
            return {**stationarity_order(ctx), "scale": scale}
        x = ctx.values + scale["offset"]
        lam = scale["lambda"]
        if scale["transform"] == "log" or abs(lam) < 1e-12:
            z = np.log(x)
        else:
            z = (np.power(x, lam) - 1.0) / lam
        key = f"values|{scale['name']}"
        return {**stationarity_order_of(ctx, key, z, trend=True), "scale": scale,
                "level_shift_adjusted": False}

    return ctx.cached(("differencing_order",), compute)


def ljung_box_lags(n: int) -> int:
    """Ljung-Box lags used by the signal rules: ``min(10, n // 5)`` (at least 1)."""
    return int(max(1, min(10, n // 5)))
