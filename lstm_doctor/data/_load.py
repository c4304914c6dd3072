"""Loading a series: :func:`load_series` and the checks of the table as a whole."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from lstm_doctor.data._calendar import choose_calendar, validate_calendar
from lstm_doctor.data._common import MIN_POINTS
from lstm_doctor.data._files import _read
from lstm_doctor.data._series import SeriesData, _find_target, _numeric_column
from lstm_doctor.data._time import _find_time, infer_frequency, validate_time_format
from lstm_doctor.errors import InputError, did_you_mean


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
    target = _column_name(target, "target")
    if isinstance(features, str):
        features = [f.strip() for f in features.split(",") if f.strip()]
    elif features is not None and not isinstance(features, list | tuple):
        raise InputError(f"features must be a list of column names or a comma-separated "
                         f"string; found {type(features).__name__} {features!r}")
    features = [_column_name(f, "feature") for f in features or []]
    no_time = _no_time(time_col)
    if no_time:
        time_col = None
    time_col = _column_name(time_col, "time_col")
    if no_time and time_format:
        raise InputError(f"a time format ({time_format!r}) was given together with no time "
                         "column; drop one of them")
    choice = validate_calendar(calendar)
    if time_format is not None:
        time_format = validate_time_format(time_format)
    frame, source = _read(data)
    label = source if source.startswith("<") else f"'{source}'"
    _check_table(frame, label)
    if not all(type(c) is str for c in frame.columns):  # noqa: E721 - str, not subclasses
        frame.columns = [str(c) for c in frame.columns]
    named = {str(c) for c in (target, time_col, *features) if c is not None}
    frame, index_col = _drop_row_index(frame, named)
    n_test_given = test_source = None
    if test_data is not None:
        frame, n_test_given, test_source = _append_test(frame, test_data, label, named)

    found = _find_time(frame, time_col, label, time_format=time_format, off=no_time,
                       values={str(c) for c in (target, *features) if c is not None})
    frame = found.frame
    columns = found.columns  # the frame's columns but the time column
    time_index = found.index
    target = _find_target(frame, target, features, label, exclude=found.skip, columns=columns)
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
            if name not in columns:
                raise InputError(f"{label}: feature column '{name}' not found"
                                 f"{did_you_mean(name, columns)} "
                                 f"(columns: {', '.join(columns)})")
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
    if isinstance(time_col, int) and not isinstance(time_col, bool):
        return False
    if time_col is not None and not isinstance(time_col, str):
        raise InputError(f"time_col must be a column name, None or False; found "
                         f"{type(time_col).__name__} {time_col!r}")
    return isinstance(time_col, str) and time_col.strip().lower() == "none"


def _column_name(name: Any, role: str) -> str | None:
    """A column named by the user as text (an integer names a column ``5`` too)."""
    if name is None:
        return None
    if isinstance(name, str):
        return name
    if isinstance(name, int | np.integer) and not isinstance(name, bool):
        return str(name)
    raise InputError(f"{role} must be a column name (a string); found "
                     f"{type(name).__name__} {name!r}")


def _check_table(frame: pd.DataFrame, label: str) -> None:
    if frame.shape[1] == 0:
        raise InputError(f"{label} has no columns; give a table with a numeric target column")
    if len(frame) == 0:
        raise InputError(f"{label} has a header but no rows; give at least {MIN_POINTS} rows")
    if isinstance(frame.columns, pd.MultiIndex):
        raise InputError(f"{label} has multi-level column names; flatten them "
                         "(df.columns = ['_'.join(map(str, c)) for c in df.columns])")
    plain = [str(c) for c in frame.columns]
    if len(set(plain)) == len(plain):
        return
    names = pd.Index(plain)
    dup = names[names.duplicated()].unique()
    if len(dup):
        shown = ", ".join(repr(c) for c in dup[:5])
        raise InputError(f"{label} has duplicate column names ({shown}); give every column "
                         "a unique name")


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
        if name in named or not _INDEX_NAMES.fullmatch(name):
            break
        s = frame[col]
        if not pd.api.types.is_integer_dtype(s) or pd.api.types.is_bool_dtype(s):
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
    test.columns = [str(c) for c in test.columns]
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
