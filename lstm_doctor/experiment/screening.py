"""Do no harm: remedies accepted on an inner validation split, and the harm report.

Each screened remedy is judged on the end of the training data (never the holdout); a
remediated LSTM that loses to the user's on the holdout is ablated, and the remedy whose
removal helps most is named.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from lstm_doctor.config import LSTMConfig
from lstm_doctor.experiment.metrics import all_metrics
from lstm_doctor.experiment.remediation import Remediation, apply_all
from lstm_doctor.experiment.result import ExperimentResult
from lstm_doctor.experiment.training import TrainingProgress, WorkData, train_lstm
from lstm_doctor.experiment.windows import holdout_origins

#: Remedies that make the evaluation honest or the input usable at all: never judged by
#: accuracy (a leaky set-up scores better, so an accuracy test would undo them). Dropping a
#: column that leaks the target's future is one of them.
UNSCREENED = frozenset({"temporal-split", "validate-on-training", "scale", "early-stopping",
                        "set-test-size", "drop-leaking-features"})
#: Relative worsening of the inner-validation MAE that drops a remedy.
HARM_TOLERANCE = 0.02
#: Remedies that extrapolate a fitted shape into the future (a linear trend fitted on the
#: training split): kept only when they *help* the inner validation error by at least
#: :data:`HARM_TOLERANCE`. On the truth benchmark (M3 monthly, competent set-up) a kept
#: detrend was the remedy responsible in 2 of the 3 harmed series: a trend that bends after
#: the training split makes the extrapolation wrong.
PROVE_GAIN = frozenset({"detrend"})


def inner_split(data: WorkData, horizon: int) -> WorkData | None:
    """The training part as its own series: the end of it becomes an inner validation part.

    The inner validation part is as long as the holdout (at most 25% of the training
    part, at least the horizon); ``None`` when the training part is too short.
    """
    n_val = min(data.n - data.n_train, data.n_train // 4)
    n_val = max(n_val, horizon)
    if data.n_train - n_val < 10 or n_val < 1:
        return None
    return dataclasses.replace(
        data, y=data.y[: data.n_train].copy(),
        features=None if data.features is None else data.features[: data.n_train],
        stamps=data.stamps[: data.n_train], n_train=data.n_train - n_val, notes=[])


def _columns_known(rem: Remediation, data: WorkData, names: list[str] | None) -> bool:
    """Whether the remedies on input columns can be applied to ``data``."""
    if not rem.feature_changes() or data.features is None:
        return True
    names = names if names is not None else getattr(data, "feature_names", None)
    return bool(names) and len(names) == data.features.shape[1]


def screen_remedies(rem: Remediation, data: WorkData, *, horizon: int, seed: int,
                    epochs: int | None, budget: Any, progress: TrainingProgress | None = None,
                    feature_names: list[str] | None = None
                    ) -> tuple[Remediation, list[dict[str, Any]]]:
    """Keep only the remedies that do not make the inner validation error worse.

    The remediated set-up and, for each screened remedy, the remediated set-up without it
    are trained once (one seed) on the first part of the training data and scored (MAE on
    the original scale, rolling origin) on its last part. A remedy whose removal lowers
    that error by more than :data:`HARM_TOLERANCE` is dropped and listed with its measured
    effect. The holdout is never looked at.

    Remedies on input columns (dropping or differencing one column) are screened the same
    way on the data with and without that column's change; the names of the columns come
    from ``feature_names`` or ``data.feature_names`` (without them those remedies are not
    screened).

    Returns
    -------
    (Remediation, list of dict)
        The accepted remediation and one record per screened remedy (``remedy``,
        ``sources``, ``mae_with``, ``mae_without``, ``effect`` (relative change of the
        error the remedy causes; negative helps), ``kept``).
    """
    inner = inner_split(data, horizon)
    known = _columns_known(rem, data, feature_names)
    screened = [i for i, a in enumerate(rem.applied) if a.kind not in UNSCREENED
                and (known or not a.remedy.on_features)]
    if inner is None or not screened:
        return rem, []
    names = feature_names if known else None

    def variant(skip: int | None) -> WorkData:
        if not known:
            return inner
        return rem.work_data(inner, names, skip=skip)
    actual_origins = holdout_origins(inner.n, inner.n_train, horizon=horizon)
    actual = np.array([inner.y[o: o + horizon] for o in actual_origins])

    def mae(config: LSTMConfig, name: str, skip: int | None = None) -> float:
        model = train_lstm(name, config, variant(skip), seeds=[seed], epochs=epochs,
                           budget=budget, user=False, progress=progress, horizon=horizon)
        if not model.ok or not len(actual):
            return float("nan")
        err = np.abs(model.forecast - actual)
        return float(np.mean(err)) if np.all(np.isfinite(err)) else float("inf")

    full = mae(rem.config, "screen: remediated")
    records, harmful = [], []
    for i in screened:
        applied = rem.applied[i]
        without = mae(rem.without(i), f"screen: without {applied.describe()}", skip=i)
        effect = (full - without) / without if np.isfinite(without) and without > 0 \
            else float("nan")
        limit = -HARM_TOLERANCE if applied.kind in PROVE_GAIN else HARM_TOLERANCE
        harm = bool(np.isfinite(full) and np.isfinite(effect) and effect > limit)
        records.append({"remedy": applied.kind, "describe": applied.describe(),
                        "sources": list(applied.sources), "mae_with": full,
                        "mae_without": without, "effect": effect, "kept": not harm})
        if harm:
            harmful.append(i)
    if not harmful:
        return rem, records
    kept = [a for i, a in enumerate(rem.applied) if i not in harmful]
    effects = {r["describe"]: r["effect"] for r in records}

    def reason(applied: Any) -> str:
        effect = effects[applied.describe()]
        what = (f"made the inner validation error worse by {effect:.0%}" if effect > 0 else
                f"improved the inner validation error by only {-effect:.0%}; an extrapolated "
                f"trend must gain at least {HARM_TOLERANCE:.0%}")
        return f"{what} (do no harm: screened on the end of the training data)"

    dropped = list(rem.dropped) + [
        {"remedy": rem.applied[i].describe(), "source": ", ".join(rem.applied[i].sources),
         "reason": reason(rem.applied[i])} for i in harmful]
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


def run_ablation(res: ExperimentResult, rem: Remediation, data: WorkData, *, seeds: list[int],
                 epochs: int | None, budget: Any, progress: TrainingProgress | None,
                 feature_names: list[str] | None = None) -> list[dict]:
    """Retrain the remediated set-up without each applied remedy in turn.

    Returns one entry per applied remedy: its MASE without it, the change against the full
    remediated LSTM (``delta_mase``) and its ``share`` of the improvement over your set-up.
    A remedy on an input column is one entry per column (``describe``: ``drop feature
    'x'``), so each dropped column's share is reported.
    """
    known = _columns_known(rem, data, feature_names)
    base, full = res.models.get("baseline_lstm"), res.models.get("remediated_lstm")
    if not (base and full and base.ok and full.ok):
        return []
    gain = base.mase - full.mase
    out = []
    for i, applied in enumerate(rem.applied):
        cfg = rem.without(i)
        entry: dict[str, Any] = {"remedy": applied.kind, "describe": applied.describe(),
                                 "source": ", ".join(applied.sources)}
        if applied.remedy.on_features and not known:
            entry.update({"mase": None, "error": "the experiment's feature columns carry "
                                                 "no names"})
            out.append(entry)
            continue
        variant = rem.work_data(data, feature_names, skip=i) if known else data
        if cfg == rem.user_config and not (known and rem.feature_changes(skip=i)):
            model = base
            entry["note"] = "removing it gives back your set-up"
        else:
            model = train_lstm(f"without {applied.describe()}", cfg, variant, seeds=seeds,
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
