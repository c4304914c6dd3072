"""SARIF 2.1.0 (GitHub code scanning, IDE viewers): one run, one result per finding.

The rules carry their documentation (summary, description, anti-pattern and best practice)
as help text, without Sphinx markup, and a ``helpUri``; result levels map ``error`` ->
``error``, ``warning`` -> ``warning``, ``info`` -> ``note``. Files that could not be
checked are tool execution notifications.

Every result has a location with a region (GitHub rejects an upload with a result
without one): the finding's ``location`` (the set-up file at its key's line, the data file
at its row: :mod:`lstm_doctor.locations`, computed before rendering), else the data file at
line 1, else (data from stdin or memory) a stable pseudo-path (``stdin``). A location with
a repository ``root`` is written relative to it (``uriBaseId`` ``SRCROOT``, its absolute
URI in ``originalUriBaseIds``).
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
#: Where a rule is documented: the README's rule table on the project page.
HELP_URI = INFORMATION_URI + "#rules"
#: The ``uriBaseId`` of the first repository root (``SRCROOT2``... for others).
SRCROOT = "SRCROOT"

_ROLE = re.compile(r":(?:[a-z]+:)?[a-z]+:`(~?)([^`<]*?)(?:\s*<([^`>]*)>)?`")


def plain_doc(text: str) -> str:
    """Docstring text without Sphinx markup: ``:func:`~a.b``` -> ```b```, ````x```` -> ```x```.

    Roles become inline code of their target (the last dotted part with ``~``, the title of
    ``:ref:`Title <label>```); reST double backticks become Markdown single ones.
    """
    def role(m: re.Match[str]) -> str:
        title, target = m.group(2).strip(), m.group(3)
        if target is not None and title:
            return f"`{title}`"
        name = target or title
        if m.group(1):
            name = name.rsplit(".", 1)[-1]
        return f"`{name}`"

    return _ROLE.sub(role, text).replace("``", "`")


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


def pseudo_uri(source: str) -> str:
    """A stable relative URI for data without a file: ``<stdin>`` -> ``stdin``."""
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", source.strip("<> ")).strip("-")
    return quote(name or "data")


def _descriptor(code: str, name: str, doc: dict[str, Any] | None) -> dict[str, Any]:
    """A rule's SARIF descriptor from its documentation stored in the report.

    ``doc`` is ``facts["rules"][code]`` (see :func:`lstm_doctor.report_facts.rule_docs`);
    without it (a panel entry, or a report from another version) the rule is described by
    name only.
    """
    if not doc:
        return {"id": code, "name": name, "shortDescription": {"text": name},
                "helpUri": HELP_URI}
    text = plain_doc(doc.get("doc") or "")
    summary = plain_doc(doc.get("summary") or "")
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
        "helpUri": HELP_URI,
        "defaultConfiguration": {"level": LEVELS[doc.get("severity") or "warning"]},
        "properties": {"tags": ["lstm", "forecasting", group], "thresholds": dict(thresholds)},
    }


class _Roots:
    """The ``uriBaseId`` of each repository root met (``SRCROOT``, ``SRCROOT2``...)."""

    def __init__(self) -> None:
        self.ids: dict[str, str] = {}

    def base_id(self, root: str) -> str:
        if root not in self.ids:
            self.ids[root] = SRCROOT if not self.ids else f"{SRCROOT}{len(self.ids) + 1}"
        return self.ids[root]

    def original(self) -> dict[str, Any]:
        return {base: {"uri": Path(root).as_uri().rstrip("/") + "/"}
                for root, base in self.ids.items()}


def build_sarif(results: list[dict[str, Any]], *, fail_on: str = "error") -> dict[str, Any]:
    """The SARIF log as a dict."""
    from lstm_doctor import __version__

    seen: dict[str, str] = {}
    docs: dict[str, dict[str, Any]] = {}
    for r in results:
        if not is_error_result(r):
            for o in r["rules"]:
                seen.setdefault(o["code"], o["name"])
            for f in r["findings"]:
                seen.setdefault(f["code"], f["name"])
            for code, doc in ((r.get("facts") or {}).get("rules") or {}).items():
                docs.setdefault(code, doc)
    rules = [_descriptor(code, seen[code], docs.get(code)) for code in sorted(seen)]
    index = {d["id"]: i for i, d in enumerate(rules)}
    roots = _Roots()
    sarif_results: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []
    for r in results:
        if is_error_result(r):
            note: dict[str, Any] = {"level": "error", "message": {"text": r["error"]},
                                    "descriptor": {"id": "input-error"}}
            uri = artifact_uri(str(r.get("file") or r["source"]))
            if uri:
                note["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": uri}}}]
            notifications.append(note)
            continue
        sarif_results.extend(_results(r, index, roots))
    invocation: dict[str, Any] = {"executionSuccessful": not notifications,
                                  "properties": {"fail_on": fail_on}}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "lstm-doctor", "version": __version__,
                            "semanticVersion": __version__,
                            "informationUri": INFORMATION_URI, "rules": rules}},
        "invocations": [invocation],
        "results": sarif_results,
    }
    if roots.ids:
        run["originalUriBaseIds"] = roots.original()
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _results(report: dict[str, Any], index: dict[str, int], roots: _Roots
             ) -> list[dict[str, Any]]:
    data = report["data"]
    source = str(data.get("source") or "")
    file = str(data.get("file") or source)  # a panel's series: its file
    out = []
    for f in report["findings"]:
        result: dict[str, Any] = {
            "ruleId": f["code"],
            "level": LEVELS[f["severity"]],
            "message": {"text": f"{f['message']}\nFix: {f['fix']}" if f["fix"] else f["message"]},
            "locations": [_location(f.get("location"), file, roots)],
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
        if f.get("baseline_state"):
            result["baselineState"] = BASELINE_STATES[f["baseline_state"]]
        out.append(result)
    return out


def _location(where: dict[str, Any] | None, file: str, roots: _Roots) -> dict[str, Any]:
    """A SARIF location with a region: the finding's own, else the data file, else a
    pseudo-path (see the module docstring).
    """
    where = where or {}
    artifact: dict[str, Any]
    if where.get("uri") and where.get("root"):
        artifact = {"uri": quote(str(where["uri"])),
                    "uriBaseId": roots.base_id(str(where["root"]))}
    elif where.get("uri"):  # outside every root: an absolute file URI
        artifact = {"uri": str(where["uri"])}
    else:
        path = str(where.get("path") or file)
        artifact = {"uri": artifact_uri(path) or pseudo_uri(path)}
    line = int(where.get("line") or 0)
    region: dict[str, Any] = {"startLine": max(1, line)}
    if line > 0 and int(where.get("col") or 0) > 0:
        region["startColumn"] = int(where["col"])
    return {"physicalLocation": {"artifactLocation": artifact, "region": region}}


def render_sarif(results: list[dict[str, Any]], *, fail_on: str = "error") -> str:
    """Render check results as a SARIF 2.1.0 JSON document."""
    return json.dumps(build_sarif(results, fail_on=fail_on), indent=2, allow_nan=False)


__all__ = ["build_sarif", "render_sarif", "artifact_uri", "plain_doc", "pseudo_uri",
           "HELP_URI"]
