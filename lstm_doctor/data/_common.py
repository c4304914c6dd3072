"""Limits and helpers shared by the series readers."""

from __future__ import annotations

import numpy as np

#: Fewest finite target values a series must have.
MIN_POINTS = 10

_DAY_NS = 86_400 * 10**9


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _median(z: np.ndarray) -> float:
    """``np.median`` of a finite 1-D array (the same middle values and mean of two)."""
    n = z.size
    half = n // 2
    if n % 2:
        return float(np.partition(z, half)[half])
    part = np.partition(z, (half - 1, half))
    if part.dtype.kind in "iub":  # numpy averages integers as floats
        return (float(part[half - 1]) + float(part[half])) / 2
    return float((part[half - 1] + part[half]) / 2)
