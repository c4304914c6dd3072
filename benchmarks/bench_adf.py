"""Benchmark lstm_doctor.fast_adf.adfuller_fast against statsmodels' adfuller.

Each measurement runs in its own subprocess so that the peak resident set size
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``) belongs to that measurement alone. The
series is an ARIMA(2,1,0) (increments AR(2) with coefficients 0.5, -0.2, Gaussian
shocks, seed 0); both implementations use their defaults
(``regression="c"``, ``autolag="AIC"``, ``maxlag = ceil(12 * (n / 100) ** 0.25)``:
38 at 1e4, 68 at 1e5, 120 at 1e6).

* n = 1e4: statsmodels and fast, median of 3 runs each.
* n = 1e5: statsmodels 1 run, fast median of 3 runs.
* n = 1e6: fast only (statsmodels' per-lag OLS would need ~85 GB), median of 3 runs with
  the default maxlag = 120, and with ``max_lag_cap=40``.

Everything is run twice: with the default BLAS threading (OpenBLAS, one thread per core)
and with ``OPENBLAS_NUM_THREADS=1`` (and ``OMP_NUM_THREADS=1``), which is the more stable
figure on a machine shared with other jobs. The statistic and the used lag of the two
implementations are asserted equal (1e-8 relative on the statistic). Usage::

    .venv/bin/python benchmarks/bench_adf.py            # prints the markdown table
    .venv/bin/python benchmarks/bench_adf.py --write    # also writes RESULTS_adf.md
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from _common import emit, machine_line

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
    (1_000_000, "fast", 3, None),
    (1_000_000, "fast", 3, 40),
]


def _series(n: int):
    """ARIMA(2,1,0): a random walk whose increments are AR(2), so AIC picks a few lags."""
    import numpy as np
    from scipy.signal import lfilter

    shocks = np.random.default_rng(0).standard_normal(n)
    return np.cumsum(lfilter([1.0], [1.0, -0.5, 0.2], shocks))


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


THREADS = ("default", "1")


def measure(impl: str, n: int, runs: int, cap: int | None, threads: str) -> dict:
    """Run :func:`worker` in a subprocess and parse its JSON line."""
    cmd = [sys.executable, __file__, "--worker", impl, str(n), str(runs), str(cap)]
    env = dict(os.environ)
    if threads != "default":
        for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env[var] = threads
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"{impl} n={n} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _machine() -> str:
    import numpy
    import scipy
    import statsmodels

    return (f"{machine_line()}, numpy {numpy.__version__}, scipy {scipy.__version__}, "
            f"statsmodels {statsmodels.__version__} (OpenBLAS)")


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
    by_key: dict[tuple[int, str], dict] = {}
    for threads in THREADS:
        for n, impl, runs, cap in PLAN:
            res = measure(impl, n, runs, cap, threads)
            res["threads"] = threads
            print(
                f"threads={threads:7s} {impl:11s} n={n:>9,d} cap={cap} "
                f"median={res['median']:.3f}s peak RSS={res['peak_rss_mb']:.0f} MB "
                f"stat={res['statistic']:.12f} lag={res['usedlag']}",
                file=sys.stderr,
            )
            if impl == "statsmodels":
                by_key[(n, threads)] = res
            rows.append(res)
    load_end = os.getloadavg()

    lines = [
        "## ADF test: `adfuller_fast` vs `statsmodels.tsa.stattools.adfuller`",
        "",
        f"Machine: {_machine()}. Load average {load_start[0]:.1f} at start, "
        f"{load_end[0]:.1f} at end (other jobs were sharing the cores, so the timings are "
        "noisy; with 2 BLAS threads on busy cores OpenBLAS can be several times slower "
        "than with 1).",
        "",
        "Series: ARIMA(2,1,0), i.e. a random walk whose increments are AR(2) "
        "(0.5, -0.2; Gaussian shocks, seed 0). Arguments: `regression='c'`, "
        "`autolag='AIC'`, default `maxlag = ceil(12 (n/100)^(1/4))` (38, 68, 120), "
        "except the last row (`max_lag_cap=40`). Time: `time.perf_counter`, median of the "
        "runs, imports and a warm-up call excluded. Peak RSS: `ru_maxrss` of a fresh "
        "subprocess per row; baseline = RSS after imports, data and warm-up.",
        "statsmodels is not run at 1e6: it keeps one n x k pseudo-inverse per candidate lag, so "
        "its memory grows like n * maxlag**2: 2.8 GB x 10 x (120/68)**2 = ~85 GB at 1e6.",
        "",
        "| BLAS threads | n | implementation | maxlag | runs | time (s) | speedup "
        "| peak RSS (MB) | RSS over baseline (MB) | statistic | used lag | nobs "
        "| rel. diff. statistic | rel. diff. icbest |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for res in rows:
        ref = by_key.get((res["n"], res["threads"]))
        n = res["n"]
        if res["impl"] == "fast" and ref is not None:
            rel = abs(res["statistic"] - ref["statistic"]) / abs(ref["statistic"])
            rel_ic = abs(res["icbest"] - ref["icbest"]) / abs(ref["icbest"])
            assert res["usedlag"] == ref["usedlag"], (res, ref)
            assert res["nobs"] == ref["nobs"], (res, ref)
            assert rel <= RTOL and rel_ic <= RTOL, (rel, rel_ic, res, ref)
            speedup = f"**{ref['median'] / res['median']:.0f}x**"
            reldiff, reldiff_ic = f"{rel:.1e}", f"{rel_ic:.1e}"
        else:
            speedup = ""
            reldiff = reldiff_ic = "(reference)" if res["impl"] == "statsmodels" else "n/a"
        default_lag = math.ceil(12.0 * (n / 100.0) ** 0.25)
        maxlag = min(default_lag, res["cap"]) if res["cap"] is not None else default_lag
        name = "statsmodels" if res["impl"] == "statsmodels" else "adfuller_fast"
        if res["cap"] is not None:
            name += f" (max_lag_cap={res['cap']})"
        lines.append(
            f"| {res['threads']} | {_fmt_n(n)} | {name} | {maxlag} | {res['runs']} "
            f"| {res['median']:.3f} | {speedup} | {res['peak_rss_mb']:.0f} "
            f"| {res['peak_rss_mb'] - res['baseline_rss_mb']:.0f} | {res['statistic']:.10f} "
            f"| {res['usedlag']} | {res['nobs']} | {reldiff} | {reldiff_ic} |"
        )
    lines += ["", "Summary:", ""]
    for threads in THREADS:
        fast = {
            (r["n"], r["cap"]): r for r in rows if r["impl"] == "fast" and r["threads"] == threads
        }
        ref = by_key[(100_000, threads)]
        mid = fast[(100_000, None)]
        big = fast[(1_000_000, None)]
        extra = big["peak_rss_mb"] - big["baseline_rss_mb"]
        lines.append(
            f"* BLAS threads {threads}: at 1e5 statsmodels {ref['median']:.1f} s / "
            f"{ref['peak_rss_mb']:.0f} MB peak RSS vs adfuller_fast {mid['median']:.3f} s / "
            f"{mid['peak_rss_mb']:.0f} MB ({ref['median'] / mid['median']:.0f}x faster); "
            f"at 1e6 (maxlag 120) adfuller_fast {big['median']:.2f} s, peak RSS "
            f"{big['peak_rss_mb']:.0f} MB of which {extra:.0f} MB above the interpreter + "
            "imports baseline."
        )
    lines.append(
        "* The single-thread rows are the reliable comparison on this shared machine: the "
        "default-thread rows are inflated by CPU contention (OpenBLAS threads waiting for "
        "busy cores), for both implementations."
    )
    text = "\n".join(lines) + "\n"
    return emit(text, RESULTS, args.write)


if __name__ == "__main__":
    raise SystemExit(main())
