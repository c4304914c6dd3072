"""The LSTM set-up schema: defaults, file formats, validation messages, Keras models."""

from __future__ import annotations

import json

import pytest

from lstm_doctor import InputError, LSTMConfig, load_config


def test_defaults_follow_keras():
    cfg = load_config(None).to_dict()
    assert cfg["model"].items() >= {"layers": 1, "units": 50, "activation": "tanh",
                                    "recurrent_activation": "sigmoid", "dropout": 0.0,
                                    "recurrent_dropout": 0.0, "cell": "lstm", "head": [],
                                    "conv_filters": 0, "stateful": False}.items()
    assert cfg["window"] == {"seq_length": 10, "horizon": 1, "sampling_rate": 1,
                             "target": "vector", "layout": "time"}
    assert cfg["training"]["epochs"] == 100 and cfg["training"]["batch_size"] == 32
    assert cfg["training"]["learning_rate"] == 0.001
    assert cfg["split"] == {"test_size": 0.2, "method": "temporal"}
    assert cfg["preprocessing"]["scaler"] == "none"


@pytest.mark.parametrize("suffix,text", [
    (".yaml", "model:\n  units: 16\nwindow: {seq_length: 24}\n"),
    (".toml", "[model]\nunits = 16\n[window]\nseq_length = 24\n"),
    (".json", json.dumps({"model": {"units": 16}, "window": {"seq_length": 24}})),
])
def test_file_formats(tmp_path, suffix, text):
    path = tmp_path / f"cfg{suffix}"
    path.write_text(text)
    cfg = load_config(path)
    assert cfg.model.units == 16 and cfg.window.seq_length == 24
    assert cfg.model.activation == "tanh"  # untouched keys keep defaults


@pytest.mark.parametrize("data,pattern", [
    ({"model": {"unit": 5}}, r"unknown key 'model.unit'; did you mean 'units'\?"),
    ({"modle": {}}, r"unknown section 'modle'; did you mean 'model'\?"),
    ({"model": {"units": 0}}, r"'model.units' is 0; allowed: >= 1"),
    ({"model": {"units": "many"}}, r"'model.units': expected a whole number, found 'many'"),
    ({"split": {"test_size": 1.5}}, r"'split.test_size' is 1.5; give a fraction in \(0, 1\) "
                                    r"\(e.g. 0.2\) or a whole number of points \(e.g. 12\)"),
    ({"split": {"test_size": 0}}, r"'split.test_size' is 0; give a fraction"),
    ({"split": {"test_size": float("nan")}}, r"'split.test_size': expected a fraction"),
    ({"training": {"learning_rate": float("inf")}}, r"expected a finite number, found inf"),
    ({"preprocessing": {"feature_range": [1, -1]}}, r"low must be smaller than high"),
    ({"model": {"head": [100, "x"]}}, r"'model.head': expected a list of at most 10 layer"),
    ({"preprocessing": {"scaler": "minmaxx"}}, r"did you mean 'minmax'\?"),
    ({"model": {"activation": "rleu"}}, r"did you mean 'relu'\?"),
    ({"training": {"early_stopping": "yes"}}, r"expected true or false"),
    ({"training": {"learning_rate": -1}}, r"'training.learning_rate' is -1; allowed: > 0"),
    ({"model": 5}, r"section 'model' must be a mapping"),
    ([1, 2], r"expected a mapping of sections"),
])
def test_validation_messages(data, pattern):
    with pytest.raises(InputError, match=pattern) as info:
        LSTMConfig.from_dict(data)
    assert "\n" not in str(info.value)


def test_file_errors(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        load_config(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("model: [unclosed\n")
    with pytest.raises(InputError, match="is not valid yaml"):
        load_config(bad)
    typo = tmp_path / "typo.yaml"
    typo.write_text("window:\n  seq_lenght: 12\n")
    with pytest.raises(InputError, match=r"typo.yaml'.*did you mean 'seq_length'"):
        load_config(typo)
    with pytest.raises(InputError, match="unknown extension"):
        other = tmp_path / "cfg.ini"
        other.write_text("[x]")
        load_config(other)


def test_replace_and_diff_are_validated():
    cfg = LSTMConfig()
    new = cfg.replace("model", units=8)
    assert new.model.units == 8 and cfg.model.units == 50
    assert cfg.diff(new) == [("model.units", 50, 8)]
    with pytest.raises(InputError):
        cfg.replace("model", units=-1)


def _save_keras_model(path, seq_length, n_features, units, activation, layers=1):
    import keras

    keras.utils.set_random_seed(0)
    inputs = keras.Input(shape=(seq_length, n_features))
    x = inputs
    for i in range(layers):
        x = keras.layers.LSTM(units, activation=activation, dropout=0.1,
                              return_sequences=i < layers - 1)(x)
    outputs = keras.layers.Dense(1)(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=0.01), loss="mae")
    model.save(path)
    return model


def test_reads_a_saved_keras_model_without_tensorflow(tmp_path):
    pytest.importorskip("keras")
    path = tmp_path / "model.keras"
    _save_keras_model(path, seq_length=24, n_features=1, units=32, activation="relu", layers=2)
    cfg = load_config(path)
    assert cfg.model.units == 32 and cfg.model.layers == 2
    assert cfg.model.activation == "relu" and cfg.model.dropout == pytest.approx(0.1)
    assert cfg.window.seq_length == 24
    assert cfg.training.optimizer == "rmsprop"
    assert cfg.training.learning_rate == pytest.approx(0.01)
    assert cfg.training.loss == "mae"


def test_rejects_non_keras_files(tmp_path):
    fake = tmp_path / "model.keras"
    fake.write_bytes(b"not a zip")
    with pytest.raises(InputError, match=r"model.keras' is not a zip archive .*re-save"):
        load_config(fake)
    with pytest.raises(InputError, match="re-save the model"):
        h5 = tmp_path / "model.h5"
        h5.write_bytes(b"x")
        load_config(h5)


def test_every_number_in_the_schema_is_bounded_and_finite():
    """Integers need an upper bound (no seq_length of 1e308); NaN/inf is refused everywhere."""
    import dataclasses
    import math

    from lstm_doctor.config import SECTIONS

    for section, cls in SECTIONS.items():
        for f in dataclasses.fields(cls):
            meta = f.metadata
            if f.type == "int":
                assert meta["hi"] is not None, f"{section}.{f.name} has no upper bound"
                with pytest.raises(InputError, match=f"{section}.{f.name}"):
                    LSTMConfig.from_dict({section: {f.name: meta["hi"] + 1}})
            if f.type in ("int", "float", "float | None") or meta["kind"] == "size":
                for bad in (math.nan, math.inf, -math.inf, 10**400):
                    with pytest.raises(InputError, match=f"{section}.{f.name}"):
                        LSTMConfig.from_dict({section: {f.name: bad}})


def test_huge_values_are_shown_short_in_messages():
    with pytest.raises(InputError) as info:
        LSTMConfig.from_dict({"window": {"seq_length": 10**5000}})
    assert "an integer of about 5001 digits" in str(info.value) and len(str(info.value)) < 200


@pytest.mark.parametrize("source", [5, 1.5, ["a.yaml"], b"x.yaml", ""])
def test_a_config_of_the_wrong_kind_is_an_input_error(source):
    with pytest.raises(InputError, match="config: expected a path"):
        load_config(source)
