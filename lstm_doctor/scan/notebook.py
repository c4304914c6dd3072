"""Code cells of a Jupyter notebook as one Python source, line numbers kept per cell.

IPython magics (``%``, ``%%`` cells) and shell lines (``!``) become blank lines, so the
remaining code parses and every line keeps its place.
"""

from __future__ import annotations

import json
from typing import Any

from lstm_doctor.errors import InputError


def _is_magic(line: str) -> bool:
    s = line.lstrip()
    return s.startswith(("%", "!")) or (s.endswith("?") and not s.startswith("#")
                                        and " " not in s.strip())


def notebook_source(text: str, where: str = "notebook") -> tuple[str, list[tuple[int, int]]]:
    """The code cells as one source, and where each of its lines comes from.

    Returns ``(source, origin)``: ``origin[i]`` is (cell number from 1, line in the cell
    from 1) of line ``i + 1`` of the source.
    """
    try:
        nb = json.loads(text)
        cells = nb["cells"]
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
        skip_all = bool(cell_lines) and cell_lines[0].lstrip().startswith("%%")
        for j, line in enumerate(cell_lines, start=1):
            lines.append("" if skip_all or _is_magic(line) else line)
            origin.append((i, j))
        lines.append("")  # a separator between cells
        origin.append((i, len(cell_lines) + 1))
    return "\n".join(lines) + "\n", origin


__all__ = ["notebook_source"]
