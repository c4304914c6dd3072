from __future__ import annotations

import math

from lstm_doctor.capacity import season_handled
from lstm_doctor.remedies import SeasonalDifference, SetWindow
from lstm_doctor.rules.base import NotApplicable, Rule, Verdict


class Rule_LD502(Rule):  # noqa: N801
    """Window shorter than the season: no input window reaches back one seasonal period.

    To forecast next January from a window, the window has to contain last January.
    With ``seq_length`` below the period and the season left in the input (no seasonal
    differencing or deseasonalising), the network has to carry the seasonal phase in its
    state across windows it never sees together, which it cannot; it forecasts a smeared
    average season. This is the window-specific view of an unhandled season (LD204 flags
    the season itself). Evidence: the window length, the detected period and its strength.

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
    needs_config = True
    thresholds = {"max_window_fraction": 0.5, "max_window": 200}

    def measure(self, ctx):
        """Window length against the detected season."""
        from lstm_doctor.stats import detect_period

        season = detect_period(ctx)
        if not season or season.get("kind") != "seasonal":
            raise NotApplicable("no calendar or stable season")
        period = int(season["period"])
        return {"seq_length": ctx.config.window.seq_length, "period": period,
                "strength": season.get("strength"),
                "season_handled": season_handled(ctx, period),
                "usable_train": ctx.n_train - ctx.pipeline.lost}

    def judge(self, ev, ctx):
        """Fire when an unhandled season is longer than the window."""
        if ev["season_handled"] or ev["seq_length"] >= ev["period"]:
            return None
        p = ev["period"]
        wanted = math.ceil(1.25 * p)
        strength = f" (strength {ev['strength']:.2f})" if ev["strength"] is not None else ""
        message = (f"window.seq_length {ev['seq_length']} is shorter than the period-{p} "
                   f"season{strength}, which the preprocessing leaves in: no window reaches "
                   "back one season")
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
        return Verdict(message=message, fix=fix, remedies=remedies)
