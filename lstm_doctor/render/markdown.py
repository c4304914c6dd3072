"""Markdown summary (``$GITHUB_STEP_SUMMARY``, pull-request comments)."""

from __future__ import annotations

from typing import Any

from lstm_doctor.baseline import failing, is_error_result
from lstm_doctor.findings import fail_threshold

ICONS = {"error": "🔴", "warning": "🟡", "info": "🔵"}


def cell(text: Any) -> str:
    """Make text safe for a table cell (pipes escaped, line breaks as ``<br>``)."""
    return (str(text).replace("\\", "\\\\").replace("|", "\\|").replace("\r", "")
            .replace("\n", "<br>"))


def _code(text: str) -> str:
    return "`" + str(text).replace("`", "'") + "`"


def render_markdown(results: list[dict[str, Any]], *, fail_on: str = "error") -> str:
    """A status heading, a per-file table and each file's findings."""
    threshold = fail_threshold(fail_on)
    reports = [r for r in results if not is_error_result(r)]
    errors = [r for r in results if is_error_result(r)]
    n_failing = sum(failing(f, threshold) for r in reports for f in r["findings"])
    if errors:
        status = f"❌ {len(errors)} file(s) could not be checked"
    elif n_failing:
        status = f"❌ {n_failing} finding(s) at or above `{fail_on}`"
    else:
        status = f"✅ passed (no new finding at or above `{fail_on}`)"
    lines = [f"## lstm-doctor: {status}", ""]
    lines += ["| File | Target | Points | Errors | Warnings | Info | Gate |",
              "|---|---|---:|---:|---:|---:|---|"]
    for r in results:
        if is_error_result(r):
            lines.append(f"| {_code(r['source'])} | | | | | | ❌ {cell(r['error'])} |")
            continue
        d, s = r["data"], r["summary"]
        bad = sum(failing(f, threshold) for f in r["findings"])
        gate = f"❌ {bad} failing" if bad else "✅ pass"
        if r["findings"]:  # the codes, most severe first: a panel's summary at a glance
            gate += " · " + " ".join(f["code"] for f in r["findings"])
        lines.append(f"| {_code(d.get('source') or 'data')} | {cell(d.get('target'))} | "
                     f"{d.get('n')} | {s['error']} | {s['warning']} | {s['info']} | {gate} |")
    for r in reports:
        if not r["findings"]:
            continue
        d = r["data"]
        lines += ["", f"### {_code(d.get('source') or 'data')}", "",
                  "| Code | Severity | Finding | Fix |", "|---|---|---|---|"]
        for f in r["findings"]:
            sev = f"{ICONS[f['severity']]} {f['severity']}"
            state = f.get("baseline_state")
            if state == "unchanged":
                sev += " (known)"
            elif state == "worsened":
                sev += " (worse than baseline)"
            lines.append(f"| **{f['code']}** {cell(f['name'])} | {sev} | {cell(f['message'])} "
                         f"| {cell(f['fix'])} |")
        skipped = [o for o in r.get("rules", []) if o["status"] == "skip"]
        if skipped:
            by_reason: dict[str, list[str]] = {}
            for o in skipped:
                by_reason.setdefault(o["reason"] or "not applicable", []).append(o["code"])
            lines += ["", f"<details><summary>{len(skipped)} rule(s) skipped</summary>", ""]
            lines += [f"- {cell(reason)}: {', '.join(codes)}"
                      for reason, codes in by_reason.items()]
            lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


__all__ = ["render_markdown", "cell"]
