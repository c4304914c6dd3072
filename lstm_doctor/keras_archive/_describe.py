"""The summary of a walked model: input, recurrent layers, conv front end, head, compile."""

from __future__ import annotations

import math
from typing import Any

from lstm_doctor.keras_archive._common import (
    _CELLS,
    _LOSSES,
    _RECURRENT,
    _Bad,
    _cap_notes,
    _Cfg,
    _clean_float,
    _is_int,
    _name,
    _plain_class,
    _short,
    _snake,
)
from lstm_doctor.keras_archive._model import KerasArchive


class _Summary:
    """Turns the walk's layers and notes into a :class:`KerasArchive`."""

    # ------------------------------------------------------------------------- summary
    def summarise(self, data: dict, outs: list, tr: Any, nt: Any) -> KerasArchive:
        notes = self.notes
        found = self.input if self.input is not None else self.any_input
        batch, shape = found if found is not None else (None, None)
        batch = batch if _is_int(batch) else None
        if shape is None:
            notes.append("the archive records no input shape (the model was saved before it "
                         "was built); add keras.Input(shape=...) as the first layer")
        if self.n_inputs > 1:
            notes.append(f"the model has {self.n_inputs} inputs; the first one is described")
        if self.n_outputs > 1:
            notes.append(f"the model has {self.n_outputs} outputs; the first one is described")
        seq_length = n_features = None
        if shape is not None and len(shape) >= 2:
            seq_length, n_features = shape[0], shape[-1]
            if seq_length is None:
                notes.append("time axis is None: the model accepts any window length")
            if len(shape) > 2:
                notes.append(f"input_shape {shape} has {len(shape)} axes: the model reads "
                             "sequences of sub-sequences (CNN-LSTM style); the time axis is "
                             "the first")
        elif shape is not None and len(shape) == 1:
            n_features = shape[0]
            notes.append(f"input_shape {shape} has no time axis")
        lookback = seq_length == 1 and n_features is not None and n_features > 1 \
            and shape is not None and len(shape) == 2
        if lookback:
            notes.append(f"input_shape {shape}: {n_features} values on a 1-step time axis look "
                         "like look-back values passed as features")

        recurrent = []
        first_rnn = last_rnn = None
        for i, lay in enumerate(self.layers):
            kind = None
            if lay.class_name in _RECURRENT:
                kind = lay.class_name
            elif lay.wrapped in _RECURRENT:
                kind = lay.wrapped
            elif lay.class_name == "RNN" and lay.wrapped in _CELLS:
                kind = _CELLS[lay.wrapped]
            if kind is None:
                continue
            first_rnn = i if first_rnn is None else first_rnn
            last_rnn = i
            cfg = lay.config
            entry = {
                "class": kind, "name": lay.name, "units": cfg.get("units"),
                "activation": cfg.get("activation"),
                "recurrent_activation": cfg.get("recurrent_activation"),
                "use_bias": cfg.get("use_bias", True),
                "dropout": cfg.get("dropout", 0.0),
                "recurrent_dropout": cfg.get("recurrent_dropout", 0.0),
                "return_sequences": cfg.get("return_sequences", False),
                "bidirectional": lay.class_name == "Bidirectional",
                "stateful": bool(cfg.get("stateful", False)),
            }
            if lay.class_name == "Bidirectional":
                entry["merge_mode"] = cfg.get("merge_mode")
            if lay.class_name == "TimeDistributed":
                entry["time_distributed"] = True
            recurrent.append(entry)
        stateful = any(r["stateful"] for r in recurrent)
        if stateful:
            notes.append("stateful recurrent layer: state carries over between batches"
                         + (f"; batch size fixed at {batch}" if batch is not None else ""))
        cell = _RECURRENT[recurrent[0]["class"]] if recurrent else None

        conv = None
        stop = first_rnn if first_rnn is not None else len(self.layers)
        for lay in self.layers[:stop]:
            if lay.class_name == "Conv1D" or lay.wrapped == "Conv1D":
                cfg = lay.config
                conv = {k: cfg.get(k) for k in ("filters", "kernel_size", "strides", "padding",
                                                "dilation_rate", "activation")}
                conv["time_distributed"] = lay.class_name == "TimeDistributed"
                break

        after = self.layers[(last_rnn + 1) if last_rnn is not None else 0:]
        dense = [lay for lay in after if lay.class_name == "Dense" or lay.wrapped == "Dense"]
        head = tuple(d.config["units"] for d in dense[:-1])
        head_activation = dense[0].config.get("activation") if head else None

        final = outs[0] if outs else None
        if isinstance(final, list):
            final = final[0] if final else None
        output_units = final[-1] if final else None
        if output_units is None:
            all_dense = [lay for lay in self.layers
                         if lay.class_name == "Dense" or lay.wrapped == "Dense"]
            output_units = all_dense[-1].config["units"] if all_dense else None

        if self.unknown:
            tr = nt = None
            reasons = list(dict.fromkeys(self.unknown))
            more = f"; and {len(reasons) - 5} more" if len(reasons) > 5 else ""
            notes.append("parameter count unknown: " + "; ".join(reasons[:5]) + more)
        elif tr is None or nt is None:
            tr = nt = None

        comp = self.compile_info(data.get("compile_config"), notes)
        return KerasArchive(
            path=self.path, layers=tuple(self.layers), trainable_params=tr,
            non_trainable_params=nt, input_shape=shape, batch_size=batch,
            seq_length=seq_length, n_features=n_features, stateful=stateful,
            recurrent=tuple(recurrent), cell=cell, conv=conv, head=head,
            head_activation=head_activation, output_units=output_units,
            notes=_cap_notes(notes), lookback_as_features=lookback, **comp)

    # ------------------------------------------------------------------------- compile
    def compile_info(self, comp: Any, notes: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {"loss": None, "loss_config": {}, "optimizer": None,
                               "learning_rate": None, "lr_schedule": None, "momentum": None,
                               "nesterov": None, "compiled": False}
        if comp is None or comp == {}:
            notes.append("the model was saved without compile(): no loss or optimizer recorded")
            return out
        if not isinstance(comp, dict):
            raise _Bad(f"'compile_config' is {_short(comp)}; expected a mapping")
        out["compiled"] = True
        out["loss"], out["loss_config"] = self.loss(comp.get("loss"), notes)
        opt = comp.get("optimizer")
        if isinstance(opt, str):
            out["optimizer"] = _plain_class(opt).lower()
            out["lr_schedule"] = None
            return out
        if opt is None:
            return out
        if not isinstance(opt, dict) or not isinstance(opt.get("class_name"), str):
            raise _Bad(f"compile_config 'optimizer' is {_short(opt)}; expected a serialized "
                       "optimizer")
        ocfg = opt.get("config", {})
        if not isinstance(ocfg, dict):
            raise _Bad(f"optimizer 'config' is {_short(ocfg)}; expected a mapping")
        name = _plain_class(opt["class_name"])
        if name == "LossScaleOptimizer" and isinstance(ocfg.get("inner_optimizer"), dict):
            inner = ocfg["inner_optimizer"]
            if isinstance(inner.get("class_name"), str) and isinstance(inner.get("config"), dict):
                notes.append("mixed precision: the optimizer is wrapped in LossScaleOptimizer")
                name, ocfg = _plain_class(inner["class_name"]), inner["config"]
        out["optimizer"] = name.lower()
        c = _Cfg(ocfg, "optimizer")
        lr = ocfg.get("learning_rate", ocfg.get("lr"))
        if isinstance(lr, dict):
            out["learning_rate"], out["lr_schedule"] = self.schedule(lr, notes)
        elif lr is not None:
            key = "learning_rate" if "learning_rate" in ocfg else "lr"
            out["learning_rate"] = c.number(key, None)
            out["lr_schedule"] = "constant"
        if "momentum" in ocfg:
            out["momentum"] = c.number("momentum", None)
        if "nesterov" in ocfg:
            out["nesterov"] = c.flag("nesterov", False)
        return out

    def schedule(self, lr: dict, notes: list[str]) -> tuple[float | None, str | None]:
        cls = lr.get("class_name")
        cfg = lr.get("config")
        if not isinstance(cls, str) or not isinstance(cfg, dict):
            raise _Bad(f"optimizer 'learning_rate' is {_short(lr)}; expected a number or a "
                       "serialized schedule")
        name = _snake(_plain_class(cls))
        c = _Cfg(cfg, f"learning-rate schedule {_name(cls, 40)}")
        if "initial_learning_rate" in cfg:
            return c.number("initial_learning_rate", None), name
        values = cfg.get("values")
        if isinstance(values, list) and values:
            first = values[0]
            if isinstance(first, bool) or not isinstance(first, (int, float)) \
                    or not math.isfinite(first):
                raise _Bad(f"learning-rate schedule {_name(cls, 40)}: 'values' starts with "
                           f"{_short(first)}; expected a number")
            return _clean_float(float(first)), name
        if "learning_rate" in cfg and not isinstance(cfg["learning_rate"], dict):
            return c.number("learning_rate", None), name
        notes.append(f"learning-rate schedule '{_name(cls, 40)}' is not known; its initial "
                     "rate is not read")
        return None, name

    def loss(self, loss: Any, notes: list[str]) -> tuple[str | None, dict]:
        if loss is None:
            return None, {}
        if isinstance(loss, (list, dict)) and not (isinstance(loss, dict)
                                                   and "class_name" in loss):
            items = list(loss.values()) if isinstance(loss, dict) else loss
            if not items:
                return None, {}
            notes.append(f"{len(items)} losses (one per output); the first is described")
            loss = items[0]
            if isinstance(loss, (list, dict)) and not (isinstance(loss, dict)
                                                       and "class_name" in loss):
                raise _Bad(f"compile_config 'loss' nests {_short(loss)}; expected a loss")
        if isinstance(loss, str):
            return self.loss_name(loss), {}
        if not isinstance(loss, dict):
            raise _Bad(f"compile_config 'loss' is {_short(loss)}; expected a loss name or a "
                       "serialized loss")
        cls = loss.get("class_name")
        cfg = loss.get("config")
        if not isinstance(cls, str):
            raise _Bad(f"compile_config 'loss' has class_name {_short(cls)}; expected a string")
        if cls == "function" or isinstance(cfg, str):
            raw = cfg if isinstance(cfg, str) else loss.get("registered_name")
            if not isinstance(raw, str):
                raise _Bad(f"compile_config 'loss' is {_short(loss)}; expected a loss name")
            return self.loss_name(raw), {}
        name = self.loss_name(cls)
        extra: dict = {}
        if isinstance(cfg, dict):
            extra = {k: v for k, v in cfg.items()
                     if k not in ("name", "reduction", "dtype") and isinstance(
                         v, (int, float, str, bool, type(None)))}
        elif cfg is not None:
            raise _Bad(f"loss 'config' is {_short(cfg)}; expected a mapping")
        if name == "huber" and "delta" not in extra:
            extra["delta"] = 1.0
            notes.append("Huber delta is not stored in the archive; a reloaded model uses "
                         "the default delta=1.0")
        return name, extra

    @staticmethod
    def loss_name(raw: str) -> str:
        plain = _plain_class(raw)
        return _LOSSES.get(plain.replace("_", "").lower(), raw)
