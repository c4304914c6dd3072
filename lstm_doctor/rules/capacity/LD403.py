from __future__ import annotations

import math

from lstm_doctor.capacity import seasonal_period
from lstm_doctor.remedies import SetTestSize
from lstm_doctor.rules.base import Interval, Rule, Verdict


class Rule_LD403(Rule):  # noqa: N801
    """Holdout too small: the test split is shorter than max(20 points, the horizon, a season).

    A holdout of a handful of points says almost nothing: the error of a few forecasts
    swings with the noise, a model can look better or worse than a naive forecast by
    luck, and a holdout shorter than one season judges the model on part of the cycle
    only. Evidence: the holdout length, the horizon, the detected period and the length
    required.

    **Anti-pattern**

    ``test_size=0.05`` on 120 monthly points: six months to judge a model of a yearly
    season.

    **Best practice**

    Keep at least ``max(min_points, horizon, period)`` points in the holdout (more for a
    stable comparison), or evaluate with rolling-origin cross-validation over several
    origins.
    """

    code = "LD403"
    name = "capacity.holdout-too-small"
    reads = ("split.test_size",)
    needs_config = True
    thresholds = {"min_points": 20, "max_test_size": 0.5}
    constraints = {"min_points": Interval(int, 1, None),
                   "max_test_size": Interval(float, 0, 1, closed="neither")}

    def measure(self, ctx):
        """Holdout length and the length it needs."""
        period = seasonal_period(ctx)
        horizon = ctx.config.window.horizon
        required = max(int(self.options["min_points"]), horizon, period)
        return {"n_test": ctx.n_test, "test_size": ctx.config.split.test_size,
                "horizon": horizon, "period": period, "required": required}

    def judge(self, ev, ctx):
        """Fire when the holdout is shorter than required."""
        if ev["n_test"] >= ev["required"]:
            return None
        why = f"{self.options['min_points']:g} points, the horizon {ev['horizon']}"
        if ev["period"]:
            why += f" and one season of {ev['period']}"
        size = math.ceil(ev["required"] / ctx.n * 100) / 100
        remedies = []
        if size <= self.options["max_test_size"]:
            remedies.append(SetTestSize(size))
            fix = (f"Set split.test_size: {size:g} ({math.ceil(size * ctx.n)} points), or "
                   "evaluate with rolling-origin cross-validation.")
        else:
            fix = (f"The series ({ctx.n} points) is too short for a {ev['required']}-point "
                   "holdout next to a useful training split: evaluate with rolling-origin "
                   "cross-validation, or get more data.")
        return Verdict(
            message=f"the holdout has {ev['n_test']} points (split.test_size "
                    f"{ev['test_size']:g}); judging a forecast needs at least "
                    f"{ev['required']} (max of {why})",
            fix=fix,
            remedies=remedies,
        )
