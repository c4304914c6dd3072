"""Shapes and weights of recurrent layers and their wrappers (Bidirectional, TimeDistributed)."""

from __future__ import annotations

from typing import Any

from lstm_doctor.keras_archive._common import (
    _CELLS,
    _GATES,
    _N_STATES,
    Shape,
    _add,
    _Bad,
    _Cfg,
    _Mismatch,
    _name,
    _Out,
    _short,
)


class _RecurrentLayers:
    """Handlers of LSTM, GRU, SimpleRNN, RNN cells and the wrappers around them."""

    # ---------------------------------------------------------------------- recurrent
    def rnn_info(self, c: _Cfg, kind: str) -> dict:
        return {
            "units": c.whole("units", None, lo=1),
            "activation": c.activation("activation", "tanh"),
            "recurrent_activation": (c.activation("recurrent_activation", "sigmoid")
                                     if kind != "SimpleRNN" else None),
            "use_bias": c.flag("use_bias", True),
            "dropout": c.number("dropout", 0.0),
            "recurrent_dropout": c.number("recurrent_dropout", 0.0),
            "reset_after": c.flag("reset_after", True) if kind == "GRU" else None,
        }

    @staticmethod
    def cell_params(kind: str, units: int, d: int | None, bias: bool,
                    reset_after: bool | None) -> int | None:
        if d is None:
            return None
        gates = _GATES[kind]
        b = 0
        if bias:
            b = gates * units * (2 if kind == "GRU" and reset_after else 1)
        return gates * units * (d + units) + b

    def l_recurrent(self, c: _Cfg, s: Any, pos: list, named: dict, where: str,
                    depth: int, kind: str | None = None) -> _Out:
        kind = kind if kind in _GATES else "LSTM"
        info = self.rnn_info(c, kind)
        units = info["units"]
        if units is None:
            raise _Bad(f"{where}: 'units' is missing")
        info.update(return_sequences=c.flag("return_sequences", False),
                    return_state=c.flag("return_state", False),
                    stateful=c.flag("stateful", False), go_backwards=c.flag("go_backwards", False))
        if not self.needs(s, where, f"{kind} weights", rank=2):
            return _Out(self.rnn_outs(None, kind, units, info), None, info=info)
        n = self.cell_params(kind, units, s[-1], info["use_bias"], info["reset_after"])
        if n is None:
            self.unknown.append(f"{where}: the feature axis has unknown size")
        return _Out(self.rnn_outs(s, kind, units, info), n, info=info)

    @staticmethod
    def rnn_outs(s: Shape | None, kind: str, units: int, info: dict) -> list:
        t = s[0] if s is not None else None
        main = (t, units) if info["return_sequences"] else (units,)
        if info["return_sequences"] and s is None:
            main = None
        outs: list = [main]
        if info["return_state"]:
            outs += [(units,)] * _N_STATES[kind]
        return outs

    def l_RNN(self, c: _Cfg, s: Any, pos: list, named: dict, where: str, depth: int) -> _Out:
        cell = c.cfg.get("cell")
        if isinstance(cell, dict) and cell.get("class_name") == "StackedRNNCells":
            cells = cell.get("config", {}).get("cells") if isinstance(
                cell.get("config"), dict) else None
        elif isinstance(cell, list):
            cells = cell
        else:
            cells = [cell]
        if not isinstance(cells, list) or not cells or len(cells) > 10_000:
            raise _Bad(f"{where}: 'cell' is {_short(cell)}; expected a cell or a list of cells")
        info: dict = {}
        total: int | None = 0
        d = s[-1] if s is not None and len(s) == 2 else None
        kinds = []
        units = None
        for k, one in enumerate(cells):
            ccls = one.get("class_name") if isinstance(one, dict) else None
            if not isinstance(ccls, str) or ccls not in _CELLS \
                    or not isinstance(one.get("config"), dict):
                self.unknown.append(f"{where}: cell {k} ({_name(ccls, 30)}) is not an LSTM, GRU "
                                    "or SimpleRNN cell, so its weights are not counted")
                return _Out([None], None, info={"cell": ccls})
            kind = _CELLS[ccls]
            kinds.append(ccls)
            cc = _Cfg(one["config"], f"{where} cell {k}")
            cinfo = self.rnn_info(cc, kind)
            units = cinfo["units"]
            if units is None:
                raise _Bad(f"{where} cell {k}: 'units' is missing")
            if k == 0:
                info = cinfo
            total = _add(total, self.cell_params(kind, units, d, cinfo["use_bias"],
                                                 cinfo["reset_after"]))
            d = units
        info.update(return_sequences=c.flag("return_sequences", False),
                    return_state=c.flag("return_state", False),
                    stateful=c.flag("stateful", False), go_backwards=c.flag("go_backwards", False),
                    cell=kinds[0] if len(kinds) == 1 else "StackedRNNCells")
        if not self.needs(s, where, "RNN weights", rank=2):
            total = None
        elif total is None:
            self.unknown.append(f"{where}: the feature axis has unknown size")
        kind = _CELLS[kinds[0]]
        outs = self.rnn_outs(s, kind, units, info)
        return _Out(outs, total, info=info, wrapped=kinds[0] if len(kinds) == 1 else
                    "StackedRNNCells")

    def l_Bidirectional(self, c: _Cfg, s: Any, pos: list, named: dict, where: str,
                        depth: int) -> _Out:
        inner = c.cfg.get("layer")
        if not isinstance(inner, dict):
            raise _Bad(f"{where}: 'layer' is {_short(inner)}; expected the wrapped layer")
        mode = c.cfg.get("merge_mode", "concat")
        if mode not in ("concat", "sum", "mul", "ave", None):
            raise _Bad(f"{where}: 'merge_mode' is {_short(mode)}; expected 'concat', 'sum', "
                       "'mul', 'ave' or null")
        fwd = self.layer(inner, [s], {}, f"{where} > forward", depth + 1, True, False, 0)
        back_spec = c.cfg.get("backward_layer")
        if back_spec is None:
            bwd = fwd
        elif isinstance(back_spec, dict):
            bwd = self.layer(back_spec, [s], {}, f"{where} > backward", depth + 1, True,
                             False, 0)
        else:
            raise _Bad(f"{where}: 'backward_layer' is {_short(back_spec)}; expected a layer")
        fo = fwd.outs[0] if fwd.outs else None
        bo = bwd.outs[0] if bwd.outs else None
        if mode is None:
            outs = [fo, bo]
        elif mode == "concat":
            if fo is None or bo is None:
                outs = [None]
            else:
                last = None if fo[-1] is None or bo[-1] is None else fo[-1] + bo[-1]
                outs = [fo[:-1] + (last,)]
        else:
            outs = [fo]
        outs += fwd.outs[1:] + bwd.outs[1:]
        info = dict(fwd.info, merge_mode=mode)
        return _Out(outs, _add(fwd.trainable, bwd.trainable),
                    _add(fwd.non_trainable, bwd.non_trainable), info,
                    str(inner.get("class_name")))

    def l_TimeDistributed(self, c: _Cfg, s: Any, pos: list, named: dict, where: str,
                          depth: int) -> _Out:
        inner = c.cfg.get("layer")
        if not isinstance(inner, dict):
            raise _Bad(f"{where}: 'layer' is {_short(inner)}; expected the wrapped layer")
        if s is not None and len(s) < 2:
            raise _Mismatch(f"{where}: input shape {s} has no axis to distribute over")
        inner_shape = s[1:] if s is not None else None
        out = self.layer(inner, [inner_shape], {}, f"{where} > inner", depth + 1, True, False, 0)
        t = s[0] if s is not None else None
        outs = [None if o is None else (t,) + tuple(o) for o in out.outs]
        return _Out(outs, out.trainable, out.non_trainable, out.info,
                    str(inner.get("class_name")))
