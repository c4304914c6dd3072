from __future__ import annotations

from lstm_doctor.remedies import EarlyStopping
from lstm_doctor.rules.base import Interval, Rule, Verdict


class Rule_LD603(Rule):  # noqa: N801
    """Many epochs without validation or early stopping: nothing stops the network from overfitting.

    Without a validation split there is no signal that the network has started to
    memorise the training windows; with a fixed, large number of epochs it keeps going,
    and the weights of the last epoch (the most overfit) are the ones used to forecast.
    Keras' ``EarlyStopping(monitor='val_loss')`` without validation data does nothing
    but warn. Evidence: epochs, validation split, early stopping and patience.

    **Anti-pattern**

    ``model.fit(X, y, epochs=100)`` (or 500) with no ``validation_split`` or callbacks.

    **Best practice**

    Hold out the end of the training data
    (``validation_split=0.2`` with ``shuffle`` of windows only inside the training part)
    and stop on it: ``EarlyStopping(monitor='val_loss', patience=10,
    restore_best_weights=True)``.
    """

    code = "LD603"
    name = "setup.no-early-stopping"
    reads = ("training.epochs", "training.validation_split", "training.early_stopping")
    needs_config = True
    thresholds = {"max_epochs_unmonitored": 30}
    constraints = {"max_epochs_unmonitored": Interval(int, 1, None)}

    def measure(self, ctx):
        """Epochs, validation split and early stopping."""
        t = ctx.config.training
        return {"epochs": t.epochs, "validation": t.validation,
                "validation_split": t.validation_split if t.validation == "split" else 0.0,
                "early_stopping": t.early_stopping, "checkpoint": t.checkpoint,
                "patience": t.patience}

    def judge(self, ev, ctx):
        """Fire on many epochs that nothing monitors."""
        if ev["epochs"] <= self.options["max_epochs_unmonitored"]:
            return None
        if ev["validation"] == "holdout" and (ev["early_stopping"] or ev["checkpoint"]):
            return None  # monitored, but on the test set: LD606's finding
        if ev["validation_split"] > 0 and ev["early_stopping"]:
            return None
        if ev["validation_split"] == 0 and ev["early_stopping"]:
            missing = "early stopping is on but there is no validation split to monitor"
        elif ev["validation_split"] == 0:
            missing = "no validation split and no early stopping"
        else:
            missing = (f"a validation split of {ev['validation_split']:g} is held out but "
                       "nothing stops training on it")
        return Verdict(
            message=f"{ev['epochs']} epochs with {missing}: the last (most overfit) weights "
                    "are the ones that forecast",
            fix="Set training.validation_split: 0.2, training.early_stopping: true, "
                "training.patience: 10 (keras.callbacks.EarlyStopping(monitor='val_loss', "
                "patience=10, restore_best_weights=True)).",
            remedies=[EarlyStopping()],
        )
