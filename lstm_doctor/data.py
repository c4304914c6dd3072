"""Loading and validating the user's series (the input boundary).

Nothing is repaired here: order, duplicates and gaps are kept exactly as given and are
reported by the LD1xx rules instead.
"""

from __future__ import annotations

import io
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lstm_doctor.errors import InputError, did_you_mean

MIN_POINTS = 10


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
        Inferred frequency (pandas alias, or ``"1"`` for a regular integer step).
    source : str
        Where the series came from (file path or ``"<DataFrame>"``).
    """

    y: np.ndarray
    target: str
    time: pd.Index | None = None
    features: pd.DataFrame | None = None
    frequency: str | None = None
    source: str = "<data>"
    time_col: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)

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
    time_col: str | None = None,
    features: list[str] | str | None = None,
) -> SeriesData:
    """Load and validate a series from a file, stdin, DataFrame, Series or array.

    Parameters
    ----------
    data : str, Path, DataFrame, Series or array-like
        A CSV / Parquet / JSON-lines file, ``"-"`` for CSV on stdin, or in-memory data.
    target : str, optional
        The column to forecast. Default: the only numeric column.
    time_col : str, optional
        The time column. Default: a datetime-like index or column, or an integer
        column named like a year/period/time.
    features : list of str or comma-separated str, optional
        Extra numeric input columns.

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
    frame, source = _read(data)
    label = source if source.startswith("<") else f"'{source}'"
    if frame.shape[1] == 0:
        raise InputError(f"{label} has no columns; give a table with a numeric target column")
    if len(frame) == 0:
        raise InputError(f"{label} has a header but no rows; give at least {MIN_POINTS} rows")

    time_index, time_name, frame = _find_time(frame, time_col, label)
    target = _find_target(frame, target, features, label)
    y = _numeric_column(frame, target, label, role="target")
    finite = np.isfinite(y)
    if not finite.any():
        raise InputError(f"{label}: target column '{target}' has no finite values "
                         f"(all {len(y)} are missing or infinite); check the column")
    if finite.sum() < MIN_POINTS:
        raise InputError(f"{label}: target column '{target}' has {int(finite.sum())} finite "
                         f"values; lstm-doctor needs at least {MIN_POINTS}")
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
    freq = infer_frequency(time_index)
    return SeriesData(y=y, target=str(target), time=time_index, features=feats,
                      frequency=freq, source=source, time_col=time_name)


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


_TIME_NAMES = ("date", "time", "datetime", "timestamp", "ds", "period", "year", "month", "day",
               "week", "quarter", "index", "t")


def _find_time(frame: pd.DataFrame, time_col: str | None, label: str
               ) -> tuple[pd.Index | None, str | None, pd.DataFrame]:
    if time_col is not None:
        if time_col not in frame.columns:
            if frame.index.name == time_col:
                return _parse_time(frame.index, time_col, label), time_col, frame
            raise InputError(f"{label}: time column '{time_col}' not found"
                             f"{did_you_mean(time_col, map(str, frame.columns))} "
                             f"(columns: {', '.join(map(str, frame.columns))})")
        idx = _parse_time(frame[time_col], time_col, label)
        return idx, time_col, frame.drop(columns=[time_col])
    if isinstance(frame.index, (pd.DatetimeIndex, pd.PeriodIndex)):
        idx = frame.index.to_timestamp() if isinstance(frame.index, pd.PeriodIndex) else frame.index
        return pd.DatetimeIndex(idx), str(frame.index.name or "index"), frame.reset_index(drop=True)
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_datetime64_any_dtype(s):
            return pd.DatetimeIndex(s), str(col), frame.drop(columns=[col])
        if s.dtype == object or pd.api.types.is_string_dtype(s):
            sample = s.dropna().astype(str).head(20)
            if len(sample) and _parses_as_dates(sample):
                return _parse_time(s, str(col), label), str(col), frame.drop(columns=[col])
    for col in frame.columns:
        s = frame[col]
        if str(col).strip().lower() in _TIME_NAMES and pd.api.types.is_integer_dtype(s):
            return pd.Index(s.to_numpy()), str(col), frame.drop(columns=[col])
    return None, None, frame


def _parses_as_dates(sample: pd.Series) -> bool:
    import warnings

    if sample.str.fullmatch(r"[-+]?\d*\.?\d+([eE][-+]?\d+)?").all():
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(sample, errors="coerce", format="mixed")
    return bool(parsed.notna().mean() >= 0.9)


def _parse_time(values: Any, name: str, label: str) -> pd.Index:
    import warnings

    s = pd.Series(values)
    if pd.api.types.is_datetime64_any_dtype(s):
        return pd.DatetimeIndex(s)
    if pd.api.types.is_numeric_dtype(s):
        if s.isna().any():
            raise InputError(f"{label}: time column '{name}' has {int(s.isna().sum())} missing "
                             "values; fill or drop those rows")
        return pd.Index(s.to_numpy())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(s, errors="coerce", format="mixed")
    bad = parsed.isna() & s.notna()
    if bad.any() or parsed.isna().any():
        first = s[parsed.isna()].iloc[0]
        count = int(parsed.isna().sum())
        raise InputError(f"{label}: time column '{name}' has {count} value(s) that are not "
                         f"dates (first: {first!r}); fix them or pass --time-col for another "
                         "column")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_convert(None)
    return pd.DatetimeIndex(parsed)


def _find_target(frame: pd.DataFrame, target: str | None, features: list[str],
                 label: str) -> str:
    columns = [str(c) for c in frame.columns]
    frame.columns = columns
    if target is not None:
        if target not in columns:
            raise InputError(f"{label}: target column '{target}' not found"
                             f"{did_you_mean(target, columns)} (columns: {', '.join(columns)})")
        return target
    numeric = [c for c in columns if c not in features and _is_numeric_like(frame[c])]
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


def time_grid(time: pd.Index | None) -> dict[str, Any] | None:
    """Regularity facts about a time index (in the given order).

    Returns ``None`` without a time index, else a dict with ``sorted`` (monotonic
    increasing), ``n_duplicates``, ``n_unsorted`` (steps that go backwards), ``step``
    (the base step as a string), ``n_missing`` (stamps of the regular grid that are absent),
    ``longest_gap`` (most consecutive absent stamps), ``n_off_grid`` (stamps not on the grid)
    and ``first_missing``.
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
    out.update({"step": None, "n_missing": 0, "longest_gap": 0, "n_off_grid": 0,
                "first_missing": None})
    if len(uniq) < 3:
        return out
    if isinstance(uniq, pd.DatetimeIndex):
        freq = _infer_freq(uniq)
        if freq:
            out["step"] = freq
            return out
        freq = _base_offset(uniq)
        if freq is None:
            out["n_off_grid"] = len(uniq)
            return out
        grid = pd.date_range(uniq[0], uniq[-1], freq=freq)
        on_grid = uniq.isin(grid)
        present = grid.isin(uniq)
        out["step"] = freq
    else:
        u = np.asarray(uniq, dtype=float)
        step = float(np.median(np.diff(u)))
        if step <= 0:
            return out
        pos = (u - u[0]) / step
        on_grid = np.isclose(pos, np.round(pos), atol=1e-6)
        total = int(np.round(pos[on_grid][-1])) + 1 if on_grid.any() else len(u)
        present = np.zeros(total, dtype=bool)
        present[np.round(pos[on_grid]).astype(int)] = True
        grid = u[0] + step * np.arange(total)
        out["step"] = f"{step:g}"
    out["n_off_grid"] = int(np.sum(~np.asarray(on_grid)))
    missing = ~np.asarray(present)
    out["n_missing"] = int(missing.sum())
    if missing.any():
        out["first_missing"] = json_stamp(grid[int(np.flatnonzero(missing)[0])])
        out["longest_gap"] = longest_run(missing)
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
