"""stl_decompose must give statsmodels' STL (robust and not) to 1e-10 of the series' scale."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from lstm_doctor import _stl
from lstm_doctor._stl import stl_decompose

pytest.importorskip("statsmodels")
from statsmodels.tsa.seasonal import STL  # noqa: E402

#: Largest allowed |ours - statsmodels| over the three components, relative to max |x|.
TOL = 1e-10
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PERIODS = (2, 3, 4, 7, 12, 24, 52, 168)
KINDS = ("additive", "multiplicative", "random_walk", "noise", "level")

# Largest relative deviation per path seen by the comparisons (reported by the last test).
_MAX_DEV: dict[str, float] = {}


def _series(kind: str, n: int, period: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(n, dtype=float)
    profile = rng.normal(size=period)
    season = (profile - profile.mean())[t.astype(int) % period]
    noise = rng.normal(size=n)
    if kind == "additive":
        return 50.0 + 0.02 * t + 5.0 * season + noise
    if kind == "multiplicative":  # the season grows with the level
        return (100.0 + 0.05 * t) * (1.0 + 0.15 * season) * np.exp(0.02 * noise)
    if kind == "random_walk":
        return np.cumsum(noise) + 2.0 * season
    if kind == "noise":
        return noise
    return 1e6 + 3.0 * season + noise  # a large level: cancellation in every sum


def _with_outliers(x: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    x = x.copy()
    idx = rng.choice(x.size, size=max(1, x.size // 30), replace=False)
    x[idx] += rng.choice([-1.0, 1.0], size=idx.size) * 8.0 * x.std()
    return x


def _cases(robust: bool) -> list:
    """Random lengths from 2p+1 up to a cap that keeps statsmodels' own run short."""
    rng = np.random.default_rng(7 if robust else 3)
    work = 25_000 if robust else 150_000  # n * period: statsmodels' cost
    cases = []
    for p in PERIODS:
        for kind in KINDS:
            n = int(rng.integers(2 * p + 1, max(4 * p, min(20_000, work // p)) + 1))
            x = _series(kind, n, p, rng)
            cases.append(pytest.param(_with_outliers(x, rng) if robust else x, p,
                                      id=f"{kind}-p{p}-n{n}"))
    long = ((20_000, 24, "additive"), (20_000, 7, "random_walk"), (5_000, 168, "multiplicative"))
    if robust:
        long = ((20_000, 2, "additive"), (4_000, 12, "random_walk"), (1_500, 168, "additive"))
    for n, p, kind in long:
        x = _series(kind, n, p, rng)
        cases.append(pytest.param(_with_outliers(x, rng) if robust else x, p,
                                  id=f"long-{kind}-p{p}-n{n}"))
    return cases


def _short_cases() -> list:
    """2 or 3 cycles: every cycle-subseries is shorter than the seasonal span (7)."""
    rng = np.random.default_rng(11)
    cases = []
    for p in PERIODS:
        for n in (2 * p + 1, 3 * p - 1, 3 * p + 2):
            cases.append(pytest.param(_series("additive", n, p, rng), p, id=f"p{p}-n{n}"))
    return cases


def _csv(name: str) -> np.ndarray:
    x = np.genfromtxt(FIXTURES / name, delimiter=",", skip_header=1, usecols=1)
    t = np.arange(x.size)
    ok = np.isfinite(x)
    return np.interp(t, t[ok], x[ok])  # co2_weekly and ausbeer have gaps


FIXTURE_CASES = [
    ("airpassengers.csv", 12), ("co2_monthly.csv", 12), ("co2_weekly.csv", 52),
    ("ausbeer.csv", 4), ("wineind.csv", 12), ("elnino.csv", 12), ("shampoo.csv", 12),
    ("sunspots.csv", 11), ("lynx.csv", 10), ("nile.csv", 10), ("taylor.csv", 48),
]


def _collapsed(resid: np.ndarray, x: np.ndarray) -> bool:
    """Half the residuals at rounding level: robustness weights set by rounding noise."""
    return bool(np.median(np.abs(resid)) <= 1e-9 * np.max(np.abs(x)))


def _compare(x: np.ndarray, period: int, robust: bool, *, may_collapse: bool = False,
             **spans: int) -> float:
    """Relative deviation of our STL from statsmodels' (recorded for the report).

    A robust fit that collapses (see :func:`test_robust_fit_that_collapses`) is allowed
    only where ``may_collapse``; then ours must collapse too, and 0 is returned.
    """
    ref = STL(x, period=period, robust=robust, **spans).fit()
    ours = stl_decompose(x, period, robust=robust, **spans)
    if robust and _collapsed(np.asarray(ref.resid), x):
        assert may_collapse, "statsmodels' robust fit collapsed: no reference to compare with"
        assert _collapsed(ours[2], x)
        return 0.0
    dev = max(float(np.max(np.abs(a - np.asarray(b))))
              for a, b in zip(ours, (ref.trend, ref.seasonal, ref.resid), strict=True))
    dev /= float(np.max(np.abs(x)))
    key = "robust" if robust else "plain"
    _MAX_DEV[key] = max(_MAX_DEV.get(key, 0.0), dev)
    return dev


@pytest.mark.parametrize(("x", "period"), _cases(robust=False))
def test_matches_statsmodels(x: np.ndarray, period: int) -> None:
    assert _compare(x, period, robust=False) <= TOL


@pytest.mark.parametrize(("x", "period"), _cases(robust=True))
def test_matches_statsmodels_robust(x: np.ndarray, period: int) -> None:
    assert _compare(x, period, robust=True) <= TOL


@pytest.mark.parametrize(("x", "period"), _short_cases())
@pytest.mark.parametrize("robust", [False, True])
def test_short_series_spans_longer_than_subseries(x: np.ndarray, period: int,
                                                  robust: bool) -> None:
    assert _compare(x, period, robust=robust, may_collapse=True) <= TOL


@pytest.mark.parametrize(("name", "period"), FIXTURE_CASES)
@pytest.mark.parametrize("robust", [False, True])
def test_matches_statsmodels_on_real_data(name: str, period: int, robust: bool) -> None:
    x = _csv(name)  # shampoo: 3 cycles, its robust fit collapses
    assert _compare(x, period, robust=robust, may_collapse=x.size < 4 * period) <= TOL


@pytest.mark.parametrize("spans", [{"seasonal": 13}, {"seasonal": 3, "trend": 23},
                                   {"low_pass": 25}, {"seasonal": 35}])
def test_explicit_spans(spans: dict[str, int]) -> None:
    x = _csv("co2_monthly.csv")
    assert _compare(x, 12, robust=False, **spans) <= TOL
    assert _compare(_with_outliers(x, np.random.default_rng(1)), 12, robust=True, **spans) <= TOL


def test_components_add_up_and_robust_resists_outliers() -> None:
    rng = np.random.default_rng(5)
    clean = _series("additive", 240, 12, rng)
    x = clean.copy()
    x[100] += 200.0
    trend, seasonal, resid = stl_decompose(x, 12)
    np.testing.assert_array_equal(resid, x - seasonal - trend)
    r_trend, _, r_resid = stl_decompose(x, 12, robust=True)
    # the outlier stays in the robust residual instead of bending the trend around it
    assert abs(r_resid[100]) > 190.0
    assert abs(r_trend[100] - trend[100]) > 1.0


def test_robust_fit_that_collapses() -> None:
    """Half the points fit exactly: the weights are then set by rounding noise.

    On a short period-2 series with outliers statsmodels' own robust loop ends with more
    than half the residuals at rounding level (median ~1e-15 of the scale), so every
    robustness weight depends on the last bits of the arithmetic: a one-ulp change of one
    input value moves statsmodels' own answer by ~1e-4. Equality cannot be asked there;
    both implementations must collapse the same way.
    """
    rng = np.random.default_rng(0)
    x = _with_outliers(_series("additive", 87, 2, rng), rng)
    x[[5, 40, 41, 70]] += 50.0
    ref = STL(x, period=2, robust=True).fit()
    _, _, resid = stl_decompose(x, 2, robust=True)
    scale = np.max(np.abs(x))
    if np.median(np.abs(ref.resid)) > 1e-9 * scale:
        pytest.skip("statsmodels did not collapse on this series")
    assert np.median(np.abs(resid)) <= 1e-9 * scale


def test_default_spans_follow_statsmodels() -> None:
    for p in (2, 3, 7, 12, 52, 168, 1000):
        config = STL(np.zeros(3 * p), period=p).config
        plan = _stl._plan(3 * p, config["trend"], False, False)
        assert plan.m == config["trend"]
        nt = math.ceil(1.5 * p / (1 - 1.5 / 7))
        assert config["trend"] == nt + (nt % 2 == 0)
        assert config["low_pass"] == p + 1 + (p % 2)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"x": np.ones(30), "period": 1}, "period must be >= 2"),
        ({"x": np.ones(5), "period": 6}, "at most len"),
        ({"x": np.ones((10, 2)), "period": 2}, "one-dimensional"),
        ({"x": np.r_[np.ones(20), np.nan], "period": 4}, "finite"),
        ({"x": np.ones(30), "period": 4, "seasonal": 8}, "seasonal must be an odd"),
        ({"x": np.ones(30), "period": 4, "trend": 3}, "trend must be an odd"),
        ({"x": np.ones(30), "period": 4, "low_pass": 6}, "low_pass must be an odd"),
    ],
)
def test_bad_arguments(kwargs: dict, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        stl_decompose(**kwargs)


def test_imports_neither_scipy_nor_statsmodels() -> None:
    code = (
        "import sys, numpy as np\n"
        "from lstm_doctor._stl import stl_decompose\n"
        "x = np.sin(np.arange(120) / 2) + np.arange(120) / 50\n"
        "for robust in (False, True):\n"
        "    t, s, r = stl_decompose(x, 12, robust=robust)\n"
        "    assert np.all(np.isfinite(t + s + r))\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & {'scipy', 'statsmodels'})\n"
        "print(','.join(heavy) or 'none')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True)
    assert out.stdout.strip() == "none"


def test_report_max_deviation() -> None:
    if not _MAX_DEV:
        pytest.skip("comparison tests did not run")
    devs = {k: f"{v:.1e}" for k, v in _MAX_DEV.items()}
    print("\nmax deviation from statsmodels / max|x|:", devs)
    assert all(v <= TOL for v in _MAX_DEV.values())
