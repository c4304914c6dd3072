"""SARIF 2.1.0 (GitHub code scanning, IDE viewers): one run, one result per finding.

The rules carry their documentation (summary, description, anti-pattern and best practice)
as help text; result levels map ``error`` -> ``error``, ``warning`` -> ``warning``,
``info`` -> ``note``. Files that could not be checked are tool execution notifications.
"""

from __future__ import annotations

import json
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


def _descriptor(code: str, name: str) -> dict[str, Any]:
    from lstm_doctor.errors import InputError
    from lstm_doctor.rules import find_rule

    try:
        rule = find_rule(code)
    except InputError:  # a report from another version: describe it by name only
        return {"id": code, "name": name, "shortDescription": {"text": name}}
    sections = rule.sections()
    doc = rule.doc()
    help_md = f"**{rule.code} {rule.name}** ({rule.group()})\n\n{doc}"
    if rule.thresholds:
        help_md += "\n\nThresholds: " + ", ".join(f"`{k} = {v!r}`"
                                                  for k, v in rule.thresholds.items())
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary() or rule.name},
        "fullDescription": {"text": sections.get("description") or rule.summary() or rule.name},
        "help": {"text": doc or rule.name, "markdown": help_md},
        "defaultConfiguration": {"level": LEVELS[rule.severity.value]},
        "properties": {"tags": ["lstm", "forecasting", rule.group()],
                       "thresholds": dict(rule.thresholds)},
    }


def build_sarif(results: list[dict[str, Any]], *, fail_on: str = "error") -> dict[str, Any]:
    """The SARIF log as a dict."""
    from lstm_doctor import __version__

    seen: dict[str, str] = {}
    for r in results:
        if not is_error_result(r):
            for o in r["rules"]:
                seen.setdefault(o["code"], o["name"])
    rules = [_descriptor(code, seen[code]) for code in sorted(seen)]
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
        if uri:
            result["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": uri}}}]
        if f.get("baseline_state"):
            result["baselineState"] = BASELINE_STATES[f["baseline_state"]]
        out.append(result)
    return out


def render_sarif(results: list[dict[str, Any]], *, fail_on: str = "error") -> str:
    """Render check results as a SARIF 2.1.0 JSON document."""
    return json.dumps(build_sarif(results, fail_on=fail_on), indent=2, allow_nan=False)


__all__ = ["build_sarif", "render_sarif", "artifact_uri"]
