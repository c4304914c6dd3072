"""Unit-root and stationarity tests: ADF and KPSS, and what the pair of them says (cached).

ADF uses :func:`lstm_doctor.stats.fast_adf.adfuller_fast` (chunked QR, ``O(n)`` memory)
with the lag search capped at :data:`ADF_MAX_LAG`; KPSS caps its lag count beyond
:data:`KPSS_AUTO_MAX` points.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from lstm_doctor.stats._common import ALPHA, _degenerate_reason, _finite_scale_free, cached

if TYPE_CHECKING:
    from lstm_doctor.context import Context

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


def _adf_raw(x: np.ndarray, regression: str) -> dict[str, Any]:
    z = _finite_scale_free(x)  # the statistic is scale-free
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
        from lstm_doctor.stats.fast_adf import adfuller_fast
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


@cached
def adf(ctx: Context, x_key: str, x: np.ndarray, regression: str = "c") -> dict[str, Any]:
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
    return _adf_raw(x, regression)


def _kpss_resids(z: np.ndarray, regression: str) -> np.ndarray:
    """The residuals statsmodels' KPSS works on: demeaned, or of an OLS line (``"ct"``).

    For ``"ct"`` the line is fitted as statsmodels' ``OLS(z, add_constant(t)).fit()``
    does (pseudo-inverse from the SVD), with the same operations.
    """
    nobs = z.shape[0]
    if regression != "ct":
        return z - z.mean()
    exog = np.column_stack([np.ones(nobs), np.arange(1, nobs + 1)])
    u, s, vt = np.linalg.svd(exog, False)
    cutoff = 1e-15 * np.maximum.reduce(s)
    s = np.where(s > cutoff, 1.0 / np.where(s > cutoff, s, 1.0), 0.0)
    pinv = np.dot(np.transpose(vt), np.multiply(s[:, np.newaxis], np.transpose(u)))
    return z - np.dot(exog, np.dot(pinv, z))


def _kpss_autolag(resids: np.ndarray, nobs: int) -> int:
    """Hobijn et al.'s (1998) lag count of a KPSS long-run variance (statsmodels' rule)."""
    covlags = int(np.power(nobs, 2.0 / 9.0))
    s0 = np.sum(resids**2) / nobs
    s1 = 0
    for i in range(1, covlags + 1):
        prod = np.dot(resids[i:], resids[: nobs - i])
        prod /= nobs / 2.0
        s0 += prod
        s1 += i * prod
    s_hat = s1 / s0
    pwr = 1.0 / 3.0
    gamma_hat = 1.1447 * np.power(s_hat * s_hat, pwr)
    return int(gamma_hat * np.power(nobs, pwr))


#: KPSS critical values (Kwiatkowski et al. 1992, table 1) and their p-values.
_KPSS_CRIT = {"c": [0.347, 0.463, 0.574, 0.739], "ct": [0.119, 0.146, 0.176, 0.216]}
_KPSS_PVALS = [0.10, 0.05, 0.025, 0.01]


def _kpss_test(z: np.ndarray, regression: str, nlags: int | str,
               resids: np.ndarray | None = None) -> tuple[float, float, int]:
    """``statsmodels.tsa.stattools.kpss(z, regression, nlags)[:3]``, the same operations.

    ``nlags`` is ``"auto"`` (Hobijn et al.), ``"legacy"`` (``ceil(12 (n/100)^(1/4))``) or a
    number; the p-value is interpolated in the table and clipped to [0.01, 0.1].
    ``resids`` are :func:`_kpss_resids` when the caller has them already. Beyond
    :data:`KPSS_AUTO_MAX` points the long-run variance's lagged sums come from
    :func:`~lstm_doctor.stats.autocorrelation.long_autocovariances` (the same sums to
    rounding, in ``O(n log n)`` rather than ``O(n * lags)``).

    Raises
    ------
    ValueError, ArithmeticError
        Where statsmodels raises (a vanishing long-run variance in the automatic lags).
    """
    nobs = z.shape[0]
    if resids is None:
        resids = _kpss_resids(z, regression)
    if nlags == "legacy":
        lags = min(int(np.ceil(12.0 * np.power(nobs / 100.0, 1 / 4.0))), nobs - 1)
    elif nlags == "auto":
        lags = min(_kpss_autolag(resids, nobs), nobs - 1)
    else:
        lags = int(nlags)
        if lags >= nobs:
            raise ValueError(f"lags ({lags}) must be < number of observations ({nobs})")
    eta = np.sum(resids.cumsum() ** 2) / (nobs**2)
    s_hat = np.sum(resids**2)
    if nobs > KPSS_AUTO_MAX and lags > 0:
        from lstm_doctor.stats.autocorrelation import long_autocovariances

        prods = long_autocovariances(resids, lags)[1:]
        bartlett = 1.0 - np.arange(1, lags + 1) / (lags + 1.0)
        s_hat += float(np.sum(2 * prods * bartlett))
        return _kpss_result(eta, s_hat, nobs, regression, lags)
    for i in range(1, lags + 1):
        prod = np.dot(resids[i:], resids[: nobs - i])
        s_hat += 2 * prod * (1.0 - (i / (lags + 1.0)))
    return _kpss_result(eta, s_hat, nobs, regression, lags)


def _kpss_result(eta: float, s_hat: float, nobs: int, regression: str,
                 lags: int) -> tuple[float, float, int]:
    stat = eta / (s_hat / nobs)
    crit = _KPSS_CRIT[regression]
    return stat, np.interp(stat, crit, _KPSS_PVALS), lags


def _kpss_raw(x: np.ndarray, regression: str) -> dict[str, Any]:
    z = _finite_scale_free(x)  # the statistic is scale-free
    reason = _degenerate_reason(z, 8)
    failed = {"statistic": math.nan, "pvalue": math.nan, "pvalue_bound": None, "lags": 0,
              "regression": regression, "nobs": int(z.size)}
    if reason:
        return {**failed, "error": reason}
    nlags: int | str = "auto"
    resids = None
    if z.size > KPSS_AUTO_MAX:  # the long-run variance loops over every lag
        resids = _kpss_resids(z, regression)
        nlags = min(_kpss_autolag(resids, z.size), KPSS_MAX_LAG)
    result, error = None, ""
    # the automatic lag (Hobijn et al.) divides by a long-run variance that can vanish on
    # spiky inputs (OverflowError); fall back to the fixed rule then
    for attempt in (nlags, "legacy"):
        try:
            with np.errstate(all="ignore"):
                result = _kpss_test(z, regression, attempt, resids)
        except (ValueError, ArithmeticError, np.linalg.LinAlgError) as exc:
            error = f"{type(exc).__name__}: {exc}"
            continue
        if np.isfinite(result[0]) and np.isfinite(result[1]):
            break
        result, error = None, "non-finite statistic"
    if result is None:
        return {**failed, "error": error}
    stat, pval, lags = result
    # statsmodels warns when the table clips the p-value: "smaller" (true p below 0.01) or
    # "greater" (above 0.1)
    bound = "lower" if pval == _KPSS_PVALS[-1] else "upper" if pval == _KPSS_PVALS[0] else None
    crit = _KPSS_CRIT[regression]
    return {"statistic": float(stat), "pvalue": float(pval), "pvalue_bound": bound,
            "lags": int(lags), "regression": regression, "nobs": int(z.size),
            "critical_values": {"10%": crit[0], "5%": crit[1], "2.5%": crit[2],
                                "1%": crit[3]}}


@cached
def kpss(ctx: Context, x_key: str, x: np.ndarray, regression: str = "c") -> dict[str, Any]:
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
    return _kpss_raw(x, regression)


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

