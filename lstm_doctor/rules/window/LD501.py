from __future__ import annotations

import math

from lstm_doctor.capacity import seasonal_period
from lstm_doctor.findings import Severity
from lstm_doctor.remedies import SetWindow
from lstm_doctor.rules.base import Interval, Rule, Verdict


class Rule_LD501(Rule):  # noqa: N801
    """Window exceeds data: the input window and horizon leave no, or very few, training windows.

    Windows are cut as ``x[t-seq_length:t] -> x[t:t+horizon]``, so a training split of
    ``n`` usable points yields ``n - seq_length - horizon + 1`` of them (fewer still after
    the validation split). When the window is as long as the data there is nothing, or
    next to nothing, to train on; Keras then fits on an empty or tiny dataset without
    complaint. Evidence: the usable training length (after differencing), the window,
    the horizon and the windows left.

    **Anti-pattern**

    ``seq_length=60`` on 80 yearly points, or a one-year window plus a one-year horizon
    on three years of monthly data.

    **Best practice**

    Keep ``seq_length + horizon`` a small fraction of the training length (a season or
    the memory the autocorrelation shows, not "as long as possible").
    """

    code = "LD501"
    name = "window.exceeds-data"
    reads = ("window.seq_length", "window.horizon")
    severity = Severity.WARNING
    needs_config = True
    thresholds = {"min_windows": 10, "max_window_fraction": 0.5}
    constraints = {"min_windows": Interval(int, 1, None),
                   "max_window_fraction": Interval(float, 0, 1, closed="right")}

    def measure(self, ctx):
        """Usable training points, window span and the windows left."""
        w = ctx.config.window
        usable = ctx.n_train - ctx.pipeline.lost
        return {"seq_length": w.seq_length, "horizon": w.horizon, "usable_train": usable,
                "train_windows": ctx.n_train_windows,
                "window_fraction": (w.seq_length + w.horizon) / max(usable, 1)}

    def judge(self, ev, ctx):
        """Fire when the window leaves no or very few training windows."""
        few = ev["train_windows"] < self.options["min_windows"]
        long = ev["window_fraction"] > self.options["max_window_fraction"]
        if not (few or long):
            return None
        span = ev["seq_length"] + ev["horizon"]
        if ev["train_windows"] == 0:
            what = "no training window at all"
        else:
            what = f"only {ev['train_windows']} training windows"
        message = (f"seq_length {ev['seq_length']} + horizon {ev['horizon']} = {span} steps "
                   f"spans {ev['window_fraction']:.0%} of the {ev['usable_train']} usable "
                   f"training points: {what}")
        target = ev["usable_train"] // 4
        suggestion = _suggest(ctx, target)
        remedies = []
        if 1 <= suggestion < ev["seq_length"]:
            remedies.append(SetWindow(suggestion))
            fix = (f"Shorten the window: window.seq_length: {suggestion} (a quarter of the "
                   "usable training length at most), or use more data.")
        else:
            fix = "The series is too short for this horizon: use more data or a shorter horizon."
        return Verdict(message=message, fix=fix,
                       severity=Severity.ERROR if ev["train_windows"] == 0 else None,
                       remedies=remedies)


def _suggest(ctx, target: int) -> int:
    period = seasonal_period(ctx)
    if period:
        seasonal = math.ceil(1.25 * period)
        if seasonal <= target:
            return seasonal
    return max(1, target)
