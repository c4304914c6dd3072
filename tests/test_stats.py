"""lstm_doctor.stats: seasonal periods, stationarity orders, test wrappers and the cache."""

from __future__ import annotations

import hashlib
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

import lstm_doctor
from lstm_doctor import stats
from lstm_doctor.config import LSTMConfig
from lstm_doctor.context import Context
from lstm_doctor.data import load_series
from tests import generators as gen

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def ctx_of(data, target=None, config=None) -> Context:
    if isinstance(data, str):
        series = load_series(FIXTURES / data, target=target)
    else:
        series = load_series(np.asarray(data, dtype=float))
    cfg = LSTMConfig.from_dict(config) if config else LSTMConfig()
    return Context(series, cfg, config_given=config is not None)


# -- detect_period ------------------------------------------------------------------------

@pytest.mark.parametrize("file,target,period", [
    ("airpassengers.csv", None, 12),
    ("co2_monthly.csv", None, 12),
    ("wineind.csv", None, 12),
    ("elnino.csv", None, 12),
    ("ausbeer.csv", None, 4),
    ("co2_weekly.csv", "co2", 52),
])
def test_detect_period_calendar_series(file, target, period):
    found = stats.detect_period(ctx_of(file, target))
    assert found is not None
    assert found["period"] == period
    assert found["kind"] == "seasonal"
    assert found["calendar"] is True
    assert found["strength"] >= 0.5 and found["acf_at_period"] >= 0.5


def test_detect_period_taylor_without_calendar_finds_the_day():
    found = stats.detect_period(ctx_of("taylor.csv"))
    assert found["hints"] == []  # integer time column: the data alone
    assert found["period"] in (48, 336)
    assert found["kind"] == "seasonal"
    assert 336 in found["other_periods"] or found["period"] == 336


@pytest.mark.parametrize("file,target", [
    ("nile.csv", None), ("sunspots.csv", None), ("macrodata.csv", "realgdp"),
    ("macrodata.csv", "infl"),
])
def test_detect_period_none_on_non_seasonal_real_series(file, target):
    assert stats.detect_period(ctx_of(file, target)) is None


def test_detect_period_lynx_is_a_cycle_not_a_season():
    found = stats.detect_period(ctx_of("lynx.csv"))
    assert found is None or found["kind"] == "cycle"


@pytest.mark.parametrize("make", [
    lambda s: gen.white_noise(300, seed=s),
    lambda s: gen.random_walk(300, seed=s),
    lambda s: gen.ar(300, seed=s),
    lambda s: gen.ar(300, seed=s, phi=(1.2, -0.5)),
    lambda s: gen.ar(300, seed=s, phi=(0.9,)),
], ids=["white-noise", "random-walk", "ar2", "ar2-pseudo-cycle", "ar1-0.9"])
def test_detect_period_invents_nothing_on_aperiodic_series(make):
    found = [stats.detect_period(ctx_of(make(seed))) for seed in range(15)]
    assert [f["period"] for f in found if f] == []


def test_detect_period_finds_season_without_calendar():
    found = stats.detect_period(ctx_of(gen.seasonal(480, period=7)))
    assert found["period"] == 7 and found["kind"] == "seasonal"


def test_frequency_periods():
    assert stats.frequency_periods("MS") == [12]
    assert stats.frequency_periods("QS-JAN") == [4]
    assert stats.frequency_periods("W-SUN") == [52]
    assert stats.frequency_periods("D") == [7]
    assert stats.frequency_periods("h") == [24, 168]
    assert stats.frequency_periods("30min") == [48, 336]
    assert stats.frequency_periods("YS") == []
    assert stats.frequency_periods("1") == []
    assert stats.frequency_periods(None) == []


# -- stationarity -------------------------------------------------------------------------

@pytest.mark.parametrize("make,d", [
    (lambda s: gen.white_noise(400, seed=s), 0),
    (lambda s: gen.ar(600, seed=s), 0),
    (lambda s: gen.random_walk(400, seed=s), 1),
    (lambda s: gen.integrated(400, seed=s, order=2), 2),
], ids=["I(0)-noise", "I(0)-ar2", "I(1)", "I(2)"])
def test_stationarity_order_synthetic(make, d):
    orders = [stats.stationarity_order(ctx_of(make(seed))) for seed in range(5)]
    assert [o["d"] for o in orders].count(d) >= 4, [o["d"] for o in orders]
    for o in orders:
        assert [e["d"] for e in o["per_order"]] == list(range(len(o["per_order"])))
        assert {"statistic", "pvalue", "usedlag", "regression"} <= set(o["per_order"][0]["adf"])


def test_seasonality_alone_is_not_non_stationarity():
    ctx = ctx_of(gen.seasonal(240, amplitude=20, scale=1))
    order = stats.stationarity_order(ctx)
    assert order["d"] == 0 and order["deseasonalized"] == 12
    assert stats.level_diagnosis(ctx)["kind"] == "stationary"


def test_stationary_series_is_differenced_and_deseasonalized():
    ctx = ctx_of("airpassengers.csv")
    z = stats.stationary_series(ctx)
    assert z.size == ctx.values.size - stats.stationarity_order(ctx)["d"]
    assert stats.detect_period(ctx)["period"] == 12


@pytest.mark.parametrize("file,target,kind", [
    ("airpassengers.csv", None, "unit-root"),
    ("co2_monthly.csv", None, "unit-root"),
    ("macrodata.csv", "realgdp", "unit-root"),
    ("nile.csv", None, "inconclusive"),
    ("sunspots.csv", None, "inconclusive"),
    ("elnino.csv", None, "stationary"),
    ("lynx.csv", None, "stationary"),
])
def test_level_diagnosis_real_series(file, target, kind):
    assert stats.level_diagnosis(ctx_of(file, target))["kind"] == kind


def test_level_diagnosis_trend_stationary():
    level = stats.level_diagnosis(ctx_of(gen.trend(300)))
    assert level["kind"] == "trend-stationary"
    assert level["trend_r2"] > 0.9 and abs(level["trend_slope"] - 0.5) < 0.05


def test_kpss_reports_the_clipped_pvalue_bound():
    ctx = ctx_of(gen.random_walk(500))
    rw = stats.kpss(ctx, "rw", ctx.values)
    assert rw["pvalue"] == pytest.approx(0.01) and rw["pvalue_bound"] == "lower"
    wn = stats.kpss(ctx, "wn", gen.white_noise(500))
    assert wn["pvalue"] == pytest.approx(0.1) and wn["pvalue_bound"] == "upper"
    assert {"statistic", "lags", "regression"} <= set(wn)


def test_adf_matches_statsmodels_with_the_same_lag_rule():
    from statsmodels.tsa.stattools import adfuller

    x = gen.ar(800, seed=3, phi=(0.95,))
    ctx = ctx_of(x)
    ours = stats.adf(ctx, "x", x, "ct")
    ref = adfuller(x, maxlag=ours["maxlag"], regression="ct", autolag=stats.ADF_AUTOLAG,
                   result_object=False)
    assert ours["statistic"] == pytest.approx(ref[0], rel=1e-6)
    assert ours["pvalue"] == pytest.approx(ref[1], rel=1e-6)
    assert ours["usedlag"] == ref[2] and ours["regression"] == "ct"


def test_adf_lag_search_is_capped():
    x = gen.white_noise(200_000, seed=1)
    res = stats._adf_raw(x, "c")
    assert res["maxlag"] == stats.ADF_MAX_LAG


def test_kpss_long_series_path_equals_auto(monkeypatch):
    x = gen.ar(3000, seed=2, phi=(0.7,))
    auto = stats._kpss_raw(x, "c")
    monkeypatch.setattr(stats, "KPSS_AUTO_MAX", 100)
    capped = stats._kpss_raw(x, "c")
    assert capped["lags"] == auto["lags"]
    assert capped["statistic"] == pytest.approx(auto["statistic"])


def test_ljung_box_fft_path_equals_statsmodels(monkeypatch):
    x = gen.ar(3000, seed=5, phi=(0.1,))
    direct = stats.ljung_box(ctx_of(x), "x", x, 10)
    monkeypatch.setattr(stats, "LJUNG_BOX_DIRECT_MAX", 100)
    fft = stats.ljung_box(ctx_of(x), "x", x, 10)
    assert direct["method"] != fft["method"]
    assert fft["statistic"] == pytest.approx(direct["statistic"], rel=1e-8)
    assert fft["pvalue"] == pytest.approx(direct["pvalue"], rel=1e-6)


def test_ljung_box_and_pacf():
    ctx = ctx_of(gen.ar(2000, seed=1))
    ar = ctx.values
    assert stats.ljung_box(ctx, "ar", ar, 10)["pvalue"] < 1e-6
    assert stats.pacf_significant_lags(ctx, "ar", ar, 10)[:2] == [1, 2]
    r = stats.acf(ctx, "ar", ar, 5)
    assert r.shape == (6,) and r[0] == pytest.approx(1.0) and r[1] > 0.3


def test_boxcox_lambda_airpassengers_near_log():
    lam = stats.boxcox_lambda(ctx_of("airpassengers.csv"))
    assert -0.4 < lam["lambda"] < 0.2
    assert -0.3 < lam["lambda_mle"] < 0.4
    assert lam["period"] == 12


def test_boxcox_lambda_not_positive():
    lam = stats.boxcox_lambda(ctx_of(gen.white_noise(200)))
    assert np.isnan(lam["lambda"]) and lam["positive"] is False


def test_variance_vs_level():
    mult = stats.variance_vs_level(ctx_of("airpassengers.csv"))
    add = stats.variance_vs_level(ctx_of("co2_monthly.csv"))
    assert mult["slope"] > 0.8 and mult["level_ratio"] > 3
    assert add["level_ratio"] < 1.5


def test_constant_series_does_not_raise():
    ctx = ctx_of(np.full(100, 3.0))
    assert np.isnan(stats.adf(ctx, "c", ctx.values)["pvalue"])
    assert np.isnan(stats.kpss(ctx, "c", ctx.values)["pvalue"])
    assert stats.detect_period(ctx) is None
    assert stats.stationarity_order(ctx)["conclusive"] is False


# -- the cache ----------------------------------------------------------------------------

def _digest(x) -> str:
    return hashlib.sha1(np.ascontiguousarray(x, dtype=float).tobytes()).hexdigest()


def test_each_test_runs_once_per_run(monkeypatch):
    import statsmodels.tsa.stattools as sm

    import lstm_doctor.fast_adf as fast_adf

    adf_calls: Counter = Counter()
    kpss_calls: Counter = Counter()
    real_adf, real_kpss = fast_adf.adfuller_fast, sm.kpss

    def counting_adf(x, *args, **kwargs):
        adf_calls[(_digest(x), kwargs.get("regression"))] += 1
        return real_adf(x, *args, **kwargs)

    def counting_kpss(x, *args, **kwargs):
        kpss_calls[(_digest(x), kwargs.get("regression"))] += 1
        return real_kpss(x, *args, **kwargs)

    monkeypatch.setattr(fast_adf, "adfuller_fast", counting_adf)
    monkeypatch.setattr(sm, "kpss", counting_kpss)
    config = {"preprocessing": {"difference": 1, "scaler": "standard"}}
    lstm_doctor.check(gen.random_walk(400), config=config, select=["LD2"])
    assert adf_calls and kpss_calls
    assert max(adf_calls.values()) == 1, adf_calls
    assert max(kpss_calls.values()) == 1, kpss_calls


def test_cached_results_are_shared_between_calls(monkeypatch):
    ctx = ctx_of("airpassengers.csv")
    first = stats.detect_period(ctx)
    monkeypatch.setattr(stats, "_detect_period_raw", lambda *a: pytest.fail("recomputed"))
    assert stats.detect_period(ctx) is first
    level = stats.level_diagnosis(ctx)
    assert stats.level_diagnosis(ctx) is level


# -- rules agree with each other ----------------------------------------------------------

@pytest.mark.parametrize("data", [
    {"data": gen.trend(300)}, {"data": gen.random_walk(500)}, {"data": gen.white_noise(300)},
    {"data": gen.random_walk(500, drift=0.3)}, {"data": str(FIXTURES / "airpassengers.csv")},
    {"data": str(FIXTURES / "nile.csv")}, {"data": str(FIXTURES / "elnino.csv")},
])
def test_mutually_exclusive_findings(data):
    codes = set(lstm_doctor.check(data["data"], select=["LD2"]).codes())
    assert not {"LD201", "LD202"} <= codes
    assert not {"LD206", "LD207"} <= codes


def test_clean_scenario_has_no_warning_from_stationarity_rules():
    config = {"preprocessing": {"scaler": "standard", "scaler_fit": "train"},
              "window": {"seq_length": 20}, "model": {"units": 16}}
    report = lstm_doctor.check(gen.ar(3000, seed=0), config=config, select=["LD2"])
    assert [f.code for f in report.findings if f.severity.rank >= 2] == []
