"""Shapes and weights of 1D convolutions, pooling, cropping, padding and up-sampling."""

from __future__ import annotations

from typing import Any

from lstm_doctor.keras_archive._common import (
    Shape,
    _Bad,
    _Cfg,
    _conv_length,
    _is_int,
    _Mismatch,
    _Out,
    _short,
)


class _ConvLayers:
    """Handlers of the Conv1D family and the layers that resize the time axis."""

    # --------------------------------------------------------------------- convolutions
    def conv_common(self, c: _Cfg, s: Any, where: str) -> tuple:
        k = c.whole1("kernel_size", None)
        if k is None:
            raise _Bad(f"{where}: 'kernel_size' is missing")
        stride = c.whole1("strides", 1)
        dilation = c.whole1("dilation_rate", 1)
        padding = c.text("padding", "valid", ("valid", "same", "causal"))
        fmt = c.text("data_format", "channels_last", ("channels_last", "channels_first"))
        info = {"kernel_size": k, "strides": stride, "padding": padding,
                "dilation_rate": dilation, "activation": c.activation("activation"),
                "use_bias": c.flag("use_bias", True)}
        if s is not None and len(s) != 2:
            raise _Mismatch(f"{where}: input shape {s} has {len(s)} axes after the batch axis; "
                       "the layer needs 2 (steps, channels)")
        if s is None:
            return k, stride, dilation, padding, fmt, info, None, None
        length, ch = (s[0], s[1]) if fmt == "channels_last" else (s[1], s[0])
        return k, stride, dilation, padding, fmt, info, length, ch

    @staticmethod
    def conv_shape(fmt: str, length: int | None, ch: int | None) -> Shape:
        return (length, ch) if fmt == "channels_last" else (ch, length)

    def l_Conv1D(self, c: _Cfg, s: Any, pos: list, named: dict, where: str, depth: int,
                 ) -> _Out:
        filters = c.whole("filters", None, lo=1)
        if filters is None:
            raise _Bad(f"{where}: 'filters' is missing")
        groups = c.whole("groups", 1, lo=1)
        k, stride, dil, padding, fmt, info, length, ch = self.conv_common(c, s, where)
        info = {"filters": filters, **info, "groups": groups}
        if s is None:
            self.needs(s, where, "Conv1D weights")
            return _Out([None], None, info=info)
        out = self.conv_shape(fmt, _conv_length(length, k, stride, padding, dil, where), filters)
        if ch is None:
            self.unknown.append(f"{where}: the channel axis has unknown size")
            return _Out([out], None, info=info)
        if ch % groups or filters % groups:
            raise _Mismatch(f"{where}: {ch} input channels and {filters} filters are not divisible "
                       f"by groups={groups}")
        n = k * (ch // groups) * filters + (filters if info["use_bias"] else 0)
        return _Out([out], n, info=info)

    l_Convolution1D = l_Conv1D

    def l_SeparableConv1D(self, c: _Cfg, s: Any, pos: list, named: dict, where: str,
                          depth: int) -> _Out:
        filters = c.whole("filters", None, lo=1)
        if filters is None:
            raise _Bad(f"{where}: 'filters' is missing")
        dm = c.whole("depth_multiplier", 1, lo=1)
        k, stride, dil, padding, fmt, info, length, ch = self.conv_common(c, s, where)
        info = {"filters": filters, **info, "depth_multiplier": dm}
        if s is None or ch is None:
            self.needs(s, where, "SeparableConv1D weights") if s is None else \
                self.unknown.append(f"{where}: the channel axis has unknown size")
            out = None if s is None else self.conv_shape(
                fmt, _conv_length(length, k, stride, padding, dil, where), filters)
            return _Out([out], None, info=info)
        n = k * ch * dm + ch * dm * filters + (filters if info["use_bias"] else 0)
        out = self.conv_shape(fmt, _conv_length(length, k, stride, padding, dil, where), filters)
        return _Out([out], n, info=info)

    def l_DepthwiseConv1D(self, c: _Cfg, s: Any, pos: list, named: dict, where: str,
                          depth: int) -> _Out:
        dm = c.whole("depth_multiplier", 1, lo=1)
        k, stride, dil, padding, fmt, info, length, ch = self.conv_common(c, s, where)
        info = {**info, "depth_multiplier": dm}
        if s is None or ch is None:
            self.needs(s, where, "DepthwiseConv1D weights") if s is None else \
                self.unknown.append(f"{where}: the channel axis has unknown size")
            return _Out([None], None, info=info)
        n = k * ch * dm + (ch * dm if info["use_bias"] else 0)
        out = self.conv_shape(fmt, _conv_length(length, k, stride, padding, dil, where), ch * dm)
        return _Out([out], n, info=info)

    def l_Conv1DTranspose(self, c: _Cfg, s: Any, pos: list, named: dict, where: str,
                          depth: int) -> _Out:
        filters = c.whole("filters", None, lo=1)
        if filters is None:
            raise _Bad(f"{where}: 'filters' is missing")
        k, stride, dil, padding, fmt, info, length, ch = self.conv_common(c, s, where)
        if padding == "causal":
            raise _Bad(f"{where}: 'padding' 'causal' is not valid for Conv1DTranspose")
        out_pad = c.whole1("output_padding", None, lo=0)
        info = {"filters": filters, **info}
        if s is None or ch is None:
            self.needs(s, where, "Conv1DTranspose weights") if s is None else \
                self.unknown.append(f"{where}: the channel axis has unknown size")
            return _Out([None], None, info=info)
        new_len = None
        if length is not None:
            ks = k + (k - 1) * (dil - 1)
            if out_pad is None:
                new_len = length * stride + (max(ks - stride, 0) if padding == "valid" else 0)
            else:
                pad = ks // 2 if padding == "same" else 0
                new_len = (length - 1) * stride + ks - 2 * pad + out_pad
        n = k * filters * ch + (filters if info["use_bias"] else 0)
        return _Out([self.conv_shape(fmt, new_len, filters)], n, info=info)

    def l_pool(self, c: _Cfg, s: Any, pos: list, named: dict, where: str, depth: int) -> _Out:
        size = c.whole1("pool_size", 2)
        stride = c.whole1("strides", None) or size
        padding = c.text("padding", "valid", ("valid", "same"))
        fmt = c.text("data_format", "channels_last", ("channels_last", "channels_first"))
        info = {"pool_size": size, "strides": stride, "padding": padding}
        if s is None:
            return _Out([None], info=info)
        if len(s) != 2:
            raise _Mismatch(f"{where}: input shape {s} has {len(s)} axes after the batch axis; "
                       "1D pooling needs 2 (steps, channels)")
        length, ch = (s[0], s[1]) if fmt == "channels_last" else (s[1], s[0])
        if length is not None:
            steps = length
            length = (length - size) // stride + 1 if padding == "valid" else \
                (length - 1) // stride + 1
            if length < 1:
                raise _Mismatch(f"{where}: {steps} steps are too few for pool size {size}")
        return _Out([self.conv_shape(fmt, length, ch)], info=info)

    def l_global_pool(self, c: _Cfg, s: Any, pos: list, named: dict, where: str,
                      depth: int) -> _Out:
        keep = c.flag("keepdims", False)
        fmt = c.text("data_format", "channels_last", ("channels_last", "channels_first"))
        if s is None:
            return _Out([None])
        if len(s) != 2:
            raise _Mismatch(f"{where}: input shape {s} has {len(s)} axes after the batch axis; "
                       "1D pooling needs 2 (steps, channels)")
        ch = s[1] if fmt == "channels_last" else s[0]
        if not keep:
            return _Out([(ch,)])
        return _Out([(1, ch) if fmt == "channels_last" else (ch, 1)])

    def l_Cropping1D(self, c: _Cfg, s: Any, pos: list, named: dict, where: str,
                     depth: int) -> _Out:
        return self.pad_like(c, s, where, "cropping", (1, 1), -1)

    def l_ZeroPadding1D(self, c: _Cfg, s: Any, pos: list, named: dict, where: str,
                        depth: int) -> _Out:
        return self.pad_like(c, s, where, "padding", (1, 1), 1)

    def pad_like(self, c: _Cfg, s: Any, where: str, key: str, default: tuple,
                 sign: int) -> _Out:
        value = c.cfg.get(key, default)
        if _is_int(value):
            value = (value, value)
        if not (isinstance(value, (list, tuple)) and len(value) == 2
                and all(_is_int(v) and v >= 0 for v in value)):
            raise _Bad(f"{where}: '{key}' is {_short(value)}; expected an int or two")
        if s is None or not s:
            return _Out([s])
        fmt = c.cfg.get("data_format", "channels_last")
        ax = 1 if fmt == "channels_first" and len(s) > 1 else 0
        dims = list(s)
        if dims[ax] is not None:
            dims[ax] = dims[ax] + sign * (value[0] + value[1])
            if dims[ax] < 1:
                raise _Mismatch(f"{where}: cropping {list(value)} leaves no steps of {s[ax]}")
        return _Out([tuple(dims)], info={key: list(value)})

    def l_UpSampling1D(self, c: _Cfg, s: Any, pos: list, named: dict, where: str,
                       depth: int) -> _Out:
        size = c.whole("size", 2, lo=1)
        if s is None or not s:
            return _Out([s], info={"size": size})
        return _Out([(None if s[0] is None else s[0] * size,) + s[1:]], info={"size": size})
