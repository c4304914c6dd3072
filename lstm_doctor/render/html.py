"""The self-contained HTML report (jinja2 templates under ``templates/``).

:func:`render_html` turns ``Report.to_dict()`` into one HTML file that works offline:
inline CSS and JS, plots embedded as SVG ``data:`` URIs, downloads as ``data:`` links.
Every section is optional, so a findings-only report (``--no-train``, or TensorFlow
missing) renders completely for what it has.

For notebooks, :mod:`lstm_doctor.render.notebook` renders a scoped, compact fragment of
the same view instead of a page.

It is a pure function of the report's data: the view (:mod:`lstm_doctor.render.html_view`)
and the plots (:mod:`lstm_doctor.render.html_plots`) read the findings, the comparison and
the facts stored before rendering (:mod:`lstm_doctor.report_facts`), so a saved JSON report
renders the same page as the live run (``lstm-doctor render report.json --format html``).
"""

from __future__ import annotations

from typing import Any

from lstm_doctor.render.html_format import (  # noqa: F401 - re-exported
    data_uri,
    doc_markup,
    fmt_num,
    fmt_value,
    inline_markup,
)
from lstm_doctor.render.html_view import build_view


def render_html(report: Any, *, plots: bool = True) -> str:
    """Render the report as one self-contained HTML page.

    Parameters
    ----------
    report : dict or Report
        ``Report.to_dict()`` (or a saved JSON report); a Report is converted with
        :meth:`~lstm_doctor.findings.Report.to_dict`. Without stored facts (an older JSON
        file) the data section shows the facts the report has, without plots.
    plots : bool
        Draw the plots (``False``: a smaller page with the same tables and text).

    Returns
    -------
    str
        The HTML document (UTF-8 text).
    """
    from lstm_doctor._templates import get_env

    d = report.to_dict() if hasattr(report, "to_dict") else report
    view = build_view(d, plots=plots)
    env = get_env()
    env.filters.update(num=fmt_num, markup=inline_markup, doc=doc_markup)
    return env.get_template("report.html.j2").render(**view)


def render_html_many(results: list[dict[str, Any]], *, fail_on: str = "error") -> str:
    """The HTML report of one checked file (the ``render``/``check --format html`` entry).

    Raises
    ------
    InputError
        Unless ``results`` holds exactly one report: an HTML page shows one series.
    """
    from lstm_doctor.errors import InputError

    reports = [r for r in results if "findings" in r]
    if len(results) != 1 or len(reports) != 1:
        raise InputError(f"--format html shows one series, not {len(results)}: give one "
                         "file, or use json, markdown, junit, sarif, github or text for "
                         "several")
    return render_html(reports[0])


__all__ = ["render_html", "render_html_many", "build_view", "fmt_num", "fmt_value",
           "inline_markup", "doc_markup", "data_uri"]
