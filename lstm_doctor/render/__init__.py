"""Renderers: every output format is made from ``Report.to_dict()``."""

from __future__ import annotations

from typing import Any

#: Formats of ``lstm-doctor check --format``.
FORMATS: tuple[str, ...] = ("text", "json", "junit", "sarif", "github", "markdown")


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
    fmt = fmt.lower()
    if fmt == "text":
        from lstm_doctor.render.text import render_text_many

        return render_text_many(results, fail_on=fail_on)
    if fmt == "json":
        from lstm_doctor.render.json import render_json

        return render_json(results, fail_on=fail_on)
    if fmt == "junit":
        from lstm_doctor.render.junit import render_junit

        return render_junit(results, fail_on=fail_on)
    if fmt == "sarif":
        from lstm_doctor.render.sarif import render_sarif

        return render_sarif(results, fail_on=fail_on)
    if fmt == "github":
        from lstm_doctor.render.github import render_github

        return render_github(results, fail_on=fail_on)
    if fmt == "markdown":
        from lstm_doctor.render.markdown import render_markdown

        return render_markdown(results, fail_on=fail_on)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
