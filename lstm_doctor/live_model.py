"""A live Keras model read as a set-up, like a saved ``.keras`` archive.

:func:`model_config` builds the archive's ``config.json`` structure from the object and
:func:`setup_from_model` reads it with the archive reader (origin ``model``). Used by
:func:`lstm_doctor.diagnose` and by ``check(model=<keras model>)`` (through
:meth:`lstm_doctor.options.CheckOptions.setup`). Keras is imported only inside functions.
"""

from __future__ import annotations

import dataclasses
from typing import Any


def model_config(model: Any) -> dict[str, Any]:
    """The ``config.json`` structure of a ``.keras`` archive, built from a live model.

    ``{"class_name", "config", "build_config", "compile_config"}``; the optimizer in
    ``compile_config`` is the model's current one (``model.optimizer``), so a learning rate
    changed after ``compile`` is the one read.

    Raises
    ------
    InputError
        When ``model`` is not a Keras model or cannot be serialised.
    """
    from lstm_doctor.errors import InputError

    if not (hasattr(model, "get_config") and hasattr(model, "count_params")
            and hasattr(model, "layers")):
        raise InputError(f"model: expected a Keras model (keras.Model), found "
                         f"{type(model).__name__}; pass the model object or a .keras path")
    import keras  # absolute: the real Keras, never lstm_doctor.keras

    try:
        out = dict(keras.saving.serialize_keras_object(model))
    except Exception as exc:  # noqa: BLE001 - any serialisation failure is an input problem
        raise InputError(f"model: its configuration cannot be read ({type(exc).__name__}: "
                         f"{str(exc).splitlines()[0] if str(exc) else ''}); build it with "
                         "keras.Sequential or the functional API") from None
    optimizer = getattr(model, "optimizer", None)
    if optimizer is not None and isinstance(out.get("compile_config"), dict):
        try:
            compile_config = dict(out["compile_config"])
            compile_config["optimizer"] = keras.saving.serialize_keras_object(optimizer)
            out["compile_config"] = compile_config
        except Exception:  # noqa: BLE001, S110 - keep the compile-time optimizer then
            pass
    return out


def setup_from_model(model: Any, *, source: str = "<live model>") -> Any:
    """The set-up a live Keras model states (origin ``model``), like a saved archive's.

    The exact trainable parameter count of the object (its trainable weights) is compared
    with the reader's and kept in ``model_file["live_trainable_params"]``.
    """
    import numpy as np

    from lstm_doctor.config import load_keras_config
    from lstm_doctor.errors import InputError

    if not getattr(model, "built", True):
        raise InputError("model: it is not built yet; add keras.Input(shape=(seq_length, "
                         "n_features)) as its first layer or call it on a batch first")
    cfg = load_keras_config(model_config(model), source=source)
    live = int(sum(int(np.prod(w.shape)) for w in model.trainable_weights))
    summary = dict(cfg.model_file or {})
    summary["live_trainable_params"] = live
    notes = list(cfg.notes)
    read = summary.get("trainable_params")
    if read is not None and int(read) != live:
        notes.append(f"the model object has {live:,} trainable parameters but its "
                     f"configuration reads as {int(read):,}; the object's count is kept")
        summary["trainable_params"] = live
    return dataclasses.replace(cfg, model_file=summary, notes=tuple(notes))


# -- fit arguments and history -----------------------------------------------------------------
