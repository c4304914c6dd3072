"""Small numeric helpers shared by the data intake and the statistics (no imports of ours)."""

from __future__ import annotations

import numpy as np


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


__all__ = ["_median"]
