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
    """One file: the plain report; several (or a file that failed): :func:`collection`."""
    if len(results) == 1 and not is_error_result(results[0]):
        doc = results[0]
    else:
        doc = collection(results, fail_on=fail_on)
    return json.dumps(doc, indent=indent, allow_nan=False)


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
