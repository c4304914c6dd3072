"""Measurements on the extra input columns shared by the feature rules (LD8xx).

What the rules look at (:func:`feature_inputs`): the target and every extra column on one
time axis, from the data (``--features``) or, on the Keras-native path, from the windows fed
to ``fit`` (the last time step of each consecutive window; the target channel must be known,
see :func:`lstm_doctor.arrays.find_target_channel`). Then, each computed once per run and
cached in the context: integration orders (:func:`integration_orders`, the unit-root
machinery of :mod:`lstm_doctor.stats`), the leak scan (:func:`leak_scan`), the relevance
measurements (:func:`relevance`) and the stationary columns (:func:`stationary_columns`).
Numbers only; the rules judge them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from lstm_doctor import stats
from lstm_doctor.rules.base import NotApplicable
from lstm_doctor.stats import crosscorr as cc

#: At most this many extra columns are measured (bounded work); more are a usage error of
#: an LSTM anyway and are reported as not measured.
MAX_FEATURES = 500
#: Fewer training rows than this: no feature statistics.
MIN_ROWS = 30
#: Leads and lags of the leak scan: at least this many...
LEAK_MIN_STEPS = 12
#: ... at most this many (a centred rolling statistic wider than twice this is not seen).
LEAK_MAX_STEPS = 48
#: Largest order of the autoregression that prewhitens a column (its own past).
FEATURE_AR_MAX = 24
#: Rows of the series checked for an exactly periodic (calendar) column.
CALENDAR_ROWS = 5000
#: Longest period of a calendar column.
CALENDAR_MAX_PERIOD = 400


@dataclass(frozen=True)
class FeatureInputs:
    """The target and the extra columns on one time axis.

    Attributes
    ----------
    target : str
        The target's name.
    y : ndarray
        The target (interior gaps interpolated).
    columns : dict
        Feature name -> values (interior gaps interpolated), in the user's order.
    n_train : int
        Rows of the training part (statistics that fit something fit on these).
    source : str
        ``"data"`` (the series and its ``--features``) or ``"arrays"`` (the windows fed to
        ``fit``: values as the network sees them).
    lags : tuple of int
        The target's past the window shows, in steps before the first forecast time
        (``1`` is the last input).
    horizon : int
        Steps forecast.
    skipped : tuple of str
        Columns not measured (beyond :data:`MAX_FEATURES`).
    """

    target: str
    y: np.ndarray
    columns: dict[str, np.ndarray]
    n_train: int
    source: str
    lags: tuple[int, ...]
    horizon: int
    skipped: tuple[str, ...] = ()


def feature_inputs(ctx: Any) -> FeatureInputs:
    """The target and the extra columns the rules measure (cached).

    Raises
    ------
    NotApplicable
        Without extra columns, with too few rows, or on the Keras-native path when the
        target channel is not known or the windows are not consecutive.
    """
    return ctx.cached("features:inputs", lambda: _inputs(ctx))


def _window_lags(ctx: Any, steps: int | None = None) -> tuple[int, ...]:
    w = ctx.config.window
    offset = w.horizon if w.target == "single" else 1
    count = steps if steps is not None else w.seq_length
    rate = 1 if steps is not None else w.sampling_rate
    return tuple(offset + i * rate for i in range(min(count, cc.MAX_LAGS)))


def _inputs(ctx: Any) -> FeatureInputs:
    arrays = getattr(ctx, "arrays", None)
    if arrays is not None and ctx.series.features is None:
        return _array_inputs(ctx, arrays)
    names = ctx.series.feature_names
    if not names:
        raise NotApplicable("univariate: no extra features (--features)")
    if ctx.n_train < MIN_ROWS:
        raise NotApplicable(f"{ctx.n_train} training points: too few to measure features "
                            f"(need {MIN_ROWS})")
    raw = ctx.series.features.to_numpy(dtype=float)
    columns = {name: cc.interpolate_gaps(raw[:, j])
               for j, name in enumerate(names[:MAX_FEATURES])}
    return FeatureInputs(target=ctx.series.target, y=cc.interpolate_gaps(ctx.y),
                         columns=columns, n_train=ctx.n_train, source="data",
                         lags=_window_lags(ctx), horizon=ctx.config.window.horizon,
                         skipped=tuple(names[MAX_FEATURES:]))


def _array_inputs(ctx: Any, arrays: Any) -> FeatureInputs:
    if arrays.n_features < 2:
        raise NotApplicable("univariate arrays: X_train has one feature")
    if ctx.config.window.layout == "features" and arrays.time_steps == 1:
        raise NotApplicable("X_train holds look-back values of one series as features: no "
                            "extra inputs")
    channel = getattr(arrays, "target_channel", None)
    if channel is None:
        raise NotApplicable(getattr(arrays, "target_note", None) or
                            "the target channel of X_train is not known: pass "
                            "target_channel= to lstm_doctor.diagnose")
    X = arrays.X_train
    if X.shape[0] < MIN_ROWS:
        raise NotApplicable(f"{X.shape[0]} training windows: too few to measure features "
                            f"(need {MIN_ROWS})")
    others = [j for j in range(arrays.n_features) if j != channel]
    columns = {f"feature_{j}": X[:, -1, j].astype(float) for j in others[:MAX_FEATURES]}
    return FeatureInputs(target=ctx.series.target, y=X[:, -1, channel].astype(float),
                         columns=columns, n_train=int(X.shape[0]), source="arrays",
                         lags=_window_lags(ctx, arrays.time_steps),
                         horizon=arrays.outputs,
                         skipped=tuple(f"feature_{j}" for j in others[MAX_FEATURES:]))


def _constant(x: np.ndarray) -> bool:
    finite = x[np.isfinite(x)]
    return finite.size == 0 or float(np.ptp(finite)) <= 1e-12 * max(
        float(np.abs(finite).max()), 1e-300)


# -- integration orders ------------------------------------------------------------------------
def integration_orders(ctx: Any) -> dict[str, dict[str, Any]]:
    """Differences each column needs (0..2), from ADF and KPSS (:mod:`lstm_doctor.stats`).

    The target's order is LD201's (:func:`lstm_doctor.stats.stationarity_order`) on the data
    path; every other column (and the target channel of the arrays) is tested with
    :func:`lstm_doctor.stats.stationarity_order_of` (the target's season removed first).

    Returns
    -------
    dict
        Column name (the target first) -> ``{d, verdict, conclusive, constant}``.
    """
    return ctx.cached("features:orders", lambda: _orders(ctx))


def _orders(ctx: Any) -> dict[str, dict[str, Any]]:
    inp = feature_inputs(ctx)
    out: dict[str, dict[str, Any]] = {}
    if inp.source == "data" and stats.untestable_reason(ctx) is None:
        found = stats.stationarity_order(ctx)
    else:
        found = _order_of(ctx, "features:target", inp.y)
    out[inp.target] = _brief_order(found, _constant(inp.y))
    for name, col in inp.columns.items():
        const = _constant(col)
        found = {"d": 0, "verdict": "constant", "conclusive": False} if const else \
            _order_of(ctx, f"features:column:{name}", col)
        out[name] = _brief_order(found, const)
    return out


def _order_of(ctx: Any, key: str, x: np.ndarray) -> dict[str, Any]:
    finite = x[np.isfinite(x)]
    if finite.size < stats.MIN_TEST_POINTS or _constant(finite):
        return {"d": 0, "verdict": "untestable", "conclusive": False}
    return stats.stationarity_order_of(ctx, key, finite)


def _brief_order(found: dict[str, Any], constant: bool) -> dict[str, Any]:
    return {"d": int(found.get("d", 0)), "verdict": str(found.get("verdict")),
            "conclusive": bool(found.get("conclusive")), "constant": constant}


# -- the leak scan -----------------------------------------------------------------------------
def leak_scan(ctx: Any) -> dict[str, dict[str, Any]]:
    """How much of each column the target's future explains beyond its past (cached).

    Each column and the target are differenced by the target's order (a leaked copy of the
    target shares it); the column is regressed on the target's present and ``K`` past
    values, then also on its ``K`` next values (:func:`lstm_doctor.stats.crosscorr.
    lead_lag_fit`, over the whole series). Also checks the running-total anchor
    (:func:`lstm_doctor.stats.crosscorr.cumulative_anchor`) on the raw columns.

    Returns
    -------
    dict
        Column name -> the fit's numbers plus ``steps`` (K), ``anchor`` (or None) and
        ``constant``.
    """
    return ctx.cached("features:leaks", lambda: _leaks(ctx))


def _leaks(ctx: Any) -> dict[str, dict[str, Any]]:
    inp = feature_inputs(ctx)
    d = integration_orders(ctx)[inp.target]["d"]
    z = cc.difference(inp.y, d)
    steps = _leak_steps(inp, z)
    live = {k: cc.difference(v, d) for k, v in inp.columns.items() if not _constant(v)}
    fits = cc.lead_lag_fits(live, z, lags=steps, leads=steps)
    out: dict[str, dict[str, Any]] = {}
    for name, col in inp.columns.items():
        if name not in fits:
            out[name] = {"constant": True, "steps": steps, "anchor": None}
            continue
        anchor = cc.cumulative_anchor(col, inp.y) if inp.source == "data" else None
        out[name] = {**fits[name], "steps": steps, "differenced": d, "anchor": anchor,
                     "constant": False}
    return out


def _leak_steps(inp: FeatureInputs, z: np.ndarray) -> int:
    rows = int(np.isfinite(z).sum())
    return min(LEAK_MAX_STEPS, max(LEAK_MIN_STEPS, inp.horizon, max(inp.lags)),
               max(1, (rows // 3 - 2) // 2))


def is_leak(scan: dict[str, Any], options: dict[str, Any]) -> bool:
    """LD801's judgement of one column's leak scan (``min_r2``, ``min_future_share``)."""
    if scan.get("constant"):
        return False
    if scan.get("anchor"):
        return True
    r2, share = scan.get("r2_full"), scan.get("future_share")
    if r2 is None or share is None or not (math.isfinite(r2) and math.isfinite(share)):
        return False
    return r2 >= options["min_r2"] and share >= options["min_future_share"]


def leak_reach(ctx: Any, name: str) -> int | None:
    """How many steps ahead a leaking column reaches (cached; only asked for leaks)."""
    def compute() -> int | None:
        inp = feature_inputs(ctx)
        d = integration_orders(ctx)[inp.target]["d"]
        z = cc.difference(inp.y, d)
        steps = _leak_steps(inp, z)
        return cc.lead_reach(cc.difference(inp.columns[name], d), z, lags=steps,
                             leads=steps, fit=leak_scan(ctx)[name])

    return ctx.cached(("features:reach", name), compute)


# -- relevance ---------------------------------------------------------------------------------
def stationary_columns(ctx: Any) -> dict[str, np.ndarray]:
    """Every column (the target first) differenced by its own integration order."""
    def compute() -> dict[str, np.ndarray]:
        inp = feature_inputs(ctx)
        orders = integration_orders(ctx)
        out = {inp.target: cc.difference(inp.y, orders[inp.target]["d"])}
        for name, col in inp.columns.items():
            out[name] = cc.difference(col, orders[name]["d"])
        return out

    return ctx.cached("features:stationary", compute)


def innovations(ctx: Any) -> np.ndarray:
    """The target's one-step innovations given the past its window shows (cached).

    The stationary target regressed on its own values at the window's lags (least squares
    on the training part): what the target's own past cannot explain.
    """
    def compute() -> np.ndarray:
        inp = feature_inputs(ctx)
        return cc.ar_innovations(stationary_columns(ctx)[inp.target], inp.lags, inp.n_train)

    return ctx.cached("features:innovations", compute)


def relevance(ctx: Any, margin: float) -> dict[str, dict[str, Any]]:
    """What each column tells about the target's next value beyond the target's own past.

    Cross-correlations of the target's innovations (:func:`innovations`) with the column's
    own innovations (its stationary transform prewhitened by an autoregression on its own
    past, at most :data:`FEATURE_AR_MAX` lags: Haugh's double prewhitening) at every lag the
    window shows, and with their centred square, on the training part
    (:func:`lstm_doctor.stats.crosscorr.cross_correlations`). Both sides white, each
    correlation is about normal with variance ``1 / n`` when the two are unrelated.

    Parameters
    ----------
    ctx : Context
        The run's context (cache).
    margin : float
        The smallest correlation that counts as useful (``sqrt`` of LD802's
        ``min_useful_r2``).

    Returns
    -------
    dict
        Column name -> ``best_lag``, ``r`` (correlation at that lag), ``r_upper`` (its
        one-sided 95 % upper bound, largest over the lags), ``p_relevant`` (Bonferroni
        over lags and forms), ``p_irrelevant`` (intersection-union: the largest one-sided
        equivalence p-value over lags and forms; small when every lag is clearly below
        ``margin``), ``n``, ``constant``, ``lag0_r`` (contemporaneous).
    """
    key = ("features:relevance", round(float(margin), 12))
    return ctx.cached(key, lambda: _relevance(ctx, margin))


def _relevance(ctx: Any, margin: float) -> dict[str, dict[str, Any]]:
    inp = feature_inputs(ctx)
    e = innovations(ctx)
    cols = stationary_columns(ctx)
    out: dict[str, dict[str, Any]] = {}
    for name in inp.columns:
        u = cols[name]
        if _constant(inp.columns[name]):
            out[name] = {"constant": True, "best_lag": None, "r": 0.0, "r_upper": 0.0,
                         "p_relevant": 1.0, "p_irrelevant": 0.0, "n": 0, "lag0_r": 0.0,
                         "lag0_n": 0}
            continue
        # the column prewhitened by its own past (Haugh's double prewhitening): only what
        # is new in it at each step can be new information about the target
        own = tuple(range(1, min(len(inp.lags), FEATURE_AR_MAX) + 1))
        v = cc.ar_innovations(u, own, inp.n_train)
        found = cc.cross_correlations(e, v, [0, *inp.lags], end=inp.n_train)
        lag0, seen = found[0], found[1:]
        usable = [c for c in seen if math.isfinite(c["r"]) and c["n"] > 3]
        if not usable:
            out[name] = {"constant": False, "best_lag": None, "r": math.nan,
                         "r_upper": math.nan, "p_relevant": math.nan,
                         "p_irrelevant": math.nan, "n": 0, "lag0_r": lag0["r"],
                         "lag0_n": lag0["n"]}
            continue
        best = max(usable, key=lambda c: abs(c["r"]))
        p_irr = max(cc.equivalence_pvalue(c[k], c["n"], margin)
                    for c in usable for k in ("r", "r_sq"))
        upper = max(cc.upper_bound(c[k], c["n"], 0.05) for c in usable for k in ("r", "r_sq"))
        out[name] = {"constant": False, "best_lag": best["lag"], "r": best["r"],
                     "r_upper": upper, "p_relevant": cc.relevance_pvalue(usable),
                     "p_irrelevant": p_irr, "n": best["n"], "lag0_r": lag0["r"],
                     "lag0_n": lag0["n"]}
    return out


def known_in_advance(x: np.ndarray) -> str | None:
    """Why a column's future values are known in advance (a calendar), or None.

    A straight line in time (a time index) or an exactly periodic column (hour of day,
    day of week, month dummies) with a period up to :data:`CALENDAR_MAX_PERIOD`.
    """
    z = x[np.isfinite(x)][-CALENDAR_ROWS:]
    if z.size < 10:
        return None
    t = np.arange(z.size, dtype=float)
    if np.std(z) > 0:
        slope, icpt = np.polyfit(t, z, 1)
        if np.allclose(z, icpt + slope * t, rtol=0, atol=1e-9 * float(np.ptp(z))):
            return "a straight line in time (a time index)"
    for p in range(1, min(CALENDAR_MAX_PERIOD, z.size // 2) + 1):
        if np.array_equal(z[p:], z[:-p]):
            return f"exactly periodic (period {p}): a calendar column"
    return None
