"""Training one LSTM set-up on the experiment's split: several seeds, holdout forecasts.

Every transform is fitted on the training part and inverted for the forecasts, so the
metrics are on the original scale. TensorFlow/Keras are imported only when training.
The networks are trained by :class:`~lstm_doctor.experiment.graphfit.GraphLSTMForecaster`:
one traced training function per architecture, reused by every seed and every set-up with
the same layers (a seed gives the same result trained alone or with others).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lstm_doctor.config import LSTMConfig
from lstm_doctor.experiment.result import ModelResult, SeedRun
from lstm_doctor.experiment.windows import (
    holdout_origins,
    input_matrix,
    make_windows,
    split_validation,
    train_origins,
)

#: Share of a set-up's training windows held out to record a validation curve when the
#: set-up has no validation split (monitoring only, never used for training decisions).
MONITOR_FRACTION = 0.1


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


# -- progress --------------------------------------------------------------------------------
class TrainingProgress:
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

    def __enter__(self) -> TrainingProgress:
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self.progress is not None:
            self.progress.update(self.task, completed=self.progress.tasks[0].total)
            self.progress.stop()

    def callback(self, keras: Any, model: str, seed: int, epochs: int) -> list:
        """Epoch-level callbacks that show ``model seed s epoch e/E`` (empty when disabled).

        For :class:`~lstm_doctor.experiment.graphfit.GraphLSTMForecaster`, which calls
        ``on_train_begin``, ``on_epoch_end`` and ``on_train_end``; ``keras`` is accepted
        for compatibility and not used.
        """
        if self.progress is None:
            return []
        return [_EpochBar(self.progress, self.task, model, seed, epochs)]


class _EpochBar:
    """Advances the progress bar by one per epoch (and by the unused epochs at the end)."""

    def __init__(self, progress: Any, task: Any, model: str, seed: int, epochs: int) -> None:
        self.progress, self.task = progress, task
        self.label, self.epochs, self.done = f"{model} seed {seed}", epochs, 0

    def on_train_begin(self, logs: Any = None) -> None:
        """Show ``epoch 0/E``."""
        self.progress.update(self.task, description=f"{self.label} epoch 0/{self.epochs}")

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        """One epoch done."""
        self.done = epoch + 1
        self.progress.update(self.task, advance=1,
                             description=f"{self.label} epoch {epoch + 1}/{self.epochs}")

    def on_train_end(self, logs: Any = None) -> None:
        """Advance by the epochs early stopping or the budget left out."""
        self.progress.update(self.task, advance=max(0, self.epochs - self.done))


# -- the LSTMs -------------------------------------------------------------------------------
def train_lstm(name: str, config: LSTMConfig, data: WorkData, *, seeds: list[int],
               epochs: int | None, budget: Any, user: bool,
               progress: TrainingProgress | None = None,
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
    progress : TrainingProgress, optional
        Progress bar.
    horizon : int, optional
        Steps per forecast (default: the set-up's).
    """
    from lstm_doctor.experiment.graphfit import GraphLSTMForecaster, is_traced
    from lstm_doctor.experiment.lstm import import_keras
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
    probe = GraphLSTMForecaster.from_config(config, horizon=h)
    for seed in seeds:
        warm = is_traced(probe, L, U.shape[1])
        if not budget.fits(warm):  # --max-seconds spent: skip, and say so
            budget.skip(f"{name} seed {seed}")
            continue
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
        est = GraphLSTMForecaster.from_config(
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
        budget.spend(est.fit_seconds_, getattr(est, "startup_seconds_", None), warm=warm)
        zpred = est.predict(H.X)
        with np.errstate(all="ignore"):
            pred = pipe.inverse(zpred, H.origins)
        result.runs.append(SeedRun(
            seed=seed, forecast=pred, history=est.history_, val_kind=val_kind,
            epochs_run=est.epochs_run_, epochs_max=n_epochs, seconds=est.fit_seconds_,
            stopped_by=est.stopped_by_, n_params=est.n_params_, transformed_forecast=zpred))
    if not result.runs and result.error is None:
        result.error = ("skipped: the --max-seconds budget was spent before this model "
                        "could train; give more seconds")
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


#: The old private name.
_Progress = TrainingProgress
