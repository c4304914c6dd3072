"""Finding and parsing the time column, and the sampling frequency of a time index."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from lstm_doctor.data._common import _first_line, _median
from lstm_doctor.data._formats import (
    _YEAR_TOKEN,
    _formats_cover,
    _infer_and_parse,
    _mixed,
    _parse_utc,
    _parse_with,
    _Parsed,
    _to_ns,
)
from lstm_doctor.data._numbers import SEPARATED
from lstm_doctor.errors import InputError, did_you_mean

YEAR_INDEX_ORIGIN = 1900
"""Year-less month stamps ``'1-01'`` ... read as year ``YEAR_INDEX_ORIGIN + index``."""


def validate_time_format(fmt: Any) -> str:
    """A strftime format for the time stamps, checked (InputError when unusable)."""
    if not isinstance(fmt, str) or not fmt.strip():
        raise InputError(f"time format must be a non-empty strftime format such as "
                         f"'%d.%m.%Y %H:%M:%S'; found {fmt!r}")
    if "%" not in fmt:
        raise InputError(f"time format {fmt!r} has no %-directives; write it as a strftime "
                         "format, e.g. '%d.%m.%Y %H:%M:%S' for 01.01.2009 00:10:00")
    try:
        pd.to_datetime(pd.Series(["2000"]), format=fmt, errors="coerce")
    except ValueError as exc:
        raise InputError(f"time format {fmt!r} is not a valid strftime format "
                         f"({_first_line(exc)}); e.g. '%d.%m.%Y %H:%M:%S'") from None
    return fmt


_TIME_NAMES = ("date", "time", "datetime", "timestamp", "ds", "period", "year", "month", "day",
               "week", "quarter", "index", "t")


@dataclass
class _Time:
    """What :func:`_find_time` found.

    ``frame`` still holds the time column ``drop`` (dropping a column costs more than a
    short series' statistics); :attr:`columns` are the columns left for the target and
    features.
    """

    frame: pd.DataFrame
    index: pd.Index | None = None
    name: str | None = None
    fmt: str | None = None
    note: str | None = None
    skip: str | None = None  # a column that is time-like: never the automatic target
    drop: str | None = None  # the time column, read into ``index``

    @property
    def columns(self) -> list[str]:
        """The column names without the time column."""
        return [str(c) for c in self.frame.columns if self.drop is None or c != self.drop]


def _find_time(frame: pd.DataFrame, time_col: str | None, label: str, *,
               time_format: str | None = None, off: bool = False,
               values: set[str] | None = None) -> _Time:
    """Find and parse the time column (``values``: target/feature columns, never time)."""
    values = values or set()
    if off:
        typed = isinstance(frame.index, (pd.DatetimeIndex, pd.PeriodIndex))
        if typed:
            frame = frame.reset_index(drop=True)
        name = None if typed else _detect_time_column(frame, time_format, values)
        note = "no time column (turned off): the rows are an ordinal index in the given order"
        if name is not None:
            note += f"; time-like column '{name}' is not used as the target"
        return _Time(frame=frame, note=note, skip=name)
    if time_col is not None:
        if time_col not in frame.columns:
            if frame.index.name == time_col:
                parsed = _parse_time(pd.Series(frame.index), time_col, label, time_format)
                return _Time(frame.reset_index(drop=True), parsed.index, time_col, parsed.fmt,
                             parsed.note)
            raise InputError(f"{label}: time column '{time_col}' not found"
                             f"{did_you_mean(time_col, map(str, frame.columns))} "
                             f"(columns: {', '.join(map(str, frame.columns))})")
        parsed = _parse_time(frame[time_col], time_col, label, time_format)
        if parsed.index is None:  # not interpretable: ordinal, with a note
            return _Time(frame, None, None, None, parsed.note, skip=None, drop=time_col)
        return _Time(frame, parsed.index, time_col, parsed.fmt, parsed.note, drop=time_col)
    if isinstance(frame.index, (pd.DatetimeIndex, pd.PeriodIndex)):
        idx = frame.index.to_timestamp() if isinstance(frame.index, pd.PeriodIndex) else frame.index
        fmt = "period" if isinstance(frame.index, pd.PeriodIndex) else "datetime64"
        index = _to_ns(pd.DatetimeIndex(idx), str(frame.index.name or "index"), label)
        return _Time(frame.reset_index(drop=True), index, str(frame.index.name or "index"), fmt)
    name = _detect_time_column(frame, time_format, values)
    if name is None:
        if time_format is not None:
            raise InputError(f"{label}: no column matches the time format {time_format!r} "
                             f"(columns: {', '.join(map(str, frame.columns))}); name the time "
                             "column with --time-col")
        return _Time(frame)
    parsed = _parse_time(frame[name], name, label, time_format)
    if parsed.index is None:
        return _Time(frame, None, None, None, parsed.note, skip=None, drop=name)
    return _Time(frame, parsed.index, name, parsed.fmt, parsed.note, drop=name)


def _detect_time_column(frame: pd.DataFrame, time_format: str | None = None,
                        values: set[str] | None = None) -> str | None:
    """The column that holds the time stamps (cheap: looks at a few values), or None.

    A given ``time_format`` does not choose the column (so that a format that does not fit
    is reported against it) unless no column looks like time without it. Columns named in
    ``values`` (the target and features) are never the time column.
    """
    values = values or set()
    # (name, dtype) of the candidate columns; a column's values are read only when its
    # type allows a time column (a column lookup costs more than a short series' checks)
    typed = [(col, dtype) for col, dtype in zip(frame.columns, frame.dtypes, strict=True)
             if str(col) not in values]
    for col, dtype in typed:
        if pd.api.types.is_datetime64_any_dtype(dtype):
            return str(col)
        if _is_text(frame, col, dtype):
            sample = _head(frame[col])
            if len(sample) and _looks_like_dates(sample):
                return str(col)
    for col, dtype in typed:
        if str(col).strip().lower() in _TIME_NAMES and pd.api.types.is_integer_dtype(dtype) \
                and not pd.api.types.is_bool_dtype(dtype):
            return str(col)
    if time_format is not None:
        for col, dtype in typed:
            if _is_text(frame, col, dtype) or pd.api.types.is_integer_dtype(dtype):
                sample = _head(frame[col])
                if len(sample) and _looks_like_dates(sample, time_format):
                    return str(col)
    return None


def _is_text(frame: pd.DataFrame, col: Any, dtype: Any) -> bool:
    """``s.dtype == object or is_string_dtype(s)`` of column ``col`` (of type ``dtype``).

    Decided on the type alone except for object-kind extension types (categories of
    strings), whose values are looked at as pandas does.
    """
    if isinstance(dtype, np.dtype) and dtype.kind == "O":
        return True
    if getattr(dtype, "kind", None) == "O":
        return bool(pd.api.types.is_string_dtype(frame[col]))
    return bool(pd.api.types.is_string_dtype(dtype))


def _head(s: pd.Series, n: int = 20) -> pd.Series:
    """The first ``n`` non-missing values as stripped strings (without scanning the column)."""
    head = s.iloc[:1000].dropna()
    return (head if len(head) else s.dropna()).head(n).astype(str).str.strip()


_NUMBER = r"[-+]?\d*\.?\d+([eE][-+]?\d+)?"


def _looks_like_dates(sample: pd.Series, time_format: str | None = None) -> bool:
    if time_format is not None:
        return bool(_parse_with(sample, time_format).notna().mean() >= 0.9)
    if sample.str.fullmatch(_NUMBER).all():
        return False
    if sample.str.contains(",", regex=False).any() and sample.str.fullmatch(SEPARATED).all():
        return False  # "20,1", "1,007.5": numbers written with separators
    if _YEARLESS.fullmatch(sample.iloc[0]) and sample.str.fullmatch(_YEARLESS.pattern).all():
        return True
    if sample.str.fullmatch(_QUARTER.pattern).all():
        return True
    if _formats_cover(list(sample), share=0.9):
        return True
    if not sample.map(lambda v: bool(_YEAR_TOKEN.search(v))).all():
        return False
    return bool(_mixed(sample).notna().mean() >= 0.9)


def _parse_time(values: pd.Series, name: str, label: str,
                time_format: str | None = None) -> _Parsed:
    """Parse one time column (explicit ``time_format``, else one inferred format)."""
    s = (values if isinstance(values, pd.Series) else pd.Series(values)).reset_index(drop=True)
    if pd.api.types.is_datetime64_any_dtype(s):
        _no_missing_stamps(s, name, label)
        return _Parsed(_to_ns(pd.DatetimeIndex(s), name, label), "datetime64")
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        _no_missing_stamps(s, name, label)
        if time_format is None:
            ymd = _integer_dates(s, name, label)
            if ymd is not None:
                return ymd
            return _Parsed(pd.Index(s.to_numpy()))
    _no_missing_stamps(s, name, label)
    text = s.astype(str)
    if text.str.len().ne(text.str.strip().str.len()).any():
        text = text.str.strip()
    if time_format is not None:
        parsed, note = _parse_utc(text, time_format)
        bad = parsed.isna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(f"{label}: time column '{name}' does not match the time format "
                             f"{time_format!r}: row {row} is {text.iloc[row]!r} ("
                             f"{int(bad.sum())} value(s) do not match); fix the values or "
                             "pass the format they use")
        return _Parsed(_to_ns(pd.DatetimeIndex(parsed), name, label), time_format, note)
    if text.iloc[0] and _YEARLESS.fullmatch(text.iloc[0]) \
            and text.str.fullmatch(_YEARLESS.pattern).all():
        return _year_index_months(text, name, label)
    if _QUARTER.fullmatch(text.iloc[0]) and text.str.fullmatch(_QUARTER.pattern).all():
        parts = text.str.extract(f"^{_QUARTER.pattern}$")
        year, quarter = parts[0].astype(int), parts[1].astype(int)
        idx = pd.to_datetime(pd.DataFrame({"year": year, "month": 3 * quarter - 2, "day": 1}))
        return _Parsed(_to_ns(pd.DatetimeIndex(idx), name, label), "<year>Q<quarter>")
    return _infer_and_parse(text, name, label)


def _no_missing_stamps(s: pd.Series, name: str, label: str) -> None:
    if isinstance(s.dtype, np.dtype) and s.dtype.kind in "iu":
        return  # a numpy integer column cannot hold a missing value
    missing = s.isna()
    if pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s):
        missing = missing | (s.astype(str).str.strip() == "")
    if missing.any():
        row = int(np.flatnonzero(missing.to_numpy())[0])
        raise InputError(f"{label}: time column '{name}' has {int(missing.sum())} missing "
                         f"value(s) (first at row {row}); fill or drop those rows")


def _integer_dates(s: pd.Series, name: str, label: str) -> _Parsed | None:
    """Integer stamps like 20120103 (``%Y%m%d``) or 201201 (``%Y%m``), else None."""
    if not pd.api.types.is_integer_dtype(s) or len(s) < 3:
        return None
    v = s.to_numpy()
    for fmt, lo, hi in (("%Y%m%d", 16_000_101, 22_621_231), ("%Y%m", 160_001, 226_212)):
        if v.min() >= lo and v.max() <= hi:
            parsed = pd.to_datetime(pd.Series(v.astype(str)), format=fmt, errors="coerce")
            if parsed.notna().all():
                return _Parsed(_to_ns(pd.DatetimeIndex(parsed), name, label), fmt,
                               f"integer stamps read as dates ({fmt})")
    return None


# -- year-less months and quarters ---------------------------------------------------------

_YEARLESS = re.compile(r"(\d{1,3})-(0?[1-9]|1[0-2])")
_QUARTER = re.compile(r"(\d{4})[- ]?[Qq]([1-4])")


def _year_index_months(text: pd.Series, name: str, label: str) -> _Parsed:
    """``'1-01'`` ... ``'3-12'`` (year index - month) as a monthly grid, or an ordinal index."""
    parts = text.str.extract(f"^{_YEARLESS.pattern}$").astype(int)
    year, month = parts[0].to_numpy(), parts[1].to_numpy()
    months = year * 12 + month - 1
    steps = np.diff(months)
    first, last = text.iloc[0], text.iloc[-1]
    in_order = steps.size == 0 or float(np.mean(steps == 1)) >= 0.9
    if not in_order or YEAR_INDEX_ORIGIN + int(year.max()) > 2261:
        return _Parsed(None, None, f"column '{name}' holds month stamps without a year "
                       f"('{first}' ... '{last}') that are not in month order; the rows are "
                       "used in their given order (ordinal index)")
    idx = pd.to_datetime(pd.DataFrame({"year": YEAR_INDEX_ORIGIN + year, "month": month,
                                       "day": 1}))
    note = (f"month stamps without a year ('{first}' ... '{last}') read as year index + "
            f"month: year 1 = {YEAR_INDEX_ORIGIN + 1}")
    return _Parsed(_to_ns(pd.DatetimeIndex(idx), name, label), "<year index>-%m", note)


def _infer_freq(idx: pd.DatetimeIndex) -> str | None:
    """``pd.infer_freq`` as a string (or None), whatever the pandas version."""
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # pandas 3's "will return a BaseOffset" notice
            freq = pd.infer_freq(idx)
    except (TypeError, ValueError):
        return None
    if freq is None:
        return None
    return freq if isinstance(freq, str) else getattr(freq, "freqstr", str(freq))


def infer_frequency(time: pd.Index | None) -> str | None:
    """Infer the sampling frequency from a time index (``None`` when irregular/unknown)."""
    if time is None or len(time) < 3:
        return None
    if isinstance(time, pd.DatetimeIndex):
        clean = time.dropna()
        if clean.is_monotonic_increasing and clean.is_unique:
            freq = _infer_freq(clean)
            if freq:
                return freq
        diffs = np.diff(clean.sort_values().unique().as_unit("ns").asi8)
        if diffs.size == 0:
            return None
        step = _median(diffs)
        try:
            return pd.tseries.frequencies.to_offset(pd.Timedelta(int(step), unit="ns")).freqstr
        except ValueError:
            return None
    values = np.asarray(time, dtype=float)
    diffs = np.diff(np.unique(values[np.isfinite(values)]))
    if diffs.size == 0:
        return None
    step = _median(diffs)
    return f"{step:g}"
