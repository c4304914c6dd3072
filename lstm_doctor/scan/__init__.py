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
from lstm_doctor.scan.extract import Value, extract

SUFFIXES = (".py", ".ipynb")
_SKIP_DIRS = {".git", ".venv", "venv", "__pycache__", ".ipynb_checkpoints", "node_modules",
              ".tox", ".mypy_cache", ".pytest_cache"}


@dataclass
class ScanResult:
    """The scan of one script or notebook.

    ``findings``: dicts with code, name, group, severity, message, fix, line, col (and for
    notebooks cell, cell_line); ``setup``: stated keys -> Value; ``error``: a one-line
    message when the file could not be scanned (then nothing else is set).
    """

    source: str
    findings: list[dict[str, Any]] = field(default_factory=list)
    setup: dict[str, Value] = field(default_factory=dict)
    error: str | None = None

    @property
    def config(self):
        """The stated set-up as an LSTMConfig (provenance ``given``; the rest ``assumed``)."""
        from lstm_doctor.scan.setup import to_config

        return to_config(self.setup)

    def to_dict(self) -> dict[str, Any]:
        """A report dict for :mod:`lstm_doctor.gate` (or an error entry)."""
        if self.error is not None:
            return {"source": self.source, "error": self.error}
        summary = {k: sum(f["severity"] == k for f in self.findings)
                   for k in ("error", "warning", "info")}
        return {"data": {"source": self.source}, "findings": list(self.findings),
                "summary": summary,
                "setup": {k: v.to_dict() for k, v in sorted(self.setup.items())}}


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


def _scan_source(text: str, source: str, notebook: bool) -> ScanResult:
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
        if origin and 0 < f["line"] <= len(origin):
            f["cell"], f["cell_line"] = origin[f["line"] - 1]
    return ScanResult(source, findings=findings, setup=stated)


def scan(path_or_source: str | Path, *, notebook: bool | None = None) -> ScanResult:
    """Scan one ``.py``/``.ipynb`` file, or Python source text (a str that is not a file).

    A str holding a newline, or naming no existing file, is taken as source.
    """
    text = str(path_or_source)
    is_path = isinstance(path_or_source, Path) or ("\n" not in text and Path(text).is_file())
    if not is_path:
        return _scan_source(text, "<string>", bool(notebook))
    path = Path(path_or_source)
    try:
        content = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return ScanResult(str(path), error=f"{path}: cannot be read ({exc})")
    nb = path.suffix.lower() == ".ipynb" if notebook is None else notebook
    return _scan_source(content, str(path), nb)


def iter_files(paths) -> list[Path]:
    """The ``.py``/``.ipynb`` files of ``paths`` (directories recursively, sorted)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            for f in sorted(p.rglob("*")):
                rel = f.relative_to(p).parts
                if f.is_file() and f.suffix.lower() in SUFFIXES and \
                        not any(part in _SKIP_DIRS for part in rel):
                    out.append(f)
        else:
            out.append(p)
    return out


def scan_paths(paths) -> list[ScanResult]:
    """Scan every file of ``paths``; a missing path is an error result."""
    results = []
    for f in iter_files(paths):
        if not f.exists():
            results.append(ScanResult(str(f), error=f"{f}: no such file"))
        else:
            results.append(scan(f))
    return results


__all__ = ["ScanResult", "iter_files", "scan", "scan_paths"]
