"""Loading and validating the user's series (the input boundary).

Nothing is repaired here: order, duplicates and gaps are kept exactly as given and are
reported by the LD1xx rules instead.

Time stamps are read with one explicit format inferred from the data (day-first when a
day field is above 12), never by guessing value by value; daily stamps that skip weekends
get a business-day or exchange trading-day calendar (``exchange_calendars``, imported only
when such a calendar is needed), so that weekends and exchange holidays are not gaps.
"""

from __future__ import annotations

import io
import re
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lstm_doctor.errors import InputError, did_you_mean

MIN_POINTS = 10

CALENDARS: tuple[str, ...] = ("auto", "none", "business")
"""Calendar names besides exchange codes (``XNYS``, ``XLON``... from ``exchange_calendars``)."""

AUTO_EXCHANGES: tuple[str, ...] = ("XNYS", "XLON", "XETR", "XTKS", "XHKG", "XTSE", "XASX")
"""Exchanges tried, in this order, for daily stamps that skip weekends and some weekdays."""

YEAR_INDEX_ORIGIN = 1900
"""Year-less month stamps ``'1-01'`` ... read as year ``YEAR_INDEX_ORIGIN + index``."""

_DAY_NS = 86_400 * 10**9


@dataclass
class SeriesData:
    """A validated series.

    Attributes
    ----------
    y : ndarray of float64
        The target, in the given order (may contain NaN/inf: see LD101).
    target : str
        Name of the target column.
    time : pandas.Index or None
        The time stamps (DatetimeIndex or integer/float index), in the given order.
    features : DataFrame or None
        Extra numeric input columns (aligned with ``y``).
    frequency : str or None
        Inferred frequency (pandas alias, or ``"1"`` for a regular integer step; ``"B"``
        on a business-day and ``"C"`` on an exchange trading-day calendar).
    source : str
        Where the series came from (file path or ``"<DataFrame>"``).
    time_col : str or None
        The column the time stamps came from.
    time_format : str or None
        How the stamps were read: a strftime format (``"%d.%m.%Y %H:%M:%S"``),
        ``"ISO8601"``, ``"datetime64"`` (already typed), ``"<year index>-%m"``,
        ``"<year>Q<quarter>"``, or None (numeric or no time stamps).
    time_note : str or None
        What the reader decided about the stamps and why (day-first evidence, ambiguous
        dates read month-first, year-less months, time zones, no time column...).
    calendar : str or None
        The grid the stamps are checked against: ``"none"`` (plain 24h/7d grid),
        ``"business"`` (Monday-Friday), an exchange code such as ``"XNYS"`` (its trading
        days), or None without date stamps.
    calendar_note : str or None
        Why that calendar was chosen.
    index_col : str or None
        A leading row-index column (``Unnamed: 0``...) that was dropped.
    n_test_given : int or None
        Rows of a separate holdout file (``test_data``): the last ``n_test_given`` points
        are exactly that file's rows.
    test_source : str or None
        Where the holdout came from.
    """

    y: np.ndarray
    target: str
    time: pd.Index | None = None
    features: pd.DataFrame | None = None
    frequency: str | None = None
    source: str = "<data>"
    time_col: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    time_format: str | None = None
    time_note: str | None = None
    calendar: str | None = None
    calendar_note: str | None = None
    index_col: str | None = None
    n_test_given: int | None = None
    test_source: str | None = None

    @property
    def n(self) -> int:
        """Number of points."""
        return int(self.y.shape[0])

    @property
    def feature_names(self) -> list[str]:
        """Names of the extra input columns."""
        return [] if self.features is None else [str(c) for c in self.features.columns]

    def facts(self) -> dict[str, Any]:
        """The ``data`` block of the JSON report."""
        start = end = None
        if self.time is not None and len(self.time):
            start, end = json_stamp(self.time[0]), json_stamp(self.time[-1])
        return {
            "n": self.n,
            "target": self.target,
            "features": self.feature_names,
            "frequency": self.frequency,
            "start": start,
            "end": end,
            "source": self.source,
            "time_col": self.time_col,
            "time_format": self.time_format,
            "time_note": self.time_note,
            "calendar": self.calendar,
            "calendar_note": self.calendar_note,
            "index_col": self.index_col,
            "n_test_given": self.n_test_given,
            "test_source": self.test_source,
            "missing": int(np.count_nonzero(~np.isfinite(self.y))),
            "min": _finite(np.nanmin, self.y),
            "max": _finite(np.nanmax, self.y),
            "mean": _finite(np.nanmean, self.y),
            "std": _finite(np.nanstd, self.y),
        }


def _finite(fn, y: np.ndarray) -> float | None:
    finite = y[np.isfinite(y)]
    return float(fn(finite)) if finite.size else None


def json_stamp(value: Any) -> Any:
    """A time stamp as a JSON value: ISO string for dates, int/float for numeric stamps."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return float(value)
    return str(value)


def load_series(
    data: Any,
    *,
    target: str | None = None,
    time_col: str | bool | None = None,
    features: list[str] | str | None = None,
    time_format: str | None = None,
    calendar: str | None = None,
    test_data: Any = None,
) -> SeriesData:
    """Load and validate a series from a file, stdin, DataFrame, Series or array.

    Parameters
    ----------
    data : str, Path, DataFrame, Series or array-like
        A CSV / Parquet / JSON-lines file, ``"-"`` for CSV on stdin, or in-memory data.
    target : str, optional
        The column to forecast. Default: the only numeric column (a leading row-index
        column such as ``Unnamed: 0`` holding 0..n-1 is dropped first).
    time_col : str or False, optional
        The time column. Default: a datetime-like index or column, or an integer
        column named like a year/period/time. ``False`` or ``"none"``: no time column,
        the rows are an ordinal index (a column that looks like time is then not taken
        as the target either).
    features : list of str or comma-separated str, optional
        Extra numeric input columns.
    time_format : str, optional
        strftime format of the time stamps (e.g. ``"%d.%m.%Y %H:%M:%S"``). Default: one
        format inferred from the data (day-first only when a day field is above 12).
    calendar : str, optional
        ``"auto"`` (default), ``"none"`` (plain 24h/7d grid), ``"business"`` (Monday to
        Friday) or an exchange code such as ``"XNYS"`` (needs ``exchange_calendars``:
        ``pip install 'lstm-doctor[calendars]'``). Auto: daily stamps that skip weekends
        are business days, and weekday gaps that are an exchange's holidays make it that
        exchange's trading days.
    test_data : str, Path or DataFrame, optional
        A separate holdout with the same columns: the series is ``data`` followed by it,
        and ``n_test_given`` is its number of rows.

    Returns
    -------
    SeriesData

    Raises
    ------
    InputError
        With a one-line message naming the file/column, what was found and what to do.
    """
    if isinstance(features, str):
        features = [f.strip() for f in features.split(",") if f.strip()]
    features = list(features or [])
    no_time = _no_time(time_col)
    if no_time:
        time_col = None
    if no_time and time_format:
        raise InputError(f"a time format ({time_format!r}) was given together with no time "
                         "column; drop one of them")
    choice = validate_calendar(calendar)
    if time_format is not None:
        time_format = validate_time_format(time_format)
    frame, source = _read(data)
    label = source if source.startswith("<") else f"'{source}'"
    _check_table(frame, label)
    named = {str(c) for c in (target, time_col, *features) if c is not None}
    frame, index_col = _drop_row_index(frame, named)
    n_test_given = test_source = None
    if test_data is not None:
        frame, n_test_given, test_source = _append_test(frame, test_data, label, named)

    found = _find_time(frame, time_col, label, time_format=time_format, off=no_time,
                       values={str(c) for c in (target, *features) if c is not None})
    frame = found.frame
    time_index = found.index
    target = _find_target(frame, target, features, label, exclude=found.skip)
    y = _numeric_column(frame, target, label, role="target")
    finite = np.isfinite(y)
    if not finite.any():
        raise InputError(f"{label}: target column '{target}' has no finite values "
                         f"(all {len(y)} are missing or infinite); check the column")
    if finite.sum() < MIN_POINTS:
        raise InputError(f"{label}: target column '{target}' has {int(finite.sum())} finite "
                         f"values; lstm-doctor needs at least {MIN_POINTS}")
    if n_test_given is not None and finite[: len(y) - n_test_given].sum() < MIN_POINTS:
        raise InputError(f"{label}: the training part has "
                         f"{int(finite[: len(y) - n_test_given].sum())} finite target values "
                         f"next to {n_test_given} test rows; lstm-doctor needs at least "
                         f"{MIN_POINTS} before the test data")
    feats = None
    if features:
        cols = {}
        for name in features:
            if name == target:
                raise InputError(f"{label}: feature '{name}' is the target; list only extra "
                                 "input columns in --features")
            if name not in frame.columns:
                raise InputError(f"{label}: feature column '{name}' not found"
                                 f"{did_you_mean(name, map(str, frame.columns))} "
                                 f"(columns: {', '.join(map(str, frame.columns))})")
            cols[name] = _numeric_column(frame, name, label, role="feature")
        feats = pd.DataFrame(cols)
    cal, cal_note = choose_calendar(time_index, choice, label, found.name)
    freq = {"none": None, None: None, "business": "B"}.get(cal, "C")
    freq = freq or infer_frequency(time_index)
    return SeriesData(y=y, target=str(target), time=time_index, features=feats,
                      frequency=freq, source=source, time_col=found.name,
                      time_format=found.fmt, time_note=found.note, calendar=cal,
                      calendar_note=cal_note, index_col=index_col,
                      n_test_given=n_test_given, test_source=test_source)


def _no_time(time_col: Any) -> bool:
    """Whether ``time_col`` asks for no time column (``False`` or ``"none"``)."""
    if time_col is False:
        return True
    if time_col is True:
        raise InputError("time_col=True is not valid; give a column name, None (detect it) "
                         "or False (no time column)")
    if time_col is not None and not isinstance(time_col, str):
        raise InputError(f"time_col must be a column name, None or False; found "
                         f"{type(time_col).__name__} {time_col!r}")
    return isinstance(time_col, str) and time_col.strip().lower() == "none"


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


def _check_table(frame: pd.DataFrame, label: str) -> None:
    if frame.shape[1] == 0:
        raise InputError(f"{label} has no columns; give a table with a numeric target column")
    if len(frame) == 0:
        raise InputError(f"{label} has a header but no rows; give at least {MIN_POINTS} rows")


_INDEX_NAMES = re.compile(r"(unnamed: ?\d+(\.\d+)?|index|level_0|)", re.IGNORECASE)


def _drop_row_index(frame: pd.DataFrame, named: set[str],
                    starts: tuple[int, ...] = (0, 1)) -> tuple[pd.DataFrame, str | None]:
    """Drop a leading row-index column (``Unnamed: 0``, ``""``, ``index`` = 0..n-1 or 1..n).

    ``df.to_csv()`` writes the index as an unnamed first column; it is not a series. A
    column the user named (target, time or feature) is never dropped.
    """
    dropped = None
    for _ in range(3):  # to_csv of a re-read file adds another one
        if frame.shape[1] < 2:
            break
        col = frame.columns[0]
        name = str(col).strip()
        s = frame[col]
        if (name in named or not _INDEX_NAMES.fullmatch(name)
                or not pd.api.types.is_integer_dtype(s) or pd.api.types.is_bool_dtype(s)):
            break
        values = s.to_numpy()
        if not any(values[0] == k and np.array_equal(values, np.arange(k, k + len(values)))
                   for k in starts):
            break
        frame = frame.drop(columns=[col])
        dropped = dropped or str(col)
    return frame, dropped


def _append_test(frame: pd.DataFrame, test_data: Any, label: str,
                 named: set[str]) -> tuple[pd.DataFrame, int, str]:
    """The series followed by a separate holdout with the same columns."""
    try:
        test, test_source = _read(test_data)
    except InputError as exc:
        raise InputError(f"test data {exc}") from None
    tlabel = test_source if test_source.startswith("<") else f"'{test_source}'"
    tlabel = f"test data {tlabel}"
    _check_table(test, tlabel)
    n = len(frame)
    test, _ = _drop_row_index(test, named, starts=(0, 1, n, n + 1))
    mine = [str(c) for c in frame.columns]
    theirs = [str(c) for c in test.columns]
    if mine != theirs:
        missing = [c for c in mine if c not in theirs]
        extra = [c for c in theirs if c not in mine]
        if missing or extra:
            what = "; ".join(part for part in (
                f"missing {', '.join(repr(c) for c in missing)}" if missing else "",
                f"extra {', '.join(repr(c) for c in extra)}" if extra else "") if part)
            raise InputError(f"{tlabel} has other columns than {label} ({what}); give the "
                             "holdout the same columns as the training data")
        test = test[list(frame.columns)]
    test.columns = frame.columns
    typed_index = isinstance(frame.index, (pd.DatetimeIndex, pd.PeriodIndex))
    if typed_index != isinstance(test.index, (pd.DatetimeIndex, pd.PeriodIndex)):
        raise InputError(f"{tlabel} and {label} keep their time stamps differently (one in "
                         "the index, one in a column); give both the same layout")
    both = pd.concat([frame, test], ignore_index=not typed_index)
    return both, len(test), test_source


def _read(data: Any) -> tuple[pd.DataFrame, str]:
    if isinstance(data, SeriesData):
        raise InputError("data is already a SeriesData; pass it to check() directly")
    if isinstance(data, pd.DataFrame):
        return data.copy(), "<DataFrame>"
    if isinstance(data, pd.Series):
        name = data.name if data.name is not None else "y"
        return data.to_frame(name=name), "<Series>"
    if isinstance(data, (np.ndarray, list, tuple)):
        arr = np.asarray(data)
        if arr.ndim == 1:
            return pd.DataFrame({"y": arr}), "<array>"
        if arr.ndim == 2:
            return pd.DataFrame(arr, columns=[f"x{i}" for i in range(arr.shape[1])]), "<array>"
        raise InputError(f"<array>: expected 1-D or 2-D data, found {arr.ndim}-D")
    if isinstance(data, (str, Path)):
        if str(data) == "-":
            text = sys.stdin.read()
            if not text.strip():
                raise InputError("stdin is empty; pipe a CSV file into 'lstm-doctor check -'")
            return _parse_csv(io.StringIO(text), "<stdin>"), "<stdin>"
        return _read_file(Path(data)), str(data)
    raise InputError(f"data of type {type(data).__name__} is not supported; give a file path, "
                     "a pandas DataFrame/Series or a numpy array")


def _read_file(path: Path) -> pd.DataFrame:
    label = f"'{path}'"
    if not path.exists():
        raise InputError(f"{label} does not exist; check the path")
    if path.is_dir():
        raise InputError(f"{label} is a directory; give a CSV, Parquet or JSON-lines file")
    try:
        size = path.stat().st_size
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError as exc:
        raise InputError(f"{label} cannot be read ({exc.strerror}); check permissions") from None
    if size == 0:
        raise InputError(f"{label} is empty; give a file with a header and at least "
                         f"{MIN_POINTS} rows")
    suffix = path.suffix.lower()
    if head.startswith(b"PAR1") or suffix in (".parquet", ".pq"):
        try:
            return pd.read_parquet(path)
        except ImportError:
            raise InputError(f"{label}: reading Parquet needs pyarrow; pip install "
                             "'lstm-doctor[parquet]'") from None
        except Exception as exc:
            raise InputError(f"{label} is not a readable Parquet file ({_first_line(exc)})") \
                from None
    if b"\x00" in head or _looks_binary(head):
        raise InputError(f"{label} looks like binary data, not text; give a CSV, Parquet or "
                         "JSON-lines file")
    if suffix in (".jsonl", ".ndjson") or (suffix == ".json" and head.lstrip().startswith(b"{")):
        try:
            return pd.read_json(path, lines=True)
        except ValueError as exc:
            raise InputError(f"{label} is not valid JSON lines ({_first_line(exc)}); one JSON "
                             "object per line is expected") from None
    return _parse_csv(path, label)


def _looks_binary(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the 4096-byte boundary is fine
        if exc.start < len(head) - 4:
            return True
    control = sum(b < 9 or 13 < b < 32 for b in head)
    return control > max(1, len(head) // 100)


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _parse_csv(source: Any, label: str) -> pd.DataFrame:
    if hasattr(source, "read"):
        text = source.read()
    else:
        try:
            text = Path(source).read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise InputError(f"{label} is not UTF-8 text; save the file as UTF-8 CSV") from None
    sep = _sniff_delimiter(text)
    try:
        return pd.read_csv(io.StringIO(text), sep=sep)
    except pd.errors.EmptyDataError:
        raise InputError(f"{label} has no data; give a CSV with a header and at least "
                         f"{MIN_POINTS} rows") from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"{label} is not a readable CSV file ({_first_line(exc)}); check "
                         "the delimiter and that every row has the same columns") from None


def _sniff_delimiter(text: str) -> str:
    import csv

    sample = "\n".join(text[:65536].splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


# -- time stamps -------------------------------------------------------------------------------

_TIME_NAMES = ("date", "time", "datetime", "timestamp", "ds", "period", "year", "month", "day",
               "week", "quarter", "index", "t")


@dataclass
class _Time:
    """What :func:`_find_time` found."""

    frame: pd.DataFrame
    index: pd.Index | None = None
    name: str | None = None
    fmt: str | None = None
    note: str | None = None
    skip: str | None = None  # a column that is time-like: never the automatic target


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
        rest = frame.drop(columns=[time_col])
        if parsed.index is None:  # not interpretable: ordinal, with a note
            return _Time(rest, None, None, None, parsed.note, skip=None)
        return _Time(rest, parsed.index, time_col, parsed.fmt, parsed.note)
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
    rest = frame.drop(columns=[name])
    if parsed.index is None:
        return _Time(rest, None, None, None, parsed.note, skip=None)
    return _Time(rest, parsed.index, name, parsed.fmt, parsed.note)


def _detect_time_column(frame: pd.DataFrame, time_format: str | None = None,
                        values: set[str] | None = None) -> str | None:
    """The column that holds the time stamps (cheap: looks at a few values), or None.

    A given ``time_format`` does not choose the column (so that a format that does not fit
    is reported against it) unless no column looks like time without it. Columns named in
    ``values`` (the target and features) are never the time column.
    """
    values = values or set()
    frame = frame[[c for c in frame.columns if str(c) not in values]]
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            return str(col)
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            sample = _head(s)
            if len(sample) and _looks_like_dates(sample):
                return str(col)
    for col in frame.columns:
        s = frame[col]
        if str(col).strip().lower() in _TIME_NAMES and pd.api.types.is_integer_dtype(s) \
                and not pd.api.types.is_bool_dtype(s):
            return str(col)
    if time_format is not None:
        for col in frame.columns:
            s = frame[col]
            if s.dtype == object or pd.api.types.is_string_dtype(s) \
                    or pd.api.types.is_integer_dtype(s):
                sample = _head(s)
                if len(sample) and _looks_like_dates(sample, time_format):
                    return str(col)
    return None


def _head(s: pd.Series, n: int = 20) -> pd.Series:
    """The first ``n`` non-missing values as stripped strings (without scanning the column)."""
    head = s.iloc[:1000].dropna()
    return (head if len(head) else s.dropna()).head(n).astype(str).str.strip()


_NUMBER = r"[-+]?\d*\.?\d+([eE][-+]?\d+)?"
_YEAR_TOKEN = re.compile(r"(?<!\d)(1[6-9]|2[0-2])\d\d(?!\d)")


def _looks_like_dates(sample: pd.Series, time_format: str | None = None) -> bool:
    if time_format is not None:
        return bool(_parse_with(sample, time_format).notna().mean() >= 0.9)
    if sample.str.fullmatch(_NUMBER).all():
        return False
    if _YEARLESS.fullmatch(sample.iloc[0]) and sample.str.fullmatch(_YEARLESS.pattern).all():
        return True
    if sample.str.fullmatch(_QUARTER.pattern).all():
        return True
    if _formats_cover(list(sample), share=0.9):
        return True
    if not sample.map(lambda v: bool(_YEAR_TOKEN.search(v))).all():
        return False
    return bool(_mixed(sample).notna().mean() >= 0.9)


@dataclass
class _Parsed:
    index: pd.Index | None
    fmt: str | None = None
    note: str | None = None


def _parse_time(values: pd.Series, name: str, label: str,
                time_format: str | None = None) -> _Parsed:
    """Parse one time column (explicit ``time_format``, else one inferred format)."""
    s = pd.Series(values).reset_index(drop=True)
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
    missing = s.isna()
    if pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s):
        missing = missing | (s.astype(str).str.strip() == "")
    if missing.any():
        row = int(np.flatnonzero(missing.to_numpy())[0])
        raise InputError(f"{label}: time column '{name}' has {int(missing.sum())} missing "
                         f"value(s) (first at row {row}); fill or drop those rows")


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


# -- date formats ----------------------------------------------------------------------------

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


# -- target and value columns ----------------------------------------------------------------

def _find_target(frame: pd.DataFrame, target: str | None, features: list[str],
                 label: str, exclude: str | None = None) -> str:
    columns = [str(c) for c in frame.columns]
    frame.columns = columns
    if target is not None:
        if target not in columns:
            raise InputError(f"{label}: target column '{target}' not found"
                             f"{did_you_mean(target, columns)} (columns: {', '.join(columns)})")
        return target
    numeric = [c for c in columns
               if c not in features and c != exclude and _is_numeric_like(frame[c])]
    if len(numeric) == 1:
        return numeric[0]
    if not numeric:
        raise InputError(f"{label}: no numeric column found (columns: {', '.join(columns)}); "
                         "pass --target with the column to forecast")
    raise InputError(f"{label} has {len(numeric)} numeric columns ({', '.join(numeric)}); "
                     "choose the one to forecast with --target")


def _is_numeric_like(s: pd.Series) -> bool:
    if pd.api.types.is_bool_dtype(s):
        return False
    if pd.api.types.is_numeric_dtype(s):
        return True
    converted = pd.to_numeric(s, errors="coerce")
    return bool(s.notna().sum() and converted.notna().sum() >= 0.9 * s.notna().sum())


def _numeric_column(frame: pd.DataFrame, name: str, label: str, role: str) -> np.ndarray:
    s = frame[name]
    if pd.api.types.is_bool_dtype(s):
        return s.astype(float).to_numpy()
    if not pd.api.types.is_numeric_dtype(s):
        converted = pd.to_numeric(s, errors="coerce")
        bad = converted.isna() & s.notna() & (s.astype(str).str.strip() != "")
        if bad.any():
            first = s[bad].iloc[0]
            raise InputError(f"{label}: {role} column '{name}' is not numeric ({int(bad.sum())} "
                             f"value(s) like {first!r}); clean the column or choose another "
                             "with --target")
        s = converted
    return s.to_numpy(dtype=np.float64, na_value=np.nan)


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
        step = np.median(diffs)
        try:
            return pd.tseries.frequencies.to_offset(pd.Timedelta(int(step), unit="ns")).freqstr
        except ValueError:
            return None
    values = np.asarray(time, dtype=float)
    diffs = np.diff(np.unique(values[np.isfinite(values)]))
    if diffs.size == 0:
        return None
    step = float(np.median(diffs))
    return f"{step:g}"


# -- calendars -------------------------------------------------------------------------------

def _exchange_calendars(what: str):
    """The ``exchange_calendars`` module (imported lazily), or an InputError for ``what``."""
    try:
        import exchange_calendars
    except ImportError:
        raise InputError(f"{what} needs the exchange_calendars package; pip install "
                         "'lstm-doctor[calendars]' (or use --calendar business)") from None
    return exchange_calendars


def validate_calendar(name: str | None) -> str:
    """A calendar choice in canonical form: ``auto``, ``none``, ``business`` or an exchange.

    Parameters
    ----------
    name : str or None
        ``None``/``"auto"``, ``"none"``, ``"business"`` or an exchange code or alias known
        to ``exchange_calendars`` (``XNYS``, ``NYSE``, ``XLON``, ``XTKS``...; any case).

    Returns
    -------
    str
        The choice (an exchange code in its canonical spelling, e.g. ``"XNYS"``).

    Raises
    ------
    InputError
        For an unknown name (with a "did you mean"), or an exchange code without
        ``exchange_calendars`` installed.
    """
    if name is None:
        return "auto"
    if not isinstance(name, str) or not name.strip():
        raise InputError(f"calendar must be auto, none, business or an exchange code such as "
                         f"XNYS; found {name!r}")
    low = name.strip().lower()
    if low in CALENDARS:
        return low
    if low in ("b", "bday", "weekdays"):
        return "business"
    xcals = _exchange_calendars(f"calendar {name.strip()!r}")
    names = list(xcals.get_calendar_names(include_aliases=True))
    lookup = {n.upper(): n for n in names}
    key = name.strip().upper()
    if key not in lookup:
        raise InputError(f"calendar {name.strip()!r} is not known"
                         f"{did_you_mean(key, [*CALENDARS, *names])}; use auto, none, business "
                         "or an exchange code such as XNYS, XLON, XTKS")
    return str(xcals.resolve_alias(lookup[key]))


@lru_cache(maxsize=64)
def _sessions(code: str, first: str, last: str) -> tuple[str, np.ndarray]:
    """``(weekmask, trading days)`` of an exchange between two ISO dates (cached)."""
    import warnings

    xcals = _exchange_calendars(f"calendar {code!r}")
    end = max(np.datetime64(last), np.datetime64(first) + 7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cal = xcals.get_calendar(code, start=first, end=str(end))
        days = cal.sessions.to_numpy().astype("datetime64[D]")
    return str(cal.weekmask), days


def _busdaycal(calendar: str, first: np.datetime64, last: np.datetime64) -> np.busdaycalendar:
    """A numpy business-day calendar for ``business`` or an exchange's trading days."""
    if calendar == "business":
        return np.busdaycalendar(weekmask="1111100")
    weekmask, sessions = _sessions(calendar, str(first), str(last))
    span = np.arange(first, last + 1)
    open_days = span[np.is_busday(span, weekmask=weekmask)]
    holidays = open_days[~np.isin(open_days, sessions)]
    return np.busdaycalendar(weekmask=weekmask, holidays=holidays)


def _daily(time: pd.DatetimeIndex) -> np.ndarray | None:
    """Sorted unique days (``datetime64[D]``) of once-a-day stamps, else None.

    Daily: one time of day for all stamps, and at least half of the steps one day long
    (a business-day series steps Friday -> Monday too).
    """
    wall = time.tz_localize(None) if time.tz is not None else time
    ns = wall.dropna().as_unit("ns").asi8
    if ns.size < 3 or not np.all(ns % _DAY_NS == ns[0] % _DAY_NS):  # cheap test first
        return None
    days = np.unique(ns // _DAY_NS)
    if days.size < 3 or float(np.mean(np.diff(days) == 1)) < 0.5:
        return None
    return days.astype("datetime64[D]")


def choose_calendar(time: pd.Index | None, choice: str, label: str = "<data>",
                    name: str | None = None) -> tuple[str | None, str | None]:
    """The calendar of a time index and why: ``(calendar, note)``.

    Parameters
    ----------
    time : pandas.Index or None
        The stamps.
    choice : str
        From :func:`validate_calendar`: ``auto``, ``none``, ``business`` or an exchange.
    label, name : str
        The data and its time column, for messages.

    Returns
    -------
    tuple
        ``(None, None)`` without date stamps; else ``("none" | "business" | code, note)``.
        Auto: daily stamps that skip weekends are business days; when the absent weekdays
        are mostly the holidays of an exchange (``AUTO_EXCHANGES``, XNYS first), that
        exchange's trading days.
    """
    what = f"time column '{name}'" if name else "the data"
    if not isinstance(time, pd.DatetimeIndex):
        if choice in ("auto", "none"):
            return None, None
        raise InputError(f"{label}: calendar {choice!r} needs date stamps, but {what} "
                         f"{'holds numbers' if time is not None else 'has no time column'}; "
                         "use --calendar none or give a date column")
    if choice == "none":
        return "none", "plain 24h/7d grid (given)"
    days = _daily(time)
    if days is None:
        if choice == "auto":
            return "none", None
        raise InputError(f"{label}: calendar {choice!r} is for once-a-day stamps, but {what} "
                         f"steps by {infer_frequency(time) or 'irregular steps'}; use "
                         "--calendar none")
    first, last = days[0], days[-1]
    if choice == "business":
        return "business", "business days, Monday-Friday (given)"
    if choice != "auto":
        try:
            _sessions(choice, str(first), str(last))
        except InputError:
            raise
        except Exception as exc:  # noqa: BLE001 - the library's own range checks
            raise InputError(f"{label}: calendar {choice!r} cannot cover {first} to {last} "
                             f"({_first_line(exc)}); use --calendar business") from None
        return choice, f"trading days of {choice} (given; exchange_calendars)"
    return _auto_calendar(days)


def _auto_calendar(days: np.ndarray) -> tuple[str, str | None]:
    if not np.is_busday(days).all():
        return "none", None  # stamps on weekends: a plain daily grid
    first, last = days[0], days[-1]
    span = np.arange(first, last + 1)
    weekdays = np.is_busday(span)
    if int((~weekdays).sum()) < 2:
        return "none", None  # no weekend in the range: nothing tells the calendars apart
    bdays = span[weekdays]
    missing = bdays[~np.isin(bdays, days)]
    if missing.size == 0:
        return "business", "daily stamps skip weekends: business days (Monday-Friday)"
    try:
        import exchange_calendars  # noqa: F401
    except ImportError:
        return "business", (f"daily stamps skip weekends: business days; {missing.size} other "
                            "weekdays are absent: pip install 'lstm-doctor[calendars]' to tell "
                            "exchange holidays from gaps")
    best: tuple[int, str, int, int] | None = None
    for code in AUTO_EXCHANGES:
        try:
            _, sessions = _sessions(code, str(first), str(last))
        except Exception:  # noqa: BLE001 - an exchange that cannot cover the range
            continue
        closed = bdays[~np.isin(bdays, sessions)]
        if closed.size == 0:
            continue
        explained = int(np.isin(closed, missing).sum())
        if explained < 0.8 * closed.size:
            continue
        score = (missing.size - explained) + (closed.size - explained)
        if best is None or score < best[0]:
            best = (score, code, explained, missing.size - explained)
        if score == 0:
            break
    if best is None:
        return "business", (f"daily stamps skip weekends: business days; {missing.size} other "
                            "weekdays are absent and are not the holidays of "
                            f"{', '.join(AUTO_EXCHANGES)}")
    _, code, explained, unexplained = best
    note = (f"daily stamps skip weekends and the {explained} weekdays {code} was closed: "
            f"{code} trading days (exchange_calendars)")
    if unexplained:
        note += f"; {unexplained} other weekday(s) are absent"
    return code, note


# -- the time grid ---------------------------------------------------------------------------

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
    uniq = pd.Index(time).dropna()
    out["n_duplicates"] = int(uniq.duplicated().sum())
    dup_rows = np.flatnonzero(pd.Index(time).duplicated())
    out["first_duplicate_row"] = int(dup_rows[0]) if dup_rows.size else None
    uniq = uniq.unique().sort_values()
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
        step = float(np.median(np.diff(u)))
        if not step > 0 or not np.isfinite(step):
            return out
        rel = (u - u[0]) / step
        on_grid = np.isclose(rel, np.round(rel), atol=1e-6) & (np.abs(rel) < 2.0**53)
        pos = np.round(rel[on_grid]).astype(np.int64)
        out["step"] = f"{step:g}"

        def stamp(p: int) -> Any:
            return json_stamp(u[0] + step * p)
    out["n_off_grid"] = int(np.sum(~np.asarray(on_grid)))
    out.update(_gap_facts(np.unique(np.asarray(pos, dtype=np.int64)), stamp))
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
