"""Reading saved ``.keras`` archives without TensorFlow: exact counts, shapes, compile set-up.

The committed fixtures (``fixtures/keras/*.keras``, written by ``fixtures/keras/build.py``)
are checked without TensorFlow; with TensorFlow installed, every architecture is rebuilt,
saved and compared with the counts Keras itself reports.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import math
import os
import random
import subprocess
import sys
import warnings
import zipfile
from pathlib import Path

import pytest

from lstm_doctor import keras_archive as ka
from lstm_doctor.errors import InputError
from lstm_doctor.keras_archive import describe_keras_config, read_keras_archive

ROOT = Path(__file__).resolve().parent.parent
KERAS_FIXTURES = ROOT / "fixtures" / "keras"


def _load_build_module():
    spec = importlib.util.spec_from_file_location("keras_fixture_build",
                                                  KERAS_FIXTURES / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BUILD = _load_build_module()


def _config(path: Path) -> dict:
    with zipfile.ZipFile(path) as zf:
        return json.loads(zf.read("config.json"))


def _write_archive(path: Path, config, *, raw: bytes | None = None, name="config.json"):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(name, raw if raw is not None else json.dumps(config))
        zf.writestr("metadata.json", "{}")
    return path


def _strip_recorded_shapes(value):
    """Drop every shape Keras recorded, so counts must come from shape propagation alone."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in ("build_config", "build_input_shape"):
                continue
            if key == "shape" and "keras_history" in value:
                continue
            out[key] = _strip_recorded_shapes(item)
        return out
    if isinstance(value, list):
        return [_strip_recorded_shapes(v) for v in value]
    return value


# ------------------------------------------------------------- committed fixtures (no TF)


def test_fixture_files_are_small_and_listed():
    files = sorted(KERAS_FIXTURES.glob("*.keras"))
    assert {f.stem for f in files} == set(BUILD.FIXTURES)
    assert sum(f.stat().st_size for f in files) < 3_000_000


def test_multistep_182407():
    a = read_keras_archive(KERAS_FIXTURES / "multistep_182407.keras")
    assert a.trainable_params == 182_407 and a.non_trainable_params == 0
    assert a.total_params == 182_407
    assert a.input_shape == (7, 1) and a.seq_length == 7 and a.n_features == 1
    assert a.head == (100,) and a.head_activation == "relu" and a.output_units == 7
    assert a.cell == "lstm" and a.conv is None and not a.stateful
    assert a.recurrent == ({"class": "LSTM", "name": a.recurrent[0]["name"], "units": 200,
                            "activation": "relu", "recurrent_activation": "sigmoid",
                            "use_bias": True, "dropout": 0.0, "recurrent_dropout": 0.0,
                            "return_sequences": False, "bidirectional": False,
                            "stateful": False},)
    assert [lay.trainable_params for lay in a.layers] == [0, 161_600, 20_100, 707]
    assert [lay.output_shape for lay in a.layers] == [(7, 1), (200,), (100,), (7,)]
    assert a.loss == "mse" and a.optimizer == "adam" and a.learning_rate == 0.001
    assert a.lr_schedule == "constant" and a.compiled and not a.lookback_as_features


def test_airline_lookback_as_features():
    a = read_keras_archive(KERAS_FIXTURES / "airline_lookback_features.keras")
    assert a.trainable_params == 133
    assert a.input_shape == (1, 3) and a.seq_length == 1 and a.n_features == 3
    assert a.lookback_as_features
    assert any("look-back values passed as features" in n for n in a.notes)
    assert a.loss == "mse" and a.head == () and a.output_units == 1


def test_airline_stateful():
    a = read_keras_archive(KERAS_FIXTURES / "airline_stateful.keras")
    assert a.trainable_params == 101 and a.non_trainable_params == 0
    assert a.batch_size == 1 and a.stateful and a.recurrent[0]["stateful"]
    assert a.input_shape == (1, 1) and a.seq_length == 1 and not a.lookback_as_features


def test_sunspots_conv_lstm():
    a = read_keras_archive(KERAS_FIXTURES / "sunspots_conv_lstm.keras")
    assert a.trainable_params == 68_575 and a.non_trainable_params == 0
    assert a.input_shape == (None, 1) and a.seq_length is None and a.n_features == 1
    assert any("accepts any window length" in n for n in a.notes)
    assert any("Lambda" in n and "assumed" in n for n in a.notes)
    assert a.conv == {"filters": 64, "kernel_size": 3, "strides": 1, "padding": "causal",
                      "dilation_rate": 1, "activation": "relu", "time_distributed": False}
    assert [r["units"] for r in a.recurrent] == [64, 64]
    assert [r["return_sequences"] for r in a.recurrent] == [True, False]
    assert a.head == (30, 10) and a.head_activation == "relu" and a.output_units == 1
    assert a.loss == "huber" and a.loss_config == {"delta": 1.0}
    assert a.optimizer == "sgd" and a.learning_rate == 8e-7 and a.momentum == 0.9
    assert a.nesterov is False and a.lr_schedule == "constant"
    assert a.layers[1].output_shape == (None, 64)  # causal padding keeps the unknown length


@pytest.mark.parametrize("name", BUILD.FIXTURES)
def test_fixture_counts_need_no_recorded_shapes(name):
    """Propagating shapes alone gives the counts Keras recorded."""
    path = KERAS_FIXTURES / f"{name}.keras"
    full = read_keras_archive(path)
    bare = describe_keras_config(_strip_recorded_shapes(_config(path)), path=str(path))
    assert (bare.trainable_params, bare.non_trainable_params) == \
        (full.trainable_params, full.non_trainable_params)
    assert [lay.output_shape for lay in bare.layers] == [lay.output_shape for lay in full.layers]
    assert bare.input_shape == full.input_shape and bare.batch_size == full.batch_size


def test_to_dict_and_count_trainable():
    path = KERAS_FIXTURES / "multistep_182407.keras"
    a = read_keras_archive(path)
    data = a.to_dict()
    json.dumps(data)
    assert data["trainable_params"] == 182_407 and data["layers"][1]["class_name"] == "LSTM"
    assert ka.count_trainable(a) == ka.count_trainable(path) == 182_407
    assert ka.count_trainable(_config(path)) == 182_407


def test_reading_does_not_import_tensorflow():
    path = KERAS_FIXTURES / "sunspots_conv_lstm.keras"
    code = ("import sys, lstm_doctor.keras_archive as k; "
            f"a = k.read_keras_archive({str(path)!r}); assert a.trainable_params == 68575; "
            "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, "
            "sorted(m for m in sys.modules if m.startswith(('tensorflow', 'keras')))")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


# ------------------------------------------------------------ hand-made configs (no TF)


def _seq(*layers, compile_config=None, input_shape=(None, 10, 1)):
    body = [{"class_name": "InputLayer", "config": {"batch_shape": list(input_shape)}}]
    body += [{"class_name": cls, "config": cfg} for cls, cfg in layers]
    cfg = {"class_name": "Sequential", "config": {"name": "m", "layers": body}}
    if compile_config is not None:
        cfg["compile_config"] = compile_config
    return cfg


def test_keras2_style_configs():
    seq = {"class_name": "Sequential", "config": {"layers": [
        {"class_name": "LSTM", "config": {"units": 4, "batch_input_shape": [1, 1, 1],
                                          "stateful": True}},
        {"class_name": "Dense", "config": {"units": 1}}]},
        "compile_config": {"optimizer": {"class_name": "Custom>Adam",
                                         "config": {"learning_rate": 0.01}},
                           "loss": {"class_name": "Huber",
                                    "config": {"delta": 2.0, "reduction": "auto"}}}}
    a = describe_keras_config(seq)
    assert a.trainable_params == 101 and a.batch_size == 1 and a.stateful
    assert a.optimizer == "adam" and a.learning_rate == 0.01
    assert a.loss == "huber" and a.loss_config == {"delta": 2.0}
    functional = {"class_name": "Functional", "config": {
        "layers": [
            {"class_name": "InputLayer", "name": "in",
             "config": {"batch_input_shape": [None, 24, 3], "name": "in"}, "inbound_nodes": []},
            {"class_name": "GRU", "name": "gru", "config": {"units": 8, "name": "gru"},
             "inbound_nodes": [[["in", 0, 0, {}]]]},
            {"class_name": "Dense", "name": "out", "config": {"units": 2, "name": "out"},
             "inbound_nodes": [[["gru", 0, 0, {}]]]}],
        "input_layers": [["in", 0, 0]], "output_layers": [["out", 0, 0]]}}
    a = describe_keras_config(functional)
    assert a.trainable_params == 3 * 8 * (3 + 8) + 2 * 3 * 8 + 8 * 2 + 2
    assert a.cell == "gru" and a.output_units == 2 and a.seq_length == 24


@pytest.mark.parametrize("loss,expected", [
    ("mse", "mse"), ("mean_squared_error", "mse"), ("MAE", "mae"),
    ("mean_absolute_percentage_error", "mape"), ("msle", "msle"), ("logcosh", "log_cosh"),
    ("huber_loss", "huber"), ("quantile_loss", "quantile_loss"),
    ({"module": "keras.losses", "class_name": "function", "config": "mean_absolute_error",
      "registered_name": "mean_absolute_error"}, "mae"),
    ({"module": "keras.losses", "class_name": "LogCosh", "config": {"name": "log_cosh"}},
     "log_cosh"),
    ({"module": "keras.losses", "class_name": "MeanSquaredLogarithmicError", "config": {}},
     "msle"),
    ({"class_name": "function", "config": "my_loss", "registered_name": "Custom>my_loss"},
     "my_loss"),
    (["mse", "mae"], "mse"),
])
def test_loss_names(loss, expected):
    a = describe_keras_config(_seq(("LSTM", {"units": 2}), ("Dense", {"units": 1}),
                                   compile_config={"loss": loss, "optimizer": "rmsprop"}))
    assert a.loss == expected and a.optimizer == "rmsprop" and a.compiled


@pytest.mark.parametrize("schedule,rate,name", [
    ({"class_name": "InverseTimeDecay", "config": {"initial_learning_rate": 0.1,
                                                   "decay_steps": 1, "decay_rate": 0.5}},
     0.1, "inverse_time_decay"),
    ({"class_name": "PiecewiseConstantDecay", "config": {"boundaries": [10],
                                                         "values": [0.01, 0.001]}},
     0.01, "piecewise_constant_decay"),
    ({"class_name": "CosineDecayRestarts", "config": {"initial_learning_rate": 0.02,
                                                      "first_decay_steps": 5}},
     0.02, "cosine_decay_restarts"),
    ({"class_name": "MySchedule", "config": {"warmup": 3}}, None, "my_schedule"),
])
def test_learning_rate_schedules(schedule, rate, name):
    opt = {"class_name": "SGD", "config": {"learning_rate": schedule, "momentum": 0.5,
                                           "nesterov": True}}
    a = describe_keras_config(_seq(("LSTM", {"units": 2}), ("Dense", {"units": 1}),
                                   compile_config={"optimizer": opt, "loss": "mse"}))
    assert (a.learning_rate, a.lr_schedule) == (rate, name)
    assert a.momentum == 0.5 and a.nesterov is True


def test_unbuilt_and_unknown_layers_give_none_with_a_reason():
    unbuilt = {"class_name": "Sequential", "config": {"layers": [
        {"class_name": "LSTM", "config": {"units": 4}},
        {"class_name": "Dense", "config": {"units": 1}}]}}
    a = describe_keras_config(unbuilt)
    assert a.trainable_params is None and a.input_shape is None
    assert any("no input shape" in n for n in a.notes)
    custom = _seq(("LSTM", {"units": 4, "return_sequences": True}),
                  ("MyAttention", {"units": 3}), ("Dense", {"units": 1}))
    a = describe_keras_config(custom)
    assert a.trainable_params is None
    assert any("MyAttention" in n and "not counted" in n for n in a.notes)
    flat = _seq(("Conv1D", {"filters": 4, "kernel_size": 2}), ("Flatten", {}),
                ("Dense", {"units": 1}), input_shape=(None, None, 1))
    a = describe_keras_config(flat)
    assert a.trainable_params is None and any("Flatten" in n for n in a.notes)


def test_an_assumed_lambda_shape_never_turns_into_an_error():
    cfg = _seq(("Lambda", {"function": {"class_name": "__lambda__", "config": {}}}),
               ("LSTM", {"units": 4}), ("Dense", {"units": 1}), input_shape=(None, 10))
    a = describe_keras_config(cfg)
    assert a.trainable_params is None
    assert any("assumed unchanged" in n for n in a.notes)
    assert any("after an assumed shape" in n for n in a.notes)
    ok = _seq(("LSTM", {"units": 4, "return_sequences": True}),
              ("Lambda", {"function": {}}), ("LSTM", {"units": 2}))
    assert describe_keras_config(ok).trainable_params == 4 * 4 * 6 + 4 * 2 * 7


def test_subclassed_model_is_an_input_error():
    with pytest.raises(InputError, match="lists no layers"):
        describe_keras_config({"class_name": "MyModel", "config": {"units": 3}})


# ---------------------------------------------------------------- malformed archives


def _assert_one_line_error(path: Path, match: str | None = None) -> str:
    with pytest.raises(InputError) as info:
        read_keras_archive(path)
    msg = str(info.value)
    assert "\n" not in msg and str(path) in msg
    if match:
        assert match in msg, msg
    return msg


GOOD = _seq(("LSTM", {"units": 4}), ("Dense", {"units": 1}))


@pytest.mark.parametrize("config,match", [
    ([1, 2, 3], "holds list"),
    ("just text", "holds str"),
    (None, "holds null"),
    ({"class_name": "Sequential", "config": {"layers": ["LSTM", "Dense"]}}, "layer 0"),
    ({"class_name": "Sequential", "config": {"layers": "LSTM"}}, "lists no layers"),
    (_seq(("LSTM", {"units": "abc"})), "'units' is 'abc'"),
    (_seq(("LSTM", {"units": -4})), "'units' is -4"),
    (_seq(("LSTM", {"units": True})), "'units' is True"),
    (_seq(("LSTM", {"units": 4, "return_sequences": "yes"})), "return_sequences"),
    (_seq(("Dense", {})), "'units' is missing"),
    (_seq(("Conv1D", {"filters": 4, "kernel_size": [3], "padding": "full"})), "padding"),
    (_seq(("Conv1D", {"filters": 4, "kernel_size": 20})), "too few"),
    (_seq(("LSTM", {"units": 4}), ("LSTM", {"units": 4})), "axes after the batch"),
    (_seq(("LSTM", {"units": 4, "activation": 12})), "activation"),
    (_seq(("LSTM", {"units": 4}), compile_config={"optimizer": 5}), "optimizer"),
    (_seq(("LSTM", {"units": 4}), compile_config={
        "optimizer": {"class_name": "Adam", "config": {"learning_rate": "fast"}}}),
     "learning_rate"),
    (_seq(("LSTM", {"units": 4}), compile_config={"loss": 3}), "loss"),
    ({"class_name": "Sequential", "config": {"layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": "big"}}]}}, "batch_shape"),
    ({"class_name": "Functional", "config": {"layers": [
        {"class_name": "Dense", "name": "d", "config": {"units": 1},
         "inbound_nodes": "x"}], "input_layers": [], "output_layers": []}}, "inbound_nodes"),
    ({"class_name": "Functional", "config": {"layers": [], "input_layers": 7}},
     "input_layers"),
])
def test_malformed_configs(tmp_path, config, match):
    path = _write_archive(tmp_path / "model.keras", config)
    _assert_one_line_error(path, match)


def test_deep_nesting_is_bounded(tmp_path):
    inner = _seq(("Dense", {"units": 1}), input_shape=(None, 3))
    for _ in range(200):
        inner = {"class_name": "Sequential", "config": {"layers": [inner]}}
    _assert_one_line_error(_write_archive(tmp_path / "deep.keras", inner), "nested")
    wrapped = {"class_name": "Dense", "config": {"units": 1}}
    for _ in range(200):
        wrapped = {"class_name": "TimeDistributed", "config": {"layer": wrapped}}
    cfg = {"class_name": "Sequential", "config": {"layers": [wrapped]}}
    _assert_one_line_error(_write_archive(tmp_path / "wrapped.keras", cfg), "nested")
    raw = ("[" * 100_000 + "]" * 100_000).encode()
    _assert_one_line_error(_write_archive(tmp_path / "json.keras", None, raw=raw))


@pytest.mark.parametrize("kind,match", [
    ("text", "not a zip archive"),
    ("hdf5", "legacy HDF5"),
    ("h5suffix", "legacy HDF5"),
    ("no_config", "without config.json"),
    ("bad_json", "not valid JSON"),
    ("not_utf8", "not UTF-8"),
    ("truncated", "zip archive"),
    ("huge_int", "cannot be read"),
    ("fifo", "not a regular file"),
    ("missing", "does not exist"),
    ("directory", "directory"),
    ("saved_model", "SavedModel"),
])
def test_bad_files(tmp_path, kind, match):
    path = tmp_path / "model.keras"
    if kind == "text":
        path.write_text("model: lstm\n")
    elif kind == "hdf5":
        path.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 64)
    elif kind == "h5suffix":
        path = tmp_path / "model.h5"
        _write_archive(path, GOOD)
    elif kind == "no_config":
        _write_archive(path, GOOD, name="model.json")
    elif kind == "bad_json":
        _write_archive(path, None, raw=b'{"class_name": "Sequential",')
    elif kind == "not_utf8":
        _write_archive(path, None, raw=b"\xff\xfe{}")
    elif kind == "truncated":
        _write_archive(path, GOOD)
        path.write_bytes(path.read_bytes()[:60])
    elif kind == "huge_int":
        _write_archive(path, None, raw=b'{"class_name": ' + b"9" * 5000 + b"}")
    elif kind == "fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("no named pipes here")
        os.mkfifo(path)
    elif kind == "directory":
        path.mkdir()
    elif kind == "saved_model":
        path = tmp_path / "export"
        path.mkdir()
        (path / "saved_model.pb").write_bytes(b"")
    _assert_one_line_error(path, match)


def test_oversized_config_is_refused_before_reading(tmp_path, monkeypatch):
    path = _write_archive(tmp_path / "big.keras", GOOD)
    monkeypatch.setattr(ka, "MAX_CONFIG_BYTES", 50)
    _assert_one_line_error(path, "more than the 50 read")


_ODD_VALUES = ["abc", "", -1, 0, 10**12, 1.5, -0.0, float("nan"), True, None, [], {}, [None],
               [1, 2, 3], {"class_name": 3}, {"class_name": "__keras_tensor__", "config": {}},
               ["x", 0, 0], [[["x", 0, 0, {}]]], [-5], "LSTM", 1e308]


def _paths(value, prefix=()):
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _paths(item, prefix + (i,))


def _functional_config():
    layer = {"class_name": "LSTM", "name": "l", "config": {"units": 3, "name": "l"},
             "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {
                 "shape": [None, 5, 2], "keras_history": ["in", 0, 0]}}], "kwargs": {}}]}
    return {"class_name": "Functional", "config": {"layers": [
        {"class_name": "InputLayer", "name": "in", "config": {"batch_shape": [None, 5, 2]},
         "inbound_nodes": []}, layer,
        {"class_name": "Concatenate", "name": "c", "config": {"axis": -1},
         "inbound_nodes": [{"args": [[
             {"class_name": "__keras_tensor__", "config": {"keras_history": ["l", 0, 0]}},
             {"class_name": "__keras_tensor__", "config": {"keras_history": ["l", 0, 0]}}]],
             "kwargs": {}}]}],
        "input_layers": [["in", 0, 0]], "output_layers": [["c", 0, 0]]},
        "compile_config": {"loss": {"class_name": "Huber", "config": {"delta": 1.0}},
                           "optimizer": {"class_name": "Adam", "config": {
                               "learning_rate": {"class_name": "ExponentialDecay", "config": {
                                   "initial_learning_rate": 0.1}}}}}}


@pytest.mark.parametrize("source", [*BUILD.FIXTURES, "functional"])
def test_mutated_configs_raise_only_input_error(source):
    """Replace any value of a real config by an odd one: a result or an InputError, no crash."""
    base = _functional_config() if source == "functional" else \
        _strip_recorded_shapes(_config(KERAS_FIXTURES / f"{source}.keras"))
    paths = [p for p in _paths(base) if p]
    rng = random.Random(f"{source}-0")
    for _ in range(400):
        mutated = copy.deepcopy(base)
        for _ in range(rng.choice((1, 1, 2))):
            target = rng.choice(paths)
            node = mutated
            try:
                for key in target[:-1]:
                    node = node[key]
                node[target[-1]] = copy.deepcopy(rng.choice(_ODD_VALUES))
            except (KeyError, IndexError, TypeError):
                continue
        try:
            result = describe_keras_config(mutated, path="mutated.keras")
        except InputError as exc:
            assert "\n" not in str(exc) and "mutated.keras" in str(exc)
        else:
            assert result.trainable_params is None or result.trainable_params >= 0
            json.dumps(result.to_dict(), allow_nan=True)


# ------------------------------------------------------------------- real Keras models


def _extra_builders():
    """More architectures than the tutorial ones: wrappers, convolutions, graphs, freezing."""
    import keras
    from keras import layers as L

    def bidir_merge_modes():
        inp = keras.Input((6, 2))
        seq = L.Bidirectional(L.LSTM(5, return_sequences=True), merge_mode="sum")(inp)
        seq = L.Bidirectional(L.GRU(4, return_sequences=True), merge_mode="mul")(seq)
        seq = L.Bidirectional(L.SimpleRNN(3, return_sequences=True), merge_mode="ave")(seq)
        fwd, bwd = L.Bidirectional(L.LSTM(2), merge_mode=None)(seq)
        out = L.Dense(1)(L.Concatenate()([fwd, bwd]))
        return keras.Model(inp, out)

    def conv_variants():
        return keras.Sequential([
            keras.Input((40, 3)),
            L.Conv1D(8, 3, strides=2, padding="same", use_bias=False),
            L.Conv1D(8, 3, dilation_rate=2, groups=2, activation="relu"),
            L.MaxPooling1D(2, padding="same"),
            L.AveragePooling1D(3, strides=1),
            L.Conv1D(6, 2, padding="causal", dilation_rate=3),
            L.SpatialDropout1D(0.1),
            L.GlobalMaxPooling1D(),
            L.Dense(2),
        ])

    def conv_more():
        return keras.Sequential([
            keras.Input((16, 4)),
            L.SeparableConv1D(6, 3, depth_multiplier=2),
            L.DepthwiseConv1D(3, depth_multiplier=2, padding="same"),
            L.Conv1DTranspose(5, 3, strides=2),
            L.ZeroPadding1D((1, 2)),
            L.Cropping1D(2),
            L.UpSampling1D(2),
            L.Conv1D(4, 3, data_format="channels_first"),
            L.GlobalAveragePooling1D(keepdims=True),
            L.Flatten(),
            L.Dense(3),
        ])

    def seq2seq_td():
        return keras.Sequential([
            keras.Input((24, 1)),
            L.LSTM(32), L.RepeatVector(6), L.LSTM(32, return_sequences=True),
            L.TimeDistributed(L.Dense(8, activation="relu")),
            L.TimeDistributed(L.Dense(1)),
        ])

    def reshape_norms():
        return keras.Sequential([
            keras.Input((12, 4)),
            L.Reshape((6, 8)),
            L.Permute((2, 1)),
            L.LayerNormalization(),
            L.LSTM(5, return_sequences=True),
            L.LayerNormalization(axis=[1, 2], center=False),
            L.Dense(3),  # on the last axis of a 3-D tensor
            L.Activation("tanh"),
            L.Flatten(),
            L.Reshape((-1, 3)),
            L.GRU(2),
            L.Dense(1),
        ])

    def frozen_parts():
        model = keras.Sequential([
            keras.Input((8, 3)),
            L.LSTM(6, return_sequences=True, trainable=False),
            L.BatchNormalization(),
            L.BatchNormalization(trainable=False, center=False),
            L.Bidirectional(L.LSTM(3)),
            L.Dense(4, trainable=False),
            L.Dense(1),
        ])
        return model

    def whole_model_frozen():
        model = keras.Sequential([keras.Input((5, 1)), L.LSTM(3), L.Dense(1)])
        model.trainable = False
        return model

    def encoder_decoder_states():
        enc_in = keras.Input((10, 2))
        _, h, c = L.LSTM(8, return_state=True)(enc_in)
        dec_in = keras.Input((4, 1))
        dec = L.LSTM(8, return_sequences=True)(dec_in, initial_state=[h, c])
        out = L.TimeDistributed(L.Dense(1))(dec)
        return keras.Model([enc_in, dec_in], out)

    def functional_merges():
        a = keras.Input((10, 1))
        b = keras.Input((3,))
        x = L.LSTM(8)(a)
        y = L.Dense(8, activation="relu")(b)
        shared = L.Dense(8)
        s = L.Add()([shared(x), shared(y)]) * 2.0  # a Keras operation, not a layer
        m = L.Multiply()([s, L.Average()([x, y])])
        out = L.Dense(2)(L.Concatenate()([m, L.Subtract()([x, y]), L.Maximum()([x, y])]))
        return keras.Model([a, b], out * 400.0)

    def attention_and_cells():
        inp = keras.Input((12, 3))
        x = L.RNN(L.LSTMCell(6), return_sequences=True)(inp)
        x = L.RNN([L.GRUCell(4), L.SimpleRNNCell(3)], return_sequences=True)(x)
        att = L.MultiHeadAttention(num_heads=2, key_dim=4, value_dim=3)(x, x)
        add = L.AdditiveAttention()([att, x])
        dot = L.Attention(use_scale=True, score_mode="concat")([att, x])
        y = L.Concatenate()([add, dot])
        y = L.GlobalAveragePooling1D()(y)
        return keras.Model(inp, L.Dense(1)(y))

    def nested_models():
        block = keras.Sequential([keras.Input((7, 2)), L.LSTM(4, return_sequences=True),
                                  L.Dropout(0.1)], name="block")
        inner_in = keras.Input((7, 4))
        inner = keras.Model(inner_in, L.GRU(3)(inner_in), name="inner")
        outer = keras.Sequential([keras.Input((7, 2)), block, inner, L.Dense(1)])
        return outer

    def lambda_with_shape():
        return keras.Sequential([
            keras.Input((9, 2)),
            L.Lambda(lambda t: t[:, -4:, :], output_shape=(4, 2)),
            L.LSTM(3),
            L.Dense(1),
        ])

    def misc_layers():
        return keras.Sequential([
            keras.Input((10, 3)),
            L.GaussianNoise(0.1),
            L.PReLU(shared_axes=[1]),
            L.GroupNormalization(groups=3),
            L.Conv1D(6, 3, activation=keras.activations.swish),
            L.LeakyReLU(),
            L.Masking(0.0),
            L.LSTM(4, use_bias=False, return_sequences=True),
            L.GRU(3, use_bias=False, reset_after=False),
            L.Dense(2, lora_rank=1),
        ])

    def embedding_normalization():
        a = keras.Input((6,))
        emb = L.Embedding(20, 4)(a)
        b = keras.Input((6, 2))
        norm = L.Normalization(axis=-1)(b)
        x = L.Concatenate()([emb, norm])
        return keras.Model([a, b], L.Dense(1)(L.SimpleRNN(5)(x)))

    return {f.__name__: f for f in (
        bidir_merge_modes, conv_variants, conv_more, seq2seq_td, reshape_norms, frozen_parts,
        whole_model_frozen, encoder_decoder_states, functional_merges, attention_and_cells,
        nested_models, lambda_with_shape, misc_layers, embedding_normalization)}


def _weights(weights) -> int:
    return sum(math.prod(w.shape) for w in weights)


@pytest.fixture(scope="module")
def saved_models(tmp_path_factory):
    """Build every architecture once, save it, and remember what Keras reports."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    pytest.importorskip("tensorflow")
    keras = pytest.importorskip("keras")
    out = tmp_path_factory.mktemp("keras")
    builders = {**BUILD.BUILDERS, **_extra_builders()}
    saved = {}
    for name, build in builders.items():
        keras.utils.set_random_seed(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # Keras' own deprecation chatter
            model = build()
            path = out / f"{name}.keras"
            model.save(path)
        out_shape = model.outputs[0].shape
        saved[name] = {"path": path, "trainable": _weights(model.trainable_weights),
                       "non_trainable": _weights(model.non_trainable_weights),
                       "total": model.count_params(), "output": tuple(out_shape[1:])}
    return saved


ALL_NAMES = [*BUILD.BUILDERS, "bidir_merge_modes", "conv_variants", "conv_more", "seq2seq_td",
             "reshape_norms", "frozen_parts", "whole_model_frozen", "encoder_decoder_states",
             "functional_merges", "attention_and_cells", "nested_models", "lambda_with_shape",
             "misc_layers", "embedding_normalization"]


@pytest.mark.parametrize("name", ALL_NAMES)
def test_counts_equal_keras(saved_models, name):
    info = saved_models[name]
    a = read_keras_archive(info["path"])
    assert (a.trainable_params, a.non_trainable_params) == \
        (info["trainable"], info["non_trainable"]), a.notes
    assert a.total_params == info["total"]
    assert a.output_units == info["output"][-1]
    final = [lay for lay in a.layers][-1]
    if name not in ("sunspots_conv_lstm",):
        assert final.output_shape == info["output"]


@pytest.mark.parametrize("name", ALL_NAMES)
def test_counts_by_propagation_alone(saved_models, name):
    """Without the shapes Keras recorded, propagation must find the same counts."""
    info = saved_models[name]
    bare = describe_keras_config(_strip_recorded_shapes(_config(info["path"])))
    assert (bare.trainable_params, bare.non_trainable_params) == \
        (info["trainable"], info["non_trainable"]), bare.notes
    assert bare.output_units == info["output"][-1]


def test_tutorial_set_ups(saved_models):
    read = {name: read_keras_archive(info["path"]) for name, info in saved_models.items()}
    assert read["multistep_182407"].trainable_params == 182_407
    stock = read["stock_stacked"]
    assert stock.trainable_params == 71_051 and stock.seq_length == 60
    assert [r["units"] for r in stock.recurrent] == [50] * 4
    bi = read["bidirectional"]
    assert bi.recurrent[0]["bidirectional"] and bi.recurrent[0]["merge_mode"] == "concat"
    assert bi.recurrent[0]["activation"] == "relu" and bi.trainable_params == 20_901
    assert read["gru"].cell == "gru" and read["gru"].trainable_params == 3_360 + 33
    assert read["gru_v1"].trainable_params == 3 * 16 * (2 + 16) + 3 * 16 + 17
    td = read["cnn_lstm_td"]
    assert td.trainable_params == 23_179 and td.input_shape == (None, 2, 1)
    assert td.seq_length is None and td.n_features == 1
    assert td.conv["filters"] == 64 and td.conv["time_distributed"]
    assert td.layers[3].output_shape == (None, 64) and td.layers[3].wrapped == "Flatten"
    jena = read["jena_functional"]
    assert jena.trainable_params == 5_153 and (jena.seq_length, jena.n_features) == (120, 7)
    assert (jena.optimizer, jena.learning_rate, jena.loss) == ("adam", 0.001, "mse")
    sched = read["lr_schedule"]
    assert (sched.lr_schedule, sched.learning_rate, sched.loss) == \
        ("exponential_decay", 0.001, "mae")
    rnn = read["simple_rnn_bn"]
    assert rnn.cell == "simple_rnn" and rnn.non_trainable_params == 16
    assert rnn.recurrent[0]["recurrent_activation"] is None
    assert (rnn.optimizer, rnn.learning_rate, rnn.loss) == ("rmsprop", 0.01, "huber")
    assert read["whole_model_frozen"].trainable_params == 0
    enc = read["encoder_decoder_states"]
    assert any("2 inputs" in n for n in enc.notes) and enc.input_shape == (10, 2)
    assert read["gru"].compiled is False and read["gru"].loss is None
