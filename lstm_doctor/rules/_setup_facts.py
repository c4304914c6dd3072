"""Judgements that read the set-up or a rule's thresholds, shared by several rules.

:mod:`lstm_doctor.stats` measures the series; this module decides what the measurements
mean for *this* set-up: whether it removes or sees the season (LD203, LD204, LD502, LD503),
whether the spread grows with the level by LD205's thresholds, and so on which scale the
remedies model the level on and how many differences it needs there (LD201, LD203, LD304).

A rule that uses another rule's judgement declares it (``depends_on = ("LD205",)``), reads
that rule's effective thresholds with :meth:`~lstm_doctor.rules.base.Rule.options_of` and
passes them here as an argument (:class:`VarianceThresholds`): nothing here looks up a
rule's options by itself.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from lstm_doctor import stats

if TYPE_CHECKING:
    from lstm_doctor.config import Preprocessing
    from lstm_doctor.context import Context

#: "The spread grows with the level" (LD205's default thresholds, shared with LD201, LD203
#: and LD304, which choose the differencing order on the scale LD205's remedy produces): the
#: power-law slope of spread on level, its p-value and the ratio of the largest to smallest
#: level.
VARIANCE_MIN_SLOPE = 0.5
VARIANCE_MAX_PVALUE = 0.01
VARIANCE_MIN_LEVEL_RATIO = 1.5
#: A Box-Cox lambda within this distance of 0 is proposed as a plain log.
LOG_LAMBDA_BAND = 0.25


# -- the season and the set-up ------------------------------------------------------------

def lag_covers_period(lag: int, period: int) -> bool:
    """Whether a seasonal lag (differencing or profile) handles ``period``.

    True when ``lag`` is, within 5 % of ``period``, a multiple of it (52 or 53 handle a
    weekly series' yearly season; 336 handles a half-hourly daily season of 48).

    Parameters
    ----------
    lag : int
        The set-up's seasonal lag (0: none).
    period : int
        The seasonal period (0: none).

    Returns
    -------
    bool
        Whether the lag covers the period.
    """
    if not lag or not period:
        return False
    k = max(1, round(lag / period))
    return abs(lag - k * period) <= 0.05 * period


def season_removed_by(prep: Preprocessing, period: int) -> str | None:
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

    Parameters
    ----------
    seq_length : int
        Points the window spans.
    period : int
        The seasonal period (0: none).

    Returns
    -------
    bool
        Whether the window spans at least one period.
    """
    return bool(period) and int(seq_length) >= int(period)


def season_handling(ctx: Context, period: int) -> dict[str, Any]:
    """How the set-up deals with a season of ``period``: removed, seen, or neither.

    Parameters
    ----------
    ctx : Context
        The run's context (its set-up).
    period : int
        The seasonal period.

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

@dataclass(frozen=True)
class VarianceThresholds:
    """LD205's thresholds: when the spread grows with the level, and when Box-Cox is a log.

    Hashable, so it is part of the cache key of :func:`model_scale` and
    :func:`differencing_order` (two runs with different LD205 overrides never share them).

    Parameters
    ----------
    min_slope, max_pvalue, min_level_ratio
        See :func:`variance_grows_with_level`.
    log_lambda_band : float
        A Box-Cox lambda within this distance of 0 is a plain log.
    """

    min_slope: float = VARIANCE_MIN_SLOPE
    max_pvalue: float = VARIANCE_MAX_PVALUE
    min_level_ratio: float = VARIANCE_MIN_LEVEL_RATIO
    log_lambda_band: float = LOG_LAMBDA_BAND

    @classmethod
    def of(cls, options: Mapping[str, Any]) -> VarianceThresholds:
        """From LD205's effective options (keys of this class; others are ignored)."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in options.items() if k in names})


def variance_grows_with_level(rel: dict[str, Any], *, min_slope: float = VARIANCE_MIN_SLOPE,
                              max_pvalue: float = VARIANCE_MAX_PVALUE,
                              min_level_ratio: float = VARIANCE_MIN_LEVEL_RATIO) -> bool:
    """LD205's judgement of :func:`~lstm_doctor.stats.variance_vs_level`.

    True when the power-law slope ``b`` of ``sd ~ level ** b`` is at least ``min_slope``
    with p-value ``< max_pvalue`` over levels that vary at least ``min_level_ratio``-fold.

    Parameters
    ----------
    rel : dict
        :func:`~lstm_doctor.stats.variance_vs_level`'s result.
    min_slope, max_pvalue, min_level_ratio : float
        The thresholds (LD205's).

    Returns
    -------
    bool
        Whether the spread grows with the level.
    """
    if "slope" not in rel:
        return False
    return bool(rel["slope"] >= min_slope and rel["slope_pvalue"] < max_pvalue
                and rel["level_ratio"] >= min_level_ratio)


def stabilising_transform(ctx: Context, *, log_band: float = LOG_LAMBDA_BAND) -> dict[str, Any]:
    """The variance-stabilising transform LD205 proposes (log or Box-Cox).

    The Box-Cox lambda is Guerrero's (:func:`~lstm_doctor.stats.boxcox_lambda`), else
    ``1 - b`` from :func:`~lstm_doctor.stats.variance_vs_level`; within ``log_band`` of 0
    it is a plain log, otherwise Box-Cox with lambda clipped to [-1, 1].

    Parameters
    ----------
    ctx : Context
        The run's context.
    log_band : float
        LD205's ``log_lambda_band``.

    Returns
    -------
    dict
        ``transform`` (``"log"`` or ``"boxcox"``), ``lambda`` (0 for log) and
        ``lambda_estimate`` (before rounding to log/clipping).
    """
    lam = stats.boxcox_lambda(ctx)["lambda"]
    if not math.isfinite(lam):
        lam = stats.variance_vs_level(ctx).get("lambda_from_slope", math.nan)
    if not math.isfinite(lam) or abs(lam) <= log_band:
        return {"transform": "log", "lambda": 0.0, "lambda_estimate": float(lam)}
    return {"transform": "boxcox", "lambda": float(max(-1.0, min(1.0, lam))),
            "lambda_estimate": float(lam)}


@stats.cached
def model_scale(ctx: Context, variance: VarianceThresholds) -> dict[str, Any]:
    """The scale the target's level is modelled on once the remedies are applied (cached).

    The set-up's own log/Box-Cox when it has one; otherwise the transform LD205 proposes
    (:func:`stabilising_transform`) when the spread grows with the level
    (:func:`variance_grows_with_level` with ``variance``, LD205's effective thresholds in
    this run, overrides included); otherwise the raw scale.

    Parameters
    ----------
    ctx : Context
        The run's context (series and set-up).
    variance : VarianceThresholds
        LD205's effective thresholds (``VarianceThresholds.of(rule.options_of(ctx,
        "LD205"))`` in a rule that declares ``depends_on = ("LD205",)``).

    Returns
    -------
    dict
        ``transform`` (``"log"``, ``"boxcox"`` or None for the raw scale), ``lambda``,
        ``offset`` (added before the log, 1 when the series has zeros, as the
        preprocessing does), ``source`` (``"setup"``, ``"variance grows with level"`` or
        None) and ``name`` (``"raw"``, ``"log"``, ``"Box-Cox(0.5)"``).
    """
    prep = ctx.config.preprocessing
    x = ctx.values
    raw = {"transform": None, "lambda": None, "offset": 0.0, "source": None, "name": "raw"}
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
    rel = stats.variance_vs_level(ctx)
    grows = variance_grows_with_level(rel, min_slope=variance.min_slope,
                                      max_pvalue=variance.max_pvalue,
                                      min_level_ratio=variance.min_level_ratio)
    if not (rel.get("positive") and grows):
        return raw
    t = stabilising_transform(ctx, log_band=variance.log_lambda_band)
    name = "log" if t["transform"] == "log" else f"Box-Cox({t['lambda']:.2f})"
    return {"transform": t["transform"], "lambda": t["lambda"], "offset": 0.0,
            "source": "variance grows with level", "name": name}


@stats.cached
def differencing_order(ctx: Context, variance: VarianceThresholds) -> dict[str, Any]:
    """:func:`~lstm_doctor.stats.stationarity_order` on the scale the remedies model the
    level on (cached).

    On an exponentially growing series the raw level may need one more difference than
    its log (the changes grow with the level); a remedy that takes logs (the set-up's, or
    LD205's) and differences must difference on the log scale. This is the order LD201,
    LD203 and LD304 propose.

    Parameters
    ----------
    ctx : Context
        The run's context.
    variance : VarianceThresholds
        LD205's effective thresholds (see :func:`model_scale`).

    Returns
    -------
    dict
        The :func:`~lstm_doctor.stats.stationarity_order` result plus ``scale``
        (:func:`model_scale`).
    """
    scale = model_scale(ctx, variance)
    if scale["transform"] is None:
        return {**stats.stationarity_order(ctx), "scale": scale}
    x = ctx.values + scale["offset"]
    lam = scale["lambda"]
    if scale["transform"] == "log" or abs(lam) < 1e-12:
        z = np.log(x)
    else:
        z = (np.power(x, lam) - 1.0) / lam
    key = f"values|{scale['name']}"
    return {**stats.stationarity_order_of(ctx, key, z, trend=True), "scale": scale,
            "level_shift_adjusted": False}
