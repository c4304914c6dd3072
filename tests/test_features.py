"""The feature rules (LD8xx): error rates on noise, leaks and useful inputs; the API, the CLI,
the remedies on input columns, their screening and ablation, and the Keras-native path.

The rates printed here are the figures quoted for issue #18 (run with ``-s`` to see them):

* noise inputs called leaking (LD801), redundant (LD803) or non-stationary (LD804);
* noise inputs LD802 recognises as irrelevant (its power);
* useful inputs LD802 calls irrelevant (the costly error it controls);
* leaks LD801 detects.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lstm_doctor
from lstm_doctor.arrays import FitArrays, find_target_channel
from lstm_doctor.config import LSTMConfig
from lstm_doctor.context import Context
from lstm_doctor.data import load_series
from lstm_doctor.experiment import screening
from lstm_doctor.experiment.remediation import build_remediation
from lstm_doctor.experiment.result import ModelResult, SeedRun
from lstm_doctor.experiment.training import WorkData
from lstm_doctor.remedies import (
    DifferenceFeatures,
    DropFeatures,
    DropLeakingFeatures,
    Remedy,
)
from lstm_doctor.rules import instantiate_rules
from tests import feature_generators as gen
from tests.helpers import FIXTURES, run_cli

EVIDENCE_KEY = {"LD801": "leaking", "LD802": "irrelevant", "LD803": "dropped",
                "LD804": "non_stationary"}


def _fired(frame: pd.DataFrame, codes: list[str], config: dict | None = None) -> dict:
    """``{code: [columns it names]}`` for the rules that fired."""
    features = [c for c in frame.columns if c not in ("y", "date")]
    report = lstm_doctor.check(frame, target="y", features=features, select=codes,
                               config=config)
    crashed = [f.code for f in report.findings if f.crashed]
    assert not crashed, [f.message for f in report.findings if f.crashed]
    return {f.code: f.evidence.get(EVIDENCE_KEY[f.code], []) for f in report.findings}


# -- rates -------------------------------------------------------------------------------------
def test_noise_inputs_are_never_called_leaking_redundant_or_non_stationary():
    frame = gen.noise_frame(5000, 100, seed=11)
    found = _fired(frame, ["LD801", "LD802", "LD803", "LD804"], {"window": {"seq_length": 12}})
    rates = {code: len(found.get(code, [])) / 100 for code in EVIDENCE_KEY}
    print(f"\n100 noise inputs, n=5000, window 12: called leaking {rates['LD801']:.0%}, "
          f"redundant {rates['LD803']:.0%}, non-stationary {rates['LD804']:.0%}; "
          f"recognised as irrelevant {rates['LD802']:.0%}")
    assert rates["LD801"] <= 0.05 and rates["LD803"] <= 0.05 and rates["LD804"] <= 0.05
    assert rates["LD802"] >= 0.9  # with 5000 points the equivalence test has the power


def test_noise_inputs_on_a_short_series_stay_undecided():
    """With 1000 points nothing can be shown below the margin: no drop is proposed."""
    frame = gen.noise_frame(1000, 100, seed=12)
    found = _fired(frame, ["LD801", "LD802", "LD803"], {"window": {"seq_length": 12}})
    print(f"\n100 noise inputs, n=1000: recognised as irrelevant "
          f"{len(found.get('LD802', [])) / 100:.0%}, leaking {len(found.get('LD801', []))}, "
          f"redundant {len(found.get('LD803', []))}")
    assert not found.get("LD801") and not found.get("LD803")


@pytest.mark.parametrize("rho,k,n,datasets", [(0.1, 90, 3000, 2), (0.15, 40, 1500, 3)])
def test_useful_inputs_are_rarely_called_irrelevant(rho, k, n, datasets):
    """rho = 0.1 is exactly LD802's margin (R^2 0.01): the hardest useful inputs."""
    called = total = 0
    for seed in range(datasets):
        found = _fired(gen.useful_frame(n, k, rho, seed=seed), ["LD802"],
                       {"window": {"seq_length": 12}})
        called += len(found.get("LD802", []))
        total += k
    print(f"\n{total} useful inputs (each R^2 {rho * rho:.4f} of the innovations), n={n}: "
          f"called irrelevant {called} ({called / total:.1%})")
    assert total >= 100 and called / total <= 0.05


def test_leaks_are_detected():
    missed = []
    kinds = ("shift", "centred", "remaining")
    for kind in kinds:
        for seed in range(12):
            found = _fired(gen.leak_frame(kind, seed=seed), ["LD801"])
            if found.get("LD801") != ["leak"]:
                missed.append((kind, seed))
    total = 12 * len(kinds)
    print(f"\n{total} synthetic leaks (shift -1..-3, centred means of 3..11, remaining "
          f"totals; AR and random-walk targets): detected {total - len(missed)} "
          f"({1 - len(missed) / total:.0%}); missed {missed}")
    assert len(missed) / total <= 0.05


# -- API and CLI -------------------------------------------------------------------------------
def test_cli_reports_a_leak_as_an_error_with_its_remedy(capsys):
    path = FIXTURES / "features" / "leak_shift.csv"
    code, out, err = run_cli(["check", path, "--target", "sales", "--features",
                              "next_sales_scaled,trailing_mean_7,noise", "--select", "LD8",
                              "--format", "json", "--isolated"], capsys)
    assert code == 1, err
    report = json.loads(out)
    leak = next(f for f in report["findings"] if f["code"] == "LD801")
    assert leak["severity"] == "error" and leak["group"] == "features"
    assert leak["evidence"]["leaking"] == ["next_sales_scaled"]
    per = leak["evidence"]["per_feature"]["next_sales_scaled"]
    assert per["lead"] == 1 and per["lead_corr"] > 0.999
    assert leak["remedies"] == [{"kind": "drop-leaking-features", "section": "features",
                                 "changes": {"next_sales_scaled": "drop"},
                                 "note": "carries the target's future"}]


def test_cli_is_quiet_when_every_input_helps(capsys):
    path = FIXTURES / "features" / "all_useful.csv"
    code, out, err = run_cli(["check", path, "--target", "y", "--features", "x1,x2,x3",
                              "--select", "LD8", "--format", "json", "--isolated"], capsys)
    assert code == 0, err
    assert json.loads(out)["findings"] == []


def test_group_selection_and_explain():
    from lstm_doctor.rules import select_rules

    codes = {r.code for r in select_rules("features")}
    assert codes == {"LD801", "LD802", "LD803", "LD804", "LD805"}
    text = lstm_doctor.explain("LD802")
    assert text.startswith("LD802 features.irrelevant-feature")
    assert "Holm" in text and "Anti-pattern" in text


@pytest.mark.parametrize("thresholds,match", [
    ({"LD801": {"min_r2": 1.5}}, "LD801.min_r2"),
    ({"LD802": {"alpha": 0}}, "LD802.alpha"),
    ({"LD803": {"max_vif": 1}}, "LD803.max_vif"),
])
def test_thresholds_are_checked_at_the_boundary(thresholds, match):
    with pytest.raises(lstm_doctor.InputError, match=match):
        lstm_doctor.check(FIXTURES / "macrodata.csv", target="realgdp",
                          features=["realcons"], thresholds=thresholds)


def test_per_feature_facts_are_in_the_evidence():
    report = lstm_doctor.check(FIXTURES / "features" / "weather.csv", target="demand",
                               features=["temperature", "sensor_noise"], select=["LD802"],
                               config={"window": {"seq_length": 24}})
    per = report.findings[0].evidence["per_feature"]
    assert per["sensor_noise"]["decision"] == "irrelevant"
    assert per["temperature"]["decision"] == "relevant"
    assert per["temperature"]["best_lag"] == 1 and per["temperature"]["r"] > 0.3


# -- remedies on input columns -------------------------------------------------------------------
def _finding(code: str, remedies: list[Remedy], severity: str = "warning"):
    from lstm_doctor.findings import Finding, Severity

    return Finding(code=code, name=code, group="features", severity=Severity.parse(severity),
                   message="", evidence={}, fix="", remedies=remedies)


def test_column_remedies_compose_one_per_column_and_leave_the_setup_alone():
    config = LSTMConfig()
    findings = [_finding("LD801", [DropLeakingFeatures(["leak"])], "error"),
                _finding("LD803", [DropFeatures(["b", "c"])]),
                _finding("LD804", [DifferenceFeatures(["c", "d"])]),
                _finding("LD802", [DropFeatures(["b"])], "info")]
    rem = build_remediation(config, findings)
    columns = [(a.describe(), a.sources) for a in rem.applied if a.remedy.on_features]
    assert columns == [("drop feature 'leak'", ["LD801"]), ("drop feature 'b'",
                                                           ["LD803", "LD802"]),
                       ("drop feature 'c'", ["LD803"]), ("difference feature 'd'", ["LD804"])]
    assert rem.feature_changes() == {"leak": "drop", "b": "drop", "c": "drop",
                                     "d": "difference"}
    # LD804's "difference c" clashes with LD803's "drop c", which came first
    assert [d["describe"] for d in rem.dropped] == ["difference feature 'c'"]
    assert "LD803" in rem.dropped[0]["reason"]
    assert rem.config == build_remediation(config, []).config  # no set-up key changed
    assert rem.to_dict()["feature_changes"]["d"] == "difference"
    assert rem.kept_features(["a", "b", "c", "d", "leak"]) == ["a", "d"]


def _work(n: int = 120) -> WorkData:
    rng = np.random.default_rng(0)
    return WorkData(y=rng.normal(size=n), features=np.column_stack(
        [np.arange(n, dtype=float), rng.normal(size=n), rng.normal(size=n)]),
        stamps=list(range(n)), n_train=100)


def test_work_data_and_series_apply_the_column_remedies():
    rem = build_remediation(LSTMConfig(), [_finding("LD802", [DropFeatures(["b"])]),
                                           _finding("LD804", [DifferenceFeatures(["a"])])])
    data = _work()
    out = rem.work_data(data, ["a", "b", "c"])
    assert out.features.shape == (120, 2)
    assert np.allclose(out.features[1:, 0], 1.0) and out.features[0, 0] == 0.0
    assert np.array_equal(out.features[:, 1], data.features[:, 2])
    assert data.features.shape == (120, 3)  # the original is untouched
    i = next(i for i, a in enumerate(rem.applied) if a.describe() == "drop feature 'b'")
    assert rem.work_data(data, ["a", "b", "c"], skip=i).features.shape == (120, 3)
    with pytest.raises(ValueError, match="carry no names"):
        rem.work_data(data)
    series = load_series(pd.DataFrame({"y": data.y, "a": data.features[:, 0],
                                       "b": data.features[:, 1], "c": data.features[:, 2]}),
                         target="y", features=["a", "b", "c"])
    changed = rem.apply_to_series(series)
    assert changed.feature_names == ["a", "c"] and series.feature_names == ["a", "b", "c"]
    assert changed.features["a"].iloc[0] == 0.0 and changed.features["a"].iloc[5] == 1.0


def _fake_training(seen: list):
    """A stand-in for train_lstm: the error is 1 + 0.1 per input column (no TensorFlow)."""
    def train(name, config, data, *, seeds, horizon, **_):
        k = 0 if data.features is None else data.features.shape[1]
        seen.append((name, k))
        m = len(range(data.n_train, data.n - horizon + 1))
        truth = np.array([data.y[o: o + horizon] for o in range(data.n_train,
                                                                data.n - horizon + 1)])
        run = SeedRun(seed=seeds[0], forecast=truth + 1 + 0.1 * k)
        assert run.forecast.shape == (m, horizon)
        return ModelResult(name, "lstm", [run])

    return train


def test_screening_keeps_a_helpful_drop_and_never_screens_a_leak(monkeypatch):
    seen: list = []
    monkeypatch.setattr(screening, "train_lstm", _fake_training(seen))
    rem = build_remediation(LSTMConfig(), [
        _finding("LD801", [DropLeakingFeatures(["c"])], "error"),
        _finding("LD802", [DropFeatures(["b"])], "info")])
    kept, records = screening.screen_remedies(rem, _work(), horizon=1, seed=0, epochs=1,
                                              budget=None, feature_names=["a", "b", "c"])
    assert [r["describe"] for r in records if r["remedy"].endswith("features")] == \
        ["drop feature 'b'"]
    assert ("screen: remediated", 1) in seen and ("screen: without drop feature 'b'", 2) in seen
    assert kept.feature_changes() == {"c": "drop", "b": "drop"}


def test_screening_reverts_a_drop_that_hurts(monkeypatch):
    def train(name, config, data, *, seeds, horizon, **_):
        k = data.features.shape[1]
        truth = np.array([data.y[o: o + horizon] for o in range(data.n_train,
                                                                data.n - horizon + 1)])
        return ModelResult(name, "lstm", [SeedRun(seed=0, forecast=truth + 1 / k)])

    monkeypatch.setattr(screening, "train_lstm", train)
    rem = build_remediation(LSTMConfig(), [_finding("LD802", [DropFeatures(["b"])], "info")])
    kept, records = screening.screen_remedies(rem, _work(), horizon=1, seed=0, epochs=1,
                                              budget=None, feature_names=["a", "b", "c"])
    assert "b" not in kept.feature_changes()
    assert any(d["remedy"] == "drop feature 'b'" and "worse" in d["reason"]
               for d in kept.dropped)


def test_ablation_reports_each_dropped_column(monkeypatch):
    seen: list = []
    monkeypatch.setattr(screening, "train_lstm", _fake_training(seen))
    from lstm_doctor.experiment.result import ExperimentResult

    data = _work()
    rem = build_remediation(LSTMConfig(), [_finding("LD802", [DropFeatures(["b", "c"])])])
    res = ExperimentResult(y=data.y, n_train=100, origins=np.arange(100, 120), horizon=1,
                           scale=1.0)
    truth = data.y[100:120, None]
    res.add(ModelResult("baseline_lstm", "lstm", [SeedRun(seed=0, forecast=truth + 1.3)]))
    res.add(ModelResult("remediated_lstm", "lstm", [SeedRun(seed=0, forecast=truth + 1.1)]))
    out = screening.run_ablation(res, rem, data, seeds=[0], epochs=1, budget=None,
                                 progress=None, feature_names=["a", "b", "c"])
    by = {e["describe"]: e for e in out}
    assert by["drop feature 'b'"]["mase"] == pytest.approx(1.2)
    assert by["drop feature 'b'"]["share"] == pytest.approx(0.5)
    assert by["drop feature 'c'"]["share"] == pytest.approx(0.5)


# -- the Keras-native path --------------------------------------------------------------------
def _weather_arrays(shuffle: bool = False, channel: int | None = None) -> Context:
    frame = gen.weather(n=3000)
    vals = frame[["temperature", "demand", "sensor_noise"]].to_numpy()
    vals = (vals - vals.mean(axis=0)) / vals.std(axis=0)
    w = 24
    X = np.stack([vals[i:i + w] for i in range(len(vals) - w)])
    y = vals[w:, 1][:, None]
    if shuffle:
        order = np.random.default_rng(0).permutation(len(X))
        X, y = X[order], y[order]
    found, note = find_target_channel(X, y, channel)
    arrays = FitArrays(X_train=X, y_train=y, target_channel=found, target_note=note)
    config = LSTMConfig.from_dict({"window": {"seq_length": w}})
    return Context(load_series(frame["demand"].to_numpy()), config, config_given=True,
                   arrays=arrays)


def test_arrays_with_a_known_target_channel_run_the_same_rules():
    ctx = _weather_arrays()
    assert ctx.arrays.target_channel == 1
    results = {r.code: r.run(ctx) for r in instantiate_rules(select=["LD8"])}
    status, finding, _ = results["LD802"]
    assert status == "fail" and finding.evidence["irrelevant"] == ["feature_2"]
    assert finding.evidence["source"] == "arrays"
    assert results["LD801"][0] == "pass" and results["LD803"][0] == "pass"


def test_arrays_without_a_known_target_channel_skip_with_the_reason():
    ctx = _weather_arrays(shuffle=True)
    assert ctx.arrays.target_channel is None
    status, _, reason = instantiate_rules(select=["LD802"])[0].run(ctx)
    assert status == "skip" and "shuffled" in reason
    ctx = _weather_arrays(shuffle=True, channel=1)
    status, _, reason = instantiate_rules(select=["LD802"])[0].run(ctx)
    assert status == "skip" and "not consecutive" in reason


def test_diagnose_rejects_a_bad_target_channel():
    X = np.zeros((10, 4, 2))
    with pytest.raises(lstm_doctor.InputError, match="target_channel"):
        lstm_doctor.diagnose(None, X, np.zeros(10), target_channel=2)


# -- fixtures ---------------------------------------------------------------------------------
def test_fixture_files_match_their_generators(tmp_path):
    for path in gen.write_fixtures(tmp_path):
        stored = FIXTURES / "features" / path.name
        assert Path(stored).read_bytes() == path.read_bytes(), f"regenerate {stored.name}"


def test_remedy_round_trips_through_json():
    from lstm_doctor.findings import Finding

    f = _finding("LD802", [DropFeatures(["b"])])
    back = Finding.from_dict(json.loads(json.dumps(f.to_dict())))
    assert back.remedies[0].on_features and back.remedies[0].describe() == "drop feature 'b'"
    assert dataclasses.asdict(back.remedies[0]) == dataclasses.asdict(f.remedies[0])


def test_fix_lists_input_column_changes_it_cannot_write_in_the_yaml(tmp_path):
    from lstm_doctor.fix import fix

    setup = tmp_path / "lstm.yaml"
    setup.write_text("window:\n  seq_length: 14\npreprocessing:\n  scaler: standard\n")
    result = fix(str(FIXTURES / "features" / "leak_shift.csv"), config=str(setup), target="sales",
                 features=["next_sales_scaled", "trailing_mean_7", "noise"])
    assert {"column": "next_sales_scaled", "change": "drop", "rules": ["LD801"]} in \
        result.columns
    assert "drop feature 'next_sales_scaled'  [LD801]" in result.yaml
    assert result.to_dict()["columns"] == result.columns
    assert "input column change" in repr(result)


def test_the_data_section_shows_each_input_and_its_decision():
    report = lstm_doctor.check(FIXTURES / "features" / "weather.csv", target="demand",
                               features="temperature,sensor_noise,hour_of_day",
                               config={"window": {"seq_length": 24}})
    rows = {r["name"]: r for r in report.facts["features"]}
    assert list(rows) == ["temperature", "sensor_noise", "hour_of_day"]
    assert rows["sensor_noise"]["decision"] == "drop" and rows["sensor_noise"]["rules"] == [
        "LD802"]
    assert rows["temperature"]["decision"] == "keep"
    assert rows["temperature"]["relation"] == "relevant" and rows["temperature"]["best_lag"] >= 1
    html = report.to_html()
    assert "Extra inputs: what each one is worth" in html
    assert "drop [LD802]" in html
    # the facts are data: a saved report re-renders the same table
    again = lstm_doctor.Report.from_dict(json.loads(report.to_json()))
    assert again.facts["features"] == report.facts["features"]
    assert lstm_doctor.check(FIXTURES / "airpassengers.csv").facts.get("features") is None


def test_the_remediated_lstm_trains_without_the_dropped_input():
    pytest.importorskip("keras")
    report = lstm_doctor.report(
        FIXTURES / "features" / "weather.csv", target="demand",
        features="temperature,sensor_noise,hour_of_day",
        config={"window": {"seq_length": 24}, "model": {"units": 8}}, seeds=1, epochs=2,
        screen=False)
    exp = report.extras["context"].experiment
    assert "drop feature 'sensor_noise'" in [a.describe() for a in exp.remediation.applied]
    units, inputs = 8, {"baseline_lstm": 4, "remediated_lstm": 3}  # target + features
    for name, n_in in inputs.items():  # LSTM(8) + Dense(1) on n_in input channels
        assert exp.models[name].info["n_params"] == 4 * units * (units + n_in + 1) + units + 1
    script = report.comparison["training_script"]
    assert "FEATURES = ['temperature', 'hour_of_day']" in script
    compile(script, "train.py", "exec")
