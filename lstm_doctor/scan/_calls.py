"""Reading the calls of interest: layers, ``compile``, ``fit``, scalers, splits, windowing.

Each call becomes a :class:`Call` with its argument values (resolved by the extractor's
:class:`~lstm_doctor.scan._values.Resolver`) and positions. ``extra`` holds what the
set-up needs beyond the arguments: the scope, the model group, the names the result is
assigned to, callbacks, validation data.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any

from lstm_doctor.scan._values import UNKNOWN, Value, at

RNN_CELLS = {"LSTM": "lstm", "GRU": "gru", "SimpleRNN": "simple_rnn", "CuDNNLSTM": "lstm",
             "CuDNNGRU": "gru"}
OTHER_LAYERS = ("Dense", "Dropout", "Conv1D", "Bidirectional", "TimeDistributed", "Flatten",
                "RepeatVector", "MaxPooling1D", "Lambda", "Input", "InputLayer")
SCALERS = {"MinMaxScaler": "minmax", "StandardScaler": "standard", "RobustScaler": "robust"}
OPTIMIZERS = {"SGD": "sgd", "Adam": "adam", "AdamW": "adamw", "RMSprop": "rmsprop",
              "Adagrad": "adagrad", "Adadelta": "adadelta", "Adamax": "adamax", "Nadam": "nadam"}
LOSSES = {"Huber": "huber", "MeanSquaredError": "mse", "MeanAbsoluteError": "mae",
          "LogCosh": "logcosh", "MeanAbsolutePercentageError": "mape"}
#: learning-rate schedule objects (``learning_rate=ExponentialDecay(...)``)
SCHEDULES = {"ExponentialDecay": "exponential_decay", "InverseTimeDecay": "inverse_time_decay",
             "PiecewiseConstantDecay": "piecewise_constant_decay", "CosineDecay": "cosine_decay",
             "CosineDecayRestarts": "cosine_decay_restarts",
             "PolynomialDecay": "polynomial_decay"}
KERAS_FIT_KW = ("epochs", "batch_size", "validation_split", "validation_data", "callbacks",
                "shuffle", "nb_epoch", "verbose", "steps_per_epoch")
MODEL_CTORS = ("Sequential", "Model", "Functional")
#: Variable names that hold the look-back (window length).
LOOKBACK_NAMES = ("look_back", "lookback", "n_steps", "n_steps_in", "time_steps", "timesteps",
                  "window_size", "window_length", "seq_length", "sequence_length", "seq_len",
                  "n_lags", "n_input", "lag", "lags", "window")
_WINDOW_FUNCS = ("timeseries_dataset_from_array", "TimeseriesGenerator")
_NUMPY = ("np", "numpy")


@dataclass
class Call:
    """A call of interest: its kind, name, keyword values and position."""

    kind: str  # layer, compile, fit, scaler, scaler_fit, split, window, batch, transform
    name: str
    line: int
    col: int
    args: dict[str, Value] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def _callee(node: ast.AST) -> tuple[str, str | None]:
    """(last name of the called function, receiver name if ``name.attr(...)``)."""
    if isinstance(node, ast.Name):
        return node.id, None
    if isinstance(node, ast.Attribute):
        recv = node.value
        if isinstance(recv, ast.Name):
            return node.attr, recv.id
        if isinstance(recv, ast.Call):
            return node.attr, "<call:" + _callee(recv.func)[0] + ">"
        return node.attr, None
    return "", None


def _names_in(node: ast.AST | None) -> list[str]:
    if node is None:
        return []
    return [n.id for n in ast.walk(node) if isinstance(n, ast.Name)]


def _target_names(t: ast.AST) -> list[str]:
    if isinstance(t, ast.Name):
        return [t.id]
    if isinstance(t, (ast.Tuple, ast.List)):
        return [n for e in t.elts for n in _target_names(e)]
    if isinstance(t, ast.Starred):
        return _target_names(t.value)
    return []


def visit_call(ex: Any, call: ast.Call, ctx: Any, group: int) -> None:
    """Record ``call`` in ``ex.out`` when it is one of interest."""
    name, recv = _callee(call.func)
    name = ex.aliases.get(name, name)
    scope = ctx.scope
    pos = (call.lineno, call.col_offset + 1)
    add = ex.out.calls.append
    base = {"scope": scope, "group": group, "names": ex.assigned(ctx), "loop": ctx.loop,
            "lambda": ctx.lam}
    if name in RNN_CELLS:
        args = ex.kw(call, scope, ("units", "activation", "recurrent_activation", "input_shape",
                                   "batch_input_shape", "stateful", "return_sequences",
                                   "dropout", "recurrent_dropout"), (0,))
        wrap = ex.wrapper.get(id(call))
        extra = {**base, "cell": RNN_CELLS[name], "wrapper": None}
        if wrap is not None:
            extra["wrapper"] = (at(True, wrap),
                                ex.kw(wrap, scope, ("input_shape", "batch_input_shape")))
        add(Call("layer", name, *pos, args, extra))
    elif name in OTHER_LAYERS:
        first = {"Dense": "units", "Dropout": "rate", "Conv1D": "filters",
                 "RepeatVector": "n", "Input": "shape", "InputLayer": "input_shape"}
        names = ("units", "filters", "kernel_size", "rate", "activation", "input_shape",
                 "batch_input_shape", "shape", "batch_shape", "n")
        order = (first[name],) + tuple(n for n in names if n != first.get(name)) \
            if name in first else names
        positions = (0, 1) if name == "Conv1D" else (0,) if name in first else ()
        args = ex.kw(call, scope, order, positions)
        add(Call("layer", name, *pos, args, {**base, "wrapped": id(call) in ex.wrapped}))
    elif name in SCALERS:
        add(Call("scaler", name, *pos, ex.kw(call, scope, ("feature_range",)),
                   {**base, "scaler": SCALERS[name]}))
    elif name == "train_test_split":
        add(Call("split", name, *pos, ex.kw(call, scope, ("shuffle", "test_size")),
                   {**base, "inputs": [n for a in call.args for n in _names_in(a)]}))
    elif name == "TimeSeriesSplit":
        add(Call("split", name, *pos, {}, {**base, "method": "temporal"}))
    elif name in _WINDOW_FUNCS:
        if name == "TimeseriesGenerator":
            args = ex.kw(call, scope, ("length", "sampling_rate", "stride", "shuffle",
                                       "batch_size"), (2, 3, 4, 7, 9))
            if "length" in args:
                args["sequence_length"] = args.pop("length")
        else:
            args = ex.kw(call, scope, ("sequence_length", "sequence_stride", "sampling_rate",
                                       "batch_size", "shuffle"), (2, 3, 4, 5, 6))
        add(Call("window", name, *pos, args, base))
    elif name == "window" and recv not in _NUMPY and call.args:
        add(Call("window", "window", *pos, _tf_window(ex, call, scope), base))
    elif name == "batch" and not ctx.lam and recv is not None:
        add(Call("batch", name, *pos, ex.kw(call, scope, ("batch_size",), (0,)), base))
    elif name == "diff":
        _diff(ex, call, scope, recv)
    elif name == "compile" and recv is not None:
        add(Call("compile", name, *pos, compile_args(ex, call, scope),
                 {**base, "model": ex.model_group(recv, call)}))
    elif name in ("fit", "fit_transform", "partial_fit", "fit_generator"):
        recv_kind = ex.kind_of(recv)
        if recv_kind in SCALERS:
            data = call.args[0] if call.args else None
            add(Call("scaler_fit", name, *pos, {}, {
                **base, "scaler": SCALERS[recv_kind], "data_names": _names_in(data)}))
        elif name in ("fit", "fit_generator") and (
                any(k.arg in KERAS_FIT_KW for k in call.keywords)
                or recv_kind in MODEL_CTORS or recv_kind in ex.builders):
            args, extra = fit_args(ex, call, scope, ctx.loop, name == "fit_generator")
            add(Call("fit", name, *pos, args, {**base, **extra,
                                                "model": ex.model_group(recv, call)}))


def _tf_window(ex: Any, call: ast.Call, scope) -> dict[str, Value]:
    """``ds.window(size, shift)``: the window holds the inputs and the target(s).

    ``window(n + k)`` (the labs' ``window_size + 1``) is a look-back of ``n``; a bare size
    does not say how many of its steps are targets, so the look-back is unknown.
    """
    size = call.args[0]
    if isinstance(size, ast.BinOp) and isinstance(size.op, ast.Add) and \
            isinstance(size.right, ast.Constant) and isinstance(size.right.value, int):
        return {"sequence_length": ex.r.located(size.left, scope)}
    return {"sequence_length": at(UNKNOWN, size)}


def _diff(ex: Any, call: ast.Call, scope, recv: str | None) -> None:
    """``np.diff(x, n=k)`` (order k) or ``series.diff(periods)`` (a lag)."""
    if recv in ("np", "numpy"):
        order = ex.kw(call, scope, ("n",), (1,)).get("n", at(1, call))
        v = order.value
        value = v if isinstance(v, int) and not isinstance(v, bool) and v >= 1 else UNKNOWN
        ex.out.calls.append(_transform(call, {"difference": Value(value, order.line,
                                                                  order.col)}))
    elif isinstance(call.func, ast.Attribute):
        periods = ex.kw(call, scope, ("periods",), (0,)).get("periods", at(1, call))
        ex.add_lag(periods, call)


def _transform(node: ast.AST, args: dict[str, Value]) -> Call:
    return Call("transform", "difference", node.lineno, node.col_offset + 1, args)


def compile_args(ex: Any, call: ast.Call, scope) -> dict[str, Value]:
    """Optimizer (with its learning rate, momentum, schedule) and loss of ``compile``."""
    out: dict[str, Value] = {}
    given = {k.arg: k.value for k in call.keywords if k.arg in ("optimizer", "loss")}
    for key, i in (("optimizer", 0), ("loss", 1)):
        if key not in given and len(call.args) > i and \
                not any(isinstance(a, ast.Starred) for a in call.args[:i + 1]):
            given[key] = call.args[i]
    if any(k.arg is None for k in call.keywords):
        for key in ("optimizer", "loss"):
            given.setdefault(key, call)
    for key, node in given.items():
        if node is call:
            out[key] = at(UNKNOWN, call)
            continue
        node, where = ex.deref(node)
        where = where or scope
        if isinstance(node, ast.Call):
            cname = ex.aliases.get(_callee(node.func)[0], _callee(node.func)[0])
            table = OPTIMIZERS if key == "optimizer" else LOSSES
            out[key] = at(table.get(cname, UNKNOWN), node)
            if key == "optimizer":
                out.update(_optimizer(ex, node, where, table.get(cname)))
        else:
            v = ex.r.located(node, where)
            if isinstance(v.value, str):
                v.value = v.value.lower()
            elif v.known:
                v.value = UNKNOWN
            out[key] = v
    return out


def _optimizer(ex: Any, node: ast.Call, scope, opt: str | None) -> dict[str, Value]:
    positions = (0, 1) if opt == "sgd" else (0,)
    args = ex.kw(node, scope, ("learning_rate", "momentum", "lr", "nesterov"), positions)
    out: dict[str, Value] = {}
    lr = args.pop("learning_rate", None) or args.pop("lr", None)
    args.pop("lr", None)
    if lr is not None:
        out["learning_rate"] = lr
        lr_node = next((k.value for k in node.keywords if k.arg in ("learning_rate", "lr")),
                       node.args[0] if node.args else None)
        sched, _ = ex.deref(lr_node) if lr_node is not None else (None, None)
        cname = _callee(sched.func)[0] if isinstance(sched, ast.Call) else ""
        if cname in SCHEDULES:
            out["learning_rate"] = Value(UNKNOWN, lr.line, lr.col)
            out["lr_schedule"] = Value(SCHEDULES[cname], lr.line, lr.col)
    out.update(args)
    return out


def fit_args(ex: Any, call: ast.Call, scope, in_loop: bool, generator: bool
             ) -> tuple[dict[str, Value], dict[str, Any]]:
    """Epochs, batch size, validation, shuffle and callbacks of a Keras ``fit``."""
    # keras: fit(x, y, batch_size, epochs, verbose, callbacks, validation_split, ...);
    # fit_generator(generator, steps_per_epoch, epochs, ...)
    names = ("batch_size", "epochs", "nb_epoch", "validation_split", "shuffle")
    args = ex.kw(call, scope, names, (99, 2) if generator else (2, 3))
    if "nb_epoch" in args:
        nb = args.pop("nb_epoch")
        if "epochs" not in args or not args["epochs"].known:
            args["epochs"] = nb
    if in_loop and "epochs" in args:
        # fit called in a loop (the stateful idiom): the epochs run are not the literal
        args["epochs"] = Value(UNKNOWN, args["epochs"].line, args["epochs"].col)
    extra: dict[str, Any] = {"callbacks": [], "validation_data": None, "x": None,
                             "kwargs": any(k.arg is None for k in call.keywords)}
    x_node = call.args[0] if call.args else next(
        (k.value for k in call.keywords if k.arg in ("x", "generator")), None)
    if isinstance(x_node, ast.Name):
        extra["x"] = x_node.id
    for k in call.keywords:
        if k.arg == "validation_data":
            extra["validation_data"] = Value(tuple(_val_names(k.value)), k.value.lineno,
                                             k.value.col_offset + 1)
        elif k.arg == "callbacks":
            extra["callbacks"] = callbacks(ex, k.value, scope)
    if extra["kwargs"] and not extra["callbacks"]:
        extra["callbacks"] = [UNKNOWN]
    return args, extra


def _val_names(node: ast.AST) -> list[str]:
    if isinstance(node, (ast.Tuple, ast.List)):
        return [e.id for e in node.elts if isinstance(e, ast.Name)]
    if isinstance(node, ast.Name):
        return [node.id]
    return _names_in(node)


def callbacks(ex: Any, node: ast.AST, scope) -> list[Any]:
    """Callbacks named or constructed in the list: ``(name, call, arguments)`` or UNKNOWN."""
    if isinstance(node, ast.Name) and node.id in ex.lists:
        elts: list[ast.expr] = ex.lists[node.id]
    elif isinstance(node, (ast.List, ast.Tuple)):
        elts = list(node.elts)
    else:
        return [UNKNOWN]
    out: list[Any] = []
    for e in elts:
        call, where = ex.deref(e)
        if isinstance(call, ast.Call):
            out.append((_callee(call.func)[0], call, ex.kw(
                call, where or scope, ("monitor", "patience", "save_best_only"))))
        else:
            out.append(UNKNOWN)
    return out


__all__ = ["Call", "callbacks", "compile_args", "fit_args", "visit_call"]
