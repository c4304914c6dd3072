from __future__ import annotations

from lstm_doctor.findings import Severity
from lstm_doctor.remedies import EarlyStopping
from lstm_doctor.rules.base import Interval, NotApplicable, Rule, Verdict
from lstm_doctor.rules.training import baseline_and_experiment
from lstm_doctor.symptoms import majority, overfitting


class Rule_LD703(Rule):  # noqa: N801
    """Overfitting: validation loss bottoms out early and rises while training loss keeps falling.

    Read from the baseline's validation curve: the set-up's own validation split, or (when
    the set-up has none) a monitoring split of the last 10% of the training windows that the
    experiment holds out and never uses for training decisions. The holdout is never used.
    Evidence per seed: the epoch of the lowest validation loss, how much the validation loss
    rose from there to the end (mean of the last three epochs), and how much the training
    loss fell over the same epochs.

    **Anti-pattern**

    Training a large LSTM for a fixed, large number of epochs and keeping the last weights:
    after the best epoch the network memorises the training windows and forecasts worse.

    **Best practice**

    Keep a validation split at the end of the training data and use
    ``EarlyStopping(monitor='val_loss', patience=10, restore_best_weights=True)``; size the
    network to the data (fewer units), add dropout if needed.
    """

    code = "LD703"
    name = "training.overfitting"
    severity = Severity.WARNING
    needs_training = True
    thresholds = {"min_val_rise": 0.2, "min_train_drop": 0.05, "min_epochs_after_best": 5}
    constraints = {"min_val_rise": Interval(float, 0, None),
                   "min_train_drop": Interval(float, 0, 1),
                   "min_epochs_after_best": Interval(int, 0, None)}

    def measure(self, ctx):
        """Best epoch, validation rise and training drop per seed."""
        _, base = baseline_and_experiment(ctx)
        seeds = []
        for run in base.runs:
            ov = overfitting(run.history.get("loss", []), run.history.get("val_loss", []))
            if ov is not None:
                seeds.append({"seed": run.seed, "val_kind": run.val_kind, **ov})
        if not seeds:
            raise NotApplicable("no validation curve was recorded")
        return {"seeds": seeds, "val_kind": seeds[0]["val_kind"]}

    def _overfit(self, s: dict) -> bool:
        o = self.options
        return (s["epochs_after_best"] >= o["min_epochs_after_best"]
                and s["val_rise"] >= o["min_val_rise"] and s["train_drop"] >= o["min_train_drop"])

    def judge(self, ev, ctx):
        """Fire when at least half of the seeds overfit."""
        flags = [self._overfit(s) for s in ev["seeds"]]
        if not majority(flags):
            return None
        worst = max((s for s, f in zip(ev["seeds"], flags, strict=True) if f),
                    key=lambda s: s["val_rise"])
        curve = "validation" if ev["val_kind"] == "validation" else \
            "monitoring (last 10% of the training windows, held out)"
        return Verdict(
            message=f"the {curve} loss bottoms out at epoch {worst['best_epoch']} of "
                    f"{worst['epochs']} and then rises {worst['val_rise']:.0%} while the "
                    f"training loss keeps falling ({worst['train_drop']:.0%} lower) - "
                    f"{sum(flags)} of {len(flags)} seed(s) overfit",
            fix="Stop on the validation loss and keep the best weights: "
                "training.validation_split: 0.2, training.early_stopping: true, "
                "training.patience: 10 (EarlyStopping(restore_best_weights=True)); shrink "
                "the network if it has far more parameters than training windows (LD401).",
            remedies=[EarlyStopping()],
        )
