from __future__ import annotations

from lstm_doctor.findings import Severity
from lstm_doctor.remedies import ValidateOnTraining
from lstm_doctor.rules.base import Rule, Verdict


class Rule_LD606(Rule):  # noqa: N801
    """Validation on the holdout: the test set picks the epoch or the weights; its score flatters.

    ``model.fit(..., validation_data=(X_test, y_test))`` is common in tutorials. As long
    as the validation loss is only plotted it does no harm; but early stopping on it,
    ``ModelCheckpoint(save_best_only=True)`` on it, or picking the epoch count or the
    architecture by looking at it, fits the model to the holdout: the reported test error
    is the best of many looks at the test set, not an estimate of the error on new data.
    Evidence: where validation data comes from (``training.validation``), early stopping
    and checkpointing.

    **Anti-pattern**

    ``model.fit(X_train, y_train, validation_data=(X_test, y_test),
    callbacks=[EarlyStopping(restore_best_weights=True)])`` and then reporting the error
    on ``X_test``.

    **Best practice**

    Carve the validation data out of the end of the training part
    (``training.validation: split``, ``validation_split: 0.2`` with windows in time
    order) and touch the holdout once, at the end.
    """

    code = "LD606"
    name = "setup.validation-on-holdout"
    reads = ("training.validation", "training.early_stopping", "training.checkpoint")
    severity = Severity.ERROR
    needs_config = True

    def measure(self, ctx):
        """Where validation data comes from and what is chosen with it."""
        t = ctx.config.training
        return {"validation": t.validation, "early_stopping": t.early_stopping,
                "checkpoint": t.checkpoint}

    def judge(self, ev, ctx):
        """Fire when the holdout is the validation data (an error when it picks weights)."""
        if ev["validation"] != "holdout":
            return None
        chosen = [name for name, on in (("early stopping", ev["early_stopping"]),
                                        ("checkpointing the best weights", ev["checkpoint"]))
                  if on]
        fix = ("Set training.validation: split with training.validation_split: 0.2 (the end "
               "of the training windows) and evaluate on the holdout only once "
               "(keras: validation_split=0.2 with shuffle of windows inside the training part, "
               "or validation_data cut from the training series).")
        if chosen:
            return Verdict(
                message=f"the holdout is the validation data and {' and '.join(chosen)} "
                        "uses it: the test set picks the weights, so the test score is "
                        "optimistic (leakage)",
                fix=fix, remedies=[ValidateOnTraining()])
        return Verdict(
            message="the holdout is the validation data: harmless while val_loss is only "
                    "plotted, but any choice made from it (epochs, units, window) leaks the "
                    "test set into the model",
            fix=fix, severity=Severity.INFO, remedies=[ValidateOnTraining()])
