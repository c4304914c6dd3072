"""Shapes and weights of the plain layers: dense, reshaping, normalisation, merging, attention.

Each ``l_<Class>`` handler takes ``(cfg, first input shape, all positional inputs, keyword
inputs, where, depth)`` and returns an ``_Out``; it is a method of the reader, so it can
record why a count is unknown (``self.unknown``) or build a wrapped layer (``self.layer``).
"""

from __future__ import annotations

from typing import Any

from lstm_doctor.keras_archive._common import (
    MAX_DEPTH,
    _axis_index,
    _Bad,
    _broadcast,
    _Cfg,
    _is_int,
    _Mismatch,
    _Out,
    _prod,
    _short,
)


class _Layers:
    """Handlers of the layers that are neither recurrent nor convolutional."""

    # each l_<Class> handler: (cfg, first input shape, all positional, keyword, where, depth)
    def l_same(self, c: _Cfg, s: Any, pos: list, named: dict, where: str, depth: int) -> _Out:
        info = {}
        if "activation" in c.cfg:
            info["activation"] = c.activation("activation")
        if "rate" in c.cfg:
            info["rate"] = c.number("rate")
        return _Out([s], info=info)

    def l_PReLU(self, c: _Cfg, s: Any, pos: list, named: dict, where: str, depth: int) -> _Out:
        shared = c.cfg.get("shared_axes")
        if not self.needs(s, where, "PReLU alpha"):
            return _Out([s], None)
        dims = list(s)
        if shared is not None:
            for ax in (shared if isinstance(shared, list) else [shared]):
                if not _is_int(ax) or not 1 <= ax <= len(dims):
                    raise _Bad(f"{where}: 'shared_axes' has {_short(ax)}; expected axes "
                               f"1..{len(dims)}")
                dims[ax - 1] = 1
        n = _prod(dims)
        if n is None:
            self.unknown.append(f"{where}: PReLU on an axis of unknown size")
        return _Out([s], n)

    def l_InputLayer(self, c: _Cfg, s: Any, pos: list, named: dict, where: str,
                     depth: int) -> _Out:
        return _Out([s])

    def l_Dense(self, c: _Cfg, s: Any, pos: list, named: dict, where: str, depth: int) -> _Out:
        units = c.whole("units", None, lo=1)
        if units is None:
            raise _Bad(f"{where}: 'units' is missing")
        bias = c.flag("use_bias", True)
        info = {"units": units, "activation": c.activation("activation"), "use_bias": bias}
        if not self.needs(s, where, "Dense weights"):
            return _Out([None], None, info=info)
        out = s[:-1] + (units,)
        d = s[-1]
        if d is None:
            self.unknown.append(f"{where}: the last input axis has unknown size")
            return _Out([out], None, info=info)
        kernel = d * units
        rank = c.whole("lora_rank", None, lo=0)
        if rank:
            lora = d * rank + rank * units
            return _Out([out], lora + (units if bias else 0), kernel, info)
        return _Out([out], kernel + (units if bias else 0), info=info)

    def l_Embedding(self, c: _Cfg, s: Any, pos: list, named: dict, where: str,
                    depth: int) -> _Out:
        n, dim = c.whole("input_dim", None, lo=1), c.whole("output_dim", None, lo=1)
        if n is None or dim is None:
            raise _Bad(f"{where}: 'input_dim' and 'output_dim' are required")
        out = None if s is None else s + (dim,)
        rank = c.whole("lora_rank", None, lo=0)
        if rank:
            return _Out([out], n * rank + rank * dim, n * dim,
                        {"input_dim": n, "output_dim": dim})
        return _Out([out], n * dim, info={"input_dim": n, "output_dim": dim})

    # --------------------------------------------------------------------- reshaping
    def l_Flatten(self, c: _Cfg, s: Any, pos: list, named: dict, where: str, depth: int) -> _Out:
        if s is None:
            return _Out([None])
        n = _prod(s)
        if n is None and len(s) > 1:
            self.notes.append(f"{where}: flattens {s}, which has an axis of unknown size; "
                              "the layers after it cannot be sized")
        return _Out([(n,) if s else (1,)])

    def l_Reshape(self, c: _Cfg, s: Any, pos: list, named: dict, where: str, depth: int) -> _Out:
        target = c.shape("target_shape")
        if target is None:
            raise _Bad(f"{where}: 'target_shape' is missing")
        info = {"target_shape": list(target)}
        if sum(1 for d in target if d == -1 or d is None) > 1:
            raise _Bad(f"{where}: 'target_shape' {list(target)} has more than one -1")
        if -1 not in target and None not in target:
            return _Out([tuple(target)], info=info)
        known = _prod([d for d in target if d not in (-1, None)])
        total = _prod(s) if s is not None else None
        fill = None if total is None or not known or total % known else total // known
        return _Out([tuple(fill if d in (-1, None) else d for d in target)], info=info)

    def l_RepeatVector(self, c: _Cfg, s: Any, pos: list, named: dict, where: str,
                       depth: int) -> _Out:
        n = c.whole("n", None, lo=1)
        if n is None:
            raise _Bad(f"{where}: 'n' is missing")
        return _Out([None if s is None else (n,) + s], info={"n": n})

    def l_Permute(self, c: _Cfg, s: Any, pos: list, named: dict, where: str, depth: int) -> _Out:
        dims = c.cfg.get("dims")
        if not (isinstance(dims, list) and dims and all(_is_int(d) for d in dims)
                and sorted(dims) == list(range(1, len(dims) + 1))):
            raise _Bad(f"{where}: 'dims' is {_short(dims)}; expected a permutation of 1..n")
        if s is None:
            return _Out([None], info={"dims": dims})
        if len(dims) != len(s):
            raise _Mismatch(f"{where}: 'dims' {dims} does not fit an input of shape {s}")
        return _Out([tuple(s[d - 1] for d in dims)], info={"dims": dims})

    def l_Lambda(self, c: _Cfg, s: Any, pos: list, named: dict, where: str, depth: int) -> _Out:
        declared = c.cfg.get("output_shape")
        if isinstance(declared, (list, tuple)) and len(declared) <= MAX_DEPTH and all(
                d is None or (_is_int(d) and d >= 0) for d in declared):
            return _Out([tuple(declared)], info={"output_shape": list(declared)})
        if len(pos) != 1 or s is None:
            return _Out([None])
        self.assumed = True
        self.notes.append(f"{where} does not store its output shape; assumed unchanged {s}")
        return _Out([s])

    # --------------------------------------------------------------------- normalisation
    def l_BatchNormalization(self, c: _Cfg, s: Any, pos: list, named: dict, where: str,
                             depth: int) -> _Out:
        axes = c.axes("axis", -1)
        center, scale = c.flag("center", True), c.flag("scale", True)
        info = {"axis": axes[0] if len(axes) == 1 else axes, "center": center, "scale": scale}
        if not self.needs(s, where, "BatchNormalization weights"):
            return _Out([s], None, None, info)
        n = _prod(s[_axis_index(a, len(s), where)] for a in axes)
        if n is None:
            self.unknown.append(f"{where}: the normalised axis has unknown size")
            return _Out([s], None, None, info)
        return _Out([s], n * (int(center) + int(scale)), 2 * n, info)

    def l_LayerNormalization(self, c: _Cfg, s: Any, pos: list, named: dict, where: str,
                             depth: int) -> _Out:
        axes = c.axes("axis", -1)
        center, scale = c.flag("center", True), c.flag("scale", True)
        rms = c.flag("rms_scaling", False)
        info = {"axis": axes[0] if len(axes) == 1 else axes, "center": center, "scale": scale,
                "rms_scaling": rms}
        if not self.needs(s, where, "LayerNormalization weights"):
            return _Out([s], None, info=info)
        n = _prod(s[_axis_index(a, len(s), where)] for a in axes)
        if n is None:
            self.unknown.append(f"{where}: the normalised axis has unknown size")
            return _Out([s], None, info=info)
        return _Out([s], n * (int(scale or rms) + int(center and not rms)), info=info)

    def l_GroupNormalization(self, c: _Cfg, s: Any, pos: list, named: dict, where: str,
                             depth: int) -> _Out:
        axes = c.axes("axis", -1)
        center, scale = c.flag("center", True), c.flag("scale", True)
        if not self.needs(s, where, "GroupNormalization weights"):
            return _Out([s], None)
        n = s[_axis_index(axes[0], len(s), where)]
        if n is None:
            self.unknown.append(f"{where}: the normalised axis has unknown size")
            return _Out([s], None)
        return _Out([s], n * (int(center) + int(scale)), info={"axis": axes[0]})

    def l_Normalization(self, c: _Cfg, s: Any, pos: list, named: dict, where: str,
                        depth: int) -> _Out:
        if c.cfg.get("mean") is not None:
            return _Out([s])
        raw = c.cfg.get("axis", -1)
        axes = [] if raw is None or raw == [] else c.axes("axis", -1)
        if not self.needs(s, where, "Normalization statistics"):
            return _Out([s], 0, None)
        n = _prod(s[_axis_index(a, len(s), where)] for a in axes)
        if n is None:
            self.unknown.append(f"{where}: a normalised axis has unknown size")
            return _Out([s], 0, None)
        return _Out([s], 0, 2 * n + 1)

    # --------------------------------------------------------------------- merging
    def l_merge(self, c: _Cfg, s: Any, pos: list, named: dict, where: str, depth: int) -> _Out:
        if len(pos) < 2:
            return _Out([s])
        return _Out([_broadcast(pos, where)])

    def l_Concatenate(self, c: _Cfg, s: Any, pos: list, named: dict, where: str,
                      depth: int) -> _Out:
        axis = c.whole("axis", -1, lo=-MAX_DEPTH) if c.cfg.get("axis", -1) != 0 else 0
        info = {"axis": axis}
        if not pos or any(p is None for p in pos):
            return _Out([None], info=info)
        rank = len(pos[0])
        if any(len(p) != rank for p in pos):
            raise _Mismatch(f"{where}: inputs of shapes {', '.join(map(str, pos))} have different "
                       "ranks")
        idx = _axis_index(axis, rank, where)
        dims = [p[idx] for p in pos]
        out = list(pos[0])
        out[idx] = None if None in dims else sum(dims)
        return _Out([tuple(out)], info=info)

    def attention_inputs(self, pos: list, named: dict) -> tuple:
        flat = [p for p in pos]
        query = named.get("query", flat[0] if flat else None)
        value = named.get("value", flat[1] if len(flat) > 1 else query)
        key = named.get("key", flat[2] if len(flat) > 2 else value)
        return query, value, key

    def l_Attention(self, c: _Cfg, s: Any, pos: list, named: dict, where: str,
                    depth: int) -> _Out:
        query, value, _ = self.attention_inputs(pos, named)
        n = int(c.flag("use_scale", False)) + int(c.text("score_mode", "dot") == "concat")
        out = None if query is None or value is None else query[:-1] + value[-1:]
        return _Out([out], n)

    def l_AdditiveAttention(self, c: _Cfg, s: Any, pos: list, named: dict, where: str,
                            depth: int) -> _Out:
        query, value, _ = self.attention_inputs(pos, named)
        out = None if query is None or value is None else query[:-1] + value[-1:]
        if not c.flag("use_scale", True):
            return _Out([out])
        if query is None or query[-1] is None:
            self.unknown.append(f"{where}: query shape unknown, attention scale not counted")
            return _Out([out], None)
        return _Out([out], query[-1])

    def l_MultiHeadAttention(self, c: _Cfg, s: Any, pos: list, named: dict, where: str,
                             depth: int) -> _Out:
        heads = c.whole("num_heads", None, lo=1)
        kdim = c.whole("key_dim", None, lo=1)
        if heads is None or kdim is None:
            raise _Bad(f"{where}: 'num_heads' and 'key_dim' are required")
        vdim = c.whole("value_dim", None, lo=1) or kdim
        bias = c.flag("use_bias", True)
        gate = c.flag("use_gate", False)
        info = {"num_heads": heads, "key_dim": kdim, "value_dim": vdim}
        out_shape = c.cfg.get("output_shape")
        if _is_int(out_shape):
            out_shape = [out_shape]
        if out_shape is not None and not (isinstance(out_shape, list) and out_shape and all(
                _is_int(d) and d > 0 for d in out_shape)):
            raise _Bad(f"{where}: 'output_shape' is {_short(out_shape)}; expected sizes")
        query, value, key = self.attention_inputs(pos, named)
        if any(x is None for x in (query, value, key)):
            self.unknown.append(f"{where}: input shapes unknown, attention weights not counted")
            return _Out([None], None, info=info)
        dq, dv, dk = query[-1], value[-1], key[-1]
        outs = list(out_shape) if out_shape else [dq]
        out = query[:-1] + tuple(outs)
        if None in (dq, dv, dk):
            self.unknown.append(f"{where}: a feature axis has unknown size")
            return _Out([out], None, info=info)
        b = int(bias)
        hk, hv = heads * kdim, heads * vdim
        n = dq * hk + b * hk + dk * hk + b * hk + dv * hv + b * hv
        if gate:
            n += dq * hv + b * hv
        width = _prod(outs)
        n += hv * width + b * width
        return _Out([out], n, info=info)
