"""Seasonality: the dominant period of the target and the seasonally adjusted series.

The search looks at the last :data:`SEASON_MAX_POINTS` points, scores candidates with an
O(n) classical decomposition and runs STL only when ``n * period <= STL_MAX_WORK``.
:func:`seasonal_period` is the one source of the period for rules, the experiment and the
report.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from lstm_doctor.stats._common import (
    _corr,
    _finite,
    _is_constant,
    _polyfit_line,
    _scale_free,
    _std,
    _var,
    cached,
)
from lstm_doctor.stats.autocorrelation import _acf_raw

if TYPE_CHECKING:
    from lstm_doctor.context import Context

#: Seasonal search (ACF, periodogram, STL) looks at the last this-many points at most.
SEASON_MAX_POINTS = 20_000
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
#: Moving averages of more multiply-adds than this, over spans longer than
#: MA_CUMSUM_MIN_SPAN, use cumulative sums (:func:`_ma_trend`).
MA_CUMSUM_WORK = 20_000_000
MA_CUMSUM_MIN_SPAN = 100


def frequency_periods(freq: str | None) -> list[int]:
    """Seasonal periods suggested by a pandas frequency alias.

    monthly -> 12, quarterly -> 4, weekly -> 52, daily -> 7, business-daily -> 5,
    hourly -> 24 and 168, sub-daily steps -> steps per day and per week.
    Annual, integer or unknown frequencies suggest nothing.
    """
    if not freq:
        return []
    key = str(freq)
    if key not in _PERIODS_OF:  # a pure function of the alias; pandas' parsing is slow
        _PERIODS_OF[key] = _frequency_periods(freq)
    return list(_PERIODS_OF[key])


_PERIODS_OF: dict[str, list[int]] = {}


def _frequency_periods(freq: str) -> list[int]:
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
    n = x.size
    max_p = n // 3
    cands: list[int] = [p for p in hints if 2 <= p <= max_p]
    t = np.arange(n, dtype=float)
    slope, intercept = _polyfit_line(t, x)
    detr = x - (slope * t + intercept)  # = np.polyval(np.polyfit(t, x, 1), t), same bits
    nl = int(min(max_p, 800))
    bound = 1.96 / math.sqrt(n)
    for series in (np.diff(x), detr):
        if nl < 3 or _is_constant(series):
            continue
        r = _acf_raw(series, nl)
        # local maxima above the bound at lags 2 .. size-2, strongest first (ties: lower lag)
        mid = r[2:-1]
        peaks = 2 + np.flatnonzero((mid > r[1:-2]) & (mid >= r[3:]) & (mid > bound))
        peaks = peaks[np.argsort(-r[peaks], kind="stable")]
        cands.extend(int(k) for k in peaks[:4])
    if not _is_constant(detr):
        freqs, power = _periodogram(detr)
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


def _periodogram(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``scipy.signal.periodogram(x, detrend="constant")``: frequencies and density.

    The same operations as scipy's single-segment path (demeaned, scaled by the boxcar
    window's ``1 / sqrt(n)``, real FFT, squared magnitude, interior bins doubled), so the
    values have the same bits, without importing ``scipy.signal`` (a second of start-up).
    """
    from scipy import fft

    n = x.shape[0]
    spectrum = fft.rfft((x - np.mean(x)) * (1.0 / math.sqrt(n)), n=n)
    power = spectrum.real**2 + spectrum.imag**2
    power[1:-1 if n % 2 == 0 else None] *= 2
    return np.fft.rfftfreq(n, 1.0), power


def _ma_trend(x: np.ndarray, period: int) -> tuple[np.ndarray, int]:
    """Centred moving average of length ``period`` (2 x p for even p); ``(trend, offset)``.

    Beyond :data:`MA_CUMSUM_WORK` multiply-adds over more than :data:`MA_CUMSUM_MIN_SPAN`
    points (a long series with a long period, e.g. a day of minutes) the sums are
    differences of cumulative sums of the centred series, O(n) instead of O(n p); they
    equal the convolution's to ~1e-13 of the series' scale.
    """
    if period % 2 == 0:
        w = np.r_[0.5, np.ones(period - 1), 0.5] / period
    else:
        w = np.ones(period) / period
    if (x.size * w.size <= MA_CUMSUM_WORK or w.size <= MA_CUMSUM_MIN_SPAN
            or x.size < w.size):
        return np.convolve(x, w, mode="valid"), (w.size - 1) // 2
    centre = float(np.mean(x))
    xc = x - centre
    sums = np.concatenate(([0.0], np.cumsum(xc)))
    total = sums[w.size:] - sums[: sums.size - w.size]  # windows of w.size points
    if period % 2 == 0:  # half weight on the two end points
        total -= 0.5 * (xc[: xc.size - period] + xc[period:])
    return total / period + centre, (w.size - 1) // 2


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
    var = _var(detr)
    raw = max(0.0, 1.0 - _var(rem) / var) if var > 0 else 0.0
    # a profile of p free means fits ~ (p - 1) / (N - 1) of pure noise: discount it
    base = (period - 1) / max(detr.size - 1, 1)
    strength = max(0.0, (raw - base) / (1.0 - base)) if base < 1 else 0.0
    cycles = detr.size / period
    stability = math.nan
    if cycles >= 4:
        half = int(cycles // 2) * period
        a = _phase_means(detr[:half], phase[:half], period)
        b = _phase_means(detr[-half:], phase[-half:], period)
        if _std(a) > 0 and _std(b) > 0:
            stability = _corr(a, b)
    r = _acf_raw(detr, period)
    return {"period": int(period), "strength": strength, "raw_strength": raw,
            "acf_at_period": float(r[period]) if r.size > period else 0.0,
            "stability": stability, "cycles": float(x.size / period)}


def _stl_strength(x: np.ndarray, period: int) -> float:
    """Seasonal strength of an STL decomposition (statsmodels' ``STL(x, period)``, by
    :func:`~lstm_doctor._stl.stl_decompose`: no statsmodels/scipy import).
    """
    from lstm_doctor._stl import stl_decompose

    _, seas, resid = stl_decompose(x, int(period))
    denom = _var(seas + resid)
    return max(0.0, 1.0 - _var(resid) / denom) if denom > 0 else 0.0


def _passes(s: dict[str, Any], calendar: bool) -> bool:
    if s["acf_at_period"] < SEASON_MIN_ACF:
        return False
    if calendar:  # a calendar period needs 3 cycles; its profile must not flip
        return bool(s["strength"] >= SEASON_MIN_STRENGTH_CALENDAR and s["cycles"] >= 3
                    and not (np.isfinite(s["stability"]) and s["stability"] < 0.5))
    return bool(s["strength"] >= SEASON_MIN_STRENGTH and np.isfinite(s["stability"])
                and s["stability"] >= SEASON_MIN_PROFILE_CORR)


def _detect_period_raw(values: np.ndarray, freq: str | None) -> dict[str, Any] | None:
    x = _scale_free(_finite(values)[-SEASON_MAX_POINTS:])[0]  # strengths are scale-free
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


@cached
def detect_period(ctx: Context) -> dict[str, Any] | None:
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
    return _detect_period_raw(ctx.values, ctx.series.frequency)


def seasonal_period(ctx: Context) -> dict[str, Any] | None:
    """The dominant period of the target and its kind: the one source of "the period".

    The rules (through :func:`lstm_doctor.capacity.seasonal_period`, which keeps only
    ``kind == "seasonal"``), the experiment (seasonal reference forecasters) and the report
    all derive the period from this function, i.e. from :func:`detect_period` (cached).

    Parameters
    ----------
    ctx : Context
        The run's context.

    Returns
    -------
    dict or None
        ``{"period": int, "kind": "seasonal" | "cycle"}``: ``seasonal`` for a calendar or
        stable season, ``cycle`` for a quasi-periodic cycle whose length drifts (lynx); None
        when the target has no period.
    """
    found = detect_period(ctx)
    if not found:
        return None
    return {"period": int(found["period"]), "kind": str(found["kind"])}


@cached
def _seasonally_adjusted(ctx: Context, x_key: str, x: np.ndarray) -> tuple[np.ndarray, int]:
    """``x`` minus its seasonal profile when the target has a seasonal (not cyclic) period.

    The profile is the classical one (phase means of ``x`` minus its centred moving
    average), so the adjustment costs O(n) on any length. Returns ``(series, period)``
    with period 0 when nothing was removed (cached per ``x_key``).
    """
    z = _finite(x)
    season = detect_period(ctx)
    if not season or season["kind"] != "seasonal" or z.size < 2 * season["period"] + 1:
        return z, 0
    p = season["period"]
    zs, scale = _scale_free(z)
    profile = _classical(zs, p)["profile"]
    return (zs - profile[np.arange(z.size) % p]) * scale, p

