"""Training benchmarks (not part of the test suite).

``compare``: run ``lstm_doctor.report`` on real series with typical failing set-ups (3 seeds,
full epochs) and print MASE tables (mean ± std [min–max] over seeds), DM p-values, the
verdict and the LD7xx findings, as Markdown.

``overhead``: the training cost of lstm-doctor against a plain Keras script with the same
set-up, data, epochs, batch size and seed (median of several interleaved runs): the Keras
wrapper (``LSTMForecaster``) on identical windows, and the whole baseline path
(``train_lstm``: preprocessing, windows, fit, holdout forecast) against the script a user
writes; the ratio must stay <= 1.15. Also the baseline's and the remediated LSTM's training
time in ``lstm_doctor.report`` (the remediated run stops early). ``--write`` writes
``RESULTS_training_cost.md``.

Usage::

    python benchmarks/bench_training.py compare [--cases air,gdp,...] [--seeds 3] [--out F]
    python benchmarks/bench_training.py overhead [--repeats 5] [--cases air,taylor] [--write]
"""

from __future__ import annotations

import argparse
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
    "rw": ("generator:random_walk", {"n": 300, "seed": 0}, TUTORIAL,
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


def compare(cases: list[str], seeds: int, out: Path | None, epochs: int | None,
            ablation: bool = False) -> str:
    """Run the cases and return the Markdown."""
    import lstm_doctor

    lines = ["# Training comparison on real series", "",
             f"seeds = {seeds}; epochs = {'set-up' if epochs is None else epochs}; "
             "MASE = mean ± std [min, max] over seeds (references are deterministic).", ""]
    for key in cases:
        file, kwargs, config, title = CASES[key]
        started = time.perf_counter()
        data, load = _data(file, kwargs)
        rep = lstm_doctor.report(data, config=config, seeds=seeds, epochs=epochs,
                                 ablation=ablation, **load)
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
        if c["ablation"]:
            lines += ["", "| without | MASE | Δ MASE | share of the gain |", "|---|---|---|---|"]
            for a in c["ablation"]:
                share = "n/a" if a.get("share") is None else f"{a['share']:.0%}"
                delta = "n/a" if a.get("delta_mase") is None else f"{a['delta_mase']:+.3f}"
                lines.append(f"| {a['describe']} [{a['source']}] | {_cell(a)} | {delta} | "
                             f"{share} |")
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


#: Set-ups of the training-cost benchmark: (series file, column, set-up, epochs).
COST_CASES = {
    "air": ("airpassengers.csv", None,
            {"preprocessing": {"scaler": "minmax"}, "window": {"seq_length": 12},
             "model": {"units": 32}, "training": {"batch_size": 32, "validation_split": 0.1}},
            50, "airpassengers (144 points, ~100 windows: per-epoch overhead dominates)"),
    "taylor": ("taylor.csv", "demand",
               {"preprocessing": {"scaler": "minmax"}, "window": {"seq_length": 48},
                "model": {"units": 32}, "training": {"batch_size": 64, "validation_split": 0.1}},
               10, "taylor (4032 half-hourly points, ~3,200 windows: compute dominates)"),
}


def _cost_setup(key: str, epochs: int | None = None):
    """``(LSTMConfig, WorkData, epochs, title)`` of a training-cost case."""
    import pandas as pd

    from lstm_doctor.config import load_config
    from lstm_doctor.context import Context
    from lstm_doctor.data import load_series
    from lstm_doctor.experiment.runner import prepare_data

    file, column, setup, default_epochs, title = COST_CASES[key]
    epochs = epochs or default_epochs
    frame = pd.read_csv(FIX / file)
    cfg = load_config({**setup, "training": {**setup["training"], "epochs": epochs}})
    ctx = Context(load_series(frame, target=column), cfg, config_given=True)
    return cfg, prepare_data(ctx), epochs, title


def _plain_keras_script(keras, y: np.ndarray, n_train: int, cfg) -> float:
    """What a user writes for the same set-up: scale, windows, fit, forecast the holdout."""
    from numpy.lib.stride_tricks import sliding_window_view
    from sklearn.preprocessing import MinMaxScaler

    t0 = time.perf_counter()
    L, h, t = cfg.window.seq_length, cfg.window.horizon, cfg.training
    scaler = MinMaxScaler().fit(y[:n_train, None])
    z = scaler.transform(y[:, None])[:, 0].astype(np.float32)
    X = sliding_window_view(z[:n_train - h], L)[:, :, None]
    Y = sliding_window_view(z[L:n_train], h)
    Xh = sliding_window_view(z[n_train - L:len(z) - h], L)[:, :, None]
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((L, 1)), keras.layers.LSTM(cfg.model.units),
                              keras.layers.Dense(h)])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=t.learning_rate), loss="mse")
    model.fit(X, Y, epochs=t.epochs, batch_size=t.batch_size, validation_split=t.validation_split,
              shuffle=True, verbose=0)
    scaler.inverse_transform(model.predict(Xh, verbose=0))
    return time.perf_counter() - t0


def _doctor_baseline(cfg, data) -> tuple[float, dict]:
    """lstm-doctor's baseline path for the same set-up (one seed, no budget)."""
    from lstm_doctor.experiment.lstm import Budget
    from lstm_doctor.experiment.runner import train_lstm

    t0 = time.perf_counter()
    res = train_lstm("baseline_lstm", cfg, data, seeds=[0], epochs=None,
                     budget=Budget(None, 1), user=True)
    wall = time.perf_counter() - t0
    if res.error:
        raise RuntimeError(res.error)
    run = res.runs[0]
    return wall, {"epochs": run.epochs_run, "fit_s": run.seconds}


def _plain_fit(keras, W, epochs: int) -> float:
    """Plain Keras compile/fit/predict on the windows (LSTM(32), Adam, MSE, batch 32)."""
    t0 = time.perf_counter()
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input(W.X.shape[1:]), keras.layers.LSTM(32),
                              keras.layers.Dense(W.Y.shape[1])])
    model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.001), loss="mse")
    model.fit(W.X, W.Y, epochs=epochs, batch_size=32, verbose=0)
    model.predict_on_batch(W.X)
    return time.perf_counter() - t0


def _wrapper_fit(W, epochs: int) -> float:
    """The same with lstm-doctor's ``LSTMForecaster``."""
    from lstm_doctor.experiment.lstm import LSTMForecaster

    t0 = time.perf_counter()
    est = LSTMForecaster(units=32, epochs=epochs, batch_size=32, seed=0).fit(W.X, W.Y)
    est.predict(W.X)
    return time.perf_counter() - t0


def _interleaved(plain, doctor, repeats: int) -> tuple[list[float], list[float]]:
    """Alternate the order (plain, doctor), (doctor, plain), ... so that neither always runs
    first; one warm-up pair first (graph tracing, caches)."""
    plain(), doctor()
    a, b = [], []
    for i in range(repeats):
        if i % 2 == 0:
            a.append(plain())
            b.append(doctor())
        else:
            b.append(doctor())
            a.append(plain())
    return a, b


def overhead(repeats: int, cases: list[str], report_runs: int,
             epochs: int | None = None) -> str:
    """Training cost of lstm-doctor vs a plain Keras script; returns the Markdown section.

    1. Wrapper: ``LSTMForecaster.fit`` + ``predict`` vs plain ``keras`` compile/fit/predict on
       identical windows (same epochs, batch size, seed).
    2. Whole baseline path: ``train_lstm`` (preprocessing, windows, validation split, fit,
       holdout forecast on the original scale) vs the plain script a user writes for the
       same set-up (MinMaxScaler fitted on train, sliding windows, ``validation_split``).
    3. ``lstm_doctor.report`` (1 seed): the baseline's and the remediated LSTM's training
       wall time and epochs (the remediated run stops early).

    Runs alternate (plain, doctor), (doctor, plain)... after one warm-up pair, so that load
    changes hit both and neither always runs first; medians over ``repeats``.
    """
    import os
    from functools import partial

    from lstm_doctor.experiment.lstm import import_keras
    from lstm_doctor.experiment.windows import input_matrix, make_windows, train_origins

    keras = import_keras()
    load = os.getloadavg()[0]
    lines = ["## Training cost: lstm-doctor vs a plain Keras script", "",
             f"Median of {repeats} runs, alternating (plain, doctor), (doctor, plain), ... after "
             "a warm-up pair; one seed; deterministic "
             f"ops on (both); load average at start {load:.1f} (2 shared cores).", "",
             "| case | what | epochs | plain Keras (s) | lstm-doctor (s) | ratio | runs "
             "(plain / doctor, s) |", "|---|---|---|---|---|---|---|"]
    ratios = []
    for key in cases:
        cfg, data, n_epochs, title = _cost_setup(key, epochs)
        z = (data.y - data.y[:data.n_train].min()) / np.ptp(data.y[:data.n_train])
        L = cfg.window.seq_length
        W = make_windows(input_matrix(z), z,
                         train_origins(data.n_train, lost=0, seq_length=L, horizon=1),
                         seq_length=L, horizon=1)
        a, b = _interleaved(partial(_plain_fit, keras, W, n_epochs),
                            partial(_wrapper_fit, W, n_epochs), repeats)
        ratio = statistics.median(b) / statistics.median(a)
        ratios.append(ratio)
        lines.append(f"| {title} | `LSTMForecaster` fit + predict, {len(W)} windows | {n_epochs} "
                     f"| {statistics.median(a):.2f} | {statistics.median(b):.2f} "
                     f"| **{ratio:.3f}** | {' '.join(f'{x:.2f}' for x in a)} / "
                     f"{' '.join(f'{x:.2f}' for x in b)} |")
        a, b = _interleaved(partial(_plain_keras_script, keras, data.y, data.n_train, cfg),
                            lambda: _doctor_baseline(cfg, data)[0], repeats)  # noqa: B023
        ratio = statistics.median(b) / statistics.median(a)
        ratios.append(ratio)
        lines.append(f"| {title} | whole baseline path (`train_lstm`) vs the user's script | "
                     f"{n_epochs} | {statistics.median(a):.2f} | {statistics.median(b):.2f} "
                     f"| **{ratio:.3f}** | {' '.join(f'{x:.2f}' for x in a)} / "
                     f"{' '.join(f'{x:.2f}' for x in b)} |")
        print("\n".join(lines[-2:]), file=sys.stderr, flush=True)
    worst = max(ratios)
    lines += ["", f"Worst ratio {worst:.3f}: target <= 1.15 "
              + ("**met**." if worst <= 1.15 else "**NOT met**.")]
    lines += ["", "### Baseline vs remediated LSTM in `lstm_doctor.report` (1 seed)", "",
              "| case | baseline: train s (epochs) | remediated: train s (epochs, stopped by) "
              "| report wall (s) |", "|---|---|---|---|"]
    import lstm_doctor

    for key in cases if report_runs > 0 else []:
        file, column, setup, _, title = COST_CASES[key]
        setup = {**setup, "training": {**setup["training"], "epochs": 100}}
        rows = []
        for _ in range(report_runs):
            t0 = time.perf_counter()
            rep = lstm_doctor.report(str(FIX / file), target=column, config=setup, seeds=1)
            wall = time.perf_counter() - t0
            models = {m["name"]: m for m in rep.comparison["models"]}
            rows.append((wall, models["baseline_lstm"]["seeds"][0],
                         models["remediated_lstm"]["seeds"][0]))
        wall = statistics.median(r[0] for r in rows)
        base = statistics.median(r[1]["train_seconds"] for r in rows)
        rem = statistics.median(r[2]["train_seconds"] for r in rows)
        b, r = rows[0][1], rows[0][2]
        lines.append(f"| {title}, set-up epochs 100 | {base:.1f} ({b['epochs_run']} epochs, "
                     f"{b['stopped_by']}) | {rem:.1f} ({r['epochs_run']} epochs, "
                     f"{r['stopped_by']}) | {wall:.1f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("compare")
    c.add_argument("--cases", default=",".join(CASES))
    c.add_argument("--seeds", type=int, default=3)
    c.add_argument("--epochs", type=int, default=None)
    c.add_argument("--out", type=Path, default=None)
    c.add_argument("--ablation", action="store_true")
    o = sub.add_parser("overhead")
    o.add_argument("--repeats", type=int, default=8)
    o.add_argument("--cases", default=",".join(COST_CASES))
    o.add_argument("--report-runs", type=int, default=3)
    o.add_argument("--epochs", type=int, default=None, help="override every case's epochs")
    o.add_argument("--write", action="store_true", help="write RESULTS_training_cost.md")
    args = parser.parse_args()
    if args.cmd == "compare":
        print(compare(args.cases.split(","), args.seeds, args.out, args.epochs, args.ablation))
    else:
        text = overhead(args.repeats, args.cases.split(","), args.report_runs, args.epochs)
        print(text)
        if args.write:
            (ROOT / "benchmarks" / "RESULTS_training_cost.md").write_text(text)


if __name__ == "__main__":
    np.seterr(all="ignore")
    main()
