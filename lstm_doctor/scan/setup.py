"""From an :class:`~lstm_doctor.scan.extract.Extraction` to set-up keys with their lines.

``facts(extraction)`` gives ``{"section.key": Value}`` for what the code states (unknown
values are kept as unknown, with their line); ``to_config`` builds an
:class:`~lstm_doctor.config.LSTMConfig` with provenance ``given`` from the known ones.
"""

from __future__ import annotations

from typing import Any

from lstm_doctor.scan.extract import UNKNOWN, Extraction, Value


def _first_split_line(ex: Extraction) -> int | None:
    lines = [c.line for c in ex.of("split")]
    return min(lines) if lines else None


def facts(ex: Extraction) -> dict[str, Value]:
    """The set-up keys the code states, each with its source position."""
    out: dict[str, Value] = {}
    rnn = [c for c in ex.of("layer") if "cell" in c.extra]
    if rnn:
        first = rnn[0]
        out["model.cell"] = Value(first.extra["cell"], first.line, first.col)
        out["model.layers"] = Value(len(rnn), first.line, first.col)
        for key in ("units", "activation", "recurrent_activation", "stateful", "dropout",
                    "recurrent_dropout"):
            if key in first.args:
                out[f"model.{key}"] = first.args[key]
        for c in rnn:  # a non-default activation on any recurrent layer is what matters
            for key in ("activation", "recurrent_activation"):
                if key in c.args and f"model.{key}" in out and \
                        c.args[key].value != out[f"model.{key}"].value and \
                        c.args[key].value not in ("tanh", "sigmoid"):
                    out[f"model.{key}"] = c.args[key]
        shape = first.args.get("input_shape") or first.args.get("batch_input_shape")
        if shape is not None and isinstance(shape.value, tuple) and len(shape.value) >= 2:
            steps, last = shape.value[-2], shape.value[-1]
            look = ex.lookback.value if ex.lookback is not None else None
            if steps == 1 and isinstance(look, int) and look > 1 and last == look:
                # (1, look_back): one time step, the look-back as features (the airline idiom)
                out["window.seq_length"] = Value(look, shape.line, shape.col)
                out["window.layout"] = Value("features", shape.line, shape.col)
            elif isinstance(steps, int):
                out["window.seq_length"] = Value(steps, shape.line, shape.col)
    conv = [c for c in ex.of("layer") if c.name == "Conv1D"]
    if conv and rnn and conv[0].line <= rnn[0].line:
        for arg, key in (("filters", "conv_filters"), ("kernel_size", "conv_kernel_size")):
            v = conv[0].args.get(arg) or (conv[0].args.get("units") if arg == "filters"
                                          else None)
            if v is not None:
                out[f"model.{key}"] = v
    if "window.seq_length" not in out:
        win = ex.of("window")
        if win and win[0].args:
            out["window.seq_length"] = next(iter(win[0].args.values()))
        elif ex.lookback is not None:
            out["window.seq_length"] = ex.lookback
    for c in ex.of("compile")[:1]:
        for key in ("optimizer", "loss", "learning_rate", "momentum", "nesterov"):
            if key in c.args:
                out[f"training.{key}"] = c.args[key]
    fits = ex.of("fit")
    if fits:
        f = fits[0]
        for key in ("epochs", "batch_size", "shuffle"):
            if key in f.args:
                out[f"training.{key}"] = f.args[key]
        vd = f.extra.get("validation_data")
        if vd is not None:
            out["training.validation"] = Value("holdout" if any(
                "test" in n.lower() for n in vd.value) else UNKNOWN, vd.line, vd.col)
        elif "validation_split" in f.args:
            out["training.validation_split"] = f.args["validation_split"]
            vs = f.args["validation_split"].value
            out["training.validation"] = Value(
                UNKNOWN if vs is UNKNOWN else ("split" if vs else "none"), f.line, f.col)
        else:
            out["training.validation"] = Value("none", f.line, f.col)
        cbs = f.extra.get("callbacks") or []
        names = [c[0] for c in cbs if c is not UNKNOWN]
        if UNKNOWN in cbs:
            if "EarlyStopping" not in names:
                out["training.early_stopping"] = Value(UNKNOWN, f.line, f.col)
        es = next((c for c in cbs if c is not UNKNOWN and c[0] == "EarlyStopping"), None)
        ck = next((c for c in cbs if c is not UNKNOWN and c[0] == "ModelCheckpoint"), None)
        if "training.early_stopping" not in out:
            out["training.early_stopping"] = (Value(True, es[1], es[2]) if es
                                              else Value(False, f.line, f.col))
        if ck:
            out["training.checkpoint"] = Value(True, ck[1], ck[2])
    scalers = ex.of("scaler")
    if scalers:
        s = scalers[0]
        out["preprocessing.scaler"] = Value(s.extra["scaler"], s.line, s.col)
    split_line = _first_split_line(ex)
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
    splits = ex.of("split")
    if splits:
        s = splits[0]
        if "method" in s.extra:
            method: Any = s.extra["method"]
        else:
            shuffle = s.args.get("shuffle")
            method = ("random" if shuffle is None or shuffle.value is True else
                      "temporal" if shuffle.value is False else UNKNOWN)
        out["split.method"] = Value(method, s.line, s.col)
        if "test_size" in s.args:
            out["split.test_size"] = s.args["test_size"]
    return out


def to_config(stated: dict[str, Value]):
    """An LSTMConfig (origin ``given``) of the known, schema-valid values; others are dropped."""
    from lstm_doctor.config import LSTMConfig
    from lstm_doctor.errors import InputError

    data: dict[str, dict[str, Any]] = {}
    for key, v in stated.items():
        if not v.known:
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
