"""``lstm-doctor scan``: the command line of :mod:`lstm_doctor.scan` (a thin shell)."""

from __future__ import annotations

import sys

import click

from lstm_doctor.cli_support import FAIL_ON
from lstm_doctor.errors import InputError

FORMATS = ("text", "json", "sarif", "github", "junit")


@click.command("scan")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(FORMATS, case_sensitive=False),
              default="text", show_default=True,
              help="text: one 'path:line:col: CODE [severity] message' line per finding; "
                   "sarif: code scanning (a region on the script line); github: annotations; "
                   "junit; json.")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write the output to this file (atomically) instead of stdout.")
@click.option("--fail-on", default="error", type=FAIL_ON, show_default=True,
              help="Exit 1 when a finding is at least this severe.")
@click.option("--data", "data_path", type=click.Path(dir_okay=False),
              help="The series the script trains on: also run the data rules and the set-up "
                   "rules that need the data (parameters vs windows, window vs season...).")
@click.option("--target", help="Column to forecast in --data (default: the only numeric one).")
@click.option("--time-col", help="Time column of --data (default: auto-detected).")
@click.option("--features", help="Extra input columns of --data, comma-separated.")
@click.option("--emit-config", "emit_config", type=click.Path(dir_okay=False),
              help="Write the set-up the script states as a config file (YAML, lines noted) "
                   "for check/report/fix; one script only; '-' for stdout.")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False),
              help="Fail only on findings that are new or more severe than in this baseline.")
@click.option("--write-baseline", "write_baseline_path", type=click.Path(dir_okay=False),
              help="Record today's findings in this baseline file (exit 0 unless a file "
                   "cannot be scanned).")
def scan_cmd(paths, fmt, output, fail_on, data_path, target, time_col, features,
             emit_config, baseline_path, write_baseline_path):
    """Lint training scripts and notebooks (.py, .ipynb, directories) statically.

    Nothing is executed or imported. Directories are walked, skipping the `exclude`
    patterns of [tool.lstm-doctor]. A `# lstm-doctor: noqa LD601` comment silences a
    line. Exit 0 pass, 1 a finding fails --fail-on, 2 a file could not be scanned.
    """
    from lstm_doctor import gate
    from lstm_doctor.outputs import check_writable, write_atomic
    from lstm_doctor.scan import iter_files, scan_paths
    from lstm_doctor.scan.output import text_lines, to_json

    if data_path is None and (target or time_col or features):
        raise InputError("--target/--time-col/--features describe --data; give --data FILE "
                         "(the series the script trains on)")
    files = iter_files(paths)
    if not files:
        raise InputError(f"no .py or .ipynb files in {', '.join(paths)}")
    if emit_config and len(files) != 1:
        raise InputError(f"--emit-config writes the set-up of one script, but {len(files)} "
                         "files were given; name one .py or .ipynb file")
    if emit_config == "-" and not (output and output != "-"):
        raise InputError("--emit-config - and the findings would both go to stdout; give "
                         "--output FILE for the findings, or a file to --emit-config")
    for out, what in ((output, "--output"), (emit_config, "--emit-config"),
                      (write_baseline_path, "--write-baseline")):
        if out and out != "-":
            _refuse_input(out, files, data_path)
            check_writable(out, what=what)
    options = {} if data_path is None else {
        "data": data_path, "target": target, "time_col": time_col, "features": features}
    results = scan_paths(files, **options)
    dicts = [r.to_dict() for r in results]
    fail_on = fail_on.lower()
    if baseline_path:
        from lstm_doctor.baseline import apply_baseline, load_baseline

        apply_baseline(dicts, load_baseline(baseline_path), baseline_path)
    if fmt == "text":
        lines, err = text_lines(dicts)
        text = "\n".join(lines)
    elif fmt == "json":
        text, err = to_json(dicts, fail_on), []
    else:
        from lstm_doctor.render import render
        from lstm_doctor.report_facts import with_rule_docs

        text, err = render(fmt, with_rule_docs(dicts), fail_on=fail_on), []
    if output and output != "-":
        write_atomic(output, text + "\n", what="--output")
        click.echo(f"wrote {output}", err=True)
    elif text:
        click.echo(text)
    for line in err:
        click.echo(line, err=True)
    if emit_config and results[0].error is None:
        yaml_text = results[0].config_yaml()
        if emit_config == "-":
            click.echo(yaml_text, nl=False)
        else:
            write_atomic(emit_config, yaml_text, what="--emit-config")
            click.echo(f"wrote {emit_config}", err=True)
    if write_baseline_path:
        from lstm_doctor.baseline import write_baseline

        n = write_baseline(dicts, write_baseline_path)
        click.echo(f"wrote baseline {write_baseline_path} ({n} finding(s))", err=True)
    sys.exit(gate.exit_code(dicts, fail_on, record_only=bool(write_baseline_path)))


def _refuse_input(output: str, files, data_path: str | None) -> None:
    """An output file must not be one of the scanned scripts or the data."""
    from pathlib import Path

    out = Path(output).resolve()
    for f in [*files, *([data_path] if data_path else [])]:
        if Path(f).resolve() == out:
            raise InputError(f"output '{output}' is one of your inputs; choose another file")
