"""JUnit XML: one test suite per file, one test case per rule (per finding when a rule has several).

A finding that fails the gate (at or above ``--fail-on`` and not known in a baseline) is a
``<failure>`` (a crashed rule an ``<error>``); a rule that did not apply is ``<skipped>``;
findings below the gate pass, with their message in ``<system-out>``. A file that could not
be checked is a suite with one ``<error>`` test case.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from typing import Any

from lstm_doctor.baseline import failing, is_error_result
from lstm_doctor.findings import fail_threshold

_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: Any) -> str:
    return _INVALID_XML.sub("?", str(text))


def _where(f: dict[str, Any]) -> str:
    """``path:line:col: `` for a finding with a ``location`` (a script line), else empty."""
    loc = f.get("location") or {}
    if not loc.get("path"):
        return ""
    return f"{loc['path']}:{loc.get('line') or 1}:{loc.get('col') or 1}: "


def _finding_text(f: dict[str, Any]) -> str:
    lines = [_where(f) + f["message"], "", f"fix: {f['fix']}"]
    if f.get("baseline_state"):
        lines.append(f"baseline: {f['baseline_state']}")
    lines += ["", "evidence: " + json.dumps(f.get("evidence", {}), sort_keys=True)]
    return _clean("\n".join(lines))


def render_junit(results: list[dict[str, Any]], *, fail_on: str = "error") -> str:
    """Render check results as a JUnit XML document (a ``<testsuites>`` root)."""
    threshold = fail_threshold(fail_on)
    root = ET.Element("testsuites", name="lstm-doctor")
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    total_time = 0.0
    for result in results:
        if is_error_result(result):
            suite = ET.SubElement(root, "testsuite", name=_clean(f"lstm-doctor {result['source']}"))
            case = ET.SubElement(suite, "testcase", name="load data",
                                 classname=_clean(result["source"]), time="0")
            err = ET.SubElement(case, "error", message=_clean(result["error"]), type="InputError")
            err.text = _clean(result["error"])
            counts = {"tests": 1, "failures": 0, "errors": 1, "skipped": 0}
            suite_time = 0.0
        else:
            counts, suite_time, suite = _suite(root, result, threshold)
        for k, v in counts.items():
            suite.set(k, str(v))
            totals[k] += v
        suite.set("time", f"{suite_time:.4f}")
        total_time += suite_time
    for k, v in totals.items():
        root.set(k, str(v))
    root.set("time", f"{total_time:.4f}")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def _suite(root: ET.Element, report: dict[str, Any], threshold: int):
    data = report["data"]
    source = str(data.get("source") or "data")
    suite = ET.SubElement(root, "testsuite", name=_clean(f"lstm-doctor {source}"))
    props = ET.SubElement(suite, "properties")
    for key in ("target", "n", "frequency", "start", "end"):
        ET.SubElement(props, "property", name=key, value=_clean(data.get(key)))
    by_code: dict[str, list[dict[str, Any]]] = {}
    for f in report["findings"]:  # a rule can fire more than once (scan: once per layer)
        by_code.setdefault(f["code"], []).append(f)
    seconds = (report.get("meta") or {}).get("rule_seconds") or {}
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    suite_time = float((report.get("meta") or {}).get("check_seconds") or 0.0)
    for outcome in report["rules"]:
        code = outcome["code"]
        found: list[dict[str, Any] | None] = list(by_code.get(code) or [None])
        for i, finding in enumerate(found):
            name = f"{code} {outcome['name']}"
            if len(found) > 1:  # one case per finding, named by its place
                name += f" ({_where(finding).rstrip(': ') or f'#{i + 1}'})"
            _case(suite, counts, outcome, finding, threshold, name=name, source=source,
                  seconds=float(seconds.get(code) or 0.0) if i == 0 else 0.0)
    return counts, suite_time, suite


def _case(suite: ET.Element, counts: dict[str, int], outcome: dict[str, Any],
          finding: dict[str, Any] | None, threshold: int, *, name: str, source: str,
          seconds: float) -> None:
    """One test case: a failure/error, a skip, a pass with the finding's text, or a pass."""
    code = outcome["code"]
    case = ET.SubElement(suite, "testcase", name=_clean(name), classname=_clean(source),
                         time=f"{seconds:.4f}")
    counts["tests"] += 1
    if outcome["status"] == "skip":
        ET.SubElement(case, "skipped", message=_clean(outcome["reason"] or "not applicable"))
        counts["skipped"] += 1
    elif finding is not None and failing(finding, threshold):
        tag = "error" if finding.get("crashed") else "failure"
        head = f"{_where(finding)}{code}: {finding['message']}"
        node = ET.SubElement(case, tag, message=_clean(head), type=finding["severity"])
        node.text = _finding_text(finding)
        counts["errors" if tag == "error" else "failures"] += 1
    elif finding is not None:
        out = ET.SubElement(case, "system-out")
        why = ("known in the baseline" if finding.get("baseline_state") == "unchanged"
               else "below --fail-on")
        out.text = _clean(f"{finding['severity']} ({why}): ") + _finding_text(finding)


__all__ = ["render_junit"]
