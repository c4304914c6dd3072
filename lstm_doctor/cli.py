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


def data_options(func):
    """Options shared by ``check`` and ``report``."""
    options = [
        click.option("--target", help="Column to forecast (default: the only numeric one)."),
        click.option("--time-col", help="Time column (default: auto-detected)."),
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


def _config_source(config_path, model_path):
    if config_path and model_path:
        raise InputError("give either --config or --model, not both")
    return config_path or model_path


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="lstm-doctor", prog_name="lstm-doctor")
def cli() -> None:
    """lstm-doctor: why does my LSTM forecast so badly? Diagnose, prove, fix."""


@cli.command()
@click.argument("data")
@data_options
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@click.option("--output", type=click.Path(dir_okay=False), help="Write the output to a file.")
def check(data, target, time_col, features, config_path, model_path, select, ignore, fail_on,
          fmt, output):
    """Run the diagnostic rules on DATA (a CSV/Parquet/JSON-lines file, or - for stdin).

    Never trains and never imports TensorFlow; fast enough for a CI gate.
    """
    from lstm_doctor.api import check as api_check

    report = api_check(data, target=target, time_col=time_col, features=features,
                       config=_config_source(config_path, model_path), select=select,
                       ignore=ignore)
    _emit(report, fmt, output, fail_on)
    sys.exit(report.exit_code(fail_on))


def _emit(report, fmt: str, output: str | None, fail_on: str) -> None:
    if fmt == "json":
        text = report.to_json()
    elif output:
        text = report.to_text(fail_on=fail_on)
    else:
        from rich.console import Console

        from lstm_doctor.render.text import print_report

        print_report(report.to_dict(), Console(), fail_on=fail_on)
        return
    if output:
        Path(output).write_text(text + "\n", encoding="utf-8")
        _stderr().print(f"wrote {output}")
    else:
        click.echo(text)


@cli.command()
@click.argument("data")
@data_options
@click.option("--seeds", default=3, show_default=True, type=click.IntRange(1, 50),
              help="Seeds per LSTM.")
@click.option("--epochs", type=click.IntRange(1, 100000), help="Override the set-up's epochs.")
@click.option("--max-seconds", type=click.FloatRange(min=1), help="Wall-clock training budget.")
@click.option("--ablation", is_flag=True, help="Measure each remedy's share of the gain.")
@click.option("--no-train", is_flag=True, help="Findings only; do not train.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False), help="Write JSON here.")
@click.option("--output", type=click.Path(dir_okay=False), help="Write the HTML report here.")
def report(data, target, time_col, features, config_path, model_path, select, ignore, fail_on,
           seeds, epochs, max_seconds, ablation, no_train, json_path, output):
    """Check DATA, then train the baseline and remediated LSTMs against reference models."""
    from lstm_doctor.api import report as api_report

    result = api_report(data, target=target, time_col=time_col, features=features,
                        config=_config_source(config_path, model_path), select=select,
                        ignore=ignore, seeds=seeds, epochs=epochs, max_seconds=max_seconds,
                        ablation=ablation, train=not no_train, progress=True)
    result.meta["command"] = "lstm-doctor " + " ".join(sys.argv[1:])
    if json_path:
        Path(json_path).write_text(result.to_json() + "\n", encoding="utf-8")
        _stderr().print(f"wrote {json_path}")
    if output:
        result.to_html(output)
        _stderr().print(f"wrote {output}")
    from rich.console import Console

    from lstm_doctor.render.text import print_report

    print_report(result.to_dict(), Console(), fail_on=fail_on)
    sys.exit(result.exit_code(fail_on))


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

    run_demo(output=output, seeds=seeds, epochs=epochs, train=not no_train)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: maps errors to exit code 2 without tracebacks."""
    try:
        cli.main(args=argv, prog_name="lstm-doctor", standalone_mode=False)
    except InputError as exc:
        _stderr().print(f"[bold red]error:[/] {_one_line(exc)}", soft_wrap=True)
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
        _stderr().print(f"[bold red]error:[/] {_one_line(exc.format_message())}{hint}",
                        soft_wrap=True)
        sys.exit(2)
    except (KeyboardInterrupt, BrokenPipeError):
        sys.exit(2)
    except Exception as exc:  # never show a traceback to a user
        if os.environ.get("LSTM_DOCTOR_DEBUG"):
            raise
        _stderr().print(f"[bold red]error:[/] unexpected {type(exc).__name__}: "
                        f"{_one_line(exc)} (set LSTM_DOCTOR_DEBUG=1 for the traceback and "
                        "please report it)", soft_wrap=True)
        sys.exit(2)


if __name__ == "__main__":  # pragma: no cover
    main()


__all__ = ["cli", "main"]
