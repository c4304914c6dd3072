"""The command line: parse -> API call -> render -> exit code.

Exit codes: 0 no finding at or above ``--fail-on``; 1 findings at or above it;
2 usage or input error (one line on stderr, no traceback).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from lstm_doctor.cli_info import explain_cmd, render_cmd, rules_cmd, schema_cmd
from lstm_doctor.cli_scan import scan_cmd
from lstm_doctor.cli_support import DATA_FLAGS as _DATA_FLAGS
from lstm_doctor.cli_support import FAIL_ON, FORMAT_CHOICE, escape
from lstm_doctor.cli_support import emit as _emit
from lstm_doctor.cli_support import one_line as _one_line
from lstm_doctor.cli_support import plan_outputs as _plan_outputs
from lstm_doctor.cli_support import refuse_to_overwrite as _refuse_to_overwrite
from lstm_doctor.cli_support import run_settings as _run_settings
from lstm_doctor.cli_support import stderr as _stderr
from lstm_doctor.errors import InputError


def _data_flag(ctx: click.Context, param: click.Parameter, value):
    """Keep a data-reading flag in ``ctx.meta`` (read by ``cli_support.resolve_settings``)."""
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="lstm-doctor", prog_name="lstm-doctor")
def cli() -> None:
    """lstm-doctor: why does my LSTM forecast so badly? Diagnose, prove, fix."""




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


@cli.command()
@click.argument("data", nargs=-1)
@data_options
@click.option("--format", "formats", multiple=True, type=FORMAT_CHOICE,
              help="Output format: text (default), concise (one line per finding: "
                   "path:line:col: CODE severity ... — fix: ...), json, junit, sarif, github, "
                   "markdown, html (one file). Repeat for several outputs in one run.")
@click.option("-q", "--quiet", is_flag=True,
              help="Print only the findings that fail the gate, one line each (nothing when "
                   "the run passes); no messages about written files.")
@click.option("--statistics", is_flag=True,
              help="Print the number of findings per rule code instead of the findings.")
@click.option("--extend-ignore", "extend_ignore",
              help="Skip these rules too (added to --ignore and the project's ignore).")
@click.option("--pre-commit", "pre_commit", is_flag=True,
              help="DATA are a commit's changed files: data files are checked; a changed "
                   "settings or set-up file (.yaml/.toml/.keras, the project's config) "
                   "checks the files named by data = [...] in its settings instead.")
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
          formats, quiet, statistics, extend_ignore, pre_commit, outputs, baseline_path,
          write_baseline_path, id_col, jobs, scheduler, project_config, isolated):
    """Run the diagnostic rules on DATA files (CSV/Parquet/JSON lines, or - for stdin).

    Without DATA, the files named by data = [...] in the project settings are checked.

    Several files are checked one by one; the exit code is the worst: 0 nothing at or above
    --fail-on, 1 findings at or above it, 2 a usage or input error (the other files are
    still checked and reported). A DATA directory holds one series per file; with --id-col
    each file is a panel of series. Series run in parallel with --jobs N (or on a Dask
    cluster with --scheduler). Settings come from [tool.lstm-doctor] in pyproject.toml or
    a lstm-doctor.toml, the nearest one above each DATA path (else the working
    directory's), with its per-file tables (see 'lstm-doctor config'); flags override them.
    Never trains and never imports TensorFlow; fast enough for a CI gate.
    """
    from lstm_doctor.cli_output import limited_threads

    # BLAS on one thread for this command only (not for the API)
    with limited_threads(in_process=jobs == 1 and not scheduler):
        _check(ctx, data, formats, quiet, statistics, pre_commit, outputs, baseline_path,
               write_baseline_path, id_col, jobs, scheduler, project_config, isolated,
               {"target": target, "time-col": time_col, "features": features,
                "config": config_path, "model": model_path, "select": select,
                "ignore": ignore, "fail-on": fail_on, "extend-ignore": extend_ignore})


def _check(ctx, data, formats, quiet, statistics, pre_commit, outputs, baseline_path,
           write_baseline_path, id_col, jobs, scheduler, project_config, isolated, flags):
    from lstm_doctor import gate
    from lstm_doctor.cli_output import emit_check
    from lstm_doctor.cli_settings import cli_values, data_paths, plan_groups
    from lstm_doctor.cli_support import check_data, print_error
    from lstm_doctor.locations import locate
    from lstm_doctor.project_paths import make_finder

    pairs = _plan_outputs(formats, outputs)
    if data.count("-") > 1:
        raise click.UsageError("'-' (stdin) can be given only once")
    finder = make_finder(project_config, isolated)
    data, notes = data_paths(data, finder, pre_commit=pre_commit)
    for note in notes:
        _stderr().print(f"note: {escape(note)}", soft_wrap=True)
    if not data:  # a pre-commit run whose changed files name nothing to check
        sys.exit(gate.EXIT_PASS)
    groups, fail_on = plan_groups(ctx, data, finder, cli_values(ctx, **flags))
    baseline = None
    if baseline_path:
        from lstm_doctor.baseline import load_baseline

        baseline = load_baseline(baseline_path)
    results: list[dict] = []
    for group in groups:  # paths with the same settings (the project file above each)
        options = group.options.with_setup()  # the set-up validated once per group
        try:
            found = check_data(tuple(group.items), options, id_col=id_col, jobs=jobs,
                               scheduler=scheduler)
        except InputError as exc:
            if len(groups) == 1:
                raise
            print_error(_one_line(exc))  # the other paths are still checked
            found = [{"source": group.items[0], "error": _one_line(exc)}]
        results += locate(found, **group.setup_files)  # file:line of each finding

    if baseline is not None:
        from lstm_doctor.baseline import apply_baseline

        totals = apply_baseline(results, baseline, baseline_path)
        if (totals["unchanged"] or totals["absent"]) and not quiet:
            _stderr().print(f"baseline {baseline_path}: {totals['unchanged']} known finding(s) "
                            f"ignored, {totals['new']} new, {totals['worsened']} worse, "
                            f"{totals['absent']} fixed", soft_wrap=True)
    emit_check(results, pairs, fail_on, quiet=quiet, statistics=statistics)
    if write_baseline_path:
        from lstm_doctor.baseline import write_baseline

        n = write_baseline(results, write_baseline_path)
        if not quiet:
            _stderr().print(f"wrote baseline {write_baseline_path} ({n} finding(s))")
    sys.exit(gate.exit_code(results, fail_on, record_only=bool(write_baseline_path)))


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

    from lstm_doctor.cli_support import resolve_settings
    from lstm_doctor.project import settings_options

    project, settings = resolve_settings(
        ctx, project_config, isolated, target=target, **{"time-col": time_col},
        features=features, config=config_path, model=model_path, select=select, ignore=ignore,
        **{"fail-on": fail_on})
    options = settings_options(settings)
    options.setup()  # validate the set-up file
    rules = options.validate().rules()
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
@click.option("--format", "formats", multiple=True, type=FORMAT_CHOICE,
              help="Output format (repeatable, paired in order with --output): text, json, "
                   "junit, sarif, github, markdown, html. Without --format, text goes to "
                   "stdout and --output is the HTML report.")
@click.option("--output", "outputs", multiple=True, type=click.Path(dir_okay=False),
              help="Write the HTML report here (or the output of the --format at the same "
                   "position).")
@click.option("--id-col", "id_col", help="Long-format DATA with many series: the column naming "
              "each series. Every series is reported; one combined report.")
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(min=-1),
              help="Train the series in N worker processes; -1 = one per CPU.")
@click.option("--scheduler", help="Train the series on a Dask cluster: its scheduler address "
              "(tcp://host:8786). Needs lstm-doctor[dask] and TensorFlow on the workers.")
@project_options
@click.pass_context
def report(ctx, data, target, time_col, features, config_path, model_path, select, ignore,
           fail_on, seeds, epochs, max_seconds, ablation, no_screen, no_train, json_path, formats,
           outputs, id_col, jobs, scheduler, project_config, isolated):
    """Check DATA, then train the baseline and remediated LSTMs against reference models.

    Exit codes as for 'check' (findings include the training symptoms LD7xx). Settings
    come from [tool.lstm-doctor] like 'check'; flags override them. A DATA directory (one
    series per file) or --id-col makes a fleet: every series is trained (--jobs N in
    parallel, --scheduler on Dask) and --output is one combined HTML report.
    """
    from lstm_doctor.api import report as api_report

    if not formats:
        if len(outputs) > 1:
            raise click.UsageError("without --format, --output names the one HTML report; "
                                   "pair several outputs with --format")
        pairs = [("text", None)] + [("html", out) for out in outputs]
    else:
        pairs = _plan_outputs(formats, outputs)
    from lstm_doctor.outputs import check_writable

    for _fmt, out in pairs:  # before minutes of training: a bad path fails now
        check_writable(out, what="--output")
    check_writable(json_path, what="--json")
    options, fail_on = _run_settings(
        ctx, project_config, isolated, target=target, time_col=time_col, features=features,
        config_path=config_path, model_path=model_path, select=select, ignore=ignore,
        fail_on=fail_on)
    from lstm_doctor.locations import locate
    from lstm_doctor.report_fleet import TrainSettings, is_fleet, report_fleet_command

    if is_fleet(data, id_col=id_col, scheduler=scheduler):
        sys.exit(report_fleet_command(
            data, options, TrainSettings(seeds, epochs, max_seconds, ablation, not no_train,
                                         not no_screen), id_col=id_col, jobs=jobs,
            scheduler=scheduler, pairs=pairs, json_path=json_path, fail_on=fail_on,
            command="lstm-doctor " + " ".join(sys.argv[1:])))
    result = api_report(data, seeds=seeds, epochs=epochs,
                        max_seconds=max_seconds, ablation=ablation, train=not no_train,
                        progress=True, screen=not no_screen, **options.with_setup().as_kwargs())
    result.meta["command"] = "lstm-doctor " + " ".join(sys.argv[1:])
    (as_dict,) = locate([result.to_dict()], config=options.config, model=options.model)
    if json_path:
        import json

        from lstm_doctor.outputs import write_atomic

        write_atomic(json_path, json.dumps(as_dict, indent=2, allow_nan=False) + "\n",
                     what="--json")
        _stderr().print(f"wrote {json_path}")
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
    options, _ = _run_settings(
        ctx, project_config, isolated, target=target, time_col=time_col, features=features,
        config_path=config_path, model_path=model_path, select=select, ignore=ignore,
        fail_on=None)
    config_file, model_file = options.config, options.model
    if config_file is None and model_file is None:
        raise InputError("fix needs the LSTM set-up to fix: give --config setup.yaml and/or "
                         "--model model.keras")
    if in_place and not config_file:
        raise InputError("--in-place overwrites the --config file and none was given; write "
                         "the fixed set-up with -o fixed.yaml")
    if in_place and Path(config_file).suffix.lower() not in (".yaml", ".yml"):
        raise InputError(f"--in-place rewrites YAML config files and '{config_file}' is not "
                         "one; write the fixed set-up with -o fixed.yaml")
    output = None if output == "-" else output
    if output:
        _refuse_to_overwrite(output, data=data, config=config_file, model=model_file,
                             test_data=options.test_data)
    result = api_fix(data, **options.as_kwargs())
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


cli.add_command(scan_cmd)
cli.add_command(render_cmd)
cli.add_command(explain_cmd)
cli.add_command(rules_cmd)
cli.add_command(schema_cmd)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: maps errors to exit code 2 without tracebacks (as the
    console script, ends at once when done if TensorFlow was loaded: :mod:`._exit`).
    """
    from lstm_doctor._exit import exit_when_done

    with exit_when_done(console_script=argv is None):
        _main(argv)


def _main(argv: list[str] | None) -> None:
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
