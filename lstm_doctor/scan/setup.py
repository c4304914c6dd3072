"""From an :class:`~lstm_doctor.scan.extract.Extraction` to set-up keys with their lines.

``facts(extraction)`` gives ``{"section.key": Value}`` for what the code states (unknown
values are kept as unknown, with their line); ``to_config`` builds an
:class:`~lstm_doctor.config.LSTMConfig` with provenance ``given`` from the known ones.

The model is the last recurrent one the script builds (the layers of its ``Sequential`` or
``Input``), trained by the last ``compile`` and ``fit`` of that model (or the last ones at
all when the code does not say which model they train): notebooks explore, then train the
final model. Keys under ``code.`` are facts of the code that are not set-up keys (they feed
the code-only checks and are left out of the config).
"""

from __future__ import annotations

from typing import Any

from lstm_doctor.scan.extract import UNKNOWN, Call, Extraction, Value

_SHAPE_ARGS = ("input_shape", "batch_input_shape", "shape", "batch_shape")


def _int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _trains(ex: Extraction, kind: str, group: int | None) -> Call | None:
    """The last ``compile``/``fit`` of the recurrent model (else the last one at all)."""
    calls = ex.of(kind)
    mine = [c for c in calls if group is not None and c.extra.get("model") == group]
    return (mine or calls or [None])[-1]


def _model(ex: Extraction, out: dict[str, Value]) -> tuple[Value | None, int | None]:
    """Model keys of the last recurrent model built; its stated input shape and group."""
    layers = ex.of("layer")
    rnn = [c for c in layers if "cell" in c.extra]
    if not rnn:
        return None, None
    group = rnn[-1].extra["group"]
    layers = [c for c in layers if c.extra["group"] == group]
    rnn = [c for c in rnn if c.extra["group"] == group]
    first = rnn[0]
    out["model.cell"] = Value(first.extra["cell"], first.line, first.col)
    out["model.layers"] = Value(len(rnn), first.line, first.col)
    if first.extra["wrapper"] is not None:
        out["model.bidirectional"] = first.extra["wrapper"][0]
    for key in ("units", "activation", "recurrent_activation", "stateful", "dropout",
                "recurrent_dropout"):
        if key in first.args:
            out[f"model.{key}"] = first.args[key]
    marked = tuple([key, c.args[key].value, c.args[key].line, c.args[key].col]
                   for c in rnn for key, default in (("activation", "tanh"),
                                                     ("recurrent_activation", "sigmoid"))
                   if key in c.args and isinstance(c.args[key].value, str)
                   and c.args[key].value != default)
    if marked:  # every recurrent layer's own non-default activation, for one finding each
        out["code.layer_activations"] = Value(marked, marked[0][2], marked[0][3])
    for c in rnn:  # a non-default activation on any recurrent layer is what matters
        for key in ("activation", "recurrent_activation"):
            if key in c.args and f"model.{key}" in out and \
                    c.args[key].value != out[f"model.{key}"].value and \
                    c.args[key].value not in ("tanh", "sigmoid"):
                out[f"model.{key}"] = c.args[key]
    conv = [c for c in layers if c.name == "Conv1D"]
    if conv and conv[0].line <= first.line:
        for arg, key in (("filters", "conv_filters"), ("kernel_size", "conv_kernel_size")):
            if arg in conv[0].args:
                out[f"model.{key}"] = conv[0].args[arg]
    last = rnn[-1]
    after = [c for c in layers if (c.line, c.col) > (last.line, last.col)
             and c.name == "Dense" and not c.extra["wrapped"]]
    repeat = [c for c in layers if c.name == "RepeatVector" and "n" in c.args]
    if repeat:
        out["window.horizon"] = repeat[0].args["n"]
    elif after and "units" in after[-1].args:
        n = after[-1].args["units"]
        if not n.known or (_int(n.value) and n.value > 1):
            out["window.horizon"] = n  # a vector output: the next n values at once
    if len(after) > 1:  # hidden Dense layers between the recurrent ones and the output
        units = [c.args["units"] for c in after[:-1] if "units" in c.args]
        if len(units) == len(after) - 1:
            head = tuple(u.value for u in units)
            out["model.head"] = Value(head if all(u.known for u in units) else UNKNOWN,
                                      after[0].line, after[0].col)
        if "activation" in after[0].args:
            out["model.head_activation"] = after[0].args["activation"]
    shape = None
    for c in sorted(layers, key=lambda c: (c.line, c.col)):
        if c.extra.get("wrapped"):
            continue
        given = [c.args[a] for a in _SHAPE_ARGS if a in c.args]
        wrapper = c.extra.get("wrapper")
        if not given and wrapper is not None:
            given = [wrapper[1][a] for a in _SHAPE_ARGS if a in wrapper[1]]
        if given:
            shape = given[0]
            break
    return shape, group


def _window_of(ex: Extraction, fit: Call | None) -> tuple[Call | None, bool]:
    """The windowing call that makes the data ``fit`` trains on, and whether it is known.

    Known: ``fit``'s data is the call's result (or that of the script's function holding
    it); otherwise the first training-like window is taken for the look-back only.
    """
    wins = ex.of("window")
    if not wins:
        return None, False
    x = fit.extra["x"] if fit is not None else None
    if x is not None:
        maker = ex.makers.get(x)  # made by the script's own function (windowed_dataset(...))
        for w in wins:
            if x in w.extra["names"] or (maker and w.extra["scope"].name == maker):
                return w, True
    held = ("val", "test")
    return next((w for w in wins if not any(h in n.lower() for n in w.extra["names"]
                                            for h in held)), wins[0]), False


def _window(ex: Extraction, out: dict[str, Value], shape: Value | None,
            fit: Call | None) -> Call | None:
    """Look-back, layout and sampling rate; the window call ``fit`` trains on, if known."""
    win, linked = _window_of(ex, fit)
    look = ex.lookback
    if shape is not None and shape.known and isinstance(shape.value, tuple) and shape.value:
        dims = shape.value
        steps = dims[-2] if len(dims) >= 2 else dims[-1]
        if len(dims) >= 2 and steps == 1 and look is not None and _int(look.value) and \
                look.value > 1 and dims[-1] == look.value:
            # (1, look_back): one time step, the look-back as features (the airline idiom)
            out["window.seq_length"] = Value(look.value, shape.line, shape.col)
            out["window.layout"] = Value("features", shape.line, shape.col)
        elif _int(steps):
            out["window.seq_length"] = Value(steps, shape.line, shape.col)
    if win is not None:
        if "window.seq_length" not in out and "sequence_length" in win.args:
            out["window.seq_length"] = win.args["sequence_length"]
        if "sampling_rate" in win.args:
            out["window.sampling_rate"] = win.args["sampling_rate"]
    if "window.seq_length" not in out:
        if look is not None:
            out["window.seq_length"] = look
        elif shape is not None:
            out["window.seq_length"] = Value(UNKNOWN, shape.line, shape.col)
    return win if linked else None


def _training(ex: Extraction, out: dict[str, Value], win: Call | None, group: int | None,
              f: Call | None) -> None:
    """Optimizer and loss of the model's compile; epochs, batches, callbacks of its fit."""
    c = _trains(ex, "compile", group)
    if c is not None:
        for key in ("optimizer", "loss", "learning_rate", "momentum", "nesterov",
                    "lr_schedule"):
            if key in c.args:
                out[f"training.{key}"] = c.args[key]
    if f is None:
        return
    for key in ("epochs", "batch_size", "shuffle"):
        if key in f.args:
            out[f"training.{key}"] = f.args[key]
    if win is not None:
        batch = win.args.get("batch_size")
        if batch is None and win.name == "window":
            batch = next((b.args["batch_size"] for b in ex.of("batch")
                          if b.extra["scope"] is win.extra["scope"] and b.line >= win.line
                          and "batch_size" in b.args), None)
        if batch is None:  # a dataset's batches are its own: not Keras' default 32
            batch = Value(UNKNOWN, f.line, f.col)
        out.setdefault("training.batch_size", batch)
        if "shuffle" in win.args:
            out.setdefault("training.shuffle", win.args["shuffle"])
    cbs = f.extra.get("callbacks") or []
    named = {c[0]: c for c in cbs if c is not UNKNOWN}
    if UNKNOWN in cbs and "EarlyStopping" not in named:
        out["training.early_stopping"] = Value(UNKNOWN, f.line, f.col)
    es = named.get("EarlyStopping")
    if "training.early_stopping" not in out:
        out["training.early_stopping"] = (_at(True, es[1]) if es else Value(False, f.line,
                                                                              f.col))
    if es is not None and "patience" in es[2]:
        out["training.patience"] = es[2]["patience"]
    ck = named.get("ModelCheckpoint")
    if ck is not None:
        best = ck[2].get("save_best_only")
        out["training.checkpoint"] = (Value(best.value is True if best.known else UNKNOWN,
                                            best.line, best.col) if best is not None
                                      else _at(False, ck[1]))
    sched = named.get("LearningRateScheduler") or named.get("ReduceLROnPlateau")
    if sched is not None:
        kind = ("lr_scheduler_callback" if sched[0] == "LearningRateScheduler"
                else "reduce_on_plateau")
        out["training.lr_schedule"] = _at(kind, sched[1])
        if kind == "lr_scheduler_callback":  # the schedule sets every epoch's rate
            lr = out.get("training.learning_rate")
            out["training.learning_rate"] = (Value(UNKNOWN, lr.line, lr.col) if lr is not None
                                             else _at(UNKNOWN, sched[1]))


def _at(value: Any, node: Any) -> Value:
    return Value(value, node.lineno, node.col_offset + 1)


def _splits(ex: Extraction, out: dict[str, Value], fit: Call | None) -> None:
    """Split method, validation source, and shuffled validation windows (``code.``)."""
    splits = ex.of("split")
    val_names = ()
    if fit is not None and fit.extra.get("validation_data") is not None:
        val_names = fit.extra["validation_data"].value

    def parts(s: Call) -> tuple[list[str], list[str]]:
        names = s.extra.get("names", [])
        if s.name == "train_test_split":
            return names[0::2], names[1::2]
        return ([n for n in names if "train" in n.lower()],
                [n for n in names if "test" in n.lower() or "val" in n.lower()])

    val_splits = [s for i, s in enumerate(splits)
                  if set(parts(s)[1]) & set(val_names) and
                  (i > 0 or any("val" in n.lower() for n in set(parts(s)[1]) & set(val_names)))]
    main = [s for s in splits if s not in val_splits]

    def method(s: Call) -> Any:
        if "method" in s.extra:
            return s.extra["method"]
        shuffle = s.args.get("shuffle")
        return ("random" if shuffle is None or shuffle.value is True else
                "temporal" if shuffle.value is False else UNKNOWN)

    if main:
        s = main[0]
        out["split.method"] = Value(method(s), s.line, s.col)
        if "test_size" in s.args:
            out["split.test_size"] = s.args["test_size"]
    if fit is None:
        return
    vd = fit.extra.get("validation_data")
    held = {n for s in main for n in parts(s)[1]}
    if vd is not None:
        out["training.validation"] = Value("holdout" if any(
            "test" in n.lower() or n in held for n in vd.value) else UNKNOWN, vd.line, vd.col)
        for s in val_splits:
            if method(s) == "random":
                out["code.validation_shuffled"] = Value(True, s.line, s.col)
                break
    elif "validation_split" in fit.args:
        vs = fit.args["validation_split"]
        out["training.validation_split"] = vs
        out["training.validation"] = Value(
            UNKNOWN if not vs.known else ("split" if vs.value else "none"), fit.line, fit.col)
        x = fit.extra.get("x")
        shuffled = [s for s in main if method(s) == "random" and x in parts(s)[0]]
        if shuffled and vs.known and vs.value:
            out["code.validation_shuffled"] = Value(True, vs.line, vs.col)
    elif fit.extra.get("kwargs"):
        out["training.validation"] = Value(UNKNOWN, fit.line, fit.col)
    else:
        out["training.validation"] = Value("none", fit.line, fit.col)


def _preprocessing(ex: Extraction, out: dict[str, Value]) -> None:
    scalers = ex.of("scaler")
    if scalers:
        s = scalers[0]
        out["preprocessing.scaler"] = Value(s.extra["scaler"], s.line, s.col)
    split_lines = [c.line for c in ex.of("split")]
    split_line = min(split_lines) if split_lines else None
    for c in ex.of("scaler_fit"):
        trained = any("train" in n.lower() for n in c.extra["data_names"])
        if trained:
            where: Any = "train"
        elif split_line is not None and c.line < split_line:
            where = "full"
        else:
            where = UNKNOWN
        out.setdefault("preprocessing.scaler_fit", Value(where, c.line, c.col))
        if where == "full":
            out["preprocessing.scaler_fit"] = Value(where, c.line, c.col)
            break
    for t in ex.of("transform"):
        for key, v in t.args.items():
            if f"preprocessing.{key}" not in out or (v.known and not
                                                     out[f"preprocessing.{key}"].known):
                out[f"preprocessing.{key}"] = v


def facts(ex: Extraction) -> dict[str, Value]:
    """The set-up keys the code states, each with its source position."""
    out: dict[str, Value] = {}
    shape, group = _model(ex, out)
    fit = _trains(ex, "fit", group)
    win = _window(ex, out, shape, fit)
    _training(ex, out, win, group, fit)
    _splits(ex, out, fit)
    _preprocessing(ex, out)
    return out


def to_config(stated: dict[str, Value]):
    """An LSTMConfig (origin ``given``) of the known, schema-valid values; others are dropped."""
    from lstm_doctor.config import LSTMConfig
    from lstm_doctor.errors import InputError

    data: dict[str, dict[str, Any]] = {}
    for key, v in stated.items():
        if not v.known or key.startswith("code."):
            continue
        section, name = key.split(".", 1)
        trial = {s: dict(d) for s, d in data.items()}
        trial.setdefault(section, {})[name] = v.value
        try:
            LSTMConfig.from_dict(trial, source="scan", origin="given")
        except (InputError, TypeError, ValueError):
            continue
        data = trial
    config = LSTMConfig.from_dict(data, source="scan", origin="given")
    for key, v in stated.items():  # stated but not static: not known, so not given
        if not v.known and key in config.origins:
            config.origins[key] = "assumed"
    return config


__all__ = ["facts", "to_config"]
