"""Run every benchmark script and regenerate ``benchmarks/RESULTS.md``.

Each script writes (or prints) its own Markdown section; ``RESULTS.md`` is a machine
description followed by every ``RESULTS_*.md`` section, in a fixed order (unknown sections
last, alphabetically). Scripts without a ``--write`` mode have their printed output saved as
their section.

=================  =============================================  ========================
script             what                                           section
=================  =============================================  ========================
bench_adf.py       ADF lag selection: adfuller_fast vs statsmodels RESULTS_adf.md
bench_check.py     ``lstm-doctor check`` as a CI gate, 1e4 points RESULTS_check.md
bench_long.py      ``check`` at 1e4..1e6 points, training windows RESULTS_long.md
bench_panel.py     1,000 series x 1,000 points, --jobs 1 vs 2     RESULTS_panel.md
bench_training.py  ``training``: overhead vs plain Keras          RESULTS_training_cost.md
bench_training.py  ``compare``: MASE tables on real series        RESULTS_training.md
bench_report_speed.py  ``report`` demo vs plain Keras            RESULTS_report_speed.md
bench_scan.py      ``scan`` on 500 scripts vs parse-only and ruff RESULTS_scan.md
bench_report_fleet.py  ``report`` on 100 M3 series, --jobs 1 vs 2 RESULTS_report_fleet.md
=================  =============================================  ========================

``RESULTS_check.md`` is hand-written around the numbers of ``bench_check.py``; it is kept as
is and the fresh ``bench_check.py`` output is saved as ``RESULTS_check_run.md``, which follows
it in ``RESULTS.md``.

Usage::

    .venv/bin/python benchmarks/run_all.py               # everything (about an hour on 2 cores)
    .venv/bin/python benchmarks/run_all.py --only long,panel
    .venv/bin/python benchmarks/run_all.py --skip compare,adf
    .venv/bin/python benchmarks/run_all.py --collect     # only rebuild RESULTS.md
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import machine_line

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS.md"
ORDER = ("adf", "check", "check_run", "long", "panel", "training_cost", "training",
         "report_speed", "scan", "report_fleet")
BENCHMARKS = ("adf", "check", "long", "panel", "training", "compare", "report_speed", "scan",
              "report_fleet")


def _commands(tmp: Path) -> dict[str, tuple[list[str], Path | None]]:
    """``{name: (arguments, file to save stdout to or None)}``."""
    py = sys.executable
    return {
        "adf": ([py, str(HERE / "bench_adf.py"), "--write"], None),
        "check": ([py, str(HERE / "bench_check.py"), "--markdown"],
                  HERE / "RESULTS_check_run.md"),
        "long": ([py, str(HERE / "bench_long.py"), "--keras", "--write"], None),
        "panel": ([py, str(HERE / "bench_panel.py"), "--dask", "--write"], None),
        "training": ([py, str(HERE / "bench_training.py"), "overhead", "--write"], None),
        "compare": ([py, str(HERE / "bench_training.py"), "compare", "--out",
                     str(tmp / "compare.md")], None),
        "report_speed": ([py, str(HERE / "bench_report_speed.py"), "--write"], None),
        "scan": ([py, str(HERE / "bench_scan.py"), "--write"], None),
        "report_fleet": ([py, str(HERE / "bench_report_fleet.py"), "--write"], None),
    }


def machine() -> str:
    """The machine and software the figures were measured on (Markdown)."""
    import importlib.metadata as md

    versions = []
    for dist in ("lstm-doctor", "numpy", "scipy", "pandas", "statsmodels", "scikit-learn",
                 "pyarrow", "joblib", "dask", "distributed", "tensorflow-cpu", "tensorflow",
                 "keras"):
        try:
            versions.append(f"{dist} {md.version(dist)}")
        except md.PackageNotFoundError:
            continue
    blas = ""
    try:
        import numpy  # noqa: F401 - loads its BLAS for threadpool_info
        from threadpoolctl import threadpool_info

        libs = {f"{i['internal_api']} {i['version']}" for i in threadpool_info()
                if i["user_api"] == "blas"}
        blas = f"; BLAS: {', '.join(sorted(libs))}" if libs else ""
    except ImportError:
        pass
    load = os.getloadavg()
    return (f"{machine_line()}{blas}.\n\n"
            f"Packages: {', '.join(versions)}.\n\n"
            f"Load average when RESULTS.md was assembled: {load[0]:.1f} / {load[1]:.1f} / "
            f"{load[2]:.1f} (1 / 5 / 15 min). The machine's 2 cores are shared with other "
            "jobs: every section states how its timings were taken (medians of several runs, "
            "fresh processes) and its own load average.")


def collect() -> str:
    """Assemble RESULTS.md from the sections on disk."""
    sections = {p.stem.removeprefix("RESULTS_"): p for p in HERE.glob("RESULTS_*.md")}
    names = [n for n in ORDER if n in sections]
    names += sorted(n for n in sections if n not in ORDER)
    parts = ["# lstm-doctor benchmark results", "",
             "Regenerated by `benchmarks/run_all.py` from the `RESULTS_*.md` sections "
             "(each written by its benchmark script).", "", "## Machine", "", machine(), ""]
    for name in names:
        text = sections[name].read_text(encoding="utf-8").strip()
        # every section becomes a level-2 heading at most
        if text.startswith("# "):
            text = "#" + text
        parts += [text, ""]
    return "\n".join(parts).rstrip() + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help=f"comma-separated subset of {', '.join(BENCHMARKS)}")
    parser.add_argument("--skip", help="comma-separated benchmarks to skip")
    parser.add_argument("--collect", action="store_true",
                        help="do not run anything; rebuild RESULTS.md from the sections")
    args = parser.parse_args()
    chosen = list(BENCHMARKS)
    if args.only:
        chosen = [n.strip() for n in args.only.split(",") if n.strip()]
    if args.skip:
        skip = {n.strip() for n in args.skip.split(",")}
        chosen = [n for n in chosen if n not in skip]
    unknown = [n for n in chosen if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from "
                     f"{', '.join(BENCHMARKS)}")
    failed = []
    with tempfile.TemporaryDirectory(prefix="lstm-doctor-run-all-") as tmp_name:
        tmp = Path(tmp_name)
        commands = _commands(tmp)
        for name in [] if args.collect else chosen:
            argv, save = commands[name]
            print(f"== {name}: {' '.join(Path(a).name for a in argv[1:])}", file=sys.stderr,
                  flush=True)
            t0 = time.perf_counter()
            proc = subprocess.run(argv, stdout=subprocess.PIPE, text=True, cwd=HERE.parent)
            print(f"   {time.perf_counter() - t0:.0f} s, exit {proc.returncode}",
                  file=sys.stderr, flush=True)
            if proc.returncode != 0:
                failed.append(name)
                continue
            if save is not None:
                save.write_text(f"### Latest `bench_{name}.py` run\n\n{proc.stdout.strip()}\n",
                                encoding="utf-8")
            if name == "compare" and (tmp / "compare.md").exists():
                shutil.copy(tmp / "compare.md", HERE / "RESULTS_training.md")
    RESULTS.write_text(collect(), encoding="utf-8")
    print(f"wrote {RESULTS}" + (f"; FAILED: {', '.join(failed)}" if failed else ""),
          file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
