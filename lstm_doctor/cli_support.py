"""What the command line needs besides its option declarations (:mod:`lstm_doctor.cli`).

Settings (project file + flags -> :class:`~lstm_doctor.options.CheckOptions`), the output
plan (``--format``/``--output`` pairs), running the check over every input through one
path (:func:`check_data`), writing outputs, and console helpers. Nothing here decides the
exit code: :mod:`lstm_doctor.gate` does.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from lstm_doctor.errors import InputError
from lstm_doctor.gate import FAIL_ON_CHOICES

#: ``ctx.meta`` key of the data flags that are not function parameters.
DATA_FLAGS = "lstm_doctor.data_flags"
#: ``--fail-on`` of every command, and the ``--format`` choices of check/report/render.
FAIL_ON = click.Choice(list(FAIL_ON_CHOICES), case_sensitive=False)
FORMAT_CHOICE = click.Choice(["text", "concise", "json", "junit", "sarif", "github",
                              "markdown", "html"], case_sensitive=False)


def stderr():
    """A rich console on stderr (messages and progress; results go to stdout)."""
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def one_line(text: Any) -> str:
    """``text`` on one line (whitespace runs collapsed)."""
    return " ".join(str(text).split())


def escape(text: str) -> str:
    """Escape rich markup, so that messages like '[tool.lstm-doctor]' print as written."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def print_error(message: str) -> None:
    """``error: <message>`` on stderr, on one line."""
    stderr().print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)


# -- settings ----------------------------------------------------------------------------------

def resolve_settings(ctx: click.Context, project_config: str | None, isolated: bool, *,
                     data_path: str | None = None, **cli_values: Any):
    """Project file + command-line flags -> ``(project, settings)`` (flags win).

    With ``data_path`` (``report`` and ``fix``: their one DATA) the settings are the ones
    ``check`` uses for that file: the settings file nearest above it (else the working
    directory's) with its ``per-file`` tables applied; without it, the working directory's.
    """
    from click.core import ParameterSource

    from lstm_doctor.project import resolve
    from lstm_doctor.project_paths import make_finder

    finder = make_finder(project_config, isolated)
    project = finder.settings_of(data_path) if data_path else finder.cwd_project
    if ctx.get_parameter_source("fail_on") in (ParameterSource.DEFAULT, None):
        cli_values["fail-on"] = None
    flags = ctx.meta.get(DATA_FLAGS, {})
    cli_values.update({"no-time-col": flags.get("no_time_col"),
                       "time-format": flags.get("time_format"),
                       "calendar": flags.get("calendar")})
    return project, resolve(project, cli_values)


def run_settings(ctx: click.Context, project_config: str | None, isolated: bool, *,
                 target: str | None, time_col: str | None, features: str | None,
                 config_path: str | None, model_path: str | None, select: str | None,
                 ignore: str | None, fail_on: str | None):
    """``(validated CheckOptions, fail-on)`` of ``check``/``report``/``fix`` (flags win).

    The set-up is not loaded yet (``config``/``model`` are its paths): see
    :meth:`~lstm_doctor.options.CheckOptions.with_setup`.
    """
    from lstm_doctor.project import settings_options

    data = ctx.params.get("data")
    _, settings = resolve_settings(
        ctx, project_config, isolated, data_path=data if isinstance(data, str) else None,
        target=target, **{"time-col": time_col},
        features=features, config=config_path, model=model_path, select=select, ignore=ignore,
        **{"fail-on": fail_on})
    options = settings_options(settings)
    test_data = ctx.meta.get(DATA_FLAGS, {}).get("test_data")
    if test_data:
        data = ctx.params.get("data")
        if isinstance(data, tuple) and len(data) != 1:
            raise click.UsageError("--test-data is the holdout of one series; give one DATA "
                                   "file with it")
        options = options.replace(test_data=test_data)
    return options.validate(), settings["fail-on"].value


# -- outputs -----------------------------------------------------------------------------------

def plan_outputs(formats: tuple[str, ...],
                 outputs: tuple[str, ...]) -> list[tuple[str, str | None]]:
    """Pair ``--format`` and ``--output`` in order; unpaired formats go to stdout."""
    formats = tuple(f.lower() for f in formats) or ("text",)
    if len(outputs) > len(formats):
        raise click.UsageError(f"--output '{outputs[len(formats)]}' has no matching --format; "
                               "give one --format per --output, in the same order")
    pairs = [(fmt, outputs[i] if i < len(outputs) and outputs[i] != "-" else None)
             for i, fmt in enumerate(formats)]
    to_stdout = [fmt for fmt, out in pairs if out is None]
    if len(to_stdout) > 1:
        raise click.UsageError(f"formats {', '.join(to_stdout)} would all go to stdout; give "
                               "each but one an --output file (paired with --format in order)")
    paths = [out for _, out in pairs if out is not None]
    dupes = sorted({p for p in paths if paths.count(p) > 1})
    if dupes:
        raise click.UsageError(f"--output '{dupes[0]}' is given twice; use one file per format")
    from lstm_doctor.outputs import check_writable

    for path in paths:  # before any work: a read-only path fails now, not after training
        check_writable(path, what="--output")
    return pairs


def emit(results: list[dict], fmt: str, output: str | None, fail_on: str) -> None:
    """Render ``results`` in ``fmt`` to ``output`` (a file) or stdout."""
    from lstm_doctor.render import render

    if fmt == "text" and not output:
        from rich.console import Console

        from lstm_doctor.render.text import print_many

        print_many(results, Console(), fail_on=fail_on)
        return
    if fmt == "sarif":  # panel entries carry no facts: describe their rules (report_facts)
        from lstm_doctor.report_facts import with_rule_docs

        results = with_rule_docs(results)
    text = render(fmt, results, fail_on=fail_on)
    if output:
        from lstm_doctor.outputs import write_atomic

        write_atomic(output, text if text.endswith("\n") else text + "\n", what="--output")
        stderr().print(f"wrote {output}")
    elif text:
        click.echo(text.rstrip("\n"))


def refuse_to_overwrite(output: str, **inputs: str | None) -> None:
    """An ``-o`` file must not be one of the user's inputs (--in-place is the way)."""
    out = Path(output).resolve()
    for what, path in inputs.items():
        if not path or path == "-" or Path(path).resolve() != out:
            continue
        flag = {"data": "DATA", "test_data": "--test-data", "model": "--model"}.get(what)
        hint = ("pass --in-place to overwrite it, or choose another file" if what == "config"
                else "choose another file")
        raise InputError(f"-o '{output}' is your {flag or '--config'} file; {hint}")


# -- running the check -------------------------------------------------------------------------

def check_data(data: tuple[str, ...], options, *, id_col: str | None = None, jobs: int = 1,
               scheduler: str | None = None) -> list[dict]:
    """Check every series of the DATA arguments: one path for one file, many files, panels.

    Every input goes through :func:`lstm_doctor.panel.check_sources`. One plain file (no
    ``--id-col``, ``--jobs 1``, not a directory) raises its input error (exit 2 with one
    line); otherwise an input that cannot be checked is an error entry, reported on stderr,
    and the others are still checked.

    Returns
    -------
    list of dict
        One report dict or error entry per series, input by input.
    """
    from lstm_doctor.gate import is_error_result
    from lstm_doctor.panel import check_sources

    if jobs == 0:
        raise click.UsageError("--jobs 0 is not valid; give a number of worker processes, "
                               "or -1 for one per CPU")
    many = bool(id_col or scheduler or jobs != 1
                or any(item != "-" and Path(item).is_dir() for item in data))
    reported: set[str] = set()

    def report_error(message: str) -> None:
        reported.add(message)
        print_error(message)

    results = check_sources(list(data), options, id_col=id_col, jobs=jobs, client=scheduler,
                            progress=many, on_error=report_error,
                            strict=len(data) == 1 and not many)
    bad = [r for r in results if is_error_result(r)]
    if many:
        if bad and len(results) > 1:
            stderr().print(f"{len(bad)} of {len(results)} series could not be checked "
                           "(error entries in the report)", soft_wrap=True)
    else:  # several files: each one that could not be checked, as it happens
        for entry in bad:
            if entry["error"] not in reported:
                print_error(entry["error"])
    return results


__all__ = ["FAIL_ON", "FORMAT_CHOICE", "DATA_FLAGS", "check_data", "emit", "escape", "one_line",
           "plan_outputs", "print_error", "refuse_to_overwrite", "resolve_settings",
           "run_settings", "stderr"]
