"""How ``lstm-doctor check`` writes its outputs: formats, ``--quiet``, ``--statistics``.

Also the BLAS thread limit of the command line (:func:`limited_threads`): applied with
threadpoolctl around the work, so importing lstm-doctor (the API, a notebook) changes no
environment variable and no thread pool.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from lstm_doctor.errors import InputError


def emit_check(results: list[dict[str, Any]], pairs: list[tuple[str, str | None]],
               fail_on: str, *, quiet: bool = False, statistics: bool = False) -> None:
    """Write every ``(format, output)`` pair of ``check``.

    ``quiet``: the stdout text output is one line per failing finding (nothing when the
    run passes) and no "wrote FILE" messages. ``statistics``: the stdout text output is
    the count of findings per code instead (to stderr when stdout holds another format).
    """
    from lstm_doctor.cli_support import emit

    human = [(fmt, out) for fmt, out in pairs if out is None and fmt in ("text", "concise")]
    for fmt, output in pairs:
        if (fmt, output) in human and (quiet or statistics):
            for line in check_lines(results, fail_on, quiet=quiet, statistics=statistics):
                click.echo(line)
        elif fmt == "markdown" and output and is_step_summary(output):
            write_quietly(results, fmt, output, fail_on, cap=True)  # GitHub's 1 MiB limit
        elif quiet and output:
            write_quietly(results, fmt, output, fail_on)
        else:
            emit(results, fmt, output, fail_on)
    if statistics and not human:
        for line in check_lines(results, fail_on, quiet=quiet, statistics=True):
            click.echo(line, err=True)


def check_lines(results: list[dict[str, Any]], fail_on: str, *, quiet: bool,
                statistics: bool) -> list[str]:
    """The lines of ``--statistics`` or of ``--quiet`` (failing findings only)."""
    from lstm_doctor.render.concise import concise_lines, statistics_lines
    from lstm_doctor.render.concise import statistics as count

    if statistics:
        return statistics_lines(count(results, fail_on=fail_on, only_failing=quiet))
    return concise_lines(results, fail_on=fail_on, only_failing=True)


def is_step_summary(output: str) -> bool:
    """Whether ``output`` is this GitHub Actions step's summary file."""
    import os

    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    try:
        return bool(summary) and Path(output).resolve() == Path(summary).resolve()
    except OSError:
        return False


def write_quietly(results: list[dict[str, Any]], fmt: str, output: str, fail_on: str, *,
                  cap: bool = False) -> None:
    """Render ``fmt`` to the file ``output`` without a message.

    ``cap``: a markdown step summary cut below GitHub's 1 MiB limit, with a note
    (:func:`lstm_doctor.render.markdown.cap_summary`).
    """
    from lstm_doctor.render import render

    if fmt == "sarif":  # panel entries carry no facts: describe their rules
        from lstm_doctor.report_facts import with_rule_docs

        results = with_rule_docs(results)
    text = render(fmt, results, fail_on=fail_on)
    if cap:
        from lstm_doctor.render.markdown import cap_summary

        text, _ = cap_summary(text, full="written in full by `--format markdown --output "
                                         "FILE` (upload FILE as a workflow artifact)")
    try:
        Path(output).write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
    except OSError as exc:
        raise InputError(f"--output '{output}' cannot be written ({exc.strerror}); check the "
                         "directory exists and is writable") from None


@contextlib.contextmanager
def limited_threads(limit: int = 1, *, in_process: bool = True) -> Iterator[None]:
    """BLAS (and OpenMP) on ``limit`` threads for the duration of the block.

    The checks only do small linear algebra; on a busy 2-CPU CI runner OpenBLAS's worker
    threads spin against other processes and made the unit-root tests up to 6x slower.
    The user's own ``OPENBLAS_NUM_THREADS``/``OMP_NUM_THREADS``/``MKL_NUM_THREADS`` win.
    Outside the block (the API, notebooks) nothing is limited. ``in_process=False`` (the
    series are checked by worker processes, which joblib limits itself) does not load
    scipy's BLAS here only to limit it (a quarter of a second of the parent's start-up).
    """
    import os

    if any(os.environ.get(v) for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
                                       "MKL_NUM_THREADS")):
        yield
        return
    from lstm_doctor._threads import pool_limits

    # load the BLAS libraries first: only loaded pools are limited (scipy's wheels bring
    # their own OpenBLAS)
    with pool_limits(limit, load=("numpy", "scipy.linalg") if in_process else ("numpy",)):
        yield


__all__ = ["check_lines", "emit_check", "is_step_summary", "limited_threads", "write_quietly"]
