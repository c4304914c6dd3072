"""Inferring one date format for a time column and parsing the column with it (bounded work)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from lstm_doctor.errors import InputError

_YEAR_TOKEN = re.compile(r"(?<!\d)(1[6-9]|2[0-2])\d\d(?!\d)")


@dataclass
class _Parsed:
    index: pd.Index | None
    fmt: str | None = None
    note: str | None = None


def _to_ns(idx: pd.DatetimeIndex, name: str, label: str) -> pd.DatetimeIndex:
    """The stamps in nanoseconds (what the grid checks use), or an InputError."""
    try:
        return idx.as_unit("ns")
    except (pd.errors.OutOfBoundsDatetime, OverflowError, ValueError):
        lo, hi = pd.Timestamp.min, pd.Timestamp.max
        outside = np.flatnonzero((idx < lo) | (idx > hi)) if idx.tz is None else np.array([])
        row = int(outside[0]) if outside.size else 0
        raise InputError(f"{label}: time column '{name}' has dates outside "
                         f"{lo.year}-{hi.year} (first: {str(idx[row])!r}, row {row}); fix "
                         "them, pass --time-format with the right format, or --no-time-col "
                         "to use the row order") from None


_DATE_PARTS: tuple[str, ...] = (
    "%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d",
    "%m/%d/%Y", "%d/%m/%Y", "%m-%d-%Y", "%d-%m-%Y", "%d.%m.%Y",
    "%m/%d/%y", "%d/%m/%y", "%d.%m.%y",
    "%d %b %Y", "%d-%b-%Y", "%d-%b-%y", "%d %B %Y", "%b %d, %Y", "%B %d, %Y", "%b %d %Y",
    "%Y-%b-%d", "%d/%b/%Y",
)
_TIME_PARTS: tuple[str, ...] = ("", " %H:%M", " %H:%M:%S", " %H:%M:%S.%f", "T%H:%M",
                                "T%H:%M:%S", "T%H:%M:%S.%f", " %I:%M %p", " %I:%M:%S %p")
_MONTH_PARTS: tuple[str, ...] = ("%Y-%m", "%Y/%m", "%m/%Y", "%m-%Y", "%m.%Y", "%Y.%m",
                                 "%b-%y", "%b-%Y", "%b %Y", "%B %Y", "%Y-%b", "%Y %b")
#: Candidate formats, most likely first (month-first before its day-first twin).
FORMATS: tuple[str, ...] = tuple(d + t for d in _DATE_PARTS for t in _TIME_PARTS) + _MONTH_PARTS
#: Day-first format -> its month-first twin (the same stamps read the other way round).
_TWINS: dict[str, str] = {
    d.replace("%m", "\0").replace("%d", "%m").replace("\0", "%d") + t:
    d + t for d in ("%m/%d/%Y", "%m-%d-%Y", "%m/%d/%y") for t in _TIME_PARTS}

_ISO = re.compile(r"\d{4}-\d{1,2}(-\d{1,2}([T ]\d{1,2}(:\d{2}(:\d{2}(\.\d+)?)?)?)?)?"
                  r"(Z|[+-]\d{2}(:?\d{2})?)?")
_SAMPLE = 2000
_MAX_MIXED = 50_000


def _sample(text: pd.Series) -> pd.Series:
    """Up to ``_SAMPLE`` values spread over the column (first and last included)."""
    if len(text) <= _SAMPLE:
        return text
    return text.iloc[np.unique(np.linspace(0, len(text) - 1, _SAMPLE).astype(int))]


def _parse_with(text: pd.Series, fmt: str) -> pd.Series:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return pd.to_datetime(text, format=fmt, errors="coerce")
        except ValueError:  # mixed UTC offsets
            return pd.to_datetime(text, format=fmt, errors="coerce", utc=True)


def _parse_utc(text: pd.Series, fmt: str) -> tuple[pd.Series, str | None]:
    """Parse with ``fmt``; time zones become naive UTC (with a note when offsets differ)."""
    import warnings

    note = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            parsed = pd.to_datetime(text, format=fmt, errors="coerce")
        except ValueError:
            parsed = pd.to_datetime(text, format=fmt, errors="coerce", utc=True)
            offsets = text.str.extract(r"(Z|[+-]\d{2}:?\d{2})$")[0].dropna().unique()
            note = (f"stamps with different UTC offsets ({', '.join(map(str, offsets[:3]))}"
                    f"{', ...' if len(offsets) > 3 else ''}) converted to UTC")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_convert(None)
    return parsed, note


def _candidates(first: str) -> list[str]:
    """Formats that read the first value (cheap pre-filter with ``datetime.strptime``)."""
    from datetime import datetime

    out = []
    for fmt in FORMATS:
        try:
            datetime.strptime(first, fmt)
        except ValueError:
            continue
        out.append(fmt)
    return out


def _formats_cover(values: list[str], share: float = 1.0) -> list[str]:
    """Candidate formats that read at least ``share`` of ``values``, in preference order."""
    if not values:
        return []
    if all(_ISO.fullmatch(v) for v in values):
        return ["ISO8601"]
    sample = pd.Series(values)
    out = []
    for fmt in _candidates(values[0]):
        ok = float(_parse_with(sample, fmt).notna().mean())
        if ok >= share:
            out.append(fmt)
    return out


def _mixed(text: pd.Series) -> pd.Series:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return pd.to_datetime(text, errors="coerce", format="mixed", utc=True)
        except (ValueError, OverflowError):
            return pd.Series(pd.NaT, index=text.index)


def _infer_and_parse(text: pd.Series, name: str, label: str) -> _Parsed:
    """Infer one format from a sample, parse the whole column with it (bounded work)."""
    sample = _sample(text)
    formats = _formats_cover(list(sample))
    for fmt in formats[:4]:  # a format that reads the sample but not the column: next one
        parsed, note = _parse_utc(text, fmt)
        if parsed.notna().all():
            idx = _to_ns(pd.DatetimeIndex(parsed), name, label)
            return _Parsed(idx, fmt, _join(_order_note(fmt, formats, text, parsed), note))
    # several formats in one column: cover it with up to three explicit formats
    parsed, used = _cover(text, sample)
    if parsed is not None and parsed.notna().all():
        idx = _to_ns(pd.DatetimeIndex(parsed), name, label)
        return _Parsed(idx, " | ".join(used), f"stamps in {len(used)} formats "
                       f"({', '.join(used)}); each value read with the first that fits")
    if len(text) <= _MAX_MIXED:
        guessed = _mixed(text)
        if guessed.notna().all() and text.map(lambda v: bool(_YEAR_TOKEN.search(v))).all():
            offsets = text.str.extract(r"(Z|[+-]\d{2}:?\d{2})$")[0].dropna().unique()
            note = "no single format fits: each stamp parsed on its own (pass --time-format " \
                   "to fix one)" + ("; converted to UTC" if len(offsets) else "")
            idx = pd.DatetimeIndex(guessed.dt.tz_convert(None))
            return _Parsed(_to_ns(idx, name, label), "mixed", note)
    if parsed is not None:
        bad = parsed.isna().to_numpy()
        row, count = int(np.flatnonzero(bad)[0]), f"{int(bad.sum())} value(s)"
    else:  # not even the first value reads as a date
        row = 0
        count = (f"{int(_mixed(text).isna().sum())} value(s)" if len(text) <= _SAMPLE
                 else "values")
    raise InputError(f"{label}: time column '{name}' has {count} that are not dates "
                     f"(first: {text.iloc[row]!r}, row {row}); fix them, pass --time-format "
                     "with their format, or --time-col for another column")


def _cover(text: pd.Series, sample: pd.Series) -> tuple[pd.Series | None, list[str]]:
    """Greedy: up to three formats that together read the sample; applied to the column."""
    remaining = sample
    used: list[str] = []
    for _ in range(3):
        if remaining.empty:
            break
        best, best_ok = None, 0
        for fmt in (["ISO8601"] if _ISO.fullmatch(remaining.iloc[0]) else []) + \
                _candidates(remaining.iloc[0]):
            ok = int(_parse_with(remaining, fmt).notna().sum())
            if ok > best_ok:
                best, best_ok = fmt, ok
        if best is None:
            break
        used.append(best)
        remaining = remaining[_parse_with(remaining, best).isna()]
    if not used:
        return None, used
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    for fmt in used:
        todo = parsed.isna()
        if not todo.any():
            break
        part, _ = _parse_utc(text[todo], fmt)
        parsed[todo] = part.astype("datetime64[us]")
    return parsed, used


def _order_note(fmt: str, formats: list[str], text: pd.Series, parsed: pd.Series) -> str | None:
    """Say why a day/month order was chosen (or that it could not be told)."""
    twin = _TWINS.get(fmt)
    if twin is not None:  # day-first: show a value whose day is above 12
        days = parsed.dt.day.to_numpy()
        evidence = np.flatnonzero(days > 12)
        example = f" (e.g. {text.iloc[int(evidence[0])]!r})" if evidence.size else ""
        return f"day-first dates ({fmt}): a day field is above 12{example}"
    if "%d.%m" in fmt:
        return f"day-first dates ({fmt}): dotted dates are read day.month"
    day_first = {v: k for k, v in _TWINS.items()}.get(fmt)
    if day_first is not None and day_first in formats:
        first, last = text.iloc[0], text.iloc[-1]
        return (f"dates are ambiguous (no day field above 12, '{first}' ... '{last}'): read "
                f"month-first ({fmt}); pass --time-format '{day_first}' if the day comes first")
    if day_first is not None:
        days = parsed.dt.day.to_numpy()
        evidence = np.flatnonzero(days > 12)
        example = f" (e.g. {text.iloc[int(evidence[0])]!r})" if evidence.size else ""
        return f"month-first dates ({fmt}): a day field is above 12{example}"
    return None


def _join(*notes: str | None) -> str | None:
    kept = [n for n in notes if n]
    return "; ".join(kept) if kept else None
