"""What the HTML report shows, arranged from ``Report.to_dict()`` alone.

:func:`build_view` turns the report's plain data into the values the jinja2 templates
show (strings, lists, dicts, :class:`~lstm_doctor.render.plots.Plot`). Everything comes
from the report: its findings, comparison and meta, and the facts computed before
rendering (:mod:`lstm_doctor.report_facts`); nothing here reads the live run.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from lstm_doctor.gate import RANK
from lstm_doctor.render.html_format import data_uri, fmt_num, fmt_value, short_time

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


def _title(name: str) -> str:
    """``scaling.unscaled-level`` -> ``unscaled level``."""
    return name.rsplit(".", 1)[-1].replace("-", " ").replace("_", " ")


def _rank(finding: dict[str, Any]) -> int:
    return RANK[finding["severity"]]


def remedy_describe(remedy: dict[str, Any]) -> str:
    """``preprocessing.difference = 1, ...`` of a remedy dict (as ``Remedy.describe``)."""
    return ", ".join(f"{remedy.get('section', '')}.{k} = {v!r}"
                     for k, v in (remedy.get("changes") or {}).items())


# -- the view ------------------------------------------------------------------------------
def build_view(report: Any, *, plots: bool = True) -> dict[str, Any]:
    """Everything the templates show, as plain values (strings, lists, dicts, Plots).

    Parameters
    ----------
    report : dict or Report
        ``Report.to_dict()`` (a Report is converted).
    plots : bool
        Draw the plots (the slow, large part); ``False`` leaves ``plots`` empty.

    Returns
    -------
    dict
        Keys: ``title``, ``generated``, ``data``, ``facts``, ``verdict``, ``families``,
        ``rules``, ``plots``, ``plot_notes``, ``comparison``, ``remediated``, ``repro``,
        ``sections`` (the table of contents).
    """
    from lstm_doctor.render import html_plots
    from lstm_doctor.render.text import setup_provenance

    d = report.to_dict() if hasattr(report, "to_dict") else report
    facts = d.get("facts") or {}
    comp = d.get("comparison") or None
    period = _period(comp, facts)
    impacts = _impacts(d, comp)
    figures, notes = html_plots.data_plots(d, period) if plots else ({}, [])
    comparison = _comparison_view(comp, d, figures, notes, draw=plots) if comp else None
    view = {
        "title": f"lstm-doctor report: {d['data'].get('source') or d['data'].get('target')}",
        "generated": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "tool_version": d["tool"]["version"],
        "data": d["data"],
        "feature_rows": (d.get("facts") or {}).get("features") or [],
        "facts": _facts(d, facts, period, comp),
        "config_given": d.get("config") is not None,
        "provenance": setup_provenance(d.get("config")),
        "verdict": _verdict(d, comp, impacts),
        "summary": d["summary"],
        "families": _families(d, impacts),
        "rules": d.get("rules", []),
        "rule_counts": _rule_counts(d.get("rules", [])),
        "plots": figures,
        "plot_notes": notes,
        "comparison": comparison,
        "remediated": _remediated_view(d, comp),
        "repro": _repro(d, comp),
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


def _period(comp: dict | None, facts: dict[str, Any]) -> dict[str, Any] | None:
    """The seasonal period (``{"period", "kind"}``) from the comparison or the facts."""
    value: Any = (comp or {}).get("period")
    kind = None
    if value is None:
        value = facts.get("period")
    if isinstance(value, dict):
        kind = value.get("kind")
        value = value.get("period")
    try:
        period = int(value)
    except (TypeError, ValueError):
        return None
    return {"period": period, "kind": kind or "seasonal"} if period >= 2 else None


def _facts(d: dict, facts: dict[str, Any], period: dict | None,
           comp: dict | None) -> list[tuple[str, str]]:
    data = d["data"]
    rows = [("Source", str(data.get("source") or "–")), ("Target", str(data.get("target")))]
    if data.get("features"):
        rows.append(("Features", ", ".join(data["features"])))
    rows.append(("Points", fmt_num(data.get("n"))))
    if data.get("start") is not None:
        rows.append(("Range", f"{short_time(data['start'])} – {short_time(data['end'])}"))
    rows.append(("Frequency", str(data.get("frequency") or "not regular / unknown")))
    grid = facts.get("time_grid")
    if grid:
        gaps = grid.get("n_missing") or 0
        rows.append(("Gaps in the time index", fmt_num(gaps) + (
            f" (longest {fmt_num(grid.get('longest_gap'))})" if gaps else "")))
    rows.append(("Missing / non-finite values", fmt_num(data.get("missing"))))
    rows.append(("Value range", f"{fmt_num(data.get('min'))} to {fmt_num(data.get('max'))}"))
    rows.append(("Mean ± std", f"{fmt_num(data.get('mean'))} ± {fmt_num(data.get('std'))}"))
    if period:
        what = "seasonal period" if period["kind"] == "seasonal" else "cycle length"
        rows.append(("Detected " + what, fmt_num(period["period"])))
    holdout = (comp or {}).get("holdout")
    split = facts.get("split")
    if holdout and holdout.get("n"):
        rows.append(("Holdout", f"{fmt_num(holdout['n'])} points "
                     f"({short_time(holdout.get('start'))} – {short_time(holdout.get('end'))})"))
    elif split:
        rows.append(("Train / holdout", f"{split['n_train']:,} / {split['n_test']:,} points"))
    return rows


def _impacts(d: dict, comp: dict | None) -> dict[str, dict[str, Any]]:
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
        for f in d["findings"]:
            if sources:  # the experiment names the rules that proposed each remedy
                match = f["code"] in [c.strip() for c in sources.split(",")]
            else:
                match = f["code"] in label or any(
                    label in (r.get("kind"), remedy_describe(r))
                    or (remedy_describe(r) and remedy_describe(r) in label)
                    for r in f.get("remedies") or [])
            if match and float(share) > out.get(f["code"], {}).get("share", float("-inf")):
                out[f["code"]] = {"share": float(share), "remedy": label}
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


def _ranked(d: dict, impacts: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    findings = [f for f in d["findings"] if not f.get("crashed")]
    return sorted(findings, key=lambda f: (-_rank(f),
                                           -impacts.get(f["code"], {}).get("share", -1e9),
                                           f["code"]))


def spread(model: dict[str, Any], key: str, digits: int = 2) -> str:
    """``"± s"`` when the model ran over several seeds, else ``""``."""
    seeds = model.get("n_seeds") or len(model.get("seeds") or [])
    std = model.get(f"{key}_std")
    return f"± {fmt_num(std, digits)}" if seeds and seeds > 1 and std is not None else ""


def _lead(comp: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Sentences before and after "Main causes": how your LSTM did, what the fix reaches."""
    from lstm_doctor.render.plots import model_label

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
                but = (f" but is {b / best['mase']:.1f}× worse than the best reference model, "
                       f"{model_label(str(best['name']))} (MASE {fmt_num(best['mase'], 3)})")
            verb = "beats" if ratio <= 0.95 else "is no better than"
            before.append(f"Your LSTM {verb} the naive forecast {nums}{but}.")
    if rem is not None and rem.get("mase") is not None:
        after.append(f"The remediated LSTM reaches MASE {fmt_num(rem['mase'], 3)}.")
    if comp.get("lstm_skipped"):
        after.append(f"The LSTMs were not trained: {comp['lstm_skipped']}")
    return before, after


def _verdict(d: dict, comp: dict | None,
             impacts: dict[str, dict[str, Any]]) -> dict[str, Any]:
    from lstm_doctor.render.plots import model_label

    ranked = _ranked(d, impacts)
    causes = [{"code": f["code"], "label": _title(f["name"]), "severity": f["severity"],
               "message": f["message"],
               "impact": _impact_text(impacts.get(f["code"]))} for f in ranked[:5]]
    before, after = _lead(comp) if comp else ([], [])
    lead = list(before)
    if ranked:
        top = ", ".join(f"{c['label']} ({c['code']})" for c in causes[:3])
        lead.append(f"Main causes: {top}.")
    elif not d["findings"]:
        ran = sum(o["status"] in ("pass", "fail") for o in d.get("rules", []))
        lead.append(f"No problem found: the {ran} rules that ran all passed.")
    lead += after
    s = d["summary"]
    counts = ", ".join(f"{s[k]} {k}{'s' if s[k] != 1 and k != 'info' else ''}"
                       for k in SEVERITY_ORDER if s[k])
    tiles = []
    for m in (comp or {}).get("models") or []:
        name = m.get("name")
        if name in TILE_ORDER and m.get("mase") is not None:
            tiles.append({"label": f"{model_label(str(name))} MASE",
                          "value": fmt_num(m["mase"], 3), "spread": spread(m, "mase"),
                          "name": name})
    tiles.sort(key=lambda t: TILE_ORDER.index(t["name"]))
    worst = max((f["severity"] for f in d["findings"]), key=RANK.__getitem__, default="pass")
    return {"text": " ".join(lead), "detail": (comp or {}).get("verdict"), "causes": causes,
            "counts": counts or "no findings",
            "crashed": [f["code"] for f in d["findings"] if f.get("crashed")], "tiles": tiles,
            "worst": worst}


def _remedy_yaml(remedies: list[dict[str, Any]]) -> str:
    """The YAML keys to set for a finding's remedies (``""`` when none change the config)."""
    import yaml

    merged: dict[str, dict[str, Any]] = {}
    notes = []
    for r in remedies:
        if r.get("changes"):
            merged.setdefault(r["section"], {}).update(r["changes"])
        if r.get("note"):
            notes.append(r["note"])
    if not merged:
        return ""
    text = yaml.safe_dump(merged, sort_keys=False, default_flow_style=False).rstrip()
    header = "".join(f"# {n}\n" for n in notes)
    return header + text


def _families(d: dict, impacts: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    docs = (d.get("facts") or {}).get("rules") or {}
    by_group: dict[str, list[dict[str, Any]]] = {}
    for f in d["findings"]:
        entry = dict(f)
        evidence = dict(entry.get("evidence") or {})
        thresholds = evidence.pop("thresholds", None)
        entry["evidence_rows"] = [(k, fmt_value(v)) for k, v in evidence.items()]
        entry["thresholds"] = (", ".join(f"{k} = {fmt_value(v)}" for k, v in thresholds.items())
                               if isinstance(thresholds, dict) else None)
        entry["title"] = _title(f["name"])
        remedies = f.get("remedies") or []
        entry["snippet"] = _remedy_yaml(remedies)
        entry["remedy_notes"] = [r["note"] for r in remedies
                                 if r.get("note") and not r.get("changes")]
        entry["impact"] = impacts.get(f["code"])
        entry["impact_text"] = _impact_text(impacts.get(f["code"]))
        doc = docs.get(f["code"]) or {}
        entry["docs"] = doc.get("sections") or {}
        entry["summary_line"] = doc.get("summary") or ""
        by_group.setdefault(f["group"], []).append(entry)
    families = []
    for group, entries in by_group.items():
        entries.sort(key=lambda e: (-_rank(e), e["code"]))
        worst = max(_rank(e) for e in entries)
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


def _comparison_view(comp: dict, d: dict, plots: dict[str, Any],
                     notes: list[str], *, draw: bool = True) -> dict[str, Any]:
    from lstm_doctor.render import html_plots
    from lstm_doctor.render.comparison import screening_lines
    from lstm_doctor.render.plots import model_label

    models = comp.get("models") or []
    best = min((m for m in models if m.get("mase") is not None), key=lambda m: m["mase"],
               default=None)
    rows = []
    for m in models:
        cells = []
        for key, _ in METRICS:
            extra = spread(m, key)
            cells.append(fmt_num(m.get(key)) + (f" {extra}" if extra else ""))
        seeds = m.get("n_seeds") or len(m.get("seeds") or [])
        lstm = m.get("kind") == "lstm" or str(m.get("name", "")).endswith("lstm")
        epochs = [s.get("epochs_run") for s in m.get("seeds") or []
                  if isinstance(s, dict) and s.get("epochs_run") is not None]
        rows.append({"name": m.get("name"), "label": model_label(str(m.get("name"))),
                     "cells": cells, "n_seeds": seeds if lstm and seeds else None,
                     "epochs": ", ".join(str(e) for e in epochs) if epochs else None,
                     "train_seconds": fmt_num(m.get("train_seconds"), 3)
                     if m.get("train_seconds") is not None else "–",
                     "error": m.get("error"), "best": best is not None and m is best})
    dm = [{"a": model_label(str(t.get("a"))), "b": model_label(str(t.get("b"))),
           "loss": t.get("loss"),
           "statistic": fmt_num(t.get("statistic"), 3), "p_value": fmt_num(t.get("p_value"), 3),
           "better": model_label(str(t["better"])) if t.get("better") else None,
           "significant": t.get("significant") if t.get("significant") is not None else
           (t.get("p_value") is not None and t["p_value"] < 0.05)}
          for t in comp.get("dm_tests") or []]
    ablation = [{"remedy": a.get("describe") or a.get("remedy"), "kind": a.get("remedy"),
                 "source": a.get("source"), "mase": fmt_num(a.get("mase")),
                 "delta_mase": fmt_num(a.get("delta_mase")),
                 "share": _share(a.get("share")),
                 "note": a.get("note") or a.get("error")}
                for a in comp.get("ablation") or []]
    if draw:
        plots.update(html_plots.comparison_plots(comp, d, notes))
    holdout = comp.get("holdout") or {}
    scale = comp.get("mase_scale") if isinstance(comp.get("mase_scale"), dict) else {}
    budget = comp.get("budget") if isinstance(comp.get("budget"), dict) else {}
    return {"holdout": {"n": fmt_num(holdout.get("n")),
                        "start": short_time(holdout.get("start")) if holdout.get("start")
                        is not None else None,
                        "end": short_time(holdout.get("end")) if holdout.get("end")
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


def _remediated_view(d: dict, comp: dict | None) -> dict[str, Any] | None:
    import yaml

    trained = bool(comp and comp.get("remediated_config"))
    note = ""
    if trained:
        block = comp
    else:
        block = (d.get("facts") or {}).get("proposed")
        if not block:
            return None
        if block.get("error"):
            return {"trained": False, "note": f"The proposed remedies could not be combined "
                    f"({block['error']}).", "rows": [], "yaml": "", "script": None,
                    "remedies": [], "dropped": [], "advice": []}
        note = ("Proposed by the findings, not trained: run `lstm-doctor report` (without "
                "--no-train) to measure it.")
        if d.get("config") is None:
            note += " No set-up was given, so it starts from the Keras defaults."
    user = d.get("config") or block.get("user_config") or {}
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
def _versions(meta: dict[str, Any], facts: dict[str, Any]) -> list[tuple[str, str]]:
    given = meta.get("versions") if isinstance(meta.get("versions"), dict) else {}
    out = dict(given)
    for pkg, version in (facts.get("versions") or {}).items():
        out.setdefault(pkg, version)
    return [(k, str(v)) for k, v in out.items()]


def _repro(d: dict, comp: dict | None) -> dict[str, Any]:
    from lstm_doctor.render.plots import model_label

    meta = d.get("meta") or {}
    facts = d.get("facts") or {}
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
    machine = facts.get("machine") or {}
    return {
        "command": command or "Python API (lstm_doctor.check / lstm_doctor.report)",
        "versions": _versions(meta, facts),
        "seeds": ", ".join(str(s) for s in seeds) if seeds else None,
        "timings": timings,
        "machine": [(label, str(machine[key])) for key, label in
                    (("platform", "platform"), ("processor", "processor"), ("cpus", "CPUs"))
                    if machine.get(key) is not None],
        "extra": extra,
    }
