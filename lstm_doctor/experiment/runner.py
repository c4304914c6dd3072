"""Train and compare: the user's LSTM, the remediated LSTM and honest reference forecasters.

Protocol (identical for every model):

- One temporal holdout: the last ``ceil(split.test_size * n)`` points of the series (the
  user's ``test_size``). Interior gaps (NaN/inf) are linearly interpolated and leading or
  trailing gaps trimmed first (LD101 reports them); the comparison says so in ``data_notes``.
- Rolling origin: for every origin ``t`` in the holdout, each model forecasts
  ``y[t .. t+h-1]`` from the actual history ``y[:t]`` (``h`` = ``window.horizon``).
- Every transform (log, Box-Cox, detrending, deseasonalising, differencing, scaling) is
  inverted (:meth:`lstm_doctor.preprocess.Pipeline.inverse`) and all metrics are computed on
  the original scale.
- The baseline LSTM is the user's set-up exactly as given (unscaled input, relu, full-series
  scaler, random validation split, no early stopping...), except that it is evaluated on the
  honest temporal holdout. When the set-up has no validation split, the last 10% of its
  training windows are held out as a *monitoring* split: it is never used for training
  decisions, only to record the validation curve the overfitting rule (LD703) reads.
- The remediated LSTM is the user's set-up with the findings' remedies applied
  (:mod:`lstm_doctor.experiment.remediation`); it always restores the best weights.
- Several seeds per LSTM (``keras.utils.set_random_seed`` with deterministic ops): metrics
  are reported as mean and spread; DM tests use the seed-averaged forecasts.

Data flows one way: :func:`run_experiment` reads the context and the check findings (their
remedies make the remediated set-up, their ``UseReference`` remedies the reference models
to add) and returns the :class:`ExperimentResult` and the plain ``comparison`` dict; it
changes neither the report nor the context. The training-symptom rules (LD7xx) then judge
the result. Training is in :mod:`.training`, the do-no-harm screening in :mod:`.screening`,
the verdict and the Diebold-Mariano tests in :mod:`.verdict`.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from lstm_doctor.context import holdout_length
from lstm_doctor.data import json_stamp
from lstm_doctor.experiment.forecasters import (
    ETSForecaster,
    expanding_mean,
    naive,
    seasonal_naive,
)
from lstm_doctor.experiment.metrics import mase_scale
from lstm_doctor.experiment.remediation import (
    Remediation,
    build_remediation,
    config_yaml,
    render_training_script,
)
from lstm_doctor.experiment.result import (
    ExperimentResult,
    ModelResult,
    SeedRun,
    advised_references,
)
from lstm_doctor.experiment.screening import (  # noqa: F401 - re-exported
    HARM_TOLERANCE,
    UNSCREENED,
    harm_report,
    inner_split,
    run_ablation,
    screen_remedies,
)
from lstm_doctor.experiment.training import (  # noqa: F401 - re-exported
    MONITOR_FRACTION,
    TrainingProgress,
    WorkData,
    _Progress,
    min_epochs_before_stopping,
    train_lstm,
)
from lstm_doctor.experiment.verdict import (  # noqa: F401 - re-exported
    DM_NOTE,
    _dm_tests,
    dm_tests,
    verdict,
)
from lstm_doctor.experiment.windows import holdout_origins

MONITORING_NOTE = (
    "Validation curves: the remediated LSTM (and a set-up with validation_split > 0) "
    "uses the last part of its training windows as validation split, with early stopping "
    "when configured. A set-up without validation gets a monitoring split (the last 10% of "
    "its training windows, held out from fitting) that only records the val_loss curve and "
    "never drives training decisions. The holdout is never used for training or stopping. "
    "Early stopping of the remediated LSTM starts watching after a fifth of its epochs (at "
    "least 10), so a noisy validation loss cannot stop it at epoch 1. Before the final "
    "runs, each remedy is screened on an inner validation split (the end of the training "
    "data, one seed): a remedy that makes that error worse is dropped (do no harm).")


#: Below this many seconds of ``--max-seconds`` per planned training, the do-no-harm
#: screening is left out (said in the report): a training's fixed start-up (graph
#: tracing, first batch) alone takes about a second on a small CPU.
MIN_SECONDS_PER_TRAINING = 1.0


def prepare_data(ctx: Any) -> WorkData:
    """Trim leading/trailing gaps, interpolate interior ones, apply the user's test size."""
    y = np.asarray(ctx.y, dtype=float).copy()
    notes: list[str] = []
    finite = np.isfinite(y)
    first, last = int(np.argmax(finite)), int(len(y) - np.argmax(finite[::-1]) - 1)
    if first > 0 or last < len(y) - 1:
        notes.append(f"trimmed {first} leading and {len(y) - 1 - last} trailing missing "
                     "values of the target")
    sl = slice(first, last + 1)
    y = y[sl]
    pos = np.arange(len(y))
    bad = ~np.isfinite(y)
    if bad.any():
        y[bad] = np.interp(pos[bad], pos[~bad], y[~bad])
        notes.append(f"linearly interpolated {int(bad.sum())} interior missing values of the "
                     "target (see LD101)")
    feats = None
    if ctx.series.features is not None and ctx.series.features.shape[1]:
        feats = ctx.series.features.to_numpy(dtype=float)[sl].copy()
        for j in range(feats.shape[1]):
            col = feats[:, j]
            ok = np.isfinite(col)
            if not ok.all():
                col[~ok] = np.interp(pos[~ok], pos[ok], col[ok]) if ok.any() else 0.0
                notes.append(f"interpolated {int((~ok).sum())} missing values of feature "
                             f"'{ctx.series.feature_names[j]}'")
    time_index = ctx.series.time
    if time_index is not None and len(time_index) == ctx.n:
        stamps = [json_stamp(v) for v in list(time_index[sl])]
    else:
        stamps = list(range(first, last + 1))
    n = len(y)
    n_test = holdout_length(ctx.config.split.test_size, n,
                            getattr(ctx.series, "n_test_given", None))
    return WorkData(y=y, features=feats, stamps=stamps, n_train=n - n_test, notes=notes)


def detect_period(ctx: Any) -> int | None:
    """The seasonal period from :func:`lstm_doctor.stats.detect_period` (None if unknown)."""
    try:
        from lstm_doctor.stats import detect_period as _detect
    except ImportError:  # the statistics module is optional for the experiment
        return None
    try:
        found = _detect(ctx)
    except Exception:  # noqa: BLE001 - a failing detector means "no period"
        return None
    period = (found or {}).get("period")
    return int(period) if period and int(period) > 1 else None


# -- the experiment --------------------------------------------------------------------------
def run_references(res: ExperimentResult, data: WorkData, *, include_mean: bool) -> None:
    """Fit and forecast naive, seasonal naive, (mean) and ETS into ``res``.

    ``include_mean``: add the expanding mean (when the check advises it, see
    :func:`run_experiment`).
    """
    y, o, h, p = data.y, res.origins, res.horizon, res.period
    started = time.perf_counter()
    res.add(ModelResult("naive", "reference", [SeedRun(None, naive(y, o, h))]))
    if p and data.n_train >= p:
        res.add(ModelResult("seasonal_naive", "reference",
                            [SeedRun(None, seasonal_naive(y, o, h, p))], info={"period": p}))
    if include_mean:
        res.add(ModelResult("mean", "reference", [SeedRun(None, expanding_mean(y, o, h))]))
    res.models["naive"].runs[0].seconds = time.perf_counter() - started
    started = time.perf_counter()
    try:
        ets = ETSForecaster(p).fit(y[: data.n_train])
        run = SeedRun(None, ets.predict(y, o, h))
        run.seconds = time.perf_counter() - started
        res.add(ModelResult("ets", "reference", [run], info=dict(ets.spec_)))
    except Exception as exc:  # noqa: BLE001 - a reference that fails is reported, not fatal
        res.models["ets"] = ModelResult("ets", "reference", error=f"{type(exc).__name__}: {exc}")


def run_experiment(ctx: Any, findings: Any, *, remediation: Remediation | None = None,
                   seeds: int = 3, epochs: int | None = None,
                   max_seconds: float | None = None, ablation: bool = False,
                   progress: bool = False, screen: bool = True
                   ) -> tuple[ExperimentResult, dict[str, Any]]:
    """Train and compare; return the result and its plain-data comparison.

    Reads ``ctx`` and ``findings`` and changes neither: the caller stores the comparison in
    the report and gives the result to the training-symptom rules (LD7xx).

    Parameters
    ----------
    ctx : Context
        The run's context (series and the user's set-up).
    findings : list of Finding or Report
        The check findings, most severe first: their remedies make the remediated set-up
        (unless ``remediation`` is given), and their ``UseReference`` remedies name the
        reference models that are the right answer (the mean forecast is added when one
        advises it).
    remediation : Remediation, optional
        The remediated set-up (e.g. refined to a fixpoint by
        :func:`lstm_doctor.fixpoint.remediate_to_fixpoint`, exactly what
        ``lstm-doctor fix`` writes). Default: the findings' remedies composed once.
    seeds : int
        Seeds per LSTM.
    epochs : int, optional
        Override ``training.epochs`` of every LSTM.
    max_seconds : float, optional
        Wall-clock budget for all trainings together: each training gets an equal share of
        what is left and stops (after the current batch) once it is used.
    ablation : bool
        Retrain the remediated set-up with each remedy removed in turn. It also runs by
        itself when the remediated LSTM loses to the user's, to name the remedy responsible.
    progress : bool
        Show a progress bar on stderr.
    screen : bool
        Do no harm: accept each remedy only if it does not make the error on an inner
        validation split (the end of the training data) worse (:func:`screen_remedies`).

    Returns
    -------
    (ExperimentResult, dict)
        The result (what the LD7xx rules read) and the ``report.comparison`` block.
    """
    from lstm_doctor.experiment.lstm import Budget, keras_available

    findings = list(getattr(findings, "findings", findings) or [])
    started = time.perf_counter()
    data = prepare_data(ctx)
    names = list(getattr(ctx.series, "feature_names", None) or [])
    h = ctx.config.window.horizon
    period = detect_period(ctx)
    origins = holdout_origins(data.n, data.n_train, horizon=h)
    res = ExperimentResult(y=data.y, n_train=data.n_train, origins=origins, horizon=h,
                           period=period, scale=mase_scale(data.y[: data.n_train], period),
                           index=[data.stamps[i] for i in origins],
                           finding_codes=[f.code for f in findings],
                           advised=advised_references(findings),
                           notes=list(data.notes), extra={"holdout_end": data.stamps[-1]})
    if len(origins) == 0 or data.n_train < 3:
        res.lstm_skipped = (f"the holdout ({data.n - data.n_train} points) is shorter than the "
                            f"horizon ({h}) or the training split is too short")
        return res, to_comparison(res, ctx, seeds=[], epochs=epochs, max_seconds=max_seconds,
                                  started=started)
    rem = remediation if remediation is not None else build_remediation(ctx.config, findings)
    res.remediation = rem
    run_references(res, data, include_mean="mean" in res.advised)
    seed_list = list(range(max(1, int(seeds))))
    missing = keras_available()
    if missing:
        res.lstm_skipped = missing
    else:
        n_screen = (1 + sum(a.kind not in UNSCREENED for a in rem.applied)) if screen else 0
        n_train_runs = n_screen + len(seed_list) * (2 + (len(rem.applied) if ablation else 0))
        if max_seconds is not None:  # loading TensorFlow is not training time
            from lstm_doctor.experiment.lstm import import_keras

            import_keras()
        budget = Budget(max_seconds, n_train_runs)
        if screen and max_seconds is not None and \
                max_seconds < n_train_runs * MIN_SECONDS_PER_TRAINING:
            # too tight for every training: the LSTMs themselves come first
            budget.skip(f"screening of {n_screen - 1} remedies ({n_screen} trainings)")
            budget.remaining = max(1, budget.remaining - (n_screen - 1))
            screen = False
        if screen:  # with a budget, screening gets its share and no more
            share = None if max_seconds is None else max_seconds * n_screen / n_train_runs
            screen_budget = budget if share is None else Budget(share, n_screen)
            rem, res.extra["screening"] = screen_remedies(
                rem, data, horizon=h, seed=seed_list[0], epochs=epochs, budget=screen_budget,
                feature_names=names)
            if screen_budget is not budget:
                budget.skipped.extend(screen_budget.skipped)
                budget.used += screen_budget.used
                budget.remaining = max(1, budget.remaining - n_screen)
            res.remediation = rem
        per_run = [epochs or ctx.config.training.epochs, epochs or rem.config.training.epochs]
        total_epochs = len(seed_list) * (per_run[0] + per_run[1] * (
            1 + (len(rem.applied) if ablation else 0)))
        with TrainingProgress(progress, total_epochs) as bar:
            # with a budget, seed by seed across both models: a tight budget then keeps
            # (at least) one seed of each rather than every seed of the baseline
            rounds = [[s] for s in seed_list] if max_seconds is not None else [seed_list]
            rem_data = _remediated_data(rem, data, names, res)  # inputs dropped/differenced
            for seeds_now in rounds:
                for name, cfg, user, inputs in (("baseline_lstm", ctx.config, True, data),
                                                ("remediated_lstm", rem.config, False,
                                                 rem_data)):
                    _keep(res, train_lstm(name, cfg, inputs, seeds=seeds_now, epochs=epochs,
                                          budget=budget, user=user, progress=bar,
                                          horizon=h))
            res.dm_tests = dm_tests(res)
            base, full = res.models.get("baseline_lstm"), res.models.get("remediated_lstm")
            lost = bool(base and full and base.ok and full.ok and full.mase > base.mase)
            if ablation or lost:
                res.ablation = run_ablation(res, rem, data, seeds=seed_list, epochs=epochs,
                                            budget=budget, progress=bar, feature_names=names)
                res.extra["ablation_automatic"] = lost and not ablation
            res.extra["harm"] = harm_report(res)
        res.extra["budget_seconds_used"] = budget.used
        res.extra["budget_skipped"] = list(budget.skipped)
    if not res.dm_tests:
        res.dm_tests = dm_tests(res)
    return res, to_comparison(res, ctx, seeds=seed_list, epochs=epochs,
                              max_seconds=max_seconds, started=started)


def _remediated_data(rem: Remediation, data: WorkData, names: list[str],
                     res: ExperimentResult) -> WorkData:
    """The data the remediated LSTM trains on: its input-column remedies applied."""
    try:
        return rem.work_data(data, names)
    except ValueError as exc:  # columns without names: train on them as given, and say so
        res.extra.setdefault("notes", []).append(str(exc))
        return data


def _keep(res: ExperimentResult, model: ModelResult) -> None:
    """Store a model's seeds, adding them to the seeds it has (seed-by-seed training)."""
    have = res.models.get(model.name)
    if have is not None and have.ok and model.ok:
        res.add(model)  # computes the new seeds' metrics
        have.runs.extend(model.runs)
        res.models[model.name] = have
    elif model.ok or have is None:
        if model.ok:
            res.add(model)
        else:
            res.models[model.name] = model


def to_comparison(res: ExperimentResult, ctx: Any, *, seeds: list[int], epochs: int | None,
                  max_seconds: float | None, started: float) -> dict[str, Any]:
    """The plain-data ``report.comparison`` block (keys documented in the README/HTML)."""
    rem: Remediation | None = res.remediation
    text, winner = verdict(res)
    n = len(res.y)
    out: dict[str, Any] = {
        "holdout": {"start": res.index[0] if res.index else None,
                    "end": res.extra.get("holdout_end"),
                    "n": n - res.n_train, "n_origins": int(len(res.origins)),
                    "train_n": res.n_train, "horizon": res.horizon,
                    "method": "temporal holdout, rolling origin from actual history"},
        "period": res.period,
        "mase_scale": {"value": res.scale,
                       "method": f"in-sample seasonal naive (lag {res.period}) MAE on the "
                                 "training split" if res.period and res.n_train > 2 * res.period
                       else "in-sample naive (lag 1) MAE on the training split"},
        "models": [m.to_dict() for m in res.models.values()],
        "dm_tests": res.dm_tests,
        "dm_note": DM_NOTE,
        "ablation": res.ablation,
        "ablation_automatic": bool(res.extra.get("ablation_automatic")),
        "screening": res.extra.get("screening") or [],
        "harm": res.extra.get("harm"),
        "verdict": text + (" " + res.extra["harm"]["text"][:1].upper()
                           + res.extra["harm"]["text"][1:] + "."
                           if res.extra.get("harm") else ""),
        "winner": winner,
        "seeds": seeds,
        "epochs": epochs,
        "monitoring": MONITORING_NOTE,
        "data_notes": res.notes,
        "forecasts": {
            "index": list(res.index),
            "actual": res.actual[:, 0].tolist() if len(res.origins) else [],
            "models": {name: m.forecast[:, 0].tolist() for name, m in res.models.items()
                       if m.ok},
            "step": 1,
        },
        "histories": {name: [{"seed": r.seed, "loss": r.history.get("loss", []),
                              "val_loss": r.history.get("val_loss", []),
                              "val_kind": r.val_kind} for r in m.runs]
                      for name, m in res.models.items() if m.kind == "lstm"},
        "epochs_run": {name: [r.epochs_run for r in m.runs]
                       for name, m in res.models.items() if m.kind == "lstm"},
        "budget": {"max_seconds": max_seconds,
                   "training_seconds": res.extra.get("budget_seconds_used"),
                   "skipped": res.extra.get("budget_skipped", []),
                   "total_seconds": round(time.perf_counter() - started, 3)},
    }
    if res.lstm_skipped:
        out["lstm_skipped"] = res.lstm_skipped
    if rem is not None:
        series = ctx.series
        header = ["Remediated LSTM set-up written by lstm-doctor (same schema as your "
                  "config).", "Changes:"]
        header += [f"  {a.describe()}  [{', '.join(a.sources)}]" for a in rem.applied] or \
            ["  none"]
        source = series.source if not str(series.source).startswith("<") else "data.csv"
        out.update({
            "remediated_config": rem.config.to_dict(),
            "remedies": [a.to_dict() for a in rem.applied],
            "remedies_dropped": rem.dropped,
            "advice": rem.advice,
            "config_diff": rem.diff(),
            "remediated_config_yaml": config_yaml(rem.config, header=header),
            "training_script": render_training_script(
                rem.config, data_path=str(source), target=series.target,
                time_col=series.time_col,
                features=rem.kept_features(list(series.feature_names or [])), seed=0,
                remedies=rem.applied, period=res.period,
                source_note=f"Data: {source} (target '{series.target}')."),
        })
    return out
