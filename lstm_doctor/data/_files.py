"""Reading the data: files (CSV, Parquet, JSON lines), stdin and in-memory tables."""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lstm_doctor.data._common import MIN_POINTS, _first_line
from lstm_doctor.data._numbers import convert_separated_columns
from lstm_doctor.data._series import SeriesData
from lstm_doctor.errors import InputError


def _read(data: Any) -> tuple[pd.DataFrame, str]:
    if isinstance(data, SeriesData):
        raise InputError("data is already a SeriesData; pass it to check() directly")
    if isinstance(data, pd.DataFrame):
        # a shallow copy: nothing downstream writes into the columns, and renaming or
        # dropping columns makes new objects (the caller's frame is never changed)
        return data.copy(deep=False), "<DataFrame>"
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
        frame = pd.read_csv(io.StringIO(text), sep=sep)
    except pd.errors.EmptyDataError:
        raise InputError(f"{label} has no data; give a CSV with a header and at least "
                         f"{MIN_POINTS} rows") from None
    except (pd.errors.ParserError, ValueError) as exc:
        raise InputError(f"{label} is not a readable CSV file ({_first_line(exc)}); check "
                         "the delimiter and that every row has the same columns") from None
    except OverflowError as exc:
        raise InputError(f"{label} has a value too large to read ({_first_line(exc)}); fix "
                         "or rescale it") from None
    frame, _ = convert_separated_columns(frame, sep)
    return frame


def _sniff_delimiter(text: str) -> str:
    import csv

    sample = "\n".join(text[:65536].splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","
