"""Relations between the target and extra input columns: lead/lag regressions, prewhitened
cross-correlations, equivalence bounds, collinearity.

Pure numpy/scipy functions on aligned 1-D arrays (``NaN`` where a value is undefined, e.g.
lost to differencing); the feature rules (LD8xx) cache their results in the context. Every
array is indexed by the same time step ``t``.

Bounded work: regressions use at most :data:`MAX_ROWS` rows (the most recent of the part
they are fitted on) and at most :data:`MAX_LAGS` lags per side.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

#: Rows used by one regression or correlation (the last ones of the fitted part).
MAX_ROWS = 50_000
#: Lags (and leads) per side of a lead/lag regression or a cross-correlation.
MAX_LAGS = 64
#: Relative tolerance of an exact affine relation (values rounded to ~6 digits in a CSV).
ANCHOR_TOLERANCE = 1e-3


def difference(x: np.ndarray, d: int) -> np.ndarray:
    """``x`` differenced ``d`` times, same length (the first ``d`` values are NaN)."""
    out = np.asarray(x, dtype=float).copy()
    for _ in range(int(d)):
        out = np.concatenate([[np.nan], np.diff(out)])
    return out


def shift(x: np.ndarray, k: int) -> np.ndarray:
    """``x`` moved by ``k`` steps: ``shift(x, k)[t] = x[t - k]`` (NaN where undefined).

    ``k > 0`` is a lag (the past), ``k < 0`` a lead (the future).
    """
    x = np.asarray(x, dtype=float)
    out = np.full(x.shape, np.nan)
    if k == 0:
        return x.copy()
    if abs(k) >= x.size:
        return out
    if k > 0:
        out[k:] = x[:-k]
    else:
        out[:k] = x[-k:]
    return out


def interpolate_gaps(x: np.ndarray) -> np.ndarray:
    """Interior non-finite values linearly interpolated; leading/trailing ones stay NaN."""
    x = np.asarray(x, dtype=float).copy()
    ok = np.isfinite(x)
    if ok.all() or not ok.any():
        return x
    pos = np.arange(x.size)
    first, last = int(np.argmax(ok)), int(x.size - 1 - np.argmax(ok[::-1]))
    inner = ~ok & (pos > first) & (pos < last)
    x[inner] = np.interp(pos[inner], pos[ok], x[ok])
    x[~ok & ~inner] = np.nan
    return x


def _standardise(a: np.ndarray) -> np.ndarray:
    sd = float(np.std(a))
    return (a - float(np.mean(a))) / sd if sd > 0 else np.zeros_like(a)


def _rows(mask: np.ndarray, end: int | None) -> np.ndarray:
    """Indices where ``mask`` holds, before ``end``, the last :data:`MAX_ROWS` of them."""
    idx = np.flatnonzero(mask[:end] if end is not None else mask)
    return idx[-MAX_ROWS:]


def lead_lag_fits(columns: dict[str, np.ndarray], z: np.ndarray, *, lags: int, leads: int,
                  end: int | None = None) -> dict[str, dict[str, Any]]:
    """How much of each column the past and the future of ``z`` explain.

    Regresses each ``u[t]`` on ``z[t], z[t-1] ... z[t-lags]`` (the past, with the present),
    then adds ``z[t+1] ... z[t+leads]`` (the future). The two designs are factorised once
    (QR) and shared by every column that is finite on their rows.

    Parameters
    ----------
    columns : dict
        Name -> series aligned with ``z`` (NaN where undefined); usually stationary
        transforms.
    z : ndarray
        The target (same transform).
    lags, leads : int
        Steps of the past and of the future (at most :data:`MAX_LAGS`).
    end : int, optional
        Fit on rows before ``end`` only.

    Returns
    -------
    dict
        Name -> ``r2_past``, ``r2_full``, ``future_share`` (the share of what the past
        leaves unexplained that the future explains, ``(r2_full - r2_past) / (1 -
        r2_past)``), ``lead`` (the step ``k >= 1`` whose single future value ``z[t+k]``
        correlates most with ``u``), ``lead_corr`` (that correlation), ``lag0_corr``,
        ``reach`` (None here: see :func:`lead_reach`) and ``n``.
    """
    lags, leads = min(int(lags), MAX_LAGS), min(max(1, int(leads)), MAX_LAGS)
    past = np.column_stack([shift(z, k) for k in range(0, lags + 1)])
    future = np.column_stack([shift(z, -k) for k in range(1, leads + 1)])
    design_ok = np.isfinite(past).all(axis=1) & np.isfinite(future).all(axis=1)
    shared = _Design(past, future, _rows(design_ok, end))
    out = {}
    for name, u in columns.items():
        ok = design_ok & np.isfinite(u)
        if np.array_equal(ok[: end], design_ok[: end]):
            out[name] = shared.fit(u)
        else:
            out[name] = _Design(past, future, _rows(ok, end)).fit(u)
    return out


class _Design:
    """The past-only and past-plus-future designs on fixed rows, factorised once."""

    def __init__(self, past: np.ndarray, future: np.ndarray, rows: np.ndarray) -> None:
        self.rows = rows
        self.ok = rows.size >= max(20, 3 * (past.shape[1] + future.shape[1] + 1))
        if not self.ok:
            return
        P, F = past[rows], future[rows]
        self.past0 = P[:, 0] - P[:, 0].mean()
        self.future = F - F.mean(axis=0)
        self.q_past = _basis(P - P.mean(axis=0))
        self.q_full = _basis(np.column_stack([P - P.mean(axis=0), self.future]))
        self.leads = F.shape[1]
        self.past_full = P - P.mean(axis=0)

    def fit(self, u: np.ndarray) -> dict[str, Any]:
        out: dict[str, Any] = {"n": int(self.rows.size), "r2_past": math.nan,
                               "r2_full": math.nan, "future_share": math.nan, "lead": None,
                               "lead_corr": math.nan, "lag0_corr": math.nan, "reach": None}
        if not self.ok:
            return out
        uu = u[self.rows] - u[self.rows].mean()
        ss = float(uu @ uu)
        if ss <= 0:
            return out
        r2p = _explained(self.q_past, uu, ss)
        r2f = _explained(self.q_full, uu, ss)
        corrs = _corr_columns(uu, self.future)
        best = int(np.nanargmax(np.abs(corrs))) if np.any(np.isfinite(corrs)) else 0
        share = (r2f - r2p) / (1 - r2p) if r2p < 1 - 1e-12 else 0.0
        out.update(r2_past=r2p, r2_full=r2f, future_share=float(max(0.0, share)),
                   lead=best + 1, lead_corr=float(corrs[best]),
                   lag0_corr=_corr(uu, self.past0))
        return out

    def reach(self, u: np.ndarray, r2_full: float, r2_past: float) -> int | None:
        """The fewest leads whose fit gets within 2 % of the future's share."""
        if not self.ok or not math.isfinite(r2_full):
            return None
        uu = u[self.rows] - u[self.rows].mean()
        ss = float(uu @ uu)
        goal = r2_full - 0.02 * max(r2_full - r2_past, 0.0)
        for k in range(1, self.leads + 1):
            q = _basis(np.column_stack([self.past_full, self.future[:, :k]]))
            if _explained(q, uu, ss) >= goal:
                return k
        return self.leads


def _basis(A: np.ndarray) -> np.ndarray:
    """An orthonormal basis of the column space of ``A`` (rank-deficient columns dropped)."""
    q, r = np.linalg.qr(A)
    diag = np.abs(np.diag(r))
    keep = diag > 1e-10 * max(float(diag.max()) if diag.size else 0.0, 1e-300)
    return q[:, keep]


def _explained(q: np.ndarray, u: np.ndarray, ss: float) -> float:
    proj = q.T @ u
    return float(min(1.0, max(0.0, float(proj @ proj) / ss)))


def lead_reach(u: np.ndarray, z: np.ndarray, *, lags: int, leads: int,
               fit: dict[str, Any]) -> int | None:
    """How far into the future a leaking column reaches (see :func:`lead_lag_fits`)."""
    lags, leads = min(int(lags), MAX_LAGS), min(max(1, int(leads)), MAX_LAGS)
    past = np.column_stack([shift(z, k) for k in range(0, lags + 1)])
    future = np.column_stack([shift(z, -k) for k in range(1, leads + 1)])
    ok = np.isfinite(past).all(axis=1) & np.isfinite(future).all(axis=1) & np.isfinite(u)
    return _Design(past, future, _rows(ok, None)).reach(u, fit["r2_full"], fit["r2_past"])


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 3:
        return math.nan
    a, b = a[ok] - a[ok].mean(), b[ok] - b[ok].mean()
    den = math.sqrt(float(a @ a) * float(b @ b))
    return float(a @ b) / den if den > 0 else math.nan


def ar_innovations(z: np.ndarray, lags: list[int] | tuple[int, ...], end: int
                   ) -> np.ndarray:
    """What ``z``'s own past at ``lags`` cannot explain: least-squares residuals.

    ``z[t]`` is regressed (with an intercept) on ``z[t - k]`` for ``k`` in ``lags``, fitted
    on the rows before ``end`` (the training part) and applied to the whole series, so later
    rows are out of sample. The number of lags is lowered so that the fit has at least five
    rows per coefficient.

    Returns
    -------
    ndarray
        The innovations (NaN where the past is incomplete).
    """
    lags = list(lags)[:MAX_LAGS]
    X = np.column_stack([shift(z, k) for k in lags]) if lags else np.zeros((z.size, 0))
    ok = np.isfinite(z) & np.isfinite(X).all(axis=1)
    rows = _rows(ok, end)
    keep = max(0, min(len(lags), rows.size // 5 - 1))
    e = np.full(z.size, np.nan)
    if rows.size < 5:
        return e
    X = X[:, :keep]
    A = np.column_stack([np.ones(rows.size), X[rows]])
    coef, *_ = np.linalg.lstsq(A, z[rows], rcond=None)
    e[ok] = z[ok] - np.column_stack([np.ones(int(ok.sum())), X[ok]]) @ coef
    return e


def cross_correlations(e: np.ndarray, u: np.ndarray, lags: range | list[int],
                       end: int | None = None) -> list[dict[str, Any]]:
    """``corr(e[t], u[t - k])`` for each lag ``k``, on the rows where every lag is defined.

    ``e`` are innovations (white by construction), so under no relation each correlation
    is about normal with variance ``1 / n`` whatever the autocorrelation of ``u`` (Bartlett).
    The correlation with the centred square of ``u`` is also given (``r_sq``): a symmetric
    nonlinear relation (the target reacts to the size of a move, not its sign) that the
    linear one misses.

    Returns
    -------
    list of dict
        ``{lag, r, r_sq, n}`` per lag.
    """
    lags = list(lags)
    usq = (u - np.nanmean(u[:end] if end else u)) ** 2
    U = np.column_stack([shift(u, k) for k in lags])
    S = np.column_stack([shift(usq, k) for k in lags])
    ok = np.isfinite(e) & np.isfinite(U).all(axis=1)
    rows = _rows(ok, end)
    if rows.size < 10:
        return [{"lag": int(k), "r": math.nan, "r_sq": math.nan, "n": int(rows.size)}
                for k in lags]
    r, r_sq = _corr_columns(e[rows], U[rows]), _corr_columns(e[rows], S[rows])
    return [{"lag": int(k), "r": float(r[i]), "r_sq": float(r_sq[i]), "n": int(rows.size)}
            for i, k in enumerate(lags)]


def _corr_columns(a: np.ndarray, M: np.ndarray) -> np.ndarray:
    """Correlation of ``a`` with each column of ``M`` (NaN for a constant column)."""
    a = a - a.mean()
    M = M - M.mean(axis=0)
    den = np.sqrt(float(a @ a) * (M * M).sum(axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, (M.T @ a) / np.where(den > 0, den, 1.0), np.nan)


def equivalence_pvalue(r: float, n: int, margin: float) -> float:
    """p-value of "the true correlation is at least ``margin`` in size" given ``r`` on ``n``.

    One-sided test on Fisher's z: small when ``|r|`` is clearly below ``margin``. A
    non-finite ``r`` (constant input) gives 0: a constant carries no information.
    """
    from scipy import special  # ndtr/ndtri: norm.cdf/ppf, bit for bit

    if not math.isfinite(r):
        return 0.0
    if n <= 3:
        return 1.0
    stat = (math.atanh(min(abs(r), 1 - 1e-12)) - math.atanh(margin)) * math.sqrt(n - 3)
    return float(special.ndtr(stat))


def upper_bound(r: float, n: int, alpha: float) -> float:
    """One-sided ``1 - alpha`` upper confidence bound of ``|rho|`` (Fisher's z)."""
    from scipy import special  # ndtr/ndtri: norm.cdf/ppf, bit for bit

    if not math.isfinite(r) or n <= 3:
        return 0.0 if not math.isfinite(r) else 1.0
    z = math.atanh(min(abs(r), 1 - 1e-12)) + special.ndtri(1 - alpha) / math.sqrt(n - 3)
    return float(math.tanh(z))


def relevance_pvalue(correlations: list[dict[str, Any]]) -> float:
    """Bonferroni p-value (over the lags and both forms) of "some lag is related"."""
    from scipy import special  # ndtr/ndtri: norm.cdf/ppf, bit for bit

    stats = [(abs(c[key]), c["n"]) for c in correlations for key in ("r", "r_sq")
             if math.isfinite(c[key]) and c["n"] > 3]
    if not stats:
        return 1.0
    best = max(math.atanh(min(r, 1 - 1e-12)) * math.sqrt(n - 3) for r, n in stats)
    return float(min(1.0, 2 * special.ndtr(-best) * len(stats)))


def holm(pvalues: dict[str, float], alpha: float) -> dict[str, bool]:
    """Holm's step-down: which null hypotheses are rejected at family-wise level ``alpha``."""
    order = sorted(pvalues, key=lambda k: pvalues[k])
    m = len(order)
    out = dict.fromkeys(pvalues, False)
    for i, key in enumerate(order):
        if pvalues[key] <= alpha / (m - i):
            out[key] = True
        else:
            break
    return out


def adjusted_r2(r2: float, n: int, k: int) -> float:
    """R^2 adjusted for ``k`` regressors on ``n`` rows (chance fits of many columns -> 0)."""
    if not math.isfinite(r2) or n - k - 1 <= 0:
        return math.nan
    return 1.0 - (1.0 - r2) * (n - 1) / (n - k - 1)


def correlation_matrix(columns: dict[str, np.ndarray], end: int | None = None
                       ) -> tuple[list[str], np.ndarray, int]:
    """Pairwise correlations of aligned columns on the rows where all are finite.

    Returns
    -------
    (names, matrix, n)
        Columns with no variance are left out of ``names``.
    """
    names = list(columns)
    M = np.column_stack([columns[k] for k in names]) if names else np.zeros((0, 0))
    ok = np.isfinite(M).all(axis=1) if names else np.zeros(0, bool)
    rows = _rows(ok, end)
    if rows.size < 3:
        return [], np.zeros((0, 0)), int(rows.size)
    M = M[rows]
    keep = [j for j in range(M.shape[1]) if np.std(M[:, j]) > 0]
    names = [names[j] for j in keep]
    M = M[:, keep]
    C = np.corrcoef(M, rowvar=False) if len(keep) > 1 else np.ones((len(keep), len(keep)))
    return names, np.atleast_2d(C), int(rows.size)


def variance_inflation(columns: dict[str, np.ndarray], end: int | None = None
                       ) -> dict[str, float]:
    """Variance inflation factor of each column given the others: ``1 / (1 - R^2_adj)``.

    The adjusted R^2 keeps chance fits of many columns on few rows near zero (VIF 1).
    Computed from the inverse of the correlation matrix on the rows where all are finite.
    """
    names, C, n = correlation_matrix(columns, end)
    if len(names) < 2:
        return dict.fromkeys(names, 1.0)
    inv = np.linalg.pinv(C)
    out = {}
    for j, name in enumerate(names):
        diag = float(inv[j, j])
        r2 = 1.0 - 1.0 / diag if diag > 1 else 0.0
        adj = adjusted_r2(r2, n, len(names) - 1)
        out[name] = math.inf if math.isfinite(adj) and adj >= 1 - 1e-12 else \
            (1.0 / (1.0 - max(0.0, adj)) if math.isfinite(adj) else 1.0)
    return out


def cumulative_anchor(f: np.ndarray, y: np.ndarray) -> dict[str, Any] | None:
    """Whether ``f`` is the target's running total anchored on the whole series' total.

    A column such as "remaining total" (``sum(y[t:])``) or "share of the total so far"
    (``cumsum(y)[t] / sum(y)``) is an affine function of the running total ``C`` whose
    constants are the whole series' total: at row ``t`` it knows the sum of every later
    value. Checks ``f ~ a + b C[t - j]`` (``j`` 0 or 1), R^2 at least ``1 - tol ** 2``, on the rows
    where both are finite (a relative tolerance of :data:`ANCHOR_TOLERANCE` allows for
    values rounded in a CSV), and whether the fitted line reaches 0 or 1 where the running
    total reaches its final value (the anchor), within that tolerance of the column's
    range. An arbitrary affine rescaling of such a column is an affine function of the
    causal running total again and cannot be told from one.

    Returns
    -------
    dict or None
        ``{kind, shift, r2, end_value}`` when anchored, else None.
    """
    yi = interpolate_gaps(y)
    ok_y = np.isfinite(yi)
    if ok_y.sum() < 10:
        return None
    C = np.where(ok_y, np.cumsum(np.where(ok_y, yi, 0.0)), np.nan)
    total = float(np.nanmax(C[ok_y][-1:]))
    for j in (0, 1):
        Cj = shift(C, j)
        ok = np.isfinite(f) & np.isfinite(Cj)
        if ok.sum() < 10 or np.std(Cj[ok]) == 0 or np.std(f[ok]) == 0:
            continue
        b, a = np.polyfit(Cj[ok], f[ok], 1)
        resid = f[ok] - (a + b * Cj[ok])
        r2 = 1.0 - float(resid @ resid) / float(((f[ok] - f[ok].mean()) ** 2).sum())
        if r2 < 1 - ANCHOR_TOLERANCE ** 2:
            continue
        end_value = float(a + b * total)
        spread = float(np.ptp(f[ok]))
        for kind, target in (("remaining total", 0.0), ("share of the total", 1.0)):
            tol = ANCHOR_TOLERANCE * max(spread, 1e-300)
            if abs(end_value - target) <= tol:
                if kind == "share of the total" and abs(a) > tol:
                    continue
                return {"kind": kind, "shift": j, "r2": r2, "end_value": end_value}
    return None
