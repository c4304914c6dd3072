"""The settings of each DATA path of ``lstm-doctor check`` (a part of the command line).

Each path gets the project settings found upwards from it (the nearest ``lstm-doctor.toml``
or ``pyproject.toml`` with ``[tool.lstm-doctor]``; none: the working directory's), its
``per-file`` tables, then the command-line flags, which win. Paths with the same resulting
settings are checked together, in one call of :func:`lstm_doctor.cli_support.check_data`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import click


@dataclass
class CheckGroup:
    """DATA paths checked with the same options."""

    items: list[str]
    options: Any  # validated CheckOptions, set-up not loaded yet
    fail_on: str
    #: ``{"config": path, "model": path}`` of the set-up (where set-up findings point).
    setup_files: dict[str, Any] = field(default_factory=dict)


def cli_values(ctx: click.Context, **given: Any) -> dict[str, Any]:
    """The command-line values keyed like :data:`lstm_doctor.project.KEYS` (None: not given).

    As :func:`lstm_doctor.cli_support.resolve_settings`: ``--fail-on`` counts only when
    typed, and the data flags kept in ``ctx.meta`` join in.
    """
    from click.core import ParameterSource

    from lstm_doctor.cli_support import DATA_FLAGS

    if ctx.get_parameter_source("fail_on") in (ParameterSource.DEFAULT, None):
        given["fail-on"] = None
    flags = ctx.meta.get(DATA_FLAGS, {})
    given.update({"no-time-col": flags.get("no_time_col"),
                  "time-format": flags.get("time_format"), "calendar": flags.get("calendar")})
    return given


def data_paths(data: tuple[str, ...], finder, *, pre_commit: bool
               ) -> tuple[tuple[str, ...], list[str]]:
    """The DATA paths to check and notes: as given; with ``--pre-commit`` what the changed
    files mean (:func:`lstm_doctor.precommit.files_to_check`); none given: the ``data``
    globs of the settings found from the working directory.
    """
    from lstm_doctor.precommit import files_to_check, project_data

    if pre_commit:
        files, notes = files_to_check(data, finder)
        return tuple(files), notes
    if data:
        return data, []
    files = project_data(finder.cwd_project)
    if not files:
        raise click.UsageError("give the DATA files to check, or name them with data = "
                               "[\"data/*.csv\"] in [tool.lstm-doctor] (pyproject.toml or "
                               "lstm-doctor.toml)")
    return tuple(files), []


def plan_groups(ctx: click.Context, data: tuple[str, ...], finder, values: dict[str, Any]
                ) -> tuple[list[CheckGroup], str]:
    """Group the DATA paths by their effective settings.

    Returns
    -------
    groups : list of CheckGroup
        In the order of their first path.
    fail_on : str
        ``--fail-on``, else the strictest ``fail-on`` of the groups (one gate per run).
    """
    from lstm_doctor.cli_support import DATA_FLAGS
    from lstm_doctor.gate import fail_threshold
    from lstm_doctor.project import resolve, settings_options

    test_data = ctx.meta.get(DATA_FLAGS, {}).get("test_data")
    if test_data and len(data) != 1:
        raise click.UsageError("--test-data is the holdout of one series; give one DATA file "
                               "with it")
    groups: dict[Any, CheckGroup] = {}
    for item in data:
        project = finder.settings_of(item)
        settings = resolve(project, values)
        key = tuple(sorted((k, repr(s.value)) for k, s in settings.items()))
        if key in groups:
            groups[key].items.append(item)
            continue
        options = settings_options(settings)
        if test_data:
            options = options.replace(test_data=test_data)
        groups[key] = CheckGroup([item], options.validate(), settings["fail-on"].value,
                                 {"config": options.config, "model": options.model})
    out = list(groups.values())
    fail_on = min((g.fail_on for g in out), key=fail_threshold)
    return out, fail_on


__all__ = ["CheckGroup", "cli_values", "data_paths", "plan_groups"]
