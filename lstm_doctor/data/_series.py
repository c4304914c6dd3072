"""The validated series (:class:`SeriesData`) and the checks of its target and feature columns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lstm_doctor.data._numbers import separator_style, shown, to_float
from lstm_doctor.errors import InputError, did_you_mean


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
    """``fn`` of the finite values (None when there are none).

    Computed on a copy divided by a power of two and scaled back: the squares of 1e160
    do not overflow, nor do those of 1e-160 underflow.
    """
    finite = y[np.isfinite(y)]
    if not finite.size:
        return None
    top = float(np.abs(finite).max())
    scale = 1.0 if top == 0 or 1e-100 <= top <= 1e100 else 2.0 ** np.floor(np.log2(top))
    value = float(fn(finite / scale)) * scale
    return value if np.isfinite(value) else None


def json_stamp(value: Any) -> Any:
    """A time stamp as a JSON value: ISO string for dates, int/float for numeric stamps."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return float(value)
    return str(value)


def _find_target(frame: pd.DataFrame, target: str | None, features: list[str],
                 label: str, exclude: str | None = None,
                 columns: list[str] | None = None) -> str:
    """The target column: the given one, or the only numeric one of ``columns``.

    ``columns`` (default: all of the frame's) are the names the target may be among, as
    strings (the frame's column names are already strings then).
    """
    if columns is None:
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
    if separator_style(s) is not None:  # "1,007.5": the target, with a precise message
        return True
    values, not_numeric, too_large = to_float(s)
    given = int(s.notna().sum())
    numeric = int((~np.isnan(values)).sum() + too_large.sum())  # inf is a number
    return bool(given and numeric >= 0.9 * given)


def _numeric_column(frame: pd.DataFrame, name: str, label: str, role: str) -> np.ndarray:
    s = frame[name]
    values, not_numeric, too_large = to_float(s)
    if too_large.any():
        row = int(np.flatnonzero(too_large)[0])
        raise InputError(f"{label}: {role} column '{name}' has {int(too_large.sum())} value(s) "
                         f"too large for a 64-bit float (row {row}: {shown(s.iloc[row])}; the "
                         "limit is about 1.8e308); fix or rescale those values")
    if not_numeric.any():
        row = int(np.flatnonzero(not_numeric)[0])
        first = s.iloc[row]
        style = separator_style(s)
        if style is not None:
            how = ("decimal commas (read the file with decimal=',')"
                   if style == "decimal_comma" else "thousands separators (read the file "
                   "with thousands=',', or pd.to_numeric(s.str.replace(',', '')))")
            raise InputError(f"{label}: {role} column '{name}' holds numbers written with "
                             f"{how}, e.g. {shown(first)}; convert the column to numbers")
        raise InputError(f"{label}: {role} column '{name}' is not numeric "
                         f"({int(not_numeric.sum())} value(s) like {shown(first)}), first at row "
                         f"{row}; clean the column or choose another with --target")
    return values
