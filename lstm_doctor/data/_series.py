"""The validated series (:class:`SeriesData`) and the checks of its target and feature columns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

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
