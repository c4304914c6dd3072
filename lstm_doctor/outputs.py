"""Writing the user's output files: atomically, and checked before any work.

A file the user asked for is complete or untouched: text goes to a temporary file in the
same directory, which is renamed over the target (``os.replace``); a kill mid-write leaves
the previous file as it was. :func:`check_writable` is called before long work
(training), so a read-only path fails in a second, not after minutes.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from lstm_doctor.errors import InputError


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current


def check_writable(path: str | Path | None, *, what: str = "--output") -> None:
    """Raise :class:`InputError` now if ``path`` could not be written later.

    ``None`` and ``"-"`` (stdout) pass. The directory must exist and be writable, and the
    path must not be a directory.
    """
    if path is None or str(path) == "-":
        return
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise InputError(f"{what} '{path}' is a directory; give a file name")
    if not parent.is_dir():
        raise InputError(f"{what} '{path}': the directory '{parent}' does not exist; create "
                         "it or choose another path")
    if not os.access(parent, os.W_OK | os.X_OK) or (path.exists()
                                                    and not os.access(path, os.W_OK)):
        raise InputError(f"{what} '{path}' cannot be written (permission denied); choose a "
                         "writable location")


def write_atomic(path: str | Path, text: str | bytes, *, what: str = "--output") -> None:
    """Write ``text`` to ``path`` through a temporary file in the same directory.

    The file is complete or untouched: the temporary file is renamed over ``path``. An
    existing file keeps its permission bits.

    Raises
    ------
    InputError
        When the directory does not exist or is not writable.
    """
    path = Path(path)
    try:
        mode = path.stat().st_mode & 0o7777 if path.exists() else None
        fd, tmp = tempfile.mkstemp(dir=path.parent if str(path.parent) else ".",
                                   prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise InputError(f"{what} '{path}' cannot be written ({exc.strerror}); check the "
                         "directory exists and is writable") from None
    try:
        data = text.encode("utf-8") if isinstance(text, str) else text
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode if mode is not None else 0o666 & ~_umask())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(f"{what} '{path}' cannot be written ({exc.strerror}); check the "
                         "path is a writable file") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


__all__ = ["check_writable", "write_atomic"]
