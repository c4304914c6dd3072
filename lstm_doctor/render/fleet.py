"""The combined report of a fleet (``lstm-doctor report`` on many series).

Pure functions of the results (one ``Report.to_dict()`` or ``{"source", "error"}`` entry per
series), like every renderer:

* :func:`fleet_rows`: the summary table, one row per series: its id and length, the model
  with the lowest MASE, your LSTM's and the remediated LSTM's MASE, whether the remediated
  LSTM helps (the Diebold-Mariano test of the two, as the verdict reads it) and the most
  severe finding;
* :func:`render_fleet_html`: one self-contained page, the summary table on top, each row
  linking to a compact section of its series (verdict, findings, holdout metrics, the
  remediated set-up), every element id of a section prefixed by that section's anchor;
* :func:`print_fleet`: the summary table as text (rich);
* :func:`fleet_document`: the JSON document: the several-results collection of ``check``
  (so ``lstm-doctor render`` reads it); the summary table is a function of it.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from lstm_doctor.gate import RANK, collection, exit_code, is_error_result

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console

#: Significance level of "the remediated LSTM helps" (the verdict's).
ALPHA = 0.05
#: The answers of the "remediated helps?" column.
HELPS = ("yes", "no", "worse", "unclear", "not trained")

__all__ = ["ALPHA", "HELPS", "fleet_document", "fleet_rows", "helps", "print_fleet",
           "render_fleet_fragment", "render_fleet_html"]


def _models(comp: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {m.get("name"): m for m in comp.get("models") or [] if isinstance(m, dict)}


def _mase(model: dict[str, Any] | None) -> float | None:
    value = (model or {}).get("mase")
    return float(value) if isinstance(value, (int, float)) and value == value else None


def helps(comp: dict[str, Any] | None) -> tuple[str, str]:
    """Does the remediated LSTM beat yours? ``(answer, why)``, answer one of :data:`HELPS`.

    ``yes``/``worse``: the Diebold-Mariano test of the two LSTMs (absolute-error loss) is
    significant at :data:`ALPHA` and its loss ranks them as their MASE does; ``no``: not
    significant; ``unclear``: the test and the MASE rank them differently; ``not trained``:
    one of the two produced no forecast (``--no-train``, TensorFlow missing, a failure).
    """
    comp = comp or {}
    models = _models(comp)
    base, rem = _mase(models.get("baseline_lstm")), _mase(models.get("remediated_lstm"))
    if base is None or rem is None:
        why = comp.get("lstm_skipped") or next(
            (m["error"] for k in ("baseline_lstm", "remediated_lstm")
             if (m := models.get(k)) and m.get("error")),
            "the LSTMs were not trained" if comp else "no experiment (findings only)")
        return "not trained", str(why)
    test = next((t for t in comp.get("dm_tests") or []
                 if {t.get("a"), t.get("b")} == {"remediated_lstm", "baseline_lstm"}), None)
    if test is None or not isinstance(test.get("p_value"), (int, float)):
        return "unclear", "no Diebold-Mariano test of the two LSTMs"
    p = float(test["p_value"])
    ptext = f"DM p = {p:.2g}" if p >= 0.001 else "DM p < 0.001"
    significant = test.get("significant", p < ALPHA)
    if not significant:
        return "no", f"not significant ({ptext})"
    by_mase = "remediated_lstm" if rem < base else "baseline_lstm"
    if test.get("better") != by_mase:
        return "unclear", f"the test ({ptext}) and the MASE rank the two LSTMs differently"
    return ("yes" if by_mase == "remediated_lstm" else "worse"), ptext


def _worst(findings: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The most severe finding (the first of equals, findings being most severe first)."""
    best = None
    for f in findings:
        if best is None or RANK.get(f.get("severity"), 0) > RANK.get(best.get("severity"), 0):
            best = f
    if best is None:
        return None
    return {"code": best.get("code"), "severity": best.get("severity"),
            "name": best.get("name"), "message": best.get("message")}


#: ``<file>[<id_col>=<id>]``: the label of a series split off a long-format table.
_SPLIT_LABEL = re.compile(r".*\[[^\[\]=]+=(?P<id>[^\]]*)\]")
#: Short model names of the text table.
SHORT_NAMES = {"baseline_lstm": "your LSTM", "remediated_lstm": "remediated",
               "seasonal_naive": "seasonal naive", "ets": "ETS"}


def _label(result: dict[str, Any]) -> str:
    if is_error_result(result):
        match = _SPLIT_LABEL.fullmatch(str(result["source"]))
        return match["id"] if match else str(result["source"])
    data = result.get("data") or {}
    return str(data["series_id"]) if data.get("series_id") is not None else \
        str(data.get("source") or data.get("target") or "data")


def fleet_rows(results: list[dict[str, Any]], fail_on: str = "error") -> list[dict[str, Any]]:
    """The summary table of a fleet: one row per series, in input order.

    Returns
    -------
    list of dict
        ``anchor`` (``series-<k>``, 1-based, the id of its HTML section), ``series`` (the
        label), ``id`` (the series id, else the label), ``n``, ``best`` (``name``, ``label``
        and ``mase`` of the model with the lowest MASE, or None), ``baseline_mase``,
        ``remediated_mase``, ``helps`` and ``helps_why`` (see :func:`helps`), ``worst``
        (the most severe finding's ``code``, ``severity``, ``name``, ``message``, or None),
        ``failing`` (findings at or above ``fail_on``) and ``error`` (the one-line message
        of a series that could not be reported, else None).
    """
    from lstm_doctor.gate import fail_threshold, fails

    threshold = fail_threshold(fail_on)
    rows = []
    for k, r in enumerate(results, start=1):
        row: dict[str, Any] = {"anchor": f"series-{k}", "id": _label(r), "n": None,
                               "best": None, "baseline_mase": None, "remediated_mase": None,
                               "helps": None, "helps_why": None, "worst": None, "failing": 0,
                               "error": None}
        if is_error_result(r):
            row.update(series=r["source"], error=r["error"])
            rows.append(row)
            continue
        comp = r.get("comparison") or {}
        models = _models(comp)
        scored = [m for m in models.values() if _mase(m) is not None]
        best = min(scored, key=_mase, default=None)
        answer, why = helps(comp)
        row.update(series=r["data"].get("source") or row["id"], n=r["data"].get("n"),
                   best=None if best is None else {"name": best.get("name"),
                                                   "label": best.get("label") or best.get("name"),
                                                   "mase": _mase(best)},
                   baseline_mase=_mase(models.get("baseline_lstm")),
                   remediated_mase=_mase(models.get("remediated_lstm")),
                   helps=answer, helps_why=why, worst=_worst(r.get("findings") or []),
                   failing=sum(fails(f, threshold) for f in r.get("findings") or []))
        rows.append(row)
    return rows


def _totals(rows: list[dict[str, Any]]) -> dict[str, int]:
    out = {answer: sum(r["helps"] == answer for r in rows) for answer in HELPS}
    out.update(series=len(rows), errors=sum(r["error"] is not None for r in rows),
               failing=sum(r["failing"] > 0 for r in rows))
    return out


def _totals_text(totals: dict[str, int], fail_on: str) -> str:
    parts = [f"remediated LSTM better in {totals['yes']}", f"no significant difference in "
             f"{totals['no']}", f"worse in {totals['worse']}"]
    if totals["unclear"]:
        parts.append(f"unclear in {totals['unclear']}")
    if totals["not trained"]:
        parts.append(f"not trained in {totals['not trained']}")
    text = f"{totals['series']} series: " + ", ".join(parts)
    if fail_on != "never":
        text += f"; {totals['failing']} with findings at or above {fail_on}"
    if totals["errors"]:
        text += f"; {totals['errors']} could not be reported"
    return text


def fleet_document(results: list[dict[str, Any]], *, fail_on: str = "error") -> dict[str, Any]:
    """The JSON document of a fleet: the several-results collection of ``check``.

    ``schema_version``, ``tool``, ``fail_on``, ``files`` (one report, with its
    ``comparison``, or error entry per series) and ``summary``: valid against the report
    schema and re-rendered by ``lstm-doctor render``; the summary table is
    :func:`fleet_rows` of ``files``.
    """
    return collection(results, fail_on=fail_on)


def _num(value: Any, digits: int = 3) -> str:
    from lstm_doctor.render.html_format import fmt_num

    return fmt_num(value, digits)


def _short(name: Any) -> str:
    return SHORT_NAMES.get(str(name), str(name).replace("_", " "))


def print_fleet(results: list[dict[str, Any]], console: Console, fail_on: str = "error") -> None:
    """Print the summary table of a fleet, the series that could not be reported and totals."""
    from rich.markup import escape
    from rich.table import Table

    rows = fleet_rows(results, fail_on=fail_on)
    table = Table(title="lstm-doctor report: one row per series (MASE on the holdout)")
    for col, justify in (("Series", "left"), ("n", "right"), ("Best model", "left"),
                         ("Your LSTM", "right"), ("Remediated", "right"), ("Helps?", "left"),
                         ("Worst finding", "left")):
        table.add_column(col, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for r in rows:
        if r["error"]:
            table.add_row(escape(r["id"]), "", "[bold red]not reported[/]", "", "", "", "")
            continue
        best, worst = r["best"], r["worst"]
        p = r["helps_why"] if r["helps"] in ("yes", "worse") else ""
        table.add_row(
            escape(r["id"]), _num(r["n"]),
            "–" if best is None else escape(f"{_short(best['name'])} {_num(best['mase'])}"),
            _num(r["baseline_mase"]), _num(r["remediated_mase"]),
            escape(r["helps"] + (" " + p.removeprefix("DM ").replace(" ", "") if p else "")),
            "none" if worst is None else f"{worst['code']} {worst['severity']}")
    console.print(table)
    for r in rows:
        if r["error"]:
            console.print(f"[bold red]not reported:[/] {escape(r['error'])}", soft_wrap=True)
    console.print(escape(_totals_text(_totals(rows), fail_on)), soft_wrap=True)


def _finding_rows(d: dict[str, Any]) -> list[dict[str, Any]]:
    rows = [{"code": f["code"], "name": f["name"], "severity": f["severity"],
             "message": f["message"], "fix": f.get("fix", "")} for f in d["findings"]]
    return sorted(rows, key=lambda r: (-RANK.get(r["severity"], 0), r["code"]))


def render_fleet_html(results: list[dict[str, Any]], *, fail_on: str = "error",
                      meta: dict[str, Any] | None = None) -> str:
    """The combined HTML page of a fleet: the summary table, then one section per series.

    Parameters
    ----------
    results : list of dict
        One ``Report.to_dict()`` or error entry per series (a Report is converted).
    fail_on : str
        The gate the page states (which findings fail the run).
    meta : dict, optional
        The run's ``backend``, ``jobs``, ``seeds``, ``epochs`` and ``seconds``, shown in the
        header.

    Returns
    -------
    str
        One self-contained HTML document (no network, no plots: a fleet page stays small).
    """
    import datetime as _dt

    from lstm_doctor import __version__
    from lstm_doctor._templates import get_env
    from lstm_doctor.render.html_format import fmt_num, inline_markup
    from lstm_doctor.render.html_view import build_view

    results = [r.to_dict() if hasattr(r, "to_dict") else r for r in results]
    rows = fleet_rows(results, fail_on=fail_on)
    sections = []
    for row, d in zip(rows, results, strict=True):
        view = None if row["error"] else build_view(d, plots=False)
        sections.append({"row": row, "view": view, "prefix": row["anchor"] + "-",
                         "findings": [] if view is None else _finding_rows(d)})
    env = get_env()
    env.filters.update(num=fmt_num, markup=inline_markup)
    totals = _totals(rows)
    return env.get_template("fleet.html.j2").render(
        title=f"lstm-doctor fleet report: {len(rows)} series", rows=rows, sections=sections,
        totals=totals, totals_text=_totals_text(totals, fail_on), fail_on=fail_on,
        meta=dict(meta or {}), tool_version=__version__, exit_code=exit_code(results, fail_on),
        generated=_dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))


def render_fleet_fragment(results: list[dict[str, Any]], *, fail_on: str = "error",
                          max_rows: int = 50, seconds: float | None = None,
                          uid: str | None = None) -> str:
    """A report fleet as one scoped HTML fragment for notebooks: the totals and the summary
    table of the first ``max_rows`` series (the table of :func:`render_fleet_html`).

    Parameters
    ----------
    results : list of dict
        One ``Report.to_dict()`` or error entry per series.
    fail_on : str
        The gate the card states.
    max_rows : int
        Series shown at most (the rest are counted).
    seconds : float, optional
        Wall time of the run.
    uid : str, optional
        The fragment's identifier (lower-case letters and digits).

    Returns
    -------
    str
        ``<div class="ld-nb ld-nb-fleet" id="ld-<uid>">…</div>``, CSS scoped to that id.
    """
    from lstm_doctor._templates import get_env
    from lstm_doctor.render.html_format import fmt_num, inline_markup
    from lstm_doctor.render.notebook import check_uid, tool_version

    uid = check_uid(uid)
    results = [r.to_dict() if hasattr(r, "to_dict") else r for r in results]
    rows = fleet_rows(results, fail_on=fail_on)
    env = get_env()
    env.filters.update(num=fmt_num, markup=inline_markup)
    totals = _totals(rows)
    return env.get_template("fleet_card.html.j2").render(
        root=f"ld-{uid}", rows=rows[: max(0, int(max_rows))], n=len(rows),
        totals_text=_totals_text(totals, fail_on), fail_on=fail_on, seconds=seconds,
        exit_code=exit_code(results, fail_on), version=tool_version(results)).strip()
