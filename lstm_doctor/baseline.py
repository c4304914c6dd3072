"""Baseline files: adopt the CI gate on data that already has known findings.

``lstm-doctor check data/*.csv --write-baseline lstm-doctor-baseline.json`` records today's
findings; ``lstm-doctor check data/*.csv --baseline lstm-doctor-baseline.json`` then fails
only on findings that are new, or worse (a higher severity) than recorded.

The file is JSON, sorted for stable diffs, with no timestamps and no measured numbers
(numbers wobble with every data refresh; the identity of a finding does not)::

    {
      "lstm_doctor_baseline": 1,
      "tool_version": "0.1.0",
      "findings": [
        {"file": "data/sales.csv", "target": "sales", "code": "LD104",
         "name": "data.outliers", "severity": "warning", "fingerprint": "9b1f0c2e5d7a4c31"}
      ]
    }

``file`` is the data path relative to the baseline file's directory (POSIX separators), so
the baseline works from any working directory. ``fingerprint`` is the first 16 hex digits
of ``sha256(file + NUL + target + NUL + code)``: a rule reports at most one finding per
series, so file, target column and code identify it. Matching is by fingerprint; ``severity``
is compared by rank (error > warning > info): :mod:`lstm_doctor.gate` decides what a mark
means for the exit code.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from lstm_doctor import gate
from lstm_doctor.errors import InputError
from lstm_doctor.gate import failing, is_error_result  # noqa: F401 - re-exported

BASELINE_VERSION = 1

#: ``baseline_state`` of a finding after :func:`apply_baseline`.
STATES = gate.BASELINE_STATES


def file_key(source: str, baseline_path: str | Path) -> str:
    """The ``file`` of a baseline entry: ``source`` relative to the baseline's directory."""
    if not source or source.startswith("<"):
        return source or "<data>"
    base = Path(baseline_path).resolve().parent
    full = Path(source).resolve()
    try:
        rel = os.path.relpath(full, base)
    except ValueError:  # another drive (Windows)
        return full.as_posix()
    return Path(rel).as_posix()


def fingerprint(file: str, target: str, code: str) -> str:
    """Stable identity of a finding: 16 hex digits of ``sha256(file NUL target NUL code)``."""
    return hashlib.sha256(f"{file}\0{target}\0{code}".encode()).hexdigest()[:16]


def build_baseline(results: list[dict[str, Any]], path: str | Path) -> dict[str, Any]:
    """The baseline document for these check results (files that errored are left out)."""
    from lstm_doctor import __version__

    entries = []
    for result in results:
        if is_error_result(result):
            continue
        fkey = file_key(result["data"].get("source") or "", path)
        target = str(result["data"].get("target"))
        for f in result["findings"]:
            entries.append({"file": fkey, "target": target, "code": f["code"],
                            "name": f["name"], "severity": f["severity"],
                            "fingerprint": fingerprint(fkey, target, f["code"])})
    entries.sort(key=lambda e: (e["file"], e["target"], e["code"]))
    return {"lstm_doctor_baseline": BASELINE_VERSION, "tool_version": __version__,
            "findings": entries}


def write_baseline(results: list[dict[str, Any]], path: str | Path) -> int:
    """Write the baseline file; returns the number of findings recorded."""
    from lstm_doctor.outputs import write_atomic

    doc = build_baseline(results, path)
    write_atomic(path, json.dumps(doc, indent=2) + "\n", what="baseline file")
    return len(doc["findings"])


def load_baseline(path: str | Path) -> dict[str, dict[str, Any]]:
    """Read a baseline file: ``{fingerprint: entry}``.

    Raises
    ------
    InputError
        When the file is missing, not JSON, or not a lstm-doctor baseline.
    """
    label = f"baseline file '{path}'"
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{label} does not exist; create it with --write-baseline {path}")
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{label} cannot be read ({type(exc).__name__})") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{label} is not valid JSON ({exc.msg} at line {exc.lineno}); "
                         "re-create it with --write-baseline") from None
    if not isinstance(doc, dict) or "lstm_doctor_baseline" not in doc:
        raise InputError(f"{label} is not a lstm-doctor baseline (no 'lstm_doctor_baseline' "
                         "key); re-create it with --write-baseline")
    if doc["lstm_doctor_baseline"] != BASELINE_VERSION:
        raise InputError(f"{label} has format version {doc['lstm_doctor_baseline']!r}; this "
                         f"lstm-doctor reads version {BASELINE_VERSION}: re-create it with "
                         "--write-baseline")
    entries = doc.get("findings")
    if not isinstance(entries, list):
        raise InputError(f"{label}: 'findings' must be a list")
    out = {}
    for i, e in enumerate(entries):
        if not (isinstance(e, dict) and {"file", "target", "code", "severity"} <= set(e)
                and e["severity"] in gate.RANK):
            raise InputError(f"{label}: entry {i} needs file, target, code and a severity "
                             "(error|warning|info)")
        fp = fingerprint(str(e["file"]), str(e["target"]), str(e["code"]))
        out[fp] = dict(e, fingerprint=fp)
    return out


def apply_baseline(results: list[dict[str, Any]], baseline: dict[str, dict[str, Any]],
                   path: str | Path) -> dict[str, int]:
    """Mark each finding ``new``, ``worsened`` or ``unchanged`` against a baseline.

    Adds ``baseline_state`` to every finding dict and a ``baseline`` block (``path``,
    counts and the ``absent`` entries: recorded but no longer found) to every report dict.

    Returns
    -------
    dict
        Total counts: ``new``, ``worsened``, ``unchanged``, ``absent``.
    """
    totals = {"new": 0, "worsened": 0, "unchanged": 0, "absent": 0}
    for result in results:
        if is_error_result(result):
            continue
        fkey = file_key(result["data"].get("source") or "", path)
        target = str(result["data"].get("target"))
        counts = {"new": 0, "worsened": 0, "unchanged": 0}
        seen = set()
        for f in result["findings"]:
            fp = fingerprint(fkey, target, f["code"])
            seen.add(fp)
            old = baseline.get(fp)
            state = gate.baseline_state(f["severity"], None if old is None else old["severity"])
            f["baseline_state"] = state
            counts[state] += 1
        absent = [{"code": e["code"], "severity": e["severity"]} for fp, e in baseline.items()
                  if e["file"] == fkey and str(e["target"]) == target and fp not in seen]
        result["baseline"] = {"path": str(path), **counts, "absent": absent}
        for k, v in counts.items():
            totals[k] += v
        totals["absent"] += len(absent)
    return totals


__all__ = ["apply_baseline", "build_baseline", "failing", "file_key", "fingerprint",
           "is_error_result", "load_baseline", "write_baseline"]
