"""Text (ruff-like ``path:line:col: CODE message``) and JSON output of scan results."""

from __future__ import annotations

import json
from typing import Any


def _where(f: dict[str, Any]) -> str:
    where = f"{f['path']}:{f['line']}:{f['col']}"
    if "cell" in f:
        where += f" (cell {f['cell']}, line {f['cell_line']})"
    return where


def text_lines(results) -> tuple[list[str], list[str]]:
    """(stdout lines, stderr lines): one line per finding, one per unscannable file."""
    out, err = [], []
    n = 0
    for r in results:
        if r.error is not None:
            err.append(f"error: {r.error}")
            continue
        for f in r.findings:
            n += 1
            out.append(f"{_where(f)}: {f['code']} [{f['severity']}] {f['message']}")
    scanned = sum(r.error is None for r in results)
    if scanned:
        out.append(f"{n} finding{'s' if n != 1 else ''} in {scanned} "
                   f"file{'s' if scanned != 1 else ''}")
    return out, err


def to_json(results, fail_on: str = "error") -> str:
    """The several-results document of :func:`lstm_doctor.gate.collection`."""
    from lstm_doctor import gate

    return json.dumps(gate.collection([r.to_dict() for r in results], fail_on=fail_on),
                      indent=2, default=str)


__all__ = ["text_lines", "to_json"]
