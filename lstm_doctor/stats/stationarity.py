"""The level of the target: how many differences it needs, level shifts, level diagnosis.

Built on the unit-root tests (:mod:`lstm_doctor.stats.unitroot`) of the seasonally adjusted
series (:mod:`lstm_doctor.stats.seasonality`); every result is cached in the context.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from lstm_doctor.stats._common import (
    MIN_TEST_POINTS,
    _finite,
    _is_constant,
    _median,
    _polyfit_line,
    _scale_free,
    _var,
    cached,
)
from lstm_doctor.stats.seasonality import _seasonally_adjusted
from lstm_doctor.stats.unitroot import (
    TREND_MIN_R2,
    UNIT_ROOT_ADF_P,
    _brief,
    _order_verdict,
    _rejects_stationarity,
    _says_stationary,
    adf,
    kpss,
)

if TYPE_CHECKING:
    from lstm_doctor.context import Context

#: A level shift (:func:`level_shift`): changes that are ~0 except a few jumps larger
#: than this many robust standard deviations of the changes...
SHIFT_MIN_JUMP_Z = 8.0
#: ... at most this many jumps (or 1 % of the points) ...
SHIFT_MAX_JUMPS = 3
#: ... each regime lasting at least this many points (a spike is not a shift) ...
SHIFT_MIN_SEGMENT = 5
#: ... and the step function explaining at least this share of the level's variance.
SHIFT_MIN_SHARE = 0.9


def _linear_trend(x: np.ndarray) -> tuple[float, float, float]:
    """``(slope, intercept, r2)`` of the least-squares line through ``x``."""
    x, scale = _scale_free(x)
    t = np.arange(x.size, dtype=float)
    slope, intercept = _polyfit_line(t, x)
    var = _var(x)
    r2 = 1.0 - _var(x - (slope * t + intercept)) / var if var > 0 else 0.0
    return float(slope) * scale, float(intercept) * scale, r2


@cached
def stationarity_order_of(ctx: Context, x_key: str, x: np.ndarray, *,
                          deseasonalize: bool = True, trend: bool = False) -> dict[str, Any]:
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


def _level_shift_raw(x: np.ndarray) -> tuple[dict[str, Any] | None, np.ndarray | None]:
    x, scale = _scale_free(x)  # found on a rescaled copy; sizes given in the data's units
    n = x.size
    if n < MIN_TEST_POINTS or _is_constant(x):
        return None, None
    d = np.diff(x)
    med = _median(d)
    dev = np.abs(d - med)
    mad = 1.4826 * _median(dev)
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
    share = 1.0 - _var(adjusted) / _var(x)
    if share < SHIFT_MIN_SHARE:
        return None, None
    summary = {"at": [int(j + 1) for j in jumps],
               "sizes": [float(d[j] - med) * scale for j in jumps],
               "share": share,
               "jump_threshold": threshold * scale,
               "change_sd": mad * scale}
    return summary, adjusted * scale


@cached
def _level_shift_pair(ctx: Context) -> tuple[dict[str, Any] | None, np.ndarray | None]:
    """:func:`_level_shift_raw` of the raw target (the summary and the adjusted series)."""
    return _level_shift_raw(ctx.values)


def level_shift(ctx: Context) -> dict[str, Any] | None:
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
    return _level_shift_pair(ctx)[0]


def _order_input(ctx: Context) -> tuple[str, np.ndarray]:
    """The raw target, minus its level shifts when it has clean ones (key, values)."""
    summary, adjusted = _level_shift_pair(ctx)
    if summary is not None:
        return "values|shift-adjusted", adjusted
    return "values", ctx.values


def stationarity_order(ctx: Context) -> dict[str, Any]:
    """:func:`stationarity_order_of` the raw target (``ctx.values``), trend-aware.

    A trend-stationary target stops at ``d = 0`` with ``detrend`` True (LD202's
    criterion); a target with clean level shifts (:func:`level_shift`) is tested with the
    shifts removed (``level_shift_adjusted`` is then True).
    """
    key, x = _order_input(ctx)
    order = stationarity_order_of(ctx, key, x, trend=True)
    return {**order, "level_shift_adjusted": key != "values"}


@cached
def stationary_series(ctx: Context) -> np.ndarray:
    """``ctx.values`` made stationary, as :func:`stationarity_order` tested it.

    Clean level shifts are removed, then the seasonal profile when the target has a
    seasonal period, then the linear trend when the order is trend-stationary, and the
    series is differenced ``stationarity_order(ctx)["d"]`` times.
    """
    order = stationarity_order(ctx)
    key, x = _order_input(ctx)
    z, _ = _seasonally_adjusted(ctx, key, x)
    if order["detrend"]:
        slope, intercept, _ = _linear_trend(z)
        z = z - (intercept + slope * np.arange(z.size, dtype=float))
    for _ in range(order["d"]):
        z = np.diff(z)
    return z


@cached
def level_diagnosis(ctx: Context) -> dict[str, Any]:
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

