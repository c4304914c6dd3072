"""Which files ``lstm-doctor check`` checks: DATA paths, the project's ``data`` globs, and
what a pre-commit run's changed files mean (``check --pre-commit``).

pre-commit passes the changed files that match the hook's pattern. Data files are checked
as they are. A changed settings file (``lstm-doctor.toml``, ``pyproject.toml``) or set-up
file (``.yaml``/``.yml``/``.toml``/``.keras``, or the ``config``/``model`` the settings
name) changes the verdict on data that did not change: the data files named by ``data``
in the settings found above it are checked instead (none named: a note, nothing to check).
"""

from __future__ import annotations

import os
from pathlib import Path

from lstm_doctor.project import PROJECT_FILES, ProjectConfig

#: Suffixes of set-up files (a ``.json`` counts only when the settings name it).
SETUP_SUFFIXES = (".yaml", ".yml", ".toml", ".keras")


def project_data(project: ProjectConfig) -> list[str]:
    """The files matched by the project's ``data`` globs (relative to the working directory
    when inside it), sorted per pattern; empty when it has none.
    """
    if not project.data or project.path is None:
        return []
    base = project.path.parent
    out: list[str] = []
    for pattern in project.data:
        for path in sorted(base.glob(pattern.strip().removeprefix("./"))):
            if path.is_file():
                out.append(_shown(path))
    return list(dict.fromkeys(out))


def _shown(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive
        return str(path)


def is_setup_change(path: str, project: ProjectConfig) -> bool:
    """Whether a changed file is a settings or set-up file rather than data."""
    p = Path(path)
    if p.name in PROJECT_FILES or p.suffix.lower() in SETUP_SUFFIXES:
        return True
    named = [Path(x).resolve() for x in (project.config, project.model) if x]
    return p.resolve() in named


def files_to_check(args: tuple[str, ...], finder) -> tuple[list[str], list[str]]:
    """The DATA paths of a pre-commit run, and notes for the user.

    Parameters
    ----------
    args : tuple of str
        The files pre-commit passes (changed files matching the hook's pattern).
    finder : SettingsFinder
        Finds the settings of each file (:class:`lstm_doctor.project_paths.SettingsFinder`).

    Returns
    -------
    data : list of str
        The changed data files, then the ``data`` files of the settings whose set-up
        changed (each once).
    notes : list of str
        One per settings file with a set-up change that names no ``data``.
    """
    data: list[str] = []
    notes: list[str] = []
    changed: dict[str, ProjectConfig] = {}
    for arg in args:
        project = finder.project_of(arg)
        if is_setup_change(arg, project):
            changed.setdefault(project.label, project)
        else:
            data.append(arg)
    for label, project in changed.items():
        files = project_data(project)
        if not files:
            where = label if project.path is not None else "no lstm-doctor settings file"
            notes.append(f"set-up or settings changed, but {where} names no data = [...] "
                         "to re-check: add the data files (globs) to [tool.lstm-doctor]")
        data += files
    seen: set[Path] = set()
    unique = []
    for item in data:
        key = Path(item).resolve()
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique, notes


__all__ = ["SETUP_SUFFIXES", "files_to_check", "is_setup_change", "project_data"]
