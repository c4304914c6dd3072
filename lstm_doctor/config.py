"""The LSTM set-up: one schema, validated once.

Loaded from YAML/TOML/JSON files, from a dict, or read from a saved Keras model
(``.keras`` zip archives are read without importing TensorFlow).
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
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
    boxcox: float | None = _spec(None, nullable=True, kind=float, doc="Box-Cox lambda")
    detrend: bool = _spec(False, doc="remove a linear trend fitted on the training split")
    difference: int = _spec(0, lo=0, hi=2, doc="order of first differencing")
    seasonal_difference: int = _spec(0, lo=0, doc="seasonal differencing lag (0 = none)")
    deseasonalize: int = _spec(0, lo=0, doc="remove a seasonal profile of this period (0 = none)")
    scaler: str = _spec("none", choices=("none", "minmax", "standard", "robust"))
    scaler_fit: str = _spec("train", choices=("train", "full"))


@dataclass(frozen=True)
class Window:
    """How training windows are cut."""

    seq_length: int = _spec(10, lo=1)
    horizon: int = _spec(1, lo=1)


ACTIVATIONS = ("tanh", "sigmoid", "relu", "linear", "elu", "selu", "softsign", "softplus",
               "hard_sigmoid", "swish", "gelu", "leaky_relu", "exponential", "relu6", "silu",
               "hard_silu", "mish")


@dataclass(frozen=True)
class Model:
    """The network: stacked LSTM layers and a Dense head."""

    layers: int = _spec(1, lo=1, hi=10)
    units: int = _spec(50, lo=1, hi=4096)
    activation: str = _spec("tanh", choices=ACTIVATIONS)
    recurrent_activation: str = _spec("sigmoid", choices=ACTIVATIONS)
    dropout: float = _spec(0.0, lo=0.0, hi=1.0, hi_open=True)
    recurrent_dropout: float = _spec(0.0, lo=0.0, hi=1.0, hi_open=True)


@dataclass(frozen=True)
class Training:
    """How the network is fit."""

    epochs: int = _spec(100, lo=1)
    batch_size: int = _spec(32, lo=1)
    optimizer: str = _spec("adam", choices=("adam", "adamw", "rmsprop", "sgd", "adagrad",
                                             "adadelta", "adamax", "nadam"))
    learning_rate: float = _spec(0.001, lo=0.0, lo_open=True)
    loss: str = _spec("mse", choices=("mse", "mae", "huber", "mean_squared_error",
                                       "mean_absolute_error", "logcosh", "log_cosh"))
    validation_split: float = _spec(0.0, lo=0.0, hi=1.0, hi_open=True)
    early_stopping: bool = _spec(False)
    patience: int = _spec(10, lo=1)
    shuffle: bool = _spec(True)


@dataclass(frozen=True)
class Split:
    """The train/holdout split."""

    test_size: float = _spec(0.2, lo=0.0, hi=1.0, lo_open=True, hi_open=True)
    method: str = _spec("temporal", choices=("temporal", "random"))


SECTIONS: dict[str, type] = {
    "preprocessing": Preprocessing,
    "window": Window,
    "model": Model,
    "training": Training,
    "split": Split,
}


@dataclass(frozen=True)
class LSTMConfig:
    """The whole LSTM set-up. Build it with :func:`load_config` or :meth:`from_dict`."""

    preprocessing: Preprocessing = field(default_factory=Preprocessing)
    window: Window = field(default_factory=Window)
    model: Model = field(default_factory=Model)
    training: Training = field(default_factory=Training)
    split: Split = field(default_factory=Split)

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """Nested plain dict, same schema as the config file."""
        return {name: dataclasses.asdict(getattr(self, name)) for name in SECTIONS}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None, *, source: str = "config") -> LSTMConfig:
        """Validate a nested dict (unknown keys, types and ranges are :class:`InputError`)."""
        data = {} if data is None else data
        if not isinstance(data, dict):
            raise InputError(f"{source}: expected a mapping of sections "
                             f"({', '.join(SECTIONS)}), found {type(data).__name__}")
        sections = {}
        for key, value in data.items():
            if key not in SECTIONS:
                raise InputError(f"{source}: unknown section '{key}'{did_you_mean(key, SECTIONS)}"
                                 f" (sections: {', '.join(SECTIONS)})")
            if value is None:
                value = {}
            if not isinstance(value, dict):
                raise InputError(f"{source}: section '{key}' must be a mapping, "
                                 f"found {type(value).__name__} {value!r}")
            sections[key] = _build_section(SECTIONS[key], key, value, source)
        return cls(**sections)

    def replace(self, section: str, **changes: Any) -> LSTMConfig:
        """A copy with ``section``'s fields changed (validated)."""
        merged = dataclasses.asdict(getattr(self, section)) | changes
        new = _build_section(SECTIONS[section], section, merged, "remedy")
        return dataclasses.replace(self, **{section: new})

    def diff(self, other: LSTMConfig) -> list[tuple[str, Any, Any]]:
        """``(dotted_key, self_value, other_value)`` for every differing key."""
        out = []
        a, b = self.to_dict(), other.to_dict()
        for sec in SECTIONS:
            for key in a[sec]:
                if a[sec][key] != b[sec][key]:
                    out.append((f"{sec}.{key}", a[sec][key], b[sec][key]))
        return out


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


def _coerce(value: Any, typ: type, where: str, meta: dict) -> Any:
    if value is None:
        if meta["nullable"]:
            return None
        raise InputError(f"{where}: null is not allowed; give a {typ.__name__}")
    if typ is bool:
        if isinstance(value, bool):
            return value
        raise InputError(f"{where}: expected true or false, found {value!r}")
    if typ is int:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (
            isinstance(value, float) and not value.is_integer()
        ):
            raise InputError(f"{where}: expected a whole number, found {value!r}")
        return int(value)
    if typ is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InputError(f"{where}: expected a number, found {value!r}")
        return float(value)
    if typ is str:
        if not isinstance(value, str):
            raise InputError(f"{where}: expected a string, found {value!r}")
        return value.strip().lower()
    return value


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
        typ = _TYPES[f.type] if isinstance(f.type, str) else f.type
        v = _coerce(value, typ, where, meta)
        if v is not None:
            if meta["choices"] and v not in meta["choices"]:
                raise InputError(f"{where} is {value!r}; allowed: {_describe_range(meta)}"
                                 f"{did_you_mean(v, meta['choices'])}")
            lo, hi = meta["lo"], meta["hi"]
            bad = (lo is not None and (v <= lo if meta["lo_open"] else v < lo)) or (
                hi is not None and (v >= hi if meta["hi_open"] else v > hi))
            if bad:
                raise InputError(f"{where} is {value!r}; allowed: {_describe_range(meta)}")
        kwargs[key] = v
    return cls(**kwargs)


def load_config(source: str | Path | dict | LSTMConfig | None) -> LSTMConfig:
    """Load and validate a set-up.

    Parameters
    ----------
    source : path, dict, LSTMConfig or None
        A ``.yaml``/``.yml``/``.toml``/``.json`` file, a ``.keras`` saved model, a nested
        dict, an existing config, or ``None`` for the Keras defaults.

    Returns
    -------
    LSTMConfig

    Raises
    ------
    InputError
        On unreadable files, unknown keys, wrong types or out-of-range values.
    """
    if source is None:
        return LSTMConfig()
    if isinstance(source, LSTMConfig):
        return source
    if isinstance(source, dict):
        return LSTMConfig.from_dict(source)
    path = Path(source)
    label = f"config file '{path}'"
    if not path.exists():
        raise InputError(f"{label} does not exist; check the path")
    if path.is_dir():
        raise InputError(f"{label} is a directory; give a YAML, TOML or JSON file")
    suffix = path.suffix.lower()
    if suffix == ".keras":
        return load_keras_model(path)
    if suffix in (".h5", ".hdf5"):
        raise InputError(f"{label}: legacy HDF5 models are not read; re-save the model with "
                         "model.save('model.keras') and pass that")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{label} cannot be read as text ({exc.__class__.__name__}); "
                         "give a YAML, TOML or JSON file") from None
    try:
        if suffix == ".toml":
            import tomllib

            data = tomllib.loads(text)
        elif suffix == ".json":
            data = json.loads(text)
        elif suffix in (".yaml", ".yml", ""):
            import yaml

            data = yaml.safe_load(text)
        else:
            raise InputError(f"{label}: unknown extension '{suffix}'; use .yaml, .toml, .json "
                             "or .keras")
    except InputError:
        raise
    except Exception as exc:  # parser errors from yaml/toml/json
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"{label} is not valid {suffix.lstrip('.') or 'YAML'}: {first}") from None
    if data is None:
        data = {}
    return LSTMConfig.from_dict(data, source=label)


def load_keras_model(path: str | Path) -> LSTMConfig:
    """Read the set-up from a saved ``.keras`` model without importing TensorFlow.

    The ``.keras`` format is a zip archive whose ``config.json`` describes the layers and
    the compile configuration; LSTM units, activations, dropout, the number of stacked LSTM
    layers, the input window length, the optimizer, learning rate and loss are read from it.
    """
    import zipfile

    path = Path(path)
    label = f"model file '{path}'"
    try:
        with zipfile.ZipFile(path) as zf:
            cfg = json.loads(zf.read("config.json"))
    except (zipfile.BadZipFile, KeyError, OSError, json.JSONDecodeError) as exc:
        raise InputError(f"{label} is not a Keras 3 .keras archive ({exc.__class__.__name__}); "
                         "save it with model.save('model.keras')") from None
    layers = _keras_layers(cfg)
    lstms = [lay for lay in layers if lay.get("class_name") == "LSTM"]
    if not lstms:
        names = sorted({lay.get("class_name", "?") for lay in layers})
        raise InputError(f"{label} has no LSTM layer (found: {', '.join(names)}); "
                         "lstm-doctor diagnoses LSTM models")
    first = lstms[0].get("config", {})
    model = {
        "layers": len(lstms),
        "units": int(first.get("units", 50)),
        "activation": _act_name(first.get("activation", "tanh")),
        "recurrent_activation": _act_name(first.get("recurrent_activation", "sigmoid")),
        "dropout": float(first.get("dropout", 0.0)),
        "recurrent_dropout": float(first.get("recurrent_dropout", 0.0)),
    }
    out: dict[str, Any] = {"model": model}
    shape = _input_shape(cfg, layers)
    if shape and len(shape) >= 3 and shape[1]:
        out["window"] = {"seq_length": int(shape[1])}
    dense = [lay for lay in layers if lay.get("class_name") == "Dense"]
    if dense and dense[-1].get("config", {}).get("units", 1) > 1:
        out.setdefault("window", {})["horizon"] = int(dense[-1]["config"]["units"])
    compile_cfg = cfg.get("compile_config") or {}
    training: dict[str, Any] = {}
    opt = compile_cfg.get("optimizer")
    if isinstance(opt, dict):
        name = str(opt.get("class_name", opt.get("config", {}).get("name", "adam"))).lower()
        if name in _choices(Training, "optimizer"):
            training["optimizer"] = name
        lr = opt.get("config", {}).get("learning_rate")
        if isinstance(lr, (int, float)):
            training["learning_rate"] = float(lr)
    loss = compile_cfg.get("loss")
    if isinstance(loss, str) and loss.lower() in _choices(Training, "loss"):
        training["loss"] = loss.lower()
    if training:
        out["training"] = training
    return LSTMConfig.from_dict(out, source=label)


def _choices(cls: type, name: str) -> tuple:
    return next(f for f in dataclasses.fields(cls) if f.name == name).metadata["choices"]


def _keras_layers(cfg: dict) -> list[dict]:
    inner = cfg.get("config", {})
    layers = inner.get("layers", []) if isinstance(inner, dict) else []
    flat = []
    for lay in layers:
        if lay.get("class_name") in ("Bidirectional", "TimeDistributed"):
            flat.append(lay.get("config", {}).get("layer", {}))
        else:
            flat.append(lay)
    return flat


def _input_shape(cfg: dict, layers: list[dict]) -> list | None:
    for lay in layers:
        c = lay.get("config", {})
        for key in ("batch_shape", "batch_input_shape"):
            if c.get(key):
                return list(c[key])
    build = cfg.get("build_config", {}).get("input_shape")
    return list(build) if build else None


def _act_name(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("config", {}).get("name") or value.get("class_name", "linear")
    return str(value).lower()
