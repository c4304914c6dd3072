"""Display data for plots: min/max-preserving downsampling (pure numpy).

Shared by :mod:`lstm_doctor.report_facts` (which stores a downsampled series in the
Report) and :mod:`lstm_doctor.render.plots` (which draws it): neither computes anything
diagnostic here.
"""

from __future__ import annotations

import numpy as np

#: About how many points a plotted line keeps.
MAX_POINTS = 2000


def decimate(y: np.ndarray, max_points: int = MAX_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """Min/max-preserving decimation of a line for plotting.

    The series is cut into ``max_points // 2`` buckets; each bucket keeps its minimum and
    maximum, in time order, so spikes and the envelope survive. A bucket holding missing
    values also keeps one NaN so the plotted line still breaks at the gap.

    Parameters
    ----------
    y : ndarray
        The values (may hold NaN).
    max_points : int
        Upper bound (about) on the number of points returned.

    Returns
    -------
    idx : ndarray of int
        Positions of the kept points in ``y``.
    values : ndarray of float
        ``y[idx]``.
    """
    y = np.asarray(y, dtype=float)
    n = y.size
    if n <= max_points:
        return np.arange(n), y
    buckets = max(1, max_points // 2)
    edges = np.linspace(0, n, buckets + 1).astype(int)
    keep: list[int] = []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        if hi <= lo:
            continue
        seg = y[lo:hi]
        finite = np.isfinite(seg)
        if not finite.any():
            keep.append(lo)
            continue
        filled_lo = np.where(finite, seg, np.inf)
        filled_hi = np.where(finite, seg, -np.inf)
        a, b = lo + int(np.argmin(filled_lo)), lo + int(np.argmax(filled_hi))
        keep.extend(sorted({a, b}))
        if not finite.all():
            keep.append(lo + int(np.flatnonzero(~finite)[0]))
    idx = np.array(sorted(set(keep)), dtype=int)
    return idx, y[idx]


__all__ = ["MAX_POINTS", "decimate"]
