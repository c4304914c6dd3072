"""The experiment with real (tiny) Keras trainings: holdout, scale, seeds, budget, ablation,
the standalone training script and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

import lstm_doctor
from lstm_doctor.experiment.metrics import all_metrics

pytest.importorskip("tensorflow")

TINY = {"preprocessing": {"scaler": "none"}, "window": {"seq_length": 6},
        "model": {"units": 4}, "training": {"epochs": 3, "batch_size": 16}}


@pytest.fixture(scope="module")
def series_csv(tmp_path_factory) -> Path:
    rng = np.random.default_rng(3)
    t = np.arange(96)
    y = 200 + 1.5 * t + 25 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 3, t.size)
    path = tmp_path_factory.mktemp("exp") / "series.csv"
    pd.DataFrame({"month": pd.date_range("2000-01-01", periods=96, freq="MS"),
                  "sales": y}).to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def run(series_csv):
    rep = lstm_doctor.report(str(series_csv), config=TINY, seeds=2)
    return rep, rep.extras["context"].experiment


def test_every_model_is_scored_on_the_same_holdout_on_the_original_scale(run, series_csv):
    rep, exp = run
    c = rep.comparison
    y = pd.read_csv(series_csv)["sales"].to_numpy(float)
    n_test = int(np.ceil(0.2 * len(y)))
    assert c["holdout"] == {**c["holdout"], "n": n_test, "train_n": len(y) - n_test,
                            "start": "2006-05-01T00:00:00", "end": "2007-12-01T00:00:00"}
    np.testing.assert_allclose(c["forecasts"]["actual"], y[-n_test:])
    assert len(c["forecasts"]["index"]) == n_test
    names = [m["name"] for m in c["models"]]
    assert names == ["naive", "seasonal_naive", "ets", "baseline_lstm", "remediated_lstm"]
    for name, model in exp.models.items():
        assert model.ok, (name, model.error)
        for r in model.runs:
            assert r.forecast.shape == (n_test, 1)
            # metrics are recomputable from the stored original-scale forecasts
            assert r.metrics == pytest.approx(all_metrics(y[-n_test:, None], r.forecast,
                                                          exp.scale))
        assert len(c["forecasts"]["models"][name]) == n_test
    # original scale: the remediated LSTM forecasts live where the series lives
    rem = np.asarray(c["forecasts"]["models"]["remediated_lstm"])
    assert np.median(np.abs(rem - y[-n_test:])) < 3 * np.std(y)
    assert [len(r["seeds"]) for r in c["models"] if r["kind"] == "lstm"] == [2, 2]


def test_comparison_has_the_documented_keys_and_is_json(run):
    rep, exp = run
    c = rep.comparison
    for key in ("holdout", "period", "models", "dm_tests", "ablation", "remediated_config",
                "remedies", "config_diff", "verdict", "forecasts", "histories",
                "training_script", "remediated_config_yaml", "epochs_run"):
        assert key in c, key
    model = next(m for m in c["models"] if m["name"] == "baseline_lstm")
    for key in ("mae", "rmse", "smape", "mase", "mae_std", "mase_std", "mase_min", "mase_max",
                "seeds", "train_seconds"):
        assert key in model, key
    assert {(d["a"], d["b"]) for d in c["dm_tests"]} >= {("remediated_lstm", "baseline_lstm")}
    assert all(0 <= d["p_value"] <= 1 for d in c["dm_tests"])
    hist = c["histories"]["baseline_lstm"]
    assert [h["seed"] for h in hist] == [0, 1]
    # the baseline had no validation split: a monitoring curve is recorded
    assert hist[0]["val_kind"] == "monitor" and len(hist[0]["val_loss"]) == len(hist[0]["loss"])
    assert c["histories"]["remediated_lstm"][0]["val_kind"] == "validation"
    assert all(e <= 3 for e in c["epochs_run"]["baseline_lstm"])
    assert yaml.safe_load(c["remediated_config_yaml"]) == c["remediated_config"]
    out = json.loads(rep.to_json())
    assert out["comparison"]["verdict"] == c["verdict"]
    ld7 = {o.code: o for o in rep.outcomes if o.code.startswith("LD7")}
    assert set(ld7) == {f"LD70{i}" for i in range(1, 7)}
    assert all(o.reason != "no training run (use lstm-doctor report)" for o in ld7.values())


def test_same_seed_gives_bit_identical_forecasts():
    from lstm_doctor.experiment.lstm import LSTMForecaster

    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 5, 1)).astype("float32")
    Y = X[:, -1, :] * 0.5
    a = LSTMForecaster(units=3, epochs=2, batch_size=8, seed=7).fit(X, Y).predict(X)
    b = LSTMForecaster(units=3, epochs=2, batch_size=8, seed=7).fit(X, Y).predict(X)
    c = LSTMForecaster(units=3, epochs=2, batch_size=8, seed=8).fit(X, Y).predict(X)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_experiment_is_reproducible_with_the_same_seeds(series_csv):
    cfg = {**TINY, "training": {"epochs": 2, "batch_size": 16}}
    runs = [lstm_doctor.report(str(series_csv), config=cfg, seeds=1, select="LD301")
            for _ in range(2)]
    f = [r.comparison["forecasts"]["models"] for r in runs]
    assert f[0]["baseline_lstm"] == f[1]["baseline_lstm"]
    assert f[0]["remediated_lstm"] == f[1]["remediated_lstm"]


def test_spent_budget_skips_trainings_and_says_so(series_csv):
    cfg = {**TINY, "training": {"epochs": 50, "batch_size": 16}}
    rep = lstm_doctor.report(str(series_csv), config=cfg, seeds=2, max_seconds=0.001,
                             select="LD301")
    exp = rep.extras["context"].experiment
    budget = rep.comparison["budget"]
    assert budget["max_seconds"] == 0.001
    for name in ("baseline_lstm", "remediated_lstm"):
        runs = exp.models[name].runs
        assert all(r.stopped_by == "budget" and r.epochs_run <= 1 for r in runs), name
        if not runs:  # nothing fitted in the budget: the model says why
            assert "max-seconds" in exp.models[name].error
    assert budget["skipped"], "a 1 ms budget cannot train 4 seeds: some must be skipped"
    assert all(" seed " in s or s.startswith("screening of ") for s in budget["skipped"])
    rep.to_dict()  # the report still renders


def test_budget_callback_with_a_fake_clock():
    from lstm_doctor.experiment.lstm import LSTMForecaster

    ticks = iter(range(10_000))

    def clock():
        return float(next(ticks))

    X = np.zeros((32, 4, 1), "float32")
    est = LSTMForecaster(units=2, epochs=40, batch_size=8, max_seconds=5, clock=clock)
    est.fit(X, np.zeros((32, 1), "float32"))
    # the clock advances one "second" per read: one read when training begins, one per
    # batch (4 per epoch) and one per epoch end -> 5 seconds are used up at the end of
    # epoch 1
    assert est.stopped_by_ == "budget" and est.epochs_run_ == 1

    import keras

    class CountBatches(keras.callbacks.Callback):
        n = 0

        def on_train_batch_end(self, batch, logs=None):
            CountBatches.n += 1

    ticks = iter(range(10_000))
    est = LSTMForecaster(units=2, epochs=40, batch_size=8, max_seconds=3, clock=clock,
                         callbacks=[CountBatches()])
    est.fit(X, np.zeros((32, 1), "float32"))
    # stopped mid-epoch, after the third of four batches: the budget holds within a batch
    assert est.stopped_by_ == "budget" and CountBatches.n == 3 and est.epochs_run_ == 1
    assert est.startup_seconds_ == 1.0


def test_ablation_reports_each_remedys_share(series_csv):
    rep = lstm_doctor.report(str(series_csv), config=TINY, seeds=1, select="LD301,LD603",
                             ablation=True)
    abl = rep.comparison["ablation"]
    assert {a["remedy"] for a in abl} == {"scale", "early-stopping"}
    for a in abl:
        assert np.isfinite(a["mase"]) and "share" in a and "delta_mase" in a


def test_rendered_training_script_runs(run, series_csv, tmp_path):
    rep, _ = run
    script = tmp_path / "train_remediated.py"
    script.write_text(rep.comparison["training_script"])
    proc = subprocess.run([sys.executable, str(script), str(series_csv), "--epochs", "2"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    lstm_line = next(line for line in proc.stdout.splitlines() if line.startswith("LSTM"))
    mae = float(lstm_line.split("MAE:")[1].split()[0])
    assert np.isfinite(mae) and mae > 0


def test_cli_report_prints_the_comparison_and_writes_json(series_csv, tmp_path):
    from lstm_doctor.cli import cli

    cfg = tmp_path / "cfg.yaml"
    cfg.write_text(yaml.safe_dump(TINY))
    out = tmp_path / "report.json"
    result = CliRunner().invoke(cli, ["report", str(series_csv), "--config", str(cfg),
                                      "--epochs", "2", "--seeds", "1", "--select", "LD301",
                                      "--json", str(out)])
    assert result.exit_code in (0, 1), result.output
    assert "MASE" in result.output and "Verdict:" in result.output
    assert "remediated_lstm" in result.output
    data = json.loads(out.read_text())
    assert data["comparison"]["epochs_run"]["baseline_lstm"] == [2]


def test_multi_step_horizon_with_a_feature():
    rng = np.random.default_rng(4)
    n = 90
    x = np.cumsum(rng.normal(size=n))
    frame = pd.DataFrame({"y": 50 + x + rng.normal(0, 0.3, n), "x": x})
    cfg = {"preprocessing": {"scaler": "standard"}, "window": {"seq_length": 5, "horizon": 2},
           "model": {"units": 3}, "training": {"epochs": 1}}
    rep = lstm_doctor.report(frame, target="y", features="x", config=cfg, seeds=1,
                             select="LD301")
    exp = rep.extras["context"].experiment
    n_test = int(np.ceil(0.2 * n))
    assert exp.horizon == 2 and len(exp.origins) == n_test - 1
    for name in ("naive", "ets", "baseline_lstm", "remediated_lstm"):
        model = exp.models[name]
        assert model.ok, (name, model.error)
        assert model.forecast.shape == (n_test - 1, 2)
        assert np.all(np.isfinite(model.forecast))
    assert exp.models["baseline_lstm"].info["train_windows"] > 0
    assert all(d["h"] == 2 for d in rep.comparison["dm_tests"])
    assert "FEATURES = ['x']" in rep.comparison["training_script"]
