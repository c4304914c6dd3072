"""The set-up's schema: its sections, each key's type, default, range and choices.

Each section is a frozen dataclass whose fields carry their constraints in ``metadata``
(:func:`_spec`); :func:`_build_section` validates a mapping against one section, so every
entry point (config file, dict, saved model, remedy) checks values through the same
declaration. :mod:`lstm_doctor.config` builds the whole set-up from these sections.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

from lstm_doctor.errors import InputError, did_you_mean


def _spec(default: Any, *, choices: tuple | None = None, lo: float | None = None,
          hi: float | None = None, lo_open: bool = False, hi_open: bool = False,
          nullable: bool = False, kind: type | tuple | None = None, doc: str = "") -> Any:
    meta = {"choices": choices, "lo": lo, "hi": hi, "lo_open": lo_open, "hi_open": hi_open,
            "nullable": nullable, "kind": kind, "doc": doc}
    return field(default=default, metadata=meta)


@dataclass(frozen=True)
class Preprocessing:
    """Transforms applied to the target before windowing (in this order)."""

    log: bool = _spec(False, doc="natural log (log1p when the series has zeros)")
    boxcox: float | None = _spec(None, nullable=True, kind=float, lo=-5.0, hi=5.0,
                                 doc="Box-Cox lambda")
    detrend: bool = _spec(False, doc="remove a linear trend fitted on the training split")
    difference: int = _spec(0, lo=0, hi=2, doc="order of first differencing")
    seasonal_difference: int = _spec(0, lo=0, hi=100_000,
                                     doc="seasonal differencing lag (0 = none)")
    deseasonalize: int = _spec(0, lo=0, hi=100_000,
                               doc="remove a seasonal profile of this period (0 = none)")
    scaler: str = _spec("none", choices=("none", "minmax", "standard", "robust"))
    scaler_fit: str = _spec("train", choices=("train", "full"))
    feature_range: tuple = _spec((0.0, 1.0), kind="range",
                                 doc="MinMaxScaler feature_range [low, high]")


@dataclass(frozen=True)
class Window:
    """How training windows are cut."""

    seq_length: int = _spec(10, lo=1, hi=100_000)
    horizon: int = _spec(1, lo=1, hi=100_000)
    sampling_rate: int = _spec(1, lo=1, hi=10_000,
                               doc="keep one point in every N inside a window")
    target: str = _spec("vector", choices=("vector", "single"),
                        doc="vector: the next `horizon` values; single: the one value "
                            "`horizon` steps ahead")
    layout: str = _spec("time", choices=("time", "features"),
                        doc="time: input (seq_length, n_features); features: the look-back "
                            "values passed as features on a 1-step time axis")


OPTIMIZERS = ("adam", "adamw", "rmsprop", "sgd", "adagrad", "adadelta", "adamax", "nadam",
              "ftrl", "lion", "lamb")
LOSSES = ("mse", "mae", "huber", "mean_squared_error", "mean_absolute_error", "logcosh",
          "log_cosh", "mape", "mean_absolute_percentage_error", "msle",
          "mean_squared_logarithmic_error")
LR_SCHEDULES = ("constant", "exponential_decay", "inverse_time_decay",
                "piecewise_constant_decay", "cosine_decay", "cosine_decay_restarts",
                "polynomial_decay", "reduce_on_plateau", "lr_scheduler_callback", "other")

ACTIVATIONS = ("tanh", "sigmoid", "relu", "linear", "elu", "selu", "softsign", "softplus",
               "hard_sigmoid", "swish", "gelu", "leaky_relu", "exponential", "relu6", "silu",
               "hard_silu", "mish")


@dataclass(frozen=True)
class Model:
    """The network: an optional Conv1D front end, stacked recurrent layers, a Dense head."""

    layers: int = _spec(1, lo=1, hi=10)
    units: int = _spec(50, lo=1, hi=4096)
    activation: str = _spec("tanh", choices=ACTIVATIONS)
    recurrent_activation: str = _spec("sigmoid", choices=ACTIVATIONS)
    dropout: float = _spec(0.0, lo=0.0, hi=1.0, hi_open=True)
    recurrent_dropout: float = _spec(0.0, lo=0.0, hi=1.0, hi_open=True)
    cell: str = _spec("lstm", choices=("lstm", "gru", "simple_rnn"),
                      doc="the recurrent layer type")
    bidirectional: bool = _spec(False)
    stateful: bool = _spec(False, doc="state carried across batches (Keras stateful=True)")
    head: tuple = _spec((), kind="units", doc="units of the hidden Dense layers before the "
                                               "output layer, e.g. [100]")
    head_activation: str = _spec("linear", choices=ACTIVATIONS)
    conv_filters: int = _spec(0, lo=0, hi=4096, doc="Conv1D front end filters (0 = none)")
    conv_kernel_size: int = _spec(3, lo=1, hi=1024)


@dataclass(frozen=True)
class Training:
    """How the network is fit."""

    epochs: int = _spec(100, lo=1, hi=1_000_000)
    batch_size: int = _spec(32, lo=1, hi=10_000_000)
    optimizer: str = _spec("adam", choices=OPTIMIZERS)
    learning_rate: float = _spec(0.001, lo=0.0, lo_open=True, hi=10.0)
    momentum: float = _spec(0.0, lo=0.0, hi=1.0, hi_open=True, doc="SGD/RMSprop momentum")
    nesterov: bool = _spec(False)
    lr_schedule: str = _spec("constant", choices=LR_SCHEDULES)
    loss: str = _spec("mse", choices=LOSSES)
    validation: str = _spec("split", choices=("split", "holdout", "none"),
                            doc="split: validation_split of the training windows; holdout: "
                                "the test set is the validation data")
    validation_split: float = _spec(0.0, lo=0.0, hi=1.0, hi_open=True)
    early_stopping: bool = _spec(False)
    checkpoint: bool = _spec(False, doc="ModelCheckpoint(save_best_only=True) on val_loss")
    patience: int = _spec(10, lo=1, hi=1_000_000)
    shuffle: bool = _spec(True)


@dataclass(frozen=True)
class Split:
    """The train/holdout split."""

    test_size: float = _spec(0.2, kind="size", doc="a fraction in (0, 1) or a whole number "
                                                    "of points >= 1")
    method: str = _spec("temporal", choices=("temporal", "random"))


SECTIONS: dict[str, type] = {
    "preprocessing": Preprocessing,
    "window": Window,
    "model": Model,
    "training": Training,
    "split": Split,
}


def _describe_range(meta: dict) -> str:
    if meta["choices"]:
        return "one of " + ", ".join(str(c) for c in meta["choices"])
    lo, hi = meta["lo"], meta["hi"]
    parts = []
    if lo is not None:
        parts.append(f"{'>' if meta['lo_open'] else '>='} {lo:g}")
    if hi is not None:
        parts.append(f"{'<' if meta['hi_open'] else '<='} {hi:g}")
    return " and ".join(parts)


def _shown(value: Any, limit: int = 60) -> str:
    """A value for a message: its repr on one line, cut to ``limit`` characters."""
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 128:
        return f"an integer of about {int(value.bit_length() * 0.30103) + 1} digits"
    try:
        text = " ".join(repr(value).split())
    except ValueError:  # beyond Python's int-to-text limit
        return f"a {type(value).__name__}"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _finite(value: Any) -> bool:
    """Whether ``value`` is a real number (not a bool) that float64 holds finitely."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _coerce(value: Any, typ: type, where: str, meta: dict) -> Any:
    if meta["kind"] in ("range", "units", "size"):
        return _coerce_special(value, where, meta["kind"])
    if value is None:
        if meta["nullable"]:
            return None
        raise InputError(f"{where}: null is not allowed; give a {typ.__name__}")
    if typ is bool:
        if isinstance(value, bool):
            return value
        raise InputError(f"{where}: expected true or false, found {_shown(value)}")
    if typ is int:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (
            isinstance(value, float) and not value.is_integer()
        ):
            raise InputError(f"{where}: expected a whole number, found {_shown(value)}")
        return int(value)
    if typ is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InputError(f"{where}: expected a number, found {_shown(value)}")
        if not _finite(value):
            raise InputError(f"{where}: expected a finite number, found {_shown(value)}")
        return float(value)
    if typ is str:
        if not isinstance(value, str):
            raise InputError(f"{where}: expected a string, found {_shown(value)}")
        return value.strip().lower()
    return value


def _coerce_special(value: Any, where: str, kind: str) -> Any:
    """The keys whose values are not a plain scalar: ranges, unit lists, sizes."""
    number = _finite

    if kind == "range":
        if not isinstance(value, list | tuple) or len(value) != 2 or not all(map(number, value)):
            raise InputError(f"{where}: expected [low, high] (two numbers), found {_shown(value)}")
        low, high = float(value[0]), float(value[1])
        if not low < high:
            raise InputError(f"{where} is {_shown(value)}; low must be smaller than high")
        return (low, high)
    if kind == "units":
        if not isinstance(value, list | tuple) or len(value) > 10 or not all(
                isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 65536
                for v in value):
            raise InputError(f"{where}: expected a list of at most 10 layer sizes (whole "
                             f"numbers 1-65536), found {_shown(value)}")
        return tuple(int(v) for v in value)
    # size: a fraction in (0, 1) or a whole number of points
    if not number(value):
        raise InputError(f"{where}: expected a fraction in (0, 1) or a whole number of "
                         f"points, found {_shown(value)}")
    if 0 < value < 1:
        return float(value)
    if value >= 1 and float(value).is_integer() and value <= 1e9:
        return int(value)
    raise InputError(f"{where} is {_shown(value)}; give a fraction in (0, 1) (e.g. 0.2) or a whole "
                     "number of points (e.g. 12)")


_TYPES = {"bool": bool, "int": int, "float": float, "str": str, "float | None": float}


def _build_section(cls: type, section: str, values: dict, source: str) -> Any:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    kwargs = {}
    for key, value in values.items():
        where = f"{source}: key '{section}.{key}'"
        if key not in fields:
            raise InputError(f"{source}: unknown key '{section}.{key}'"
                             f"{did_you_mean(key, fields)} (keys: {', '.join(fields)})")
        f = fields[key]
        meta = f.metadata
        typ = _TYPES.get(f.type, object) if isinstance(f.type, str) else f.type
        v = _coerce(value, typ, where, meta)
        if v is not None and meta["kind"] not in ("range", "units", "size"):
            if meta["choices"] and v not in meta["choices"]:
                raise InputError(f"{where} is {_shown(value)}; allowed: {_describe_range(meta)}"
                                 f"{did_you_mean(v, meta['choices'])}")
            lo, hi = meta["lo"], meta["hi"]
            bad = (lo is not None and (v <= lo if meta["lo_open"] else v < lo)) or (
                hi is not None and (v >= hi if meta["hi_open"] else v > hi))
            if bad:
                raise InputError(f"{where} is {_shown(value)}; allowed: {_describe_range(meta)}")
        kwargs[key] = v
    return cls(**kwargs)
