"""GitHub Actions workflow commands: one annotation line per finding.

``::error file=data/sales.csv,title=LD101 data.missing-values::3 missing values ...``

Levels: ``error`` -> ``error``, ``warning`` -> ``warning``, ``info`` -> ``notice``; a finding
already known in a baseline is a ``notice``. A file that could not be checked is an error.
"""

from __future__ import annotations

from typing import Any

from lstm_doctor.baseline import is_error_result

LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


def escape_data(text: str) -> str:
    """Escape a workflow-command message (``%``, CR, LF)."""
    return str(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow-command property value (also ``:`` and ``,``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _line(level: str, message: str, *, file: str | None, title: str,
          line: int | None = None, col: int | None = None) -> str:
    props = []
    if file and not file.startswith("<"):
        props.append(f"file={escape_property(file)}")
        if line:
            props.append(f"line={int(line)}")
            if col:
                props.append(f"col={int(col)}")
    props.append(f"title={escape_property(title)}")
    return f"::{level} {','.join(props)}::{escape_data(message)}"


def render_github(results: list[dict[str, Any]], *, fail_on: str = "error") -> str:
    """Render check results as GitHub Actions annotation lines."""
    lines = []
    for r in results:
        if is_error_result(r):
            lines.append(_line("error", r["error"], file=r.get("file") or r["source"],
                               title="lstm-doctor: input error"))
            continue
        source = str(r["data"].get("source") or "")
        for f in r["findings"]:
            level = LEVELS[f["severity"]]
            message = f["message"] + (f"\nFix: {f['fix']}" if f["fix"] else "")
            if f.get("baseline_state") == "unchanged":
                level = "notice"
                message += "\n(known: recorded in the baseline)"
            title = f"{f['code']} {f['name']}"
            if "series_id" in r["data"]:  # one series of a panel (--id-col): name it
                title += f" [{r['data'].get('id_col')}={r['data']['series_id']}]"
            where = f.get("location") or {}
            # GitHub resolves file= against the repository root: a located finding's uri
            file = where.get("uri") if where.get("root") else where.get("path")
            lines.append(_line(level, message, file=str(file or r["data"].get("file") or source),
                               title=title, line=where.get("line"), col=where.get("col")))
    return "\n".join(lines)


__all__ = ["render_github", "escape_data", "escape_property"]
