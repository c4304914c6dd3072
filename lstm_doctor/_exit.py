"""Ending the console-script process quickly once a command that loaded TensorFlow is done.

Python's normal shutdown with TensorFlow loaded takes about a second on a 2-core machine
(tearing down its runtime and thousands of modules) after every output is written. The
console script (:func:`lstm_doctor.cli.main` called without arguments) flushes its streams
and ends the process at once instead; a call with arguments (tests, embedding code) and a
process that runs joblib/loky or Dask workers keep the normal shutdown.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


def _has_workers() -> bool:
    """Whether worker processes or a Dask client may still be around (their atexit handlers
    stop them): child processes, joblib's reusable loky executor, or Dask's ``distributed``.
    """
    import multiprocessing

    if multiprocessing.active_children() or "distributed" in sys.modules:
        return True
    loky = sys.modules.get("joblib.externals.loky.reusable_executor")
    return getattr(loky, "_executor", None) is not None


def fast_exit_wanted(console_script: bool) -> bool:
    """Whether :func:`exit_now` should end this process (TensorFlow loaded, no workers)."""
    if not console_script or "tensorflow" not in sys.modules:
        return False
    return not _has_workers()


def exit_now(code: object) -> None:
    """Flush stdout and stderr, then end the process with ``code`` (as ``sys.exit`` would).

    ``None`` is 0, an integer is itself, anything else is printed to stderr and gives 1.
    """
    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:
        print(code, file=sys.stderr)
        status = 1
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # closed or broken pipe: nothing more to write
            pass
    os._exit(status & 0xFF)


@contextlib.contextmanager
def exit_when_done(console_script: bool) -> Iterator[None]:
    """Run the block; then, if :func:`fast_exit_wanted`, end the process with its exit code
    (``SystemExit``'s, or 0) instead of returning or raising.
    """
    try:
        yield
    except SystemExit as exc:
        if fast_exit_wanted(console_script):
            exit_now(exc.code)
        raise
    if fast_exit_wanted(console_script):
        exit_now(0)


__all__ = ["exit_now", "exit_when_done", "fast_exit_wanted"]
