"""Where each set-up value came from (given / model / assumed), and rules that respect it."""

from __future__ import annotations

import json

import pytest

import lstm_doctor
from lstm_doctor import InputError, LSTMConfig
from lstm_doctor.config import combine, load_config
from tests.helpers import FIXTURES, run_cli

AIR = str(FIXTURES / "airpassengers.csv")


def test_a_written_section_is_given_an_absent_one_assumed():
    cfg = LSTMConfig.from_dict({"model": {"units": 8}})
    assert cfg.origin("model.units") == "given"
    # a section the user writes describes that part: what it leaves out is the default
    assert cfg.origin("model.activation") == "given"
    assert cfg.origin("preprocessing.scaler") == "assumed"
    assert cfg.origin("training.epochs") == "assumed"
    assert cfg.assumed("preprocessing.scaler", "model.units") == {"preprocessing.scaler": "none"}


def test_a_model_states_only_the_keys_it_holds():
    cfg = LSTMConfig.from_dict({"model": {"units": 8}}, origin="model")
    assert cfg.origin("model.units") == "model"
    assert cfg.origin("model.dropout") == "assumed"


def test_combine_takes_architecture_from_the_model_and_the_rest_from_the_config():
    model = LSTMConfig.from_dict({"model": {"units": 200, "activation": "relu"},
                                  "window": {"seq_length": 7}}, origin="model")
    given = LSTMConfig.from_dict({"preprocessing": {"scaler": "standard"},
                                  "window": {"seq_length": 14, "horizon": 7}})
    cfg = combine(model, given)
    assert cfg.model.units == 200 and cfg.origin("model.units") == "model"
    assert cfg.preprocessing.scaler == "standard"
    assert cfg.origin("preprocessing.scaler") == "given"
    assert cfg.window.horizon == 7 and cfg.origin("window.horizon") == "given"
    # both state the window: the model's input shape wins, and the report says so
    assert cfg.window.seq_length == 7 and cfg.origin("window.seq_length") == "model"
    assert any("window.seq_length" in note and "14" in note for note in cfg.notes)
    assert cfg.origin("training.epochs") == "assumed"


def test_report_config_round_trips_with_its_provenance():
    cfg = LSTMConfig.from_dict({"training": {"epochs": 5}})
    block = cfg.to_report()
    assert block["origins"]["training.epochs"] == "given"
    assert block["origins"]["split.method"] == "assumed"
    again = LSTMConfig.from_dict(json.loads(json.dumps(block)))
    assert again == cfg and again.origins == {k: v for k, v in cfg.origins.items()}


@pytest.mark.parametrize("config,severity", [
    ({"model": {"units": 8}}, "info"),                               # scaler assumed
    ({"model": {"units": 8}, "preprocessing": {"scaler": "none"}}, "error"),  # stated
])
def test_a_rule_never_warns_on_an_assumed_value(config, severity):
    report = lstm_doctor.check(AIR, config=config, select=["LD301"])
    (finding,) = report.findings
    assert finding.severity.value == severity
    if severity == "info":
        assert finding.evidence["assumed"] == {"preprocessing.scaler": "none"}
        assert "assumed" in finding.message and "--config" in finding.fix
    else:
        assert "assumed" not in finding.evidence


def test_judgements_that_hold_for_any_assumed_split_stay_errors():
    # LSTM(50) on 144 monthly points: even with the most generous holdout and no
    # validation split the network has ~74 parameters per window
    report = lstm_doctor.check(AIR, config={"model": {"units": 50}}, select=["LD401"])
    (finding,) = report.findings
    assert finding.severity.value == "error"
    assert finding.evidence["train_windows_note"]


def test_json_and_text_show_assumed_values(capsys, tmp_path):
    setup = tmp_path / "setup.yaml"
    setup.write_text("model: {units: 8}\n")
    code, out, _ = run_cli(["check", AIR, "--config", setup, "--format", "json"], capsys)
    doc = json.loads(out)
    assert doc["schema_version"] == 2
    assert doc["config"]["origins"]["preprocessing.scaler"] == "assumed"
    assert doc["config"]["origins"]["model.units"] == "given"
    code, out, _ = run_cli(["check", AIR, "--config", setup], capsys)
    assert "assumed (not in what you gave" in out and "preprocessing (all)" in out


def test_new_schema_keys_validate():
    cfg = load_config({"preprocessing": {"scaler": "minmax", "feature_range": [-1, 1]},
                       "window": {"seq_length": 120, "sampling_rate": 6, "horizon": 72,
                                  "target": "single"},
                       "model": {"units": 32, "head": [100], "conv_filters": 64,
                                 "stateful": True, "cell": "gru"},
                       "training": {"optimizer": "sgd", "momentum": 0.9, "loss": "huber",
                                    "validation": "holdout", "checkpoint": True},
                       "split": {"test_size": 12}})
    assert cfg.preprocessing.feature_range == (-1.0, 1.0)
    assert cfg.split.test_size == 12 and isinstance(cfg.split.test_size, int)
    assert cfg.model.head == (100,)
    with pytest.raises(InputError, match="did you mean 'sampling_rate'"):
        load_config({"window": {"sampling_rat": 6}})


def test_count_holdout_and_sampling_rate_shape_the_windows():
    from lstm_doctor.config import load_config as load
    from lstm_doctor.context import Context
    from lstm_doctor.data import load_series

    series = load_series(AIR)
    ctx = Context(series, load({"split": {"test_size": 12},
                                "window": {"seq_length": 10, "sampling_rate": 2}}),
                  config_given=True)
    assert ctx.n_test == 12 and ctx.n_train == 132
    # a 10-step window sampled every 2nd point spans 19 points
    assert ctx.window_span == 19
    assert ctx.n_train_windows == 132 - 19 - 1 + 1


def test_parameter_count_from_a_config_with_head_and_conv_front_end():
    from lstm_doctor.capacity import network_parameters

    # the household-power tutorial: LSTM(200, relu) -> Dense(100) -> Dense(7) on 1 input
    cfg = load_config({"model": {"units": 200, "head": [100]}, "window": {"horizon": 7}})
    assert network_parameters(cfg, n_features=1)["total"] == 182_407
    # a course lab: Conv1D(64, 3) -> LSTM(64) x2 -> Dense(30) -> Dense(10) -> Dense(1)
    cfg = load_config({"model": {"units": 64, "layers": 2, "head": [30, 10], "conv_filters": 64,
                                 "conv_kernel_size": 3}})
    expected = (3 * 1 * 64 + 64) + 4 * 64 * (64 + 64 + 1) * 2 + (64 * 30 + 30) + (30 * 10 + 10) \
        + (10 + 1)
    assert network_parameters(cfg, n_features=1)["total"] == expected
    # look-back values as features: input (1, 3) -> LSTM(4) sees 3 inputs per step
    cfg = load_config({"model": {"units": 4}, "window": {"seq_length": 3, "layout": "features"}})
    assert network_parameters(cfg, n_features=1)["total"] == 4 * 4 * (3 + 4 + 1) + 5


# -- saved models (archives built by fixtures/keras/build.py) ------------------------------
KERAS = FIXTURES / "keras"


def test_saved_multistep_model_is_counted_exactly_and_judged_on_what_it_holds():
    report = lstm_doctor.check(AIR, model=str(KERAS / "multistep_182407.keras"))
    found = {f.code: f for f in report.findings}
    assert found["LD401"].evidence["parameters"] == 182_407
    assert found["LD401"].evidence["parameters_source"] == "model file"
    assert "LSTM(200) -> Dense(100) -> Dense(7)" in found["LD401"].message
    assert found["LD601"].severity.value == "error"  # relu is in the model: a fact
    # preprocessing and the training loop are not in a saved model: never above info
    for code in ("LD201", "LD301", "LD603"):
        assert found[code].severity.value == "info", found[code].message
        assert found[code].evidence["assumed"]
    assert report.to_dict()["config"]["origins"]["model.units"] == "model"
    assert report.to_dict()["config"]["origins"]["preprocessing.scaler"] == "assumed"


def test_saved_model_with_a_none_time_axis_leaves_the_window_unknown():
    from lstm_doctor.config import load_config as load

    cfg = load(KERAS / "sunspots_conv_lstm.keras")
    assert cfg.origin("window.seq_length") == "assumed"
    assert any("time axis is None" in note for note in cfg.notes)
    assert cfg.training.loss == "huber" and cfg.origin("training.loss") == "model"
    assert cfg.training.optimizer == "sgd" and cfg.training.momentum == pytest.approx(0.9)
    assert cfg.model.conv_filters == 64 and cfg.model.head == (30, 10)
    report = lstm_doctor.check(AIR, model=str(KERAS / "sunspots_conv_lstm.keras"))
    assert not [f for f in report.findings if f.code.startswith("LD5")
                and f.severity.value != "info"]


def test_saved_stateful_model_and_lookback_as_features():
    from lstm_doctor.config import load_config as load

    stateful = load(KERAS / "airline_stateful.keras")
    assert stateful.model.stateful and stateful.training.batch_size == 1
    report = lstm_doctor.check(AIR, model=str(KERAS / "airline_stateful.keras"),
                               select=["LD604"])
    assert not report.findings  # batch 1 is the norm for a stateful LSTM
    lookback = load(KERAS / "airline_lookback_features.keras")
    assert lookback.window.layout == "features" and lookback.window.seq_length == 3
    assert any("look-back values passed as features" in note for note in lookback.notes)


def test_model_and_config_combine_on_the_command_line(capsys, tmp_path):
    setup = tmp_path / "prep.yaml"
    setup.write_text("preprocessing: {scaler: standard, difference: 1}\n"
                     "training: {epochs: 70, batch_size: 16}\nsplit: {test_size: 24}\n")
    code, out, err = run_cli(["check", AIR, "--model", KERAS / "multistep_182407.keras",
                              "--config", setup, "--format", "json"], capsys)
    doc = json.loads(out)
    origins = doc["config"]["origins"]
    assert origins["model.units"] == "model" and origins["preprocessing.scaler"] == "given"
    assert doc["config"]["training"]["epochs"] == 70
    assert doc["config"]["split"]["test_size"] == 24
    codes = {f["code"]: f["severity"] for f in doc["findings"]}
    assert "LD301" not in codes  # the config says the script scales
    assert codes.get("LD401") == "error"


def test_check_with_a_saved_model_never_imports_tensorflow():
    import subprocess
    import sys

    code = ("import sys, lstm_doctor; "
            f"r = lstm_doctor.check({AIR!r}, model={str(KERAS / 'multistep_182407.keras')!r}); "
            "assert r.findings; "
            "bad = [m for m in ('tensorflow', 'keras', 'exchange_calendars') if m in sys.modules]; "
            "assert not bad, bad")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
