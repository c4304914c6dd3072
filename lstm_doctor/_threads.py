"""Thread pools limited for a block: the one threadpoolctl wrapper of the package.

Used by the command line's ``check`` (BLAS on one thread, :func:`lstm_doctor.cli_output.
limited_threads`) and by report-fleet workers (TensorFlow and BLAS on their share of the
cores, :mod:`lstm_doctor.report_fleet`).
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator


@contextlib.contextmanager
def pool_limits(limit: int, *, load: tuple[str, ...] = ()) -> Iterator[None]:
    """BLAS and OpenMP pools on ``limit`` threads for the duration of the block.

    Only the libraries loaded when the block starts are limited, so the modules in ``load``
    (e.g. ``numpy``, ``scipy.linalg``: each wheel brings its own OpenBLAS) are imported
    first. Without threadpoolctl (it comes with scikit-learn) nothing is limited.

    Parameters
    ----------
    limit : int
        Threads per pool.
    load : tuple of str
        Modules to import before limiting.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        yield
        return
    for name in load:
        importlib.import_module(name)
    with threadpool_limits(limits=limit):
        yield


__all__ = ["pool_limits"]
