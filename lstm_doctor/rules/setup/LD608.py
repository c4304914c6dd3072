from __future__ import annotations

from lstm_doctor.findings import Severity
from lstm_doctor.remedies import TemporalSplit
from lstm_doctor.rules._array_facts import overlap, positional
from lstm_doctor.rules.base import Interval, NotApplicable, Rule, Verdict


class Rule_LD608(Rule):  # noqa: N801
    """Test windows inside the training period: the model was trained on what it is tested on.

    Sliding windows overlap: window ``t`` holds ``x[t:t+L]`` and the target ``x[t+L]``,
    window ``t+1`` holds ``x[t+1:t+L+1]``. Split them at random (``train_test_split``
    shuffles by default) and almost every test window is surrounded by training windows
    whose inputs contain its target at the same time step: the network has seen every test
    answer. Test windows equal to training windows (test windows cut from the whole series)
    are the same leak. A temporal split is not flagged: the first test windows legitimately
    look back on the last training values, but no test target is a training input. Evidence:
    the test windows equal to a training window, those whose target is the last input of a
    training window that continues them, and their fraction.

    **Anti-pattern**

    ``X, y = make_windows(series); X_train, X_test, y_train, y_test =
    train_test_split(X, y, test_size=0.2)`` (``shuffle=True`` is the default).

    **Best practice**

    Split by time: ``train_test_split(X, y, test_size=0.2, shuffle=False)``, or cut the
    series first and window each part (the test part may start ``L`` steps early so its
    first window has a full look-back). Shuffle the training windows only, if at all.
    """

    code = "LD608"
    name = "setup.test-inside-training"
    severity = Severity.ERROR
    needs_arrays = True
    thresholds = {"min_fraction": 0.1}
    constraints = {"min_fraction": Interval(float, 0, 1, closed="right")}

    def measure(self, ctx):
        """Test windows that lie inside the training windows' time span."""
        a = ctx.arrays
        if a.X_test is None or a.y_test is None:
            raise NotApplicable("no test windows given")
        return {**overlap(a.X_test, a.y_test, a.X_train, a.y_train).as_dict(),
                "positional": positional(a.X_test)}

    def judge(self, ev, ctx):
        """Fire when at least ``min_fraction`` of the test windows lie inside training."""
        if not ev["inside"] or ev["fraction"] < self.options["min_fraction"]:
            if not ev["positional"]:
                raise NotApplicable(_ONE_STEP)
            return None
        parts = []
        if ev["same"]:
            parts.append(f"{ev['same']} are identical to training windows")
        if ev["continued"]:
            parts.append(f"{ev['continued']} have their target as the last input of a "
                         "training window one step later")
        return Verdict(
            message=f"{ev['inside']} of {ev['compared']} test windows ({ev['fraction']:.0%}) "
                    f"lie inside the training period ({'; '.join(parts)}): the network was "
                    "trained on the test answers, typically a random (shuffled) split of "
                    "overlapping windows, so the test score says nothing about the future",
            fix="Split the windows by time (train_test_split(..., shuffle=False), or split "
                "the series first and window each part) and shuffle only the training "
                "windows.",
            remedies=[TemporalSplit()])


_ONE_STEP = ("one value per window: a window continuing another cannot be told from a "
             "repeated value, so only identical windows were looked for (none found); "
             "with look_back >= 2 the split is checked")
