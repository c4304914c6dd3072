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
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lstm_doctor.config import LSTMConfig
from lstm_doctor.data import json_stamp
from lstm_doctor.experiment.dm import dm_test
from lstm_doctor.experiment.forecasters import (
    ETSForecaster,
    expanding_mean,
    naive,
    seasonal_naive,
)
from lstm_doctor.experiment.metrics import all_metrics, mase_scale
from lstm_doctor.experiment.remediation import (
    Remediation,
    config_yaml,
    remediate_to_fixpoint,
    render_training_script,
)
from lstm_doctor.experiment.result import (
    LABELS,
    ExperimentResult,
    ModelResult,
    SeedRun,
)
from lstm_doctor.experiment.windows import (
    holdout_origins,
    input_matrix,
    make_windows,
    split_validation,
    train_origins,
)

MONITOR_FRACTION = 0.1
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
DM_NOTE = ("Diebold-Mariano tests use absolute-error loss (the loss MASE scales, so a test "
           "and the MASE column rank two models alike) on the seed-averaged forecasts, with "
           "the Harvey-Leybourne-Newbold small-sample correction and a t(n-1) distribution; "
           "a negative statistic means the first model has the lower loss. MASE in the table "
           "is the mean over seeds, the test compares the seed-averaged forecasts: when the "
           "two disagree on which model is more accurate, the verdict states both.")


@dataclass
class WorkData:
    """The series as the experiment uses it."""

    y: np.ndarray
    features: np.ndarray | None
    stamps: list[Any]
    n_train: int
    notes: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        """Length."""
        return int(self.y.shape[0])


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
    size = ctx.config.split.test_size
    given = getattr(ctx.series, "n_test_given", None)
    if given or (isinstance(size, int) and size >= 1):
        n_test = min(int(given or size), n - 1)
    else:
        n_test = max(1, math.ceil(size * n))
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


# -- progress --------------------------------------------------------------------------------
class _Progress:
    """One rich progress bar on stderr over all trainings' epochs: model, seed, epoch.

    A no-op when disabled. A training that stops early (early stopping, budget) advances
    the bar by its unused epochs.
    """

    def __init__(self, enabled: bool, total_epochs: int) -> None:
        self.progress = None
        self.task = None
        if enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                Progress,
                TaskProgressColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self.progress = Progress(TextColumn("{task.description}"), BarColumn(),
                                     TaskProgressColumn(), TimeElapsedColumn(),
                                     console=Console(stderr=True), transient=False)
            self.task = self.progress.add_task("training", total=max(1, total_epochs))

    def __enter__(self) -> _Progress:
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.progress is not None:
            self.progress.update(self.task, completed=self.progress.tasks[0].total)
            self.progress.stop()

    def callback(self, keras: Any, model: str, seed: int, epochs: int) -> list:
        """Keras callbacks that show ``model seed s epoch e/E`` (empty when disabled)."""
        if self.progress is None:
            return []
        progress, task = self.progress, self.task
        done = {"epochs": 0}

        class _Cb(keras.callbacks.Callback):
            def on_train_begin(self, logs=None):
                progress.update(task, description=f"{model} seed {seed} epoch 0/{epochs}")

            def on_epoch_end(self, epoch, logs=None):
                done["epochs"] = epoch + 1
                progress.update(task, advance=1,
                                description=f"{model} seed {seed} epoch {epoch + 1}/{epochs}")

            def on_train_end(self, logs=None):
                progress.update(task, advance=max(0, epochs - done["epochs"]))

        return [_Cb()]


# -- the LSTMs -------------------------------------------------------------------------------
def train_lstm(name: str, config: LSTMConfig, data: WorkData, *, seeds: list[int],
               epochs: int | None, budget: Any, user: bool, progress: _Progress | None = None,
               horizon: int | None = None) -> ModelResult:
    """Train one set-up with several seeds and forecast the holdout on the original scale.

    Parameters
    ----------
    name : str
        ``baseline_lstm``, ``remediated_lstm`` or an ablation name.
    config : LSTMConfig
        The set-up.
    data : WorkData
        The series and split.
    seeds : list of int
        One training per seed.
    epochs : int, optional
        Override of ``training.epochs``.
    budget : Budget
        Wall-clock budget shared by all trainings.
    user : bool
        True for the user's set-up as given (random validation split honoured, a monitoring
        split when there is no validation, Keras' default ``restore_best_weights=False``);
        False for remediated set-ups (temporal validation, best weights restored).
    progress : _Progress, optional
        Progress bar.
    horizon : int, optional
        Steps per forecast (default: the set-up's).
    """
    from lstm_doctor.experiment.lstm import LSTMForecaster, import_keras
    from lstm_doctor.preprocess import Pipeline, scale_features

    keras = import_keras()
    h = horizon or config.window.horizon
    L = config.window.seq_length
    result = ModelResult(name, "lstm", info={"config": config.to_dict()})
    try:
        pipe = Pipeline(config.preprocessing)
        z = pipe.fit_transform(data.y, data.n_train)
    except Exception as exc:  # noqa: BLE001 - e.g. log of a negative series
        result.error = f"preprocessing failed: {exc}"
        return result
    feats = None
    if data.features is not None:
        p = config.preprocessing
        feats = scale_features(data.features, data.n_train, p.scaler, p.scaler_fit) \
            if p.scaler != "none" else data.features
    U = input_matrix(z, feats)
    origins = train_origins(data.n_train, lost=pipe.lost, seq_length=L, horizon=h)
    if len(origins) < 2:
        result.error = (f"the set-up leaves {len(origins)} training window(s) "
                        f"({data.n_train} training points, seq_length {L}, horizon {h}, "
                        f"{pipe.lost} lost to differencing)")
        return result
    W = make_windows(U, z, origins, seq_length=L, horizon=h)
    H = make_windows(U, z, holdout_origins(data.n, data.n_train, horizon=h),
                     seq_length=L, horizon=h)
    t = config.training
    n_epochs = int(epochs or t.epochs)
    for seed in seeds:
        val_kind = None
        early = t.early_stopping
        if t.validation_split > 0:
            method = config.split.method if user else "temporal"
            fit_idx, val_idx = split_validation(len(W), t.validation_split, method=method,
                                                seed=seed)
            val_kind = "validation"
        elif user and len(W) >= 10:
            fit_idx, val_idx = split_validation(len(W), MONITOR_FRACTION)
            val_kind, early = "monitor", False
        else:
            fit_idx, val_idx = np.arange(len(W)), np.arange(0)
            early = False
        share = budget.next_share()
        est = LSTMForecaster.from_config(
            config, horizon=h, epochs=n_epochs, seed=seed, early_stopping=early,
            restore_best_weights=not user, max_seconds=share,
            min_epochs=0 if user else min_epochs_before_stopping(n_epochs),
            callbacks=progress.callback(keras, name, seed, n_epochs) if progress else None)
        fit, val = W.take(fit_idx), W.take(val_idx)
        try:
            est.fit(fit.X, fit.Y, validation_data=(val.X, val.Y) if len(val) else None)
        except Exception as exc:  # noqa: BLE001 - a set-up Keras rejects is a result too
            result.error = f"training failed: {type(exc).__name__}: {exc}"
            return result
        budget.spend(est.fit_seconds_)
        zpred = est.predict(H.X)
        with np.errstate(all="ignore"):
            pred = pipe.inverse(zpred, H.origins)
        result.runs.append(SeedRun(
            seed=seed, forecast=pred, history=est.history_, val_kind=val_kind,
            epochs_run=est.epochs_run_, epochs_max=n_epochs, seconds=est.fit_seconds_,
            stopped_by=est.stopped_by_, n_params=est.n_params_, transformed_forecast=zpred))
    result.info.update({"n_params": result.runs[0].n_params if result.runs else None,
                        "train_windows": int(len(W)), "pipeline": pipe.describe()})
    return result


def min_epochs_before_stopping(epochs: int) -> int:
    """Epochs a remediated LSTM trains before early stopping may end it.

    A fifth of the epochs, at least 10: on a small validation split the loss is noisy and
    often lowest at the first epoch, which used to stop (and rewind) the remediated LSTM at
    epoch 11, under-trained.
    """
    return int(min(max(10, epochs // 5), max(0, epochs - 1)))


# -- do no harm: remedies accepted on an inner validation split ----------------------------
#: Remedies that make the evaluation honest or the input usable at all: never judged by
#: accuracy (a leaky set-up scores better, so an accuracy test would undo them).
UNSCREENED = frozenset({"temporal-split", "validate-on-training", "scale", "early-stopping",
                        "set-test-size"})
#: Relative worsening of the inner-validation MAE that drops a remedy.
HARM_TOLERANCE = 0.02


def inner_split(data: WorkData, horizon: int) -> WorkData | None:
    """The training part as its own series: the end of it becomes an inner validation part.

    The inner validation part is as long as the holdout (at most 25% of the training
    part, at least the horizon); ``None`` when the training part is too short.
    """
    n_val = min(data.n - data.n_train, data.n_train // 4)
    n_val = max(n_val, horizon)
    if data.n_train - n_val < 10 or n_val < 1:
        return None
    return WorkData(y=data.y[: data.n_train].copy(),
                    features=None if data.features is None else data.features[: data.n_train],
                    stamps=data.stamps[: data.n_train], n_train=data.n_train - n_val)


def screen_remedies(rem: Remediation, data: WorkData, *, horizon: int, seed: int,
                    epochs: int | None, budget: Any, progress: _Progress | None = None
                    ) -> tuple[Remediation, list[dict[str, Any]]]:
    """Keep only the remedies that do not make the inner validation error worse.

    The remediated set-up and, for each screened remedy, the remediated set-up without it
    are trained once (one seed) on the first part of the training data and scored (MAE on
    the original scale, rolling origin) on its last part. A remedy whose removal lowers
    that error by more than :data:`HARM_TOLERANCE` is dropped and listed with its measured
    effect. The holdout is never looked at.

    Returns
    -------
    (Remediation, list of dict)
        The accepted remediation and one record per screened remedy (``remedy``,
        ``sources``, ``mae_with``, ``mae_without``, ``effect`` (relative change of the
        error the remedy causes; negative helps), ``kept``).
    """
    import dataclasses

    inner = inner_split(data, horizon)
    screened = [i for i, a in enumerate(rem.applied) if a.kind not in UNSCREENED]
    if inner is None or not screened:
        return rem, []
    actual_origins = holdout_origins(inner.n, inner.n_train, horizon=horizon)
    actual = np.array([inner.y[o: o + horizon] for o in actual_origins])

    def mae(config: LSTMConfig, name: str) -> float:
        model = train_lstm(name, config, inner, seeds=[seed], epochs=epochs, budget=budget,
                           user=False, progress=progress, horizon=horizon)
        if not model.ok or not len(actual):
            return float("nan")
        err = np.abs(model.forecast - actual)
        return float(np.mean(err)) if np.all(np.isfinite(err)) else float("inf")

    full = mae(rem.config, "screen: remediated")
    records, harmful = [], []
    for i in screened:
        applied = rem.applied[i]
        without = mae(rem.without(i), f"screen: without {applied.kind}")
        effect = (full - without) / without if np.isfinite(without) and without > 0 \
            else float("nan")
        harm = bool(np.isfinite(full) and np.isfinite(effect) and effect > HARM_TOLERANCE)
        records.append({"remedy": applied.kind, "describe": applied.describe(),
                        "sources": list(applied.sources), "mae_with": full,
                        "mae_without": without, "effect": effect, "kept": not harm})
        if harm:
            harmful.append(i)
    if not harmful:
        return rem, records
    kept = [a for i, a in enumerate(rem.applied) if i not in harmful]
    from lstm_doctor.experiment.remediation import apply_all

    effects = {r["remedy"]: r["effect"] for r in records}
    dropped = list(rem.dropped) + [
        {"remedy": rem.applied[i].describe(), "source": ", ".join(rem.applied[i].sources),
         "reason": (f"made the inner validation error worse by "
                    f"{effects[rem.applied[i].kind]:.0%} (do no harm: screened on the end "
                    "of the training data)")}
        for i in harmful]
    return dataclasses.replace(rem, applied=kept,
                               config=apply_all(rem.user_config, [a.remedy for a in kept]),
                               dropped=dropped), records


def harm_report(res: ExperimentResult) -> dict[str, Any] | None:
    """When the remediated LSTM loses to the user's on the holdout: the remedy responsible.

    Reads the ablation (run automatically in that case): the remedy whose removal lowers
    the remediated MASE most is named.
    """
    base, full = res.models.get("baseline_lstm"), res.models.get("remediated_lstm")
    if not (base and full and base.ok and full.ok) or not full.mase > base.mase:
        return None
    candidates = [a for a in res.ablation or [] if a.get("mase") is not None
                  and a["mase"] < full.mase]
    if not candidates:
        return {"remediated_mase": full.mase, "baseline_mase": base.mase, "responsible": None,
                "text": (f"the remediated LSTM lost to yours (MASE {full.mase:.2f} vs "
                         f"{base.mase:.2f}) and removing no single remedy recovers it: the "
                         "loss comes from the remedies together or from seed noise")}
    worst = min(candidates, key=lambda a: a["mase"])
    return {"remediated_mase": full.mase, "baseline_mase": base.mase,
            "responsible": worst["remedy"], "source": worst.get("source"),
            "mase_without": worst["mase"],
            "text": (f"the remediated LSTM lost to yours (MASE {full.mase:.2f} vs "
                     f"{base.mase:.2f}); the ablation names {worst['describe']} (from "
                     f"{worst.get('source') or 'remediation'}) as responsible: without it "
                     f"MASE is {worst['mase']:.2f}")}


# -- verdict ---------------------------------------------------------------------------------
def _fmt(x: float) -> str:
    return "n/a" if x is None or not np.isfinite(x) else f"{x:.2f}"


def _mase_text(summary: dict) -> str:
    """``MASE 0.58 ± 0.02`` (the spread only when several seeds ran)."""
    spread = (f" ± {_fmt(summary['mase_std'])}" if summary.get("n_seeds", 1) > 1
              and summary.get("mase_std") is not None else "")
    return f"MASE {_fmt(summary['mase'])}{spread}"


def _p(x: float | None) -> str:
    """``p = 0.012`` / ``p < 0.001`` / ``p = n/a``."""
    if x is None or not np.isfinite(x):
        return "p = n/a"
    return f"p = {x:.2g}" if x >= 0.001 else "p < 0.001"


def _dm_lookup(tests: list[dict], a: str, b: str) -> dict | None:
    return next((d for d in tests if d["a"] == a and d["b"] == b), None)


def verdict(res: ExperimentResult) -> tuple[str, str | None]:
    """Plain-words summary and the name of the model with the lowest MASE.

    Which model wins, whether the differences are real (Diebold-Mariano p < 0.05), and - when
    the check found a random walk (LD207) or white noise (LD206) - that the naive forecast or
    the mean is the right answer. An LSTM that is not significantly better than the best
    reference model is never presented as the winner.

    One loss drives both statements: models are ranked by MASE (mean over seeds) and the
    tests use absolute error (:data:`lstm_doctor.experiment.dm.REPORT_LOSS`), the loss MASE
    scales; every test cited names its loss. A test only supports "A is better than B" when
    its own loss ranks A first (``better``) and p < 0.05. When the test's loss ranks the
    pair the other way from MASE (a squared-error test, or the seed-averaged forecasts
    against the per-seed mean), both rankings are stated and neither model is called best.
    """
    finite = {n: m.mase for n, m in res.models.items() if m.ok and np.isfinite(m.mase)}
    if not finite:
        return "No model produced finite forecasts on the holdout.", None
    winner = min(finite, key=finite.get)
    best_ref = res.best_reference()
    ref_name = LABELS.get(best_ref.name, best_ref.name) if best_ref else None
    codes = set(res.finding_codes)
    parts: list[str] = []

    def test(a: str, b: str) -> dict | None:
        """The test of ``a`` vs ``b`` in either order, as seen from ``a``."""
        d = _dm_lookup(res.dm_tests, a, b) or _dm_lookup(res.dm_tests, b, a)
        return d

    def cite(d: dict | None) -> str:
        """``DM p = 0.012, absolute error``."""
        if d is None:
            return "DM p = n/a"
        return f"DM {_p(d.get('p_value'))}, {d.get('loss') or 'squared error'}"

    def supports(d: dict | None, a: str) -> bool:
        """The test says ``a`` is significantly more accurate on its own loss."""
        p = None if d is None else d.get("p_value")
        return (p is not None and bool(np.isfinite(p)) and p < 0.05
                and d.get("better") == a)

    def against(d: dict | None, a: str) -> str | None:
        """The model the test's loss ranks above ``a`` (``None`` when it agrees)."""
        if d is None or d.get("better") in (None, a):
            return None
        return d["better"]

    def disagreement(d: dict, lower_mase: str, other: str) -> str:
        """Both rankings, in words."""
        p = d.get("p_value")
        sig = p is not None and bool(np.isfinite(p)) and p < 0.05
        return (f"by MASE (mean over seeds) {LABELS.get(lower_mase, lower_mase)} has the lower "
                f"error ({_fmt(finite.get(lower_mase))} vs {_fmt(finite.get(other))}), but on "
                f"{d.get('loss') or 'squared error'} of the seed-averaged forecasts "
                f"{LABELS.get(other, other)} is " + ("significantly " if sig else "")
                + f"more accurate ({cite(d)})")

    if best_ref is not None and winner in ("baseline_lstm", "remediated_lstm"):
        d = test(winner, best_ref.name)
        if supports(d, winner):
            parts.append(f"Best on the holdout: {LABELS[winner]} (MASE {_fmt(finite[winner])}),"
                         f" significantly better than the best reference model, {ref_name} "
                         f"(MASE {_fmt(best_ref.mase)}; {cite(d)}).")
        elif against(d, winner):
            parts.append(f"No clear winner on the holdout: "
                         f"{disagreement(d, winner, best_ref.name)}: the simpler model is as "
                         "good.")
        else:
            parts.append(f"Lowest error on the holdout: {LABELS[winner]} (MASE "
                         f"{_fmt(finite[winner])}), but it is not significantly better than "
                         f"the best reference model, {ref_name} (MASE {_fmt(best_ref.mase)}; "
                         f"{cite(d)}): the simpler model is as good.")
    else:
        parts.append(f"Best on the holdout: {LABELS.get(winner, winner)} (MASE "
                     f"{_fmt(finite[winner])}).")
    if res.lstm_skipped:
        parts.append(f"The LSTMs were not trained: {res.lstm_skipped}.")
    base, rem = res.models.get("baseline_lstm"), res.models.get("remediated_lstm")
    if base is not None and rem is not None and base.ok and rem.ok:
        b, r = base.summary, rem.summary
        d = test("remediated_lstm", "baseline_lstm")
        if not np.isfinite(base.mase):
            parts.append(f"Your set-up produced non-finite forecasts (training diverged); the "
                         f"remediated LSTM reaches MASE {_fmt(rem.mase)}.")
        elif rem.mase < base.mase:
            head = (f"The remediated LSTM ({_mase_text(r)}) is "
                    + (f"{base.mase / rem.mase:.1f}× better" if base.mase >= 1.1 * rem.mase
                       else f"{1 - rem.mase / base.mase:.0%} better")
                    + f" than your set-up ({_mase_text(b)}) by MASE; ")
            if supports(d, "remediated_lstm"):
                tail = f"the Diebold-Mariano test says the difference is real ({cite(d)})."
            elif against(d, "remediated_lstm"):
                tail = (f"but on {d.get('loss') or 'squared error'} of the seed-averaged "
                        "forecasts your set-up is the more accurate one "
                        f"({cite(d)}): the two cannot be ranked.")
            else:
                tail = f"but the Diebold-Mariano test cannot tell them apart ({cite(d)})."
            parts.append(head + tail)
        else:
            parts.append(f"The remediated LSTM (MASE {_fmt(r['mase'])}) did not beat your "
                         f"set-up (MASE {_fmt(b['mase'])}; {cite(d)}).")
    if best_ref is not None and winner == best_ref.name:
        lstms = [m for m in (rem, base) if m is not None and m.ok and np.isfinite(m.mase)]
        if lstms:
            best_lstm = min(lstms, key=lambda m: m.mase)
            d = test(best_lstm.name, best_ref.name)
            advice = "." if codes & {"LD206", "LD207"} else \
                f": use {ref_name} unless the LSTM gets informative inputs."
            if against(d, best_ref.name):
                parts.append(f"No LSTM beats it by MASE, but the test disagrees: "
                             f"{disagreement(d, best_ref.name, best_lstm.name)}; neither is "
                             "clearly better.")
            else:
                parts.append(f"No LSTM beats it (best LSTM: {LABELS[best_lstm.name]}, MASE "
                             f"{_fmt(best_lstm.mase)}; {cite(d)}){advice}")
    naive_m = res.model("naive")
    if "LD207" in codes:
        parts.append("The series behaves like a random walk (LD207): the naive forecast (the "
                     "last value) is the right answer"
                     + (f" (MASE {_fmt(naive_m.mase)})" if naive_m else "")
                     + "; an LSTM can at best learn to copy it.")
    elif "LD206" in codes:
        mean_m = res.model("mean")
        parts.append("The series has no learnable signal (LD206, white noise): the mean is the "
                     "right answer" + (f" (MASE {_fmt(mean_m.mase)})" if mean_m else "")
                     + "; no LSTM can forecast noise.")
    return " ".join(parts), winner


# -- the experiment --------------------------------------------------------------------------
def run_references(res: ExperimentResult, data: WorkData, *, include_mean: bool) -> None:
    """Fit and forecast naive, seasonal naive, (mean) and ETS into ``res``."""
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


def _dm_tests(res: ExperimentResult, loss: str | None = None) -> list[dict[str, Any]]:
    """Diebold-Mariano tests of the report's model pairs, on one loss.

    Pairs: remediated vs your LSTM, each LSTM vs the best reference model, and your LSTM vs
    the better trivial forecast (naive / seasonal naive, what LD701 compares with) when that
    is not the best reference. ``loss`` defaults to
    :data:`lstm_doctor.experiment.dm.REPORT_LOSS` (absolute error, the loss MASE scales);
    each entry names its loss, and ``better`` is the model with the lower mean loss *on that
    loss* (seed-averaged forecasts), so a test never points the other way from its own loss.
    """
    from lstm_doctor.experiment.dm import LOSS_NAMES, REPORT_LOSS

    loss = loss or REPORT_LOSS
    pairs = []
    best = res.best_reference()
    if res.model("remediated_lstm") and res.model("baseline_lstm"):
        pairs.append(("remediated_lstm", "baseline_lstm"))
    for name in ("remediated_lstm", "baseline_lstm"):
        if res.model(name) and best is not None:
            pairs.append((name, best.name))
    trivial = [m for m in (res.model("naive"), res.model("seasonal_naive"))
               if m is not None and np.isfinite(m.mase)]
    if res.model("baseline_lstm") and trivial:
        name = min(trivial, key=lambda m: m.mase).name
        if ("baseline_lstm", name) not in pairs:
            pairs.append(("baseline_lstm", name))
    out = []
    actual = res.actual
    for a, b in pairs:
        fa, fb = res.models[a].forecast, res.models[b].forecast
        t = dm_test(actual, fa, fb, h=res.horizon, loss=loss)
        diff = t.mean_loss_diff
        better = None
        if np.isfinite(diff) and diff != 0:
            better = a if diff < 0 else b
        out.append({"a": a, "b": b, "statistic": t.statistic, "p_value": t.p_value,
                    "n": t.n, "h": t.h, "loss": LOSS_NAMES.get(loss, loss),
                    "mean_loss_diff": diff, "better": better,
                    "significant": bool(np.isfinite(t.p_value) and t.p_value < 0.05)})
    return out


def _ablation(res: ExperimentResult, rem: Remediation, data: WorkData, *, seeds: list[int],
              epochs: int | None, budget: Any, progress: _Progress | None) -> list[dict]:
    base, full = res.models.get("baseline_lstm"), res.models.get("remediated_lstm")
    if not (base and full and base.ok and full.ok):
        return []
    gain = base.mase - full.mase
    out = []
    for i, applied in enumerate(rem.applied):
        cfg = rem.without(i)
        entry: dict[str, Any] = {"remedy": applied.kind, "describe": applied.describe(),
                                 "source": ", ".join(applied.sources)}
        if cfg == rem.user_config:
            model = base
            entry["note"] = "removing it gives back your set-up"
        else:
            model = train_lstm(f"without {applied.kind}", cfg, data, seeds=seeds,
                               epochs=epochs, budget=budget, user=False, progress=progress,
                               horizon=res.horizon)
            for run in model.runs:
                run.metrics = all_metrics(res.actual, run.forecast, res.scale)
        if not model.ok:
            entry.update({"mase": None, "error": model.error})
            out.append(entry)
            continue
        s = model.summary
        delta = s["mase"] - full.mase
        entry.update({"mase": s["mase"], "mase_std": s["mase_std"], "mase_min": s["mase_min"],
                      "mase_max": s["mase_max"], "delta_mase": delta,
                      "share": delta / gain if np.isfinite(gain) and gain > 0 else None,
                      "n_seeds": len(model.runs)})
        out.append(entry)
    return out


def run_experiment(report: Any, ctx: Any, *, seeds: int = 3, epochs: int | None = None,
                   max_seconds: float | None = None, ablation: bool = False,
                   progress: bool = False, screen: bool = True) -> ExperimentResult:
    """Train and compare; fill ``report.comparison`` and set ``ctx.experiment``.

    Parameters
    ----------
    report : Report
        The check report (its findings' remedies make the remediated set-up).
    ctx : Context
        The run's context (series and the user's set-up).
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
    ExperimentResult
        Also stored as ``ctx.experiment``; ``report.comparison`` gets the plain-data view.
    """
    from lstm_doctor.experiment.lstm import Budget, keras_available

    started = time.perf_counter()
    data = prepare_data(ctx)
    h = ctx.config.window.horizon
    period = detect_period(ctx)
    origins = holdout_origins(data.n, data.n_train, horizon=h)
    codes = [f.code for f in report.findings]
    res = ExperimentResult(y=data.y, n_train=data.n_train, origins=origins, horizon=h,
                           period=period, scale=mase_scale(data.y[: data.n_train], period),
                           index=[data.stamps[i] for i in origins], finding_codes=codes,
                           notes=list(data.notes), extra={"holdout_end": data.stamps[-1]})
    if len(origins) == 0 or data.n_train < 3:
        res.lstm_skipped = (f"the holdout ({data.n - data.n_train} points) is shorter than the "
                            f"horizon ({h}) or the training split is too short")
        report.comparison = to_comparison(res, ctx, seeds=[], epochs=epochs,
                                          max_seconds=max_seconds, started=started)
        ctx.experiment = res
        return res
    rem = remediate_to_fixpoint(report)  # exactly what `lstm-doctor fix` writes
    res.remediation = rem
    run_references(res, data, include_mean="LD206" in codes)

    seed_list = list(range(max(1, int(seeds))))
    missing = keras_available()
    if missing:
        res.lstm_skipped = missing
    else:
        n_screen = (1 + sum(a.kind not in UNSCREENED for a in rem.applied)) if screen else 0
        n_train_runs = n_screen + len(seed_list) * (2 + (len(rem.applied) if ablation else 0))
        budget = Budget(max_seconds, n_train_runs)
        if screen:
            rem, res.extra["screening"] = screen_remedies(
                rem, data, horizon=h, seed=seed_list[0], epochs=epochs, budget=budget)
            res.remediation = rem
        per_run = [epochs or ctx.config.training.epochs, epochs or rem.config.training.epochs]
        total_epochs = len(seed_list) * (per_run[0] + per_run[1] * (
            1 + (len(rem.applied) if ablation else 0)))
        with _Progress(progress, total_epochs) as bar:
            for name, cfg, user in (("baseline_lstm", ctx.config, True),
                                    ("remediated_lstm", rem.config, False)):
                model = train_lstm(name, cfg, data, seeds=seed_list, epochs=epochs,
                                   budget=budget, user=user, progress=bar, horizon=h)
                if model.ok:
                    res.add(model)
                else:
                    res.models[name] = model
            res.dm_tests = _dm_tests(res)
            base, full = res.models.get("baseline_lstm"), res.models.get("remediated_lstm")
            lost = bool(base and full and base.ok and full.ok and full.mase > base.mase)
            if ablation or lost:
                res.ablation = _ablation(res, rem, data, seeds=seed_list, epochs=epochs,
                                         budget=budget, progress=bar)
                res.extra["ablation_automatic"] = lost and not ablation
            res.extra["harm"] = harm_report(res)
        res.extra["budget_seconds_used"] = budget.used
    if not res.dm_tests:
        res.dm_tests = _dm_tests(res)
    report.comparison = to_comparison(res, ctx, seeds=seed_list, epochs=epochs,
                                      max_seconds=max_seconds, started=started)
    ctx.experiment = res
    return res


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
                time_col=series.time_col, features=series.feature_names, seed=0,
                remedies=rem.applied, period=res.period,
                source_note=f"Data: {source} (target '{series.target}')."),
        })
    return out
