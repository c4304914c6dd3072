"""The network's size and inputs, computed from the set-up without TensorFlow.

Parameter counts follow Keras 3 exactly for the model the set-up describes
(``layers`` stacked ``keras.layers.LSTM(units)`` with biases, then ``Dense(horizon)``):

* an LSTM layer with ``u`` units on ``f`` inputs per step has four gates, each with an
  input kernel ``f x u``, a recurrent kernel ``u x u`` and a bias ``u``:
  ``4 * u * (f + u + 1)`` parameters (``f = n_features`` for the first layer, ``u`` for the
  stacked ones);
* the Dense head on the last hidden state has ``u * h + h`` parameters.

The LSTM(50) of countless tutorials on one input therefore has
``4*50*52 + 51 = 10,451`` parameters.

:func:`seen_inputs` answers "what does the network actually see?" for the scaling rules:
the target after the set-up's preprocessing and the extra features scaled the way the
set-up scales them.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from lstm_doctor.config import LSTMConfig, Model

if TYPE_CHECKING:
    from lstm_doctor.context import Context
    from lstm_doctor.preprocess import Pipeline


def lstm_layer_params(units: int, input_size: int) -> int:
    """Trainable parameters of one Keras ``LSTM(units)`` layer (``use_bias=True``).

    Parameters
    ----------
    units : int
        Hidden units ``u``.
    input_size : int
        Values per time step entering the layer ``f``.

    Returns
    -------
    int
        ``4 * u * (f + u + 1)``.
    """
    return 4 * int(units) * (int(input_size) + int(units) + 1)


def dense_params(input_size: int, units: int) -> int:
    """Trainable parameters of a Keras ``Dense(units)`` layer on ``input_size`` inputs."""
    return int(input_size) * int(units) + int(units)


def count_parameters(model: Model, *, n_features: int, horizon: int) -> dict[str, Any]:
    """Count the trainable parameters of the network a set-up describes.

    Parameters
    ----------
    model : Model
        The set-up's ``model`` section (``layers`` stacked LSTMs of ``units`` units).
    n_features : int
        Inputs per time step (target + extra features).
    horizon : int
        Outputs of the Dense head.

    Returns
    -------
    dict
        ``lstm`` (list of per-layer counts), ``head`` and ``total``.
    """
    u = int(model.units)
    per_layer = [lstm_layer_params(u, n_features if i == 0 else u) for i in range(model.layers)]
    head = dense_params(u, horizon)
    return {"lstm": per_layer, "head": head, "total": sum(per_layer) + head}


def recurrent_layer_params(cell: str, units: int, input_size: int) -> int:
    """Trainable parameters of one Keras recurrent layer with biases.

    ``lstm``: ``4·u·(f+u+1)``; ``gru`` (Keras 3 default ``reset_after=True``):
    ``3·u·(f+u+2)``; ``simple_rnn``: ``u·(f+u+1)``.
    """
    u, f = int(units), int(input_size)
    if cell == "gru":
        return 3 * u * (f + u + 2)
    if cell == "simple_rnn":
        return u * (f + u + 1)
    return lstm_layer_params(u, f)


def network_parameters(config: LSTMConfig, *, n_features: int) -> dict[str, Any]:
    """Trainable parameters of the network a whole set-up describes.

    The exact count read from a saved model (``config.model_file``) is used while the
    set-up's network is the saved one; otherwise the count is computed from the schema:
    an optional ``Conv1D(conv_filters, conv_kernel_size)`` front end, ``layers`` recurrent
    layers of ``cell`` (doubled when bidirectional), the hidden Dense ``head`` and the output
    layer (``horizon`` outputs for ``window.target: vector``, one for ``single``). With
    ``window.layout: features`` the look-back values arrive as ``seq_length · n_features``
    inputs on one time step.

    Returns
    -------
    dict
        ``total``, ``source`` (``model file`` or ``set-up``) and ``layers``
        (``[(description, count), ...]``).
    """
    m, w = config.model, config.window
    saved = config.model_file or {}
    if (saved.get("trainable_params") is not None
            and saved.get("model_section") == config.to_dict()["model"]
            and (saved.get("window_section") or {}).get("horizon", 1) == w.horizon):
        layers = [(str(lay.get("label") or lay["class_name"]), int(lay["params"] or 0))
                  for lay in saved.get("layers", []) if lay.get("params")]
        return {"total": int(saved["trainable_params"]), "source": "model file",
                "layers": layers}
    width = n_features * (w.seq_length if w.layout == "features" else 1)
    layers: list[tuple[str, int]] = []
    if m.conv_filters:
        layers.append((f"Conv1D({m.conv_filters}, {m.conv_kernel_size})",
                       m.conv_kernel_size * width * m.conv_filters + m.conv_filters))
        width = m.conv_filters
    directions = 2 if m.bidirectional else 1
    name = {"lstm": "LSTM", "gru": "GRU", "simple_rnn": "SimpleRNN"}[m.cell]
    for _ in range(m.layers):
        count = directions * recurrent_layer_params(m.cell, m.units, width)
        label = f"{name}({m.units})" if directions == 1 else f"Bidirectional({name}({m.units}))"
        layers.append((label, count))
        width = directions * m.units
    for units in m.head:
        layers.append((f"Dense({units})", dense_params(width, units)))
        width = units
    outputs = w.horizon if w.target == "vector" else 1
    layers.append((f"Dense({outputs})", dense_params(width, outputs)))
    return {"total": sum(c for _, c in layers), "source": "set-up", "layers": layers}


def total_parameters(units: int, *, n_features: int, horizon: int, layers: int = 1) -> int:
    """Total trainable parameters of ``layers`` stacked ``LSTM(units)`` + ``Dense(horizon)``."""
    return count_parameters(Model(layers=layers, units=units), n_features=n_features,
                            horizon=horizon)["total"]


def largest_units(budget: float, *, n_features: int, horizon: int, layers: int = 1,
                  min_units: int = 1, max_units: int = 4096) -> int:
    """The largest ``u`` whose network has at most ``budget`` parameters.

    Parameters
    ----------
    budget : float
        Parameter budget.
    n_features, horizon, layers
        As in :func:`count_parameters`.
    min_units, max_units : int
        Bounds of the answer (``min_units`` is returned even when it exceeds the budget).

    Returns
    -------
    int
    """
    best = int(min_units)
    for u in range(int(min_units), int(max_units) + 1):
        if total_parameters(u, n_features=n_features, horizon=horizon, layers=layers) > budget:
            break
        best = u
    return best


def train_fit_pipeline(ctx: Context) -> tuple[Pipeline, np.ndarray]:
    """The set-up's preprocessing with every stage fit on the training split only.

    Identical to ``ctx.pipeline`` when the set-up already fits its scaler on train; used to
    measure what a full-series fit hides (scaler leakage, out-of-range holdout values).
    """
    from lstm_doctor.preprocess import Pipeline

    def fit() -> tuple[Pipeline, np.ndarray]:
        prep = ctx.config.preprocessing
        if prep.scaler_fit == "train":
            return ctx.pipeline, ctx.transformed
        pipe = Pipeline(replace(prep, scaler_fit="train"))
        return pipe, pipe.fit_transform(ctx.y, ctx.n_train)

    return ctx.cached("pipeline_train_fit", fit)


def seen_inputs(ctx: Context, *, fit_on: str | None = None) -> dict[str, np.ndarray]:
    """The columns the network receives, over the whole series.

    Parameters
    ----------
    ctx : Context
        The run's context (the result is cached in it).
    fit_on : {"train", "full"} or None
        Where the scalers are fit; ``None`` uses the set-up's ``scaler_fit``.

    Returns
    -------
    dict
        Column name -> values (same length as the series, NaN where differencing lost
        points). The target comes first, under its own name. When the context carries the
        arrays fed to ``fit`` (``ctx.arrays``), they are what the network sees: see
        :func:`arrays_inputs` (``fit_on`` is then irrelevant).
    """
    prep = ctx.config.preprocessing
    fit_on = fit_on or prep.scaler_fit
    if getattr(ctx, "arrays", None) is not None:
        return ctx.cached("seen_inputs_arrays", lambda: arrays_inputs(ctx))

    def compute() -> dict[str, np.ndarray]:
        target = ctx.transformed if fit_on == prep.scaler_fit else train_fit_pipeline(ctx)[1]
        cols = {ctx.series.target: np.asarray(target, dtype=float)}
        if ctx.series.features is not None:
            from lstm_doctor.preprocess import scale_features

            raw = ctx.series.features.to_numpy(dtype=float)
            scaled = scale_features(raw, ctx.n_train, prep.scaler, fit_on)
            for j, name in enumerate(ctx.series.feature_names):
                cols[name] = scaled[:, j]
        return cols

    return ctx.cached(("seen_inputs", fit_on), compute)


def arrays_inputs(ctx: Context) -> dict[str, np.ndarray]:
    """The training inputs the network receives, read from ``ctx.arrays.X_train``.

    One column per input feature: the values at the last time step of every training window
    (every value the network sees, except the first window's earlier steps), first, padded
    with NaN to the series length so that ``values[:ctx.n_train]`` is the training part.
    Feature 0 is taken to be the target (as in most windowing code) and named after it; the
    others are ``feature_1``... With look-back values passed as features (``(n, 1, k)``) the
    columns are the lags, ``t-k`` ... ``t-1`` (feature ``k - 1`` the most recent, named after
    the target).
    """
    X = ctx.arrays.X_train
    k = X.shape[2]
    lags = ctx.config.window.layout == "features" and X.shape[1] == 1 and k > 1
    target = ctx.series.target
    names = [f"t-{k - j}" for j in range(k - 1)] + [target] if lags else \
        [target] + [f"feature_{j}" for j in range(1, k)]
    length = max(ctx.n, X.shape[0])
    cols: dict[str, np.ndarray] = {}
    order = [k - 1, *range(k - 1)] if lags else list(range(k))
    for j in order:
        col = np.full(length, np.nan)
        col[: X.shape[0]] = X[:, -1, j]
        cols[names[j]] = col
    return cols


def describe_units_heuristic(windows: int, params_per_window: float) -> str:
    """One line explaining how :func:`largest_units` was used to size a remedy."""
    return (f"largest LSTM with at most {params_per_window:g} parameter(s) per training "
            f"window ({math.floor(windows * params_per_window)} parameters for {windows} "
            "windows)")


def seasonal_period(ctx: Context) -> int:
    """The calendar or stable seasonal period of the target, or 0.

    Derived from :func:`lstm_doctor.stats.seasonal_period`, the one source of the period.
    Quasi-periodic cycles (``kind == "cycle"``: sunspots, lynx, and chance peaks in short
    noisy series) are left out: their length drifts, so sizing a window or a holdout on them
    is not reliable. Whether the set-up removes or sees the season is
    :func:`lstm_doctor.rules._setup_facts.season_handling` (one definition for all rules).
    """
    from lstm_doctor.stats import seasonal_period as period_of

    season = period_of(ctx)
    if season is None or season["kind"] != "seasonal":
        return 0
    return season["period"]
