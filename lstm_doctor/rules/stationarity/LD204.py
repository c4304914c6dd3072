from __future__ import annotations

import math

from lstm_doctor import stats
from lstm_doctor.findings import Severity
from lstm_doctor.remedies import Deseasonalize, SeasonalDifference, SetWindow
from lstm_doctor.rules._setup_facts import season_handling
from lstm_doctor.rules.base import Interval, NotApplicable, Rule, Verdict


class Rule_LD204(Rule):  # noqa: N801
    """Unhandled seasonality: a significant period that neither preprocessing nor the window covers.

    An LSTM only sees ``seq_length`` past steps. When the series repeats every ``p``
    steps and the window is shorter than ``p``, the value one season ago is never in
    the input, so the network must rebuild the seasonal pattern from its hidden state
    (it rarely does on short series) and the forecast misses the peaks. The period is
    found by :func:`lstm_doctor.stats.detect_period` (calendar, ACF and periodogram
    candidates confirmed by the seasonal strength and a stable profile).

    "Handled" has one definition,
    :func:`lstm_doctor.rules._setup_facts.season_handling`, shared with LD502 and LD503:
    the season is *removed* by ``seasonal_difference`` or
    ``deseasonalize`` at the period or a multiple of it (within 5 %; a lag of 5 does not
    remove a period of 4), or *seen* when ``seq_length >= p``. This rule states that the
    data has a season and whether the set-up handles it; it is information only. Without
    a set-up: "the set-up must handle period p". With a set-up that neither removes nor
    sees the season, the window is necessarily shorter than the period and the set-up
    does not remove it: that is exactly LD502's finding, which carries the warning (error
    for a strong season) and the window remedy, so the root cause is reported once; this
    rule adds the preprocessing alternative as information. A quasi-periodic cycle (lynx)
    is only ever information: seasonal differencing would not remove a cycle whose length
    drifts, and LD502 does not judge cycles.

    **Anti-pattern**

    ``seq_length: 10`` on monthly data with a yearly season, no seasonal differencing
    and no seasonal features: the network never sees last year's value.

    **Best practice**

    Remove the season before windowing (``preprocessing.deseasonalize: p`` for a stable
    profile, ``preprocessing.seasonal_difference: p`` when it drifts), or make the
    window cover at least a season and a bit (``seq_length >= 1.25 p``), or add
    calendar features (month, hour-of-day as sine/cosine).
    """

    code = "LD204"
    name = "stationarity.unhandled-seasonality"
    depends_on = ("LD504",)  # a window remedy must pass LD504's longest window
    severity = Severity.INFO
    thresholds = {"window_factor": 1.25}
    constraints = {"window_factor": Interval(float, 1, 100)}

    def measure(self, ctx):
        """The detected period, its strength and what the set-up does about it."""
        reason = stats.untestable_reason(ctx)
        if reason:
            raise NotApplicable(reason)
        season = stats.detect_period(ctx)
        if season is None:
            return {"period": None}
        p = season["period"]
        handling = season_handling(ctx, p) if ctx.config_given else None
        prep, win = ctx.config.preprocessing, ctx.config.window
        return {
            "period": p,
            "kind": season["kind"],
            "strength": season["strength"],
            "stl_strength": season["stl_strength"],
            "acf_at_period": season["acf_at_period"],
            "stability": season["stability"],
            "stable": season["stable"],
            "method": season["method"],
            "other_periods": season["other_periods"],
            "seasonal_difference": prep.seasonal_difference if ctx.config_given else None,
            "deseasonalize": prep.deseasonalize if ctx.config_given else None,
            "seq_length": win.seq_length if ctx.config_given else None,
            "handled_by": handling["handled_by"] if handling else None,
            "misplaced": handling["misplaced"] if handling else None,
        }

    def judge(self, ev, ctx):
        """Information: the season and how (whether) the set-up handles it."""
        p = ev["period"]
        if p is None or (ctx.config_given and ev["handled_by"]):
            return None
        want = max(p + 1, math.ceil(self.options["window_factor"] * p))
        what = (f"a seasonal period of {p} (strength {ev['strength']:.2f}, ACF at lag {p} "
                f"{ev['acf_at_period']:.2f})")
        # a window LD504 would call too long is no remedy (the remediated set-up must pass it)
        longest = self.options_of(ctx, "LD504")["max_seq_length"]
        window_remedy = [SetWindow(want)] if want <= min(max(ctx.n_train // 4, 1),
                                                         longest) else []
        if ev["kind"] == "cycle":
            return Verdict(
                message=f"the series has a quasi-periodic cycle of about {p} steps (strength "
                        f"{ev['strength']:.2f}, profile stability {ev['stability']:.2f}); its "
                        "length drifts, so it is not a season to difference away",
                fix=f"Let the window cover a cycle (window.seq_length >= {want}) so the "
                    "network sees the last cycle; do not seasonally difference a drifting "
                    "cycle.",
                severity=Severity.INFO, remedies=window_remedy)
        stable = ev["stable"]
        prep_remedy = Deseasonalize(p) if stable else SeasonalDifference(p)
        key = (f"preprocessing.deseasonalize: {p}" if stable
               else f"preprocessing.seasonal_difference: {p}")
        if not ctx.config_given:
            return Verdict(
                message=f"the series has {what}: the LSTM set-up must handle it (seasonal "
                        f"differencing, deseasonalising, or seq_length >= {want})",
                fix=f"Set {key} (fitted on the training split), or window.seq_length >= "
                    f"{want} so the window covers a season, or add calendar features.",
                severity=Severity.INFO, remedies=[prep_remedy, *window_remedy])
        misplaced = "".join(f"; {k} {lag} is not a multiple of {p}"
                            for k, lag in (ev["misplaced"] or {}).items())
        return Verdict(
            message=f"the series has {what} that the set-up does not handle: no seasonal "
                    f"differencing or deseasonalising at {p}{misplaced}, and seq_length "
                    f"{ev['seq_length']} < {p}, so the network never sees the value one "
                    "season ago (LD502 reports the window; this is the preprocessing "
                    "alternative)",
            fix=f"Remove the season before the network: set {key} (fitted on the training "
                "split); or lengthen the window as LD502 says, or add calendar features.",
            severity=Severity.INFO, remedies=[prep_remedy])
