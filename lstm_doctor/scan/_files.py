"""Which files ``lstm-doctor scan`` reads: ``.py``/``.ipynb`` under the given paths.

Directories are walked recursively, skipping virtual environments and caches, and the
``exclude`` patterns of the project configuration (``[tool.lstm-doctor]`` in
``pyproject.toml`` or ``lstm-doctor.toml``, the nearest one at or above the directory).
Patterns follow ``.gitignore``: ``*.ipynb`` matches a name at any depth, ``old/`` a
directory, ``/scratch.py`` or ``notebooks/draft_*.ipynb`` a path relative to the settings
file, ``**`` any number of directories, and ``!keep.py`` re-includes. Files named
explicitly on the command line are always scanned, as ruff does.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from lstm_doctor._globs import glob_regex
from lstm_doctor.errors import InputError

SUFFIXES = (".py", ".ipynb")
#: Directories never walked (ruff's default excludes, plus notebook checkpoints).
SKIP_DIRS = frozenset({".git", ".hg", ".svn", ".bzr", ".venv", "venv", ".direnv", ".eggs",
                       "__pycache__", "__pypackages__", ".ipynb_checkpoints", "node_modules",
                       ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".ruff_cache",
                       "site-packages", "_build", "build", "dist"})


def _pattern_regex(pattern: str) -> tuple[re.Pattern[str], bool, bool]:
    """(regex on a posix path relative to the settings file, directory-only, negated)."""
    negated = pattern.startswith("!")
    if negated:
        pattern = pattern[1:]
    dir_only = pattern.endswith("/")
    pattern = pattern.strip("/") if dir_only else pattern
    anchored = "/" in pattern
    pattern = pattern.lstrip("/")
    prefix = "" if anchored else "(?:.*/)?"
    return re.compile(prefix + glob_regex(pattern, classes=True) + "$"), dir_only, negated


class Excludes:
    """``.gitignore``-style patterns relative to a base directory."""

    def __init__(self, patterns: list[str], base: Path, where: str = "exclude") -> None:
        self.base = base
        self.rules = []
        for p in patterns:
            if not isinstance(p, str) or not p.strip() or p.strip() == "!":
                raise InputError(f"{where}: {p!r} is not a pattern; give strings such as "
                                 "'notebooks/old/' or '*_scratch.py'")
            self.rules.append(_pattern_regex(p.strip()))

    def excluded(self, path: Path, is_dir: bool) -> bool:
        """True when the last matching pattern excludes ``path`` (absolute)."""
        try:
            rel = path.resolve().relative_to(self.base).as_posix()
        except ValueError:
            return False
        verdict = False
        for regex, dir_only, negated in self.rules:
            if dir_only and not is_dir:
                continue
            if regex.match(rel):
                verdict = not negated
        return verdict


@lru_cache(maxsize=64)
def excludes_for(directory: Path) -> Excludes | None:
    """The ``exclude`` patterns of the project settings governing ``directory``."""
    import tomllib

    from lstm_doctor.project import find_project_file

    settings = find_project_file(directory)
    if settings is None:
        return None
    try:
        doc = tomllib.loads(settings.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(f"'{settings}' cannot be read as TOML ({exc}); fix the file or "
                         "pass --isolated") from None
    table = doc
    if settings.name == "pyproject.toml":
        tool = doc.get("tool", {})
        table = tool.get("lstm-doctor", tool.get("lstm_doctor", {}))
    patterns = table.get("exclude", []) if isinstance(table, dict) else []
    if isinstance(patterns, str):
        patterns = [patterns]
    if not isinstance(patterns, list):
        raise InputError(f"'{settings}': exclude must be a list of patterns, not "
                         f"{type(patterns).__name__}")
    return Excludes(patterns, settings.parent.resolve(), where=f"'{settings}': exclude")


def iter_files(paths, *, use_settings: bool = True) -> list[Path]:
    """The ``.py``/``.ipynb`` files of ``paths`` (directories recursively, sorted).

    Parameters
    ----------
    paths : iterable of str or Path
        Files (always kept, whatever their suffix) and directories (walked).
    use_settings : bool
        Apply the ``exclude`` patterns of the project settings to directory walks.

    Returns
    -------
    list of Path
    """
    out: list[Path] = []
    for p in map(Path, paths):
        if not p.is_dir():
            out.append(p)
            continue
        rules = excludes_for(p.resolve()) if use_settings else None
        out.extend(_walk(p, rules))
    return out


def _walk(directory: Path, rules: Excludes | None) -> list[Path]:
    found: list[Path] = []
    try:
        entries = sorted(directory.iterdir())
    except OSError:
        return found
    for entry in entries:
        is_dir = entry.is_dir()
        if is_dir and entry.name in SKIP_DIRS:
            continue
        if rules is not None and rules.excluded(entry, is_dir):
            continue
        if is_dir:
            found.extend(_walk(entry, rules))
        elif entry.suffix.lower() in SUFFIXES and entry.is_file():
            found.append(entry)
    return found


__all__ = ["Excludes", "SKIP_DIRS", "SUFFIXES", "excludes_for", "iter_files"]
