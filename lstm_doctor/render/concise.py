"""One line per finding, for CI logs and editors (like ruff's ``concise`` output)::

    models/lstm.yaml:3:3: LD301 error unscaled input: the network sees ... — fix:
    preprocessing.scaler: standard

(one line; cut here to fit this page).

The place is the finding's ``location`` (``path:line:col``; the set-up key's line, the data
row: :mod:`lstm_doctor.locations`), else the data file. The fix is the set-up change its
remedies make (``section.key: value``, greppable and copyable into the set-up file), else
the rule's fix text. A file that could not be checked is ``path: input-error message``.
Everything is on one line; nothing is wrapped.

:func:`statistics` counts findings per code (``--statistics``).
"""

from __future__ import annotations

from typing import Any

from lstm_doctor.gate import RANK, fail_threshold, is_error_result
from lstm_doctor.gate import fails as failing

#: Separates the finding from its fix (grep for it, or cut on it).
FIX_SEPARATOR = " — fix: "


def one_line(text: Any) -> str:
    """``text`` on one line (whitespace runs collapsed)."""
    return " ".join(str(text).split())


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    return str(value)


def fix_text(f: dict[str, Any]) -> str:
    """The set-up changes of the finding's remedies (``section.key: value, ...``), else its
    fix text.
    """
    changes = [f"{r.get('section')}.{k}: {_scalar(v)}" for r in f.get("remedies") or []
               for k, v in (r.get("changes") or {}).items()]
    return ", ".join(dict.fromkeys(changes)) if changes else one_line(f.get("fix") or "")


def where(report: dict[str, Any], f: dict[str, Any]) -> str:
    """``path:line:col`` of a finding (``path`` alone without a line)."""
    loc = f.get("location") or {}
    data = report.get("data") or {}
    path = loc.get("path") or data.get("file") or data.get("source") or "data"
    if loc.get("line"):
        return f"{path}:{loc['line']}:{loc.get('col') or 1}"
    return str(path)


def finding_line(report: dict[str, Any], f: dict[str, Any]) -> str:
    """The one line of a finding."""
    title = str(f["name"]).split(".", 1)[-1].replace("-", " ")
    data = report.get("data") or {}
    series = f"[{data.get('id_col')}={data['series_id']}] " if "series_id" in data else ""
    state = {"unchanged": " (known)", "worsened": " (worse than baseline)"}.get(
        f.get("baseline_state") or "", "")
    line = (f"{where(report, f)}: {series}{f['code']} {f['severity']}{state} {title}: "
            f"{one_line(f['message'])}")
    fix = fix_text(f)
    return line + (FIX_SEPARATOR + fix if fix else "")


def concise_lines(results: list[dict[str, Any]], *, fail_on: str = "error",
                  only_failing: bool = False) -> list[str]:
    """One line per finding (and per file that could not be checked).

    ``only_failing``: only the findings that fail the gate (``--quiet``).
    """
    threshold = fail_threshold(fail_on)
    out = []
    for r in results:
        if is_error_result(r):
            out.append(f"{r.get('file') or r['source']}: input-error {one_line(r['error'])}")
            continue
        out += [finding_line(r, f) for f in r["findings"]
                if not only_failing or failing(f, threshold)]
    return out


def render_concise(results: list[dict[str, Any]], *, fail_on: str = "error") -> str:
    """Every finding on one line (the ``concise`` format)."""
    return "\n".join(concise_lines(results, fail_on=fail_on))


def statistics(results: list[dict[str, Any]], *, fail_on: str = "error",
               only_failing: bool = False) -> list[dict[str, Any]]:
    """Findings counted per code, most frequent first.

    Returns
    -------
    list of dict
        ``code``, ``name``, ``count``, ``severity`` (the worst seen) and ``failing`` (how
        many fail the gate); ``input-error`` counts the files that could not be checked.
    """
    threshold = fail_threshold(fail_on)
    rows: dict[str, dict[str, Any]] = {}
    for r in results:
        if is_error_result(r):
            row = rows.setdefault("input-error", {"code": "input-error", "name": "input error",
                                                  "count": 0, "severity": "error",
                                                  "failing": 0})
            row["count"] += 1
            row["failing"] += 1
            continue
        for f in r["findings"]:
            fails = failing(f, threshold)
            if only_failing and not fails:
                continue
            row = rows.setdefault(f["code"], {"code": f["code"], "name": f["name"], "count": 0,
                                              "severity": f["severity"], "failing": 0})
            row["count"] += 1
            row["failing"] += int(fails)
            if RANK[f["severity"]] > RANK[row["severity"]]:
                row["severity"] = f["severity"]
    return sorted(rows.values(), key=lambda row: (-row["count"], row["code"]))


def statistics_lines(rows: list[dict[str, Any]]) -> list[str]:
    """``count  code  severity  name`` per row (aligned, like ``ruff --statistics``)."""
    if not rows:
        return []
    width = max(len(str(row["count"])) for row in rows)
    code_width = max(len(row["code"]) for row in rows)
    return [f"{row['count']:>{width}}  {row['code']:<{code_width}}  {row['severity']:<7}  "
            f"{row['name']}" for row in rows]


__all__ = ["concise_lines", "finding_line", "fix_text", "render_concise", "statistics",
           "statistics_lines", "FIX_SEPARATOR"]
