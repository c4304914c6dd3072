"""Speed of ``lstm-doctor demo`` (``report`` on the bundled demo) against plain Keras scripts.

Times, as whole fresh processes and side by side in one run (rounds interleaved, median of
``--repeats``):

- ``lstm-doctor demo`` (what ``make demo`` runs: airpassengers with ``fixtures/demo/config.yaml``,
  3 seeds, the user's set-up and the remediated one with 100 epochs, the do-no-harm screening
  of the remedies, the reference forecasters and the HTML report);
- a plain Keras script with the demo's set-up (raw values, 6-step windows, LSTM(50, relu),
  Adam 1e-3, MSE, batch 32, 100 epochs, holdout = last 20%): one seed, and three seeds as three
  separate ``fit`` calls in one process -- what a user runs by hand;
- with ``--compare-ref REF``, the same demo from a ``git archive`` of ``REF`` (e.g. the commit
  before the fast training path), for a before/after figure in the same run.

The machine is shared, so the ratios to the plain-Keras reference measured in the same run
are the figures to compare between runs. The model table of each demo run (MASE per model,
epochs per seed) is recorded too: the runs of one tree must print identical tables (seeds
bit-identical run to run).

Usage::

    python benchmarks/bench_report_speed.py [--repeats 3] [--compare-ref HEAD] [--write]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

from _common import emit, machine_line

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "RESULTS_report_speed.md"
DATA = ROOT / "lstm_doctor" / "demo_data" / "airpassengers.csv"

#: The demo's set-up as a user writes it in plain Keras (one fit per seed).
PLAIN_SCRIPT = r'''
import json, os, sys, time
t0 = time.perf_counter()
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np, pandas as pd
import keras, tensorflow as tf
tf.config.experimental.enable_op_determinism()
t_import = time.perf_counter() - t0
y = pd.read_csv(sys.argv[1])["passengers"].to_numpy("float32")
n_test = int(np.ceil(0.2 * len(y)))
n_train, L = len(y) - n_test, 6
X = np.stack([y[t - L:t] for t in range(L, n_train)])[:, :, None]
Y = y[L:n_train, None]
H = np.stack([y[t - L:t] for t in range(n_train, len(y))])[:, :, None]
fits = []
for seed in map(int, sys.argv[2].split(",")):
    started = time.perf_counter()
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((L, 1)), keras.layers.LSTM(50, activation="relu"),
                              keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.Adam(0.001), loss="mse")
    model.fit(X, Y, epochs=100, batch_size=32, verbose=0)
    mae = float(np.mean(np.abs(model.predict(H, verbose=0)[:, 0] - y[n_train:])))
    fits.append({"seed": seed, "seconds": time.perf_counter() - started, "mae": mae})
print(json.dumps({"import": t_import, "fits": fits}))
'''


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(args: list[str], *, cwd: Path,
         env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """Wall and CPU seconds of a fresh process and its stdout (raises when it fails)."""
    started, cpu = time.perf_counter(), _cpu()
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=1800)
    seconds, cpu = time.perf_counter() - started, _cpu() - cpu
    if proc.returncode not in (0, 1):  # 1 = findings at or above --fail-on (the demo has some)
        raise RuntimeError(f"{args[:3]} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    return seconds, cpu, proc.stdout


def _model_table(stdout: str) -> dict[str, str]:
    """``{model: 'MASE | MAE | RMSE | sMAPE'}`` and the epochs line from a demo's output."""
    rows: dict[str, str] = {}
    for line in stdout.splitlines():
        cells = [c.strip() for c in re.split(r"[│|]", line) if c.strip()]
        if len(cells) >= 5 and cells[0] in ("naive", "seasonal_naive", "ets", "ets *", "mean",
                                            "baseline_lstm", "remediated_lstm"):
            rows[cells[0]] = " | ".join(cells[1:5])  # the training seconds are left out
        elif line.startswith("Epochs trained per seed"):
            rows["epochs"] = line.split(":", 1)[1].strip()
    return rows


def _export(ref: str, dest: Path) -> Path:
    """The package tree of ``ref`` (``git archive``; the repository is not changed)."""
    blob = subprocess.run(["git", "archive", "--format=tar", ref, "lstm_doctor", "templates"],
                          cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(blob)) as tar:
        tar.extractall(dest, filter="data")
    return dest


def _demo_command(tree: Path, out: Path) -> tuple[list[str], dict[str, str]]:
    env = dict(os.environ, PYTHONPATH=str(tree), TF_CPP_MIN_LOG_LEVEL="3")
    return ([sys.executable, "-c", "from lstm_doctor.cli import main; main()", "demo",
             "--output", str(out)], env)


def _versions() -> str:
    code = ("import importlib.metadata as m; print(', '.join(f'{p} {m.version(p)}' for p in "
            "('tensorflow-cpu', 'keras', 'numpy', 'statsmodels')))")
    try:
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              check=True).stdout.strip()
    except subprocess.CalledProcessError:
        return "versions unknown"


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print (and with ``--write`` save) its Markdown section."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--compare-ref", default=None,
                        help="git ref whose demo is timed too (a before figure)")
    parser.add_argument("--ref-repeats", type=int, default=None,
                        help="runs of the --compare-ref demo (default: --repeats)")
    parser.add_argument("--write", action="store_true", help=f"write {RESULTS.name}")
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        script = tmp / "plain_keras.py"
        script.write_text(PLAIN_SCRIPT)
        trees = {"lstm-doctor demo (this tree)": ROOT}
        if args.compare_ref:
            trees[f"lstm-doctor demo ({args.compare_ref})"] = _export(args.compare_ref,
                                                                      tmp / "ref")
        walls: dict[str, list[float]] = {name: [] for name in
                                         ("plain Keras, 1 seed", "plain Keras, 3 seeds", *trees)}
        cpus: dict[str, list[float]] = {name: [] for name in walls}
        ref_repeats = args.repeats if args.ref_repeats is None else args.ref_repeats
        fits: dict[str, list[float]] = {"plain Keras, 1 seed": [], "plain Keras, 3 seeds": []}
        tables: dict[str, list[dict[str, str]]] = {name: [] for name in trees}
        for round_ in range(args.repeats):
            jobs = [("plain Keras, 1 seed", "0"), ("plain Keras, 3 seeds", "0,1,2"),
                    *[(name, None) for name in trees
                      if trees[name] == ROOT or round_ < ref_repeats]]
            if round_ % 2:  # alternate the order: load drifts during a run
                jobs.reverse()
            for name, seeds in jobs:
                if seeds is not None:
                    seconds, cpu, out = _run([sys.executable, str(script), str(DATA), seeds],
                                             cwd=tmp)
                    fits[name].append(sum(f["seconds"] for f in json.loads(out)["fits"]))
                else:
                    command, env = _demo_command(trees[name], tmp / "report.html")
                    seconds, cpu, out = _run(command, cwd=tmp, env=env)
                    tables[name].append(_model_table(out))
                walls[name].append(seconds)
                cpus[name].append(cpu)
                print(f"round {round_ + 1}: {name}: {seconds:.1f} s wall, {cpu:.1f} s CPU",
                      file=sys.stderr)
    load_after = os.getloadavg()
    text = _markdown(args, walls, cpus, fits, tables, load_before, load_after)
    return emit(text, RESULTS, args.write)


def _markdown(args: argparse.Namespace, walls: dict[str, list[float]],
              cpus: dict[str, list[float]], fits: dict[str, list[float]],
              tables: dict[str, list[dict[str, str]]],
              load_before: tuple[float, ...], load_after: tuple[float, ...]) -> str:
    plain1 = _median(walls["plain Keras, 1 seed"])
    plain3 = _median(walls["plain Keras, 3 seeds"])
    lines = [
        "## `report` on the bundled demo vs plain Keras (`bench_report_speed.py`)",
        "",
        f"Machine: {machine_line()}; {_versions()}. Load average "
        f"{load_before[0]:.1f} at start, {load_after[0]:.1f} at end (2 cores shared with "
        "other jobs: compare the ratios, measured in the same run, rather than seconds).",
        "",
        f"Whole fresh processes (interpreter start and TensorFlow import included), median of "
        f"{args.repeats} interleaved rounds (the `--compare-ref` demo: "
        f"{args.repeats if args.ref_repeats is None else args.ref_repeats} runs). CPU = user + "
        "system seconds of the process (less sensitive to the other jobs than wall time). "
        "`lstm-doctor demo` = `report` on airpassengers "
        "with `fixtures/demo/config.yaml`: 3 seeds of the user's LSTM (100 epochs) and of the "
        "remediated LSTM (early stopping), the do-no-harm screening (one single-seed training "
        "per screened remedy), naive / seasonal naive / ETS, DM tests and the HTML report. "
        "Plain Keras = the demo's set-up written by hand (LSTM(50, relu), raw values, "
        "6-step windows, Adam, 100 epochs, batch 32), one `fit` per seed.",
        "",
        "| command | wall (s), median | runs (s) | CPU (s), median | `fit` time (s), median | "
        "wall / plain Keras 3 seeds | wall / plain Keras 1 seed |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, values in walls.items():
        fit = f"{_median(fits[name]):.2f}" if name in fits else ""
        ratio3 = ratio1 = ""
        if name.startswith("lstm-doctor"):
            ratio3 = f"**{_median(values) / plain3:.2f}**"
            ratio1 = f"{_median(values) / plain1:.2f}"
        lines.append(f"| {name} | {_median(values):.1f} | "
                     f"{' '.join(f'{v:.1f}' for v in values)} | {_median(cpus[name]):.1f} | "
                     f"{fit} | {ratio3} | {ratio1} |")
    lines += ["", "Model table printed by each demo run (MASE, MAE, RMSE, sMAPE; training "
              "seconds left out) and whether every run of the tree printed the same:", ""]
    for name, runs in tables.items():
        same = all(run == runs[0] for run in runs)
        lines.append(f"- {name}: identical in all {len(runs)} runs: **{'yes' if same else 'NO'}**")
        for model, row in (runs[0] if runs else {}).items():
            lines.append(f"  - {model}: {row}")
    target = _median(walls["lstm-doctor demo (this tree)"])
    cpu = _median(cpus["lstm-doctor demo (this tree)"])
    lines += ["", f"Target `report` demo <= 12 s wall: median {target:.1f} s -> "
              f"**{'met' if target <= 12 else 'not met'}** on this run, at load average "
              f"{load_before[0]:.1f}-{load_after[0]:.1f} (plain Keras, 3 seeds: {plain3:.1f} s "
              f"in the same run). The demo's CPU time, {cpu:.1f} s, is about its wall time on "
              "an idle machine (most of it runs on one core).", "",
              f"Speed-up over plain Keras: the whole demo (two LSTMs x 3 seeds, screening, "
              f"references, DM tests, HTML) finishes **{plain3 / target:.2f}x faster** than a "
              f"plain Keras script training only the user's LSTM for the same 3 seeds "
              f"({plain3:.1f} s), and {plain1 / target:.2f}x the speed of one plain seed "
              f"({plain1:.1f} s).", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
