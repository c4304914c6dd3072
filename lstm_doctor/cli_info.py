"""``lstm-doctor rules`` and ``lstm-doctor schema``: what the tool knows, for people and tools."""

from __future__ import annotations

import json
from pathlib import Path

import click


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


__all__ = ["rule_catalog", "rules_cmd", "schema_cmd"]
