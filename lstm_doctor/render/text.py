"""Human-readable terminal output (rich)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

STYLES = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def build_table(report: dict[str, Any]) -> Table:
    """The findings as a rich table, most severe first."""
    table = Table(show_lines=True, expand=True)
    table.add_column("Code", no_wrap=True)
    table.add_column("Severity", no_wrap=True)
    table.add_column("Finding", ratio=3)
    table.add_column("Fix", ratio=2)
    for f in report["findings"]:
        table.add_row(Text(f["code"], style="bold"), Text(f["severity"], style=STYLES[f["severity"]]),
                      f["message"], f["fix"])
    return table


def print_report(report: dict[str, Any], console: Console, fail_on: str = "error") -> None:
    """Print a check report to ``console``."""
    data = report["data"]
    where = data.get("source") or "data"
    head = (f"[bold]{where}[/]: target '{data['target']}', {data['n']} points"
            + (f", frequency {data['frequency']}" if data.get("frequency") else "")
            + (f", {data['start']} .. {data['end']}" if data.get("start") is not None else ""))
    console.print(head)
    if report["findings"]:
        console.print(build_table(report))
    s = report["summary"]
    skipped = [r for r in report.get("rules", []) if r["status"] == "skip"]
    tail = f"{s['error']} error(s), {s['warning']} warning(s), {s['info']} info"
    if skipped:
        reasons = sorted({r["reason"] for r in skipped})
        tail += f"; {len(skipped)} rule(s) skipped ({'; '.join(reasons)})"
    console.print(tail)


def render_text(report: dict[str, Any], fail_on: str = "error", width: int = 120) -> str:
    """The report as plain text."""
    console = Console(record=True, width=width, force_terminal=False, no_color=True)
    with console.capture():
        print_report(report, console, fail_on=fail_on)
    return console.export_text()
