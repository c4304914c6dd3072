"""``lstm-doctor scan``: lint a training script or notebook for LSTM set-up mistakes.

Static only: the source is parsed with :mod:`ast`; nothing is executed or imported and
TensorFlow is never loaded. ``scan(path_or_source)`` gives a :class:`ScanResult`;
``scan_paths(paths)`` scans files and directories (``*.py``, ``*.ipynb``, recursively).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lstm_doctor.errors import InputError
from lstm_doctor.scan._files import iter_files
from lstm_doctor.scan.extract import Value, extract


@dataclass
class ScanResult:
    """The scan of one script or notebook.

    ``findings``: dicts with code, name, group, severity, message, fix, path, line, col,
    ``location`` (``{"path", "line", "col"}``; for notebooks also cell, cell_line);
    ``setup``: stated keys -> Value; ``error``: a one-line message when the file could not
    be scanned (then nothing else is set); ``data``: the ``check`` report of ``--data``.
    """

    source: str
    findings: list[dict[str, Any]] = field(default_factory=list)
    setup: dict[str, Value] = field(default_factory=dict)
    error: str | None = None
    data: dict[str, Any] | None = None

    def __len__(self) -> int:
        return len(self.findings)

    def __repr__(self) -> str:
        if self.error is not None:
            return f"<ScanResult {self.source}: {self.error}>"
        counts = ", ".join(f"{n} {k}" for k, n in self._summary().items() if n)
        return f"<ScanResult {self.source}: {counts or 'no findings'}>"

    @property
    def config(self):
        """The stated set-up as an LSTMConfig (provenance ``given``; the rest ``assumed``)."""
        from lstm_doctor.scan.setup import to_config

        return to_config(self.setup)

    def config_yaml(self) -> str:
        """The stated set-up as a YAML config file, lines noted (see ``--emit-config``)."""
        from lstm_doctor.scan.emit import config_yaml

        return config_yaml(self.setup, self.source)

    def _summary(self) -> dict[str, int]:
        return {k: sum(f["severity"] == k for f in self.findings)
                for k in ("error", "warning", "info")}

    def to_dict(self) -> dict[str, Any]:
        """A report dict as ``Report.to_dict()`` has it (for the gate and every renderer).

        ``data.source`` is the script; ``rules`` lists the outcome of every rule the scan
        ran; each finding has its ``location``. An unscannable file is an error entry.
        """
        if self.error is not None:
            return {"source": self.source, "error": self.error}
        fired = {f["code"]: f for f in self.findings}
        outcomes = {o["code"]: dict(o) for o in (self.data or {}).get("rules", [])}
        from lstm_doctor.scan.rules import CODES

        for code in CODES:
            outcomes.setdefault(code, {"code": code, "name": _rule_name(code),
                                       "status": "pass", "reason": ""})
        for code, f in fired.items():
            outcomes[code] = {"code": code, "name": f["name"], "status": "fail", "reason": ""}
        data: dict[str, Any] = {"source": self.source, "target": "script"}
        if self.data is not None:
            data.update(file=self.source, target=self.data["data"].get("target"),
                        data_source=self.data["data"].get("source"), n=self.data["data"]["n"])
        findings = [{"evidence": {}, "remedies": [], "crashed": False, **f}
                    for f in self.findings]
        return {"data": data, "findings": findings, "summary": self._summary(),
                "rules": sorted(outcomes.values(), key=lambda o: o["code"]),
                "setup": {k: v.to_dict() for k, v in sorted(self.setup.items())}}


def _rule_name(code: str) -> str:
    from lstm_doctor.rules import find_rule

    return find_rule(code).name


_NOQA = re.compile(r"#\s*lstm-doctor:\s*noqa\b:?\s*((?:LD\d+[\s,]*)*)", re.I)


def _suppressed(finding: dict[str, Any], text: str) -> bool:
    """``# lstm-doctor: noqa`` (all codes) or ``# lstm-doctor: noqa LD601, LD603`` on its line."""
    lines = text.splitlines()
    if not 0 < finding["line"] <= len(lines):
        return False
    m = _NOQA.search(lines[finding["line"] - 1])
    if m is None:
        return False
    codes = re.findall(r"LD\d+", m.group(1).upper())
    return not codes or finding["code"] in codes


def _scan_source(text: str, source: str, notebook: bool,
                 data: dict[str, Any] | None = None) -> ScanResult:
    from lstm_doctor.scan.notebook import notebook_source
    from lstm_doctor.scan.rules import check
    from lstm_doctor.scan.setup import facts

    origin = None
    if notebook:
        try:
            text, origin = notebook_source(text, where=source)
        except InputError as exc:
            return ScanResult(source, error=str(exc))
    try:
        ex = extract(text, filename=source)
    except (SyntaxError, ValueError) as exc:
        line = getattr(exc, "lineno", None) or 0
        where = f"{source}:{line}" if line else source
        if origin and 0 < line <= len(origin):
            where += f" (cell {origin[line - 1][0]}, line {origin[line - 1][1]})"
        msg = getattr(exc, "msg", None) or str(exc)
        return ScanResult(source, error=f"{where}: syntax error: {msg}")
    stated = facts(ex)
    findings = [f for f in check(stated) if not _suppressed(f, text)]
    for f in findings:
        f["path"] = source
        f["location"] = {"path": source, "line": f["line"], "col": f["col"]}
    report = None
    if data is not None:
        from lstm_doctor.scan._data import with_data
        from lstm_doctor.scan.setup import to_config

        findings, report = with_data(findings, stated, to_config(stated), script=source,
                                     **data)
        findings = [f for f in findings if f["path"] != source or not _suppressed(f, text)]
    for f in findings:
        if f["path"] == source and origin and 0 < f["line"] <= len(origin):
            f["cell"], f["cell_line"] = origin[f["line"] - 1]
            f["location"].update(cell=f["cell"], cell_line=f["cell_line"])
    return ScanResult(source, findings=findings, setup=stated, data=report)


def scan(path_or_source: str | Path, *, notebook: bool | None = None, data: Any = None,
         target: str | None = None, time_col: str | bool | None = None,
         features: list[str] | str | None = None) -> ScanResult:
    """Lint one training script or notebook for LSTM set-up mistakes, statically.

    Parameters
    ----------
    path_or_source : str or Path
        A ``.py``/``.ipynb`` file, or Python source text (a str holding a newline, or naming
        no existing file).
    notebook : bool, optional
        Read the file (or text) as a Jupyter notebook; default: by the ``.ipynb`` suffix.
    data : path or frame, optional
        The series the script trains on: the data and set-up rules of
        :func:`lstm_doctor.check` then run too, on the set-up the script states.
    target, time_col, features
        Column choices for ``data``, as for :func:`lstm_doctor.check`.

    Returns
    -------
    ScanResult
        Findings with their lines, the stated set-up, or a one-line ``error``.

    Raises
    ------
    InputError
        When ``data`` cannot be read (the script's own problems are ``error`` results).
    """
    load = None if data is None else {"data": data, "target": target, "time_col": time_col,
                                      "features": features}
    text = str(path_or_source)
    is_path = isinstance(path_or_source, Path) or ("\n" not in text and Path(text).is_file())
    if not is_path:
        return _scan_source(text, "<string>", bool(notebook), load)
    path = Path(path_or_source)
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return ScanResult(str(path), error=f"{path}: cannot be read ({exc})")
    nb = path.suffix.lower() == ".ipynb" if notebook is None else notebook
    return _scan_source(content, str(path), nb, load)


def scan_paths(paths, **options: Any) -> list[ScanResult]:
    """Scan every ``.py``/``.ipynb`` file of ``paths`` (see :func:`iter_files`).

    A missing path is an error result; ``options`` go to :func:`scan`.
    """
    results = []
    for f in iter_files(paths):
        if not f.exists():
            results.append(ScanResult(str(f), error=f"{f}: no such file"))
        else:
            results.append(scan(f, **options))
    return results


__all__ = ["ScanResult", "iter_files", "scan", "scan_paths"]
