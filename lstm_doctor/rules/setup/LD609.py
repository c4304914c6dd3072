from __future__ import annotations

from lstm_doctor.findings import Severity
from lstm_doctor.remedies import ValidateOnTraining
from lstm_doctor.rules._array_facts import overlap, positional, validation_windows
from lstm_doctor.rules.base import Interval, NotApplicable, Rule, Verdict


class Rule_LD609(Rule):  # noqa: N801
    """Shuffled validation split: validation targets sit inside the training windows' inputs.

    Keras' ``validation_split`` takes the *last* fraction of ``X_train`` as it is given:
    when the windows were shuffled before (a shuffled ``train_test_split``, a
    ``np.random.permutation``), or when ``validation_data`` was split off at random, each
    validation window's target is an input of its training neighbour at the same time
    step. The validation loss then tracks the training loss, early stopping never triggers
    at the right epoch and checkpoints pick an overfitted model. Evidence: the validation
    windows equal to training windows or continued by one, and their fraction.

    **Anti-pattern**

    ``X_train, X_val, y_train, y_val = train_test_split(X_train, y_train,
    test_size=0.2)`` on sliding windows, or ``fit(X[perm], y[perm],
    validation_split=0.2)``.

    **Best practice**

    Keep the windows in time order and let the validation windows be the last ones
    (``validation_split=0.2``; ``fit(shuffle=True)`` shuffles the training batches only,
    after the split), or cut ``validation_data`` from the end of the training series.
    """

    code = "LD609"
    name = "setup.validation-inside-training"
    severity = Severity.WARNING
    needs_arrays = True
    thresholds = {"min_fraction": 0.1}
    constraints = {"min_fraction": Interval(float, 0, 1, closed="right")}

    def measure(self, ctx):
        """Validation windows that lie inside the training windows' time span."""
        found = validation_windows(ctx.arrays)
        if found is None:
            raise NotApplicable("no validation windows (validation_data or validation_split)")
        X_fit, y_fit, X_val, y_val, source = found
        return {"source": source, **overlap(X_val, y_val, X_fit, y_fit).as_dict(),
                "positional": positional(X_val)}

    def judge(self, ev, ctx):
        """Fire when at least ``min_fraction`` of the validation windows lie inside training."""
        if not ev["inside"] or ev["fraction"] < self.options["min_fraction"]:
            if not ev["positional"]:
                raise NotApplicable(_ONE_STEP)
            return None
        return Verdict(
            message=f"{ev['inside']} of {ev['compared']} validation windows "
                    f"({ev['fraction']:.0%}, from {ev['source']}) lie inside the training "
                    "period (identical to a training window, or their target is an input of "
                    "the next training window): the windows were shuffled before the "
                    "validation split, so the validation loss cannot warn of overfitting",
            fix="Keep the windows in time order and validate on the last ones "
                "(fit(..., validation_split=0.2) on unshuffled windows, or validation_data "
                "cut from the end of the training series).",
            remedies=[ValidateOnTraining()])


_ONE_STEP = ("one value per window: a window continuing another cannot be told from a "
             "repeated value, so only identical windows were looked for (none found); "
             "with look_back >= 2 the split is checked")
