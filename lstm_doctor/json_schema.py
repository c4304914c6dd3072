"""The LSTM set-up file as a JSON Schema (draft 2020-12), for editors.

Generated from the one declaration of the set-up (:mod:`lstm_doctor.config_schema`: each
section's dataclass fields with their type, default, range, choices and doc), so YAML/JSON
editors autocomplete and validate ``lstm.yaml`` with what ``lstm-doctor`` itself accepts::

    lstm-doctor schema > lstm-setup.schema.json
    # in lstm.yaml (the YAML language server of VS Code and others):
    # yaml-language-server: $schema=./lstm-setup.schema.json

The schema is at most as lenient as the loader: choices are listed in their canonical
lower case (the loader also takes ``Adam``), and ``feature_range`` must be increasing,
which a schema cannot say; everything the schema rejects, the loader rejects too.
"""

from __future__ import annotations

import dataclasses
from typing import Any

DRAFT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID = "https://pypi.org/project/lstm-doctor/schemas/setup.schema.json"


def _first_line(text: str | None) -> str:
    return (text or "").strip().splitlines()[0] if (text or "").strip() else ""


def _json_default(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def field_schema(f: dataclasses.Field) -> dict[str, Any]:
    """The JSON Schema of one set-up key (a dataclass field of ``config_schema``)."""
    meta = dict(f.metadata)
    kind = meta.get("kind")
    typ = f.type if isinstance(f.type, str) else getattr(f.type, "__name__", str(f.type))
    out: dict[str, Any]
    if kind == "range":
        out = {"type": "array", "items": {"type": "number"}, "minItems": 2, "maxItems": 2}
    elif kind == "units":
        out = {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 65536},
               "maxItems": 10}
    elif kind == "size":
        out = {"anyOf": [{"type": "number", "exclusiveMinimum": 0, "exclusiveMaximum": 1},
                         {"type": "integer", "minimum": 1, "maximum": 1_000_000_000}]}
    elif meta.get("choices"):
        out = {"type": "string", "enum": list(meta["choices"])}
    else:
        base = typ.replace(" | None", "")
        out = {"type": {"bool": "boolean", "int": "integer", "float": "number",
                        "str": "string"}.get(base, "string")}
        lo, hi = meta.get("lo"), meta.get("hi")
        if lo is not None:
            out["exclusiveMinimum" if meta.get("lo_open") else "minimum"] = lo
        if hi is not None:
            out["exclusiveMaximum" if meta.get("hi_open") else "maximum"] = hi
    if meta.get("nullable"):
        out = {"anyOf": [out, {"type": "null"}]} if "anyOf" in out or "enum" in out else \
            {**out, "type": [out["type"], "null"]}
    if meta.get("doc"):
        out["description"] = str(meta["doc"])
    default = f.default if f.default is not dataclasses.MISSING else None
    out["default"] = _json_default(default)
    return out


def setup_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a set-up file (YAML, TOML or JSON).

    Returns
    -------
    dict
        Top level: the sections (``preprocessing``, ``window``, ``model``, ``training``,
        ``split``), each an object (or null) whose keys are the declared fields; unknown
        sections and keys are not allowed.
    """
    from lstm_doctor.config_schema import SECTIONS

    sections: dict[str, Any] = {}
    for name, cls in SECTIONS.items():
        sections[name] = {
            "type": ["object", "null"],
            "description": _first_line(cls.__doc__),
            "properties": {f.name: field_schema(f) for f in dataclasses.fields(cls)},
            "additionalProperties": False,
        }
    return {
        "$schema": DRAFT,
        "$id": SCHEMA_ID,
        "title": "lstm-doctor LSTM set-up",
        "description": "The LSTM forecasting set-up read by lstm-doctor --config (YAML, TOML "
                       "or JSON). Keys left out are the defaults; `lstm-doctor explain CODE` "
                       "says which rules read which keys.",
        "type": "object",
        "properties": sections,
        "additionalProperties": False,
    }


__all__ = ["setup_schema", "field_schema", "DRAFT", "SCHEMA_ID"]
