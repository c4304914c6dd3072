"""Code cells of a Jupyter notebook as one Python source, line numbers kept per cell.

IPython magics (``%``), shell lines (``!``, ``files = !ls``) and help lines (``obj?``)
become blank lines, so the remaining code parses and every line keeps its place. A cell
magic whose body is Python (``%%time``, ``%%timeit``, ``%%capture``) loses only its first
line; any other (``%%bash``, ``%%writefile``...) blanks its whole cell.
"""

from __future__ import annotations

import json
import re
from typing import Any

from lstm_doctor.errors import InputError

#: Cell magics whose body is Python run as usual.
_PYTHON_CELL_MAGICS = ("time", "timeit", "capture", "prun")
_SHELL_ASSIGN = re.compile(r"^\s*[A-Za-z_][\w.]*\s*=\s*[!%]")


def _is_magic(line: str) -> bool:
    s = line.lstrip()
    return s.startswith(("%", "!")) or bool(_SHELL_ASSIGN.match(line)) or (
        s.endswith("?") and not s.startswith("#") and " " not in s.strip())


def _cells(nb: Any) -> list[Any]:
    if isinstance(nb, dict) and "cells" not in nb and isinstance(nb.get("worksheets"), list):
        # nbformat 3: cells in worksheets, code in "input"
        return [dict(c, source=c.get("input", c.get("source", "")))
                for w in nb["worksheets"] if isinstance(w, dict)
                for c in w.get("cells", []) if isinstance(c, dict)]
    return nb["cells"]


def notebook_source(text: str, where: str = "notebook") -> tuple[str, list[tuple[int, int]]]:
    """The code cells as one source, and where each of its lines comes from.

    Returns ``(source, origin)``: ``origin[i]`` is (cell number from 1, line in the cell
    from 1) of line ``i + 1`` of the source.
    """
    try:
        cells = _cells(json.loads(text))
        if not isinstance(cells, list):
            raise TypeError(cells)
    except (ValueError, KeyError, TypeError):
        raise InputError(f"{where}: not a Jupyter notebook (no JSON 'cells')") from None
    lines: list[str] = []
    origin: list[tuple[int, int]] = []
    for i, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        src: Any = cell.get("source", "")
        body = "".join(src) if isinstance(src, list) else str(src)
        cell_lines = body.splitlines()
        head = cell_lines[0].lstrip() if cell_lines else ""
        skip_all = head.startswith("%%") and \
            head[2:].split(" ", 1)[0].strip() not in _PYTHON_CELL_MAGICS
        for j, line in enumerate(cell_lines, start=1):
            lines.append("" if skip_all or _is_magic(line) else line)
            origin.append((i, j))
        lines.append("")  # a separator between cells
        origin.append((i, len(cell_lines) + 1))
    return "\n".join(lines) + "\n", origin


__all__ = ["notebook_source"]
