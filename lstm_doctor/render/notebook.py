"""The report as an HTML fragment for notebooks (Jupyter, VS Code, nbconvert exports).

A notebook shows many outputs on one page, so the fragment is a good guest:

* one root element, ``<div class="ld-nb" id="ld-<uid>">``, with a fresh ``uid`` per render;
  no ``<html>``, ``<head>`` or ``<body>``;
* every CSS rule is scoped under ``#ld-<uid>``, and the first ones reset whatever the host
  page styles (list bullets, table stripes, margins, a dark theme's colours): the fragment
  sets its own light background and text colour, so it reads the same on a dark notebook;
* every element id starts with ``ld-<uid>-``, so two reports on one page never share an id
  and each Copy button copies from its own report;
* it is compact: the verdict with its key numbers, the findings table, the holdout metrics
  and the proposed set-up (a few tens of kB in the ``.ipynb``); the plots, the bulk of the
  full page, come only when asked for (``plots=True``).

Like every renderer it is a pure function of ``Report.to_dict()``.
"""

from __future__ import annotations

import re
import secrets
from typing import Any

from lstm_doctor.render.html_format import fmt_num, inline_markup, short_time
from lstm_doctor.render.html_view import build_view

#: The figures of the plots section, in order: (view key, heading).
FIGURES: tuple[tuple[str, str], ...] = (
    ("series", "Series, split and rolling statistics"), ("acf", "Autocorrelation"),
    ("decomposition", "Seasonal decomposition"), ("distribution", "Distribution"),
    ("mase", "MASE per model"), ("forecast", "Holdout forecasts"),
    ("loss", "Training curves"), ("ablation", "Ablation"))

_UID = re.compile(r"[a-z0-9]{1,32}")


def new_uid() -> str:
    """A fresh identifier for one rendered fragment (10 hex digits)."""
    return secrets.token_hex(5)


def check_uid(uid: str | None) -> str:
    """``uid``, or a fresh one when None.

    Raises
    ------
    ValueError
        When ``uid`` is not 1-32 lower-case letters and digits.
    """
    uid = new_uid() if uid is None else uid
    if not _UID.fullmatch(uid):
        raise ValueError(f"uid {uid!r}: use 1-32 lower-case letters and digits")
    return uid


def tool_version(results: list[dict[str, Any]]) -> str:
    """The lstm-doctor version the first report of ``results`` names ("" when none does)."""
    return next((r["tool"].get("version", "") for r in results if "tool" in r), "")


def render_fragment(report: Any, *, plots: bool = False, uid: str | None = None) -> str:
    """Render the report as one scoped HTML fragment (what a notebook displays).

    Parameters
    ----------
    report : dict or Report
        ``Report.to_dict()`` (or a saved JSON report); a Report is converted.
    plots : bool
        Add the plots (series, autocorrelation, decomposition, distribution and, after an
        experiment, the metric, forecast, loss and ablation plots) in an open ``<details>``.
        Off by default: they are what makes a displayed report large.
    uid : str, optional
        The fragment's identifier (lower-case letters and digits); a fresh random one by
        default. Every element id of the fragment starts with ``ld-<uid>-``.

    Returns
    -------
    str
        ``<div class="ld-nb" id="ld-<uid>">…</div>``: styles and script inside, no
        ``<html>``/``<body>``, nothing loaded from the network.

    Raises
    ------
    ValueError
        When ``uid`` is not 1-32 lower-case letters and digits.
    """
    from lstm_doctor._templates import get_env

    uid = check_uid(uid)
    d = report.to_dict() if hasattr(report, "to_dict") else report
    view = build_view(d, plots=plots)
    env = get_env()
    env.filters.update(num=fmt_num, markup=inline_markup)
    figures = [(key, title, view["plots"][key]) for key, title in FIGURES
               if view["plots"].get(key)]
    return env.get_template("fragment.html.j2").render(
        **view, root=f"ld-{uid}", prefix=f"ld-{uid}-", figures=figures, show_plots=plots,
        findings=_rows(d), heading=_heading(d["data"]), version=d["tool"]["version"]).strip()


def _heading(data: dict[str, Any]) -> str:
    """``target 'passengers', 144 points, MS, 1949-01-01 – 1960-12-01``."""
    parts = [f"target {data.get('target')}", f"{fmt_num(data.get('n'))} points"]
    if data.get("frequency"):
        parts.append(f"frequency {data['frequency']}")
    if data.get("start") is not None:
        parts.append(f"{short_time(data['start'])} – {short_time(data.get('end'))}")
    return ", ".join(parts)


def _rows(d: dict[str, Any]) -> list[dict[str, Any]]:
    """The findings table: most severe first, then by code (crashed rules included)."""
    from lstm_doctor.gate import RANK

    rows = [{"code": f["code"], "name": f["name"], "severity": f["severity"],
             "message": f["message"], "fix": f.get("fix", ""), "crashed": f.get("crashed")}
            for f in d["findings"]]
    return sorted(rows, key=lambda r: (-RANK[r["severity"]], r["code"]))


#: The order of a panel's rows in its card: the worst first.
_WORST_FIRST = {"input-error": 0, "error": 1, "warning": 2, "info": 3, "pass": 4}


def render_panel_fragment(results: list[dict[str, Any]], *, fail_on: str = "error",
                          max_rows: int = 50, seconds: float | None = None,
                          uid: str | None = None) -> str:
    """A panel check (one report per series) as one scoped HTML fragment for notebooks.

    The totals, then the ``max_rows`` worst series (input errors, then by worst severity,
    then by failing findings; input order among equals), with their counts and codes. The
    same scoping as :func:`render_fragment`: one root element, CSS under its own id.

    Parameters
    ----------
    results : list of dict
        ``Report.to_dict()`` per series, or ``{"source", "error"}`` entries.
    fail_on : str
        The gate: which findings count as failing.
    max_rows : int
        Series shown at most (the rest are counted).
    seconds : float, optional
        Wall time of the run (shown when given).
    uid : str, optional
        The fragment's identifier (lower-case letters and digits).

    Returns
    -------
    str
        ``<div class="ld-nb ld-nb-panel" id="ld-<uid>">…</div>``.
    """
    from lstm_doctor._templates import get_env
    from lstm_doctor.gate import collection_summary, summary_rows

    uid = check_uid(uid)
    rows = summary_rows(results, fail_on=fail_on)
    ranked = sorted(range(len(rows)), key=lambda i: (_WORST_FIRST.get(rows[i]["worst"], 5),
                                                     -rows[i]["failing"], i))
    shown = [rows[i] for i in ranked[: max(0, int(max_rows))]]
    return get_env().get_template("panel.html.j2").render(
        root=f"ld-{uid}", rows=shown, n=len(rows), totals=collection_summary(results, fail_on),
        fail_on=fail_on, seconds=seconds, version=tool_version(results)).strip()


__all__ = ["FIGURES", "check_uid", "new_uid", "render_fragment", "render_panel_fragment",
           "tool_version"]
