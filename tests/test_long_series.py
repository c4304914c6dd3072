"""Long series (~2e5 points): check completes, and the optimised statistics equal the
unoptimised references where there is one (no timing asserts)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.signal import lfilter

import lstm_doctor
from lstm_doctor import stats
from lstm_doctor.config import LSTMConfig
from lstm_doctor.context import Context
from lstm_doctor.data import load_series

N = 200_000
CONFIG = {"preprocessing": {"scaler": "minmax"}, "window": {"seq_length": 48},
          "training": {"validation_split": 0.1, "early_stopping": True}}


def _hourly(n: int, seed: int = 0) -> pd.DataFrame:
    """Trend + daily and weekly seasons + AR(1) noise, hourly stamps, a few gaps/NaN."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    y = (500 + 0.01 * t + 40 * np.sin(2 * np.pi * t / 24) + 15 * np.sin(2 * np.pi * t / 168)
         + 5 * lfilter([1.0], [1.0, -0.7], rng.normal(size=n)))
    y[rng.choice(n, 50, replace=False)] = np.nan
    return pd.DataFrame({"time": pd.date_range("2000-01-01", periods=n, freq="h"), "load": y})


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return _hourly(N)


@pytest.fixture(scope="module")
def ctx(frame) -> Context:
    return Context(load_series(frame), LSTMConfig(), config_given=False)


def test_check_completes_on_a_long_series_with_every_rule(frame, tmp_path):
    path = tmp_path / "long.parquet"
    frame.to_parquet(path, index=False)
    report = lstm_doctor.check(str(path), config=CONFIG)
    assert report.data["n"] == N
    statuses = {o.code: o.status for o in report.outcomes}
    assert len(statuses) >= 30
    assert "crash" not in statuses.values(), [f.message for f in report.findings if f.crashed]
    # every rule that can run on a series with a set-up did (LD7xx need a training run)
    ran = [c for c, s in statuses.items() if s in ("pass", "fail")]
    assert not [c for c in ran if c.startswith("LD7")]
    assert {"LD101", "LD201", "LD202", "LD204", "LD205", "LD301", "LD501"} <= set(ran)
    assert "LD101" in report.codes()  # the 50 NaN
    assert set(report.meta["rule_seconds"]) == set(statuses)


def test_adf_equals_statsmodels_at_the_selected_lag(ctx):
    from statsmodels.tsa.stattools import adfuller

    for regression in ("c", "ct"):
        fast = stats.adf(ctx, "values", ctx.values, regression)
        assert fast["impl"] == "fast_adf"
        assert fast["maxlag"] <= stats.ADF_MAX_LAG
        ref = adfuller(ctx.values, maxlag=fast["usedlag"], autolag=None, regression=regression,
                       result_object=False)
        assert fast["statistic"] == pytest.approx(ref[0], rel=1e-8)
        assert fast["pvalue"] == pytest.approx(ref[1], rel=1e-6, abs=1e-12)
        assert fast["nobs"] == ref[3]


def test_adf_lag_search_equals_statsmodels_on_a_prefix(ctx):
    """The full lag search (statsmodels fits every candidate: too slow at 2e5) on 2e4 points."""
    from statsmodels.tsa.stattools import adfuller

    from lstm_doctor.fast_adf import adfuller_fast

    x = ctx.values[:20_000]
    fast = adfuller_fast(x, maxlag=30, regression="c", autolag=stats.ADF_AUTOLAG)
    ref = adfuller(x, maxlag=30, regression="c", autolag=stats.ADF_AUTOLAG, result_object=False)
    assert fast.usedlag == ref[2]
    assert fast.statistic == pytest.approx(ref[0], rel=1e-8)
    assert fast.icbest == pytest.approx(ref[5], rel=1e-8)


def _direct_acf(x: np.ndarray, nlags: int) -> np.ndarray:
    """The textbook ACF, one dot product per lag (O(n * nlags), no FFT)."""
    d = x - x.mean()
    denom = float(d @ d)
    return np.array([float(d[: d.size - k] @ d[k:]) / denom for k in range(nlags + 1)])


def test_fft_acf_equals_the_direct_acf(ctx):
    fast = stats.acf(ctx, "values", ctx.values, 200)
    np.testing.assert_allclose(fast, _direct_acf(ctx.values, 200), rtol=1e-8, atol=1e-12)


def test_long_acf_by_dot_products_and_by_real_fft_equal_the_direct_acf(ctx):
    """Few lags: one dot product per lag; many: a real FFT padded only to n + lags."""
    from lstm_doctor.stats import autocorrelation as ac

    x = np.diff(ctx.values)
    assert x.size > ac.ACF_LONG_MIN
    for nlags in (1, 10, ac.ACF_DOT_MAX_LAGS, ac.ACF_DOT_MAX_LAGS + 1, 400):
        np.testing.assert_allclose(ac._acf_raw(x, nlags), _direct_acf(x, nlags),
                                   rtol=1e-10, atol=1e-13)
    d = x - x.mean()
    for lags in (3, 500):
        sums = ac.long_autocovariances(d, lags)
        direct = [float(d[k:] @ d[: d.size - k]) for k in range(lags + 1)]
        np.testing.assert_allclose(sums, direct, rtol=1e-10, atol=1e-10 * direct[0])


def test_long_moving_averages_by_cumulative_sums_equal_the_convolution():
    """A day of minutes (period 1440) over 1e6 points: cumulative sums, not O(n p)."""
    from lstm_doctor.stats import seasonality as sz

    rng = np.random.default_rng(5)
    for n, p in [(10**6, 1440), (300_000, 1441), (300_000, 168), (10**6, 24), (500, 168)]:
        t = np.arange(n)
        x = 5000 + np.cumsum(rng.normal(size=n)) + 30 * np.sin(2 * np.pi * t / p)
        w = np.r_[0.5, np.ones(p - 1), 0.5] / p if p % 2 == 0 else np.ones(p) / p
        fast, offset = sz._ma_trend(x, p)
        ref = np.convolve(x, w, mode="valid")
        assert offset == (w.size - 1) // 2 and fast.shape == ref.shape
        np.testing.assert_allclose(fast, ref, rtol=0, atol=1e-12 * np.max(np.abs(x)))
        if n * w.size <= sz.MA_CUMSUM_WORK or w.size <= sz.MA_CUMSUM_MIN_SPAN:
            assert np.array_equal(fast, ref)  # short work: the exact convolution


def test_fft_padding_is_statsmodels_next_regular_number():
    from statsmodels.compat.scipy import _next_regular

    from lstm_doctor._numeric import _next_5_smooth

    rng = np.random.default_rng(3)
    for n in [*range(1, 5000), *rng.integers(5000, 10**9, 500).tolist(), 2**40 + 1, 3**20]:
        assert _next_5_smooth(int(n)) == _next_regular(int(n)), n


def test_ljung_box_beyond_the_direct_limit_equals_the_direct_statistic(ctx):
    from scipy.stats import chi2

    x = np.diff(ctx.values)
    assert x.size > stats.LJUNG_BOX_DIRECT_MAX
    fast = stats.ljung_box(ctx, "diff1", x, 48)
    assert fast["method"].startswith("Ljung-Box on FFT")
    r = _direct_acf(x, 48)[1:]
    n = x.size
    q = n * (n + 2) * np.sum(r**2 / (n - np.arange(1, 49)))
    assert fast["statistic"] == pytest.approx(q, rel=1e-8)
    assert fast["pvalue"] == pytest.approx(chi2.sf(q, 48), rel=1e-6, abs=1e-300)


def test_fft_ljung_box_equals_statsmodels(ctx, monkeypatch):
    """statsmodels' acorr_ljungbox (quadratic in n) on a 30,000-point slice, FFT path forced."""
    from statsmodels.stats.diagnostic import acorr_ljungbox

    monkeypatch.setattr(stats.autocorrelation, "LJUNG_BOX_DIRECT_MAX", 0)
    x = np.diff(ctx.values[:30_001])
    fresh = Context(load_series(x), LSTMConfig(), config_given=False)
    fast = stats.ljung_box(fresh, "x", x, 48)
    assert fast["method"].startswith("Ljung-Box on FFT")
    ref = acorr_ljungbox(x, lags=[48], return_df=True)
    assert fast["statistic"] == pytest.approx(float(ref["lb_stat"].iloc[0]), rel=1e-8)
    assert fast["pvalue"] == pytest.approx(float(ref["lb_pvalue"].iloc[0]), rel=1e-6,
                                           abs=1e-300)


def test_kpss_with_capped_lags_equals_statsmodels_auto(ctx):
    from statsmodels.tsa.stattools import kpss

    x = np.diff(ctx.values)
    assert x.size > stats.KPSS_AUTO_MAX
    for regression, series in (("c", x), ("ct", ctx.values)):
        fast = stats.kpss(ctx, f"kpss-{regression}", series, regression)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            auto = kpss(series, regression=regression, nlags="auto")
            # statsmodels' automatic lag count, capped for the O(n * lags) cost
            assert fast["lags"] == min(auto[2], stats.KPSS_MAX_LAG)
            ref = kpss(series, regression=regression, nlags=fast["lags"])
        assert fast["statistic"] == pytest.approx(ref[0], rel=1e-10)
        assert fast["pvalue"] == pytest.approx(ref[1], rel=1e-10)


def test_windows_are_float32_and_equal_the_float64_gather():
    from numpy.lib.stride_tricks import sliding_window_view

    from lstm_doctor.experiment.windows import input_matrix, make_windows, train_origins

    z = np.random.default_rng(0).standard_normal(5_000) * 1e3
    feats = np.random.default_rng(1).standard_normal((5_000, 2))
    inputs = input_matrix(z, feats)
    origins = train_origins(4_000, lost=0, seq_length=100, horizon=3)
    W = make_windows(inputs, z, origins, seq_length=100, horizon=3)
    old = np.ascontiguousarray(
        sliding_window_view(inputs, 100, axis=0)[origins - 100].transpose(0, 2, 1),
        dtype=np.float32)
    assert W.X.dtype == np.float32 and W.X.flags.c_contiguous
    np.testing.assert_array_equal(W.X, old)
    np.testing.assert_array_equal(W.X[7, :, 0], z[7:107].astype(np.float32))

