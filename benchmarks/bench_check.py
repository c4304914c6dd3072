"""Wall time of ``lstm-doctor check`` as a CI gate: 10,000 points with an LSTM set-up.

Each run is a fresh ``lstm-doctor`` process (interpreter start, imports, loading, all rules,
rendering), exactly what a CI step pays. Reports the median of several runs, the time spent
inside ``check()`` and, per rule, the median seconds (a statistic shared by several rules is
counted for the first rule that needs it; a rule that first imports a heavy module pays the
import).

Usage::

    .venv/bin/python benchmarks/bench_check.py [--runs 7] [--n 10000] [--markdown]
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
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
CLI = Path(sys.executable).parent / "lstm-doctor"

CONFIG = """\
preprocessing: {scaler: minmax}
window: {seq_length: 48, horizon: 1}
model: {layers: 1, units: 32}
training: {epochs: 50, batch_size: 64, validation_split: 0.1, early_stopping: true}
split: {test_size: 0.2}
"""


def make_series(n: int, seed: int = 0) -> pd.DataFrame:
    """Hourly load-like series: trend + daily and weekly seasons + AR(1) noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    noise = np.zeros(n)
    e = rng.normal(0, 1.0, n)
    for i in range(1, n):
        noise[i] = 0.7 * noise[i - 1] + e[i]
    y = (500 + 0.01 * t + 40 * np.sin(2 * np.pi * t / 24) + 15 * np.sin(2 * np.pi * t / 168)
         + 5 * noise)
    return pd.DataFrame({"time": pd.date_range("2020-01-01", periods=n, freq="h"),
                         "load": np.round(y, 3)})


def run_once(args: list[str], out: Path) -> tuple[float, dict]:
    started = time.perf_counter()
    proc = subprocess.run([str(CLI), *args, "--format", "json", "--output", str(out)],
                          capture_output=True, text=True, env={**os.environ, "COLUMNS": "120"})
    wall = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"lstm-doctor failed ({proc.returncode}): {proc.stderr.strip()}")
    return wall, json.loads(out.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--markdown", action="store_true", help="print a markdown section")
    opts = parser.parse_args()

    load = os.getloadavg()  # other work on the machine inflates the figures
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        data, cfg, out = tmp / "series.csv", tmp / "lstm.yaml", tmp / "out.json"
        make_series(opts.n).to_csv(data, index=False)
        cfg.write_text(CONFIG)
        args = ["check", str(data), "--config", str(cfg), "--isolated"]
        startup: dict[str, list[float]] = {"pass": [], "import lstm_doctor.api": []}
        for _ in range(3):
            for stmt in startup:
                t0 = time.perf_counter()
                subprocess.run([sys.executable, "-c", stmt], check=True)
                startup[stmt].append(time.perf_counter() - t0)
        run_once(args, out)  # warm the OS file cache; not counted
        walls, inner, per_rule = [], [], {}
        report = {}
        for _ in range(opts.runs):
            wall, report = run_once(args, out)
            walls.append(wall)
            inner.append(report["meta"]["check_seconds"])
            for code, sec in report["meta"].get("rule_seconds", {}).items():
                per_rule.setdefault(code, []).append(sec)
    med = statistics.median(walls)
    rules = sorted(((statistics.median(v), k) for k, v in per_rule.items()), reverse=True)
    findings = [f"{f['code']}({f['severity'][0]})" for f in report["findings"]]
    lines = [
        f"series: {opts.n} points (hourly, trend + daily/weekly seasons), set-up given, "
        f"{len(report['rules'])} rules, {opts.runs} runs, {os.cpu_count()} CPUs, load average "
        f"{load[0]:.1f} before / {os.getloadavg()[0]:.1f} after",
        f"wall per `lstm-doctor check` (fresh process): median {med:.2f} s "
        f"(min {min(walls):.2f}, max {max(walls):.2f})",
        f"  of which inside check() (load + rules): median {statistics.median(inner):.2f} s",
        f"  bare interpreter start: median {statistics.median(startup['pass']):.2f} s; "
        f"interpreter + `import lstm_doctor.api` (numpy, pandas): median "
        f"{statistics.median(startup['import lstm_doctor.api']):.2f} s",
        f"findings: {', '.join(findings) or 'none'}",
        "slowest rules (median s, first-use imports and shared statistics included):",
    ]
    lines += [f"  {code}  {sec:.3f}" for sec, code in rules[:10]]
    if opts.markdown:
        print("```\n" + "\n".join(lines) + "\n```")
    else:
        print("\n".join(lines))


if __name__ == "__main__":
    main()
