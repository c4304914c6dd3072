"""``lstm-doctor rules``, ``schema``, ``explain`` and ``render``: what the tool knows and
what it saved, for people and tools.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from lstm_doctor.cli_support import FAIL_ON, FORMAT_CHOICE, emit
from lstm_doctor.errors import InputError


@click.command("rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json"], case_sensitive=False),
              default="text", show_default=True,
              help="text: a table; json: one object per rule (code, name, group, severity, "
                   "summary, thresholds, the set-up keys it reads, what it needs).")
def rules_cmd(fmt):
    """List every rule: code, name, severity, summary."""
    from lstm_doctor.api import list_rules

    if fmt.lower() == "json":
        click.echo(json.dumps(rule_catalog(), indent=2, allow_nan=False))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(expand=True)
    for col in ("Code", "Name", "Severity", "Summary"):
        table.add_column(col, no_wrap=col != "Summary")
    for r in list_rules():
        table.add_row(r["code"], r["name"], r["severity"], r["summary"])
    Console().print(table)


def rule_catalog() -> list[dict]:
    """:func:`lstm_doctor.list_rules` with each rule's ``reads`` (set-up keys), ``needs``
    (``data``, ``set-up``, ``fit arrays`` or ``training run``) and ``help_uri``.
    """
    from lstm_doctor.api import list_rules
    from lstm_doctor.render.sarif import HELP_URI
    from lstm_doctor.rules import find_rule

    out = []
    for entry in list_rules():
        rule = find_rule(entry["code"])
        needs = ("training run" if rule.needs_training else "fit arrays" if rule.needs_arrays
                 else "set-up" if rule.needs_config else "data")
        out.append({**entry, "reads": list(rule.reads), "needs": needs, "help_uri": HELP_URI})
    return out


@click.command("schema")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="Write the schema to this file instead of stdout.")
def schema_cmd(output):
    """Print the LSTM set-up file's JSON Schema (draft 2020-12), for editors.

    Point your YAML/JSON editor at it to autocomplete and validate lstm.yaml, e.g. a first
    line '# yaml-language-server: $schema=./lstm-setup.schema.json' (VS Code YAML
    extension and other YAML language servers). Generated from the declared set-up schema.
    """
    from lstm_doctor.json_schema import setup_schema

    text = json.dumps(setup_schema(), indent=2) + "\n"
    if output:
        from lstm_doctor.errors import InputError

        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InputError(f"--output '{output}' cannot be written ({exc.strerror}); check "
                             "the directory exists and is writable") from None
    else:
        click.echo(text, nl=False)


@click.command("render")
@click.argument("report_file", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--format", "fmt", default="text", show_default=True, type=FORMAT_CHOICE,
              help="Output format (html: a report of one series).")
@click.option("--output", type=click.Path(dir_okay=False), help="Write here (default: stdout).")
@click.option("--fail-on", type=FAIL_ON,
              help="Gate of junit/markdown/json (default: the saved run's, else error).")
def render_cmd(report_file, fmt, output, fail_on):
    """Re-render a saved JSON report (check --format json, report --json; - for stdin).

    The output equals what the original run wrote in that format: every format is made
    from the saved report alone. Exit 0 once written (the gate is 'check').
    """
    from lstm_doctor.render import load_saved

    try:
        text = (click.get_text_stream("stdin").read() if report_file == "-"
                else Path(report_file).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"'{report_file}' cannot be read ({exc.strerror})") from None
    results, saved_fail_on = load_saved(text, where=f"'{report_file}'")
    fail_on = (fail_on or saved_fail_on or "error").lower()
    fmt = fmt.lower()
    if fmt == "text" and not output and len(results) == 1 and results[0].get("comparison"):
        from rich.console import Console

        from lstm_doctor.render.comparison import print_comparison
        from lstm_doctor.render.text import print_report

        console = Console()  # as 'lstm-doctor report' prints it
        print_report(results[0], console, fail_on=fail_on)
        print_comparison(results[0]["comparison"], console)
    else:
        emit(results, fmt, output, fail_on)
    sys.exit(0)


@click.command("explain")
@click.argument("code")
def explain_cmd(code):
    """Show the documentation of one rule (code like LD201, or its name)."""
    from lstm_doctor.api import explain as api_explain

    click.echo(api_explain(code))


__all__ = ["explain_cmd", "render_cmd", "rule_catalog", "rules_cmd", "schema_cmd"]
