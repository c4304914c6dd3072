"""adfuller_fast must reproduce statsmodels' adfuller (to 1e-8 relative) on many series."""

from __future__ import annotations

import dataclasses
import math
import tracemalloc
import warnings
from decimal import Decimal, localcontext

import numpy as np
import pytest

from lstm_doctor.stats import fast_adf
from lstm_doctor.stats.fast_adf import AdfResult, adfuller_fast

sm = pytest.importorskip("statsmodels.api")
from statsmodels.tsa.stattools import adfuller  # noqa: E402
from statsmodels.tsa.tsatools import add_trend, lagmat  # noqa: E402

RTOL = 1e-8


@pytest.fixture(autouse=True, scope="module")
def _single_threaded_blas():
    """Small least-squares problems: BLAS threads only add contention on a busy machine."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl ships with scikit-learn
        yield
        return
    with threadpool_limits(limits=1):
        yield


REGRESSIONS = ("c", "ct", "ctt", "n")
AUTOLAGS = ("AIC", "BIC", "t-stat", None)

# Largest relative deviation seen by the comparisons below (reported by the last test).
_MAX_DEV: dict[str, float] = {}


def _rel(a: float, b: float) -> float:
    if a == b:
        return 0.0
    return abs(a - b) / max(abs(a), abs(b))


def _series(kind: str, n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    e = rng.standard_normal(n)
    t = np.arange(n, dtype=np.float64)
    if kind == "random_walk":
        return np.cumsum(e)
    if kind == "random_walk_drift":
        return np.cumsum(0.3 + e)
    if kind == "ar1":
        x = np.empty(n)
        x[0] = e[0]
        for i in range(1, n):
            x[i] = 0.6 * x[i - 1] + e[i]
        return x
    if kind == "near_unit_root":
        x = np.empty(n)
        x[0] = e[0]
        for i in range(1, n):
            x[i] = 0.98 * x[i - 1] + e[i]
        return 50.0 + x
    if kind == "trend_noise":
        return 3.0 + 0.05 * t + e
    if kind == "seasonal":
        return 10.0 + 4.0 * np.sin(2 * np.pi * t / 12) + 0.5 * np.cumsum(e) * 0.1 + e
    if kind == "white_noise":
        return e
    raise AssertionError(kind)


def _compare(x: np.ndarray, *, maxlag=None, regression="c", autolag="AIC", **kw) -> AdfResult:
    """Run both implementations and assert they agree; return the fast result."""
    ref = adfuller(x, maxlag=maxlag, regression=regression, autolag=autolag, result_object=False)
    res = adfuller_fast(x, maxlag=maxlag, regression=regression, autolag=autolag, **kw)
    got = res.as_statsmodels_tuple()
    label = f"maxlag={maxlag} regression={regression} autolag={autolag} n={len(x)}"
    assert len(got) == len(ref), label
    assert got[2] == ref[2], f"usedlag {got[2]} != {ref[2]} ({label})"
    assert got[3] == ref[3], f"nobs {got[3]} != {ref[3]} ({label})"
    dev = {"statistic": _rel(got[0], ref[0]), "pvalue": _rel(got[1], ref[1])}
    for key in ("1%", "5%", "10%"):
        dev["critical_values"] = max(
            dev.get("critical_values", 0.0), _rel(got[4][key], ref[4][key])
        )
    if autolag is not None:
        dev["icbest"] = _rel(got[5], ref[5])
    for name, value in dev.items():
        assert value <= RTOL, f"{name}: relative deviation {value:.3g} ({label})"
        _MAX_DEV[name] = max(_MAX_DEV.get(name, 0.0), value)
    return res


@pytest.mark.parametrize(
    "kind",
    [
        "random_walk",
        "random_walk_drift",
        "ar1",
        "near_unit_root",
        "trend_noise",
        "seasonal",
        "white_noise",
    ],
)
@pytest.mark.parametrize("regression", REGRESSIONS)
def test_matches_statsmodels_synthetic(kind: str, regression: str) -> None:
    for n, seed, autolags, maxlags in (
        (80, 1, AUTOLAGS, (None, 0, 3, 10)),
        (400, 2, AUTOLAGS, (None, 0, 6)),
        (1500, 3, AUTOLAGS, (None, 12)),
    ):
        x = _series(kind, n, seed)
        for autolag in autolags:
            for maxlag in maxlags:
                _compare(x, maxlag=maxlag, regression=regression, autolag=autolag)


@pytest.mark.parametrize("kind", ["random_walk", "ar1", "trend_noise", "seasonal"])
@pytest.mark.parametrize("regression", ["c", "ct", "n"])
def test_matches_statsmodels_n5000_default_maxlag(kind: str, regression: str) -> None:
    x = _series(kind, 5000, 11)
    for autolag in ("AIC", "BIC"):
        res = _compare(x, regression=regression, autolag=autolag)
        assert res.maxlag == 32  # ceil(12 * 50 ** 0.25)


def _real_datasets() -> dict[str, np.ndarray]:
    co2 = sm.datasets.co2.load_pandas().data["co2"]
    assert co2.isna().any()  # the raw series has gaps: interpolate them
    return {
        "nile": sm.datasets.nile.load_pandas().data["volume"].to_numpy(float),
        "sunspots": sm.datasets.sunspots.load_pandas().data["SUNACTIVITY"].to_numpy(float),
        "co2": co2.interpolate().bfill().to_numpy(float),
        "realgdp": sm.datasets.macrodata.load_pandas().data["realgdp"].to_numpy(float),
        "log_realgdp": np.log(sm.datasets.macrodata.load_pandas().data["realgdp"].to_numpy(float)),
    }


@pytest.mark.parametrize("name", ["nile", "sunspots", "co2", "realgdp", "log_realgdp"])
def test_matches_statsmodels_real_data(name: str) -> None:
    x = _real_datasets()[name]
    for regression in REGRESSIONS:
        for autolag in AUTOLAGS:
            for maxlag in (None, 0, 4, 12):
                _compare(x, maxlag=maxlag, regression=regression, autolag=autolag)


def test_chunking_does_not_change_the_result() -> None:
    x = _series("seasonal", 3000, 5)
    for regression in ("c", "ctt", "n"):
        for autolag, maxlag in (("AIC", None), (None, 6)):
            base = adfuller_fast(x, maxlag=maxlag, regression=regression, autolag=autolag)
            for chunk_rows in (1, 7, 100, 2999, 10**6):
                res = adfuller_fast(
                    x, maxlag=maxlag, regression=regression, autolag=autolag, chunk_rows=chunk_rows
                )
                assert (res.usedlag, res.nobs) == (base.usedlag, base.nobs)
                assert _rel(res.statistic, base.statistic) < 1e-10
                if autolag is not None:
                    assert _rel(res.icbest, base.icbest) < 1e-10
    _compare(x, regression="c", chunk_rows=7)
    _compare(x, maxlag=6, regression="n", autolag=None, chunk_rows=100)


def test_max_lag_cap_equals_statsmodels_with_smaller_maxlag() -> None:
    x = _series("ar1", 2000, 8)
    res = adfuller_fast(x, max_lag_cap=5)
    assert res.maxlag == 5
    ref = adfuller(x, maxlag=5, result_object=False)
    assert res.usedlag == ref[2] and res.nobs == ref[3]
    assert _rel(res.statistic, ref[0]) <= RTOL and _rel(res.icbest, ref[5]) <= RTOL
    # A cap above the resolved maxlag is a no-op.
    assert adfuller_fast(x, maxlag=4, max_lag_cap=50) == adfuller_fast(x, maxlag=4)


def test_result_object() -> None:
    x = _series("random_walk", 500, 4)
    res = adfuller_fast(x, regression="ct", autolag="bic")
    assert isinstance(res, AdfResult)
    assert (res.regression, res.autolag) == ("ct", "bic")
    assert set(res.critical_values) == {"1%", "5%", "10%"}
    assert res.nobs == len(x) - 1 - res.usedlag
    with pytest.raises(dataclasses.FrozenInstanceError):
        res.statistic = 0.0  # type: ignore[misc]
    stat, pvalue, usedlag, nobs, crit, icbest = res.as_statsmodels_tuple()
    assert (stat, pvalue, usedlag, nobs, icbest) == (
        res.statistic,
        res.pvalue,
        res.usedlag,
        res.nobs,
        res.icbest,
    )
    fixed = adfuller_fast(x, maxlag=3, autolag=None)
    assert fixed.icbest is None and len(fixed.as_statsmodels_tuple()) == 5
    assert fixed.usedlag == 3


def _decimal_tstat(x: np.ndarray, lag: int, regression: str) -> float:
    """Reference ADF t-value with statsmodels' design, solved in 60-digit decimals."""
    xdiff = np.diff(x)
    xdall = lagmat(xdiff[:, None], lag, trim="both", original="in")
    nobs = xdall.shape[0]
    xdall[:, 0] = x[-nobs - 1 : -1]
    y = xdiff[-nobs:]
    design = add_trend(xdall[:, : lag + 1], regression)
    with localcontext() as ctx:
        ctx.prec = 60
        xd = [[Decimal(float(v)) for v in row] for row in design]
        yd = [Decimal(float(v)) for v in y]
        k = design.shape[1]
        a = [[sum((r[i] * r[j] for r in xd), Decimal(0)) for j in range(k)] for i in range(k)]
        b = [sum((r[i] * v for r, v in zip(xd, yd, strict=True)), Decimal(0)) for i in range(k)]
        yy = sum((v * v for v in yd), Decimal(0))
        aug = [a[i] + [Decimal(int(i == j)) for j in range(k)] for i in range(k)]
        for c in range(k):  # Gauss-Jordan inverse with partial pivoting
            p = max(range(c, k), key=lambda row: abs(aug[row][c]))
            aug[c], aug[p] = aug[p], aug[c]
            aug[c] = [v / aug[c][c] for v in aug[c]]
            for row in range(k):
                if row != c and aug[row][c] != 0:
                    f = aug[row][c]
                    aug[row] = [u - f * w for u, w in zip(aug[row], aug[c], strict=True)]
        inv = [row[k:] for row in aug]
        beta = [sum(inv[i][j] * b[j] for j in range(k)) for i in range(k)]
        ssr = yy - sum(beta[i] * b[i] for i in range(k))
        scale = ssr / (nobs - k)
        return float(beta[0] / (scale * inv[0][0]).sqrt())


def test_accurate_where_statsmodels_is_ill_conditioned() -> None:
    # A tiny-scale random walk with 'ctt': statsmodels' raw t**2 column dwarfs the level
    # column, its pseudo-inverse loses digits (~1e-4 here); the chunked QR does not.
    x = 1e-8 * _series("random_walk", 400, 21)
    exact = _decimal_tstat(x, 3, "ctt")
    fast = adfuller_fast(x, maxlag=3, regression="ctt", autolag=None).statistic
    assert _rel(fast, exact) < 1e-12
    # A random walk around a large offset: near-collinear level and constant.
    x = 1e6 + _series("random_walk", 400, 22)
    for regression in ("c", "ct"):
        exact = _decimal_tstat(x, 2, regression)
        fast = adfuller_fast(x, maxlag=2, regression=regression, autolag=None).statistic
        assert _rel(fast, exact) < 1e-11


@pytest.mark.parametrize(
    ("noise", "method"), [(1.0, "cholesky"), (1e-3, "cholesky_qr2"), (1e-6, "tsqr")]
)
def test_factorisation_paths_are_accurate(noise: float, method: str) -> None:
    # A sine plus noise: the smaller the noise, the more collinear the lagged differences,
    # which moves the factorisation from the one-pass normal equations to CholeskyQR2 and
    # then to the Householder QR. All three must hit the 60-digit reference.
    n, lag = 1200, 8
    t = np.arange(n, dtype=np.float64)
    x = np.sin(2 * np.pi * t / 12) + noise * np.random.default_rng(30).standard_normal(n)
    for regression in ("c", "ct"):
        center = (n - 2) / 2.0
        ntrend = len(regression)
        level = fast_adf._remove_polynomial(x, ntrend, center, center)
        diffs = fast_adf._remove_polynomial(np.diff(x), ntrend, center, center)
        _, used = fast_adf._factor(level, diffs, lag, lag, ntrend, center, center, None)
        assert used == method
        exact = _decimal_tstat(x, lag, regression)
        fast = adfuller_fast(x, maxlag=lag, regression=regression, autolag=None).statistic
        assert _rel(fast, exact) < 1e-9
    if method == "cholesky":
        _compare(x, regression="c", autolag="AIC")


@pytest.mark.parametrize(("one_pass", "two_pass"), [(0.0, 1e6), (0.0, 0.0)])
def test_forced_factorisation_paths_match(monkeypatch, one_pass, two_pass) -> None:
    monkeypatch.setattr(fast_adf, "_COND_ONE_PASS", one_pass)
    monkeypatch.setattr(fast_adf, "_COND_TWO_PASS", two_pass)
    x = _series("ar1", 2000, 31)
    for regression in REGRESSIONS:
        for autolag in ("AIC", "t-stat"):
            _compare(x, regression=regression, autolag=autolag, chunk_rows=333)


def test_memory_is_bounded_by_chunks() -> None:
    n = 200_000
    x = _series("random_walk", n, 9)
    adfuller_fast(x[:1000], maxlag=2)  # warm up imports outside the measurement
    tracemalloc.start()
    try:
        res = adfuller_fast(x, max_lag_cap=20, chunk_rows=4096)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert res.maxlag == 20
    # A few O(n) vectors (diff, re-centred copies) plus one chunk: far below the
    # n x (maxlag + 3) lag matrix statsmodels builds (~37 MB here, per candidate fit).
    lag_matrix = n * 23 * 8
    assert peak < 6 * n * 8 + 4096 * 23 * 8 * 2 + 2_000_000
    assert peak < lag_matrix


@pytest.mark.parametrize(
    ("x", "kwargs", "match"),
    [
        ([1.0, 2.0, np.nan, 4.0] * 10, {}, "NaN"),
        ([1.0, np.inf] * 20, {}, "NaN or infinite"),
        ([1.0, 2.0, 3.0], {}, "too short"),
        ([5.0] * 50, {}, "constant"),
        (np.ones((10, 10)), {}, "one-dimensional"),
        ([0.0, 2.0, 1.0, 4.0, 3.0, 5.0, 7.0], {"regression": "ctt"}, "too short"),
        (np.arange(40.0) ** 1.5, {"maxlag": 30}, "maxlag=30 is too large"),
        (np.arange(40.0) ** 1.5, {"maxlag": -1}, "non-negative"),
        (np.arange(40.0) ** 1.5, {"max_lag_cap": -2}, "non-negative"),
        (np.arange(40.0) ** 1.5, {"regression": "t"}, "regression"),
        (np.arange(40.0) ** 1.5, {"autolag": "hqic"}, "autolag"),
        (np.arange(40.0), {}, "rank deficient"),
    ],
)
def test_invalid_input_raises_value_error(x, kwargs, match) -> None:
    with pytest.raises(ValueError, match=match):
        adfuller_fast(x, **kwargs)


def test_exact_fit_raises() -> None:
    # 'n' with maxlag at its limit leaves no residual degree of freedom.
    x = _series("random_walk", 20, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert adfuller(x, regression="n", autolag=None, result_object=False)[3] == 10
    with pytest.raises(ValueError, match="degrees of freedom"):
        adfuller_fast(x, regression="n", autolag=None)


def test_zz_report_max_deviation() -> None:
    """Print the largest deviation from statsmodels seen in this module (run with -s)."""
    if not _MAX_DEV:
        pytest.skip("comparison tests did not run")
    print(
        "\nmax relative deviation from statsmodels:", {k: f"{v:.2e}" for k, v in _MAX_DEV.items()}
    )
    assert all(math.isfinite(v) and v <= RTOL for v in _MAX_DEV.values())
