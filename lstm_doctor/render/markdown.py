"""Markdown summary (``$GITHUB_STEP_SUMMARY``, pull-request comments).

GitHub refuses a step summary above 1 MiB. :func:`cap_summary` cuts a summary at a line
boundary below :data:`SUMMARY_LIMIT` (a margin for what other steps add) and ends it with
a note naming the full file (the GitHub action uploads it as an artifact)::

    python -m lstm_doctor.render.markdown summary.md --artifact lstm-doctor-summary \
        >> "$GITHUB_STEP_SUMMARY"
"""

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


#: GitHub's limit of one step summary.
GITHUB_SUMMARY_BYTES = 1024 * 1024
#: What :func:`cap_summary` keeps at most: the limit less a margin for other steps' lines.
SUMMARY_LIMIT = GITHUB_SUMMARY_BYTES - 64 * 1024


def cap_summary(text: str, limit: int = SUMMARY_LIMIT, *, full: str = "the full summary"
                ) -> tuple[str, bool]:
    """``text`` cut to at most ``limit`` UTF-8 bytes, with a truncation note.

    Parameters
    ----------
    text : str
        A summary from :func:`render_markdown`.
    limit : int
        Bytes at most (note included).
    full : str
        Where the full summary is (e.g. "the workflow artifact `lstm-doctor-summary`").

    Returns
    -------
    text : str
        ``text`` itself when it fits; else its first lines (an open ``<details>`` block
        closed) and a note saying how much was left out and where it is.
    truncated : bool
    """
    size = len(text.encode("utf-8"))
    if size <= limit:
        return text, False
    lines = text.splitlines()

    def note(left: int) -> list[str]:
        return ["", "---", "",
                f"> **Truncated**: the summary is {size:,} bytes, above GitHub's 1 MiB "
                f"step-summary limit; {left:,} of its {len(lines):,} lines are left out. "
                f"The complete summary is {cell(full)}."]

    # the longest note (every line left out) and closing every <details>: an upper bound
    reserve = len("\n".join(note(len(lines))).encode("utf-8")) + 2 + \
        len(b"\n\n</details>") * text.count("<details>")
    kept: list[str] = []
    used = 0
    for line in lines:
        cost = len(line.encode("utf-8")) + 1
        if used + cost > limit - reserve:
            break
        kept.append(line)
        used += cost
    opened = sum(line.startswith("<details>") for line in kept)
    closed = sum(line.startswith("</details>") for line in kept)
    tail = ["", "</details>"] * max(0, opened - closed)
    return "\n".join(kept + tail + note(len(lines) - len(kept))) + "\n", True


def main(argv: list[str] | None = None) -> int:
    """``python -m lstm_doctor.render.markdown FILE [--limit BYTES] [--artifact NAME]``:
    print FILE capped by :func:`cap_summary` (for ``>> "$GITHUB_STEP_SUMMARY"``).
    """
    import argparse
    import sys
    from pathlib import Path

    parser = argparse.ArgumentParser(prog="python -m lstm_doctor.render.markdown",
                                     description="Print a markdown summary capped for "
                                                 "GitHub's step-summary limit.")
    parser.add_argument("file")
    parser.add_argument("--limit", type=int, default=SUMMARY_LIMIT)
    parser.add_argument("--artifact", help="name of the workflow artifact holding the file")
    args = parser.parse_args(argv)
    where = (f"the workflow artifact `{args.artifact}`" if args.artifact
             else f"in `{args.file}`")
    text, _ = cap_summary(Path(args.file).read_text(encoding="utf-8"), args.limit, full=where)
    sys.stdout.write(text)
    return 0


__all__ = ["render_markdown", "cell", "cap_summary", "SUMMARY_LIMIT"]


if __name__ == "__main__":  # pragma: no cover - exercised through the GitHub action test
    raise SystemExit(main())
