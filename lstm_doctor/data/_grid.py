"""Regularity of a time index: sorting, duplicates, the base step and the absent stamps."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from lstm_doctor.data._calendar import _busdaycal
from lstm_doctor.data._common import _DAY_NS, _median
from lstm_doctor.data._series import json_stamp
from lstm_doctor.data._time import _infer_freq
from lstm_doctor.errors import InputError


def time_grid(time: pd.Index | None, calendar: str | None = None) -> dict[str, Any] | None:
    """Regularity facts about a time index (in the given order).

    Parameters
    ----------
    time : pandas.Index or None
        The stamps.
    calendar : str, optional
        ``"business"`` or an exchange code: the grid is that calendar's days (weekends and
        holidays are not gaps). ``None``/``"none"``: the plain grid of the base step.

    Returns
    -------
    dict or None
        ``None`` without a time index, else ``sorted`` (monotonic increasing),
        ``n_duplicates``, ``n_unsorted`` (steps that go backwards), ``step`` (the base step
        as a string, or the calendar), ``calendar``, ``n_missing`` (stamps of the grid that
        are absent), ``longest_gap`` (most consecutive absent stamps), ``n_off_grid``
        (stamps not on the grid), ``first_missing`` and ``missing_stamps`` (the first ten).
        Work is bounded by the number of stamps, not by the span they cover.
    """
    if time is None or len(time) < 3:
        return None
    out: dict[str, Any] = {}
    if isinstance(time, pd.DatetimeIndex):
        values = time.as_unit("ns").asi8.astype(np.float64)
        values[time.isna()] = np.nan
    else:
        values = np.asarray(time, dtype=float)
    steps = np.diff(values)
    out["sorted"] = bool(np.all(steps[np.isfinite(steps)] >= 0))
    out["n_unsorted"] = int(np.sum(steps < 0))
    first_back = np.flatnonzero(steps < 0)
    out["first_unsorted_row"] = int(first_back[0] + 1) if first_back.size else None
    if steps.size and bool(np.all(steps > 0)):
        # strictly increasing (the usual case): no duplicate, already sorted and unique
        uniq = time
        out["n_duplicates"] = 0
        dup_rows = np.zeros(0, dtype=np.int64)
    elif isinstance(time.dtype, np.dtype) and time.dtype.kind in "iu":
        # integer stamps (no missing value): the same facts from numpy's unique
        stamps = np.asarray(time)
        uniq, first = np.unique(stamps, return_index=True)
        out["n_duplicates"] = int(stamps.size - uniq.size)
        repeated = np.ones(stamps.size, dtype=bool)
        repeated[first] = False
        dup_rows = np.flatnonzero(repeated)
    else:
        uniq = pd.Index(time).dropna()
        out["n_duplicates"] = int(uniq.duplicated().sum())
        dup_rows = np.flatnonzero(pd.Index(time).duplicated())
        uniq = uniq.unique().sort_values()
    out["first_duplicate_row"] = int(dup_rows[0]) if dup_rows.size else None
    out.update({"step": None, "calendar": None, "n_missing": 0, "longest_gap": 0,
                "n_off_grid": 0, "first_missing": None, "missing_stamps": []})
    if len(uniq) < 3:
        return out
    if isinstance(uniq, pd.DatetimeIndex):
        if calendar not in (None, "none"):
            try:
                out.update(_calendar_grid(uniq, calendar))
                return out
            except InputError:
                pass  # the calendar library went away: the plain grid below
        out["calendar"] = "none"
        freq = _infer_freq(uniq)
        if freq:
            out["step"] = freq
            return out
        freq = _base_offset(uniq)
        if freq is None:
            out["n_off_grid"] = len(uniq)
            return out
        out["step"] = freq
        offset = pd.tseries.frequencies.to_offset(freq)
        if isinstance(offset, pd.offsets.Tick):
            step_ns = int(pd.Timedelta(offset).value)
            rel = uniq.as_unit("ns").asi8 - uniq.as_unit("ns").asi8[0]
            on_grid = rel % step_ns == 0
            pos = rel[on_grid] // step_ns
            origin = uniq[0]

            def stamp(p: int) -> Any:
                return json_stamp(origin + pd.Timedelta(int(p) * step_ns, unit="ns"))
        else:  # months, quarters, years: at most a few thousand grid points
            grid = pd.date_range(uniq[0], uniq[-1], freq=freq)
            on_grid = uniq.isin(grid)
            pos = grid.get_indexer(uniq[on_grid])

            def stamp(p: int) -> Any:
                return json_stamp(grid[int(p)])
    else:
        u = np.asarray(uniq, dtype=float)
        step = _median(np.diff(u))
        if not step > 0 or not np.isfinite(step):
            return out
        rel = (u - u[0]) / step
        on_grid = np.isclose(rel, np.round(rel), atol=1e-6) & (np.abs(rel) < 2.0**53)
        pos = np.round(rel[on_grid]).astype(np.int64)
        out["step"] = f"{step:g}"

        def stamp(p: int) -> Any:
            return json_stamp(u[0] + step * p)
    out["n_off_grid"] = int(np.sum(~np.asarray(on_grid)))
    pos = np.asarray(pos, dtype=np.int64)
    if pos.size > 1 and not bool(np.all(pos[1:] > pos[:-1])):
        pos = np.unique(pos)  # (already sorted and unique when the stamps increase)
    out.update(_gap_facts(pos, stamp))
    return out


def _gap_facts(pos: np.ndarray, stamp) -> dict[str, Any]:
    """Missing-stamp facts from the sorted unique grid positions of the present stamps."""
    out: dict[str, Any] = {"n_missing": 0, "longest_gap": 0, "first_missing": None,
                           "missing_stamps": []}
    if pos.size == 0:
        return out
    prev = np.concatenate([[-1], pos[:-1]])
    gaps = pos - prev - 1
    n_missing = int(gaps.sum())
    if n_missing == 0:
        return out
    listed: list[Any] = []
    for i in np.flatnonzero(gaps):
        for p in range(int(prev[i]) + 1, int(pos[i])):
            listed.append(stamp(p))
            if len(listed) == 10:
                break
        if len(listed) == 10:
            break
    out.update({"n_missing": n_missing, "longest_gap": int(gaps.max()),
                "first_missing": listed[0], "missing_stamps": listed})
    return out


def _calendar_grid(uniq: pd.DatetimeIndex, calendar: str) -> dict[str, Any]:
    """Grid facts on a business-day or exchange calendar (days; one time of day)."""
    wall = uniq.tz_localize(None) if uniq.tz is not None else uniq
    ns = wall.as_unit("ns").asi8
    day_no = ns // _DAY_NS
    tod = ns - day_no * _DAY_NS
    tod0 = int(pd.Series(tod).mode().iloc[0])
    days = day_no.astype("datetime64[D]")
    cal = _busdaycal(calendar, days[0], days[-1])
    on_grid = np.is_busday(days, busdaycal=cal) & (tod == tod0)
    start = np.busday_offset(days[0], 0, roll="forward", busdaycal=cal)
    pos = np.unique(np.busday_count(start, days[on_grid], busdaycal=cal).astype(np.int64))

    def stamp(p: int) -> Any:
        day = np.busday_offset(start, int(p), busdaycal=cal)
        return json_stamp(pd.Timestamp(day) + pd.Timedelta(tod0, unit="ns"))

    out = {"step": "B" if calendar == "business" else calendar, "calendar": calendar,
           "n_off_grid": int(np.sum(~on_grid))}
    out.update(_gap_facts(pos, stamp))
    return out


def _base_offset(idx: pd.DatetimeIndex) -> str | None:
    """Guess the base frequency of a gappy datetime index from its most common step."""
    ns = idx.as_unit("ns").asi8
    days = np.diff(ns) / 86_400e9
    mode = float(pd.Series(np.round(days, 6)).mode().iloc[0])
    if 27.5 <= mode <= 31.5:
        return "MS" if (idx.day == 1).mean() > 0.9 else "ME" if idx.is_month_end.mean() > 0.9 \
            else None
    if 89 <= mode <= 92.5:
        return "QS" if (idx.day == 1).mean() > 0.9 else "QE"
    if 364 <= mode <= 366.5:
        return "YS" if (idx.dayofyear == 1).mean() > 0.9 else "YE"
    step = pd.Timedelta(int(np.diff(ns)[np.argmin(np.abs(days - mode))]), unit="ns")
    return pd.tseries.frequencies.to_offset(step).freqstr


def longest_run(mask: np.ndarray) -> int:
    """Length of the longest run of True in a boolean array."""
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return 0
    padded = np.concatenate([[0], mask.astype(np.int8), [0]])
    edges = np.flatnonzero(np.diff(padded))
    return int((edges[1::2] - edges[0::2]).max())
