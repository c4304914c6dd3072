"""JSON output: one report, or ``{"schema_version": 2, "files": [...]}`` for several files.

The structure is described by the JSON Schema shipped in the package
(``lstm_doctor/schemas/report.schema.json``, see :func:`schema`).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from lstm_doctor.baseline import failing, is_error_result
from lstm_doctor.findings import SCHEMA_VERSION, fail_threshold


def collection(results: list[dict[str, Any]], *, fail_on: str = "error") -> dict[str, Any]:
    """The several-files document.

    ``files`` holds one report per file, or ``{"source": ..., "error": ...}`` for a file
    that could not be checked; ``summary`` totals the findings, counts the files that could
    not be checked (``input_errors``) and the findings that fail the gate (``failing``).
    """
    from lstm_doctor import __version__

    threshold = fail_threshold(fail_on)
    reports = [r for r in results if not is_error_result(r)]
    summary = {k: sum(r["summary"][k] for r in reports) for k in ("error", "warning", "info")}
    summary.update({
        "files": len(results),
        "input_errors": len(results) - len(reports),
        "failing": sum(failing(f, threshold) for r in reports for f in r["findings"]),
    })
    return {"schema_version": SCHEMA_VERSION,
            "tool": {"name": "lstm-doctor", "version": __version__},
            "fail_on": fail_on, "files": results, "summary": summary}


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
