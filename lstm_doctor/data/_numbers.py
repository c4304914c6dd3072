"""Numbers written as text: decimal commas, thousands separators, values beyond float64.

A CSV written with a European locale (``0;20,1``) or with grouped digits (``"1,007.5"``)
holds numbers that pandas leaves as text. :func:`convert_separated_columns` reads them,
deciding per column with the file's delimiter; :func:`to_float` turns one column into
float64 and says precisely which values cannot be (text, or integers too large for a
64-bit float) so that the message names the column, the row and the value.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

#: ``20,1``, ``1.234,5`` or ``1,5e+07`` (dots group thousands, the comma is the decimal
#: mark).
_DECIMAL_COMMA = re.compile(r"[-+]?(\d{1,3}(\.\d{3})+|\d+)(,\d*)?([eE][-+]?\d+)?")
#: ``1,007.5`` or ``12,345`` (commas group thousands, the dot is the decimal mark).
_THOUSANDS_COMMA = re.compile(r"[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d*)?([eE][-+]?\d+)?")
#: Looks like a number written with separators (for messages and column detection).
SEPARATED = re.compile(rf"({_DECIMAL_COMMA.pattern})|({_THOUSANDS_COMMA.pattern})")
#: Cells that are numbers in any convention (infinities and NaN spelled out).
_SPECIAL = re.compile(r"[-+]?(inf|infinity|nan)", re.IGNORECASE)

_SAMPLE = 1000


def _texts(s: pd.Series) -> pd.Series | None:
    """The non-empty values of a text column as stripped strings (None for other columns)."""
    if not (s.dtype == object or pd.api.types.is_string_dtype(s)):
        return None
    values = s.dropna()
    if values.empty or not all(isinstance(v, str) for v in values.iloc[:_SAMPLE]):
        return None
    text = values.astype(str).str.strip()
    return text[text != ""]


def separator_style(s: pd.Series, delimiter: str = ",") -> str | None:
    """How a text column writes its numbers: ``"decimal_comma"``, ``"thousands"`` or None.

    Parameters
    ----------
    s : Series
        One column as read.
    delimiter : str
        The file's field delimiter. With ``;``, tab or ``|`` a comma is read as the decimal
        mark first (``20,1``); with ``,`` (quoted values) as a thousands separator first
        (``"1,007.5"``), which is what each convention writes.

    Returns
    -------
    str or None
        None unless every non-empty value is such a number and at least one has a comma.
    """
    text = _texts(s)
    if text is None or text.empty or not text.str.contains(",", regex=False).any():
        return None
    text = text[~text.str.fullmatch(_SPECIAL.pattern, case=False)]
    order = ("thousands", "decimal_comma") if delimiter == "," else \
        ("decimal_comma", "thousands")
    patterns = {"decimal_comma": _DECIMAL_COMMA, "thousands": _THOUSANDS_COMMA}
    for style in order:
        if text.str.fullmatch(patterns[style].pattern).all():
            return style
    return None


def parse_separated(s: pd.Series, style: str) -> pd.Series:
    """A text column of separated numbers as float64 (empty values become NaN)."""
    text = s.astype("string").str.strip()
    if style == "decimal_comma":
        text = text.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    else:
        text = text.str.replace(",", "", regex=False)
    return pd.to_numeric(text.replace("", pd.NA), errors="coerce").astype("float64")


def convert_separated_columns(frame: pd.DataFrame, delimiter: str) -> tuple[pd.DataFrame,
                                                                            dict[str, str]]:
    """Read every text column of separated numbers as numbers.

    Returns
    -------
    tuple
        ``(frame, {column: style})`` for the columns converted.
    """
    converted: dict[str, str] = {}
    for col in frame.columns:
        style = separator_style(frame[col], delimiter)
        if style is not None:
            frame[col] = parse_separated(frame[col], style)
            converted[str(col)] = style
    return frame, converted


def to_float(s: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A column as float64, with what could not be converted.

    Returns
    -------
    tuple
        ``(values, not_numeric, too_large)``: boolean masks of the rows that are text
        (neither empty nor a number) and of integers beyond float64 (about 1.8e308), both
        NaN in ``values``.
    """
    n = len(s)
    too_large = np.zeros(n, dtype=bool)
    if pd.api.types.is_bool_dtype(s):
        return s.astype(float).to_numpy(), np.zeros(n, dtype=bool), too_large
    if pd.api.types.is_numeric_dtype(s):
        try:
            return s.to_numpy(dtype=np.float64, na_value=np.nan), np.zeros(n, dtype=bool), \
                too_large
        except (OverflowError, TypeError, ValueError):
            pass
    try:
        converted = pd.to_numeric(s, errors="coerce")
        values = np.array(converted.to_numpy(dtype=np.float64, na_value=np.nan), copy=True)
    except (OverflowError, TypeError, ValueError):
        values = np.full(n, np.nan)
        for i, v in enumerate(s.tolist()):
            values[i], too_large[i] = _one_float(v)
    text = s.astype(str).str.strip()
    # an integer written with more digits than float64 holds reads as inf: name it
    too_large |= np.isinf(values) & text.str.fullmatch(r"[-+]?\d+").to_numpy(dtype=bool)
    values[too_large] = np.nan
    blank = s.isna().to_numpy() | (text == "").to_numpy()
    not_numeric = np.isnan(values) & ~blank & ~too_large & ~_nan_text(s)
    return values, not_numeric, too_large


def _nan_text(s: pd.Series) -> np.ndarray:
    """Rows that spell a missing value (``nan``, ``NaN``) or a float NaN."""
    text = s.astype(str).str.strip().str.lower()
    return text.isin(("nan", "-nan", "+nan", "<na>", "none", "null")).to_numpy()


def _one_float(value: object) -> tuple[float, bool]:
    """``(float, too_large)`` of one value; NaN for text."""
    if value is None:
        return np.nan, False
    try:
        return float(value), False  # type: ignore[arg-type]
    except OverflowError:
        return np.nan, True
    except (TypeError, ValueError):
        text = str(value).strip()
        if re.fullmatch(r"[-+]?\d+", text) and len(text.lstrip("+-")) > 308:
            return np.nan, True
        return np.nan, False


def shown(value: object, limit: int = 30) -> str:
    """A value for a message: its repr, or ``a 400-digit integer`` for a huge one."""
    text = str(value).strip()
    if re.fullmatch(r"[-+]?\d+", text) and len(text) > limit:
        return f"a {len(text.lstrip('+-'))}-digit integer"
    out = repr(value)
    return out if len(out) <= limit else out[: limit - 3] + "..."
