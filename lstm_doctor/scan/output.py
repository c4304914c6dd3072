"""Text (ruff-like ``path:line:col: CODE message``) and JSON output of scan results."""

from __future__ import annotations

import json
from typing import Any


def _where(f: dict[str, Any]) -> str:
    if not f.get("line"):  # a finding about the data file (scan --data)
        return str(f["path"])
    where = f"{f['path']}:{f['line']}:{f['col']}"
    if "cell" in f:
        where += f" (cell {f['cell']}, line {f['cell_line']})"
    return where


def text_lines(results) -> tuple[list[str], list[str]]:
    """(stdout lines, stderr lines): one line per finding, one per unscannable file.

    ``results`` are :class:`ScanResult` objects or their ``to_dict()`` (which carry the
    baseline marks once a baseline is applied).
    """
    out, err = [], []
    n = 0
    dicts = [r if isinstance(r, dict) else r.to_dict() for r in results]
    for r in dicts:
        if "error" in r:
            err.append(f"error: {r['error']}")
            continue
        for f in r["findings"]:
            n += 1
            known = " (known: in the baseline)" if f.get("baseline_state") == "unchanged" else ""
            out.append(f"{_where(f)}: {f['code']} [{f['severity']}] {f['message']}{known}")
    scanned = sum("error" not in r for r in dicts)
    if scanned:
        out.append(f"{n} finding{'s' if n != 1 else ''} in {scanned} "
                   f"file{'s' if scanned != 1 else ''}")
    return out, err


def to_json(results, fail_on: str = "error") -> str:
    """The several-results document of :func:`lstm_doctor.gate.collection`.

    ``results`` are :class:`ScanResult` objects or their ``to_dict()``.
    """
    from lstm_doctor import gate

    dicts = [r if isinstance(r, dict) else r.to_dict() for r in results]
    return json.dumps(gate.collection(dicts, fail_on=fail_on), indent=2, default=str)


__all__ = ["text_lines", "to_json"]
