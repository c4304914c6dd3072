from __future__ import annotations

import numpy as np

from lstm_doctor.findings import Severity
from lstm_doctor.remedies import ValidateOnTraining
from lstm_doctor.rules._array_facts import overlap
from lstm_doctor.rules.base import Interval, NotApplicable, Rule, Verdict


class Rule_LD607(Rule):  # noqa: N801
    """Validation windows are the test windows, or share their time points.

    What ``fit`` validates on chooses the epoch (early stopping), the checkpoint and, by
    looking at the curves, the architecture; when those windows are the test windows (the
    same arrays, a subset of them, or windows cut from the test period), the test score is
    the best of many looks at the test set. Read from the arrays, not from a description:
    validation windows equal to test windows, and test windows whose target is a
    validation input at the same time step (validation data from the test period).
    Evidence: the number of windows compared and of shared ones.

    **Anti-pattern**

    ``model.fit(X_train, y_train, validation_data=(X_test, y_test))`` and then reporting
    ``model.evaluate(X_test, y_test)``; or carving the validation windows out of the test
    windows.

    **Best practice**

    Validate on the end of the training period (``validation_split=0.2`` on windows in
    time order, or ``validation_data`` cut from the training series before the test
    part), and touch the test windows once, at the end.
    """

    code = "LD607"
    name = "setup.validation-overlaps-test"
    severity = Severity.ERROR
    needs_arrays = True
    thresholds = {"min_fraction": 0.1}
    constraints = {"min_fraction": Interval(float, 0, 1, closed="right")}

    def measure(self, ctx):
        """Validation windows equal to test windows; test targets that are validation inputs."""
        a = ctx.arrays
        if a.X_val is None or a.y_val is None or a.X_test is None or a.y_test is None:
            raise NotApplicable("needs both validation_data and test windows")
        identical = (a.X_val.shape == a.X_test.shape and a.y_val.shape == a.y_test.shape
                     and np.array_equal(a.X_val, a.X_test, equal_nan=True)
                     and np.array_equal(a.y_val, a.y_test, equal_nan=True))
        val_in_test = overlap(a.X_val, a.y_val, a.X_test, a.y_test)
        test_in_val = overlap(a.X_test, a.y_test, a.X_val, a.y_val)
        return {"identical": bool(identical), "n_val": len(a.X_val), "n_test": len(a.X_test),
                "val_windows_in_test": val_in_test.same,
                "val_fraction_in_test": round(val_in_test.same / max(val_in_test.compared, 1),
                                              4),
                "test_targets_in_val_inputs": test_in_val.continued,
                "test_fraction_in_val": round(test_in_val.fraction, 4)}

    def judge(self, ev, ctx):
        """Fire when the sets are identical or share at least ``min_fraction`` of windows."""
        limit = self.options["min_fraction"]
        if ev["identical"]:
            what = (f"validation_data is the test set itself ({ev['n_test']} identical "
                    "windows)")
        elif ev["val_fraction_in_test"] >= limit and ev["val_windows_in_test"]:
            what = (f"{ev['val_windows_in_test']} of {ev['n_val']} validation windows "
                    f"({ev['val_fraction_in_test']:.0%}) are test windows")
        elif ev["test_fraction_in_val"] >= limit and ev["test_targets_in_val_inputs"]:
            what = (f"{ev['test_targets_in_val_inputs']} of {ev['n_test']} test windows "
                    f"({ev['test_fraction_in_val']:.0%}) have their target among the "
                    "validation inputs at the same time step: the validation windows come "
                    "from the test period")
        else:
            return None
        return Verdict(
            message=f"{what}: whatever the validation loss chooses (epochs, early stopping, "
                    "checkpoints, the architecture) is chosen on the test set, so the test "
                    "score is optimistic (leakage)",
            fix="Cut the validation windows from the end of the training period "
                "(fit(..., validation_split=0.2) with windows in time order) and evaluate on "
                "the test windows once, at the end.",
            remedies=[ValidateOnTraining()])
