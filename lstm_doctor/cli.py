"""The command line: parse -> API call -> render -> exit code.

Exit codes: 0 no finding at or above ``--fail-on``; 1 findings at or above it;
2 usage or input error (one line on stderr, no traceback).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from lstm_doctor.errors import InputError

FAIL_ON = click.Choice(["error", "warning", "info", "never"], case_sensitive=False)


def _stderr():
    from rich.console import Console

    return Console(stderr=True, highlight=False)


_DATA_FLAGS = "lstm_doctor.data_flags"


def _data_flag(ctx: click.Context, param: click.Parameter, value):
    """Keep a data-reading flag in ``ctx.meta`` (read by :func:`_resolve_settings`)."""
    if value not in (None, False):
        ctx.meta.setdefault(_DATA_FLAGS, {})[param.name] = value
    return value


def data_options(func):
    """Options shared by ``check`` and ``report``."""
    options = [
        click.option("--target", help="Column to forecast (default: the only numeric one)."),
        click.option("--time-col", help="Time column (default: auto-detected)."),
        click.option("--no-time-col", is_flag=True, expose_value=False, callback=_data_flag,
                     help="No time column: the rows are an ordinal index (a time-like column "
                          "is not taken as the target either)."),
        click.option("--time-format", expose_value=False, callback=_data_flag,
                     help="strftime format of the time stamps, e.g. '%d.%m.%Y %H:%M:%S' "
                          "(default: inferred; day-first only when a day is above 12)."),
        click.option("--calendar", expose_value=False, callback=_data_flag,
                     help="Grid of daily stamps: auto (default), none (24h/7d), business, or "
                          "an exchange code such as XNYS, XLON (needs lstm-doctor[calendars])."),
        click.option("--test-data", type=click.Path(dir_okay=False), expose_value=False,
                     callback=_data_flag,
                     help="Holdout file with the same columns as DATA: the series is DATA then "
                          "this file, and the test split is exactly its rows."),
        click.option("--features", help="Extra input columns, comma-separated."),
        click.option("--config", "config_path", type=click.Path(dir_okay=True),
                     help="LSTM set-up: YAML, TOML or JSON file."),
        click.option("--model", "model_path", type=click.Path(dir_okay=True),
                     help="LSTM set-up read from a saved .keras model."),
        click.option("--select", help="Only these rules: codes, prefixes (LD2), names."),
        click.option("--ignore", help="Skip these rules: codes, prefixes, names."),
        click.option("--fail-on", default="error", type=FAIL_ON, show_default=True,
                     help="Exit 1 when a finding is at or above this severity."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _config_source(config_path, model_path) -> tuple[str | None, str | None] | None:
    """``(config, model)`` paths, or ``None`` when neither is given.

    Both may be given: the model's architecture and compile settings combine with the
    config's preprocessing, window, training loop and split.
    """
    if not config_path and not model_path:
        return None
    if config_path and str(config_path).lower().endswith(".keras") and not model_path:
        return None, config_path  # a saved model passed with --config
    return config_path or None, model_path or None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="lstm-doctor", prog_name="lstm-doctor")
def cli() -> None:
    """lstm-doctor: why does my LSTM forecast so badly? Diagnose, prove, fix."""


FORMAT_CHOICE = click.Choice(["text", "json", "junit", "sarif", "github", "markdown"],
                             case_sensitive=False)
REPORT_FORMAT_CHOICE = click.Choice(["text", "json", "junit", "sarif", "github", "markdown",
                                     "html"], case_sensitive=False)


def project_options(func):
    """Options of the commands that read the project configuration (``check``, ``config``)."""
    options = [
        click.option("--project-config", "project_config", type=click.Path(dir_okay=False),
                     help="Read settings from this lstm-doctor.toml or pyproject.toml instead "
                          "of searching upwards from the working directory."),
        click.option("--isolated", is_flag=True,
                     help="Ignore project configuration files (flags and defaults only)."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _resolve_settings(ctx: click.Context, project_config: str | None, isolated: bool,
                      **cli_values):
    """Project file + command-line flags -> ``(project, settings)`` (flags win)."""
    from click.core import ParameterSource

    from lstm_doctor.project import ProjectConfig, load_project_config, resolve

    if project_config and isolated:
        raise InputError("give either --project-config or --isolated, not both")
    project = ProjectConfig() if isolated else load_project_config(path=project_config)
    if ctx.get_parameter_source("fail_on") in (ParameterSource.DEFAULT, None):
        cli_values["fail-on"] = None
    flags = ctx.meta.get(_DATA_FLAGS, {})
    cli_values.update({"no-time-col": flags.get("no_time_col"),
                       "time-format": flags.get("time_format"),
                       "calendar": flags.get("calendar")})
    return project, resolve(project, cli_values)


def _run_settings(ctx: click.Context, project_config: str | None, isolated: bool, *,
                  target, time_col, features, config_path, model_path, select, ignore,
                  fail_on) -> tuple[dict, str, str | None]:
    """``(check kwargs, fail-on, set-up source)`` for ``check``/``report`` (flags win)."""
    from lstm_doctor.project import settings_kwargs

    _, settings = _resolve_settings(
        ctx, project_config, isolated, target=target, **{"time-col": time_col},
        features=features, config=config_path, model=model_path, select=select, ignore=ignore,
        **{"fail-on": fail_on})
    source = _config_source(settings["config"].value, settings["model"].value)
    kwargs = settings_kwargs(settings)
    _data_settings(ctx, kwargs)
    return kwargs, settings["fail-on"].value, source


def _data_settings(ctx: click.Context, kwargs: dict) -> None:
    """Validate the time format and calendar once, and add ``--test-data``."""
    from lstm_doctor.data import validate_calendar, validate_time_format

    if kwargs.get("time_format"):
        validate_time_format(kwargs["time_format"])
    validate_calendar(kwargs.get("calendar"))
    test_data = ctx.meta.get(_DATA_FLAGS, {}).get("test_data")
    if test_data:
        data = ctx.params.get("data")
        if isinstance(data, tuple) and len(data) != 1:
            raise click.UsageError("--test-data is the holdout of one series; give one DATA "
                                   "file with it")
        kwargs["test_data"] = test_data


def _plan_outputs(formats: tuple[str, ...],
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
    return pairs


def _file_error(item: str, exc: Exception) -> str:
    """The one-line error of a file that could not be checked (always naming the file)."""
    msg = _one_line(exc)
    label = "<stdin>" if item == "-" else item
    return msg if label in msg else f"'{label}': {msg}"


@cli.command()
@click.argument("data", nargs=-1, required=True)
@data_options
@click.option("--format", "formats", multiple=True, type=FORMAT_CHOICE,
              help="Output format: text (default), json, junit, sarif, github, markdown. "
                   "Repeat for several outputs in one run.")
@click.option("--output", "outputs", multiple=True, type=click.Path(dir_okay=False),
              help="File for the --format at the same position; a format without one goes "
                   "to stdout (at most one may).")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False),
              help="Fail only on findings that are new or more severe than in this baseline.")
@click.option("--write-baseline", "write_baseline_path", type=click.Path(dir_okay=False),
              help="Record today's findings in this baseline file (exit 0 unless a file "
                   "could not be checked).")
@click.option("--id-col", "id_col",
              help="Long-format data with many series: the column naming each series. Every "
                   "series is checked and reported (a series that cannot be checked is an "
                   "error entry; the others still are).")
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(min=-1),
              help="Check the series (or files) in N worker processes; -1 = one per CPU.")
@click.option("--scheduler",
              help="Check the series on a Dask cluster: its scheduler address "
                   "(tcp://host:8786). Needs lstm-doctor[dask] on the workers.")
@project_options
@click.pass_context
def check(ctx, data, target, time_col, features, config_path, model_path, select, ignore, fail_on,
          formats, outputs, baseline_path, write_baseline_path, id_col, jobs, scheduler,
          project_config, isolated):
    """Run the diagnostic rules on DATA files (CSV/Parquet/JSON lines, or - for stdin).

    Several files are checked one by one; the exit code is the worst: 0 nothing at or above
    --fail-on, 1 findings at or above it, 2 a usage or input error (the other files are
    still checked and reported). A DATA directory holds one series per file; with --id-col
    each file is a panel of series. Series run in parallel with --jobs N (or on a Dask
    cluster with --scheduler). Settings come from [tool.lstm-doctor] in pyproject.toml or
    a lstm-doctor.toml (see 'lstm-doctor config'); flags override them.
    Never trains and never imports TensorFlow; fast enough for a CI gate.
    """
    _one_blas_thread()
    from lstm_doctor.api import _instantiate
    from lstm_doctor.api import check as api_check
    from lstm_doctor.config import load_setup
    from lstm_doctor.findings import fail_threshold

    pairs = _plan_outputs(formats, outputs)
    if data.count("-") > 1:
        raise click.UsageError("'-' (stdin) can be given only once")
    kwargs, fail_on, source = _run_settings(
        ctx, project_config, isolated, target=target, time_col=time_col, features=features,
        config_path=config_path, model_path=model_path, select=select, ignore=ignore,
        fail_on=fail_on)
    lstm_config = load_setup(*source) if source else None  # validated once, for every file
    _instantiate(kwargs["select"], kwargs["ignore"], kwargs["thresholds"], kwargs["severities"])
    baseline = None
    if baseline_path:
        from lstm_doctor.baseline import load_baseline

        baseline = load_baseline(baseline_path)

    results: list[dict] = []
    many = _many_series(data, id_col, jobs, scheduler)
    if many:
        results = _check_many(data, id_col, jobs, scheduler, lstm_config, kwargs)
    for item in () if many else data:
        try:
            report = api_check(item, config=lstm_config, **kwargs)
        except InputError as exc:
            if len(data) == 1:
                raise
            message = _file_error(item, exc)
            _stderr().print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)
            results.append({"source": "<stdin>" if item == "-" else item, "error": message})
            continue
        results.append(report.to_dict())

    if baseline is not None:
        from lstm_doctor.baseline import apply_baseline

        totals = apply_baseline(results, baseline, baseline_path)
        if totals["unchanged"] or totals["absent"]:
            _stderr().print(f"baseline {baseline_path}: {totals['unchanged']} known finding(s) "
                            f"ignored, {totals['new']} new, {totals['worsened']} worse, "
                            f"{totals['absent']} fixed", soft_wrap=True)
    for fmt, output in pairs:
        _emit(results, fmt, output, fail_on)
    if write_baseline_path:
        from lstm_doctor.baseline import write_baseline

        n = write_baseline(results, write_baseline_path)
        _stderr().print(f"wrote baseline {write_baseline_path} ({n} finding(s))")
    sys.exit(_exit_code(results, fail_threshold(fail_on), bool(write_baseline_path)))


def _one_blas_thread() -> None:
    """Run BLAS on one thread in ``check`` (unless the user chose otherwise).

    The checks only do small linear algebra; on a busy 2-CPU CI runner OpenBLAS's worker
    threads spin against other processes and made the unit-root tests up to 6x slower.
    Effective only before numpy is first imported (always the case for the CLI).
    """
    if "numpy" in sys.modules:
        return
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")


def _many_series(data: tuple[str, ...], id_col: str | None, jobs: int,
                 scheduler: str | None) -> bool:
    """Whether ``check`` runs the panel engine (series split, parallel, or a directory)."""
    return bool(id_col or scheduler or jobs != 1
                or any(item != "-" and Path(item).is_dir() for item in data))


def _check_many(data: tuple[str, ...], id_col: str | None, jobs: int, scheduler: str | None,
                lstm_config, kwargs: dict) -> list[dict]:
    """Check every series of DATA with :func:`lstm_doctor.panel.check_sources`."""
    from lstm_doctor.panel import check_sources

    if jobs == 0:
        raise click.UsageError("--jobs 0 is not valid; give a number of worker processes, "
                               "or -1 for one per CPU")

    def report_error(message: str) -> None:
        _stderr().print(f"[bold red]error:[/] {escape(message)}", soft_wrap=True)

    results = check_sources(list(data), dict(kwargs, config=lstm_config), id_col=id_col,
                            jobs=jobs, client=scheduler, progress=True, on_error=report_error)
    bad = [r for r in results if "findings" not in r]
    if bad and len(results) > 1:
        _stderr().print(f"{len(bad)} of {len(results)} series could not be checked "
                        "(error entries in the report)", soft_wrap=True)
    return results


def _exit_code(results: list[dict], threshold: int, wrote_baseline: bool) -> int:
    from lstm_doctor.baseline import failing, is_error_result

    if any(is_error_result(r) for r in results):
        return 2
    if wrote_baseline:
        return 0
    bad = any(failing(f, threshold) for r in results for f in r["findings"])
    return 1 if bad else 0


def _emit(results: list[dict], fmt: str, output: str | None, fail_on: str) -> None:
    from lstm_doctor.render import render

    if fmt == "text" and not output:
        from rich.console import Console

        from lstm_doctor.render.text import print_many

        print_many(results, Console(), fail_on=fail_on)
        return
    text = render(fmt, results, fail_on=fail_on)
    if output:
        try:
            Path(output).write_text(text if text.endswith("\n") else text + "\n",
                                    encoding="utf-8")
        except OSError as exc:
            raise InputError(f"--output '{output}' cannot be written ({exc.strerror}); check "
                             "the directory exists and is writable") from None
        _stderr().print(f"wrote {output}")
    elif text:
        click.echo(text.rstrip("\n"))


@cli.command("config")
@data_options
@project_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@click.option("--all", "show_all", is_flag=True,
              help="Also list every rule with its effective severity and thresholds.")
@click.pass_context
def config_cmd(ctx, target, time_col, features, config_path, model_path, select, ignore,
               fail_on, project_config, isolated, fmt, show_all):
    """Show the resolved settings of 'check' and where each value came from.

    Reads the same project file and accepts the same flags as 'check'; validates them (and
    the LSTM set-up file) without reading any data.
    """
    import json

    from lstm_doctor.api import _instantiate
    from lstm_doctor.config import load_setup
    from lstm_doctor.project import settings_kwargs

    project, settings = _resolve_settings(
        ctx, project_config, isolated, target=target, **{"time-col": time_col},
        features=features, config=config_path, model=model_path, select=select, ignore=ignore,
        **{"fail-on": fail_on})
    kwargs = settings_kwargs(settings)
    source = _config_source(settings["config"].value, settings["model"].value)
    if source:
        load_setup(*source)
    rules = _instantiate(kwargs["select"], kwargs["ignore"], kwargs["thresholds"],
                         kwargs["severities"])
    where = str(project.path) if project.path else None
    rule_rows = []
    for rule in rules:
        sev = rule.severity_override or rule.severity
        rule_rows.append({
            "code": rule.code, "name": rule.name,
            "severity": sev.value,
            "severity_source": (project.label if rule.code in project.severities
                                else "default"),
            "thresholds": {k: {"value": v,
                               "source": (project.label
                                          if k in project.thresholds.get(rule.code, {})
                                          else "default")}
                           for k, v in rule.options.items()},
        })
    if fmt == "json":
        doc = {"project_file": where, "isolated": bool(isolated),
               "settings": {k: {"value": s.value, "source": s.source}
                            for k, s in settings.items()},
               "rules_selected": [r.code for r in rules]}
        if show_all:
            doc["rules"] = rule_rows
        click.echo(json.dumps(doc, indent=2))
        return
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console()
    if isolated:
        console.print("project file: ignored (--isolated)")
    elif where:
        console.print(f"project file: [bold]{escape(project.label)}[/]")
    else:
        console.print(f"project file: none found (searched upwards from {Path.cwd()} for "
                      "lstm-doctor.toml or pyproject.toml with [tool.lstm-doctor])")
    table = Table(show_lines=False)
    for col in ("Setting", "Value", "Source"):
        table.add_column(col, overflow="fold")
    for key, s in settings.items():
        value = "(all rules)" if key == "select" and s.value is None else (
            "-" if s.value is None else ", ".join(s.value) if isinstance(s.value, list)
            else str(s.value))
        table.add_row(Text(key), Text(value), Text(s.source))
    console.print(table)
    console.print(f"{len(rules)} rule(s) selected: {', '.join(r.code for r in rules)}",
                  soft_wrap=True)
    if show_all:
        rt = Table(show_lines=False)
        for col in ("Code", "Name", "Severity", "Thresholds"):
            rt.add_column(col, overflow="fold")
        for row in rule_rows:
            sev = row["severity"] + ("" if row["severity_source"] == "default" else " *")
            th = ", ".join(f"{k}={t['value']!r}" + ("" if t["source"] == "default" else " *")
                           for k, t in row["thresholds"].items())
            rt.add_row(row["code"], row["name"], sev, Text(th or "-"))
        console.print(rt)
        console.print("* set in the project file")


@cli.command()
@click.argument("data")
@data_options
@click.option("--seeds", default=3, show_default=True, type=click.IntRange(1, 50),
              help="Seeds per LSTM.")
@click.option("--epochs", type=click.IntRange(1, 100000), help="Override the set-up's epochs.")
@click.option("--max-seconds", type=click.FloatRange(min=1), help="Wall-clock training budget.")
@click.option("--ablation", is_flag=True, help="Measure each remedy's share of the gain.")
@click.option("--no-screen", is_flag=True,
              help="Keep every remedy without screening it on an inner validation split "
                   "(faster; by default a remedy that makes that error worse is dropped).")
@click.option("--no-train", is_flag=True, help="Findings only; do not train.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write JSON here.")
@click.option("--format", "formats", multiple=True, type=REPORT_FORMAT_CHOICE,
              help="Output format (repeatable, paired in order with --output): text, json, "
                   "junit, sarif, github, markdown, html. Without --format, text goes to "
                   "stdout and --output is the HTML report.")
@click.option("--output", "outputs", multiple=True, type=click.Path(dir_okay=False),
              help="Write the HTML report here (or the output of the --format at the same "
                   "position).")
@project_options
@click.pass_context
def report(ctx, data, target, time_col, features, config_path, model_path, select, ignore,
           fail_on, seeds, epochs, max_seconds, ablation, no_screen, no_train, json_path, formats,
           outputs, project_config, isolated):
    """Check DATA, then train the baseline and remediated LSTMs against reference models.

    Exit codes as for 'check' (findings include the training symptoms LD7xx). Settings
    come from [tool.lstm-doctor] like 'check'; flags override them.
    """
    from lstm_doctor.api import report as api_report

    if not formats:
        if len(outputs) > 1:
            raise click.UsageError("without --format, --output names the one HTML report; "
                                   "pair several outputs with --format")
        pairs = [("text", None)] + [("html", out) for out in outputs]
    else:
        pairs = _plan_outputs(formats, outputs)
    kwargs, fail_on, source = _run_settings(
        ctx, project_config, isolated, target=target, time_col=time_col, features=features,
        config_path=config_path, model_path=model_path, select=select, ignore=ignore,
        fail_on=fail_on)
    from lstm_doctor.config import load_setup

    setup = load_setup(*source) if source else None
    result = api_report(data, config=setup, seeds=seeds, epochs=epochs,
                        max_seconds=max_seconds, ablation=ablation, train=not no_train,
                        progress=True, screen=not no_screen, **kwargs)
    result.meta["command"] = "lstm-doctor " + " ".join(sys.argv[1:])
    if json_path:
        Path(json_path).write_text(result.to_json() + "\n", encoding="utf-8")
        _stderr().print(f"wrote {json_path}")
    as_dict = result.to_dict()
    for fmt, output in pairs:
        if fmt == "html":
            if not output:
                raise click.UsageError("--format html needs an --output file")
            result.to_html(output)
            _stderr().print(f"wrote {output}")
        elif fmt == "text" and not output:
            from rich.console import Console

            from lstm_doctor.render.comparison import print_comparison
            from lstm_doctor.render.text import print_report

            console = Console()
            print_report(as_dict, console, fail_on=fail_on)
            print_comparison(as_dict.get("comparison"), console)
        else:
            _emit([as_dict], fmt, output, fail_on)
    sys.exit(result.exit_code(fail_on))


def _without_option(name: str):
    """Drop an option a shared decorator added (``fix`` has no ``--fail-on``)."""
    def decorate(func):
        func.__click_params__ = [p for p in getattr(func, "__click_params__", [])
                                 if p.name != name]
        return func
    return decorate


@cli.command("fix")
@click.argument("data")
@_without_option("fail_on")
@data_options
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write the fixed set-up (YAML) to this file (atomically); '-' or none: "
                   "stdout.")
@click.option("--diff", "show_diff", is_flag=True,
              help="Print a unified diff of your config vs the fixed one instead of the "
                   "fixed YAML (changed lines name their rules).")
@click.option("--in-place", is_flag=True,
              help="Overwrite the --config file with the fixed set-up (YAML files only; "
                   "its layout and comments are kept).")
@project_options
@click.pass_context
def fix_cmd(ctx, data, target, time_col, features, config_path, model_path, select, ignore,
            output, show_diff, in_place, project_config, isolated):
    """Write the remediated LSTM set-up for DATA, without training (like 'ruff --fix').

    Runs the check, composes the findings' remedies and writes the set-up in the config
    schema: each change labelled with the rules that asked for it, the remedies a conflict
    dropped (and which won), the findings no set-up change fixes. The fixed YAML goes to
    stdout, or to -o FILE; your config file is overwritten only with --in-place. Exit
    codes: 0 written (also when there is nothing to fix), 2 usage or input error.
    """
    from lstm_doctor.fix import fix as api_fix
    from lstm_doctor.fix import write_atomic

    if output and in_place:
        raise click.UsageError("give either -o/--output or --in-place, not both")
    kwargs, _, source = _run_settings(
        ctx, project_config, isolated, target=target, time_col=time_col, features=features,
        config_path=config_path, model_path=model_path, select=select, ignore=ignore,
        fail_on=None)
    if source is None:
        raise InputError("fix needs the LSTM set-up to fix: give --config setup.yaml and/or "
                         "--model model.keras")
    config_file, model_file = source
    if in_place and not config_file:
        raise InputError("--in-place overwrites the --config file and none was given; write "
                         "the fixed set-up with -o fixed.yaml")
    if in_place and Path(config_file).suffix.lower() not in (".yaml", ".yml"):
        raise InputError(f"--in-place rewrites YAML config files and '{config_file}' is not "
                         "one; write the fixed set-up with -o fixed.yaml")
    output = None if output == "-" else output
    if output:
        _refuse_to_overwrite(output, data=data, config=config_file, model=model_file,
                             test_data=kwargs.get("test_data"))
    result = api_fix(data, config=config_file, model=model_file, **kwargs)
    written = config_file if in_place else output
    if written and (result.changes or not in_place):
        write_atomic(written, result.yaml, what="--in-place" if in_place else "--output")
    if show_diff:
        text = result.diff(fromfile=config_file or f"{model_file} (read as a set-up)",
                           tofile=written or "fixed.yaml")
        if text:
            click.echo(text, nl=False)
    elif not written:
        click.echo(result.yaml, nl=False)
    err = _stderr()
    if not result.changes:
        err.print("nothing to fix", soft_wrap=True)
    else:
        codes = sorted({c for *_, rules in result.changes for c in rules})
        err.print(f"fixed {len(result.changes)} setting(s) for {', '.join(codes)}",
                  soft_wrap=True)
    for d in result.dropped:
        err.print(escape(f"not applied: {d['describe']} [{d['source']}]: {d['reason']}"),
                  soft_wrap=True)
    if result.unfixable:
        err.print(escape("still reported (no set-up change fixes these): "
                         + ", ".join(f"{u['code']} {u['severity']}"
                                     for u in result.unfixable)), soft_wrap=True)
    if written and (result.changes or not in_place):
        err.print(f"wrote {escape(str(written))}", soft_wrap=True)
    sys.exit(0)


def _refuse_to_overwrite(output: str, **inputs: str | None) -> None:
    """An ``-o`` file must not be one of the user's inputs (--in-place is the way)."""
    out = Path(output).resolve()
    for what, path in inputs.items():
        if not path or path == "-" or Path(path).resolve() != out:
            continue
        flag = {"data": "DATA", "test_data": "--test-data", "model": "--model"}.get(what)
        hint = ("pass --in-place to overwrite it, or choose another file" if what == "config"
                else "choose another file")
        raise InputError(f"-o '{output}' is your {flag or '--config'} file; {hint}")


@cli.command("rules")
def rules_cmd():
    """List every rule: code, name, severity, summary."""
    from rich.console import Console
    from rich.table import Table

    from lstm_doctor.api import list_rules

    table = Table(expand=True)
    for col in ("Code", "Name", "Severity", "Summary"):
        table.add_column(col, no_wrap=col != "Summary")
    for r in list_rules():
        table.add_row(r["code"], r["name"], r["severity"], r["summary"])
    Console().print(table)


@cli.command()
@click.argument("code")
def explain(code):
    """Show the documentation of one rule (code like LD201, or its name)."""
    from lstm_doctor.api import explain as api_explain

    click.echo(api_explain(code))


@cli.command()
@click.option("--output", default="report.html", show_default=True,
              type=click.Path(dir_okay=False), help="Where to write the report.")
@click.option("--seeds", default=3, show_default=True, type=click.IntRange(1, 50))
@click.option("--epochs", type=click.IntRange(1, 100000), help="Override the demo's epochs.")
@click.option("--no-train", is_flag=True, help="Findings only; do not train.")
def demo(output, seeds, epochs, no_train):
    """Diagnose the bundled example (a real series with a typical failing set-up)."""
    from lstm_doctor.demo import run_demo

    run_demo(output=output, seeds=seeds, epochs=epochs, train=not no_train, summary=True)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def escape(text: str) -> str:
    """Escape rich markup, so that messages like '[tool.lstm-doctor]' print as written."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: maps errors to exit code 2 without tracebacks."""
    try:
        cli.main(args=argv, prog_name="lstm-doctor", standalone_mode=False)
    except InputError as exc:
        _stderr().print(f"[bold red]error:[/] {escape(_one_line(exc))}", soft_wrap=True)
        sys.exit(2)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        _stderr().print("aborted")
        sys.exit(2)
    except click.ClickException as exc:
        hint = ""
        ctx = getattr(exc, "ctx", None)
        if ctx is not None:
            hint = f" (see '{ctx.command_path} --help')"
        _stderr().print(f"[bold red]error:[/] {escape(_one_line(exc.format_message()))}{hint}",
                        soft_wrap=True)
        sys.exit(2)
    except (KeyboardInterrupt, BrokenPipeError):
        sys.exit(2)
    except Exception as exc:  # never show a traceback to a user
        if os.environ.get("LSTM_DOCTOR_DEBUG"):
            raise
        _stderr().print(f"[bold red]error:[/] unexpected {type(exc).__name__}: "
                        f"{escape(_one_line(exc))} (set LSTM_DOCTOR_DEBUG=1 for the traceback and "
                        "please report it)", soft_wrap=True)
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    main()


__all__ = ["cli", "main"]
