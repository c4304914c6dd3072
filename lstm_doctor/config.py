"""The LSTM set-up: one schema, validated once.

Loaded from YAML/TOML/JSON files, from a dict, or read from a saved Keras model
(``.keras`` zip archives are read without importing TensorFlow).

The schema (the sections :class:`Preprocessing`, :class:`Window`, :class:`Model`,
:class:`Training`, :class:`Split` and their constraints) is declared in
:mod:`lstm_doctor.config_schema`; this module builds the whole set-up from it, with
provenance, and loads it.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lstm_doctor.config_schema import (
    ACTIVATIONS,
    LOSSES,
    LR_SCHEDULES,
    OPTIMIZERS,
    SECTIONS,
    Model,
    Preprocessing,
    Split,
    Training,
    Window,
    _build_section,
)
from lstm_doctor.errors import InputError, did_you_mean

__all__ = [
    "ACTIVATIONS",
    "LOSSES",
    "LR_SCHEDULES",
    "OPTIMIZERS",
    "ORIGINS",
    "REPORT_KEYS",
    "SECTIONS",
    "LSTMConfig",
    "Model",
    "Preprocessing",
    "Split",
    "Training",
    "Window",
    "combine",
    "load_config",
    "load_keras_config",
    "load_keras_model",
    "load_setup",
    "setup_from_archive",
]


ORIGINS = ("given", "model", "assumed")
"""Where a set-up value came from: the user's config/dict/flag, the saved model, a default."""

#: Keys a report's ``config`` carries beside the sections (accepted back by ``from_dict``).
REPORT_KEYS = ("origins", "notes", "model_file")


@dataclass(frozen=True)
class LSTMConfig:
    """The whole LSTM set-up. Build it with :func:`load_config` or :meth:`from_dict`.

    Besides the sections, a config knows where each value came from (:meth:`origin`:
    ``given``, ``model`` or ``assumed``), carries notes on how it was read (``notes``) and,
    when read from a saved ``.keras`` model, a plain-data summary of that model
    (``model_file``: its exact parameter count, layers and remarks).
    """

    preprocessing: Preprocessing = field(default_factory=Preprocessing)
    window: Window = field(default_factory=Window)
    model: Model = field(default_factory=Model)
    training: Training = field(default_factory=Training)
    split: Split = field(default_factory=Split)
    origins: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    notes: tuple[str, ...] = field(default=(), compare=False, repr=False)
    model_file: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """Nested plain dict, same schema as the config file."""
        out = {}
        for name in SECTIONS:
            section = dataclasses.asdict(getattr(self, name))
            out[name] = {k: list(v) if isinstance(v, tuple) else v for k, v in section.items()}
        return out

    def to_report(self) -> dict[str, Any]:
        """The ``config`` block of a report: the sections plus provenance.

        ``origins`` maps every dotted key to ``given``, ``model`` or ``assumed``; ``notes``
        says how values were read; ``model_file`` summarises a saved model. The result is
        accepted back by :meth:`from_dict`.
        """
        out: dict[str, Any] = self.to_dict()
        out["origins"] = {key: self.origin(key) for key in self.keys()}
        out["notes"] = list(self.notes)
        out["model_file"] = self.model_file
        return out

    @staticmethod
    def keys() -> list[str]:
        """Every dotted key of the schema (``section.key``), in schema order."""
        return [f"{sec}.{f.name}" for sec, cls in SECTIONS.items()
                for f in dataclasses.fields(cls)]

    def value(self, key: str) -> Any:
        """The value of a dotted key such as ``training.epochs``."""
        section, name = key.split(".", 1)
        return getattr(getattr(self, section), name)

    def origin(self, key: str) -> str:
        """Where the value of a dotted key came from: ``given``, ``model`` or ``assumed``."""
        return self.origins.get(key, "assumed")

    def assumed(self, *keys: str) -> dict[str, Any]:
        """``{key: value}`` for those of ``keys`` whose value is an assumed default."""
        return {k: self.value(k) for k in keys if self.origin(k) == "assumed"}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None, *, source: str = "config",
                  origin: str = "given") -> LSTMConfig:
        """Validate a nested dict (unknown keys, types and ranges are :class:`InputError`).

        Every key of a section present in ``data`` is recorded with ``origin`` (a section
        the user writes describes that part of the set-up; the keys it leaves out are the
        defaults, what a script does by not mentioning them), except for ``origin="model"``,
        where only the keys present are. Keys of absent sections are ``assumed``. A
        report's ``config`` block (with ``origins``/``notes``/``model_file``) round-trips.
        """
        data = {} if data is None else data
        if not isinstance(data, dict):
            raise InputError(f"{source}: expected a mapping of sections "
                             f"({', '.join(SECTIONS)}), found {type(data).__name__}")
        sections = {}
        origins: dict[str, str] = {}
        for key, value in data.items():
            if key in REPORT_KEYS:
                continue
            if key not in SECTIONS:
                raise InputError(f"{source}: unknown section '{key}'{did_you_mean(key, SECTIONS)}"
                                 f" (sections: {', '.join(SECTIONS)})")
            if value is None:
                value = {}
            if not isinstance(value, dict):
                raise InputError(f"{source}: section '{key}' must be a mapping, "
                                 f"found {type(value).__name__} {value!r}")
            sections[key] = _build_section(SECTIONS[key], key, value, source)
            # a section the user writes describes that part of the set-up: the keys it
            # leaves out are what the script does by not mentioning them (the defaults);
            # a saved model states exactly the keys it holds
            names = value if origin == "model" else [f.name for f in
                                                     dataclasses.fields(SECTIONS[key])]
            origins.update({f"{key}.{name}": origin for name in names})
        recorded = data.get("origins")
        if isinstance(recorded, dict):  # a report's config block: keep its provenance
            origins = {k: v for k, v in recorded.items() if v in ORIGINS and v != "assumed"}
        notes = data.get("notes") or ()
        model_file = data.get("model_file")
        return cls(**sections, origins=origins,
                   notes=tuple(str(n) for n in notes) if isinstance(notes, list | tuple) else (),
                   model_file=model_file if isinstance(model_file, dict) else None)

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


def combine(model: LSTMConfig, given: LSTMConfig) -> LSTMConfig:
    """One set-up from a saved model and a config file (``--model`` with ``--config``).

    The model is the truth of the architecture and compile settings it holds; the config
    gives everything else (preprocessing, window, training loop, split). A key both state
    differently keeps the model's value, with a note.
    """
    values = {sec: {} for sec in SECTIONS}
    origins: dict[str, str] = {}
    notes = list(model.notes) + list(given.notes)
    for key in LSTMConfig.keys():
        sec, name = key.split(".", 1)
        from_model, from_given = model.origin(key) == "model", given.origin(key) == "given"
        if from_model:
            values[sec][name] = model.value(key)
            origins[key] = "model"
            if from_given and given.value(key) != model.value(key):
                notes.append(f"{key}: the config says {given.value(key)!r} but the saved model "
                             f"has {model.value(key)!r}; the model's value is used")
        elif from_given:
            values[sec][name] = given.value(key)
            origins[key] = "given"
    sections = {sec: _build_section(SECTIONS[sec], sec,
                                    {k: list(v) if isinstance(v, tuple) else v
                                     for k, v in vals.items()}, "combined set-up")
                for sec, vals in values.items()}
    return LSTMConfig(**sections, origins=origins, notes=tuple(notes),
                      model_file=model.model_file)


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
    if not isinstance(source, str | Path) or not str(source).strip():
        raise InputError(f"config: expected a path to a YAML/TOML/JSON file or .keras model, "
                         f"a dict or an LSTMConfig; found {type(source).__name__} "
                         f"{_short(source)}")
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


def load_setup(config: str | Path | dict | LSTMConfig | None = None,
               model: Any = None) -> LSTMConfig | None:
    """The user's set-up from a config, a saved model, or both (``None`` when neither).

    ``model`` is a ``.keras`` path (read without TensorFlow); a live Keras model object is
    read by :meth:`lstm_doctor.options.CheckOptions.setup`
    (:func:`lstm_doctor.live_model.setup_from_model`).

    With both, the model gives the architecture and compile settings and the config the
    rest (see :func:`combine`).
    """
    if config is None and model is None:
        return None
    if model is None:
        return load_config(config)
    if not isinstance(model, str | Path):
        raise InputError(f"model: expected a path to a .keras file, found "
                         f"{type(model).__name__}; a live Keras model goes through "
                         "lstm_doctor.check(model=...) or lstm_doctor.diagnose")
    if not str(model).lower().endswith(".keras"):
        raise InputError(f"model file '{model}' is not a .keras archive; save the model with "
                         "model.save('model.keras') and pass that")
    from_model = load_config(model)
    return from_model if config is None else combine(from_model, load_config(config))


def load_keras_model(path: str | Path) -> LSTMConfig:
    """Read the set-up from a saved ``.keras`` model without importing TensorFlow.

    Only what the archive holds is recorded (origin ``model``): the recurrent layers (type,
    units, activations, dropout, stacking, bidirectional, stateful), a Conv1D front end, the
    hidden Dense head, the input window (a ``None`` time axis leaves the window unknown),
    the output width as the horizon, and the compile settings (optimizer, learning rate and
    schedule, momentum, loss). Preprocessing, the training loop and the split are not in a
    saved model: they stay ``assumed`` (give them with ``--config``). The exact trainable
    parameter count of every layer is kept in ``model_file``.
    """
    from lstm_doctor.keras_archive import read_keras_archive

    path = Path(path)
    return setup_from_archive(read_keras_archive(path), source=str(path))


def load_keras_config(config: dict[str, Any], *, source: str = "<live model>") -> LSTMConfig:
    """Read the set-up from a model's configuration (the ``config.json`` of an archive).

    The live-model path of :func:`lstm_doctor.diagnose` and ``check(model=<keras model>)``:
    the same reading as :func:`load_keras_model`, from the dict a live model serialises to
    (``{"class_name", "config", "compile_config", "build_config"}``).
    """
    from lstm_doctor.keras_archive import describe_keras_config

    return setup_from_archive(describe_keras_config(config, path=source), source=source)


def setup_from_archive(archive: Any, *, source: str) -> LSTMConfig:
    """The set-up a described model (:class:`~lstm_doctor.keras_archive.KerasArchive`) states.

    Shared by the saved-archive and the live-model paths; see :func:`load_keras_model`.
    """
    label = f"model file '{source}'"
    path = source
    rec = list(archive.recurrent)
    if not rec:
        names = sorted({lay.class_name for lay in archive.layers})
        raise InputError(f"{label} has no recurrent layer (found: {', '.join(names) or 'none'});"
                         " lstm-doctor diagnoses LSTM/GRU models")
    first = rec[0]
    model: dict[str, Any] = {
        "layers": min(len(rec), 10),
        "units": int(first["units"]),
        "activation": _act_name(first.get("activation", "tanh")),
        "recurrent_activation": _act_name(first.get("recurrent_activation", "sigmoid")),
        "dropout": float(first.get("dropout") or 0.0),
        "recurrent_dropout": float(first.get("recurrent_dropout") or 0.0),
        "cell": archive.cell or "lstm",
        "bidirectional": bool(first.get("bidirectional")),
        "stateful": bool(archive.stateful),
        "head": list(archive.head),
    }
    if archive.head_activation:
        model["head_activation"] = _act_name(archive.head_activation)
    if archive.conv:
        model["conv_filters"] = int(archive.conv["filters"])
        model["conv_kernel_size"] = int(archive.conv["kernel_size"])
    notes = list(archive.notes)
    worst = [r for r in rec if _act_name(r.get("activation", "tanh")) != model["activation"]]
    if worst:  # rules judge one activation: report the first non-default one
        model["activation"] = _act_name(worst[0]["activation"]) \
            if model["activation"] == "tanh" else model["activation"]
    out: dict[str, Any] = {"model": _known_choices(Model, model, notes)}
    window: dict[str, Any] = {}
    if archive.lookback_as_features and archive.n_features:
        window.update(layout="features", seq_length=int(archive.n_features))
    elif archive.seq_length:
        window["seq_length"] = int(archive.seq_length)
    if archive.output_units and archive.output_units > 1:
        window["horizon"] = int(archive.output_units)
    if window:
        out["window"] = window
    training: dict[str, Any] = {}
    if archive.batch_size:
        training["batch_size"] = int(archive.batch_size)
    if archive.optimizer:
        training["optimizer"] = archive.optimizer
    if archive.learning_rate is not None:
        training["learning_rate"] = float(archive.learning_rate)
    if archive.lr_schedule:
        training["lr_schedule"] = archive.lr_schedule
    if archive.momentum is not None:
        training["momentum"] = float(archive.momentum)
    if archive.nesterov is not None:
        training["nesterov"] = bool(archive.nesterov)
    if archive.loss:
        training["loss"] = archive.loss
    if training:
        out["training"] = _known_choices(Training, training, notes)
    cfg = LSTMConfig.from_dict(out, source=label, origin="model")
    summary = {
        "path": str(path),
        "trainable_params": archive.trainable_params,
        "non_trainable_params": archive.non_trainable_params,
        "input_shape": list(archive.input_shape) if archive.input_shape else None,
        "layers": [{"class_name": lay.class_name, "name": lay.name, "label": _layer_label(lay),
                    "params": lay.trainable_params,
                    "output_shape": list(lay.output_shape) if lay.output_shape else None}
                   for lay in archive.layers],
        "model_section": cfg.to_dict()["model"],
        "window_section": cfg.to_dict()["window"],
    }
    # the archive describes the whole network: keys it leaves at their defaults (no conv
    # front end, no hidden head...) are stated by the model too, as are the compile settings
    origins = dict(cfg.origins)
    origins.update({f"model.{f.name}": "model" for f in dataclasses.fields(Model)})
    origins["window.layout"] = "model"
    if archive.compiled:
        origins.update({f"training.{key}": "model" for key in
                        ("optimizer", "learning_rate", "lr_schedule", "momentum", "nesterov",
                         "loss")})
    cfg = dataclasses.replace(cfg, origins=origins)
    if not archive.seq_length and not archive.lookback_as_features:
        notes = [n for n in notes if not n.startswith("time axis is None")]
        notes.append("the model's time axis is None (it accepts any window length): the "
                     "window length is not in the saved model; give window.seq_length with "
                     "--config")
    return dataclasses.replace(cfg, notes=tuple(dict.fromkeys(notes)), model_file=summary)


def _short(value: Any, limit: int = 60) -> str:
    text = " ".join(repr(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _layer_label(layer: Any) -> str:
    """``LSTM(200)``, ``Dense(7)``, ``Conv1D(64)``, ``Bidirectional(LSTM(50))``..."""
    conf = layer.config or {}
    size = conf.get("units", conf.get("filters"))
    inner = f"{layer.wrapped}({size})" if layer.wrapped and size is not None else layer.wrapped
    if inner:
        return f"{layer.class_name}({inner})"
    return f"{layer.class_name}({size})" if size is not None else layer.class_name


def _known_choices(cls: type, values: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    """Drop values outside the schema's choices (with a note) instead of refusing the model."""
    out = {}
    for key, value in values.items():
        choices = _choices(cls, key)
        if choices and value not in choices:
            section = next(k for k, v in SECTIONS.items() if v is cls)
            notes.append(f"{section}.{key}: the model's {value!r} is not one lstm-doctor "
                         "judges; it is left as assumed")
            continue
        out[key] = value
    return out


def _choices(cls: type, name: str) -> tuple | None:
    return next(f for f in dataclasses.fields(cls) if f.name == name).metadata["choices"]


def _act_name(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("config", {}).get("name") or value.get("class_name", "linear")
    return str(value).lower()
