"""The self-contained HTML report (jinja2 templates under ``templates/``).

:func:`render_html` turns a :class:`~lstm_doctor.findings.Report` into one HTML file that
works offline: inline CSS and JS, plots embedded as SVG ``data:`` URIs, downloads as
``data:`` links. Every section is optional, so a findings-only report (``--no-train``, or
TensorFlow missing) renders completely for what it has.

This module only arranges what the report already holds (and draws it, via
:mod:`lstm_doctor.render.plots`); it computes no diagnostic statistic.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html as _html
import os
import platform
import re
import sys
from typing import Any

from lstm_doctor.findings import Report, Severity

SEVERITY_ORDER = ("error", "warning", "info")
GROUP_ORDER = ("data", "stationarity", "scaling", "capacity", "window", "setup", "training")
GROUP_TITLES = {
    "data": "Data quality",
    "stationarity": "Stationarity and signal",
    "scaling": "Scaling and preprocessing",
    "capacity": "Capacity (network size vs data)",
    "window": "Windowing",
    "setup": "Set-up and evaluation",
    "training": "Training",
}
TILE_ORDER = ("baseline_lstm", "naive", "seasonal_naive", "ets", "mean", "remediated_lstm")
REFERENCES = ("naive", "seasonal_naive", "ets", "mean")
METRICS = (("mae", "MAE"), ("rmse", "RMSE"), ("smape", "sMAPE"), ("mase", "MASE"))
VERSION_PACKAGES = ("lstm-doctor", "numpy", "pandas", "statsmodels", "scipy", "scikit-learn",
                    "matplotlib", "jinja2")


def render_html(report: Report) -> str:
    """Render the report as one self-contained HTML page.

    Parameters
    ----------
    report : Report
        From :func:`lstm_doctor.check` or :func:`lstm_doctor.report`. The series plots need
        ``report.extras["context"]`` (always set by the API); without it the data section
        shows the facts only.

    Returns
    -------
    str
        The HTML document (UTF-8 text).
    """
    from lstm_doctor._templates import get_env

    view = build_view(report)
    env = get_env()
    env.filters.update(num=fmt_num, markup=inline_markup, doc=doc_markup)
    return env.get_template("report.html.j2").render(**view)


# -- formatting helpers (also registered as template filters) ------------------------------
def fmt_num(value: Any, digits: int = 4) -> str:
    """A number for humans: thousands separators, ``digits`` significant digits, ``-`` for None."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value != value:  # NaN
            return "–"
        if value.is_integer() and abs(value) < 1e15:
            return f"{int(value):,}"
        return f"{value:,.{digits}g}"
    return str(value)


def fmt_value(value: Any, limit: int = 10) -> str:
    """Any evidence value as a short string (lists truncated, dicts as ``k=v``)."""
    if isinstance(value, dict):
        items = list(value.items())
        text = ", ".join(f"{k}={fmt_value(v, limit)}" for k, v in items[:limit])
        return text + (f", … ({len(items)} keys)" if len(items) > limit else "")
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, dict) for v in value):
        # records (e.g. one per seed): one per line
        more = f"\n… ({len(value):,} in all)" if len(value) > limit else ""
        return "\n".join(fmt_value(v, limit) for v in value[:limit]) + more
    if isinstance(value, (list, tuple)):
        shown = ", ".join(fmt_value(v, limit) for v in value[:limit])
        more = f", … ({len(value):,} in all)" if len(value) > limit else ""
        return f"[{shown}{more}]"
    return fmt_num(value)


def inline_markup(text: str) -> str:
    """Escape ``text`` and turn ``code`` / ``code`` spans into ``<code>`` (returns HTML)."""
    from markupsafe import Markup

    escaped = _html.escape(str(text), quote=False)
    escaped = re.sub(r"``(.+?)``", r"<code>\1</code>", escaped)
    escaped = re.sub(r"(?<![`\w])`([^`\n]+?)`(?![`\w])", r"<code>\1</code>", escaped)
    escaped = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", escaped)
    return Markup(escaped)


def doc_markup(text: str) -> str:
    """A rule docstring section as HTML paragraphs and bullet lists (escaped)."""
    from markupsafe import Markup

    blocks = []
    for para in re.split(r"\n\s*\n", text.strip()):
        lines = [ln.strip() for ln in para.splitlines() if ln.strip()]
        if not lines:
            continue
        if all(ln.startswith(("- ", "* ")) for ln in lines):
            items = "".join(f"<li>{inline_markup(ln[2:])}</li>" for ln in lines)
            blocks.append(f"<ul>{items}</ul>")
        elif para.lstrip().startswith(("    ", "\t")) or para.strip().startswith(">>>"):
            blocks.append(f"<pre><code>{_html.escape(para.strip(), quote=False)}</code></pre>")
        else:
            blocks.append(f"<p>{inline_markup(' '.join(lines))}</p>")
    return Markup("".join(blocks))


def data_uri(text: str, mime: str) -> str:
    """``text`` as a base64 ``data:`` URI (for download links)."""
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return f"data:{mime};charset=utf-8;base64,{payload}"


def _title(name: str) -> str:
    """``scaling.unscaled-level`` -> ``unscaled level``."""
    return name.rsplit(".", 1)[-1].replace("-", " ").replace("_", " ")


# -- the view ------------------------------------------------------------------------------
def build_view(report: Report) -> dict[str, Any]:
    """Everything the templates show, as plain values (strings, lists, dicts, Plots).

    Parameters
    ----------
    report : Report
        The report to show.

    Returns
    -------
    dict
        Keys: ``title``, ``generated``, ``data``, ``facts``, ``verdict``, ``families``,
        ``rules``, ``plots``, ``plot_notes``, ``comparison``, ``remediated``, ``repro``,
        ``sections`` (the table of contents).
    """
    from lstm_doctor.render.text import setup_provenance

    d = report.to_dict()
    ctx = report.extras.get("context")
    comp = d.get("comparison") or None
    period = _period(comp, ctx)
    impacts = _impacts(report, comp)
    plots, notes = _data_plots(report, ctx, period, comp)
    comparison = _comparison_view(comp, ctx, plots, notes) if comp else None
    view = {
        "title": f"lstm-doctor report: {d['data'].get('source') or d['data'].get('target')}",
        "generated": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "tool_version": d["tool"]["version"],
        "data": d["data"],
        "facts": _facts(d, ctx, period, comp),
        "config_given": d.get("config") is not None,
        "provenance": setup_provenance(d.get("config")),
        "verdict": _verdict(report, comp, impacts),
        "summary": d["summary"],
        "families": _families(report, impacts),
        "rules": d.get("rules", []),
        "rule_counts": _rule_counts(d.get("rules", [])),
        "plots": plots,
        "plot_notes": notes,
        "comparison": comparison,
        "remediated": _remediated_view(report, comp),
        "repro": _repro(report, comp),
    }
    sections = [("verdict", "Verdict"), ("data", "The data"), ("findings", "Findings")]
    if comparison:
        sections.append(("experiment", "The experiment"))
    if view["remediated"]:
        trained = view["remediated"]["trained"]
        sections.append(("remediated", "Remediated set-up" if trained else "Proposed set-up"))
    sections.append(("reproducibility", "Reproducibility"))
    view["sections"] = sections
    return view


def _period(comp: dict | None, ctx: Any) -> dict[str, Any] | None:
    """The seasonal period (``{"period", "kind"}``) from the comparison or the stats module."""
    value: Any = (comp or {}).get("period")
    kind = None
    if value is None and ctx is not None:
        try:
            from lstm_doctor.stats import detect_period
        except ImportError:
            return None
        try:
            value = detect_period(ctx)
        except Exception:  # a failing detector must not break the report
            return None
    if isinstance(value, dict):
        kind = value.get("kind")
        value = value.get("period")
    try:
        period = int(value)
    except (TypeError, ValueError):
        return None
    return {"period": period, "kind": kind or "seasonal"} if period >= 2 else None


def _facts(d: dict, ctx: Any, period: dict | None, comp: dict | None) -> list[tuple[str, str]]:
    data = d["data"]
    facts = [("Source", str(data.get("source") or "–")), ("Target", str(data.get("target")))]
    if data.get("features"):
        facts.append(("Features", ", ".join(data["features"])))
    facts.append(("Points", fmt_num(data.get("n"))))
    if data.get("start") is not None:
        facts.append(("Range", f"{_short_time(data['start'])} – {_short_time(data['end'])}"))
    facts.append(("Frequency", str(data.get("frequency") or "not regular / unknown")))
    grid = None
    if ctx is not None:
        try:
            grid = ctx.time_grid
        except Exception:
            grid = None
    if grid:
        gaps = grid.get("n_missing") or 0
        facts.append(("Gaps in the time index", fmt_num(gaps) + (
            f" (longest {fmt_num(grid.get('longest_gap'))})" if gaps else "")))
    facts.append(("Missing / non-finite values", fmt_num(data.get("missing"))))
    facts.append(("Value range", f"{fmt_num(data.get('min'))} to {fmt_num(data.get('max'))}"))
    facts.append(("Mean ± std", f"{fmt_num(data.get('mean'))} ± {fmt_num(data.get('std'))}"))
    if period:
        what = "seasonal period" if period["kind"] == "seasonal" else "cycle length"
        facts.append(("Detected " + what, fmt_num(period["period"])))
    holdout = (comp or {}).get("holdout")
    if holdout and holdout.get("n"):
        facts.append(("Holdout", f"{fmt_num(holdout['n'])} points "
                      f"({_short_time(holdout.get('start'))} – {_short_time(holdout.get('end'))})"))
    elif ctx is not None:
        facts.append(("Train / holdout", f"{ctx.n_train:,} / {ctx.n_test:,} points"))
    return facts


def _short_time(value: Any) -> str:
    text = fmt_num(value) if not isinstance(value, str) else value
    return text[:-9] if text.endswith("T00:00:00") else text.replace("T", " ")


def _impacts(report: Report, comp: dict | None) -> dict[str, dict[str, Any]]:
    """Measured impact per finding code: the largest ablation share of a remedy it proposed.

    Returns ``{code: {"share": float, "remedy": str}}``. An ablation row matches a finding
    when its ``source`` lists the finding's code (or, without ``source``, when it names the
    code, one of the finding's remedy kinds or a remedy's description).
    """
    out: dict[str, dict[str, Any]] = {}
    for row in (comp or {}).get("ablation") or []:
        label = str(row.get("remedy", ""))
        share = row.get("share")
        if share is None or not label:
            continue
        sources = str(row.get("source") or "")
        for f in report.findings:
            if sources:  # the experiment names the rules that proposed each remedy
                match = f.code in [c.strip() for c in sources.split(",")]
            else:
                match = f.code in label or any(
                    label in (r.kind, r.describe()) or (r.describe() and r.describe() in label)
                    for r in f.remedies)
            if match and float(share) > out.get(f.code, {}).get("share", float("-inf")):
                out[f.code] = {"share": float(share), "remedy": label}
    return out


def _share(share: float | None) -> str:
    """A share of the gain as a percentage (``-0%`` shown as ``0%``)."""
    if share is None:
        return "–"
    pct = round(share * 100)
    return f"{0 if pct == 0 else pct}%"


def _impact_text(impact: dict[str, Any] | None) -> str | None:
    if not impact:
        return None
    if impact["share"] < 0.005:
        return "no measurable gain in the ablation"
    return f"{_share(impact['share'])} of the measured gain"


def _ranked(report: Report, impacts: dict[str, dict[str, Any]]) -> list[Any]:
    findings = [f for f in report.findings if not f.crashed]
    return sorted(findings, key=lambda f: (-f.severity.rank,
                                           -impacts.get(f.code, {}).get("share", -1e9), f.code))


def _spread(model: dict[str, Any], key: str, digits: int = 2) -> str:
    """``"± s"`` when the model ran over several seeds, else ``""``."""
    seeds = model.get("n_seeds") or len(model.get("seeds") or [])
    std = model.get(f"{key}_std")
    return f"± {fmt_num(std, digits)}" if seeds and seeds > 1 and std is not None else ""


def _lead(comp: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Sentences before and after "Main causes": how your LSTM did, what the fix reaches."""
    models = {m.get("name"): m for m in comp.get("models") or []}
    base, naive, rem = (models.get(k) for k in ("baseline_lstm", "naive", "remediated_lstm"))
    before, after = [], []
    if base is not None and base.get("mase") is None:
        why = f" ({base['error']})" if base.get("error") else ""
        before.append(f"Your LSTM produced no usable forecast{why}.")
    elif base is not None and naive is not None and naive.get("mase"):
        b, n = base["mase"], naive["mase"]
        ratio = b / n
        nums = f"(MASE {fmt_num(b, 3)} vs {fmt_num(n, 3)})"
        if ratio >= 1.05:
            before.append(f"Your LSTM is {ratio:.1f}× worse than the naive forecast {nums}.")
        else:
            refs = [m for k, m in models.items() if k in REFERENCES and k != "naive"
                    and m.get("mase") is not None]
            best = min(refs, key=lambda m: m["mase"], default=None)
            but = ""
            if best is not None and best["mase"] > 0 and b / best["mase"] >= 1.05:
                from lstm_doctor.render.plots import model_label

                but = (f" but is {b / best['mase']:.1f}× worse than the best reference model, "
                       f"{model_label(str(best['name']))} (MASE {fmt_num(best['mase'], 3)})")
            verb = "beats" if ratio <= 0.95 else "is no better than"
            before.append(f"Your LSTM {verb} the naive forecast {nums}{but}.")
    if rem is not None and rem.get("mase") is not None:
        after.append(f"The remediated LSTM reaches MASE {fmt_num(rem['mase'], 3)}.")
    if comp.get("lstm_skipped"):
        after.append(f"The LSTMs were not trained: {comp['lstm_skipped']}")
    return before, after


def _verdict(report: Report, comp: dict | None,
             impacts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    from lstm_doctor.render.plots import model_label

    ranked = _ranked(report, impacts)
    causes = [{"code": f.code, "label": _title(f.name), "severity": f.severity.value,
               "message": f.message,
               "impact": _impact_text(impacts.get(f.code))} for f in ranked[:5]]
    before, after = _lead(comp) if comp else ([], [])
    lead = list(before)
    if ranked:
        top = ", ".join(f"{c['label']} ({c['code']})" for c in causes[:3])
        lead.append(f"Main causes: {top}.")
    elif not report.findings:
        ran = sum(o.status in ("pass", "fail") for o in report.outcomes)
        lead.append(f"No problem found: the {ran} rules that ran all passed.")
    lead += after
    s = report.summary
    counts = ", ".join(f"{s[k]} {k}{'s' if s[k] != 1 and k != 'info' else ''}"
                       for k in SEVERITY_ORDER if s[k])
    tiles = []
    for m in (comp or {}).get("models") or []:
        name = m.get("name")
        if name in TILE_ORDER and m.get("mase") is not None:
            tiles.append({"label": f"{model_label(str(name))} MASE",
                          "value": fmt_num(m["mase"], 3), "spread": _spread(m, "mase"),
                          "name": name})
    tiles.sort(key=lambda t: TILE_ORDER.index(t["name"]))
    return {"text": " ".join(lead), "detail": (comp or {}).get("verdict"), "causes": causes,
            "counts": counts or "no findings",
            "crashed": [f.code for f in report.findings if f.crashed], "tiles": tiles,
            "worst": _worst(report)}


def _worst(report: Report) -> str:
    if not report.findings:
        return "pass"
    return max(report.findings, key=lambda f: f.severity.rank).severity.value


def _remedy_yaml(remedies: list[Any]) -> str:
    """The YAML keys to set for a finding's remedies (``""`` when none change the config)."""
    import yaml

    merged: dict[str, dict[str, Any]] = {}
    notes = []
    for r in remedies:
        if r.changes:
            merged.setdefault(r.section, {}).update(r.changes)
        if r.note:
            notes.append(r.note)
    if not merged:
        return ""
    text = yaml.safe_dump(merged, sort_keys=False, default_flow_style=False).rstrip()
    header = "".join(f"# {n}\n" for n in notes)
    return header + text


def _families(report: Report,
              impacts: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    from lstm_doctor.errors import InputError

    by_group: dict[str, list[dict[str, Any]]] = {}
    for f in report.findings:
        entry = f.to_dict()
        evidence = dict(entry["evidence"])
        thresholds = evidence.pop("thresholds", None)
        entry["evidence_rows"] = [(k, fmt_value(v)) for k, v in evidence.items()]
        entry["thresholds"] = (", ".join(f"{k} = {fmt_value(v)}" for k, v in thresholds.items())
                               if isinstance(thresholds, dict) else None)
        entry["title"] = _title(f.name)
        entry["snippet"] = _remedy_yaml(f.remedies)
        entry["remedy_notes"] = [r.note for r in f.remedies if r.note and not r.changes]
        entry["impact"] = impacts.get(f.code)
        entry["impact_text"] = _impact_text(impacts.get(f.code))
        try:
            from lstm_doctor.rules import find_rule

            rule = find_rule(f.code)
            entry["docs"] = rule.sections()
            entry["summary_line"] = rule.summary()
        except (InputError, ImportError):
            entry["docs"], entry["summary_line"] = {}, ""
        by_group.setdefault(f.group, []).append(entry)
    families = []
    for group, entries in by_group.items():
        entries.sort(key=lambda e: (-Severity(e["severity"]).rank, e["code"]))
        worst = max(Severity(e["severity"]).rank for e in entries)
        order = GROUP_ORDER.index(group) if group in GROUP_ORDER else len(GROUP_ORDER)
        families.append({"name": group, "title": GROUP_TITLES.get(group, group.title()),
                         "findings": entries, "worst": worst, "order": order})
    families.sort(key=lambda fam: (-fam["worst"], fam["order"]))
    return families


def _rule_counts(rules: list[dict[str, Any]]) -> dict[str, int]:
    counts = {"fail": 0, "pass": 0, "skip": 0, "crash": 0}
    for r in rules:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    return counts


# -- plots ---------------------------------------------------------------------------------
def _safe_plot(name: str, notes: list[str], fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run one plot; a failing plot becomes a note instead of breaking the report."""
    try:
        return fn(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - a display must never lose the report
        notes.append(f"The {name} plot could not be drawn ({type(exc).__name__}: {exc}).")
        return None


def _data_plots(report: Report, ctx: Any, period: dict | None,
                comp: dict | None) -> tuple[dict[str, Any], list[str]]:
    from lstm_doctor.render import plots as P

    notes: list[str] = []
    out: dict[str, Any] = {}
    if ctx is None:
        notes.append("The series itself is not attached to this report, so it is not plotted.")
        return out, notes
    import numpy as np

    y = np.asarray(ctx.y, dtype=float)
    n = y.size
    holdout = (comp or {}).get("holdout") or {}
    n_test = int(holdout["n"]) if holdout.get("n") else ctx.n_test
    n_train = max(0, n - n_test)
    label = "holdout" if (comp or report.config is not None) else "holdout (default 20%)"
    p = period["period"] if period else None
    # display window: the period (or n/20), widened on long series so the lines stay readable
    window = p if p and p <= n // 4 else max(3, n // 20)
    window = max(2, min(max(window, n // 100), max(n // 4, 2)))
    time = ctx.series.time
    target = ctx.series.target
    out["series"] = _safe_plot("series", notes, P.series_plot, y, time, n_train, window=window,
                               target=target, holdout_label=label)
    out["acf"] = _safe_plot("ACF/PACF", notes, P.acf_pacf_plot, y, period=p)
    if p:
        out["decomposition"] = _safe_plot("decomposition", notes, P.decomposition_plot, y, time,
                                          p)
        if out["decomposition"] is not None and period and period["kind"] != "seasonal":
            out["decomposition"].caption += (" The period is a quasi-periodic cycle whose length "
                                             "drifts, so the 'seasonal' part is approximate.")
    out["distribution"] = _safe_plot("distribution", notes, P.distribution_plot, y, n_train,
                                     holdout_label=label)
    return out, notes


def _comparison_view(comp: dict, ctx: Any, plots: dict[str, Any],
                     notes: list[str]) -> dict[str, Any]:
    from lstm_doctor.render import plots as P
    from lstm_doctor.render.comparison import screening_lines

    models = comp.get("models") or []
    best = min((m for m in models if m.get("mase") is not None), key=lambda m: m["mase"],
               default=None)
    rows = []
    for m in models:
        cells = []
        for key, _ in METRICS:
            spread = _spread(m, key)
            cells.append(fmt_num(m.get(key)) + (f" {spread}" if spread else ""))
        seeds = m.get("n_seeds") or len(m.get("seeds") or [])
        lstm = m.get("kind") == "lstm" or str(m.get("name", "")).endswith("lstm")
        epochs = [s.get("epochs_run") for s in m.get("seeds") or []
                  if isinstance(s, dict) and s.get("epochs_run") is not None]
        rows.append({"name": m.get("name"), "label": P.model_label(str(m.get("name"))),
                     "cells": cells, "n_seeds": seeds if lstm and seeds else None,
                     "epochs": ", ".join(str(e) for e in epochs) if epochs else None,
                     "train_seconds": fmt_num(m.get("train_seconds"), 3)
                     if m.get("train_seconds") is not None else "–",
                     "error": m.get("error"), "best": best is not None and m is best})
    dm = [{"a": P.model_label(str(t.get("a"))), "b": P.model_label(str(t.get("b"))),
           "loss": t.get("loss"),
           "statistic": fmt_num(t.get("statistic"), 3), "p_value": fmt_num(t.get("p_value"), 3),
           "better": P.model_label(str(t["better"])) if t.get("better") else None,
           "significant": t.get("significant") if t.get("significant") is not None else
           (t.get("p_value") is not None and t["p_value"] < 0.05)}
          for t in comp.get("dm_tests") or []]
    ablation = [{"remedy": a.get("describe") or a.get("remedy"), "kind": a.get("remedy"),
                 "source": a.get("source"), "mase": fmt_num(a.get("mase")),
                 "delta_mase": fmt_num(a.get("delta_mase")),
                 "share": _share(a.get("share")),
                 "note": a.get("note") or a.get("error")}
                for a in comp.get("ablation") or []]
    if models:
        plots["mase"] = _safe_plot("MASE", notes, P.metric_plot, models)
    forecasts = comp.get("forecasts")
    if forecasts:
        cx = cy = None
        if ctx is not None:
            import numpy as np

            n_h = len(forecasts.get("index") or [])
            start = max(0, ctx.n - n_h)
            span = min(start, max(n_h, 24))
            x_all, _ = P.time_axis(ctx.series.time, ctx.n)
            cx = x_all[start - span:start + 1] if start else None
            cy = np.asarray(ctx.y, dtype=float)[start - span:start + 1] if start else None
        plots["forecast"] = _safe_plot("forecast", notes, P.forecast_plot, forecasts,
                                       context_y=cy, context_x=cx)
    if comp.get("histories"):
        plots["loss"] = _safe_plot("loss", notes, P.loss_plot, comp["histories"])
    if comp.get("ablation"):
        plots["ablation"] = _safe_plot("ablation", notes, P.ablation_plot, comp["ablation"])
    holdout = comp.get("holdout") or {}
    scale = comp.get("mase_scale") if isinstance(comp.get("mase_scale"), dict) else {}
    budget = comp.get("budget") if isinstance(comp.get("budget"), dict) else {}
    return {"holdout": {"n": fmt_num(holdout.get("n")),
                        "start": _short_time(holdout.get("start")) if holdout.get("start")
                        is not None else None,
                        "end": _short_time(holdout.get("end")) if holdout.get("end")
                        is not None else None,
                        "method": holdout.get("method")} if holdout else None,
            "period": comp.get("period"), "models": rows,
            "metric_names": [label for _, label in METRICS], "dm": dm, "ablation": ablation,
            "dm_note": comp.get("dm_note"), "mase_scale": scale.get("method"),
            "monitoring": comp.get("monitoring") if comp.get("histories") else None,
            "data_notes": [str(n) for n in comp.get("data_notes") or []],
            "epochs": comp.get("epochs"),
            "budget": budget.get("max_seconds"),
            "verdict": comp.get("verdict"), "lstm_skipped": comp.get("lstm_skipped"),
            "screening": screening_lines(comp)}


# -- remediated set-up ---------------------------------------------------------------------
def _flatten(cfg: dict[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for section, values in (cfg or {}).items():
        if isinstance(values, dict):
            for key, value in values.items():
                out[f"{section}.{key}"] = value
        else:
            out[section] = values
    return out


def _cfg_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _proposed(report: Report) -> dict[str, Any] | None:
    """Findings-only: the set-up the experiment would train, composed but not trained."""
    from lstm_doctor.config import LSTMConfig

    if not any(r.changes for f in report.findings for r in f.remedies):
        return None
    user = LSTMConfig.from_dict(report.config) if report.config else LSTMConfig()
    try:
        from lstm_doctor.experiment.remediation import (
            build_remediation,
            config_yaml,
            render_training_script,
        )
    except ImportError:  # the experiment package is optional here
        from lstm_doctor.remedies import remediate

        remedies = [r for f in sorted(report.findings, key=lambda f: f.severity.rank)
                    for r in f.remedies if r.changes]
        config = remediate(user, remedies)
        return {"remediated_config": config.to_dict(),
                "config_diff": [list(row) for row in user.diff(config)],
                "remedies": [r.to_dict() for r in remedies]}
    rem = build_remediation(user, report.findings)
    ctx = report.extras.get("context")
    out: dict[str, Any] = {
        "remediated_config": rem.config.to_dict(), "config_diff": rem.diff(),
        "remedies": [a.to_dict() for a in rem.applied], "remedies_dropped": rem.dropped,
        "advice": rem.advice,
        "remediated_config_yaml": config_yaml(rem.config, header=[
            "Set-up proposed by lstm-doctor (not trained yet; same schema as your config)."]),
    }
    if ctx is not None:
        series = ctx.series
        source = series.source if not str(series.source).startswith("<") else "data.csv"
        try:
            out["training_script"] = render_training_script(
                rem.config, data_path=str(source), target=series.target,
                time_col=series.time_col, features=series.feature_names, seed=0,
                remedies=rem.applied, source_note=f"Data: {source} (target '{series.target}').")
        except Exception:  # noqa: BLE001 - the script is a convenience; keep the report
            pass
    return out


def _remediated_view(report: Report, comp: dict | None) -> dict[str, Any] | None:
    import yaml

    from lstm_doctor.config import LSTMConfig

    trained = bool(comp and comp.get("remediated_config"))
    note = ""
    if trained:
        block = comp
    else:
        try:
            block = _proposed(report)
        except Exception as exc:  # noqa: BLE001 - conflicting remedies: show the findings only
            return {"trained": False, "note": f"The proposed remedies could not be combined "
                    f"({exc}).", "rows": [], "yaml": "", "script": None, "remedies": [],
                    "dropped": [], "advice": []}
        if block is None:
            return None
        note = ("Proposed by the findings, not trained: run `lstm-doctor report` (without "
                "--no-train) to measure it.")
        if report.config is None:
            note += " No set-up was given, so it starts from the Keras defaults."
    user = report.config or LSTMConfig().to_dict()
    remediated = block["remediated_config"]
    if block.get("config_diff") is not None:
        changed_keys = {str(row[0]) for row in block["config_diff"]}
    else:
        a, b = _flatten(user), _flatten(remediated)
        changed_keys = {k for k in b if a.get(k) != b.get(k)}
    flat_user, flat_rem = _flatten(user), _flatten(remediated)
    rows = [{"key": k, "user": _cfg_value(flat_user.get(k)), "remediated": _cfg_value(v),
             "changed": k in changed_keys} for k, v in flat_rem.items()]
    text = block.get("remediated_config_yaml") or yaml.safe_dump(
        remediated, sort_keys=False, default_flow_style=False)
    script = block.get("training_script")
    return {"trained": trained, "note": note, "rows": rows,
            "yaml": text, "yaml_uri": data_uri(text, "text/yaml"),
            "script": script, "script_uri": data_uri(script, "text/x-python") if script else None,
            "remedies": [_remedy_text(r) for r in block.get("remedies") or []],
            "dropped": [_remedy_text(r) + (f": {r['reason']}" if isinstance(r, dict)
                                           and r.get("reason") else "")
                        for r in block.get("remedies_dropped") or []],
            "advice": [_remedy_text(r) for r in block.get("advice") or []]}


def _remedy_text(remedy: Any) -> str:
    """One applied/dropped remedy as a line: ``kind: section.key = value ... [sources]``."""
    if not isinstance(remedy, dict):
        return str(remedy)
    changes = remedy.get("changes") or {}
    text = remedy.get("describe") or ", ".join(
        f"{remedy.get('section', '')}.{k} = {_cfg_value(v)}" for k, v in changes.items())
    parts = [p for p in (str(remedy.get("kind") or ""), text, str(remedy.get("note") or ""))
             if p]
    line = ": ".join(parts[:2]) + (f" ({parts[2]})" if len(parts) > 2 else "")
    source = remedy.get("source") or ", ".join(remedy.get("sources") or [])
    if source:
        line += f" [{'always applied' if source == 'remediation' else 'from ' + source}]"
    return line


# -- reproducibility -----------------------------------------------------------------------
def _versions(meta: dict[str, Any]) -> list[tuple[str, str]]:
    from importlib import metadata

    given = meta.get("versions") if isinstance(meta.get("versions"), dict) else {}
    out = dict(given)
    for pkg in VERSION_PACKAGES:
        if pkg not in out:
            try:
                out[pkg] = metadata.version(pkg)
            except metadata.PackageNotFoundError:
                continue
    # TensorFlow/Keras: only when already imported or known to the installer (no import).
    for pkg, dists in (("tensorflow", ("tensorflow", "tensorflow-cpu")), ("keras", ("keras",))):
        if pkg in out:
            continue
        module = sys.modules.get(pkg)
        if module is not None and getattr(module, "__version__", None):
            out[pkg] = str(module.__version__)
            continue
        for dist in dists:
            try:
                out[pkg] = metadata.version(dist)
                break
            except metadata.PackageNotFoundError:
                continue
    out.setdefault("python", platform.python_version())
    return [(k, str(v)) for k, v in out.items()]


def _repro(report: Report, comp: dict | None) -> dict[str, Any]:
    meta = report.to_dict().get("meta") or {}
    command = meta.get("command")
    seeds: list[Any] = list((comp or {}).get("seeds") or [])
    for m in (comp or {}).get("models") or [] if not seeds else []:
        for i, s in enumerate(m.get("seeds") or []):
            seed = s.get("seed", i) if isinstance(s, dict) else s
            if seed is not None and seed not in seeds:
                seeds.append(seed)
    if meta.get("seeds") is not None and not seeds:
        seeds = meta["seeds"] if isinstance(meta["seeds"], list) else [meta["seeds"]]
    timings = []
    for key, label in (("check_seconds", "rules"), ("train_seconds", "training"),
                       ("total_seconds", "total")):
        if meta.get(key) is not None:
            timings.append((label, f"{fmt_num(meta[key], 3)} s"))
    budget = (comp or {}).get("budget")
    if isinstance(budget, dict) and budget.get("training_seconds") is not None \
            and meta.get("train_seconds") is None:
        timings.append(("LSTM training", f"{fmt_num(budget['training_seconds'], 3)} s"))
    for m in (comp or {}).get("models") or []:
        if m.get("train_seconds") is not None:
            from lstm_doctor.render.plots import model_label

            timings.append((model_label(str(m.get("name"))),
                            f"{fmt_num(m['train_seconds'], 3)} s"))
    rule_seconds = meta.get("rule_seconds")
    if isinstance(rule_seconds, dict) and rule_seconds:
        slow = sorted(((k, v) for k, v in rule_seconds.items() if isinstance(v, (int, float))),
                      key=lambda kv: -kv[1])[:5]
        timings.append(("slowest rules", ", ".join(f"{k} {fmt_num(v, 2)} s" for k, v in slow)))
    shown = {"command", "versions", "seeds", "check_seconds", "train_seconds", "total_seconds",
             "rule_seconds"}
    extra = [(k, fmt_value(v)) for k, v in meta.items() if k not in shown]
    return {
        "command": command or "Python API (lstm_doctor.check / lstm_doctor.report)",
        "versions": _versions(meta),
        "seeds": ", ".join(str(s) for s in seeds) if seeds else None,
        "timings": timings,
        "machine": [("platform", platform.platform()), ("processor", platform.machine()),
                    ("CPUs", str(os.cpu_count()))],
        "extra": extra,
    }
