from __future__ import annotations

from lstm_doctor.findings import Severity
from lstm_doctor.remedies import TemporalSplit
from lstm_doctor.rules.base import Rule, Verdict


class Rule_LD605(Rule):  # noqa: N801
    """Random train/test split of a time series: the holdout is surrounded by training data.

    ``train_test_split(X, y)`` shuffles by default: every test window has training
    windows just before and just after it, overlapping it by all but one step. The model
    is scored on interpolation between points it has seen, not on forecasting, and the
    holdout error says nothing about the future. Evidence: the split method and the share
    of holdout windows that share points with training windows.

    **Anti-pattern**

    ``train_test_split(X, y, test_size=0.2)`` on sliding windows (``shuffle=True`` is the
    default).

    **Best practice**

    Split by time: train on the first part, test on the last
    (``train_test_split(..., shuffle=False)`` or ``TimeSeriesSplit``); shuffling the
    training windows among themselves is fine.
    """

    code = "LD605"
    name = "setup.random-split"
    reads = ("split.method",)
    severity = Severity.ERROR
    needs_config = True

    def measure(self, ctx):
        """The split method and the overlap a random split causes."""
        span = ctx.window_span + ctx.config.window.horizon
        share = ctx.n_test / ctx.n
        return {"method": ctx.config.split.method, "test_size": ctx.config.split.test_size,
                "window_span": span,
                # a random test window overlaps a training window unless all 2*span-1 windows
                # around it are in the test set: with fraction q that happens w.p. q^(2span-2)
                "overlap_share": 1.0 - share ** (2 * span - 2)}

    def judge(self, ev, ctx):
        """Fire on a random split."""
        if ev["method"] != "random":
            return None
        return Verdict(
            message=f"split.method is random: about {ev['overlap_share']:.0%} of holdout "
                    f"windows share points with training windows ({ev['window_span']}-step "
                    "windows), so the holdout score measures interpolation, not forecasting",
            fix="Set split.method: temporal (sklearn: train_test_split(X, y, shuffle=False) "
                "or TimeSeriesSplit).",
            remedies=[TemporalSplit()],
        )
