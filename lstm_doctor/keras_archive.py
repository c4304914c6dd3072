"""Describe a saved Keras ``.keras`` archive truthfully, without importing TensorFlow or Keras.

A ``.keras`` file is a zip archive; its ``config.json`` holds the model's architecture and
compile configuration (the weights live in ``model.weights.h5``, which is not read here).
:func:`read_keras_archive` walks that configuration the way Keras builds the model: it
propagates shapes layer by layer (Sequential models, and functional graphs through their
``inbound_nodes``), counts every layer's weights exactly as Keras 3 creates them, and reads
the loss, optimizer and learning-rate schedule from ``compile_config``.

Shapes recorded by Keras in the archive (a layer's ``build_config`` and the shapes of the
tensors in a functional graph) take precedence over propagated ones, so an unfamiliar or
opaque layer (a ``Lambda``, a custom layer) does not spoil the counts of the layers after it.
Where a count cannot be determined, ``trainable_params`` is ``None`` and ``notes`` says why;
nothing is guessed silently.

Both the Keras 3 format and the Keras 2 (``tf.keras``) flavour of ``.keras`` configs are
understood (``batch_shape``/``batch_input_shape``, dict/list ``inbound_nodes``). A malformed
archive raises :class:`~lstm_doctor.errors.InputError` with a one-line message naming the file.
"""

from __future__ import annotations

import functools
import json
import math
import re
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lstm_doctor.errors import InputError

__all__ = [
    "MAX_CONFIG_BYTES",
    "MAX_DEPTH",
    "KerasArchive",
    "LayerInfo",
    "count_trainable",
    "describe_keras_config",
    "read_keras_archive",
]

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


@dataclass(frozen=True)
class LayerInfo:
    """One layer as the archive describes it.

    Attributes
    ----------
    class_name : str
        Keras class, e.g. ``"LSTM"``, ``"Bidirectional"``, ``"Dense"``.
    name : str
        The layer's name in the model.
    trainable_params, non_trainable_params : int or None
        Weights the layer owns (``None`` when they cannot be determined).
    output_shape : tuple or None
        The (first) output's shape without the batch axis; ``None`` entries are unknown sizes.
    config : dict
        The relevant configuration keys (units, activation, filters, ...); a wrapper shows
        its inner layer's keys.
    wrapped : str or None
        Inner class of a ``Bidirectional``/``TimeDistributed`` wrapper (or an ``RNN`` cell).
    """

    class_name: str
    name: str
    trainable_params: int | None
    non_trainable_params: int | None
    output_shape: tuple | None
    config: dict = field(default_factory=dict)
    wrapped: str | None = None


@dataclass(frozen=True)
class KerasArchive:
    """What a saved ``.keras`` model is, read from its ``config.json``.

    Attributes
    ----------
    path : str
        The archive read.
    layers : tuple of LayerInfo
        All layers in order (Sequential order, or a functional model's topological order;
        nested models are flattened into it).
    trainable_params, non_trainable_params : int or None
        Exact counts as Keras reports them; ``None`` when they cannot be determined (the
        reason is in ``notes``).
    input_shape : tuple or None
        The (first) input's shape without the batch axis, e.g. ``(None, 1)``, ``(60, 1)``.
    batch_size : int or None
        Fixed batch size from ``batch_shape[0]`` (stateful models), else ``None``.
    seq_length : int or None
        Length of the time axis; ``None`` when the model accepts any length.
    n_features : int or None
        Values per time step (the input's last axis).
    stateful : bool
        Whether any recurrent layer is stateful.
    recurrent : tuple of dict
        One dict per recurrent layer: ``class``, ``units``, ``activation``,
        ``recurrent_activation``, ``dropout``, ``recurrent_dropout``, ``return_sequences``,
        ``bidirectional``, ``stateful`` (and ``name``, ``use_bias``, ``merge_mode``).
    cell : str or None
        ``"lstm"``, ``"gru"`` or ``"simple_rnn"`` of the first recurrent layer.
    conv : dict or None
        The first ``Conv1D`` before the recurrent layers: ``filters``, ``kernel_size``,
        ``strides``, ``padding``, ``dilation_rate``, ``activation``, ``time_distributed``.
    head : tuple of int
        Units of the hidden Dense layers after the last recurrent layer (output excluded).
    head_activation : str or None
        Activation of the first hidden Dense layer of the head.
    output_units : int or None
        Width of the final output (its last axis, or the last Dense layer's units).
    loss : str or None
        ``"mse"``, ``"mae"``, ``"huber"``, ``"log_cosh"``, ``"mape"``, ``"msle"``, or the raw
        name of any other loss.
    loss_config : dict
        Loss arguments, e.g. ``{"delta": 1.0}`` for Huber.
    optimizer : str or None
        Lower-cased optimizer class (``adam``, ``sgd``, ``rmsprop``, ...).
    learning_rate : float or None
        The initial learning rate (a schedule's ``initial_learning_rate``).
    lr_schedule : str or None
        ``"constant"`` or the schedule's snake_case name (``exponential_decay``, ...).
    momentum : float or None
        The optimizer's ``momentum`` when it has one.
    nesterov : bool or None
        SGD's ``nesterov`` flag when present.
    compiled : bool
        Whether the archive holds a compile configuration.
    notes : tuple of str
        Human-readable remarks about what was found or could not be determined.
    lookback_as_features : bool
        The time axis has length 1 while each step has several values: look-back values
        passed as features (``reshape(X, (n, 1, look_back))``).
    """

    path: str
    layers: tuple[LayerInfo, ...]
    trainable_params: int | None
    non_trainable_params: int | None
    input_shape: tuple | None
    batch_size: int | None
    seq_length: int | None
    n_features: int | None
    stateful: bool
    recurrent: tuple[dict, ...]
    cell: str | None
    conv: dict | None
    head: tuple[int, ...]
    head_activation: str | None
    output_units: int | None
    loss: str | None
    loss_config: dict
    optimizer: str | None
    learning_rate: float | None
    lr_schedule: str | None
    momentum: float | None
    nesterov: bool | None
    compiled: bool
    notes: tuple[str, ...]
    lookback_as_features: bool

    @property
    def total_params(self) -> int | None:
        """Trainable plus non-trainable parameters (``None`` when either is unknown)."""
        if self.trainable_params is None or self.non_trainable_params is None:
            return None
        return self.trainable_params + self.non_trainable_params

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (tuples become lists)."""
        def plain(value: Any) -> Any:
            if isinstance(value, LayerInfo):
                return {k: plain(getattr(value, k)) for k in value.__dataclass_fields__}
            if isinstance(value, (list, tuple)):
                return [plain(v) for v in value]
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            return value

        return {k: plain(getattr(self, k)) for k in self.__dataclass_fields__}


class _Bad(Exception):
    """A malformed configuration; the message says where and what (no file name)."""


class _Mismatch(_Bad):
    """Shapes that do not fit a layer: malformed, unless an earlier shape was assumed."""


# --------------------------------------------------------------------------------- reading


def read_keras_archive(path: str | Path) -> KerasArchive:
    """Describe a saved ``.keras`` model from its ``config.json`` (TensorFlow is not imported).

    Parameters
    ----------
    path : str or Path
        A file written by ``model.save('model.keras')``.

    Returns
    -------
    KerasArchive
        Layers, exact parameter counts, input shape, recurrent set-up, loss and optimizer.

    Raises
    ------
    InputError
        The file is missing, not a zip archive (e.g. a legacy HDF5 ``.h5`` model), has no or
        an oversized ``config.json``, or its configuration is malformed. The message is one
        line naming the file.
    """
    p = Path(path)
    label = f"model file '{p}'"
    resave = "re-save the model with model.save('model.keras') and pass that"
    if not p.exists():
        raise InputError(f"{label} does not exist; check the path")
    if p.is_dir():
        if (p / "saved_model.pb").exists():
            raise InputError(f"{label} is a TensorFlow SavedModel directory, which is not read; "
                             f"load it and {resave}")
        raise InputError(f"{label} is a directory; give a .keras file saved with "
                         "model.save('model.keras')")
    if not p.is_file():
        raise InputError(f"{label} is not a regular file; give a .keras file saved with "
                         "model.save('model.keras')")
    try:
        with p.open("rb") as fh:
            magic = fh.read(8)
    except OSError as exc:
        raise InputError(f"{label} cannot be read ({exc.__class__.__name__}: "
                         f"{_one_line(exc.strerror or exc)}); check its permissions") from None
    if magic.startswith(_HDF5_MAGIC) or p.suffix.lower() in (".h5", ".hdf5"):
        raise InputError(f"{label} is a legacy HDF5 model, which is not read; {resave}")
    if not magic.startswith(b"PK"):
        raise InputError(f"{label} is not a zip archive (a .keras model is one); {resave}")
    try:
        with zipfile.ZipFile(p) as zf:
            try:
                info = zf.getinfo("config.json")
            except KeyError:
                names = ", ".join(_name(n, 30) for n in zf.namelist()[:5]) or "nothing"
                raise _Bad(f"is a zip archive without config.json (found: {names}), so not a "
                           f"Keras .keras model; {resave}") from None
            if info.file_size > MAX_CONFIG_BYTES:
                raise _Bad(f"has a config.json of {info.file_size:,} bytes, more than the "
                           f"{MAX_CONFIG_BYTES:,} read; {resave}")
            with zf.open(info) as member:
                raw = member.read(MAX_CONFIG_BYTES + 1)
            if len(raw) > MAX_CONFIG_BYTES:
                raise _Bad(f"has a config.json larger than the {MAX_CONFIG_BYTES:,} bytes "
                           f"read; {resave}")
    except _Bad as exc:
        raise InputError(f"{label} {exc}") from None
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, RuntimeError,
            NotImplementedError, ValueError) as exc:
        raise InputError(f"{label} is a damaged or unsupported zip archive "
                         f"({exc.__class__.__name__}: {_name(exc, 80)}); {resave}") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"{label}: config.json is not UTF-8 text; {resave}") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{label}: config.json is not valid JSON ({exc.msg} at line "
                         f"{exc.lineno} column {exc.colno}); {resave}") from None
    except RecursionError:
        raise InputError(f"{label}: config.json is nested too deeply to be a Keras model "
                         f"config; {resave}") from None
    except ValueError as exc:  # e.g. an integer with more digits than Python converts
        raise InputError(f"{label}: config.json cannot be read ({_name(exc, 80)}); "
                         f"{resave}") from None
    return describe_keras_config(data, path=str(p))


def describe_keras_config(config: Any, *, path: str = "config.json") -> KerasArchive:
    """Describe a model from an already parsed ``config.json`` (see :func:`read_keras_archive`).

    Parameters
    ----------
    config : dict
        The parsed ``config.json`` of a ``.keras`` archive (``model.to_json()`` is the same
        without ``compile_config``).
    path : str, optional
        Name used in messages and stored as :attr:`KerasArchive.path`.

    Returns
    -------
    KerasArchive

    Raises
    ------
    InputError
        One line naming ``path`` when the configuration is malformed.
    """
    label = f"model file '{path}'"
    fix = "the archive's config.json is malformed: re-save the model with model.save('model.keras')"
    try:
        return _Reader(path).read(config)
    except InputError:
        raise
    except _Bad as exc:
        raise InputError(_one_line(f"{label}: {exc}; {fix}")) from None
    except RecursionError:
        raise InputError(f"{label}: config.json is nested too deeply; {fix}") from None
    except (KeyError, TypeError, ValueError, AttributeError, IndexError, OverflowError,
            ZeroDivisionError, MemoryError) as exc:
        raise InputError(_one_line(f"{label}: config.json could not be interpreted "
                                   f"({exc.__class__.__name__}: {_name(exc, 80)}); {fix}")
                         ) from None


def count_trainable(archive_or_config: KerasArchive | dict | str | Path) -> int | None:
    """Exact trainable parameter count of a saved model.

    Parameters
    ----------
    archive_or_config : KerasArchive, dict, str or Path
        A described archive, a parsed ``config.json``, or the path of a ``.keras`` file.

    Returns
    -------
    int or None
        ``None`` when the count cannot be determined (see ``KerasArchive.notes``).
    """
    if isinstance(archive_or_config, KerasArchive):
        return archive_or_config.trainable_params
    if isinstance(archive_or_config, dict):
        return describe_keras_config(archive_or_config).trainable_params
    return read_keras_archive(archive_or_config).trainable_params


# ------------------------------------------------------------------------ small helpers


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


# -------------------------------------------------------------------------------- reader


class _Reader:
    """Walks one configuration; collects layers, notes and the reasons counts are unknown."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.layers: list[LayerInfo] = []
        self.notes: list[str] = []
        self.unknown: list[str] = []
        self.input: tuple[Any, Shape] | None = None  # (batch, shape) of the first input
        self.any_input: tuple[Any, Shape] | None = None  # the first InputLayer at any depth
        self.assumed = False  # a shape was assumed (Lambda): later misfits are not errors
        self.n_inputs = 0
        self.n_outputs = 1

    # ---------------------------------------------------------------------- top level
    def read(self, data: Any) -> KerasArchive:
        if not isinstance(data, dict):
            raise _Bad(f"config.json holds {type(data).__name__ if data is not None else 'null'}"
                       ", not a model description (a mapping with 'class_name' and 'config')")
        if "class_name" not in data and isinstance(data.get("model_config"), dict):
            data = {**data["model_config"], "compile_config": data.get("compile_config")}
        cls = data.get("class_name")
        cfg = data.get("config")
        if not isinstance(cls, str) or not isinstance(cfg, dict):
            raise _Bad("config.json has no model 'class_name' and 'config' mapping")
        if not isinstance(cfg.get("layers"), list):
            raise _Bad(f"model class '{_name(cls, 40)}' lists no layers (a subclassed model "
                       "stores only its constructor arguments); build it with "
                       "keras.Sequential or the functional API, or describe the set-up in a "
                       "config file")
        trainable = _Cfg(cfg, "model").flag("trainable", True)
        outs, tr, nt = self.model(data, None, "model", 0, trainable, top=True)
        return self.summarise(data, outs, tr, nt)

    # ----------------------------------------------------------------------- models
    def model(self, spec: dict, inputs: list | None, where: str, depth: int, trainable: bool,
              *, record: bool = True, top: bool = False) -> tuple[list, int | None, int | None]:
        """Walk a Sequential or functional model given as a layer spec."""
        if depth > MAX_DEPTH:
            raise _Bad(f"{where}: models and wrappers are nested more than {MAX_DEPTH} deep")
        cfg = spec["config"]
        layers = cfg.get("layers")
        if not isinstance(layers, list):
            raise _Bad(f"{where}: 'layers' is {_short(layers)}; expected a list of layers")
        for i, lay in enumerate(layers):
            if not isinstance(lay, dict):
                raise _Bad(f"{where}: layer {i} is {_short(lay)}; expected a mapping with "
                           "'class_name' and 'config'")
        functional = "input_layers" in cfg or any("inbound_nodes" in lay and
                                                  lay.get("inbound_nodes") for lay in layers)
        if functional:
            return self.functional(spec, inputs, where, depth, trainable, record, top)
        return self.sequential(spec, inputs, where, depth, trainable, record, top)

    def sequential(self, spec: dict, inputs: list | None, where: str, depth: int,
                   trainable: bool, record: bool, top: bool) -> tuple[list, Any, Any]:
        cfg = spec["config"]
        given = inputs[0] if inputs else None
        fallback = None  # (batch, shape) recorded for the whole model
        if cfg.get("build_input_shape") is not None:
            fallback = _batch_shape(cfg["build_input_shape"], f"{where}: 'build_input_shape'")
        if fallback is None and _recorded_input(spec) is not None:
            fallback = (spec["build_config"]["input_shape"][0], _recorded_input(spec))
        declared = None  # (batch, shape) from an InputLayer or a first layer's batch shape
        shape: Shape | None = given if given is not None else (fallback[1] if fallback else None)
        tr: int | None = 0
        nt: int | None = 0
        outs: list = [shape]
        first = True
        for i, lay in enumerate(cfg["layers"]):
            lwhere = self.where(lay, i, where)
            lcfg = lay.get("config")
            if lay.get("class_name") == "InputLayer":
                got = self.input_layer(lay, lwhere)
                if got is not None:
                    declared = declared or got
                    if given is None:
                        shape = got[1]
                if record and top:  # a nested model's own input is no layer of the whole
                    self.layers.append(LayerInfo("InputLayer", self.name(lay, i), 0, 0, shape))
                outs = [shape]
                continue
            if first and isinstance(lcfg, dict):
                for key in ("batch_input_shape", "batch_shape"):
                    if lcfg.get(key) is not None:
                        got = _batch_shape(lcfg[key], f"{lwhere}: '{key}'")
                        declared = declared or got
                        if given is None and got is not None:
                            shape = got[1]
                        break
            recorded = _recorded_input(lay)
            if recorded is not None:
                if first and fallback is None:
                    fallback = (lay["build_config"]["input_shape"][0], recorded)
                shape = recorded
            first = False
            out = self.layer(lay, [shape], {}, lwhere, depth, trainable, record, i)
            tr, nt = _add(tr, out.trainable), _add(nt, out.non_trainable)
            outs = out.outs
            shape = outs[0] if outs else None
            if isinstance(shape, list):
                shape = None
        if top:
            self.input = declared or fallback
            self.n_inputs = 1 if self.input else 0
        return outs, tr, nt

    def functional(self, spec: dict, inputs: list | None, where: str, depth: int,
                   trainable: bool, record: bool, top: bool) -> tuple[list, Any, Any]:
        cfg = spec["config"]
        layers = cfg["layers"]
        input_refs = self.refs(cfg.get("input_layers"), f"{where}: 'input_layers'")
        output_refs = self.refs(cfg.get("output_layers"), f"{where}: 'output_layers'")
        given = {}
        if inputs:
            for ref, shape in zip(input_refs, inputs, strict=False):
                given[ref[0]] = shape
        tensors: dict[tuple, Shape | None] = {}
        tr: int | None = 0
        nt: int | None = 0
        names: set[str] = set()
        for i, lay in enumerate(layers):
            lwhere = self.where(lay, i, where)
            name = lay.get("name")
            if name is None and isinstance(lay.get("config"), dict):
                name = lay["config"].get("name")
            if not isinstance(name, str):
                raise _Bad(f"{lwhere}: functional layer without a 'name' string")
            if name in names:
                raise _Bad(f"{lwhere}: layer name '{_name(name, 40)}' appears twice")
            names.add(name)
            cls = lay.get("class_name")
            if cls == "InputLayer":
                got = self.input_layer(lay, lwhere)
                shape = given.get(name, got[1] if got else None)
                if top and got is not None and (not input_refs or name == input_refs[0][0]):
                    if self.input is None:
                        self.input = got
                tensors[(name, 0, 0)] = shape
                if record and top:
                    self.layers.append(LayerInfo("InputLayer", name, 0, 0, shape))
                continue
            nodes = lay.get("inbound_nodes", [])
            if not isinstance(nodes, list):
                raise _Bad(f"{lwhere}: 'inbound_nodes' is {_short(nodes)}; expected a list")
            if not nodes:
                shape = _recorded_input(lay)
                nodes_inputs: list = [([shape], {})]
            else:
                nodes_inputs = [self.node_inputs(node, tensors, f"{lwhere} node {k}")
                                for k, node in enumerate(nodes)]
            for k, (pos, named) in enumerate(nodes_inputs):
                out = self.layer(lay, pos, named, lwhere, depth, trainable,
                                 record and k == 0, i, count=k == 0)
                for t, shape in enumerate(out.outs):
                    tensors[(name, k, t)] = shape
                if k == 0:
                    tr, nt = _add(tr, out.trainable), _add(nt, out.non_trainable)
        if top:
            self.n_inputs = len(input_refs)
            self.n_outputs = len(output_refs)
            if self.input is None and input_refs:
                self.unknown.append("the model's input shape is not recorded")
        outs = [tensors.get(ref[:3]) for ref in output_refs]
        return outs, tr, nt

    def refs(self, value: Any, where: str) -> list[tuple]:
        """``input_layers``/``output_layers``: one ``[name, node, tensor]`` or a list of them."""
        if value is None:
            return []
        if isinstance(value, dict):
            value = list(value.values())
        if not isinstance(value, list):
            raise _Bad(f"{where} is {_short(value)}; expected [layer name, node, tensor] lists")
        if len(value) == 3 and isinstance(value[0], str):
            value = [value]
        refs = []
        for ref in value:
            if not (isinstance(ref, list) and len(ref) >= 3 and isinstance(ref[0], str)
                    and _is_int(ref[1]) and _is_int(ref[2])):
                raise _Bad(f"{where} has {_short(ref)}; expected [layer name, node, tensor]")
            refs.append((ref[0], ref[1], ref[2]))
        return refs

    def node_inputs(self, node: Any, tensors: dict, where: str) -> tuple[list, dict]:
        """Input shapes of one call: positional tensors in order, keyword tensors by name."""
        pos: list = []
        named: dict = {}
        if isinstance(node, dict):  # Keras 3: {"args": [...], "kwargs": {...}}
            args = node.get("args", [])
            kwargs = node.get("kwargs", {})
            if not isinstance(args, list) or not isinstance(kwargs, dict):
                raise _Bad(f"{where}: expected 'args' list and 'kwargs' mapping")
            self.collect(args, tensors, pos, where, 0)
            for key, value in kwargs.items():
                found: list = []
                self.collect(value, tensors, found, where, 0)
                if found and key not in ("mask", "training", "initial_state"):
                    named[key] = found[0] if len(found) == 1 else found
            return pos, named
        if isinstance(node, list):  # Keras 2: [[name, node, tensor, kwargs], ...]
            for ref in node:
                if not (isinstance(ref, list) and len(ref) >= 3 and isinstance(ref[0], str)
                        and _is_int(ref[1]) and _is_int(ref[2])):
                    raise _Bad(f"{where}: inbound entry {_short(ref)} is not "
                               "[layer name, node, tensor, kwargs]")
                pos.append(tensors.get((ref[0], ref[1], ref[2])))
            return pos, named
        raise _Bad(f"{where} is {_short(node)}; expected a mapping or a list")

    def collect(self, value: Any, tensors: dict, out: list, where: str, depth: int) -> None:
        """Append the shapes of every ``__keras_tensor__`` in ``value`` (depth-first)."""
        if depth > MAX_DEPTH:
            raise _Bad(f"{where}: call arguments are nested more than {MAX_DEPTH} deep")
        if isinstance(value, list):
            for v in value:
                self.collect(v, tensors, out, where, depth + 1)
        elif isinstance(value, dict):
            if value.get("class_name") == "__keras_tensor__":
                tcfg = value.get("config")
                if not isinstance(tcfg, dict):
                    raise _Bad(f"{where}: a tensor without a 'config' mapping")
                hist = tcfg.get("keras_history")
                recorded = _batch_shape(tcfg.get("shape"), f"{where}: tensor 'shape'") \
                    if tcfg.get("shape") is not None else None
                if recorded is not None:
                    out.append(recorded[1])
                elif (isinstance(hist, list) and len(hist) >= 3 and isinstance(hist[0], str)
                      and _is_int(hist[1]) and _is_int(hist[2])):
                    out.append(tensors.get((hist[0], hist[1], hist[2])))
                else:
                    raise _Bad(f"{where}: a tensor without 'shape' or 'keras_history'")

    # ----------------------------------------------------------------------- layers
    @staticmethod
    def where(lay: dict, i: int, parent: str) -> str:
        cls = lay.get("class_name")
        cfg = lay.get("config")
        name = cfg.get("name") if isinstance(cfg, dict) else None
        if not isinstance(name, str):
            name = lay.get("name") if isinstance(lay.get("name"), str) else None
        label = f"layer {i}" if parent == "model" else f"{parent} > layer {i}"
        label += f" '{_name(name, 40)}'" if name else ""
        return label + (f" ({_name(cls, 40)})" if isinstance(cls, str) else "")

    @staticmethod
    def name(lay: dict, i: int) -> str:
        cfg = lay.get("config")
        name = cfg.get("name") if isinstance(cfg, dict) else None
        if not isinstance(name, str):
            name = lay.get("name")
        return name if isinstance(name, str) else f"layer_{i}"

    def input_layer(self, lay: dict, where: str) -> tuple[Any, Shape] | None:
        cfg = lay.get("config")
        if not isinstance(cfg, dict):
            raise _Bad(f"{where}: 'config' is {_short(cfg)}; expected a mapping")
        got = None
        for key in ("batch_shape", "batch_input_shape"):
            if cfg.get(key) is not None:
                got = _batch_shape(cfg[key], f"{where}: '{key}'")
                break
        else:
            if cfg.get("shape") is not None:
                got = _batch_shape([None, *cfg["shape"]] if isinstance(cfg["shape"], list)
                                   else cfg["shape"], f"{where}: 'shape'")
                if got is not None:
                    batch = cfg.get("batch_size")
                    got = (batch if _is_int(batch) else None, got[1])
        if self.any_input is None:
            self.any_input = got
        return got

    def layer(self, lay: dict, pos: list, named: dict, where: str, depth: int,
              parent_trainable: bool, record: bool, index: int, *, count: bool = True) -> _Out:
        """Build one layer spec on the given input shapes; record it and return its result."""
        if depth > MAX_DEPTH:
            raise _Bad(f"{where}: models and wrappers are nested more than {MAX_DEPTH} deep")
        cls = lay.get("class_name")
        cfg = lay.get("config")
        if not isinstance(cls, str) or not cls:
            raise _Bad(f"{where}: 'class_name' is {_short(cls)}; expected a layer class name")
        if not isinstance(cfg, dict):
            raise _Bad(f"{where}: 'config' is {_short(cfg)}; expected a mapping")
        c = _Cfg(cfg, where)
        trainable = parent_trainable and c.flag("trainable", True)
        module = lay.get("module")
        is_op = isinstance(module, str) and (module.startswith("keras.src.ops")
                                             or module.startswith("keras.ops"))
        n_unknown = len(self.unknown)
        if is_op or cls in ("TFOpLambda", "SlicingOpLambda"):
            out = self.op(cls, pos, where)
        elif isinstance(cfg.get("layers"), list):
            outs, tr, nt = self.model(lay, pos, where, depth + 1, trainable, record=record)
            if not count:
                del self.unknown[n_unknown:]
            return _Out(outs, tr, nt)  # its layers are recorded and counted already
        else:
            handler = None
            if cls.isidentifier() and cls[0].isupper():  # l_Dense, l_LSTM... (not l_same)
                handler = getattr(self, "l_" + cls, None)
            if handler is None:
                handler = self.by_family(cls)
            if handler is None:
                out = self.unknown_layer(lay, cls, pos, where, count)
            else:
                shape = pos[0] if pos else None
                if isinstance(shape, list):  # a list given to a one-tensor layer
                    shape = None
                try:
                    out = handler(c, shape, pos, named, where, depth)
                except _Mismatch as exc:
                    if not self.assumed:
                        raise
                    self.unknown.append(f"{exc} (after an assumed shape)")
                    out = _Out([None], None, None)
        if not count:
            del self.unknown[n_unknown:]
        tr, nt = out.trainable, out.non_trainable
        if not trainable:
            tr, nt = 0, _add(tr, nt)
        out.trainable, out.non_trainable = tr, nt
        if record:
            info = {k: v for k, v in out.info.items() if v is not None or k in (
                "merge_mode",)}
            first = out.outs[0] if out.outs else None
            if isinstance(first, list):
                first = first[0] if first else None
            self.layers.append(LayerInfo(cls, self.name(lay, index), tr, nt, first, info,
                                         out.wrapped))
        return out

    def by_family(self, cls: str) -> Any:
        if cls in _SAME_SHAPE:
            return self.l_same
        if cls in _POOL:
            return self.l_pool
        if cls in _GLOBAL_POOL:
            return self.l_global_pool
        if cls in _MERGE:
            return self.l_merge
        if cls in _RECURRENT:
            return functools.partial(self.l_recurrent, kind=cls)
        return None

    def unknown_layer(self, lay: dict, cls: str, pos: list, where: str, count: bool) -> _Out:
        if count:
            self.unknown.append(f"{where} is not a layer lstm-doctor knows, so its weights "
                                "are not counted")
        return _Out([None], None, None)

    def needs(self, shape: Shape | None, where: str, what: str, rank: int | None = None,
              min_rank: int = 1) -> bool:
        """Whether ``shape`` is usable; records why not when it is unknown or of bad rank."""
        if shape is None:
            self.unknown.append(f"{where}: input shape unknown, {what} not counted")
            return False
        if (rank is not None and len(shape) != rank) or len(shape) < min_rank:
            want = rank if rank is not None else f"at least {min_rank}"
            raise _Mismatch(f"{where}: input shape {shape} has {len(shape)} axes after the batch "
                       f"axis; the layer needs {want}")
        return True

    def op(self, cls: str, pos: list, where: str) -> _Out:
        """A Keras 3 operation (``x * 400``) or a Keras 2 TF op in a functional graph."""
        if cls in _ELEMENTWISE_OPS:
            known = [s for s in pos if s is not None]
            if pos and len(known) == len(pos):
                try:
                    return _Out([_broadcast(known, where)])
                except _Bad:
                    return _Out([None])
        return _Out([None])

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
