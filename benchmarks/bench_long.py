"""Long series: ``lstm-doctor check`` at 1e4, 1e5 and 1e6 points, and the training windows.

Every measurement runs in a fresh subprocess, so its peak resident set size
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``) is its own.

1. ``check`` scaling: two series shapes, each written as CSV and as Parquet, as a user would:
   ``hourly`` (trend + daily and weekly seasons + AR(1) noise, hourly time stamps, the series
   of ``bench_check.py``) and ``gappy`` (1-minute random walk with a daily season, 0.5 % of
   the time stamps missing, 0.1 % NaN values and 20 spikes: exercises the time-grid, gap,
   missing-value and outlier rules). Config given (all 34 rules selected). Load time
   (``load_series``) and rule time (``check``) are reported separately, with the slowest
   rules (``report.meta["rule_seconds"]``; a statistic shared by several rules is counted for
   its first user).
2. The CLI end to end at 1e6 points (``lstm-doctor check FILE --config CFG --format json
   --output F``, a fresh process): wall time and peak RSS (``RUSAGE_CHILDREN`` of a
   wrapper process that runs only that command).
3. Optimised vs reference statistics at 2e5 points (ACF by FFT vs direct, Ljung-Box by FFT vs
   statsmodels, KPSS with capped lags vs statsmodels' automatic lags, ADF fast vs statsmodels at
   the chosen lag): largest relative difference.
4. Training windows of 1e6 points, window 100 (``make_windows``): peak RSS of the current code
   (float32 before the gather) and of the previous code (float64 gather, then a float32 copy),
   and what Keras adds when fitting on them (5 steps of ``model.fit``) next to a
   ``keras.utils.timeseries_dataset_from_array`` pipeline (``--keras``).

Usage::

    .venv/bin/python benchmarks/bench_long.py [--runs 3] [--sizes 1e4,1e5,1e6] [--keras]
                                             [--write]   # writes RESULTS_long.md
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import checkout, emit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "RESULTS_long.md"
CLI = Path(sys.executable).parent / "lstm-doctor"

CONFIG = {
    "preprocessing": {"scaler": "minmax"},
    "window": {"seq_length": 48, "horizon": 1},
    "model": {"layers": 1, "units": 32},
    "training": {"epochs": 50, "batch_size": 64, "validation_split": 0.1,
                 "early_stopping": True},
    "split": {"test_size": 0.2},
}
CONFIG_YAML = """\
preprocessing: {scaler: minmax}
window: {seq_length: 48, horizon: 1}
model: {layers: 1, units: 32}
training: {epochs: 50, batch_size: 64, validation_split: 0.1, early_stopping: true}
split: {test_size: 0.2}
"""
KINDS = ("hourly", "gappy")
FORMATS = ("csv", "parquet")


# -- data ------------------------------------------------------------------------------------

def make_frame(kind: str, n: int, seed: int = 0):
    """The benchmark series as a DataFrame with a ``time`` and a value column."""
    import numpy as np
    import pandas as pd
    from scipy.signal import lfilter

    rng = np.random.default_rng(seed)
    if kind == "hourly":
        t = np.arange(n)
        noise = lfilter([1.0], [1.0, -0.7], rng.normal(0, 1.0, n))
        y = (500 + 0.01 * t + 40 * np.sin(2 * np.pi * t / 24)
             + 15 * np.sin(2 * np.pi * t / 168) + 5 * noise)
        return pd.DataFrame({"time": pd.date_range("2020-01-01", periods=n, freq="h"),
                             "load": np.round(y, 3)})
    if kind == "gappy":
        m = int(n / 0.995) + 1
        t = np.arange(m)
        y = 100 + np.cumsum(rng.normal(0, 0.05, m)) + 3 * np.sin(2 * np.pi * t / 1440)
        stamps = pd.date_range("2024-01-01", periods=m, freq="min")
        keep = np.sort(rng.choice(m, n, replace=False))
        y, stamps = y[keep], stamps[keep]
        y[rng.choice(n, max(1, n // 1000), replace=False)] = np.nan
        spikes = rng.choice(n, 20, replace=False)
        y[spikes] += rng.choice([-1, 1], 20) * 40
        return pd.DataFrame({"time": stamps, "value": np.round(y, 4)})
    raise ValueError(kind)


def data_file(kind: str, n: int, fmt: str, folder: Path) -> Path:
    """Write (once) and return the benchmark file."""
    path = folder / f"{kind}_{n}.{fmt}"
    if not path.exists():
        frame = make_frame(kind, n)
        if fmt == "csv":
            frame.to_csv(path, index=False)
        else:
            frame.to_parquet(path, index=False)
    return path


def _rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# -- workers (run in a fresh process) ----------------------------------------------------------

def worker_check(path: str) -> dict:
    """Load + check one file in this process."""
    t_imp = time.perf_counter()
    import lstm_doctor
    from lstm_doctor.data import load_series

    lstm_doctor.check(make_frame("hourly", 200), config=CONFIG)  # the rules' lazy imports
    imports = time.perf_counter() - t_imp
    base = _rss_mb()
    t0 = time.perf_counter()
    series = load_series(path)
    t1 = time.perf_counter()
    report = lstm_doctor.check(series, config=CONFIG)
    t2 = time.perf_counter()
    return {"load_s": t1 - t0, "check_s": t2 - t1, "imports_s": imports,
            "peak_rss_mb": _rss_mb(),
            "baseline_rss_mb": base, "rule_seconds": report.meta["rule_seconds"],
            "codes": report.codes(), "n_rules": len(report.outcomes),
            "skipped": [o.code for o in report.outcomes if o.status == "skip"]}


def worker_cli(path: str, config: str, out: str, checkout: str = "") -> dict:
    """Run the CLI as a child and report its wall time, CPU time and peak RSS.

    ``checkout``: run that copy of lstm-doctor (first on ``PYTHONPATH``) instead of the
    installed one.
    """
    import resource

    args = ["check", path, "--config", config, "--isolated", "--format", "json", "--output",
            out]
    cmd, env = [str(CLI), *args], None
    if checkout:
        cmd = [sys.executable, "-c", "from lstm_doctor.cli import main; main()", *args]
        env = {**os.environ, "PYTHONPATH": checkout}
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1):
        raise RuntimeError(proc.stderr)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"wall_s": wall, "peak_rss_mb": usage.ru_maxrss / 1024.0,
            "cpu_s": usage.ru_utime + usage.ru_stime, "exit": proc.returncode}


def worker_reference(n: int) -> dict:
    """Optimised statistics of lstm_doctor.stats vs their unoptimised references."""
    import warnings

    import numpy as np
    from statsmodels.stats.diagnostic import acorr_ljungbox
    from statsmodels.tsa.stattools import acf as sm_acf
    from statsmodels.tsa.stattools import adfuller
    from statsmodels.tsa.stattools import kpss as sm_kpss

    from lstm_doctor import stats
    from lstm_doctor.config import LSTMConfig
    from lstm_doctor.context import Context
    from lstm_doctor.data import load_series

    frame = make_frame("hourly", n)
    ctx = Context(load_series(frame), LSTMConfig(), config_given=False)
    x = ctx.values
    dx = np.diff(x)
    rows = []

    def rel(a, b) -> float:
        a, b = np.asarray(a, float), np.asarray(b, float)
        return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))

    def timed(fn):
        t0 = time.perf_counter()
        out = fn()
        return out, time.perf_counter() - t0

    fast, tf = timed(lambda: stats.acf(ctx, "values", x, 200))
    ref, tr = timed(lambda: sm_acf(x, nlags=200, fft=False))
    rows.append({"statistic": "ACF lags 0..200 (FFT vs direct)", "fast_s": tf, "ref_s": tr,
                 "rel_diff": rel(fast[1:], ref[1:]), "note": ""})
    lb, tf = timed(lambda: stats.ljung_box(ctx, "diff1", dx, 48))
    ref, tr = timed(lambda: acorr_ljungbox(dx, lags=[48], return_df=True))
    rows.append({"statistic": "Ljung-Box Q(48) of the differences", "fast_s": tf, "ref_s": tr,
                 "rel_diff": rel(lb["statistic"], float(ref["lb_stat"].iloc[0])),
                 "note": lb["method"]})
    kp, tf = timed(lambda: stats.kpss(ctx, "diff1", dx, "c"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref, tr = timed(lambda: sm_kpss(dx, regression="c", nlags=kp["lags"]))
        auto = sm_kpss(dx, regression="c", nlags="auto")
    note = f"same lag count ({kp['lags']})"
    if auto[2] != kp["lags"]:
        note = (f"lags capped at {kp['lags']} (statsmodels' automatic choice {auto[2]}; "
                f"with it the statistic differs by {rel(kp['statistic'], auto[0]):.1%})")
    rows.append({"statistic": "KPSS (c) of the differences, vs statsmodels at the same lags",
                 "fast_s": tf, "ref_s": tr, "rel_diff": rel(kp["statistic"], ref[0]),
                 "note": note})
    ad, tf = timed(lambda: stats.adf(ctx, "values", x, "c"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref, tr = timed(lambda: adfuller(x, maxlag=ad["usedlag"], autolag=None, regression="c"))
    rows.append({"statistic": f"ADF (c) at the selected lag {ad['usedlag']}", "fast_s": tf,
                 "ref_s": tr, "rel_diff": rel(ad["statistic"], ref[0]),
                 "note": "lag selection: bench_adf.py (statsmodels' AIC search, 1e-8)"})
    return {"n": n, "rows": rows}


def worker_windows(mode: str, n: int, seq: int) -> dict:
    """Peak RSS of building (and optionally feeding Keras) the training windows."""
    import numpy as np

    z = np.random.default_rng(0).standard_normal(n)
    if mode in ("keras-fit", "tfdata"):
        from lstm_doctor.experiment.lstm import import_keras

        keras = import_keras()
        keras.utils.set_random_seed(0)  # deterministic ops need a seed
    import tracemalloc

    base = _rss_mb()
    tracemalloc.start()  # numpy reports its buffers to tracemalloc (TensorFlow's do not)
    t0 = time.perf_counter()
    extra = {}
    if mode == "previous":  # the code before the fix: float64 gather, then a float32 copy
        from numpy.lib.stride_tricks import sliding_window_view

        origins = np.arange(seq, n)
        view = sliding_window_view(z[:, None], seq, axis=0)
        X = np.ascontiguousarray(view[origins - seq].transpose(0, 2, 1), dtype=np.float32)
        extra["bytes"] = X.nbytes
    elif mode in ("current", "keras-fit"):
        from lstm_doctor.experiment.windows import input_matrix, make_windows, train_origins

        W = make_windows(input_matrix(z), z, train_origins(n, lost=0, seq_length=seq,
                                                           horizon=1),
                         seq_length=seq, horizon=1)
        extra["bytes"] = W.X.nbytes
        if mode == "keras-fit":
            extra["windows_s"] = time.perf_counter() - t0
            extra["windows_rss_mb"] = _rss_mb() - base
            model = keras.Sequential([keras.Input((seq, 1)), keras.layers.LSTM(8),
                                      keras.layers.Dense(1)])
            model.compile(optimizer="adam", loss="mse")
            model.fit(W.X, W.Y, epochs=1, steps_per_epoch=5, batch_size=32, verbose=0)
    elif mode == "tfdata":
        ds = keras.utils.timeseries_dataset_from_array(
            z[:-1].astype(np.float32)[:, None], z[seq:].astype(np.float32),
            sequence_length=seq, batch_size=32, shuffle=True, seed=0)
        model = keras.Sequential([keras.Input((seq, 1)), keras.layers.LSTM(8),
                                  keras.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        model.fit(ds, epochs=1, steps_per_epoch=5, verbose=0)
    else:
        raise ValueError(mode)
    seconds = time.perf_counter() - t0
    traced = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return {"mode": mode, "seconds": seconds, "baseline_rss_mb": base,
            "peak_rss_mb": _rss_mb(), "numpy_peak_mb": traced, **extra}


#: What the CLI sets before numpy loads (lstm_doctor.cli._one_blas_thread); the in-process
#: workers use it too, so that the rule timings are the ones ``lstm-doctor check`` pays.
ONE_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _spawn(*args: str, env: dict | None = None) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--worker", *args], capture_output=True,
                          text=True, env={**os.environ, **ONE_THREAD, **(env or {})})
    if proc.returncode != 0:
        raise RuntimeError(f"worker {args} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# -- the report -----------------------------------------------------------------------------

def _fmt_n(n: int) -> str:
    return f"1e{len(str(n)) - 1}" if str(n).strip("0") == "1" else f"{n:,}"


def run(sizes: list[int], runs: int, keras: bool) -> str:
    """Run every measurement; return the Markdown section."""
    load_start = os.getloadavg()[0]
    folder = Path(tempfile.mkdtemp(prefix="lstm-doctor-bench-long-"))
    lines = ["## Long series: `check` at 1e4 .. 1e6 points", ""]
    table = ["| series | n | file | file MB | load (s) | rules (s) | load + rules (s) "
             "| peak RSS (MB) | slowest rules (s) | findings |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    totals: dict[tuple[str, str], dict[int, float]] = {}
    imports: list[float] = []
    for kind in KINDS:
        for n in sizes:
            for fmt in FORMATS:
                path = data_file(kind, n, fmt, folder)
                res = [_spawn("check", str(path)) for _ in range(runs)]
                imports += [r["imports_s"] for r in res]
                load = statistics.median(r["load_s"] for r in res)
                rules = statistics.median(r["check_s"] for r in res)
                total = statistics.median(r["load_s"] + r["check_s"] for r in res)
                peak = max(r["peak_rss_mb"] for r in res)
                per_rule: dict[str, list[float]] = {}
                for r in res:
                    for code, sec in r["rule_seconds"].items():
                        per_rule.setdefault(code, []).append(sec)
                slow = sorted(((statistics.median(v), k) for k, v in per_rule.items()),
                              reverse=True)[:3]
                totals.setdefault((kind, fmt), {})[n] = total
                print(f"{kind} n={n} {fmt}: load {load:.2f} s, rules {rules:.2f} s, "
                      f"peak {peak:.0f} MB", file=sys.stderr, flush=True)
                table.append(
                    f"| {kind} | {_fmt_n(n)} | {fmt} | {path.stat().st_size / 1e6:.1f} "
                    f"| {load:.2f} | {rules:.2f} | {total:.2f} | {peak:.0f} "
                    f"| {', '.join(f'{k} {s:.2f}' for s, k in slow)} "
                    f"| {', '.join(res[0]['codes']) or '-'} |")
    lines += [
        f"Median of {runs} runs, each a fresh process with one BLAS thread (as the CLI "
        "sets). Times exclude interpreter start and "
        "imports (`import lstm_doctor` and the rules' lazy imports of statsmodels/scipy, "
        "warmed up on a 200-point series first: median "
        f"{statistics.median(imports):.2f} s, paid once per process; the CLI table below "
        "includes them); peak RSS includes everything. Config given, all rules selected "
        f"({res[0]['n_rules']} rules; the LD7xx training-symptom rules are skipped by "
        "`check`). Load average at start "
        f"{load_start:.1f} (the 2 cores were shared with other jobs: timings are noisy).", "",
        *table, ""]
    growth = []
    for (kind, fmt), by_n in totals.items():
        ns = sorted(by_n)
        if len(ns) >= 2:
            ratios = ", ".join(f"x{by_n[b] / by_n[a]:.1f} from {_fmt_n(a)} to {_fmt_n(b)}"
                               for a, b in zip(ns, ns[1:], strict=False))
            growth.append(f"* {kind} / {fmt}: load + rules {ratios} (n grows x10 each step).")
    lines += ["Growth with n:", "", *growth, ""]

    # 2. the CLI end to end
    big = max(sizes)
    cfg = folder / "lstm.yaml"
    cfg.write_text(CONFIG_YAML)
    cli_rows = ["| series | n | file | wall (s), median | peak RSS (MB), max | exit |",
                "|---|---|---|---|---|---|"]
    cli_peak, cli_wall = 0.0, 0.0
    for kind in KINDS:
        for fmt in FORMATS:
            path = data_file(kind, big, fmt, folder)
            res = [_spawn("cli", str(path), str(cfg), str(folder / "out.json"))
                   for _ in range(runs)]
            wall = statistics.median(r["wall_s"] for r in res)
            peak = max(r["peak_rss_mb"] for r in res)
            cli_peak, cli_wall = max(cli_peak, peak), max(cli_wall, wall)
            cli_rows.append(f"| {kind} | {_fmt_n(big)} | {fmt} | {wall:.2f} | {peak:.0f} "
                            f"| {res[0]['exit']} |")
    lines += [f"### `lstm-doctor check FILE --config lstm.yaml --format json` at {_fmt_n(big)} "
              "points (whole process: start, imports, load, rules, JSON)", "", *cli_rows, "",
              f"Target: under 30 s and under 2 GB peak RSS at 1e6 points: worst wall "
              f"{cli_wall:.1f} s, worst peak RSS {cli_peak:.0f} MB -> "
              + ("**met**" if cli_wall < 30 and cli_peak < 2048 else "**NOT met**") + ".", ""]

    # 3. reference statistics
    ref = _spawn("reference", "200000")
    lines += ["### Optimised statistics vs their references at 2e5 points (hourly series)", "",
              "| statistic | lstm_doctor.stats (s) | reference (s) | max rel. difference "
              "| note |", "|---|---|---|---|---|"]
    for r in ref["rows"]:
        lines.append(f"| {r['statistic']} | {r['fast_s']:.3f} | {r['ref_s']:.3f} "
                     f"| {r['rel_diff']:.1e} | {r['note']} |")
    lines.append("")

    # 4. windows
    n_win, seq = 1_000_000, 100
    modes = ["previous", "current"] + (["keras-fit", "tfdata"] if keras else [])
    win = {}
    for m in modes:
        res = [_spawn("windows", m, str(n_win), str(seq)) for _ in range(runs)]
        # peak RSS: the largest run (on this VM the kernel sometimes trims resident pages,
        # which can only make a run's figure smaller than what it allocated); time: median
        win[m] = dict(max(res, key=lambda r: r["peak_rss_mb"] - r["baseline_rss_mb"]),
                      seconds=statistics.median(r["seconds"] for r in res))
    lines += [f"### Training windows: {_fmt_n(n_win)} points, window {seq}", "",
              f"{runs} fresh processes each: median time, largest peak RSS over the process' "
              "RSS after imports and the series (includes importing lstm_doctor.experiment, "
              "~70 MB), and the peak of numpy's allocations (tracemalloc: independent of what "
              "the kernel keeps resident: on this VM a kernel reclaim thread, kdamond, "
              "sometimes trims resident pages, so the RSS column can be below what was "
              "allocated). The float32 windows alone are "
              f"{(n_win - seq) * seq * 4 / 1e6:.0f} MB.", "",
              "| path | seconds | peak RSS over baseline (MB) | numpy peak allocated (MB) "
              "| note |", "|---|---|---|---|---|"]
    notes = {
        "previous": "float64 gather (n x 100 x 8 B = 800 MB), then a float32 copy",
        "current": "float32 before the gather: the float32 windows are the only copy "
                   "(`make_windows`, lstm_doctor/experiment/windows.py)",
        "keras-fit": "`make_windows` + 5 steps of `model.fit(X, Y)` (Keras converts the "
                     "arrays to tensors)",
        "tfdata": "`keras.utils.timeseries_dataset_from_array` (windows cut per batch) + 5 "
                  "steps of `model.fit`",
    }
    for m in modes:
        r = win[m]
        over = r["peak_rss_mb"] - r["baseline_rss_mb"]
        note = notes[m]
        if m == "keras-fit":
            note += f" (windows alone: {r['windows_rss_mb']:.0f} MB)"
        numpy_peak = (f"{r['numpy_peak_mb']:.0f}" if m in ("previous", "current")
                      else "n/a (TensorFlow)")
        lines.append(f"| {m} | {r['seconds']:.2f} | {over:.0f} | {numpy_peak} | {note} |")
    lines.append("")
    lines.append(f"Load average at end {os.getloadavg()[0]:.1f}.")
    shutil.rmtree(folder, ignore_errors=True)
    return "\n".join(lines) + "\n"


def run_cli_scaling(sizes: list[int], runs: int, before: str, ref: str | None) -> str:
    """``lstm-doctor check`` end to end at each size, before and after (issue 17, target 3).

    The gappy series as CSV (the issue's figure) at every size and the hourly one as
    Parquet below 1e7 points; one run per version at 1e7 points (a minute each), ``runs``
    below. Runs of the two versions alternate, so both see the same load.
    """
    from _common import machine_line

    folder = Path(tempfile.mkdtemp(prefix="lstm-doctor-bench-long-cli-"))
    try:
        if not before and ref:
            before = str(checkout(ref, folder))
        versions = {"before": before, "after": ""} if before else {"after": ""}
        cfg = folder / "lstm.yaml"
        cfg.write_text(CONFIG_YAML)
        load_start = os.getloadavg()[0]
        rows = ["| series | n | file | version | wall (s), median | CPU (s), median "
                "| peak RSS (MB), max | runs |", "|---|---|---|---|---|---|---|---|"]
        after_wall: dict[tuple[str, str], dict[int, float]] = {}
        after_cpu: dict[tuple[str, str], dict[int, float]] = {}
        target = []
        for kind, fmt in (("gappy", "csv"), ("hourly", "parquet")):
            for n in sizes:
                if n >= 10_000_000 and kind != "gappy":
                    continue  # one series kind at 1e7 (minutes per run)
                path = data_file(kind, n, fmt, folder)
                k = 1 if n >= 10_000_000 else runs
                res: dict[str, list[dict]] = {v: [] for v in versions}
                for _ in range(k):
                    for name, tree in versions.items():
                        res[name].append(_spawn("cli", str(path), str(cfg),
                                                str(folder / f"out_{name}.json"), tree))
                for name in versions:
                    wall = statistics.median(r["wall_s"] for r in res[name])
                    cpu = statistics.median(r["cpu_s"] for r in res[name])
                    peak = max(r["peak_rss_mb"] for r in res[name])
                    rows.append(f"| {kind} | {_fmt_n(n)} | {fmt} | {name} | {wall:.2f} "
                                f"| {cpu:.2f} | {peak:.0f} | {k} |")
                    print(f"{kind} {fmt} n={n} {name}: {wall:.2f} s, {peak:.0f} MB",
                          file=sys.stderr, flush=True)
                    if name == "after":
                        after_wall.setdefault((kind, fmt), {})[n] = wall
                        after_cpu.setdefault((kind, fmt), {})[n] = cpu
                        if n == 1_000_000:
                            target.append((kind, fmt, wall, peak))
        growth = []
        for (kind, fmt), by_n in after_wall.items():
            ns = sorted(by_n)
            cpu_n = after_cpu[(kind, fmt)]
            parts = ", ".join(f"x{by_n[b] / by_n[a]:.1f} wall / x{cpu_n[b] / cpu_n[a]:.1f} CPU "
                              f"from {_fmt_n(a)} to {_fmt_n(b)}"
                              for a, b in zip(ns, ns[1:], strict=False))
            growth.append(f"* {kind} / {fmt} (after): {parts} (n grows x10 each step).")
        lines = ["## `lstm-doctor check` on long series, before and after (issue 17, target 3)",
                 "", f"Machine: {machine_line()}. Load average {load_start:.1f} at start, "
                 f"{os.getloadavg()[0]:.1f} at end (shared machine). Each run is a fresh "
                 "process, `lstm-doctor check FILE --config lstm.yaml --isolated --format "
                 "json --output out.json` (whole process: start-up, imports, reading, rules, "
                 "JSON); CPU = user + system time; peak RSS of the process. Before = the "
                 "baseline commit, from a clone on `PYTHONPATH` (same interpreter and "
                 "packages); the versions alternate run by run.", "", *rows, "",
                 "Growth with n:", "", *growth, ""]
        for kind, fmt, wall, peak in target:
            ok = wall <= 2.5 and peak <= 400
            lines.append(f"Target at 1e6 points, {kind} / {fmt}: under 2.5 s and 400 MB: "
                         f"{wall:.2f} s, {peak:.0f} MB -> "
                         + ("**met**." if ok else "**not met**."))
        return "\n".join(lines) + "\n"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="1e4,1e5,1e6")
    parser.add_argument("--keras", action="store_true", help="also measure Keras on the windows")
    parser.add_argument("--write", action="store_true", help=f"write {RESULTS.name}")
    parser.add_argument("--cli-compare", action="store_true",
                        help="only the CLI at each size, before vs after (--before/--before-ref)")
    parser.add_argument("--before", default="", help="checkout of the baseline version")
    parser.add_argument("--before-ref", help="git ref of the baseline (cloned to a temp dir)")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, *rest = args.worker
        if kind == "check":
            out = worker_check(rest[0])
        elif kind == "cli":
            out = worker_cli(*rest)
        elif kind == "reference":
            out = worker_reference(int(rest[0]))
        else:
            out = worker_windows(rest[0], int(rest[1]), int(rest[2]))
        print(json.dumps(out))
        return 0
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    if args.cli_compare:
        text = run_cli_scaling(sizes, args.runs, args.before, args.before_ref)
        if args.write and RESULTS.exists():  # the earlier, wider measurements stay below
            earlier = RESULTS.read_text()
            marker = "\n# Earlier measurements"
            earlier = earlier.split(marker, 1)[1] if marker in earlier else "\n" + earlier
            text += "\n# Earlier measurements (previous round, `bench_long.py --write`)\n" \
                + earlier.lstrip("\n")
        return emit(text, RESULTS, args.write)
    text = run(sizes, args.runs, args.keras)
    return emit(text, RESULTS, args.write)


if __name__ == "__main__":
    raise SystemExit(main())
