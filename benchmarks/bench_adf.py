"""Benchmark lstm_doctor.fast_adf.adfuller_fast against statsmodels' adfuller.

Each measurement runs in its own subprocess so that the peak resident set size
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``) belongs to that measurement alone. The
series is a Gaussian random walk (seed 0); both implementations use their defaults
(``regression="c"``, ``autolag="AIC"``, ``maxlag = ceil(12 * (n / 100) ** 0.25)``:
38 at 1e4, 68 at 1e5, 120 at 1e6).

* n = 1e4: statsmodels and fast, median of 3 runs each.
* n = 1e5: statsmodels 1 run, fast median of 3 runs.
* n = 1e6: fast only (statsmodels' per-lag OLS runs out of memory), 1 run with the
  default maxlag = 120 and 1 run with ``max_lag_cap=40``.

The statistic and the used lag of the two implementations are asserted equal (1e-8
relative on the statistic). Usage::

    .venv/bin/python benchmarks/bench_adf.py            # prints the markdown table
    .venv/bin/python benchmarks/bench_adf.py --write    # also writes RESULTS_adf.md
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "RESULTS_adf.md"
RTOL = 1e-8

# (n, implementation, runs, max_lag_cap)
PLAN: list[tuple[int, str, int, int | None]] = [
    (10_000, "statsmodels", 3, None),
    (10_000, "fast", 3, None),
    (100_000, "statsmodels", 1, None),
    (100_000, "fast", 3, None),
    (1_000_000, "fast", 1, None),
    (1_000_000, "fast", 1, 40),
]


def _series(n: int):
    import numpy as np

    return np.cumsum(np.random.default_rng(0).standard_normal(n))


def _peak_rss_mb() -> float:
    import resource

    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def worker(impl: str, n: int, runs: int, cap: int | None) -> dict:
    """Run one measurement in this (fresh) process and return its figures."""
    import warnings

    x = _series(n)
    if impl == "statsmodels":
        from statsmodels.tsa.stattools import adfuller

        def run():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                res = adfuller(x, autolag="AIC", result_object=False)
            return float(res[0]), int(res[2]), int(res[3]), float(res[5])

        adfuller(x[:200], autolag="AIC", result_object=False)  # warm up imports
    else:
        sys.path.insert(0, str(ROOT))
        from lstm_doctor.fast_adf import adfuller_fast

        def run():
            res = adfuller_fast(x, autolag="AIC", max_lag_cap=cap)
            return res.statistic, res.usedlag, res.nobs, float(res.icbest)

        adfuller_fast(x[:200])  # warm up imports (scipy LAPACK, mackinnon tables)
    baseline = _peak_rss_mb()
    times = []
    out = None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - t0)
    stat, usedlag, nobs, icbest = out
    return {
        "impl": impl,
        "n": n,
        "runs": runs,
        "cap": cap,
        "times": times,
        "median": statistics.median(times),
        "baseline_rss_mb": baseline,
        "peak_rss_mb": _peak_rss_mb(),
        "statistic": stat,
        "usedlag": usedlag,
        "nobs": nobs,
        "icbest": icbest,
    }


def measure(impl: str, n: int, runs: int, cap: int | None) -> dict:
    """Run :func:`worker` in a subprocess and parse its JSON line."""
    cmd = [sys.executable, __file__, "--worker", impl, str(n), str(runs), str(cap)]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{impl} n={n} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _machine() -> str:
    import numpy
    import scipy
    import statsmodels

    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem_gb:.0f} GB RAM, Linux {platform.release()}; "
        f"Python {platform.python_version()}, numpy {numpy.__version__}, "
        f"scipy {scipy.__version__}, statsmodels {statsmodels.__version__} (OpenBLAS)"
    )


def _fmt_n(n: int) -> str:
    return f"1e{len(str(n)) - 1}" if str(n).strip("0") == "1" else str(n)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {RESULTS.name}")
    parser.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        impl, n, runs, cap = args.worker
        cap_value = None if cap == "None" else int(cap)
        print(json.dumps(worker(impl, int(n), int(runs), cap_value)))
        return 0

    load_start = os.getloadavg()
    rows = []
    by_n: dict[int, dict] = {}
    for n, impl, runs, cap in PLAN:
        res = measure(impl, n, runs, cap)
        print(
            f"{impl:11s} n={n:>9,d} cap={cap} median={res['median']:.3f}s "
            f"peak RSS={res['peak_rss_mb']:.0f} MB stat={res['statistic']:.12f} "
            f"lag={res['usedlag']}",
            file=sys.stderr,
        )
        if impl == "statsmodels":
            by_n[n] = res
        rows.append(res)
    load_end = os.getloadavg()

    lines = [
        "## ADF test: `adfuller_fast` vs `statsmodels.tsa.stattools.adfuller`",
        "",
        f"Machine: {_machine()}. Load average {load_start[0]:.1f} at start, "
        f"{load_end[0]:.1f} at end (other jobs were sharing the 2 cores).",
        "",
        "Series: Gaussian random walk (seed 0). Arguments: `regression='c'`, "
        "`autolag='AIC'`, default `maxlag = ceil(12 (n/100)^(1/4))` (38, 68, 120), "
        "except the last row (`max_lag_cap=40`). Time: `time.perf_counter`, median of the "
        "runs, imports and a warm-up call excluded. Peak RSS: `ru_maxrss` of a fresh "
        "subprocess per row; baseline = RSS after imports, data and warm-up.",
        "statsmodels is not run at 1e6: its per-lag OLS fits need >24 GB there.",
        "",
        "| n | implementation | maxlag | runs | time (s) | speedup | peak RSS (MB) "
        "| RSS over baseline (MB) | statistic | used lag | nobs | rel. diff. statistic |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for res in rows:
        ref = by_n.get(res["n"])
        n = res["n"]
        if res["impl"] == "fast" and ref is not None:
            rel = abs(res["statistic"] - ref["statistic"]) / abs(ref["statistic"])
            assert res["usedlag"] == ref["usedlag"], (res, ref)
            assert res["nobs"] == ref["nobs"], (res, ref)
            assert rel <= RTOL, (rel, res, ref)
            speedup = f"**{ref['median'] / res['median']:.0f}x**"
            reldiff = f"{rel:.1e}"
        else:
            speedup, reldiff = "", "(reference)" if res["impl"] == "statsmodels" else "n/a"
        default_lag = math.ceil(12.0 * (n / 100.0) ** 0.25)
        maxlag = min(default_lag, res["cap"]) if res["cap"] is not None else default_lag
        name = "statsmodels" if res["impl"] == "statsmodels" else "adfuller_fast"
        if res["cap"] is not None:
            name += f" (max_lag_cap={res['cap']})"
        lines.append(
            f"| {_fmt_n(n)} | {name} | {maxlag} | {res['runs']} | {res['median']:.3f} "
            f"| {speedup} | {res['peak_rss_mb']:.0f} "
            f"| {res['peak_rss_mb'] - res['baseline_rss_mb']:.0f} | {res['statistic']:.10f} "
            f"| {res['usedlag']} | {res['nobs']} | {reldiff} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        RESULTS.write_text(text)
        print(f"wrote {RESULTS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
