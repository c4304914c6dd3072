"""Parameter counting (checked against real Keras) and what-the-network-sees helpers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lstm_doctor.capacity import (
    count_parameters,
    largest_units,
    lstm_layer_params,
    seen_inputs,
    total_parameters,
    train_fit_pipeline,
)
from lstm_doctor.config import LSTMConfig, Model, load_config
from lstm_doctor.context import Context
from lstm_doctor.data import load_series

# (layers, units, n_features, horizon, seq_length)
SETUPS = [(1, 50, 1, 1, 10), (2, 16, 3, 4, 20), (3, 7, 5, 2, 5), (1, 1, 1, 1, 3),
          (2, 64, 1, 12, 48)]


def test_seed_like_lstm50_count():
    assert lstm_layer_params(50, 1) == 10_400
    assert count_parameters(Model(units=50), n_features=1, horizon=1) == \
        {"lstm": [10_400], "head": 51, "total": 10_451}


def test_stacked_layers_take_units_as_input():
    counts = count_parameters(Model(layers=3, units=8), n_features=4, horizon=2)
    assert counts["lstm"] == [4 * 8 * (4 + 8 + 1), 4 * 8 * (8 + 8 + 1), 4 * 8 * (8 + 8 + 1)]
    assert counts["head"] == 8 * 2 + 2
    assert counts["total"] == sum(counts["lstm"]) + counts["head"]


@pytest.mark.parametrize("budget", [0, 50, 101, 1000, 10_451, 1e6])
def test_largest_units_is_the_largest_within_budget(budget):
    u = largest_units(budget, n_features=1, horizon=1, min_units=1, max_units=512)
    if total_parameters(1, n_features=1, horizon=1) > budget:
        assert u == 1  # the floor is returned even over budget
        return
    assert total_parameters(u, n_features=1, horizon=1) <= budget
    if u < 512:
        assert total_parameters(u + 1, n_features=1, horizon=1) > budget


def test_counts_match_keras():
    keras = pytest.importorskip("keras")
    for layers, units, n_features, horizon, seq in SETUPS:
        model = keras.Sequential(
            [keras.Input((seq, n_features))]
            + [keras.layers.LSTM(units, return_sequences=i < layers - 1) for i in range(layers)]
            + [keras.layers.Dense(horizon)]
        )
        ours = count_parameters(Model(layers=layers, units=units), n_features=n_features,
                                horizon=horizon)
        assert ours["total"] == model.count_params(), (layers, units, n_features, horizon)
        lstm_layers = [lay for lay in model.layers if isinstance(lay, keras.layers.LSTM)]
        assert ours["lstm"] == [lay.count_params() for lay in lstm_layers]


def _ctx(frame, config, features=None):
    series = load_series(frame, target="y", features=features)
    return Context(series, load_config(config), config_given=True)


def test_seen_inputs_scales_target_and_features_like_the_setup():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"y": 100 + np.cumsum(rng.normal(size=200)),
                          "x": rng.normal(1000, 50, 200)})
    ctx = _ctx(frame, {"preprocessing": {"difference": 1, "scaler": "standard"}},
               features=["x"])
    cols = seen_inputs(ctx)
    assert list(cols) == ["y", "x"]
    n_train = ctx.n_train
    assert np.isnan(cols["y"][0])
    assert abs(np.nanmean(cols["y"][:n_train])) < 1e-9
    assert np.nanstd(cols["y"][:n_train]) == pytest.approx(1.0)
    assert np.std(cols["x"][:n_train]) == pytest.approx(1.0)
    raw = seen_inputs(_ctx(frame, {"preprocessing": {"scaler": "none"}}, features=["x"]))
    assert np.array_equal(raw["x"], frame["x"].to_numpy())


def test_train_fit_pipeline_refits_a_full_series_scaler_on_train():
    y = np.arange(100, dtype=float)
    full = _ctx(pd.DataFrame({"y": y}),
                {"preprocessing": {"scaler": "minmax", "scaler_fit": "full"}})
    pipe, z = train_fit_pipeline(full)
    assert np.nanmax(full.transformed) == pytest.approx(1.0)
    assert z[: full.n_train].max() == pytest.approx(1.0)
    assert z[-1] > 1.0  # the holdout is above the training range once fit on train
    same = _ctx(pd.DataFrame({"y": y}), LSTMConfig.from_dict({"preprocessing":
                                                             {"scaler": "minmax"}}))
    assert train_fit_pipeline(same)[0] is same.pipeline
