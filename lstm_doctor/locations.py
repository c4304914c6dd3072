"""Where each finding is: the file, line and column a CI tool should point at.

Computed before rendering (renderers stay pure functions of the report dicts): the CLI calls
:func:`locate` on the results of ``check``/``report``, and every finding dict gets a
``location``::

    {"path": "models/lstm.yaml",         # as given (an absolute path inside the cwd: relative)
     "line": 4, "col": 3,                 # 1-based; None when the file has no lines to name
     "uri": "models/lstm.yaml",           # relative to the repository root (POSIX, unquoted)
     "root": "/home/me/repo/",            # that root: the file's git work tree, else the cwd
     "key": "preprocessing.scaler"}       # set-up findings: the key the line holds

* **Set-up findings** (a rule that ``reads`` set-up keys or needs the set-up, or of the
  ``setup`` group) point at the set-up file, at the line of the key the finding is about:
  the keys its remedies change, else the keys it reads, else their section, else line 1.
  A set-up read from a saved ``.keras`` model points at the model (no line).
* **Data findings** point at the data file, at the row of the evidence when it names one
  (the first missing value, the first unsorted or duplicated stamp, the first outlier, the
  first point after the first missing time stamp): CSV records are counted with the
  ``csv`` module (quoted line breaks and blank lines handled), JSON lines by their lines.
  A row of a ``--test-data`` holdout points into that file.
* **Data from stdin** has no file: set-up findings still point at the set-up file; data
  findings get no location here and the renderers fall back to a stable pseudo-path.
"""

from __future__ import annotations

import csv
import functools
from pathlib import Path
from typing import Any

from lstm_doctor.config_lines import key_positions

#: Rows counted at most to find a row's line (bounded work on huge files).
MAX_ROWS = 5_000_000


def locate(results: list[dict[str, Any]], *, config: str | Path | None = None,
           model: str | Path | None = None, cwd: str | Path | None = None
           ) -> list[dict[str, Any]]:
    """``results`` with a ``location`` on every finding that can be placed (copies).

    Parameters
    ----------
    results : list of dict
        ``Report.to_dict()`` per file or series (error entries pass through).
    config, model : path, optional
        The set-up file and saved model of the run (set-up findings point at them).
    cwd : path, optional
        The directory paths are shown relative to (default: the working directory).

    Returns
    -------
    list of dict
        New report dicts; a finding that already has a ``location`` (a script line of
        ``lstm-doctor scan``) keeps it, completed with ``uri`` and ``root``.
    """
    base = Path(cwd) if cwd else Path.cwd()
    setup = _setup_file(config, model)
    paths: dict[str, dict[str, Any]] = {}  # a file's shown path, uri and root, found once
    out = []
    for r in results:
        if "findings" not in r:
            out.append(r)
            continue
        findings = []
        for f in r["findings"]:
            where = f.get("location") or _place(r, f, setup)
            findings.append({**f, "location": _complete(where, base, paths)} if where
                            else dict(f))
        out.append({**r, "findings": findings})
    return out


def _setup_file(config: Any, model: Any) -> tuple[str, str] | None:
    """``(path, kind)`` of the set-up's file: a text config, else a saved model."""
    for value, kind in ((config, "config"), (model, "model")):
        if isinstance(value, str | Path) and str(value) and Path(value).is_file():
            if kind == "config" and Path(value).suffix.lower() == ".keras":
                kind = "model"
            return str(value), kind
    return None


def is_setup_finding(code: str) -> bool:
    """Whether a rule judges the set-up (it reads set-up keys, needs one, or is ``setup``)."""
    rule = _rule(code)
    return rule is not None and bool(rule.reads or rule.needs_config or rule.group() == "setup")


@functools.lru_cache(maxsize=128)
def _rule(code: str):
    from lstm_doctor.errors import InputError
    from lstm_doctor.rules import find_rule

    try:
        return find_rule(code)
    except InputError:
        return None


def _place(report: dict[str, Any], f: dict[str, Any],
           setup: tuple[str, str] | None) -> dict[str, Any] | None:
    if setup and is_setup_finding(f["code"]):
        path, kind = setup
        if kind == "model":
            return {"path": path, "line": None, "col": None}
        key, (line, col) = setup_key(f, key_positions(path))
        return {"path": path, "line": line, "col": col, **({"key": key} if key else {})}
    data = report.get("data") or {}
    path = str(data.get("file") or data.get("source") or "")
    if not path or path.startswith("<"):
        return None
    row = None if "series_id" in data else evidence_row(f, report.get("facts") or {})
    n, n_test = data.get("n"), data.get("n_test_given")
    if row is not None and data.get("test_source") and n_test and n and row >= n - n_test:
        path, row = str(data["test_source"]), row - (n - n_test)
    line = data_line(path, row) if row is not None else None
    return {"path": path, "line": line, "col": 1 if line else None}


def setup_key(f: dict[str, Any], positions: dict[str, tuple[int, int]]
              ) -> tuple[str | None, tuple[int, int]]:
    """The key a set-up finding is about and its position (line 1 when none is written).

    The keys its remedies change come first, then the keys its rule reads, then the
    sections of both.
    """
    rule = _rule(f["code"])
    changed = [f"{r.get('section')}.{k}" for r in f.get("remedies") or []
               for k in (r.get("changes") or {})]
    reads = list(getattr(rule, "reads", ()) or ())
    keys = [*changed, *reads]
    sections = [k.split(".", 1)[0] for k in keys]
    sections += [r.get("section") for r in f.get("remedies") or [] if r.get("section")]
    for key in [*keys, *sections]:
        if key in positions:
            return key, positions[key]
    return None, (1, 1)


def evidence_row(f: dict[str, Any], facts: dict[str, Any]) -> int | None:
    """The 0-based row a data finding's evidence names first, if any.

    ``first_rows``/``rows`` lists, ``*_row`` integers, and for missing time stamps alone
    (no missing value) the first point after the first gap (``facts.time_grid``).
    """
    ev = f.get("evidence") or {}
    rows: list[int] = []
    for key, value in ev.items():
        if key in ("first_rows", "rows") and isinstance(value, list):
            rows += [v for v in value[:1] if isinstance(v, int) and not isinstance(v, bool)]
        elif key.endswith("_row") and isinstance(value, int) and not isinstance(value, bool):
            rows.append(value)
    if not rows and ev.get("missing_timestamps"):
        gap = (facts.get("time_grid") or {}).get("first_gap_row")
        if isinstance(gap, int):
            rows.append(gap)
    rows = [r for r in rows if r >= 0]
    return min(rows) if rows else None


def data_line(path: str | Path, row: int) -> int | None:
    """The 1-based line where data row ``row`` (0-based, after the header) starts.

    CSV/TSV/text: records of the ``csv`` module (a header, blank lines skipped as pandas
    does); JSON lines: non-blank lines. ``None`` for other files (Parquet), a missing file
    or a row past the end.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if row < 0 or row > MAX_ROWS or suffix in (".parquet", ".pq"):
        return None
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            if suffix in (".jsonl", ".ndjson", ".json"):
                seen = -1
                for lineno, text in enumerate(fh, start=1):
                    if text.strip():
                        seen += 1
                        if seen == row:
                            return lineno
                return None
            head = fh.read(65536)
            fh.seek(0)
            reader = csv.reader(fh, delimiter=_delimiter(head))
            seen, start = -2, 0  # -2: the header is still to come
            for record in reader:
                line = start + 1
                start = reader.line_num
                if not any(cell.strip() for cell in record):
                    continue
                seen += 1
                if seen == row:
                    return line
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    return None


def _delimiter(head: str) -> str:
    sample = "\n".join(head.splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


# -- paths --------------------------------------------------------------------------------------

def _complete(where: dict[str, Any], base: Path,
              paths: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """Add ``uri`` (relative to the repository root) and ``root`` to a location.

    ``paths`` memoises them per path (a fleet's findings share one data file).
    """
    out = dict(where)
    if out.get("uri") or not out.get("path") or str(out["path"]).startswith("<"):
        return out
    key = str(out["path"])
    found = None if paths is None else paths.get(key)
    if found is None:
        found = _path_fields(key, base)
        if paths is not None:
            paths[key] = found
    out.update(found)
    return out


def _path_fields(shown: str, base: Path) -> dict[str, Any]:
    """``path`` (as shown), ``uri`` and ``root`` of a finding's file."""
    out: dict[str, Any] = {"path": shown}
    full = (base / shown).resolve()
    if Path(shown).is_absolute() and full.is_relative_to(base.resolve()):
        out["path"] = full.relative_to(base.resolve()).as_posix()  # shown as ruff does
    root = repository_root(full, base)
    if root is not None:
        out["uri"] = full.relative_to(root).as_posix()
        out["root"] = root.as_posix().rstrip("/") + "/"
    else:
        out["uri"] = full.as_uri()
    return out


def repository_root(path: Path, cwd: Path) -> Path | None:
    """The git work tree holding ``path`` (a ``.git`` entry upwards), else ``cwd`` when
    ``path`` is inside it, else ``None``.
    """
    for parent in path.parents:
        if (parent / ".git").exists():
            return parent
    cwd = cwd.resolve()
    return cwd if path.is_relative_to(cwd) else None


__all__ = ["locate", "data_line", "evidence_row", "is_setup_finding", "repository_root",
           "setup_key", "MAX_ROWS"]
