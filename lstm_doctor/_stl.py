"""STL (seasonal-trend decomposition by loess) in plain numpy.

:func:`stl_decompose` gives the results of ``statsmodels.tsa.seasonal.STL(x, period=p,
robust=...).fit()`` (Cleveland, Cleveland, McRae and Terpenning 1990, as statsmodels runs
it: degree-1 loess everywhere, every jump 1) to rounding error, without importing scipy or
statsmodels, whose import costs more than the decomposition itself.

How it is fast: a loess pass with span ``q`` over ``k`` points uses one window of ``q``
points per position, and away from the two ends every window sits the same way around its
position. Without robustness weights the loess weights depend only on that placement, so
a pass is an ``(q/2) x q`` weight block at each end and one kernel correlated with the
interior. With robustness weights each window's weights are the kernel times the weights
in it, and the local linear fit is written in its five weighted sums (``sum w``,
``sum w d``, ``sum w d^2``, ``sum w y``, ``sum w d y``, ``d`` the offset from the
position), each again a correlation. The cycle-subseries (one per phase of the period)
have two lengths at most, so each length is smoothed as the columns of one matrix.
"""

from __future__ import annotations

import functools
import math
import operator
from typing import NamedTuple

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from lstm_doctor._numeric import _median

__all__ = ["stl_decompose"]


class _Block(NamedTuple):
    """Positions whose loess windows all start at ``lo`` and hold ``x.size`` points."""

    lo: int  # first index (0-based) of the window
    x: np.ndarray  # positions (1-based) in the window, shape (m,)
    xs: np.ndarray  # positions estimated, shape (r,)
    h: np.ndarray  # loess half-width per position, shape (r,)
    base: np.ndarray  # tricube weights before robustness weights and normalising, (r, m)
    moments: np.ndarray | None  # robust plans: base * d**j, offsets d = x - xs, j = 0, 1, 2
    centre: bool  # one row that slides along the interior instead of a fixed window


class _Plan(NamedTuple):
    """How to smooth a series of ``k`` points: its blocks, in output order."""

    k: int
    m: int
    rng: float  # k - 1: the degree-1 fit needs a weighted spread of positions above .001 * rng
    blocks: tuple[_Block, ...]
    weights: tuple[np.ndarray, ...]  # final weights per block when no robustness weights


def _block(xs: np.ndarray, lo: int, m: int, k: int, q: int, robust: bool,
           centre: bool = False) -> _Block:
    x = np.arange(lo + 1, lo + m + 1, dtype=float)
    xs = np.asarray(xs, dtype=float)
    h = np.maximum(xs - (lo + 1), (lo + m) - xs)
    if q > k:  # the span is longer than the series: widen the half-width
        h = h + (q - k) // 2
    r = np.abs(x[None, :] - xs[:, None])
    hh = h[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        tri = (1.0 - (r / hh) ** 3) ** 3
    base = np.where(r <= 0.001 * hh, 1.0, np.where(r <= 0.999 * hh, tri, 0.0))
    moments = None
    if robust:
        d = x[None, :] - xs[:, None]
        moments = np.stack([base, base * d, base * d * d], axis=1)  # (r, 3, m)
    return _Block(lo, x, xs, h, base, moments, centre)


def _linear_weights(b: _Block, rng: float) -> np.ndarray:
    """Final weights of the degree-1 loess of each row (no robustness weights)."""
    w = b.base / b.base.sum(axis=1, keepdims=True)  # every row holds its own position: sum > 0
    a = w @ b.x
    dx = b.x[None, :] - a[:, None]
    c = (w * dx**2).sum(axis=1)
    adjust = (b.h > 0) & (np.sqrt(c) > 0.001 * rng)
    slope = np.divide(b.xs - a, c, out=np.zeros_like(c), where=adjust)
    return np.where(adjust[:, None], w * (slope[:, None] * dx + 1.0), w)


@functools.lru_cache(maxsize=64)
def _plan(k: int, q: int, ends: bool, robust: bool) -> _Plan:
    """Loess of span ``q`` at positions 1..k; with ``ends`` also at 0 and k + 1.

    A ``robust`` plan also holds the kernels of the weighted sums robustness weights need.
    """
    m = min(q, k)
    first = [0] if ends else []
    last = [k + 1] if ends else []
    if q >= k:  # every position uses the whole series
        blocks: tuple[_Block, ...] = (_block(np.r_[first, 1:k + 1, last], 0, m, k, q, robust),)
    else:
        nsh = (q + 2) // 2  # interior positions sit nsh - 1 points after their window start
        blocks = (
            _block(np.r_[first, 1:nsh], 0, m, k, q, robust),
            _block(np.array([nsh]), 0, m, k, q, robust, centre=True),
            _block(np.r_[k - q + nsh + 1:k + 1, last], k - m, m, k, q, robust),
        )
    rng = float(k - 1)
    plan = _Plan(k, m, rng, blocks, tuple(_linear_weights(b, rng) for b in blocks))
    for array in (*plan.weights, *(a for b in blocks for a in b if isinstance(a, np.ndarray))):
        array.flags.writeable = False  # the plan is cached and shared between calls
    return plan


def _correlate(y: np.ndarray, kernels: np.ndarray, out: np.ndarray) -> None:
    """``out[j, i, c] = sum_t kernels[j, t] * y[i + t, c]``: each kernel slid down each column."""
    if y.shape[1] > 4:  # many columns: one product over all windows
        windows = sliding_window_view(y, kernels.shape[1], axis=0)  # (i, c, t)
        out[...] = np.moveaxis(windows @ kernels.T, -1, 0)
        return
    for c in range(y.shape[1]):
        for j, kernel in enumerate(kernels):
            out[j, :, c] = np.correlate(y[:, c], kernel, "valid")


def _weighted_fit(sums: np.ndarray, h: np.ndarray, rng: float) -> tuple[np.ndarray, np.ndarray]:
    """Degree-1 loess values from the weighted sums ``(5, ...)``; ``ok`` where weights exist."""
    s0, s1, s2, t0, t1 = sums
    ok = s0 > 0
    s0 = np.where(ok, s0, 1.0)
    a = s1 / s0  # weighted mean offset of the positions from the estimated one
    mean = t0 / s0
    c = s2 / s0 - a * a  # weighted variance of the positions
    adjust = ok & (h > 0) & (np.sqrt(np.maximum(c, 0.0)) > 0.001 * rng)
    c = np.where(adjust, c, 1.0)
    return np.where(adjust, mean - a / c * (t1 / s0 - a * mean), mean), ok


def _loess(plan: _Plan, y: np.ndarray, rw: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Smooth the columns of ``y`` (k x C); returns the values and where they are defined."""
    sizes = [plan.k - plan.m + 1 if b.centre else b.xs.size for b in plan.blocks]
    starts = np.cumsum([0, *sizes])
    if rw is None:
        out = np.empty((starts[-1], y.shape[1]))
        for b, w, lo, hi in zip(plan.blocks, plan.weights, starts[:-1], starts[1:], strict=True):
            if b.centre:
                _correlate(y, w, out[None, lo:hi])
            else:
                out[lo:hi] = w @ y[b.lo:b.lo + plan.m]
        return out, np.ones(out.shape, dtype=bool)
    ry = rw * y
    sums = np.empty((5, starts[-1], y.shape[1]))
    h = np.empty((starts[-1], 1))
    for b, lo, hi in zip(plan.blocks, starts[:-1], starts[1:], strict=True):
        if b.centre:
            _correlate(rw, b.moments[0], sums[:3, lo:hi])
            _correlate(ry, b.moments[0, :2], sums[3:, lo:hi])
        else:
            win = slice(b.lo, b.lo + plan.m)
            sums[:3, lo:hi] = (b.moments @ rw[win]).swapaxes(0, 1)
            sums[3:, lo:hi] = (b.moments[:, :2] @ ry[win]).swapaxes(0, 1)
        h[lo:hi, 0] = b.h
    return _weighted_fit(sums, h, plan.rng)


def _smooth_series(plan: _Plan, y: np.ndarray, rw: np.ndarray | None) -> np.ndarray:
    """Loess of a 1-D series; where no point has weight the value is kept."""
    out, ok = _loess(plan, y[:, None], None if rw is None else rw[:, None])
    return np.where(ok[:, 0], out[:, 0], y)


def _cycle_subseries(d: np.ndarray, period: int, plans: dict[int, _Plan],
                     rw: np.ndarray | None) -> np.ndarray:
    """Smooth each phase's subseries and extend it one cycle at both ends (n + 2p values)."""
    n = d.size
    q, r = divmod(n, period)
    size = (q + 1) * period
    values = np.zeros(size)
    values[:n] = d
    values = values.reshape(q + 1, period)
    weights = None
    if rw is not None:
        weights = np.ones(size)
        weights[:n] = rw
        weights = weights.reshape(q + 1, period)
    out = np.zeros((q + 3, period))
    for k, cols in ((q + 1, slice(0, r)), (q, slice(r, period))):
        if k == 0 or cols.start == cols.stop:
            continue
        y = values[:k, cols]
        smooth, ok = _loess(plans[k], y, None if weights is None else weights[:k, cols])
        mid = np.where(ok[1:-1], smooth[1:-1], y)
        out[1:k + 1, cols] = mid
        out[0, cols] = np.where(ok[0], smooth[0], mid[0])
        out[k + 1, cols] = np.where(ok[-1], smooth[-1], mid[-1])
    return out.ravel()[: n + 2 * period]


def _moving_average(x: np.ndarray, m: int) -> np.ndarray:
    """Running mean of ``m`` points, summed in the order STL's Fortran sums them."""
    run = np.empty(x.size - m + 1)
    run[0] = np.cumsum(x[:m])[-1]
    run[1:] = x[m:] - x[:-m]
    return np.cumsum(run, out=run) / m


def _robustness_weights(y: np.ndarray, fit: np.ndarray) -> np.ndarray:
    """Bisquare weights of the residuals, scaled by six times their median absolute value."""
    res = np.abs(y - fit)
    cmad = 6.0 * _median(res)  # = 3 * (the two middle values), the same bits
    if cmad == 0:
        return np.ones(res.size)
    bisquare = (1.0 - (res / cmad) ** 2) ** 2
    return np.where(res <= 0.001 * cmad, 1.0, np.where(res <= 0.999 * cmad, bisquare, 0.0))


def _odd_span(value: int | None, default: int, name: str, period: int) -> int:
    span = default if value is None else operator.index(value)
    if span < 3 or span % 2 == 0 or span <= period:
        raise ValueError(f"{name} must be an odd integer >= 3 and > period {period}, got {span}")
    return span


def stl_decompose(x: np.ndarray, period: int, *, robust: bool = False, seasonal: int = 7,
                  trend: int | None = None,
                  low_pass: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Decompose a series into trend, seasonal and residual components with STL.

    Matches ``statsmodels.tsa.seasonal.STL(x, period=period, seasonal=seasonal,
    trend=trend, low_pass=low_pass, robust=robust).fit()`` to rounding error: degree-1
    loess for the seasonal, trend and low-pass smoothers, every jump 1, and 5 inner
    passes without robustness, or 2 inner passes within 15 robustness iterations with it.

    Parameters
    ----------
    x : numpy.ndarray
        The series: one-dimensional, finite, at least ``period`` values.
    period : int
        Length of the seasonal cycle, at least 2.
    robust : bool, optional
        Down-weight outliers with bisquare weights of the residuals (STL's outer loop).
    seasonal : int, optional
        Span of the cycle-subseries smoother: odd, at least 3 (default 7).
    trend : int or None, optional
        Span of the trend smoother: odd, above ``period``. Default: the smallest odd
        integer at least ``1.5 * period / (1 - 1.5 / seasonal)``.
    low_pass : int or None, optional
        Span of the low-pass smoother: odd, above ``period``. Default: the smallest odd
        integer above ``period``.

    Returns
    -------
    trend : numpy.ndarray
        The trend component.
    seasonal : numpy.ndarray
        The seasonal component.
    resid : numpy.ndarray
        ``x - seasonal - trend``.

    Raises
    ------
    ValueError
        If ``x`` is not a finite 1-D series of at least ``period`` values, or a span or
        the period is out of range.
    """
    y = np.array(x, dtype=float)
    period = operator.index(period)
    if y.ndim != 1 or not np.all(np.isfinite(y)):
        raise ValueError(f"x must be a one-dimensional finite series, got shape {y.shape}")
    if period < 2 or y.size < period:
        raise ValueError(f"period must be >= 2 and at most len(x) = {y.size}, got {period}")
    seasonal = operator.index(seasonal)
    if seasonal < 3 or seasonal % 2 == 0:
        raise ValueError(f"seasonal must be an odd integer >= 3, got {seasonal}")
    nt = math.ceil(1.5 * period / (1.0 - 1.5 / seasonal))
    nt = _odd_span(trend, nt + (nt % 2 == 0), "trend", period)
    nl = _odd_span(low_pass, period + 1 + (period % 2 == 1), "low_pass", period)
    n = y.size
    inner, outer = (2, 15) if robust else (5, 0)
    lengths = {n // period, n // period + 1} - {0}  # of the cycle-subseries
    ss_plans = {k: _plan(k, seasonal, True, robust) for k in lengths}
    low_plan, trend_plan = _plan(n, nl, False, False), _plan(n, nt, False, robust)
    level = np.zeros(n)
    season = np.zeros(n)
    rw = None
    for it in range(outer + 1):
        for _ in range(inner):
            extended = _cycle_subseries(y - level, period, ss_plans, rw)
            low = _moving_average(_moving_average(_moving_average(extended, period), period), 3)
            season = extended[period:period + n] - _smooth_series(low_plan, low, None)
            level = _smooth_series(trend_plan, y - season, rw)
        if it < outer:
            rw = _robustness_weights(y, level + season)
    return level, season, y - season - level
