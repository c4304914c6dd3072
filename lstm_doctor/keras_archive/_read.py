"""Reading a ``.keras`` archive: the file, its bounded ``config.json``, and the entry points.

:class:`_Reader` puts the walk together from its parts: the graph (``_graph``), the layers
(``_layers``, ``_recurrent``, ``_conv``) and the summary (``_describe``).
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from lstm_doctor.errors import InputError
from lstm_doctor.keras_archive._common import _HDF5_MAGIC, _Bad, _Cfg, _name, _one_line
from lstm_doctor.keras_archive._conv import _ConvLayers
from lstm_doctor.keras_archive._describe import _Summary
from lstm_doctor.keras_archive._graph import _Graph
from lstm_doctor.keras_archive._layers import _Layers
from lstm_doctor.keras_archive._model import KerasArchive
from lstm_doctor.keras_archive._recurrent import _RecurrentLayers


def _max_config_bytes() -> int:
    """The package's ``MAX_CONFIG_BYTES``, looked up when a file is read (it may be lowered)."""
    from lstm_doctor import keras_archive

    return keras_archive.MAX_CONFIG_BYTES


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
    max_bytes = _max_config_bytes()
    try:
        with zipfile.ZipFile(p) as zf:
            try:
                info = zf.getinfo("config.json")
            except KeyError:
                names = ", ".join(_name(n, 30) for n in zf.namelist()[:5]) or "nothing"
                raise _Bad(f"is a zip archive without config.json (found: {names}), so not a "
                           f"Keras .keras model; {resave}") from None
            if info.file_size > max_bytes:
                raise _Bad(f"has a config.json of {info.file_size:,} bytes, more than the "
                           f"{max_bytes:,} read; {resave}")
            with zf.open(info) as member:
                raw = member.read(max_bytes + 1)
            if len(raw) > max_bytes:
                raise _Bad(f"has a config.json larger than the {max_bytes:,} bytes "
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


class _Reader(_Graph, _Layers, _RecurrentLayers, _ConvLayers, _Summary):
    """Walks one configuration; collects layers, notes and the reasons counts are unknown."""

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
