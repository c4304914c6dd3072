"""Limits, lookup tables and small helpers shared by the reader's modules."""

from __future__ import annotations

import math
import re
import struct
from typing import Any

#: Largest ``config.json`` read from an archive (bytes); real configs are a few hundred kB.
MAX_CONFIG_BYTES = 50 * 1024 * 1024
#: Deepest nesting of models and wrappers (and of lists in a config) that is followed.
MAX_DEPTH = 64

Shape = tuple  # a tensor shape without the batch axis: ints, ``None`` for unknown sizes

_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
_RECURRENT = {"LSTM": "lstm", "GRU": "gru", "SimpleRNN": "simple_rnn"}
_CELLS = {"LSTMCell": "LSTM", "GRUCell": "GRU", "SimpleRNNCell": "SimpleRNN"}
_GATES = {"LSTM": 4, "GRU": 3, "SimpleRNN": 1}
_N_STATES = {"LSTM": 2, "GRU": 1, "SimpleRNN": 1}
_LOSSES = {
    "mse": "mse", "meansquarederror": "mse",
    "mae": "mae", "meanabsoluteerror": "mae",
    "huber": "huber", "huberloss": "huber",
    "logcosh": "log_cosh", "logcoshloss": "log_cosh", "logcosherror": "log_cosh",
    "mape": "mape", "meanabsolutepercentageerror": "mape",
    "msle": "msle", "meansquaredlogarithmicerror": "msle",
}
_SAME_SHAPE = frozenset({
    "Dropout", "SpatialDropout1D", "GaussianNoise", "GaussianDropout", "AlphaDropout",
    "ActivityRegularization", "Masking", "Activation", "ReLU", "LeakyReLU", "ELU", "Softmax",
    "ThresholdedReLU", "Identity", "UnitNormalization",
})
_POOL = frozenset({"MaxPooling1D", "AveragePooling1D", "MaxPool1D", "AvgPool1D"})
_GLOBAL_POOL = frozenset({"GlobalAveragePooling1D", "GlobalMaxPooling1D",
                          "GlobalAvgPool1D", "GlobalMaxPool1D"})
_MERGE = frozenset({"Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"})
_MODELS = frozenset({"Sequential", "Functional", "Model"})
_ELEMENTWISE_OPS = frozenset({
    "Add", "Subtract", "Multiply", "Divide", "TrueDivide", "Power", "Maximum", "Minimum",
    "Abs", "Absolute", "Negative", "Exp", "Log", "Sqrt", "Square", "Relu", "Sigmoid", "Tanh",
    "Clip", "Cast", "__operators__.add", "math.multiply", "math.add", "math.subtract",
})
# config keys worth keeping in LayerInfo.config (activations are normalised to names)
_INFO_KEYS = (
    "units", "activation", "recurrent_activation", "use_bias", "return_sequences",
    "return_state", "stateful", "go_backwards", "dropout", "recurrent_dropout", "reset_after",
    "filters", "kernel_size", "strides", "padding", "dilation_rate", "groups",
    "depth_multiplier", "pool_size", "data_format", "keepdims", "rate", "merge_mode",
    "target_shape", "n", "dims", "axis", "center", "scale", "rms_scaling", "num_heads",
    "key_dim", "value_dim", "input_dim", "output_dim", "cropping", "size", "trainable",
)


class _Bad(Exception):
    """A malformed configuration; the message says where and what (no file name)."""


class _Mismatch(_Bad):
    """Shapes that do not fit a layer: malformed, unless an earlier shape was assumed."""


def _short(value: Any, limit: int = 60) -> str:
    """A value as it was found (``repr``), on one line and cut to ``limit`` characters."""
    return _name(repr(value), limit)


def _name(value: Any, limit: int = 40) -> str:
    """A name or message as text, on one line and cut to ``limit`` characters."""
    text = _one_line(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _one_line(value: Any) -> str:
    return " ".join(str(value).split())


def _snake(name: str) -> str:
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name)
    return name.replace("-", "_").replace(" ", "_").lower()


def _plain_class(name: str) -> str:
    """``"Custom>Adam"`` / ``"keras.optimizers.legacy.Adam"`` -> ``"Adam"``."""
    return name.rsplit(">", 1)[-1].rsplit(".", 1)[-1]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _prod(dims: Any) -> int | None:
    total = 1
    for d in dims:
        if d is None:
            return None
        total *= d
    return total


def _add(*counts: int | None) -> int | None:
    if any(c is None for c in counts):
        return None
    return sum(counts)  # type: ignore[arg-type]


_ACTIVATION_CLASSES = {"LeakyReLU": "leaky_relu", "ReLU": "relu", "PReLU": "prelu",
                       "ELU": "elu", "Softmax": "softmax", "ThresholdedReLU": "thresholded_relu"}


def _clean_float(value: float | None) -> float | None:
    """A float32 value saved as a double (``0.0010000000474974513``) -> ``0.001``."""
    if value is None or not math.isfinite(value) or abs(value) > 3e38:
        return value
    packed = struct.pack("<f", value)
    if struct.unpack("<f", packed)[0] != value:
        return value
    for digits in range(1, 10):
        short = float(f"{value:.{digits}g}")
        if struct.pack("<f", short) == packed:
            return short
    return value


def _activation_name(value: Any, where: str) -> str:
    """Name of an activation given as a string, ``None`` (linear) or a serialized object."""
    if value is None:
        return "linear"
    if isinstance(value, str):
        return value.lower() if value else "linear"
    if isinstance(value, dict):
        cfg = value.get("config")
        if isinstance(cfg, str) and cfg:
            return cfg.lower()
        reg = value.get("registered_name")
        if isinstance(reg, str) and reg and value.get("class_name") == "function":
            return _plain_class(reg).lower()
        if isinstance(cfg, dict) and isinstance(cfg.get("name"), str) and cfg["name"] \
                and value.get("class_name") in (None, "function"):
            return cfg["name"].lower()
        cls = value.get("class_name")
        if isinstance(cls, str) and cls and cls != "function":
            plain = _plain_class(cls)
            return _ACTIVATION_CLASSES.get(plain, _snake(plain))
    raise _Bad(f"{where} is {_short(value)}; expected an activation name")


def _cap_notes(notes: list[str], limit: int = 50) -> tuple[str, ...]:
    """Distinct notes, at most ``limit`` of them (a huge model must not flood a report)."""
    unique = list(dict.fromkeys(notes))
    if len(unique) <= limit:
        return tuple(unique)
    return (*unique[: limit - 1], f"... and {len(unique) - limit + 1} more notes")


class _Out:
    """The result of building one layer: its outputs and the weights it owns."""

    __slots__ = ("outs", "trainable", "non_trainable", "info", "wrapped")

    def __init__(self, outs: list, trainable: int | None = 0, non_trainable: int | None = 0,
                 info: dict | None = None, wrapped: str | None = None) -> None:
        self.outs = outs
        self.trainable = trainable
        self.non_trainable = non_trainable
        self.info = info or {}
        self.wrapped = wrapped


class _Cfg:
    """Typed access to one layer's ``config`` with messages that say where a value is wrong."""

    def __init__(self, cfg: dict, where: str) -> None:
        self.cfg = cfg
        self.where = where

    def _bad(self, key: str, value: Any, expected: str) -> _Bad:
        return _Bad(f"{self.where}: '{key}' is {_short(value)}; expected {expected}")

    def whole(self, key: str, default: Any = None, lo: int = 0) -> Any:
        value = self.cfg.get(key, default)
        if value is None:
            return default
        if isinstance(value, float) and value.is_integer() and not isinstance(value, bool):
            value = int(value)
        if not _is_int(value) or value < lo:
            raise self._bad(key, value, f"a whole number >= {lo}")
        return value

    def whole1(self, key: str, default: Any = None, lo: int = 1) -> Any:
        """An int or a one-element list of int (``kernel_size: [3]``)."""
        value = self.cfg.get(key, default)
        if isinstance(value, (list, tuple)) and len(value) == 1:
            value = value[0]
        if value is None:
            return default
        if not _is_int(value) or value < lo:
            raise self._bad(key, value, f"a whole number >= {lo} or a list of one")
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.cfg.get(key, default)
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self._bad(key, value, "true or false")
        return value

    def number(self, key: str, default: float | None = 0.0) -> float | None:
        value = self.cfg.get(key, default)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)) \
                or not math.isfinite(value):
            raise self._bad(key, value, "a finite number")
        return _clean_float(float(value))

    def text(self, key: str, default: str | None, choices: tuple | None = None) -> Any:
        value = self.cfg.get(key, default)
        if value is None:
            return default
        if not isinstance(value, str) or (choices is not None and value not in choices):
            allowed = ", ".join(repr(c) for c in choices) if choices else "a string"
            raise self._bad(key, value, allowed if not choices else f"one of {allowed}")
        return value

    def axes(self, key: str, default: Any) -> list[int]:
        value = self.cfg.get(key, default)
        if value is None:
            value = default
        if _is_int(value):
            return [value]
        if isinstance(value, (list, tuple)) and value and all(_is_int(v) for v in value):
            return list(value)
        raise self._bad(key, value, "an axis number or a list of them")

    def shape(self, key: str) -> Shape | None:
        value = self.cfg.get(key)
        if value is None:
            return None
        if isinstance(value, (list, tuple)) and len(value) <= MAX_DEPTH and all(
                v is None or (_is_int(v) and v >= -1) for v in value):
            return tuple(value)
        raise self._bad(key, value, "a list of sizes")

    def activation(self, key: str, default: str | None = "linear") -> str | None:
        if key not in self.cfg:
            return default
        return _activation_name(self.cfg[key], f"{self.where}: '{key}'")


def _batch_shape(value: Any, where: str) -> tuple[Any, Shape] | None:
    """``[batch, d1, ...]`` -> ``(batch, (d1, ...))``; ``None`` for a missing/empty value."""
    if value is None:
        return None
    if not isinstance(value, (list, tuple)) or not value or len(value) > MAX_DEPTH or not all(
            v is None or (_is_int(v) and v >= 0) for v in value):
        raise _Bad(f"{where} is {_short(value)}; expected a list of sizes")
    return value[0], tuple(value[1:])


def _recorded_input(spec: dict) -> Shape | None:
    """The single input shape Keras recorded in ``build_config`` (without batch)."""
    build = spec.get("build_config")
    if not isinstance(build, dict):
        return None
    shape = build.get("input_shape")
    if isinstance(shape, (list, tuple)) and 1 <= len(shape) <= MAX_DEPTH and all(
            v is None or (_is_int(v) and v >= 0) for v in shape):
        return tuple(shape[1:])
    return None


def _axis_index(axis: int, rank: int, where: str) -> int:
    """A Keras axis (counted with the batch axis) -> an index into a shape without it."""
    idx = axis - 1 if axis > 0 else rank + axis
    if axis == 0 or not 0 <= idx < rank:
        raise _Mismatch(f"{where}: axis {axis} does not fit an input of rank {rank + 1}")
    return idx


def _conv_length(length: int | None, kernel: int, stride: int, padding: str,
                 dilation: int, where: str) -> int | None:
    if length is None:
        return None
    if padding == "valid":
        out = (length - dilation * (kernel - 1) - 1) // stride + 1
    else:
        out = (length - 1) // stride + 1
    if out < 1:
        raise _Mismatch(f"{where}: {length} steps are too few for kernel {kernel} "
                        f"(dilation {dilation}, {padding} padding)")
    return out


def _broadcast(shapes: list, where: str) -> Shape | None:
    known = [s for s in shapes if s is not None]
    if len(known) != len(shapes) or not known:
        return None
    rank = max(len(s) for s in known)
    out = []
    for i in range(rank):
        dims = [s[len(s) - rank + i] for s in known if len(s) - rank + i >= 0]
        sizes = {d for d in dims if d is not None and d != 1}
        if len(sizes) > 1:
            raise _Mismatch(f"{where}: inputs of shapes {', '.join(map(str, known))} do not match")
        if sizes:
            out.append(sizes.pop())
        elif None in dims:
            out.append(None)
        else:
            out.append(1)
    return tuple(out)
