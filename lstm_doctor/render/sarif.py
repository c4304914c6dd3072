"""SARIF 2.1.0 (GitHub code scanning, IDE viewers): one run, one result per finding.

The rules carry their documentation (summary, description, anti-pattern and best practice)
as help text; result levels map ``error`` -> ``error``, ``warning`` -> ``warning``,
``info`` -> ``note``. Files that could not be checked are tool execution notifications.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from lstm_doctor.baseline import fingerprint, is_error_result

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}
BASELINE_STATES = {"new": "new", "worsened": "updated", "unchanged": "unchanged"}
INFORMATION_URI = "https://pypi.org/project/lstm-doctor/"


def artifact_uri(source: str) -> str | None:
    """A URI reference for a data file (relative paths stay relative); None for stdin etc."""
    if not source or source.startswith("<"):
        return None
    path = Path(source)
    if path.is_absolute():
        try:
            path = path.relative_to(Path.cwd())
        except ValueError:
            return path.as_uri()
    return quote(path.as_posix())


def _descriptor(code: str, name: str, doc: dict[str, Any] | None) -> dict[str, Any]:
    """A rule's SARIF descriptor from its documentation stored in the report.

    ``doc`` is ``facts["rules"][code]`` (see :func:`lstm_doctor.report_facts.rule_docs`);
    without it (a panel entry, or a report from another version) the rule is described by
    name only.
    """
    if not doc:
        return {"id": code, "name": name, "shortDescription": {"text": name}}
    text = doc.get("doc") or ""
    summary = doc.get("summary") or ""
    group = doc.get("group") or ""
    thresholds = doc.get("thresholds") or {}
    help_md = f"**{code} {name}** ({group})\n\n{text}"
    if thresholds:
        help_md += "\n\nThresholds: " + ", ".join(f"`{k} = {v!r}`"
                                                  for k, v in thresholds.items())
    description = re.split(r"^\*\*(?:Anti-pattern|Best practice)\*\*\s*$", text,
                           maxsplit=1, flags=re.M)[0].strip()
    return {
        "id": code,
        "name": name,
        "shortDescription": {"text": summary or name},
        "fullDescription": {"text": description or summary or name},
        "help": {"text": text or name, "markdown": help_md},
        "defaultConfiguration": {"level": LEVELS[doc.get("severity") or "warning"]},
        "properties": {"tags": ["lstm", "forecasting", group], "thresholds": dict(thresholds)},
    }


def build_sarif(results: list[dict[str, Any]], *, fail_on: str = "error") -> dict[str, Any]:
    """The SARIF log as a dict."""
    from lstm_doctor import __version__

    seen: dict[str, str] = {}
    docs: dict[str, dict[str, Any]] = {}
    for r in results:
        if not is_error_result(r):
            for o in r["rules"]:
                seen.setdefault(o["code"], o["name"])
            for code, doc in ((r.get("facts") or {}).get("rules") or {}).items():
                docs.setdefault(code, doc)
    rules = [_descriptor(code, seen[code], docs.get(code)) for code in sorted(seen)]
    index = {d["id"]: i for i, d in enumerate(rules)}
    sarif_results: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    for r in results:
        if is_error_result(r):
            note: dict[str, Any] = {"level": "error", "message": {"text": r["error"]},
                                    "descriptor": {"id": "input-error"}}
            uri = artifact_uri(r["source"])
            if uri:
                note["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": uri}}}]
            notifications.append(note)
            continue
        sarif_results.extend(_results(r, index))
    invocation: dict[str, Any] = {"executionSuccessful": not notifications,
                                  "properties": {"fail_on": fail_on}}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "lstm-doctor", "version": __version__,
                                "semanticVersion": __version__,
                                "informationUri": INFORMATION_URI, "rules": rules}},
            "invocations": [invocation],
            "results": sarif_results,
        }],
    }


def _results(report: dict[str, Any], index: dict[str, int]) -> list[dict[str, Any]]:
    data = report["data"]
    source = str(data.get("source") or "")
    uri = artifact_uri(str(data.get("file") or source))  # a panel's series: its file
    out = []
    for f in report["findings"]:
        result: dict[str, Any] = {
            "ruleId": f["code"],
            "level": LEVELS[f["severity"]],
            "message": {"text": f"{f['message']}\nFix: {f['fix']}" if f["fix"] else f["message"]},
            "partialFingerprints": {
                "lstmDoctor/v1": fingerprint(source or "<data>", str(data.get("target")),
                                             f["code"])},
            "properties": {"severity": f["severity"], "group": f["group"], "name": f["name"],
                           "target": data.get("target"), "fix": f["fix"],
                           "evidence": f.get("evidence", {}), "crashed": f["crashed"]},
        }
        if "series_id" in data:  # one series of a panel (--id-col): name it
            result["properties"]["series"] = source
        if f["code"] in index:
            result["ruleIndex"] = index[f["code"]]
        location = _location(f.get("location"), uri)
        if location:
            result["locations"] = [location]
        if f.get("baseline_state"):
            result["baselineState"] = BASELINE_STATES[f["baseline_state"]]
        out.append(result)
    return out


def _location(where: dict[str, Any] | None, uri: str | None) -> dict[str, Any] | None:
    """A SARIF location: the finding's own ``location`` (file, line, column) or the data file.

    ``where`` is a finding's optional ``{"path", "line", "col"}`` (e.g. a script line from
    ``lstm-doctor scan``); it wins over the report's data file ``uri``.
    """
    if where and artifact_uri(str(where.get("path") or "")):
        physical: dict[str, Any] = {
            "artifactLocation": {"uri": artifact_uri(str(where["path"]))}}
        if int(where.get("line") or 0) > 0:
            physical["region"] = {"startLine": int(where["line"]),
                                  "startColumn": max(1, int(where.get("col") or 1))}
        return {"physicalLocation": physical}
    if uri:
        return {"physicalLocation": {"artifactLocation": {"uri": uri}}}
    return None


def render_sarif(results: list[dict[str, Any]], *, fail_on: str = "error") -> str:
    """Render check results as a SARIF 2.1.0 JSON document."""
    return json.dumps(build_sarif(results, fail_on=fail_on), indent=2, allow_nan=False)


__all__ = ["build_sarif", "render_sarif", "artifact_uri"]
