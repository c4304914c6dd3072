"""Where each key of a set-up file is written: ``section.key`` -> (line, column).

A finding about the LSTM set-up points at the line of the key it is about (SARIF regions,
GitHub annotations, ``path:line:`` in the concise output). The set-up schema has two levels
(sections, then keys), so the maps hold ``"section"`` and ``"section.key"`` entries, with
1-based lines and columns of the key's first character.

* YAML: the composed node tree of PyYAML (its marks are exact).
* TOML: a line scan that knows tables (``[section]``, ``[tool.x]`` is skipped), dotted keys
  (``section.key = 1``), inline tables (``section = {key = 1}``), quoted keys, comments,
  multi-line strings and arrays.
* JSON: a scan of the tokens (strings with escapes, nesting), keys at depth one and two.

Nothing here validates: a file that does not parse gives whatever was found before the
problem (the set-up loader reports syntax errors, with its own message).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

#: ``{"section": (line, col), "section.key": (line, col)}``, 1-based.
Positions = dict[str, tuple[int, int]]

#: Largest set-up file scanned (bytes): a set-up is a few dozen lines.
MAX_BYTES = 1_000_000


def key_positions(path: str | Path) -> Positions:
    """The positions of the sections and keys of a YAML, TOML or JSON set-up file.

    Parameters
    ----------
    path : path
        The set-up file (``.yaml``/``.yml``/no suffix, ``.toml``, ``.json``).

    Returns
    -------
    dict
        ``{"preprocessing": (2, 1), "preprocessing.scaler": (3, 3), ...}``; empty for
        another suffix, an unreadable file or one above :data:`MAX_BYTES`.
    """
    path = Path(path)
    try:
        if path.stat().st_size > MAX_BYTES:
            return {}
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return {}
    suffix = path.suffix.lower()
    if suffix == ".toml":
        return toml_positions(text)
    if suffix == ".json":
        return json_positions(text)
    if suffix in (".yaml", ".yml", ""):
        return yaml_positions(text)
    return {}


# -- YAML ---------------------------------------------------------------------------------------

def yaml_positions(text: str) -> Positions:
    """Key positions of a YAML document (the first document of the stream)."""
    import yaml

    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    out: Positions = {}
    if not isinstance(root, yaml.MappingNode):
        return out
    for key, value in root.value:
        if not isinstance(key, yaml.ScalarNode):
            continue
        section = str(key.value)
        out.setdefault(section, (key.start_mark.line + 1, key.start_mark.column + 1))
        if isinstance(value, yaml.MappingNode):
            for sub, _ in value.value:
                if isinstance(sub, yaml.ScalarNode):
                    out.setdefault(f"{section}.{sub.value}",
                                   (sub.start_mark.line + 1, sub.start_mark.column + 1))
    return out


# -- TOML ---------------------------------------------------------------------------------------

_BARE = r"[A-Za-z0-9_-]+"
_KEY_PART = rf'(?:{_BARE}|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_DOTTED = re.compile(rf"\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*=")
_TABLE = re.compile(rf"\s*\[\s*({_KEY_PART}(?:\s*\.\s*{_KEY_PART})*)\s*\]")
_PART = re.compile(_KEY_PART)


def _parts(dotted: str) -> list[str]:
    """``a."b.c".d`` -> ``["a", "b.c", "d"]``."""
    out = []
    for m in _PART.finditer(dotted):
        part = m.group(0)
        out.append(part[1:-1] if part[:1] in "\"'" else part)
    return out


def _unquoted(text: str) -> Iterator[tuple[int, str]]:
    """``(index, character)`` of the characters outside quoted strings (the quotes too are
    inside; a backslash escapes the next character in a double-quoted string).
    """
    quote = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\" and quote == '"':
                i += 2
                continue
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        else:
            yield i, ch
        i += 1


def _strip_comment(line: str) -> str:
    """The line without a trailing ``# comment`` (a ``#`` inside a string stays)."""
    for i, ch in _unquoted(line):
        if ch == "#":
            return line[:i]
    return line


def _depth_change(code: str) -> int:
    """Brackets opened minus closed outside strings (arrays spanning lines)."""
    return sum((ch in "[{") - (ch in "]}") for _, ch in _unquoted(code))


def toml_positions(text: str) -> Positions:
    """Key positions of a TOML set-up file (a careful line scan, see the module docstring)."""
    out: Positions = {}
    table: list[str] = []
    depth = 0  # open brackets of a value spanning lines
    multiline = ""  # the delimiter of an open multi-line string
    for lineno, raw in enumerate(text.splitlines(), start=1):
        if multiline:
            if raw.count(multiline) % 2 == 1:
                multiline = ""
            continue
        code = _strip_comment(raw)
        if depth > 0:
            depth = max(0, depth + _depth_change(code))
            continue
        m = _TABLE.match(code)
        if m and not code.lstrip().startswith("[["):
            table = _parts(m.group(1))
            if len(table) == 1:
                out.setdefault(table[0], (lineno, code.index("[") + 2))
            continue
        m = _DOTTED.match(code)
        if not m:
            continue
        col = len(code) - len(code.lstrip()) + 1
        path = table + _parts(m.group(1))
        _record(out, path, lineno, col)
        value = code[m.end():]
        for delim in ('"""', "'''"):
            if value.count(delim) % 2 == 1:
                multiline = delim
                break
        if multiline:
            continue
        stripped = value.strip()
        if len(path) == 1 and stripped.startswith("{"):  # section = {key = 1, ...}
            for km in re.finditer(rf"[{{,]\s*({_KEY_PART})\s*=", value):
                _record(out, [path[0], _parts(km.group(1))[0]], lineno,
                        m.end() + km.start(1) + 1)
        depth = max(0, _depth_change(value))
    return out


def _record(out: Positions, path: list[str], line: int, col: int) -> None:
    if len(path) == 1:
        out.setdefault(path[0], (line, col))
    elif len(path) == 2:
        out.setdefault(path[0], (line, col))
        out.setdefault(f"{path[0]}.{path[1]}", (line, col))


# -- JSON ---------------------------------------------------------------------------------------

def json_positions(text: str) -> Positions:
    """Key positions of a JSON object (keys at depth one and two)."""
    out: Positions = {}
    stack: list[str] = []  # "{" or "[" per open container
    names: list[str | None] = []  # the key each open object was the value of
    pending: str | None = None  # the last key seen at this level
    line, col, i, n = 1, 1, 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            line, col, i = line + 1, 1, i + 1
            continue
        if ch == '"':
            start_line, start_col = line, col
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            raw = text[i + 1:j]
            col += j + 1 - i
            i = j + 1
            k = i
            while k < n and text[k] in " \t\r":
                k += 1
            if k < n and text[k] == ":" and stack and stack[-1] == "{":
                key = _unescape(raw)
                pending = key
                parents = [p for p in names if p is not None]
                if len(stack) == 1:
                    out.setdefault(key, (start_line, start_col))
                elif len(stack) == 2 and len(parents) == 1 and stack[0] == "{":
                    out.setdefault(f"{parents[0]}.{key}", (start_line, start_col))
            continue
        if ch in "{[":
            names.append(pending if stack and stack[-1] == "{" else None)
            stack.append(ch)
            pending = None
        elif ch in "}]":
            if stack:
                stack.pop()
                names.pop()
        i, col = i + 1, col + 1
    return out


def _unescape(raw: str) -> str:
    import json

    try:
        return str(json.loads(f'"{raw}"'))
    except ValueError:
        return raw


__all__ = ["Positions", "key_positions", "json_positions", "toml_positions",
           "yaml_positions", "MAX_BYTES"]
