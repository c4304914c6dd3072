"""Helpers shared by the benchmark scripts (run as ``python benchmarks/<script>.py``)."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def cpu_name() -> str:
    """The CPU model from /proc/cpuinfo (or ``unknown CPU``)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def memory_text() -> str:
    """Physical memory, e.g. ``24 GB RAM``."""
    try:
        mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
        return f"{mem:.0f} GB RAM"
    except (ValueError, OSError, AttributeError):
        return "RAM unknown"


def machine_line() -> str:
    """``2 cores (CPU), 24 GB RAM, Linux 6.x; Python 3.11.7``."""
    return (f"{os.cpu_count()} cores ({cpu_name()}), {memory_text()}, {platform.system()} "
            f"{platform.release()}; Python {platform.python_version()}")


def emit(text: str, results: Path, write: bool) -> int:
    """Print a benchmark's Markdown section and, with ``--write``, save it."""
    print(text)
    if write:
        results.write_text(text)
        print(f"wrote {results}", file=sys.stderr)
    return 0


def checkout(ref: str, folder: Path) -> Path:
    """A clone of this repository at ``ref`` in ``folder/before`` (a "before" version)."""
    target = Path(folder) / "before"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(target)], check=True)
    subprocess.run(["git", "-C", str(target), "checkout", "--quiet", ref], check=True)
    return target
