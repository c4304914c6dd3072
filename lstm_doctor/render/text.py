"""Human-readable terminal output (rich).

The findings table wraps its cells itself (:func:`wrap_cell`): at spaces, and inside a
token longer than its column only after punctuation, so identifiers such as
``training.validation_split`` and file names are never cut in the middle (a fix can be
copied and grepped); the columns are sized so that the longest identifier fits.
"""

from __future__ import annotations

import io
import re
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text

STYLES = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def _when(stamp) -> str:
    """A time stamp for people: drop a midnight time of day."""
    text = str(stamp)
    return text[:-9] if text.endswith("T00:00:00") else text


#: Characters of an identifier (never broken): names, dotted keys, paths' parts, numbers.
_IDENT = re.compile(r"[\w.\-]+")
_PIECES = re.compile(r"[\w.\-]*[^\w.\-]*")


def longest_identifier(text: str) -> int:
    """Length of the longest identifier (letters, digits, ``_``, ``.``, ``-``) in ``text``."""
    return max((len(m) for m in _IDENT.findall(text)), default=0)


def wrap_cell(text: str, width: int) -> str:
    """``text`` wrapped to ``width`` columns without cutting an identifier.

    Lines break at spaces; a token longer than ``width`` (e.g. a code snippet) breaks
    after punctuation (``(``, ``,``, ``=``, ``/``...), never inside a run of identifier
    characters, unless that run alone is longer than ``width`` (then it is folded).
    """
    width = max(1, width)
    out: list[str] = []
    for paragraph in str(text).split("\n"):
        line = ""
        for word in paragraph.split(" "):
            pieces = [word] if len(word) <= width else _split_token(word, width)
            for i, piece in enumerate(pieces):
                sep = " " if line and i == 0 else ""
                if len(line) + len(sep) + len(piece) <= width:
                    line += sep + piece
                    continue
                if line:
                    out.append(line)
                line = piece
                while len(line) > width:  # an identifier wider than the column
                    out.append(line[:width])
                    line = line[width:]
        out.append(line)
    return "\n".join(out)


def _split_token(word: str, width: int) -> list[str]:
    """A long token cut after punctuation into pieces of at most ``width`` (if possible)."""
    pieces: list[str] = []
    for part in (p for p in _PIECES.findall(word) if p):
        if pieces and len(pieces[-1]) + len(part) <= width:
            pieces[-1] += part
        else:
            pieces.append(part)
    return pieces


#: Columns of the findings table besides Finding and Fix: borders, padding, Code, Severity.
_FIXED = 13 + 5 + 8


def column_widths(report: dict[str, Any], width: int) -> tuple[int, int]:
    """Widths of the Finding and Fix columns (3:2) for a console ``width`` wide.

    Each is at least as wide as its longest identifier while the other keeps as much.
    """
    room = max(20, width - _FIXED)
    need_msg = max((longest_identifier(f["message"]) for f in report["findings"]), default=0)
    need_fix = max((longest_identifier(f["fix"]) for f in report["findings"]), default=0)
    fix = max(room * 2 // 5, min(need_fix, room - need_msg))
    fix = min(fix, room - min(need_msg, room // 2))
    return room - fix, max(fix, 1)


def build_table(report: dict[str, Any], width: int = 120) -> Table:
    """The findings as a rich table, most severe first (cells wrapped by :func:`wrap_cell`)."""
    msg_width, fix_width = column_widths(report, width)
    table = Table(show_lines=True, expand=True)
    table.add_column("Code", no_wrap=True)
    table.add_column("Severity", no_wrap=True)
    table.add_column("Finding", width=msg_width, overflow="fold")
    table.add_column("Fix", width=fix_width, overflow="fold")
    for f in report["findings"]:
        code = Text(f["code"], style="bold")
        if f.get("baseline_state") in ("unchanged", "worsened"):  # set by --baseline
            code.append("\n" + ("known" if f["baseline_state"] == "unchanged" else "worse"),
                        style="dim")
        table.add_row(code, Text(f["severity"], style=STYLES[f["severity"]]),
                      Text(wrap_cell(f["message"], msg_width)),  # plain text, never markup
                      Text(wrap_cell(f["fix"], fix_width)))
    return table


def print_report(report: dict[str, Any], console: Console, fail_on: str = "error") -> None:
    """Print a check report to ``console``."""
    data = report["data"]
    where = data.get("source") or "data"
    head = (f"[bold]{escape(str(where))}[/]: target '{escape(str(data['target']))}', "
            f"{data['n']} points"
            + (f", frequency {data['frequency']}" if data.get("frequency") else "")
            + (f" ({data['calendar']} calendar)" if data.get("calendar") not in (None, "none")
               else "")
            + (f", {_when(data['start'])} .. {_when(data['end'])}"
               if data.get("start") is not None else ""))
    console.print(head)
    for key in ("time_note", "calendar_note"):
        if data.get(key):
            console.print(escape(f"data: {data[key]}"), style="dim", soft_wrap=True)
    for line in setup_provenance(report.get("config")):
        console.print(escape(line), style="dim", soft_wrap=True)
    if report["findings"]:
        console.print(build_table(report, console.width))
    s = report["summary"]
    skipped = [r for r in report.get("rules", []) if r["status"] == "skip"]
    tail = f"{s['error']} error(s), {s['warning']} warning(s), {s['info']} info"
    if skipped:
        reasons = sorted({r["reason"] for r in skipped})
        tail += f"; {len(skipped)} rule(s) skipped ({escape('; '.join(reasons))})"
    if report.get("baseline"):
        b = report["baseline"]
        tail += (f"; baseline: {b['unchanged']} known, {b['new']} new, {b['worsened']} worse, "
                 f"{len(b['absent'])} fixed")
    console.print(tail)


def setup_provenance(config: dict[str, Any] | None) -> list[str]:
    """Lines saying where the set-up came from and which values are assumed defaults."""
    if not config or "origins" not in config:
        return []
    origins: dict[str, str] = config["origins"]
    lines = []
    model_file = config.get("model_file")
    if model_file:
        params = model_file.get("trainable_params")
        lines.append(f"set-up: architecture and compile settings read from "
                     f"{model_file.get('path')}"
                     + (f" ({params:,} trainable parameters)" if params is not None else ""))
    by_section: dict[str, list[str]] = {}
    for key, origin in origins.items():
        section, name = key.split(".", 1)
        if origin == "assumed":
            by_section.setdefault(section, []).append(name)
    if by_section:
        parts = []
        for section, names in by_section.items():
            total = sum(1 for k in origins if k.startswith(section + "."))
            parts.append(f"{section} (all)" if len(names) == total
                         else f"{section}." + "/".join(names))
        lines.append("assumed (not in what you gave; findings resting on them are at most "
                     "info): " + ", ".join(parts)
                     + ". State them in a set-up file with --config.")
    lines += [f"note: {note}" for note in config.get("notes") or []]
    return lines


def render_text(report: dict[str, Any], fail_on: str = "error", width: int = 120) -> str:
    """The report as plain text."""
    console = Console(file=io.StringIO(), record=True, width=width, force_terminal=False,
                      no_color=True)
    print_report(report, console, fail_on=fail_on)
    return console.export_text()


def print_many(results: list[dict[str, Any]], console: Console, fail_on: str = "error") -> None:
    """Print the reports of several files (and the files that could not be checked)."""
    for i, result in enumerate(results):
        if i:
            console.print()
        if "findings" not in result:
            console.print(f"[bold]{escape(result['source'])}[/]: [bold red]error:[/] "
                          f"{escape(result['error'])}",
                          soft_wrap=True)
            continue
        print_report(result, console, fail_on=fail_on)
    if len(results) > 1:
        reports = [r for r in results if "findings" in r]
        total = {k: sum(r["summary"][k] for r in reports) for k in ("error", "warning", "info")}
        errors = len(results) - len(reports)
        what = "series" if any("series_id" in r["data"] for r in reports) else "files"
        console.print()
        console.print(summary_table(results, fail_on=fail_on, what=what, width=console.width))
        console.print(f"[bold]{len(results)} {what}[/]: {total['error']} error(s), "
                      f"{total['warning']} warning(s), {total['info']} info"
                      + (f"; {errors} {'file' if what == 'files' else 'series'} could not "
                         "be checked" if errors else ""))


def summary_table(results: list[dict[str, Any]], fail_on: str = "error",
                  what: str = "files", width: int = 120) -> Table:
    """One row per file or series: worst severity, counts and the findings' codes."""
    from lstm_doctor.gate import summary_rows

    rows = summary_rows(results, fail_on=fail_on)
    room = max(20, width - 42)  # borders, padding, Worst and the three counts
    label_width = min(max((len(str(r["series"])) for r in rows), default=4),
                      max(room - 16, room // 2))
    table = Table(expand=True, title=f"Summary ({len(results)} {what})")
    table.add_column("Series" if what == "series" else "File", width=max(label_width, 4),
                     overflow="fold")
    table.add_column("Worst", no_wrap=True)
    for col in ("E", "W", "I"):
        table.add_column(col, justify="right", no_wrap=True)
    table.add_column("Codes", ratio=1, overflow="fold")
    for row in rows:
        worst = row["worst"]
        style = STYLES.get(worst, "bold red" if worst == "input-error" else "green")
        if worst == "input-error":  # the message without the label the row already shows
            codes = row["message"].removeprefix(f"'{row['series']}'").lstrip(": ")
        else:
            codes = " ".join(row["codes"]) or "-"
        table.add_row(Text(wrap_cell(str(row["series"]), max(label_width, 4))),
                      Text(worst, style=style), str(row["error"]), str(row["warning"]),
                      str(row["info"]), Text(codes))
    return table


def render_text_many(results: list[dict[str, Any]], fail_on: str = "error",
                     width: int = 120) -> str:
    """Several files' reports as plain text."""
    console = Console(file=io.StringIO(), record=True, width=width, force_terminal=False,
                      no_color=True)
    print_many(results, console, fail_on=fail_on)
    return console.export_text()
