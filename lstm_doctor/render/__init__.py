"""Renderers: every output format is made from ``Report.to_dict()``."""

from __future__ import annotations

from typing import Any

# format -> (module in lstm_doctor.render, function); imported on first use
_RENDERERS: dict[str, tuple[str, str]] = {
    "text": ("text", "render_text_many"),
    "concise": ("concise", "render_concise"),
    "json": ("json", "render_json"),
    "junit": ("junit", "render_junit"),
    "sarif": ("sarif", "render_sarif"),
    "github": ("github", "render_github"),
    "markdown": ("markdown", "render_markdown"),
    "html": ("html", "render_html_many"),
}

#: Formats of ``lstm-doctor check --format``.
FORMATS: tuple[str, ...] = tuple(_RENDERERS)


def render(fmt: str, results: list[dict[str, Any]], *, fail_on: str = "error") -> str:
    """Render check results in one format.

    Parameters
    ----------
    fmt : str
        One of :data:`FORMATS`.
    results : list of dict
        One ``Report.to_dict()`` per checked file, or ``{"source": ..., "error": ...}`` for a
        file that could not be checked.
    fail_on : str
        ``error``, ``warning``, ``info`` or ``never``: which findings fail the gate.

    Returns
    -------
    str
    """
    import importlib

    try:
        module, function = _RENDERERS[fmt.lower()]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}") from None
    renderer = getattr(importlib.import_module(f"lstm_doctor.render.{module}"), function)
    return renderer(results, fail_on=fail_on)


def load_saved(text: str, *, where: str = "the report") -> tuple[list[dict[str, Any]], str | None]:
    """The check results of a saved JSON report.

    Parameters
    ----------
    text : str
        ``lstm-doctor check --format json`` output (one report, or ``{"files": [...]}`` for
        several files) or ``lstm-doctor report --json`` output.
    where : str
        How to name the input in an error message (the file name).

    Returns
    -------
    results : list of dict
        One ``Report.to_dict()`` per file (or ``{"source", "error"}`` entries).
    fail_on : str or None
        The ``fail_on`` recorded in a several-files document.

    Raises
    ------
    InputError
        When the text is not a saved lstm-doctor report.
    """
    import json

    from lstm_doctor.errors import InputError

    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise InputError(f"{where} is not JSON ({exc}); give the output of "
                         "'lstm-doctor check --format json' or 'lstm-doctor report --json'"
                         ) from None
    if isinstance(doc, dict) and isinstance(doc.get("files"), list):
        results, fail_on = doc["files"], doc.get("fail_on")
    else:
        results, fail_on = [doc], None
    needed, error_entry = {"findings", "rules", "data", "summary"}, {"source", "error"}
    for r in results:
        if not isinstance(r, dict) or not (needed <= set(r) or error_entry <= set(r)):
            raise InputError(f"{where} is not an lstm-doctor JSON report (no findings, rules, "
                             "data and summary); give the output of 'lstm-doctor check "
                             "--format json' or 'lstm-doctor report --json'")
    return results, fail_on

