"""Measurements on the arrays fed to ``fit``, shared by the rules that judge them.

:class:`lstm_doctor.arrays.FitArrays` holds the user's windows; this module compares sets of
windows (which held-out windows lie inside another set's time span: LD607, LD608, LD609)
and locates windows in the raw series (LD505). Numbers only; the rules judge them.

Two windows are compared by value, not by index: windows cut from one series with one
scaler are bit-identical where they cover the same time points, and a window of real-valued
data repeats elsewhere only by accident. Values are compared in float32 (what Keras feeds
the network), so a set converted to float32 still matches its float64 twin; windows whose
values are all equal (a run of zeros) carry no position and are never counted as matches.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: At most this many windows of a set are compared (evenly spaced): bounded work.
MAX_WINDOWS = 20_000
#: At most this many features are tried as the target or as the series' column.
MAX_FEATURES = 16


def sample(n: int, cap: int = MAX_WINDOWS) -> np.ndarray:
    """At most ``cap`` evenly spaced indices of ``range(n)`` (all of them when ``n <= cap``)."""
    if n <= cap:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, cap).round().astype(int))


def validation_windows(arrays) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                         str] | None:
    """The validation windows and the training windows they are held out from.

    Returns
    -------
    tuple or None
        ``(X_fit, y_fit, X_val, y_val, source)`` with ``source`` ``"validation_data"`` or
        ``"validation_split"`` (Keras takes the *last* fraction of ``X_train``, before any
        shuffling), or None without validation.
    """
    if arrays.X_val is not None and arrays.y_val is not None:
        return arrays.X_train, arrays.y_train, arrays.X_val, arrays.y_val, "validation_data"
    split = float(arrays.validation_split or 0.0)
    n = len(arrays.X_train)
    cut = int(n * (1.0 - split))
    if split <= 0.0 or cut <= 0 or cut >= n:
        return None
    return (arrays.X_train[:cut], arrays.y_train[:cut], arrays.X_train[cut:],
            arrays.y_train[cut:], "validation_split")


def _flat(a: np.ndarray) -> np.ndarray:
    return a.reshape(len(a), -1)


def _keys(rows: np.ndarray) -> list[int | None]:
    """One hash per row of a 2-D array (None for a row not finite, or constant over
    several values).
    """
    q = rows.astype(np.float32) + np.float32(0.0)  # -0.0 -> 0.0
    ok = np.isfinite(q).all(axis=1)
    if q.shape[1] > 1:
        ok &= np.ptp(np.nan_to_num(q), axis=1) > 0
    return [hash(r.tobytes()) if good else None for r, good in zip(q, ok, strict=True)]


@dataclass(frozen=True)
class Overlap:
    """How many held-out windows lie inside a reference set's time span.

    Attributes
    ----------
    compared : int
        Held-out windows compared (at most :data:`MAX_WINDOWS`).
    same : int
        Held-out windows equal to a reference window (inputs and first target).
    continued : int
        Held-out windows that a reference window continues one step later: the held-out
        target is that window's last input, i.e. the same time point (not counted for
        one-step windows, see :func:`positional`).
    inside : int
        Held-out windows counted by either (each once); windows whose inputs and target
        are all one value carry no position and are never counted.
    chance : int
        How many would be counted by accident (see :func:`overlap`).
    examples : list of int
        Up to five such held-out window indices.
    """

    compared: int
    same: int
    continued: int
    inside: int
    chance: int
    examples: list[int]

    @property
    def fraction(self) -> float:
        """``(inside - chance) / compared``: the share beyond chance (0 when nothing was
        compared).
        """
        return max(self.inside - self.chance, 0) / self.compared if self.compared else 0.0

    def as_dict(self) -> dict:
        """The counts as plain data (for a finding's evidence)."""
        return {"compared": self.compared, "same": self.same, "continued": self.continued,
                "inside": self.inside, "chance": self.chance, "fraction": round(self.fraction, 4),
                "examples": self.examples}


def overlap(held_X: np.ndarray, held_y: np.ndarray, ref_X: np.ndarray,
            ref_y: np.ndarray) -> Overlap:
    """Count the held-out windows that lie inside the reference windows' time span.

    Equal values are not always the same time point (a series of counts repeats its
    values): the count expected by chance -- the same comparison with the held-out targets
    rolled by half the set, which breaks every window's link between inputs and target --
    is reported as ``chance``; it is next to zero unless a window carries one or two values.

    Parameters
    ----------
    held_X, held_y : ndarray
        Held-out windows ``(n, steps, features)`` and targets ``(n, outputs)``.
    ref_X, ref_y : ndarray
        Reference windows and targets (the same steps and features).

    Returns
    -------
    Overlap
    """
    held = sample(len(held_X))
    ref = sample(len(ref_X))
    hX, hy, rX, ry = held_X[held], held_y[held], ref_X[ref], ref_y[ref]
    if hX.shape[1:] != rX.shape[1:] or not len(hX) or not len(rX):
        return Overlap(len(held), 0, 0, 0, 0, [])
    index = _RefIndex(rX, ry)
    same, cont = index.inside(hX, hy)
    inside = same | cont
    rolled = np.roll(hy, len(hy) // 2, axis=0)
    chance = int(np.logical_or(*index.inside(hX, rolled)).sum()) if len(hy) > 1 else 0
    return Overlap(compared=len(hX), same=int(same.sum()), continued=int(cont.sum()),
                   inside=int(inside.sum()), chance=chance,
                   examples=[int(held[i]) for i in np.flatnonzero(inside)[:5]])


class _RefIndex:
    """Hashes of a reference window set, for :func:`overlap`."""

    def __init__(self, rX: np.ndarray, ry: np.ndarray) -> None:
        self.steps, self.feats = rX.shape[1], rX.shape[2]

        def keyset(rows):
            return {k for k in _keys(rows) if k is not None}

        self.same = keyset(np.hstack([_flat(rX), ry[:, :1]]))
        # a reference window continuing a held-out one: its inputs are the held-out inputs
        # shifted by one step, then the held-out target (in one of the features: which one
        # is the target is not known when there are several)
        self.next = [keyset(np.hstack([_flat(rX[:, :-1]), rX[:, -1, f:f + 1]]))
                     for f in range(min(self.feats, MAX_FEATURES))]

    def inside(self, hX: np.ndarray, hy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(same, continued)`` masks of the held-out windows."""
        whole = _keys(np.hstack([_flat(hX), hy[:, :1]]))
        informative = np.array([k is not None for k in whole], dtype=bool)
        same = np.array([k in self.same for k in whole], dtype=bool) & informative
        cont = np.zeros(len(hX), dtype=bool)
        if not positional(hX):
            return same, cont
        held_next = _keys(np.hstack([_flat(hX[:, 1:]), hy[:, :1]]))
        for keys in self.next:
            cont |= np.array([k is not None and k in keys for k in held_next], dtype=bool)
        return same, cont & informative


def positional(X: np.ndarray) -> bool:
    """Whether a window continuing another can be recognised by value: with one step per
    window the shared part is a single value, which a series of counts repeats by chance
    (and a random split puts nearly every value in the training set anyway).
    """
    return X.shape[1] >= 2


# -- locating windows in the raw series ------------------------------------------------------
@dataclass(frozen=True)
class Located:
    """Where a set of windows sits in the raw series.

    Attributes
    ----------
    feature : int
        The input feature that is the series.
    base : str
        ``"series"`` or ``"differenced series"`` (what the windows were cut from).
    a, b : float
        The windows' values are ``a * base + b`` (an affine scaler).
    positions : ndarray
        For each located window (indices ``rows``), the base index of its first step.
    rows : ndarray
        The windows located unambiguously.
    compared : int
        Windows looked for.
    values : ndarray
        The base series (raw or differenced).
    """

    feature: int
    base: str
    a: float
    b: float
    positions: np.ndarray
    rows: np.ndarray
    compared: int
    values: np.ndarray


def _affine_matches(probe: np.ndarray, s: np.ndarray) -> tuple[int, float, float] | None:
    """The first position where ``probe == a * s[p:p+m] + b`` (exactly, a != 0)."""
    m = len(probe)
    if m > len(s) or np.ptp(probe) == 0:
        return None
    tol = 1e-6 * float(np.ptp(probe))
    wins = np.lib.stride_tricks.sliding_window_view(s, m)
    pc = probe - probe.mean()
    for start in range(0, len(wins), 4096):
        w = wins[start:start + 4096]
        wc = w - w.mean(axis=1, keepdims=True)
        var = (wc * wc).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            a = (wc @ pc) / var
        b = probe.mean() - a * w.mean(axis=1)
        fit = a[:, None] * w + b[:, None]
        err = np.abs(fit - probe).max(axis=1)
        good = np.flatnonzero(np.isfinite(err) & (err <= tol) & (var > 0))
        if good.size:
            i = int(good[0])
            return start + i, float(a[i]), float(b[i])
    return None


def _probe(X: np.ndarray, f: int) -> np.ndarray:
    """The first window's values of feature ``f``, extended by the following windows' last
    values (consecutive windows) while it has fewer than three distinct values.
    """
    values = list(X[0, :, f])
    i = 1
    while len(set(np.round(values, 12))) < 3 and i < min(len(X), 64):
        values.append(X[i, -1, f])
        i += 1
    return np.asarray(values, dtype=float)


def locate(X: np.ndarray, series: np.ndarray) -> Located | None:
    """Find where the windows ``X`` sit in ``series`` (or its first difference).

    The first window (extended by the next windows' last values when it is too short to pin
    a scale) is matched against every stretch of the series after an affine fit; that fit
    maps all windows back to raw values, and each window is then looked up on its own.

    Returns
    -------
    Located or None
        None when no feature of the first window matches the series, even rescaled.
    """
    s = np.asarray(series, dtype=float)
    s = s[np.isfinite(s)]
    for f in range(min(X.shape[2], MAX_FEATURES)):
        probe = _probe(X, f)
        if not np.isfinite(probe).all():
            continue
        for base, values in (("series", s), ("differenced series", np.diff(s))):
            hit = _affine_matches(probe, values)
            if hit is None:
                continue
            _, a, b = hit
            rows = sample(len(X))
            raw = (X[rows, :, f] - b) / a
            positions, found = _lookup(raw, values)
            return Located(f, base, a, b, positions, rows[found], len(rows), values)
    return None


def _lookup(raw: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each raw window's unique position in ``s`` (``(positions, mask of located rows)``)."""
    steps = raw.shape[1]
    tol = 1e-6 * max(float(np.ptp(s)), 1e-12)
    order = np.argsort(s, kind="stable")
    ordered = s[order]
    lo = np.searchsorted(ordered, raw[:, 0] - tol, side="left")
    hi = np.searchsorted(ordered, raw[:, 0] + tol, side="right")
    positions = np.full(len(raw), -1)
    for i in range(len(raw)):
        cands = order[lo[i]:hi[i]]
        cands = cands[cands + steps <= len(s)]
        if cands.size > 64:  # a value repeated everywhere: no position
            continue
        hits = [int(p) for p in cands if np.abs(s[p:p + steps] - raw[i]).max() <= tol]
        if len(hits) == 1:
            positions[i] = hits[0]
    found = positions >= 0
    return positions[found], found


def target_offsets(loc: Located, X: np.ndarray, y: np.ndarray,
                   max_offset: int) -> list[int | None]:
    """For each output column, the offset ``k`` with ``y[:, j] = c * base[p + steps - 1 + k] + d``.

    ``k = 1 + j`` is the value right after the window (``k <= 0``: an input value). The
    expected offset is tried first; ``None`` when no offset in ``[1 - steps, max_offset]``
    fits exactly.
    """
    steps = X.shape[1]
    s = loc.values
    ys = y[loc.rows]
    last = loc.positions + steps - 1
    out: list[int | None] = []
    for j in range(y.shape[1]):
        target = ys[:, j]
        tries = sorted(range(1 - steps, max_offset + 1), key=lambda k, j=j: (abs(k - 1 - j), k))
        found = None
        for k in tries:
            idx = last + k
            ok = (idx >= 0) & (idx < len(s)) & np.isfinite(target)
            if ok.sum() < max(3, len(target) // 2):
                continue
            if _affine_exact(s[idx[ok]], target[ok]):
                found = k
                break
        out.append(found)
    return out


def _affine_exact(x: np.ndarray, t: np.ndarray) -> bool:
    """Whether ``t == c * x + d`` for some ``c != 0`` (to a relative 1e-6)."""
    if np.ptp(x) == 0 or np.ptp(t) == 0:
        return False
    c, d = np.polyfit(x, t, 1)
    return bool(np.abs(c * x + d - t).max() <= 1e-6 * float(np.ptp(t)))
