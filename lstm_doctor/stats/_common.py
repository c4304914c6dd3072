"""What every statistics module shares: the ``@cached`` decorator, constants and guards."""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np

from lstm_doctor._numeric import _median  # noqa: F401 - shared with stats

if TYPE_CHECKING:
    from lstm_doctor.context import Context

F = TypeVar("F", bound=Callable[..., Any])

#: Significance level of the unit-root / stationarity tests.
ALPHA = 0.05
#: The stationarity and signal rules need this many finite values.
MIN_TEST_POINTS = 20
#: ADF/KPSS refuse a "near-constant" input: all values equal except at most this many (or
#: this share of them), e.g. the differences of a clean step. Their lag selection and
#: long-run variance break down on it (statsmodels' KPSS raises OverflowError).
DEGENERATE_MAX_OFF = 2
DEGENERATE_MAX_OFF_SHARE = 0.01


def cached(func: F | None = None, *, unkeyed: tuple[str, ...] = ("x",)) -> Any:
    """Compute a statistic once per :class:`~lstm_doctor.context.Context`.

    The decorated function takes the context first. Its result is stored in the context
    (:meth:`Context.cached`) under ``(function name, *the other arguments)``, defaults
    filled in, so two rules asking the same question share one computation. Arguments named
    in ``unkeyed`` are left out of the key: by convention ``x`` is an array that the
    ``x_key`` argument names, and the caller gives different arrays different keys.

    Parameters
    ----------
    func : callable, optional
        The function (``@cached``); omitted when options are given
        (``@cached(unkeyed=())``).
    unkeyed : tuple of str
        Parameter names left out of the cache key (default ``("x",)``).

    Returns
    -------
    callable
        The caching wrapper (``__wrapped__`` is the plain function).

    Raises
    ------
    TypeError
        When a keyed argument is not hashable.
    """

    def decorate(fn: F) -> F:
        signature = inspect.signature(fn)
        params = list(signature.parameters)[1:]
        names = [p for p in params if p not in unkeyed]
        # a call giving every argument by position (the common case) builds its key
        # without binding the signature (which costs more than many statistics)
        positions = [i for i, p in enumerate(params) if p not in unkeyed]
        plain = all(signature.parameters[p].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
                    for p in params)

        @functools.wraps(fn)
        def wrapper(ctx: Context, *args: Any, **kwargs: Any) -> Any:
            if plain and not kwargs and len(args) == len(params):
                key = (fn.__name__, *(args[i] for i in positions))
                try:
                    hash(key)
                except TypeError:
                    raise TypeError(f"{fn.__name__}: the cache key {key!r} is not hashable; "
                                    "pass hashable arguments or leave them unkeyed") from None
                return ctx.cached(key, lambda: fn(ctx, *args))
            bound = signature.bind(ctx, *args, **kwargs)
            bound.apply_defaults()
            key = (fn.__name__, *(bound.arguments[p] for p in names))
            try:
                hash(key)
            except TypeError:
                raise TypeError(f"{fn.__name__}: the cache key {key!r} is not hashable; "
                                "pass hashable arguments or leave them unkeyed") from None
            return ctx.cached(key, lambda: fn(*bound.args, **bound.kwargs))

        return wrapper  # type: ignore[return-value]

    return decorate(func) if func is not None else decorate


def untestable_reason(ctx: Context) -> str | None:
    """Why the unit-root/white-noise tests cannot judge the target (None when they can).

    Rules raise :class:`~lstm_doctor.rules.base.NotApplicable` with this reason: fewer
    than :data:`MIN_TEST_POINTS` finite values, or a constant series (LD103's finding).

    Parameters
    ----------
    ctx : Context
        The run's context.

    Returns
    -------
    str or None
        The reason, or None when the tests can run.
    """
    x = ctx.values
    if x.size < MIN_TEST_POINTS:
        return (f"{x.size} finite values: too few for unit-root and white-noise tests "
                f"(need {MIN_TEST_POINTS})")
    if _is_constant(x):
        return "the series is constant (see LD103)"
    return None


#: Statistics are scale-free; values whose largest magnitude lies outside
#: ``[SCALE_LOW, SCALE_HIGH]`` are divided by a power of two first (exact), so that squares
#: and sums neither overflow (1e160 ** 2) nor underflow (1e-160 ** 2).
SCALE_HIGH = 1e100
SCALE_LOW = 1e-100


def _scale_of(x: Any) -> float:
    """The power of two ``x`` is divided by before a statistic (1.0 for ordinary values)."""
    arr = np.asarray(x, dtype=float)
    finite = np.abs(arr[np.isfinite(arr)])
    if finite.size == 0:
        return 1.0
    top = float(finite.max())
    if top == 0.0 or SCALE_LOW <= top <= SCALE_HIGH:
        return 1.0
    return float(2.0 ** math.floor(math.log2(top)))


def _scale_free(x: Any) -> tuple[np.ndarray, float]:
    """``(x / s, s)`` with ``s`` from :func:`_scale_of` (``x`` itself when ``s == 1``)."""
    arr = np.asarray(x, dtype=float)
    s = _scale_of(arr)
    return (arr if s == 1.0 else arr / s), s


def stable_mean(x: Any) -> float:
    """The mean of the finite values of ``x``, computed without overflow (NaN when none).

    Parameters
    ----------
    x : array-like
        Values of any magnitude (1e-300 ... 1e300).

    Returns
    -------
    float
    """
    z, scale = _scale_free(_finite(x))
    return float(np.mean(z)) * scale if z.size else math.nan


def stable_std(x: Any, ddof: int = 0) -> float:
    """The standard deviation of the finite values of ``x``, without overflow or underflow.

    ``np.std`` squares the deviations: values around 1e160 overflow to inf and values
    around 1e-160 underflow to 0. The spread is computed on a copy divided by a power of
    two and scaled back (exact).

    Parameters
    ----------
    x : array-like
        Values of any magnitude.
    ddof : int
        Delta degrees of freedom, as in ``np.std``.

    Returns
    -------
    float
        NaN when fewer than ``ddof + 1`` finite values.
    """
    z, scale = _scale_free(_finite(x))
    if z.size <= ddof:
        return math.nan
    return float(np.std(z, ddof=ddof)) * scale


def _finite(x: Any) -> np.ndarray:
    arr = np.asarray(x, dtype=float).ravel()
    return arr[np.isfinite(arr)]


def _finite_scale_free(x: Any) -> np.ndarray:
    """``_scale_free(_finite(x))[0]`` in one pass (the input itself when nothing changes).

    For the statistics' hot paths: the result may be ``x`` itself, so it is never written to.
    """
    arr = np.asarray(x, dtype=float).ravel()
    keep = np.isfinite(arr)
    if not keep.all():
        arr = arr[keep]
    elif not arr.flags.c_contiguous:  # sums run in the same order as on the copy
        arr = np.ascontiguousarray(arr)
    if arr.size == 0:
        return arr
    top = max(float(arr.max()), -float(arr.min()))
    if top == 0.0 or SCALE_LOW <= top <= SCALE_HIGH:
        return arr
    return arr / float(2.0 ** math.floor(math.log2(top)))


def _is_constant(x: np.ndarray) -> bool:
    # relative to the magnitude (as LD103 judges it): 1e-15-scale noise is not constant
    if x.size == 0:
        return True
    high, low = float(x.max()), float(x.min())
    return high - low <= 1e-12 * max(high, -low)




# -- numpy's reductions without their wrappers -----------------------------------------------
# On the short series of a panel (tens to hundreds of points) numpy's Python-level wrappers
# (np.var, np.polyfit, np.corrcoef) cost more than their arithmetic. These do the same
# operations in the same order, so the results have the same bits (tests/test_stats.py).

def _var(x: np.ndarray, ddof: int = 0) -> float:
    """``np.var(x, ddof=ddof)`` of a 1-D float array."""
    n = x.shape[0]
    dev = x - x.sum() / n
    return float((dev * dev).sum() / max(n - ddof, 0))


def _std(x: np.ndarray, ddof: int = 0) -> float:
    """``np.std(x, ddof=ddof)`` of a 1-D float array."""
    return math.sqrt(_var(x, ddof))


def _polyfit_line(t: np.ndarray, x: np.ndarray) -> tuple[float, float]:
    """``np.polyfit(t, x, 1)`` as ``(slope, intercept)`` (the same scaled least squares)."""
    t = t + 0.0
    x = x + 0.0
    lhs = np.empty((t.shape[0], 2))
    lhs[:, 1] = 1
    lhs[:, 0] = t
    scale = np.sqrt((lhs * lhs).sum(axis=0))
    lhs /= scale
    c, _resid, rank, _sv = np.linalg.lstsq(lhs, x, t.shape[0] * np.finfo(float).eps)
    if rank != 2:
        import warnings

        warnings.warn("Polyfit may be poorly conditioned",
                      getattr(getattr(np, "exceptions", np), "RankWarning", UserWarning),
                      stacklevel=2)
    c = (c.T / scale).T
    return c[0], c[1]


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    """``np.corrcoef(a, b)[0, 1]`` of two 1-D float arrays of the same length."""
    x = np.empty((2, a.shape[0]))
    x[0] = a
    x[1] = b
    x -= (x.sum(axis=1) / a.shape[0])[:, None]
    c = np.dot(x, x.T.conj())
    c *= np.true_divide(1, a.shape[0] - 1)
    sd = np.sqrt(np.diag(c).real)
    c /= sd[:, None]
    c /= sd[None, :]
    np.clip(c.real, -1, 1, out=c.real)
    return float(c[0, 1])


def _degenerate_reason(z: np.ndarray, min_size: int, what: str = "the series") -> str | None:
    """Why ``z`` cannot be given to a unit-root/stationarity test (None when it can).

    Too short, constant, or near-constant: every value equals the median except at most
    ``max(DEGENERATE_MAX_OFF, DEGENERATE_MAX_OFF_SHARE * n)`` (a constant with isolated
    spikes, such as the differences of a clean step). Scale-free: values count as equal
    when they differ by less than 1e-9 of the largest deviation.
    """
    if z.size < min_size:
        return f"too short ({what}: {z.size} values, need {min_size})"
    if _is_constant(z):
        return f"constant ({what})"
    dev = np.abs(z - _median(z))
    off = int(np.count_nonzero(dev > 1e-9 * float(dev.max())))
    if off <= max(DEGENERATE_MAX_OFF, DEGENERATE_MAX_OFF_SHARE * z.size):
        return (f"near-constant ({what}: all but {off} of {z.size} values equal; a step or "
                "isolated spikes)")
    return None
