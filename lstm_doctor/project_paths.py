"""Which project settings a DATA path gets: the nearest settings file above it, then its
``per-file`` tables (see :mod:`lstm_doctor.project`).
"""

from __future__ import annotations

import re
from pathlib import Path

from lstm_doctor._globs import glob_regex
from lstm_doctor.project import KEYS, ProjectConfig, find_project_file, load_project_config


def glob_match(pattern: str, rel_path: str) -> bool:
    """Whether a POSIX path relative to the settings file matches a per-file pattern.

    ``*`` and ``?`` stay within one directory, ``**`` crosses directories; a pattern
    without ``/`` matches the file name in any directory (``*.parquet``).
    """
    pattern = pattern.strip().removeprefix("./")
    if "/" not in pattern:
        rel_path = rel_path.rsplit("/", 1)[-1]
    return re.fullmatch(glob_regex(pattern), rel_path) is not None


def for_file(project: ProjectConfig, data_path: str | Path) -> ProjectConfig:
    """``project``'s settings with the ``per-file`` tables that match ``data_path`` applied.

    ``data_path`` is matched relative to the settings file's directory (a path outside
    it matches no pattern). Later tables win; ``extend-ignore`` lists add up;
    ``thresholds``/``severities`` merge.
    """
    import dataclasses

    if not project.per_file or project.path is None:
        return project
    try:
        rel = Path(data_path).resolve().relative_to(project.path.parent).as_posix()
    except ValueError:
        return project
    out = dataclasses.replace(project, thresholds={k: dict(v) for k, v in
                                                project.thresholds.items()},
                              severities=dict(project.severities),
                              pattern_of=dict(project.pattern_of))
    for pattern, table, keys in project.per_file:
        if not glob_match(pattern, rel):
            continue
        for key in keys:
            attr = KEYS[key][0]
            value = getattr(table, attr)
            if attr in ("thresholds", "severities"):
                for code, v in value.items():
                    target = getattr(out, attr)
                    if attr == "thresholds":
                        target.setdefault(code, {}).update(v)
                    else:
                        target[code] = v
            elif attr == "extend_ignore":
                out.extend_ignore = [*(out.extend_ignore or []), *value]
            elif attr in ("time_col", "no_time_col"):  # one of them, the table's
                out.time_col, out.no_time_col = table.time_col, table.no_time_col
            elif attr in ("config", "model"):  # a set-up per file replaces both
                out.config, out.model = table.config, table.model
            else:
                setattr(out, attr, value)
            out.pattern_of[attr] = pattern
    return out


class SettingsFinder:
    """The project settings of DATA paths, read once per settings file.

    Parameters
    ----------
    cwd_project : ProjectConfig
        The settings found from the working directory: what a path with no settings file
        above it gets (as ruff falls back to the working directory's configuration).
    fixed : bool
        Every path gets ``cwd_project`` (``--project-config``, ``--isolated``).
    """

    def __init__(self, cwd_project: ProjectConfig, *, fixed: bool = False) -> None:
        self.cwd_project = cwd_project
        self.fixed = fixed
        self._loaded: dict[Path, ProjectConfig] = {}

    def project_of(self, item: str | Path) -> ProjectConfig:
        """The settings file nearest above ``item`` (``-``: the working directory's)."""
        if str(item) == "-" or self.fixed:
            return self.cwd_project
        path = Path(item)
        found = find_project_file(path if path.is_dir() else path.resolve().parent)
        if found is None:
            return self.cwd_project
        if found not in self._loaded:
            self._loaded[found] = load_project_config(path=found)
        return self._loaded[found]

    def settings_of(self, item: str | Path) -> ProjectConfig:
        """:meth:`project_of` with the ``per-file`` tables matching ``item`` applied."""
        project = self.project_of(item)
        return project if str(item) == "-" else for_file(project, item)


def make_finder(project_config: str | None, isolated: bool) -> SettingsFinder:
    """The settings finder of a run: ``--isolated`` (defaults for every path),
    ``--project-config`` (that file for every path) or the search upwards from each path.

    Raises
    ------
    InputError
        When both are given.
    """
    from lstm_doctor.errors import InputError

    if project_config and isolated:
        raise InputError("give either --project-config or --isolated, not both")
    if isolated:
        return SettingsFinder(ProjectConfig(), fixed=True)
    if project_config:
        return SettingsFinder(load_project_config(path=project_config), fixed=True)
    return SettingsFinder(load_project_config())


__all__ = ["SettingsFinder", "for_file", "glob_match", "make_finder"]
