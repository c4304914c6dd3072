"""``scan --data``: run ``check`` on the data with the set-up the script states.

The findings of the data and set-up rules join the code-only findings. A set-up finding
points at the script line of the key it rests on (the first of the rule's ``reads`` the
code states); a finding about the data points at the data file. Where a code-only check
already reports a code on its line, the check's finding of that code is not repeated.
"""

from __future__ import annotations

from typing import Any

from lstm_doctor.scan.extract import Value

#: Rules whose verdict rests on a set-up key although they declare no ``reads`` (a default
#: never fires for them, so the key is always stated when they fire).
_KEY_OF = {"LD203": ("preprocessing.difference", "preprocessing.seasonal_difference"),
           "LD601": ("model.activation", "model.recurrent_activation")}


def _script_key(code: str, stated: dict[str, Value]) -> Value | None:
    from lstm_doctor.rules import find_rule

    keys = tuple(find_rule(code).reads) + _KEY_OF.get(code, ())
    placed = [stated[k] for k in keys if k in stated and stated[k].known]
    return min(placed, key=lambda v: (v.line, v.col)) if placed else None


def with_data(findings: list[dict[str, Any]], stated: dict[str, Value], config, *,
              script: str, data: Any, **load: Any) -> tuple[list[dict[str, Any]],
                                                          dict[str, Any]]:
    """The code-only ``findings`` joined with ``check``'s on ``data``; and the check's report.

    Parameters
    ----------
    findings : list of dict
        The code-only findings (each with ``line``, ``col`` and ``location``).
    stated : dict
        The set-up keys the script states (with their lines).
    config : LSTMConfig
        The set-up built from ``stated`` (provenance ``given``; the rest ``assumed``).
    script : str
        The script's path (for locations).
    data : path or frame
        The series, as for :func:`lstm_doctor.check`.
    **load
        ``target``, ``time_col``, ``features``... passed to :func:`lstm_doctor.check`.

    Returns
    -------
    findings : list of dict
        Code-only findings, then the check's (set-up findings on script lines, data
        findings on the data file), in line order per file.
    report : dict
        The check's ``Report.to_dict()`` (for the data summary and rule outcomes).
    """
    from lstm_doctor.api import check

    report = check(data, config=config, **{k: v for k, v in load.items() if v is not None}
                   ).to_dict()
    data_file = str(report["data"].get("source") or data)
    have = {(f["code"]) for f in findings}
    joined = list(findings)
    for f in report["findings"]:
        if f["code"] in have:
            continue
        entry = {k: f[k] for k in ("code", "name", "group", "severity", "message", "fix")}
        entry["evidence"] = f.get("evidence", {})
        entry["crashed"] = bool(f.get("crashed"))
        where = _script_key(f["code"], stated)
        if where is not None:
            entry.update(line=where.line, col=where.col, path=script,
                         location={"path": script, "line": where.line, "col": where.col})
        else:
            entry.update(line=0, col=0, path=data_file, location={"path": data_file})
        joined.append(entry)
    joined.sort(key=lambda f: (f["path"] != script, f["line"], f["col"], f["code"]))
    return joined, report


__all__ = ["with_data"]
