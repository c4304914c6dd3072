"""Training benchmarks (not part of the test suite).

``compare``: run ``lstm_doctor.report`` on real series with typical failing set-ups (3 seeds,
full epochs) and print MASE tables (mean ± std [min–max] over seeds), DM p-values, the
verdict and the LD7xx findings, as Markdown.

``overhead``: time the experiment's Keras wrapper (``LSTMForecaster.fit``) against a plain
Keras script on identical windows (median of several runs) - the wrapper must stay within
15% of plain Keras.

Usage::

    python benchmarks/bench_training.py compare [--cases air,gdp,...] [--seeds 3] [--out F]
    python benchmarks/bench_training.py overhead [--repeats 5] [--epochs 50]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
FIX = ROOT / "fixtures"

TUTORIAL = {  # the set-up of countless tutorials
    "preprocessing": {"scaler": "minmax", "scaler_fit": "full"},
    "window": {"seq_length": 10},
    "model": {"units": 50},
    "training": {"epochs": 100},
}

CASES = {
    "air": ("airpassengers.csv", {}, {"preprocessing": {"scaler": "none"},
                                      "window": {"seq_length": 6}, "model": {"units": 50},
                                      "training": {"epochs": 100}},
            "airline passengers, naive set-up (no scaling, no differencing, seq 6, LSTM(50))"),
    "gdp": ("macrodata.csv", {"target": "realgdp"}, TUTORIAL,
            "macrodata realgdp (trending, unit root), tutorial set-up (minmax on full series, "
            "seq 10, LSTM(50))"),
    "nile": ("nile.csv", {}, TUTORIAL, "Nile (random-walk-like level), tutorial set-up"),
    "sunspots": ("sunspots.csv", {}, {"preprocessing": {"scaler": "none"},
                                      "window": {"seq_length": 10},
                                      "model": {"units": 50, "activation": "relu"},
                                      "training": {"epochs": 100}},
                 "sunspots (stationary, quasi-cycle), unscaled relu set-up"),
    "noise": ("scenarios/failing/series.csv", {}, str(FIX / "scenarios/failing/config.yaml"),
              "white noise (100 points), the failing reference scenario"),
    "rw": ("generator:random_walk", {"n": 300, "seed": 1}, TUTORIAL,
           "synthetic random walk (300 points, tests/generators.py), tutorial set-up"),
}


def _data(file: str, kwargs: dict):
    """``(data, load kwargs)``: a fixture path or a generated series."""
    if file.startswith("generator:"):
        sys.path.insert(0, str(ROOT))
        from tests.generators import GENERATORS

        return GENERATORS[file.split(":", 1)[1]](**kwargs), {}
    return str(FIX / file), kwargs


def _cell(m: dict, key: str = "mase") -> str:
    if m.get(key) is None:
        return "n/a" + (f" ({m['error']})" if m.get("error") else "")
    if m.get("n_seeds", 1) > 1:
        return (f"{m[key]:.3f} ± {m[f'{key}_std']:.3f} "
                f"[{m[f'{key}_min']:.3f}, {m[f'{key}_max']:.3f}]")
    return f"{m[key]:.3f}"


def compare(cases: list[str], seeds: int, out: Path | None, epochs: int | None) -> str:
    """Run the cases and return the Markdown."""
    import lstm_doctor

    lines = ["# Training comparison on real series", "",
             f"seeds = {seeds}; epochs = {'set-up' if epochs is None else epochs}; "
             "MASE = mean ± std [min, max] over seeds (references are deterministic).", ""]
    for key in cases:
        file, kwargs, config, title = CASES[key]
        started = time.perf_counter()
        data, load = _data(file, kwargs)
        rep = lstm_doctor.report(data, config=config, seeds=seeds, epochs=epochs, **load)
        wall = time.perf_counter() - started
        c = rep.comparison
        lines += [f"## {title}", "",
                  f"holdout {c['holdout']['start']} .. {c['holdout']['end']} "
                  f"({c['holdout']['n']} points), period {c['period']}, wall {wall:.0f} s", "",
                  "| model | MASE | MAE | epochs run |", "|---|---|---|---|"]
        for m in c["models"]:
            ep = c["epochs_run"].get(m["name"], "")
            lines.append(f"| {m['name']} | {_cell(m)} | {_cell(m, 'mae')} | {ep} |")
        lines += ["", "| DM test | statistic | p-value |", "|---|---|---|"]
        for d in c["dm_tests"]:
            lines.append(f"| {d['a']} vs {d['b']} | {d['statistic']:.2f} | {d['p_value']:.3g} |")
        lines += ["", f"check findings: {', '.join(f.code for f in rep.findings)}", "",
                  "remedies: " + "; ".join(f"{r['describe']} [{r['source']}]"
                                           for r in c["remedies"]), "",
                  f"verdict: {c['verdict']}", ""]
        for f in rep.findings:
            if f.code.startswith("LD7"):
                lines.append(f"- {f.code} ({f.severity.value}): {f.message}")
        lines.append("")
        print(f"done {key}", file=sys.stderr, flush=True)
        if out:
            out.with_suffix(f".{key}.json").write_text(rep.to_json())
    text = "\n".join(lines)
    if out:
        out.write_text(text + "\n")
    return text


def overhead(repeats: int, epochs: int) -> dict[str, float]:
    """Median fit seconds: plain Keras vs the experiment's wrapper, same windows/seed."""
    import pandas as pd

    from lstm_doctor.experiment.lstm import LSTMForecaster, import_keras
    from lstm_doctor.experiment.windows import input_matrix, make_windows, train_origins

    keras = import_keras()
    y = pd.read_csv(FIX / "airpassengers.csv")["passengers"].to_numpy(float)
    z = (y - y[:115].mean()) / y[:115].std()
    W = make_windows(input_matrix(z), z, train_origins(115, lost=0, seq_length=12, horizon=1),
                     seq_length=12, horizon=1)

    def plain() -> float:
        t0 = time.perf_counter()
        keras.utils.set_random_seed(0)
        model = keras.Sequential([keras.Input((12, 1)), keras.layers.LSTM(32),
                                  keras.layers.Dense(1)])
        model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), loss="mse")
        model.fit(W.X, W.Y, epochs=epochs, batch_size=32, verbose=0)
        model.predict_on_batch(W.X)
        return time.perf_counter() - t0

    def wrapped() -> float:
        t0 = time.perf_counter()
        est = LSTMForecaster(units=32, epochs=epochs, batch_size=32, seed=0).fit(W.X, W.Y)
        est.predict(W.X)
        return time.perf_counter() - t0

    plain(), wrapped()  # warm-up
    a, b = [], []
    for _ in range(repeats):  # interleaved so load changes hit both
        a.append(plain())
        b.append(wrapped())
    res = {"plain_median_s": statistics.median(a), "wrapper_median_s": statistics.median(b)}
    res["overhead"] = res["wrapper_median_s"] / res["plain_median_s"] - 1
    return res


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("compare")
    c.add_argument("--cases", default=",".join(CASES))
    c.add_argument("--seeds", type=int, default=3)
    c.add_argument("--epochs", type=int, default=None)
    c.add_argument("--out", type=Path, default=None)
    o = sub.add_parser("overhead")
    o.add_argument("--repeats", type=int, default=5)
    o.add_argument("--epochs", type=int, default=50)
    args = parser.parse_args()
    if args.cmd == "compare":
        print(compare(args.cases.split(","), args.seeds, args.out, args.epochs))
    else:
        print(json.dumps(overhead(args.repeats, args.epochs), indent=2))


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
