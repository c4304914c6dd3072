from __future__ import annotations

import math

from lstm_doctor import stats
from lstm_doctor.capacity import seasonal_period
from lstm_doctor.findings import Severity
from lstm_doctor.remedies import SeasonalDifference, SetWindow
from lstm_doctor.rules._setup_facts import season_handling
from lstm_doctor.rules.base import Interval, NotApplicable, Rule, Verdict


class Rule_LD502(Rule):  # noqa: N801
    """Window shorter than the season: no input window reaches back one seasonal period.

    To forecast next January from a window, the window has to contain last January.
    With ``seq_length`` below the period and the season left in the input (no seasonal
    differencing or deseasonalising at the period or a multiple of it), the network has
    to carry the seasonal phase in its state across windows it never sees together,
    which it cannot; it forecasts a smeared average season. "Removed" and "seen" are
    :func:`lstm_doctor.rules._setup_facts.season_handling`, the definition LD204 and LD503 use too.
    When this fires, LD204 (unhandled seasonality) reports the same season as
    information only: this rule carries the warning, or an error when the season is
    strong (seasonal strength >= ``error_strength``), so the root cause is reported
    once. Evidence: the window length, the detected period, its strength and what the
    preprocessing does about it.

    **Anti-pattern**

    ``seq_length=10`` (or 3, the tutorial default) on monthly data with a yearly season.

    **Best practice**

    Make the window cover at least one full season plus a margin
    (``seq_length >= 1.25 · period``), or remove the season before the network
    (seasonal differencing or deseasonalising) and let the window cover the remaining
    short-term memory.
    """

    code = "LD502"
    name = "window.shorter-than-season"
    reads = ("window.seq_length",
             "preprocessing.deseasonalize",
             "preprocessing.seasonal_difference")
    severity = Severity.WARNING
    needs_config = True
    thresholds = {"max_window_fraction": 0.5, "max_window": 200, "error_strength": 0.9}
    constraints = {"max_window_fraction": Interval(float, 0, 1, closed="right"),
                   "max_window": Interval(int, 1, None), "error_strength": Interval(float, 0, 1)}

    def measure(self, ctx):
        """Window length against the detected season and its handling."""
        period = seasonal_period(ctx)
        if not period:
            raise NotApplicable("no calendar or stable season")
        season = stats.detect_period(ctx)
        handling = season_handling(ctx, period)
        return {"seq_length": ctx.config.window.seq_length, "period": period,
                "strength": season.get("strength"),
                "season_removed_by": handling["removed_by"],
                "window_covers": handling["window_covers"],
                "misplaced": handling["misplaced"],
                "usable_train": ctx.n_train - ctx.pipeline.lost}

    def judge(self, ev, ctx):
        """Fire when a season the preprocessing leaves in is longer than the window."""
        if ev["season_removed_by"] or ev["window_covers"]:
            return None
        p = ev["period"]
        wanted = math.ceil(1.25 * p)
        strength = f" (strength {ev['strength']:.2f})" if ev["strength"] is not None else ""
        misplaced = "".join(f" ({k} {lag} is not a multiple of {p})"
                            for k, lag in (ev["misplaced"] or {}).items())
        message = (f"window.seq_length {ev['seq_length']} is shorter than the period-{p} "
                   f"season{strength}, which the preprocessing leaves in{misplaced}: no "
                   "window reaches back one season")
        horizon = ctx.config.window.horizon
        fits = wanted + horizon <= self.options["max_window_fraction"] * ev["usable_train"]
        if fits and wanted <= self.options["max_window"]:
            fix = (f"Cover the season plus a margin: window.seq_length: {wanted} "
                   f"(ceil(1.25 x {p})); or remove the season first "
                   f"(preprocessing.seasonal_difference: {p}).")
            remedies = [SetWindow(wanted)]
        else:
            why = "use up the training data" if not fits else \
                f"be too long for an LSTM (limit {self.options['max_window']:g}, see LD504)"
            fix = (f"A {wanted}-step window would {why}: remove the season before the network "
                   f"instead (preprocessing.seasonal_difference: {p}).")
            remedies = [SeasonalDifference(p)]
        strong = ev["strength"] is not None and ev["strength"] >= self.options["error_strength"]
        return Verdict(message=message, fix=fix, remedies=remedies,
                       severity=Severity.ERROR if strong else None)
