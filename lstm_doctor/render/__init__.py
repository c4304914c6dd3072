"""Renderers: every output format is made from ``Report.to_dict()``."""

from __future__ import annotations

from typing import Any

# format -> (module in lstm_doctor.render, function); imported on first use
_RENDERERS: dict[str, tuple[str, str]] = {
    "text": ("text", "render_text_many"),
    "json": ("json", "render_json"),
    "junit": ("junit", "render_junit"),
    "sarif": ("sarif", "render_sarif"),
    "github": ("github", "render_github"),
    "markdown": ("markdown", "render_markdown"),
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

