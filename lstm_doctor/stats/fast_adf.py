"""Fast, memory-bounded Augmented Dickey-Fuller test with automatic lag selection.

:func:`adfuller_fast` reproduces :func:`statsmodels.tsa.stattools.adfuller` (statistic,
p-value, used lag, nobs, critical values and best information criterion) for the same
arguments, but it never fits one OLS per candidate lag and never materialises the lag
matrix.

How it works
------------
statsmodels selects the lag on a *common* sample (the first ``maxlag`` differences are
dropped for every candidate) with nested regressors ordered
``[deterministic terms, lagged level, Δx_{t-1}, ..., Δx_{t-maxlag}]``; candidate ``p``
uses the first ``ntrend + 1 + p`` columns. For nested least-squares problems a single
triangular factor ``R`` of the augmented matrix ``[X | y]`` holds every answer:

* the residual sum of squares of the model made of the first ``m`` columns is
  ``sum(R[m:, -1] ** 2)``, hence its log-likelihood, AIC and BIC;
* the t-value of the last column of that model is ``R[m - 1, -1] / sqrt(ssr / (nobs - m))``
  (used by ``autolag="t-stat"``).

``R`` is obtained without materialising ``X``: row chunks of the lag matrix are built from
a strided view of the (re-centred, see below) differenced series and only their
cross-products are kept, so memory is ``O(chunk_rows * k)`` whatever the length of the
series. Three levels of accuracy are used, chosen from the condition number of the
column-equilibrated factor:

1. *Cholesky of the cross-product* ``X'X`` accumulated by chunks (one pass, BLAS ``syrk``).
   The error of the normal equations grows like ``cond(X)**2 * eps``, so this is used only
   when the equilibrated condition number is at most ``_COND_ONE_PASS`` (1e3, error
   below ~1e-10; typical ADF designs have 1-100).
2. Otherwise *CholeskyQR2*: a second pass accumulates the cross-product of
   ``X R1^{-1}`` (nearly orthonormal columns) and ``R = R2 R1``, which has the accuracy of
   a Householder QR as long as ``cond(X) < ~1e7`` (``_COND_TWO_PASS`` = 1e6 here).
3. Otherwise a *tall-skinny Householder QR* (LAPACK ``dgeqrf`` on ``[R; next chunk]``),
   backward stable for any conditioning, and used to diagnose rank deficiency.

The chosen lag is then re-fitted, as statsmodels does, on the longer sample with only
``usedlag`` differences dropped: that sample is the common sample plus
``maxlag - usedlag`` earlier rows, so its factor is the leading block of ``R`` updated
with those few rows. The deterministic terms are represented by Legendre polynomials of
the (rescaled) time index, which span the same space as statsmodels' ``1, t, t**2``
(with ``t = 1..nobs``) on both samples while being well conditioned, and a polynomial
of the same order is subtracted from the level and from the differences beforehand
(which removes, e.g., the near-collinearity of a random walk around a large offset with
the constant). The statistic, the residuals and the information criteria are exactly
invariant to both changes; they only improve the conditioning, so the result is often
*more* accurate than statsmodels' own (whose raw ``t**2`` column can make its
pseudo-inverse lose digits).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from lstm_doctor.stats._lapack import (
    _cholesky_upper,
    _cond,
    _legendre_line,
    _solve_upper,
)
from lstm_doctor.stats._mackinnon import mackinnon_crit, mackinnon_pvalue

__all__ = ["AdfResult", "adfuller_fast", "mackinnon_pvalue"]

_REGRESSIONS = {"n": 0, "c": 1, "ct": 2, "ctt": 3}
_AUTOLAGS = ("aic", "bic", "t-stat")
# statsmodels' _autolag stop value for "t-stat" (stats.norm.ppf(.95)).
_TSTAT_STOP = 1.6448536269514722
# Target size of one chunk of the lag matrix, in float64 cells (~16 MB).
_CHUNK_CELLS = 2_000_000
# Largest condition number (equilibrated design) accepted for the one-pass normal
# equations, resp. for the two-pass CholeskyQR2; beyond: tall-skinny Householder QR.
_COND_ONE_PASS = 1e3
_COND_TWO_PASS = 1e6
# A column whose component orthogonal to the previous ones is below this fraction of its
# norm is treated as collinear (statsmodels would then fall back to a pseudo-inverse).
_RANK_TOL = 1e-12


@dataclass(frozen=True)
class AdfResult:
    """Result of :func:`adfuller_fast`.

    Attributes
    ----------
    statistic : float
        ADF test statistic (t-value of the lagged level in the test regression).
    pvalue : float
        MacKinnon's approximate p-value (``statsmodels.tsa.adfvalues.mackinnonp``).
    usedlag : int
        Number of lagged differences in the test regression.
    nobs : int
        Number of observations of the test regression.
    critical_values : dict of str to float
        Critical values at the ``"1%"``, ``"5%"`` and ``"10%"`` levels (MacKinnon 2010).
    icbest : float or None
        Best information criterion (AIC or BIC value, or the absolute t-value of the last
        lag for ``"t-stat"``); ``None`` when ``autolag`` is ``None``.
    regression : str
        Deterministic terms: ``"c"``, ``"ct"``, ``"ctt"`` or ``"n"``.
    autolag : str or None
        Lag selection method (lower case) or ``None``.
    maxlag : int
        Largest lag considered (after ``max_lag_cap``).
    """

    statistic: float
    pvalue: float
    usedlag: int
    nobs: int
    critical_values: dict[str, float]
    icbest: float | None
    regression: str
    autolag: str | None
    maxlag: int

    def as_statsmodels_tuple(self) -> tuple[Any, ...]:
        """Return the tuple ``statsmodels.tsa.stattools.adfuller`` returns.

        Returns
        -------
        tuple
            ``(statistic, pvalue, usedlag, nobs, critical_values, icbest)`` when
            ``autolag`` is set, ``(statistic, pvalue, usedlag, nobs, critical_values)``
            when it is ``None`` (statsmodels omits ``icbest`` then).
        """
        out: tuple[Any, ...] = (
            self.statistic,
            self.pvalue,
            self.usedlag,
            self.nobs,
            dict(self.critical_values),
        )
        if self.autolag is not None:
            out += (self.icbest,)
        return out


def _validate(
    x: Any, maxlag: int | None, regression: str, autolag: str | None, max_lag_cap: int | None
) -> tuple[np.ndarray, int, str, str | None, int]:
    """Check the arguments and resolve ``maxlag`` exactly as statsmodels does."""
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 2 and 1 in arr.shape:
        arr = arr.ravel()
    if arr.ndim != 1:
        raise ValueError(f"x must be one-dimensional; got an array of shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(
            f"x contains {bad} NaN or infinite value(s); drop or interpolate them first"
        )
    if arr.size < 4:
        raise ValueError(f"x is too short for an ADF test: {arr.size} observation(s)")
    if arr.max() == arr.min():
        raise ValueError("Invalid input, x is constant")

    if not isinstance(regression, str) or regression.lower() not in _REGRESSIONS:
        raise ValueError(f"regression must be one of 'c', 'ct', 'ctt', 'n'; got {regression!r}")
    regression = regression.lower()
    if autolag is not None:
        if not isinstance(autolag, str) or autolag.lower() not in _AUTOLAGS:
            raise ValueError(f"autolag must be 'AIC', 'BIC', 't-stat' or None; got {autolag!r}")
        autolag = autolag.lower()

    n = arr.shape[0]
    ntrend = len(regression) if regression != "n" else 0
    if maxlag is None:
        # Schwert (1989) rule used by statsmodels, "- 1" for the difference.
        lag = int(np.ceil(12.0 * np.power(n / 100.0, 1 / 4.0)))
        lag = min(n // 2 - ntrend - 1, lag)
        if lag < 0:
            raise ValueError(
                f"x is too short ({n} observations) for regression={regression!r}: "
                "sample size is too short to use selected regression component"
            )
    else:
        if isinstance(maxlag, bool) or int(maxlag) != maxlag or maxlag < 0:
            raise ValueError(f"maxlag must be a non-negative integer; got {maxlag!r}")
        lag = int(maxlag)
        if lag > n // 2 - ntrend - 1:
            raise ValueError(
                f"maxlag={lag} is too large for {n} observations: it must be at most "
                f"nobs // 2 - 1 - ntrend = {n // 2 - ntrend - 1} (ntrend={ntrend})"
            )
    if max_lag_cap is not None:
        if isinstance(max_lag_cap, bool) or int(max_lag_cap) != max_lag_cap or max_lag_cap < 0:
            raise ValueError(f"max_lag_cap must be a non-negative integer; got {max_lag_cap!r}")
        lag = min(lag, int(max_lag_cap))
    return arr, lag, regression, autolag, ntrend


def _fill_rows(
    out: np.ndarray,
    x: np.ndarray,
    xdiff: np.ndarray,
    start: int,
    stop: int,
    nlags: int,
    ntrend: int,
    center: float,
    half: float,
) -> None:
    """Write the regression rows for differences ``start..stop-1`` into ``out``.

    Columns are ``[P0(u), P1(u), P2(u)][:ntrend], x[j], Δx[j-1], ..., Δx[j-nlags], Δx[j]``
    for row ``j``, where ``u`` is the rescaled time index and ``P`` Legendre polynomials.
    """
    if ntrend:
        u = (np.arange(start, stop, dtype=np.float64) - center) / half
        out[:, 0] = 1.0
        if ntrend > 1:
            out[:, 1] = u
        if ntrend > 2:
            out[:, 2] = 1.5 * u * u - 0.5
    out[:, ntrend] = x[start:stop]
    # rows j - nlags .. j of the differences, as a strided view (no copy)
    step = xdiff.strides[0]
    window = np.lib.stride_tricks.as_strided(
        xdiff[start - nlags:], shape=(stop - start, nlags + 1), strides=(step, step),
        writeable=False)
    # window[i] = Δx[j - nlags], ..., Δx[j]: reverse the first nlags for lags 1..nlags.
    if nlags:
        out[:, ntrend + 1 : ntrend + 1 + nlags] = window[:, nlags - 1 :: -1]
    out[:, ntrend + 1 + nlags] = window[:, nlags]


def _iter_chunks(
    x: np.ndarray,
    xdiff: np.ndarray,
    first: int,
    nlags: int,
    ntrend: int,
    center: float,
    half: float,
    chunk_rows: int,
    buf: np.ndarray,
    offset: int = 0,
) -> Iterator[np.ndarray]:
    """Yield ``buf[offset:offset + m]`` filled with the rows of successive chunks."""
    for start in range(first, xdiff.shape[0], chunk_rows):
        stop = min(start + chunk_rows, xdiff.shape[0])
        block = buf[offset : offset + stop - start]
        _fill_rows(block, x, xdiff, start, stop, nlags, ntrend, center, half)
        yield block


def _factor(
    x: np.ndarray,
    xdiff: np.ndarray,
    first: int,
    nlags: int,
    ntrend: int,
    center: float,
    half: float,
    chunk_rows: int | None,
) -> tuple[np.ndarray, str]:
    """Upper-triangular factor ``R`` of ``[X | y]`` over rows ``first..len(xdiff)-1``.

    ``R'R = [X | y]'[X | y]``. Returns ``(R, method)``, ``method`` being ``"cholesky"``,
    ``"cholesky_qr2"`` or ``"tsqr"`` (see the module docstring).
    """
    from scipy.linalg import LinAlgError, blas, lapack

    ncol = ntrend + 2 + nlags
    nrows = xdiff.shape[0] - first
    if chunk_rows is None:
        chunk_rows = max(256, _CHUNK_CELLS // ncol)
    chunk_rows = max(1, min(int(chunk_rows), nrows))
    args = (x, xdiff, first, nlags, ntrend, center, half, chunk_rows)
    buf = np.empty((chunk_rows, ncol), dtype=np.float64, order="F")

    # Pass 1: cross-products, then Cholesky of the equilibrated matrix.
    gram = np.zeros((ncol, ncol))
    for block in _iter_chunks(*args, buf):
        gram += block.T @ block
    scale = np.sqrt(np.diag(gram))
    r1 = None
    if np.all(scale > 0) and np.all(np.isfinite(gram)):
        try:
            r1 = _cholesky_upper(gram / np.outer(scale, scale))
        except LinAlgError:
            r1 = None
    if r1 is not None:
        cond = _cond(r1)
        if cond <= _COND_ONE_PASS:
            return r1 * scale, "cholesky"
        if cond <= _COND_TWO_PASS:
            # Pass 2 (CholeskyQR2): W = X S^{-1} has nearly orthonormal columns.
            s1 = np.asfortranarray(r1 * scale)
            gram2 = np.zeros((ncol, ncol))
            for block in _iter_chunks(*args, buf):
                w = blas.dtrsm(1.0, s1, block, side=1, lower=0, overwrite_b=1)
                gram2 += w.T @ w
            try:
                r2 = _cholesky_upper(gram2)
            except LinAlgError:
                r2 = None
            if r2 is not None:
                return r2 @ s1, "cholesky_qr2"

    # Pass 3: tall-skinny Householder QR, [R; chunk] -> R.
    del buf
    buf = np.empty((ncol + chunk_rows, ncol), dtype=np.float64, order="F")
    r = None
    for block in _iter_chunks(*args, buf, offset=ncol):
        if r is None:
            r = _qr_r(block, ncol, lapack)
        else:
            buf[:ncol] = r
            r = _qr_r(buf[: ncol + block.shape[0]], ncol, lapack)
    assert r is not None
    return r, "tsqr"


_BLAS: dict[str, Any] = {}
#: Designs of at most this many cells skip the one-BLAS-thread limit.
_SMALL_DESIGN = 50_000


def _one_blas_thread():
    """Run BLAS on one thread (a context manager; a no-op without threadpoolctl).

    The chunks are small (k ~ 10-120 columns): with OpenBLAS' default one thread per core,
    the threads mostly wait for each other, and on a machine whose cores are busy the
    cross-products get 5-50x slower (benchmarks/RESULTS_adf.md). One thread gives the
    same bits here (the threads split the output, not the sums) and is never slower.
    """
    from contextlib import nullcontext

    if "controller" not in _BLAS:
        try:
            from threadpoolctl import ThreadpoolController

            _BLAS["controller"] = ThreadpoolController()
        except ImportError:  # pragma: no cover - threadpoolctl ships with scikit-learn
            _BLAS["controller"] = None
    controller = _BLAS["controller"]
    return nullcontext() if controller is None else controller.limit(limits=1, user_api="blas")


def _qr_r(block: np.ndarray, ncol: int, lapack: Any) -> np.ndarray:
    """Upper-triangular ``ncol x ncol`` factor of ``block`` (rows may be fewer than ncol)."""
    if not block.flags.f_contiguous:
        block = np.asfortranarray(block)
    (geqrf,) = lapack.get_lapack_funcs(("geqrf",), (block,))
    qr, _tau, _work, info = geqrf(block, overwrite_a=True)
    if info != 0:  # pragma: no cover - LAPACK argument error
        raise RuntimeError(f"LAPACK geqrf failed with info={info}")
    rows = min(qr.shape[0], ncol)
    r = np.zeros((ncol, ncol), dtype=np.float64)
    r[:rows] = np.triu(qr[:rows])
    return r


def _remove_polynomial(values: np.ndarray, ntrend: int, center: float, half: float) -> np.ndarray:
    """Subtract a low-order polynomial of the time index from ``values``.

    The polynomial (degree ``ntrend - 1``, fitted on at most ~65k evenly spaced points) lies
    in the span of the deterministic regressors, so removing it from the level, the
    lagged differences or the response changes neither the residuals nor the t-value of
    the lagged level. It only removes the near-collinearity between, e.g., a random walk
    with a large offset and the constant, which would otherwise cost accuracy.
    """
    if ntrend == 0:
        return values
    if ntrend == 1:
        return values - values.mean()
    step = max(1, values.shape[0] // 65_536)
    idx = np.arange(0, values.shape[0], step, dtype=np.float64)
    u = (np.arange(values.shape[0], dtype=np.float64) - center) / half
    if ntrend == 2:
        c0, c1 = _legendre_line((idx - center) / half, values[::step])
        return values - (c0 + c1 * u)
    from numpy.polynomial import legendre

    coef = legendre.legfit((idx - center) / half, values[::step], ntrend - 1)
    return values - legendre.legval(u, coef)


def _check_rank(r: np.ndarray, ncols: int) -> None:
    """Raise if a regressor is (numerically) a combination of the previous ones."""
    norms = np.sqrt(np.einsum("ij,ij->j", r[:, :ncols], r[:, :ncols]))
    diag = np.abs(np.diag(r)[:ncols])
    bad = np.nonzero(diag <= _RANK_TOL * np.maximum(norms, np.finfo(float).tiny))[0]
    if bad.size:
        raise ValueError(
            "the ADF design matrix is rank deficient (a regressor is collinear with the "
            f"previous ones, column {int(bad[0])}); the series is degenerate, e.g. its "
            "differences are constant"
        )


def _llf(ssr: np.ndarray, nobs: int) -> np.ndarray:
    """Concentrated Gaussian log-likelihood of OLS, as in statsmodels' ``OLS.loglike``."""
    nobs2 = nobs / 2.0
    with np.errstate(divide="ignore"):
        return -nobs2 * np.log(2 * np.pi) - nobs2 * np.log(ssr / float(nobs)) - nobs2


def _level_tvalue(r: np.ndarray, k: int, level: int, nobs: int) -> float:
    """t-value of column ``level`` in the regression whose augmented factor is ``r``."""
    rx = r[:k, :k]
    qty = r[:k, k]
    ssr = float(r[k:, k] @ r[k:, k])
    beta = _solve_upper(rx, qty)
    e = np.zeros(k)
    e[level] = 1.0
    v = _solve_upper(rx, e, transpose=True)
    scale = ssr / (nobs - k)
    return float(beta[level] / math.sqrt(scale * float(v @ v)))


def adfuller_fast(
    x: Any,
    maxlag: int | None = None,
    regression: str = "c",
    autolag: str | None = "AIC",
    max_lag_cap: int | None = None,
    *,
    chunk_rows: int | None = None,
) -> AdfResult:
    """Augmented Dickey-Fuller unit-root test, equal to statsmodels' ``adfuller``.

    Gives the same statistic, p-value, used lag, nobs, critical values and ``icbest`` as
    ``statsmodels.tsa.stattools.adfuller(x, maxlag, regression, autolag)`` (to rounding,
    ~1e-10 relative on well-conditioned data) but fits all candidate lags from one
    triangular factor of the lag matrix, accumulated by row chunks (cross-products, with a
    QR-accurate second pass or a Householder QR when the design is ill-conditioned):
    time ``O(n * k**2)`` with a small constant and memory ``O(chunk_rows * k)`` on top
    of a few copies of ``x``, ``k = maxlag + ntrend + 2``.

    Parameters
    ----------
    x : array_like
        The series, one-dimensional, finite (no NaN/inf), not constant.
    maxlag : int, optional
        Largest lag considered. ``None`` uses statsmodels' default
        ``ceil(12 * (nobs / 100) ** 0.25)`` (limited to ``nobs // 2 - ntrend - 1``).
    regression : {"c", "ct", "ctt", "n"}, default "c"
        Deterministic terms: constant, constant + trend, constant + linear and quadratic
        trend, none.
    autolag : {"AIC", "BIC", "t-stat", None}, default "AIC"
        Lag selection over ``0..maxlag`` (case-insensitive); ``None`` uses ``maxlag``.
    max_lag_cap : int, optional
        Upper bound applied to ``maxlag`` (default or explicit) after it is resolved. The
        result equals statsmodels' with ``maxlag=min(maxlag, max_lag_cap)``. Useful for
        very long series, where the default grows like ``n ** 0.25``.
    chunk_rows : int, optional
        Rows of the lag matrix built at a time (default: ~16 MB worth). Only affects
        speed and memory.

    Returns
    -------
    AdfResult
        Frozen dataclass; ``as_statsmodels_tuple()`` gives statsmodels' tuple.

    Raises
    ------
    ValueError
        If ``x`` is not 1-D, contains NaN or infinite values, is constant or too short,
        if an argument is invalid, or if the design matrix is rank deficient.

    Notes
    -----
    As in statsmodels the lag is chosen on a common sample (first ``maxlag`` differences
    dropped) and the chosen model is re-fitted with only ``usedlag`` differences dropped,
    so ``nobs = len(x) - 1 - usedlag``. AIC is ``-2 llf + 2 k`` and BIC
    ``-2 llf + log(nobs) k`` with ``k`` the number of regressors (constant included).
    Ties are resolved towards the smaller lag, like statsmodels.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> res = adfuller_fast(np.cumsum(rng.standard_normal(500)))
    >>> res.pvalue > 0.05
    True
    """
    from scipy.linalg import lapack

    arr, lag, regression, autolag, ntrend = _validate(x, maxlag, regression, autolag, max_lag_cap)
    n = arr.shape[0]
    xdiff = np.diff(arr)
    # Time index of the differences is j = 0..n-2; rescale it to [-1, 1].
    center = (n - 2) / 2.0
    half = max(center, 1.0)
    level = ntrend  # column of the lagged level
    # Exactly invariant re-centring (see _remove_polynomial); keeps the raw x for "n".
    arr = _remove_polynomial(arr, ntrend, center, half)
    xdiff = _remove_polynomial(xdiff, ntrend, center, half)

    # Factor of [X | y] on the common sample (first `lag` differences dropped). A small
    # design runs on one BLAS thread anyway (limiting the threads costs more than it).
    if n * (lag + ntrend + 2) <= _SMALL_DESIGN:
        r, _method = _factor(arr, xdiff, lag, lag, ntrend, center, half, chunk_rows)
    else:
        with _one_blas_thread():
            r, _method = _factor(arr, xdiff, lag, lag, ntrend, center, half, chunk_rows)
    k_full = ntrend + 1 + lag
    nobs_common = n - 1 - lag
    _check_rank(r, k_full)

    icbest: float | None = None
    usedlag = lag
    r_final = r
    if autolag is not None:
        startlag = ntrend + 1
        z = r[:, k_full]
        # ssr[m] for the model made of the first m columns, m = startlag..k_full.
        tail = np.cumsum((z * z)[::-1])[::-1]
        ks = np.arange(startlag, k_full + 1)
        ssr = tail[ks]
        if autolag in ("aic", "bic"):
            llf = _llf(ssr, nobs_common)
            penalty = 2.0 if autolag == "aic" else np.log(nobs_common)
            ic = -2 * llf + penalty * ks.astype(np.float64)
            best = int(np.argmin(ic))  # first minimum: smallest lag on ties
            icbest = float(ic[best])
            bestk = int(ks[best])
        else:
            bestk = k_full
            icbest = 0.0
            for m in range(k_full, startlag - 1, -1):
                df_resid = nobs_common - m
                if df_resid > 0:
                    icbest = abs(float(z[m - 1])) / math.sqrt(float(tail[m]) / df_resid)
                else:  # exact fit: statsmodels' t-value is nan, never significant
                    icbest = math.nan
                bestk = m
                if icbest >= _TSTAT_STOP:
                    break
        usedlag = bestk - startlag
        if usedlag < lag:
            # statsmodels re-fits on the longer sample with only `usedlag` differences
            # dropped: factor of [X_prefix | y] on the common sample, plus the earlier rows.
            block = np.zeros((bestk + 1 + lag - usedlag, bestk + 1), order="F")
            block[:bestk, :bestk] = r[:bestk, :bestk]
            block[:bestk, bestk] = z[:bestk]
            block[bestk, bestk] = math.sqrt(float(tail[bestk]))
            _fill_rows(block[bestk + 1 :], arr, xdiff, usedlag, lag, usedlag, ntrend, center, half)
            r_final = _qr_r(block, bestk + 1, lapack)

    nobs = n - 1 - usedlag
    k = ntrend + 1 + usedlag
    if nobs <= k:
        raise ValueError(
            f"the ADF regression with {usedlag} lag(s) has {nobs} observations for {k} "
            "regressors, i.e. no residual degrees of freedom (an exact fit, for which "
            "statsmodels returns a meaningless statistic); pass a smaller maxlag"
        )
    stat = _level_tvalue(r_final, k, level, nobs)
    pvalue = mackinnon_pvalue(stat, regression)
    crit = mackinnon_crit(regression, nobs)
    critical_values = {"1%": float(crit[0]), "5%": float(crit[1]), "10%": float(crit[2])}
    return AdfResult(
        statistic=stat,
        pvalue=pvalue,
        usedlag=int(usedlag),
        nobs=int(nobs),
        critical_values=critical_values,
        icbest=icbest,
        regression=regression,
        autolag=autolag,
        maxlag=int(lag),
    )
