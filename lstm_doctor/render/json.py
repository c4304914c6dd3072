"""JSON output: one report, or ``{"schema_version": 2, "files": [...]}`` for several files.

The structure is described by the JSON Schema shipped in the package
(``lstm_doctor/schemas/report.schema.json``, see :func:`schema`).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

# the several-files document: ``summary`` counts what fails the gate, so the gate builds it
from lstm_doctor.gate import collection, is_error_result


def render_json(results: list[dict[str, Any]], *, fail_on: str = "error",
                indent: int | None = 2) -> str:
    """One file: the plain report; several (or a file that failed): :func:`collection`.

    One report is indented. In the several-files document each file's report is one
    line (compact), under an indented envelope: a panel of thousands of series stays
    readable line by line (``grep``, ``diff``), a third smaller, and is written by
    json's C encoder (about 4x faster than indenting 40 MB).
    """
    if len(results) == 1 and not is_error_result(results[0]):
        return json.dumps(results[0], indent=indent, allow_nan=False)
    doc = collection(results, fail_on=fail_on)
    if indent is None:
        return json.dumps(doc, allow_nan=False)
    pad = " " * indent
    parts = []
    for key, value in doc.items():
        if key == "files":
            body = f",\n{pad * 2}".join(json.dumps(f, allow_nan=False) for f in value)
            text = f"[\n{pad * 2}{body}\n{pad}]" if value else "[]"
        else:
            text = json.dumps(value, allow_nan=False)
        parts.append(f"{pad}{json.dumps(key)}: {text}")
    return "{\n" + ",\n".join(parts) + "\n}"


@lru_cache(maxsize=1)
def schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of the JSON output, as shipped in the package."""
    from importlib.resources import files

    text = files("lstm_doctor").joinpath("schemas", "report.schema.json").read_text("utf-8")
    return json.loads(text)


def validate(doc: dict[str, Any]) -> None:
    """Validate a JSON document against :func:`schema` (needs ``jsonschema``).

    Raises
    ------
    jsonschema.ValidationError
        When ``doc`` does not match.
    """
    import jsonschema

    jsonschema.validate(doc, schema(), cls=jsonschema.Draft202012Validator)


__all__ = ["collection", "render_json", "schema", "validate"]
