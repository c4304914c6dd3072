"""``lstm-doctor scan``: the command line of :mod:`lstm_doctor.scan` (a thin shell)."""

from __future__ import annotations

import sys

import click

from lstm_doctor.errors import InputError
from lstm_doctor.gate import FAIL_ON_CHOICES

FAIL_ON = click.Choice(list(FAIL_ON_CHOICES), case_sensitive=False)


@click.command("scan")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@click.option("--fail-on", default="error", type=FAIL_ON, show_default=True,
              help="Exit 1 when a finding is at least this severe.")
def scan_cmd(paths, fmt, fail_on):
    """Lint training scripts and notebooks (.py, .ipynb, directories) statically.

    Nothing is executed or imported. Exit 0 pass, 1 a finding fails --fail-on, 2 a file
    could not be scanned.
    """
    from lstm_doctor import gate
    from lstm_doctor.scan import scan_paths
    from lstm_doctor.scan.output import text_lines, to_json

    results = scan_paths(paths)
    if not results:
        raise InputError(f"no .py or .ipynb files in {', '.join(paths)}")
    fail_on = fail_on.lower()
    if fmt == "json":
        click.echo(to_json(results, fail_on))
    else:
        out, err = text_lines(results)
        for line in out:
            click.echo(line)
        for line in err:
            click.echo(line, err=True)
    sys.exit(gate.exit_code([r.to_dict() for r in results], fail_on))
