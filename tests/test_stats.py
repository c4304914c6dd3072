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
from lstm_doctor.rules._setup_facts import (
    VarianceThresholds,
    differencing_order,
    model_scale,
    season_removed_by,
)
from tests import generators as gen

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
#: LD205's default thresholds (the scale LD201 and LD304 difference on).
LD205_DEFAULTS = VarianceThresholds()


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
    res = stats.unitroot._adf_raw(x, "c")
    assert res["maxlag"] == stats.ADF_MAX_LAG


def test_kpss_long_series_path_equals_auto(monkeypatch):
    x = gen.ar(3000, seed=2, phi=(0.7,))
    auto = stats.unitroot._kpss_raw(x, "c")
    monkeypatch.setattr(stats.unitroot, "KPSS_AUTO_MAX", 100)
    capped = stats.unitroot._kpss_raw(x, "c")
    assert capped["lags"] == auto["lags"]
    assert capped["statistic"] == pytest.approx(auto["statistic"])


def test_ljung_box_fft_path_equals_statsmodels(monkeypatch):
    x = gen.ar(3000, seed=5, phi=(0.1,))
    direct = stats.ljung_box(ctx_of(x), "x", x, 10)
    monkeypatch.setattr(stats.autocorrelation, "LJUNG_BOX_DIRECT_MAX", 100)
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
    import lstm_doctor.stats.fast_adf as fast_adf

    adf_calls: Counter = Counter()
    kpss_calls: Counter = Counter()
    real_adf, real_kpss = fast_adf.adfuller_fast, stats.unitroot._kpss_test

    def counting_adf(x, *args, **kwargs):
        adf_calls[(_digest(x), kwargs.get("regression"))] += 1
        return real_adf(x, *args, **kwargs)

    def counting_kpss(x, regression, nlags, resids=None):
        kpss_calls[(_digest(x), regression)] += 1
        return real_kpss(x, regression, nlags, resids)

    monkeypatch.setattr(fast_adf, "adfuller_fast", counting_adf)
    monkeypatch.setattr(stats.unitroot, "_kpss_test", counting_kpss)
    config = {"preprocessing": {"difference": 1, "scaler": "standard"}}
    lstm_doctor.check(gen.random_walk(400), config=config, select=["LD2"])
    assert adf_calls and kpss_calls
    assert max(adf_calls.values()) == 1, adf_calls
    assert max(kpss_calls.values()) == 1, kpss_calls


def test_cached_results_are_shared_between_calls(monkeypatch):
    ctx = ctx_of("airpassengers.csv")
    first = stats.detect_period(ctx)
    monkeypatch.setattr(stats.seasonality, "_detect_period_raw",
                        lambda *a: pytest.fail("recomputed"))
    assert stats.detect_period(ctx) is first
    assert stats.seasonal_period(ctx) == {"period": first["period"], "kind": first["kind"]}
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


# -- consolidation: one definition per question -------------------------------------------

# Draws on which KPSS rejects stationarity at its table bound (p < 0.01) while ADF rejects a
# unit root at p < 0.001: the old order rule differenced them, and LD503 then read the
# over-differenced noise's negative partial autocorrelations as "memory beyond the window".
KPSS_REJECTS_NOISE = [(gen.white_noise, 200, 186), (gen.white_noise, 200, 816),
                      (gen.white_noise, 2000, 276), (gen.white_noise, 2000, 411),
                      (gen.ar, 200, 24), (gen.ar, 200, 432), (gen.ar, 2000, 132),
                      (gen.ar, 2000, 500)]


@pytest.mark.parametrize("make,n,seed", KPSS_REJECTS_NOISE,
                         ids=[f"{m.__name__}-{n}-{s}" for m, n, s in KPSS_REJECTS_NOISE])
def test_stationary_noise_is_not_differenced_when_only_kpss_rejects(make, n, seed):
    from lstm_doctor.rules.window.LD503 import Rule_LD503

    ctx = ctx_of(make(n, seed=seed), config={"window": {"seq_length": 5}})
    order = stats.stationarity_order(ctx)
    first = order["per_order"][0]
    assert first["kpss"]["pvalue"] < stats.ALPHA  # the draw is one where KPSS rejects
    assert first["adf"]["pvalue"] < 0.01
    assert order["d"] == 0 and order["verdict"] == "inconclusive"
    assert stats.stationary_series(ctx).size == ctx.values.size
    status, finding, _ = Rule_LD503().run(ctx)
    assert status == "pass", finding.message if finding else status


@pytest.mark.parametrize("make", [gen.white_noise, gen.ar], ids=["white-noise", "ar2"])
def test_noise_is_never_differenced_over_many_draws(make):
    orders = [stats.stationarity_order(ctx_of(make(200, seed=s)))["d"] for s in range(150)]
    assert orders.count(0) == len(orders)


def test_order_differences_only_on_unit_root_evidence():
    rw = stats.stationarity_order(ctx_of(gen.random_walk(400, seed=1)))
    assert rw["d"] == 1 and rw["per_order"][0]["verdict"] == "unit-root"
    i2 = stats.stationarity_order(ctx_of(gen.integrated(400, seed=1, order=2)))
    assert i2["d"] == 2 and [e["verdict"] for e in i2["per_order"]][:2] == ["unit-root"] * 2
    # the Nile: both tests reject (a noisy level shift); no unit root, so no difference
    nile = stats.stationarity_order(ctx_of("nile.csv"))
    assert nile["d"] == 0 and nile["conclusive"] is False


def test_trend_stationary_target_is_detrended_not_differenced():
    ctx = ctx_of(gen.trend(300))
    order = stats.stationarity_order(ctx)
    assert order["d"] == 0 and order["detrend"] is True and order["verdict"] == "trend-stationary"
    z = stats.stationary_series(ctx)
    assert z.size == 300 and abs(np.polyfit(np.arange(300), z, 1)[0]) < 1e-9
    # LD203 keeps the plain order (a differenced trend is LD202's finding)
    plain = stats.stationarity_order_of(ctx, "values", ctx.values)
    assert plain["d"] == 1 and plain["detrend"] is False


def test_co2_needs_one_difference_not_two():
    ctx = ctx_of("co2_monthly.csv")
    order = stats.stationarity_order(ctx)
    assert order["d"] == 1 and order["deseasonalized"] == 12
    d1 = order["per_order"][1]
    assert d1["adf"]["pvalue"] < 0.001  # the changes have no unit root...
    assert d1["kpss"]["pvalue_bound"] == "lower"  # ...KPSS (level) rejects their rising mean
    changes = np.diff(stats.seasonality._seasonally_adjusted(ctx, "values", ctx.values)[0])
    assert stats.kpss(ctx, "co2-changes", changes, "ct")["pvalue"] >= 0.05  # trend: fine


def test_differencing_order_uses_the_log_scale_for_exponential_growth():
    ctx = ctx_of(gen.exponential_walk(200, seed=2))
    assert stats.stationarity_order(ctx)["d"] == 2  # the raw changes grow with the level
    order = differencing_order(ctx, LD205_DEFAULTS)
    assert order["d"] == 1
    assert order["scale"]["transform"] == "log"
    assert order["scale"]["source"] == "variance grows with level"
    setup = ctx_of(gen.exponential_walk(200, seed=2), config={"preprocessing": {"log": True}})
    assert differencing_order(setup, LD205_DEFAULTS)["scale"]["source"] == "setup"
    assert differencing_order(setup, LD205_DEFAULTS)["d"] == 1
    boxcox = ctx_of(gen.exponential_walk(200, seed=2), config={"preprocessing": {"boxcox": 0.5}})
    assert differencing_order(boxcox, LD205_DEFAULTS)["scale"]["name"] == "Box-Cox(0.5)"
    flat = ctx_of(gen.random_walk(300))
    assert differencing_order(flat, LD205_DEFAULTS)["scale"]["transform"] is None


def test_ld205_and_the_model_scale_share_one_decision():
    from lstm_doctor.rules.stationarity.LD205 import Rule_LD205

    for data in ("airpassengers.csv", "co2_monthly.csv", "lynx.csv", "nile.csv",
                 gen.exponential_walk(200, seed=2), gen.random_walk(400)):
        ctx = ctx_of(data)
        status, finding, _ = Rule_LD205().run(ctx)
        scale = model_scale(ctx, LD205_DEFAULTS)
        assert (status == "fail") == (scale["source"] == "variance grows with level"), data
        if finding:
            kind = finding.remedies[0].kind
            assert kind == scale["transform"], (data, kind, scale)


@pytest.mark.parametrize("lag,period,removed", [
    (4, 4, True), (8, 4, True), (5, 4, False), (3, 4, False), (12, 12, True), (13, 12, False),
    (24, 12, True), (52, 52, True), (53, 52, True), (104, 52, True), (336, 48, True),
    (0, 12, False), (12, 0, False),
])
def test_season_removed_by_one_definition(lag, period, removed):
    from lstm_doctor.config import Preprocessing

    by_diff = season_removed_by(Preprocessing(seasonal_difference=lag), period)
    by_profile = season_removed_by(Preprocessing(deseasonalize=lag), period)
    assert (by_diff == "seasonal_difference") is removed
    assert (by_profile == "deseasonalize") is removed
    assert not hasattr(__import__("lstm_doctor.capacity").capacity, "season_handled")


def _ld204_ld502(data, config):
    report = lstm_doctor.check(data, config=config, select=["LD204", "LD502"])
    return {f.code: f.severity.value for f in report.findings}


@pytest.mark.parametrize("file,period", [("ausbeer.csv", 4), ("airpassengers.csv", 12)])
def test_ld204_and_ld502_agree_and_report_the_root_cause_once(file, period):
    data = str(FIXTURES / file)
    for seq in (2, period - 1, period, period + 3):
        for lag in (0, period - 1, period, period + 1, 2 * period):
            for key in ("seasonal_difference", "deseasonalize"):
                config = {"preprocessing": {key: lag, "scaler": "standard"},
                          "window": {"seq_length": seq}}
                found = _ld204_ld502(data, config)
                unhandled = lag % period != 0 and seq < period if lag else seq < period
                assert ("LD502" in found) is unhandled, (seq, key, lag, found)
                assert ("LD204" in found) is unhandled, (seq, key, lag, found)
                # never two warnings for one cause: LD204 is information when LD502 fires
                assert found.get("LD204", "info") == "info", (seq, key, lag, found)


def test_pacf_is_shared_and_matches_statsmodels():
    from statsmodels.tsa.stattools import pacf as sm_pacf

    import lstm_doctor.rules.window.LD503 as ld503

    x = gen.ar(1500, seed=4, phi=(0.3, 0.0, 0.0, 0.0, 0.4))
    ctx = ctx_of(x, config={"window": {"seq_length": 3}})
    ours = stats.pacf(ctx, "x", x, 12)
    assert ours == pytest.approx(sm_pacf(x, nlags=12, method="ldb"), abs=1e-10)
    assert stats.pacf(ctx, "x", x, 12) is ours  # cached
    assert stats.pacf_significant_lags(ctx, "x", x, 12)[:1] == [1] and 5 in \
        stats.pacf_significant_lags(ctx, "x", x, 12)
    assert not hasattr(ld503, "pacf_values")  # no private copy in the rule
    status, finding, _ = ld503.Rule_LD503().run(ctx)
    assert status == "fail" and "lag 5" in finding.message
    nlags = finding.evidence["nlags"]
    # the rule reads the shared, cached PACF (up to max_lag: a longer remedy window is
    # judged on lags further out)
    assert any(k[:2] == ("pacf", "stationary") and k[2] >= nlags for k in ctx._cache
               if isinstance(k, tuple) and len(k) == 3)


@pytest.mark.parametrize("x", [
    np.diff(np.r_[np.zeros(5), np.ones(10)], 2),        # the OverflowError of statsmodels' KPSS
    np.diff(np.r_[np.zeros(5), np.ones(10)]),           # one spike
    np.r_[np.zeros(5), np.ones(10)],                    # ADF: the changes are one spike
    np.r_[np.zeros(100), np.ones(100)],
    np.arange(50, dtype=float),                         # ADF: constant changes
    np.r_[np.full(30, 2.0), 7.0, np.full(29, 2.0)],     # KPSS: one spike on a constant
    np.array([1.0, 2.0, 3.0]),
], ids=["step-15-d2", "spike-14", "step-15", "step-200", "line", "spike-60", "three-points"])
def test_adf_and_kpss_never_raise_on_degenerate_inputs(x):
    ctx = ctx_of(gen.white_noise(50))
    for regression in ("c", "ct"):
        a, k = stats.adf(ctx, "x", x, regression), stats.kpss(ctx, "x", x, regression)
        for res in (a, k):
            assert np.isnan(res["pvalue"]) == ("error" in res), res
    assert "error" in stats.kpss(ctx, "x", x, "c") or "error" in stats.adf(ctx, "x", x, "c")


def test_kpss_falls_back_when_the_automatic_lag_overflows(monkeypatch):
    def overflow(*args, **kwargs):
        raise OverflowError("cannot convert float infinity to integer")

    monkeypatch.setattr(stats.unitroot, "_kpss_autolag", overflow)
    res = stats.unitroot._kpss_raw(gen.white_noise(300, seed=1), "c")
    assert np.isfinite(res["pvalue"]) and "error" not in res
    assert res["lags"] == 16  # the legacy rule: ceil(12 * (300 / 100) ** 0.25)


def test_level_shift_is_not_a_unit_root_or_a_random_walk():
    ctx = ctx_of(gen.step(200, scale=0.01))
    shift = stats.level_shift(ctx)
    assert shift["at"] == [100] and shift["sizes"][0] == pytest.approx(10, abs=0.1)
    assert stats.level_diagnosis(ctx)["kind"] == "level-shift"
    order = stats.stationarity_order(ctx)
    assert order["level_shift_adjusted"] is True and order["d"] == 0
    codes = set(lstm_doctor.check(gen.step(200, scale=0.01), select=["LD2"]).codes())
    assert "LD207" not in codes and "LD202" not in codes


@pytest.mark.parametrize("data", [
    "nile.csv", "airpassengers.csv", "lynx.csv", "co2_monthly.csv",
    gen.spikes(500, size=100.0), gen.stuck(300), gen.intermittent(400),
] + [gen.random_walk(300, seed=s) for s in range(20)],
    ids=lambda d: d if isinstance(d, str) else None)
def test_level_shift_detector_leaves_other_series_alone(data):
    assert stats.level_shift(ctx_of(data)) is None


@pytest.mark.parametrize("make", [
    lambda: gen.ar(300, seed=12), lambda: gen.random_walk(300, seed=3, start=0.0),
    lambda: gen.seasonal(240, seed=1, loc=0.0),
], ids=["ar2", "random-walk", "seasonal"])
def test_the_diagnosis_does_not_depend_on_the_units(make):
    def summary(scale):
        ctx = ctx_of(scale * make())
        season = stats.detect_period(ctx)
        return (stats.untestable_reason(ctx), stats.level_diagnosis(ctx)["kind"],
                stats.stationarity_order(ctx)["d"], season and season["period"])

    reference = summary(1.0)
    assert reference[0] is None
    for scale in (1e-15, 1e-9, 1e12):
        assert summary(scale) == reference, scale


def test_ld205_threshold_overrides_reach_ld201s_scale():
    """LD201 chooses d on the scale LD205 would produce, with LD205's *effective* thresholds."""
    import lstm_doctor

    air = FIXTURES / "airpassengers.csv"
    default = lstm_doctor.check(air, select=["LD201", "LD205"])
    ld201 = {f.code: f for f in default.findings}["LD201"]
    assert ld201.evidence["order_scale"] == "log"
    strict = lstm_doctor.check(air, select=["LD201", "LD205"],
                               thresholds={"LD205": {"min_slope": 5.0}})
    assert "LD205" not in strict.codes()
    assert {f.code: f for f in strict.findings}["LD201"].evidence["order_scale"] == "raw"


# -- the package: the @cached decorator, one period, no set-up decisions ------------------

def test_cached_keys_on_the_name_and_the_hashable_arguments():
    calls = []

    @stats.cached
    def measure(ctx, x_key, x, lags=3):
        calls.append((x_key, lags))
        return float(np.sum(x)) * lags

    ctx = ctx_of(gen.white_noise(50))
    x = np.arange(5.0)
    assert measure(ctx, "x", x) == measure(ctx, "x", x, lags=3) == measure(ctx, "x", x, 3)
    assert calls == [("x", 3)]  # defaults filled in: one key; the array is not part of it
    measure(ctx, "x", x, 4)
    measure(ctx, "other", x)
    assert calls == [("x", 3), ("x", 4), ("other", 3)]
    assert ("measure", "x", 3) in ctx._cache
    assert measure.__wrapped__(ctx, "x", x) == 30.0 and len(calls) == 4  # the plain function

    @stats.cached(unkeyed=())
    def bad(ctx, options):
        return options

    with pytest.raises(TypeError, match="not hashable"):
        bad(ctx, {"a": 1})


def test_statistics_share_their_cache_entries_across_modules():
    ctx = ctx_of("airpassengers.csv")
    stats.level_diagnosis(ctx)
    keys = {k[0] for k in ctx._cache if isinstance(k, tuple)}
    assert {"level_diagnosis", "detect_period", "_seasonally_adjusted", "adf", "kpss",
            "_level_shift_pair"} <= keys
    # stationarity_order reuses the level-0 tests level_diagnosis ran (same x_key)
    before = len(ctx._cache)
    order = stats.stationarity_order(ctx)
    assert order["per_order"][0]["adf"] == stats.level_diagnosis(ctx)["adf_c"]
    assert len(ctx._cache) > before


@pytest.mark.parametrize("file,expected", [
    ("airpassengers.csv", {"period": 12, "kind": "seasonal"}),
    ("lynx.csv", {"period": 10, "kind": "cycle"}),
    ("nile.csv", None),
])
def test_seasonal_period_is_the_one_source_of_the_period(file, expected):
    from lstm_doctor.capacity import seasonal_period

    ctx = ctx_of(file)
    found = stats.seasonal_period(ctx)
    if expected is not None and expected["kind"] == "cycle":
        assert found is not None and found["kind"] == "cycle"  # the lynx cycle drifts
    else:
        assert found == expected
    # the rules' period is the same source, with drifting cycles left out
    assert seasonal_period(ctx) == (found["period"] if found and found["kind"] == "seasonal"
                                    else 0)


def test_no_set_up_decision_in_the_stats_package():
    """stats measures the series: it never reads the set-up or a rule's options."""
    import ast

    package = Path(stats.__file__).parent
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        attrs = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
        assert not attrs & {"config", "rule_options", "config_given"}, path.name
        assert len(path.read_text(encoding="utf-8").splitlines()) < 600, path.name


def test_rules_read_other_rules_thresholds_only_as_declared():
    from lstm_doctor.rules import get_rules
    from lstm_doctor.rules.stationarity.LD201 import Rule_LD201

    rules_dir = Path(stats.__file__).parent.parent / "rules"
    readers = [p for p in rules_dir.rglob("*.py")
               if "rule_options" in p.read_text(encoding="utf-8") and p.name != "base.py"]
    assert readers == []  # through Rule.options_of, which checks depends_on
    codes = {r.code for r in get_rules()}
    for rule in get_rules():
        assert set(rule.depends_on) <= codes - {rule.code}, rule.code
    assert Rule_LD201.depends_on == ("LD205",)
    ctx = ctx_of(gen.white_noise(50))
    with pytest.raises(LookupError, match="depends_on"):
        Rule_LD201().options_of(ctx, "LD504")
    # a dependency that is not in the run contributes its defaults
    assert Rule_LD201().options_of(ctx, "LD205") == {
        "min_slope": 0.5, "max_pvalue": 0.01, "min_level_ratio": 1.5, "log_lambda_band": 0.25}
    ctx.rule_options["LD205"] = {**ctx.rule_options.get("LD205", {}), "min_slope": 5.0}
    assert Rule_LD201().options_of(ctx, "LD205")["min_slope"] == 5.0


def test_fast_adf_keeps_its_old_import_path():
    import lstm_doctor.fast_adf as old
    import lstm_doctor.stats.fast_adf as new

    assert old is new and old.adfuller_fast is new.adfuller_fast


# -- magnitudes ------------------------------------------------------------------------------

@pytest.mark.parametrize("scale", [1e160, 1e300, 1e-160, 1e-300])
def test_statistics_do_not_depend_on_the_magnitude(scale):
    """Statistics are scale-free: 1e160-sized values give the results of the plain series."""
    import warnings

    y = np.asarray(load_series(FIXTURES / "airpassengers.csv").y)
    plain, scaled = ctx_of(y), ctx_of(y * scale)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow / underflow on the way
        assert stats.detect_period(scaled)["period"] == stats.detect_period(plain)["period"]
        for fn in (stats.adf, stats.kpss):
            a, b = fn(plain, "values", plain.values), fn(scaled, "values", scaled.values)
            assert b["statistic"] == pytest.approx(a["statistic"], rel=1e-6)
        assert np.allclose(stats.acf(scaled, "values", scaled.values, 24),
                           stats.acf(plain, "values", plain.values, 24))
        assert stats.level_diagnosis(scaled)["kind"] == stats.level_diagnosis(plain)["kind"]
        assert stats.level_diagnosis(scaled)["trend_slope"] / scale == pytest.approx(
            stats.level_diagnosis(plain)["trend_slope"], rel=1e-6)
        assert stats.boxcox_lambda(scaled)["lambda"] == pytest.approx(
            stats.boxcox_lambda(plain)["lambda"], abs=1e-4)
        assert stats.stationary_series(scaled) / scale == pytest.approx(
            stats.stationary_series(plain), rel=1e-6, abs=1e-9)


def test_level_shift_sizes_are_in_the_data_units():
    step = np.r_[np.zeros(40), np.full(40, 5.0)] + 1e-3 * np.sin(np.arange(80))
    plain = stats.level_shift(ctx_of(step))
    scaled = stats.level_shift(ctx_of(step * 1e200))
    assert plain["at"] == scaled["at"] == [40]
    assert scaled["sizes"][0] / 1e200 == pytest.approx(plain["sizes"][0])

