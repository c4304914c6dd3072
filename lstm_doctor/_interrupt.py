"""Interrupting parallel work cleanly: SIGTERM acts as Ctrl-C, and the pool is shut down."""

from __future__ import annotations

import contextlib


@contextlib.contextmanager
def terminate_as_interrupt():
    """While workers run, SIGTERM (``kill``, a CI runner's cancel) acts as Ctrl-C.

    Python's default SIGTERM ends the process at once, orphaning joblib's workers and
    their resource tracker (and their shared-memory segments). As a KeyboardInterrupt
    it unwinds: the pool is shut down and the CLI exits as for Ctrl-C.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def kill_loky_workers() -> None:
    """Shut down joblib's reusable loky executor now, killing its workers."""
    try:
        from joblib.externals.loky import get_reusable_executor

        get_reusable_executor().shutdown(wait=True, kill_workers=True)
    except Exception:  # noqa: BLE001 - best effort while already interrupted
        pass


__all__ = ["kill_loky_workers", "terminate_as_interrupt"]
