"""Many series: a panel of 1,000 series x 1,000 points, ``--jobs 1`` vs ``--jobs 2`` (and Dask).

The panel is one long-format Parquet file (``series, time, value``; daily stamps): a quarter
each of random walks, AR(2) processes, monthly-seasonal series and white noise, plus two bad
series (all values missing; 5 points) that must become error entries. Each run is the CLI
as a user calls it, in a fresh process::

    lstm-doctor check panel.parquet --id-col series --config lstm.yaml --format json \\
        --output out.json --jobs N

Wall time (median of the runs) and peak RSS (of the CLI process: ``RUSAGE_CHILDREN`` of a
wrapper process that runs only that command; and of the CLI with its joblib workers, summed,
sampled every 50 ms) are reported,
with the per-series cost (wall / series, and the median and 90th percentile of the
``check_seconds`` each report records). With ``--dask`` the same panel also runs through
``check_panel(client=...)`` on a local Dask cluster (2 worker processes, loopback only).

Usage::

    .venv/bin/python benchmarks/bench_panel.py [--series 1000] [--points 1000] [--runs 3]
                                              [--dask] [--write]   # writes RESULTS_panel.md
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

from _common import emit

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS_panel.md"
CLI = Path(sys.executable).parent / "lstm-doctor"
CONFIG_YAML = """\
preprocessing: {scaler: minmax}
window: {seq_length: 30, horizon: 1}
model: {layers: 1, units: 32}
training: {epochs: 50, batch_size: 32, validation_split: 0.1, early_stopping: true}
split: {test_size: 0.2}
"""


def make_panel(n_series: int, n_points: int, seed: int = 0):
    """The long-format panel (two bad series at the end)."""
    import numpy as np
    import pandas as pd
    from scipy.signal import lfilter

    rng = np.random.default_rng(seed)
    stamps = pd.date_range("2020-01-01", periods=n_points, freq="D")
    t = np.arange(n_points)
    ids, values = [], []
    for i in range(n_series - 2):
        kind = i % 4
        e = rng.normal(size=n_points)
        if kind == 0:
            y = 100 + np.cumsum(e)
        elif kind == 1:
            y = 50 + lfilter([1.0], [1.0, -0.6, 0.3], e)
        elif kind == 2:
            y = 80 + 10 * np.sin(2 * np.pi * t / 30.4) + 0.02 * t + e
        else:
            y = 20 + e
        ids.append(np.full(n_points, f"s{i:05d}"))
        values.append(y)
    frame = pd.DataFrame({"series": np.concatenate(ids), "time": np.tile(stamps, n_series - 2),
                          "value": np.concatenate(values)})
    bad = pd.DataFrame({"series": ["all_nan"] * 50 + ["too_short"] * 5,
                        "time": list(stamps[:50]) + list(stamps[:5]),
                        "value": [np.nan] * 50 + [1.0, 2.0, 3.0, 4.0, 5.0]})
    return pd.concat([frame, bad], ignore_index=True)


def worker_cli(path: str, config: str, out: str, jobs: str) -> dict:
    """Run the CLI once as a child: wall time, peak RSS of the CLI process
    (``RUSAGE_CHILDREN``) and of the whole process tree (CLI + joblib workers, sampled
    every 50 ms with psutil when it is installed)."""
    import resource

    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil comes with dask[distributed]
        psutil = None
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(CLI), "check", path, "--id-col", "series", "--config", config,
                             "--isolated", "--format", "json", "--output", out, "--jobs", jobs],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    tree_peak = 0.0
    if psutil is not None:
        root = psutil.Process(proc.pid)
        while proc.poll() is None:
            try:
                procs = [root, *root.children(recursive=True)]
                total = 0
                for p in procs:
                    try:
                        total += p.memory_info().rss
                    except psutil.Error:
                        pass
                tree_peak = max(tree_peak, total / 2**20)
            except psutil.Error:
                pass
            time.sleep(0.05)
    _, err = proc.communicate()
    wall = time.perf_counter() - t0
    if proc.returncode not in (0, 1, 2) or not Path(out).exists():
        raise RuntimeError(err[-3000:])
    return {"wall_s": wall, "exit": proc.returncode, "tree_peak_rss_mb": tree_peak,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024.0}


def worker_dask(path: str, config: str) -> dict:
    """The same panel through check_panel on a local Dask cluster (2 processes)."""
    import distributed

    from lstm_doctor import check_panel

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        check_panel({"warm": [float(i % 7) for i in range(200)]}, client=client)
        t0 = time.perf_counter()
        panel = check_panel(path, id_col="series", config=config, client=client)
        wall = time.perf_counter() - t0
    return {"wall_s": wall, "n": len(panel.results), "errors": len(panel.errors)}


def _spawn(*args: str) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--worker", *args], capture_output=True,
                          text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"worker {args} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(n_series: int, n_points: int, runs: int, dask: bool) -> str:
    """Run the measurements; return the Markdown section."""
    load_start = os.getloadavg()[0]
    folder = Path(tempfile.mkdtemp(prefix="lstm-doctor-bench-panel-"))
    try:
        path = folder / "panel.parquet"
        make_panel(n_series, n_points).to_parquet(path, index=False)
        cfg = folder / "lstm.yaml"
        cfg.write_text(CONFIG_YAML)
        out = folder / "out.json"
        rows, walls, docs = [], {}, {}
        for jobs in ("1", "2"):
            res = []
            for _ in range(runs):
                res.append(_spawn("cli", str(path), str(cfg), str(out), jobs))
                print(f"jobs={jobs}: {res[-1]}", file=sys.stderr, flush=True)
            docs[jobs] = json.loads(out.read_text())
            walls[jobs] = statistics.median(r["wall_s"] for r in res)
            rows.append((jobs, res))
        same = _strip(docs["1"]) == _strip(docs["2"])
        reports = [f for f in docs["1"]["files"] if "findings" in f]
        inner = sorted(f["meta"]["check_seconds"] for f in reports)
        p90 = inner[int(0.9 * (len(inner) - 1))]
        lines = [
            f"## Panel: {n_series:,} series x {n_points:,} points (`--id-col`), "
            "`--jobs 1` vs `--jobs 2`", "",
            f"One long-format Parquet file ({path.stat().st_size / 1e6:.1f} MB, "
            f"{n_series * n_points / 1e6:.1f} M rows; random walks, AR(2), seasonal and white "
            "noise series, plus 2 bad series: all-NaN and 5 points). Config given, all rules. "
            f"Each run is a fresh `lstm-doctor check ... --format json --output F --jobs N` "
            f"process; {runs} runs each, median wall. Load average at start {load_start:.1f} "
            "(2 cores shared with other jobs).", "",
            "| --jobs | wall (s), median | runs (s) | per series (ms) | peak RSS, CLI process "
            "(MB) | peak RSS, CLI + workers (MB) | speed-up | exit |",
            "|---|---|---|---|---|---|---|---|"]
        for jobs, res in rows:
            wall = walls[jobs]
            each = ", ".join(f"{r['wall_s']:.1f}" for r in res)
            lines.append(
                f"| {jobs} | {wall:.1f} | {each} "
                f"| {1000 * wall / n_series:.1f} | {max(r['peak_rss_mb'] for r in res):.0f} "
                f"| {max(r['tree_peak_rss_mb'] for r in res):.0f} "
                f"| {walls['1'] / wall:.2f}x | {res[0]['exit']} |")
        errors = [f["source"] for f in docs["1"]["files"] if "error" in f]
        lines += [
            "",
            f"* Per-series `check()` time recorded in the reports (`meta.check_seconds`, load "
            f"+ rules of one series, in-process): median {1000 * statistics.median(inner):.1f} "
            f"ms, 90th percentile {1000 * p90:.1f} ms over {len(inner)} series.",
            f"* `--jobs 2` JSON equals `--jobs 1` JSON (timings removed): {same}.",
            f"* Error entries (not a failed run; exit code 2 = the worst outcome): "
            f"{', '.join(errors)}.",
        ]
        if dask:
            d = _spawn("dask", str(path), str(cfg))
            lines.append(
                f"* Dask (`check_panel(client=...)`, LocalCluster of 2 worker processes on "
                f"the same 2 cores, workers warmed up, in-process timing): {d['wall_s']:.1f} s "
                f"for {d['n']} series ({1000 * d['wall_s'] / d['n']:.1f} ms per series), "
                f"{d['errors']} error entries.")
        lines += ["", f"Load average at end {os.getloadavg()[0]:.1f}."]
        return "\n".join(lines) + "\n"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _strip(doc: dict) -> list:
    files = json.loads(json.dumps(doc["files"]))
    for f in files:
        f.pop("meta", None)
    return files


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=1000)
    parser.add_argument("--points", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--dask", action="store_true", help="also run on a local Dask cluster")
    parser.add_argument("--write", action="store_true", help=f"write {RESULTS.name}")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        kind, *rest = args.worker
        out = worker_cli(*rest) if kind == "cli" else worker_dask(*rest)
        print(json.dumps(out))
        return 0
    text = run(args.series, args.points, args.runs, args.dask)
    return emit(text, RESULTS, args.write)


if __name__ == "__main__":
    raise SystemExit(main())
