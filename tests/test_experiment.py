"""Experiment machinery that needs no training: windows, metrics, DM, forecasters,
inversion, remediation, budget, and the comparison without TensorFlow."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lstm_doctor
from lstm_doctor.config import LSTMConfig, Preprocessing, load_config
from lstm_doctor.experiment import build_remediation
from lstm_doctor.experiment.dm import dm_test
from lstm_doctor.experiment.forecasters import (
    ETSForecaster,
    expanding_mean,
    naive,
    seasonal_naive,
)
from lstm_doctor.experiment.lstm import Budget
from lstm_doctor.experiment.metrics import mae, mase, mase_scale, rmse, smape, summarize
from lstm_doctor.experiment.remediation import config_yaml
from lstm_doctor.experiment.result import ExperimentResult
from lstm_doctor.experiment.runner import verdict
from lstm_doctor.experiment.windows import (
    holdout_origins,
    input_matrix,
    make_windows,
    split_validation,
    train_origins,
)
from lstm_doctor.preprocess import Pipeline
from lstm_doctor.remedies import (
    BoxCox,
    Deseasonalize,
    Detrend,
    Difference,
    EarlyStopping,
    Log,
    Scale,
    SeasonalDifference,
    SetUnits,
    SetWindow,
    UseReference,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def air() -> np.ndarray:
    return pd.read_csv(FIXTURES / "airpassengers.csv")["passengers"].to_numpy(float)


# -- windows ---------------------------------------------------------------------------------
def test_windows_match_a_python_loop():
    rng = np.random.default_rng(0)
    z = rng.normal(size=50)
    feats = rng.normal(size=(50, 2))
    U = input_matrix(z, feats)
    L, h = 7, 3
    origins = train_origins(40, lost=2, seq_length=L, horizon=h)
    assert origins[0] == 2 + L and origins[-1] == 40 - h
    W = make_windows(U, z, origins, seq_length=L, horizon=h)
    assert W.X.shape == (len(origins), L, 3) and W.Y.shape == (len(origins), h)
    for i, t in enumerate(origins):
        np.testing.assert_allclose(W.X[i], U[t - L:t].astype(np.float32))
        np.testing.assert_allclose(W.Y[i], z[t:t + h].astype(np.float32))
    hold = holdout_origins(50, 40, horizon=h)
    assert hold.tolist() == list(range(40, 48))


def test_windows_reject_origins_without_history():
    z = np.arange(20.0)
    with pytest.raises(ValueError):
        make_windows(input_matrix(z), z, np.array([3]), seq_length=5, horizon=1)


def test_validation_split_temporal_and_random():
    fit, val = split_validation(20, 0.2)
    assert val.tolist() == [16, 17, 18, 19] and fit.tolist() == list(range(16))
    fit, val = split_validation(20, 0.2, method="random", seed=1)
    assert len(val) == 4 and len(fit) == 16 and not set(fit) & set(val)
    assert val.tolist() != [16, 17, 18, 19]
    fit, val = split_validation(20, 0.0)
    assert len(val) == 0 and len(fit) == 20


# -- metrics ---------------------------------------------------------------------------------
def test_metrics_against_hand_computation():
    a = np.array([10.0, 12.0, 8.0, 0.0])
    f = np.array([11.0, 10.0, 8.0, 0.0])
    assert mae(a, f) == pytest.approx((1 + 2 + 0 + 0) / 4)
    assert rmse(a, f) == pytest.approx(np.sqrt((1 + 4) / 4))
    # sMAPE: 200|F-A|/(|A|+|F|): 200/21, 400/22, 0, 0/0 -> 0
    assert smape(a, f) == pytest.approx((200 / 21 + 400 / 22) / 4)
    train = np.array([1.0, 3.0, 2.0, 6.0, 5.0])  # naive |diffs| 2, 1, 4, 1 -> 2
    assert mase_scale(train) == pytest.approx(2.0)
    assert mase(a, f, 2.0) == pytest.approx(0.75 / 2.0)
    season = np.tile([1.0, 5.0, 3.0], 4) + np.arange(12)  # lag-3 diffs are all 3
    assert mase_scale(season, 3) == pytest.approx(3.0)
    assert np.isnan(mae(a, np.array([1.0, np.nan, 1.0, 1.0])))


def test_summarize_mean_and_spread():
    s = summarize([{"mae": 1.0, "rmse": 1, "smape": 1, "mase": 0.5},
                   {"mae": 3.0, "rmse": 1, "smape": 1, "mase": 1.5}])
    assert s["mae"] == 2.0 and s["mae_std"] == pytest.approx(np.sqrt(2.0))
    assert s["mase_min"] == 0.5 and s["mase_max"] == 1.5
    one = summarize([{"mae": 1.0, "rmse": 1, "smape": 1, "mase": 0.5}])
    assert one["mae_std"] == 0.0


# -- Diebold-Mariano -------------------------------------------------------------------------
def test_dm_matches_published_reference_values():
    # Reference values from the `dieboldmariano` package's tests (equal to R's
    # forecast::dm.test with the HLN correction).
    r = dm_test([0] * 6, [0, 1, 2, 3, 4, 5], [0, 2, 3, 3, 5, 6])
    assert r.statistic == pytest.approx(-2.4905, abs=1e-4)
    assert r.p_value == pytest.approx(0.05513, abs=1e-4)
    p1 = [0.3675225224615024, 0.5450608127223211, 0.22044990720021074, 0.8688743471040006,
          0.6072512228948467, 0.8582283746501538, 0.41662295816718187, 0.3812100211114714,
          0.7185133356116706, 0.30827323290318875, 0.4297093624074402, 0.8615974488577858,
          0.7240514514808826, 0.3450839595261038, 0.19675301374013598]
    p2 = [0.12794132529988733, 0.3679643204341153, 0.768715420996091, 0.09972248964114683,
          0.27197653636654284, 0.28797629010039505, 0.9160213458582482, 0.6112628048698798,
          0.5452873235576241, 0.06785907231746158, 0.6072666485541124, 0.6241575753989782,
          0.39998026828867217, 0.19895665605941748, 0.8094941215215619]
    r = dm_test([0] * 15, p1, p2, h=3, loss="absolute", alternative="less")
    assert r.statistic == pytest.approx(1.2109, abs=1e-4)
    assert r.p_value == pytest.approx(0.877, abs=1e-3)


def test_dm_hand_computation_and_edge_cases():
    a = np.zeros(5)
    fa, fb = np.array([1.0, -1, 2, 0, 1]), np.array([2.0, 1, 2, 1, 3])
    d = fa ** 2 - fb ** 2
    T = 5
    var = np.mean((d - d.mean()) ** 2) / T
    expected = d.mean() / np.sqrt(var) * np.sqrt((T + 1 - 2) / T)
    assert dm_test(a, fa, fb).statistic == pytest.approx(expected)
    same = dm_test(a, fa, fa)
    assert same.statistic == 0.0 and same.p_value == 1.0
    assert np.isnan(dm_test(a, fa, np.array([1, np.nan, 1, 1, 1])).p_value)
    # (T, h) forecasts: the loss of an origin is its mean over steps
    two = dm_test(np.zeros((5, 2)), np.c_[fa, fa], np.c_[fb, fb], h=2)
    assert two.n == 5 and two.h == 2 and np.isfinite(two.statistic)


# -- reference forecasters -------------------------------------------------------------------
def test_naive_seasonal_naive_and_mean_by_hand():
    y = np.arange(30.0) ** 1.5
    o = np.array([20, 21, 25])
    np.testing.assert_array_equal(naive(y, o, 2), np.c_[y[o - 1], y[o - 1]])
    sn = seasonal_naive(y, o, 5, 4)
    # step k uses y[t + k - 4 * ceil((k + 1) / 4)]
    np.testing.assert_array_equal(sn[0], [y[16], y[17], y[18], y[19], y[16]])
    np.testing.assert_allclose(expanding_mean(y, o, 1)[:, 0], [y[:t].mean() for t in o])


def test_ets_one_step_from_history_matches_statsmodels_at_the_split():
    y = air()
    n_train = 115
    ets = ETSForecaster(12).fit(y[:n_train])
    assert ets.spec_["seasonal"] in ("add", "mul")
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    spec = ets.spec_
    res = ExponentialSmoothing(y[:n_train], trend=spec["trend"], damped_trend=spec["damped"],
                               seasonal=spec["seasonal"], seasonal_periods=12,
                               initialization_method="estimated").fit()
    origins = np.arange(n_train, len(y))
    one = ets.predict(y, origins, 1)
    assert one[0, 0] == pytest.approx(float(res.forecast(1)[0]), rel=1e-9)
    multi = ets.predict(y, origins[:4], 3)
    np.testing.assert_allclose(multi[:, 0], one[:4, 0], rtol=1e-9)
    np.testing.assert_allclose(multi[0], res.forecast(3), rtol=1e-9)
    # no look-ahead: changing the holdout's future does not change earlier forecasts
    y2 = y.copy()
    y2[130:] *= 3
    np.testing.assert_allclose(ets.predict(y2, origins[:16], 1), one[:16])


# -- inversion on the original scale ---------------------------------------------------------
@pytest.mark.parametrize("prep", [
    Preprocessing(log=True, deseasonalize=12, difference=1, scaler="standard"),
    Preprocessing(boxcox=0.3, detrend=True, seasonal_difference=12, scaler="minmax",
                  scaler_fit="full"),
    Preprocessing(difference=2, scaler="robust"),
    Preprocessing(),
])
def test_windows_inverted_to_the_original_scale(prep):
    y = air()
    n_train = 115
    pipe = Pipeline(prep)
    z = pipe.fit_transform(y, n_train)
    h = 3
    origins = holdout_origins(len(y), n_train, horizon=h)
    H = make_windows(input_matrix(z), z, origins, seq_length=6, horizon=h)
    back = pipe.inverse(H.Y.astype(float), H.origins)
    truth = y[origins[:, None] + np.arange(h)[None, :]]
    np.testing.assert_allclose(back, truth, rtol=1e-5)  # float32 windows


# -- remediation -----------------------------------------------------------------------------
class _F:
    def __init__(self, code, remedies):
        self.code, self.remedies, self.crashed = code, remedies, False


def test_remediation_resolves_conflicts_most_severe_first():
    user = LSTMConfig.from_dict({"preprocessing": {"scaler": "minmax", "scaler_fit": "full"},
                                 "model": {"activation": "relu"},
                                 "split": {"method": "random"}})
    findings = [_F("LD201", [Difference(1)]), _F("LD202", [Detrend()]),
                _F("LD204", [SeasonalDifference(12), SetWindow(15)]),
                _F("LD999", [Deseasonalize(12)]), _F("LD205", [Log()]),
                _F("LD998", [BoxCox(0.2)]), _F("LD303", [Scale("minmax", "train")]),
                _F("LD502", [SetWindow(15)]), _F("LD501", [SetWindow(5)]),
                _F("LD503", [SetWindow(12)]),
                _F("LD207", [UseReference("naive")])]
    rem = build_remediation(user, findings)
    p = rem.config.preprocessing
    assert (p.difference, p.detrend) == (1, False)
    assert (p.seasonal_difference, p.deseasonalize) == (12, 0)
    assert (p.log, p.boxcox) == (True, None)
    assert (p.scaler, p.scaler_fit) == ("standard", "train")
    assert rem.config.window.seq_length == 15
    assert rem.config.model.activation == "tanh"
    assert rem.config.split.method == "temporal"
    t = rem.config.training
    assert t.early_stopping and t.validation_split == 0.2
    dropped = {(d["kind"], d["source"]) for d in rem.dropped}
    assert dropped == {("detrend", "LD202"), ("deseasonalize", "LD999"),
                       ("boxcox", "LD998"), ("set-window", "LD501")}
    window = next(a for a in rem.applied if a.kind == "set-window")
    # a longer window (LD503's 12) is part of the longest one: merged, not dropped
    assert window.sources == ["LD204", "LD502", "LD503"]
    assert [a["kind"] for a in rem.advice] == ["use-reference"]
    kinds = [a.kind for a in rem.applied]
    assert kinds.count("scale") == 1 and "temporal-split" in kinds and "set-activations" in kinds
    # each remedy can be removed on its own (ablation)
    for i, a in enumerate(rem.applied):
        without = rem.without(i)
        assert without != rem.config
        assert a.remedy.apply(without) == rem.config or a.kind == "scale"


def test_remediation_of_a_good_setup_changes_nothing_and_constructed_remedies_apply():
    good = LSTMConfig.from_dict({"preprocessing": {"scaler": "standard"},
                                 "training": {"validation_split": 0.2,
                                              "early_stopping": True}})
    rem = build_remediation(good, [])
    assert rem.applied == [] and rem.config == good and rem.diff() == []
    rem = build_remediation(good, remedies=[(SetUnits(8), "test"), (Difference(1), "test")])
    assert rem.config.model.units == 8 and rem.config.preprocessing.difference == 1
    assert [k for k, *_ in rem.diff()] == ["preprocessing.difference", "model.units"]


def test_early_stopping_remedies_merge():
    rem = build_remediation(LSTMConfig(), [_F("LD603", [EarlyStopping()]),
                                           _F("LD703", [EarlyStopping(0.1, 5)])])
    es = [a for a in rem.applied if a.kind == "early-stopping"]
    assert len(es) == 1 and es[0].sources == ["LD603", "LD703"]
    assert rem.config.training.validation_split == 0.2


def test_remediated_yaml_round_trips_through_the_config_loader(tmp_path):
    rem = build_remediation(LSTMConfig(), [_F("LD201", [Difference(1)])])
    text = config_yaml(rem.config, header=["made by a test"])
    assert text.startswith("# made by a test")
    path = tmp_path / "remediated.yaml"
    path.write_text(text)
    assert load_config(path) == rem.config


# -- budget ----------------------------------------------------------------------------------
def test_budget_shares_what_is_left_before_the_deadline():
    now = [100.0]
    b = Budget(60.0, 4, clock=lambda: now[0])
    assert b.next_share() == 15.0
    now[0] += 5.0
    b.spend(5.0, startup=1.0)  # a fast training leaves more for the others
    assert b.next_share() == pytest.approx(55.0 / 3)
    now[0] += 40.0  # time outside fit (building, predicting) counts too: it is a deadline
    b.spend(30.0, startup=3.0)
    assert b.next_share() == pytest.approx(7.5)
    assert b.fits()  # 15 s left > the median start-up cost (2 s)
    now[0] += 13.5
    assert not b.fits()  # 1.5 s left: the next training could not even start
    # ... unless its training function is already traced (warm): it starts at once
    assert b.fits(warm=True)
    b.spend(0.5, startup=0.01, warm=True)
    assert b._startup == {False: [1.0, 3.0], True: [0.01]}
    now[0] += 1.495  # 5 ms left: more than a warm start-up (10 ms)? no
    assert not b.fits(warm=True)
    b.skip("remediated_lstm seed 1")
    assert b.skipped == ["remediated_lstm seed 1"] and b.remaining == 1
    assert Budget(None, 3).next_share() is None and Budget(None, 3).fits()


# -- verdict ---------------------------------------------------------------------------------
def test_verdict_says_naive_is_the_answer_for_a_random_walk():
    rng = np.random.default_rng(0)
    y = 100 + np.cumsum(rng.normal(size=200))
    o = np.arange(160, 200)
    res = ExperimentResult.from_forecasts(
        y, 160, {"naive": naive(y, o, 1), "baseline_lstm": [naive(y, o, 1) + 0.5],
                 "remediated_lstm": [naive(y, o, 1) + 0.1]}, advised={"naive": ["LD207"]})
    text, winner = verdict(res)
    assert winner == "naive"
    assert "naive forecast (the last value) is the right answer" in text
    assert "No LSTM beats it" in text


# -- without TensorFlow ----------------------------------------------------------------------
def test_report_without_tensorflow_runs_references_and_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorflow", None)
    monkeypatch.setitem(sys.modules, "keras", None)
    rep = lstm_doctor.report(str(FIXTURES / "airpassengers.csv"),
                             config={"window": {"seq_length": 6}}, seeds=2)
    c = rep.comparison
    assert "pip install 'lstm-doctor[tensorflow]'" in c["lstm_skipped"]
    names = [m["name"] for m in c["models"]]
    assert names == ["naive", "seasonal_naive", "ets"]
    assert c["period"] == 12
    assert c["holdout"]["n"] == 29 and c["holdout"]["start"].startswith("1958-08")
    assert "LSTMs were not trained" in c["verdict"]
    ld7 = [o for o in rep.outcomes if o.code.startswith("LD7")]
    assert ld7 and all(o.status == "skip" for o in ld7)
    assert "did not run" in ld7[0].reason
    assert c["training_script"].startswith("#!/usr/bin/env python")
    assert load_config(c["remediated_config"]) is not None
    json.loads(rep.to_json())


def _with_dm(res: ExperimentResult) -> ExperimentResult:
    from lstm_doctor.experiment.runner import _dm_tests

    res.dm_tests = _dm_tests(res)
    return res


def test_verdict_names_a_real_lstm_win_and_a_noise_series():
    rng = np.random.default_rng(1)
    y = 10 + np.sin(np.arange(200) / 3) * 5 + rng.normal(0, 0.1, 200)
    o = np.arange(160, 200)
    res = _with_dm(ExperimentResult.from_forecasts(
        y, 160, {"naive": naive(y, o, 1), "baseline_lstm": [naive(y, o, 1) + 1.0],
                 "remediated_lstm": [y[o] + rng.normal(0, 0.1, 40)]}))
    text, winner = verdict(res)
    assert winner == "remediated_lstm"
    assert "significantly better than the best reference model" in text
    assert "the Diebold-Mariano test says the difference is real" in text

    noise = rng.normal(0, 1, 200)
    res = _with_dm(ExperimentResult.from_forecasts(
        noise, 160, {"naive": naive(noise, o, 1),
                     "mean": np.full(40, noise[:160].mean()),
                     "baseline_lstm": [naive(noise, o, 1)],
                     "remediated_lstm": [np.full(40, noise[:160].mean()) + 0.01]},
        advised={"mean": ["LD206"]}))
    text, _ = verdict(res)
    assert "the mean is the right answer" in text
    assert "Best on the holdout: remediated" not in text


# -- one-way flow ----------------------------------------------------------------------------
def _block_tensorflow(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "tensorflow", None)
    monkeypatch.setitem(sys.modules, "keras", None)


def test_run_experiment_returns_its_results_and_changes_nothing(monkeypatch):
    """The experiment reads the context and the findings; the caller stores what it returns."""
    from lstm_doctor.context import Context
    from lstm_doctor.data import load_series
    from lstm_doctor.experiment import run_experiment

    _block_tensorflow(monkeypatch)
    series = load_series(str(FIXTURES / "airpassengers.csv"))
    ctx = Context(series, LSTMConfig.from_dict({"window": {"seq_length": 6}}),
                  config_given=True)
    findings = [_F("LD201", [Difference(1)])]
    res, comparison = run_experiment(ctx, findings, seeds=1)
    assert ctx.experiment is None and findings[0].remedies == [Difference(1)]
    assert isinstance(res, ExperimentResult) and res.remediation is not None
    assert comparison["models"] == [m.to_dict() for m in res.models.values()]
    assert comparison["remedies"][0]["describe"].startswith("preprocessing.difference = 1")
    with pytest.raises(AttributeError):
        ctx.experiment = res  # read-only: a context with results is a new context
    assert ctx.with_experiment(res).experiment is res and ctx.experiment is None


def test_the_reference_to_add_comes_from_remedy_data_not_rule_codes(monkeypatch):
    """Any finding whose remedy advises the mean forecast adds it (and the verdict names it);
    a code alone (LD206 without its remedy) does not."""
    from lstm_doctor.context import Context
    from lstm_doctor.data import SeriesData
    from lstm_doctor.experiment import run_experiment

    _block_tensorflow(monkeypatch)
    y = np.random.default_rng(0).normal(10, 1, 200)
    ctx = Context(SeriesData(y=y, target="y"), LSTMConfig(), config_given=True)
    res, comparison = run_experiment(ctx, [_F("LD999", [UseReference("mean")])], seeds=1)
    assert res.advised == {"mean": ["LD999"]} and "mean" in res.models
    assert "no learnable signal (LD999, white noise)" in comparison["verdict"]
    res, comparison = run_experiment(ctx, [_F("LD206", [])], seeds=1)
    assert res.advised == {} and "mean" not in res.models
    assert "white noise" not in comparison["verdict"]


def test_report_runs_every_rule_once_and_builds_one_report(monkeypatch):
    """Check rules, then the experiment, then the LD7xx rules on its results: no re-run."""
    from lstm_doctor.rules.base import Rule

    _block_tensorflow(monkeypatch)
    calls: list[tuple[str, int, bool]] = []
    run = Rule.run

    def counting(self, ctx):
        calls.append((self.code, id(ctx.config), ctx.experiment is not None))
        return run(self, ctx)

    monkeypatch.setattr(Rule, "run", counting)
    rep = lstm_doctor.report(str(FIXTURES / "airpassengers.csv"),
                             config={"window": {"seq_length": 6}}, seeds=1)
    user = id(rep.extras["context"].config)  # the fixpoint re-checks remediated set-ups
    user_runs = [(code, results) for code, cfg, results in calls if cfg == user]
    codes = [code for code, _ in user_runs]
    assert sorted(codes) == sorted(o.code for o in rep.outcomes)
    assert len(codes) == len(set(codes))
    assert all(results == code.startswith("LD7") for code, results in user_runs)
    assert rep.extras["context"].experiment is not None and rep.comparison is not None
