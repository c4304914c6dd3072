"""The small linear-algebra steps of the unit-root tests, without their wrappers.

On the short series of a panel (tens to hundreds of points) the Python-level wrappers of
scipy's and numpy's routines (argument checks, array-API dispatch, batching) cost more than
the arithmetic. Each function here calls the same LAPACK routine or does the same
operations as the wrapper it replaces, so the results have the same bits (checked by
``tests/test_stats.py`` and ``tests/test_fast_adf.py``).
"""

from __future__ import annotations

import math
import warnings

import numpy as np


def _cholesky_upper(a: np.ndarray) -> np.ndarray:
    """``scipy.linalg.cholesky(a, lower=False, check_finite=False)``: LAPACK ``potrf``
    called as scipy calls it, without the wrapper (a small design's test costs less).

    Raises
    ------
    scipy.linalg.LinAlgError
        When ``a`` is not positive definite.
    """
    from scipy.linalg import LinAlgError, lapack

    c, info = lapack.dpotrf(a, lower=0, overwrite_a=0, clean=1)
    if info > 0:
        raise LinAlgError(f"{info}-th leading minor of the array is not positive definite")
    if info < 0:  # pragma: no cover - argument error
        raise ValueError(f"LAPACK reported an illegal value in {-info}-th argument of POTRF")
    return c


def _cond(r: np.ndarray) -> float:
    """``numpy.linalg.cond(r)`` (2-norm: largest over smallest singular value)."""
    sv = np.linalg.svd(r, compute_uv=False)
    with np.errstate(all="ignore"):
        ratio = sv[0] / sv[-1]
    return math.inf if math.isnan(ratio) else float(ratio)


def _solve_upper(r: np.ndarray, b: np.ndarray, transpose: bool = False) -> np.ndarray:
    """``scipy.linalg.solve_triangular(r, b, trans=..., lower=False)`` by LAPACK ``trtrs``,
    called as scipy calls it (a C-ordered ``r`` is passed transposed as a lower factor).
    """
    from scipy.linalg import LinAlgError, lapack

    trans = 1 if transpose else 0
    if r.flags.f_contiguous:
        x, info = lapack.dtrtrs(r, b, overwrite_b=0, lower=0, trans=trans, unitdiag=0)
    else:
        x, info = lapack.dtrtrs(r.T, b, overwrite_b=0, lower=1, trans=1 - trans, unitdiag=0)
    if info > 0:
        raise LinAlgError(f"singular matrix: resolution failed at diagonal {info - 1}")
    if info < 0:  # pragma: no cover - argument error
        raise ValueError(f"illegal value in {-info}-th argument of internal trtrs")
    return x


def _legendre_line(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``numpy.polynomial.legendre.legfit(x, y, 1)``: the same scaled least squares.

    Returns the two coefficients as 1-element arrays (as ``legval`` uses them), so that
    ``c0 + c1 * u`` equals ``legval(u, legfit(x, y, 1))`` to the last bit.
    """
    x = x + 0.0
    y = y + 0.0
    lhs = np.empty((2, x.shape[0]))
    lhs[0] = x * 0 + 1
    lhs[1] = x
    scl = np.sqrt(np.square(lhs).sum(1))
    scl[scl == 0] = 1
    c, _resid, rank, _sv = np.linalg.lstsq(lhs.T / scl, y, x.shape[0] * np.finfo(float).eps)
    if rank != 2:
        warnings.warn("The fit may be poorly conditioned", _RANK_WARNING, stacklevel=2)
    c = (c.T / scl).T
    return c[0:1], c[1:2]


#: numpy's RankWarning (``np.exceptions`` from numpy 1.25 on).
_RANK_WARNING = getattr(getattr(np, "exceptions", np), "RankWarning", UserWarning)
