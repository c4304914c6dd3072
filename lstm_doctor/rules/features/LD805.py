from __future__ import annotations

import math

from lstm_doctor.findings import Severity
from lstm_doctor.rules.base import NotApplicable, Rule, Verdict
from lstm_doctor.rules.features._facts import feature_inputs, known_in_advance, relevance


class Rule_LD805(Rule):  # noqa: N801
    """Unavailable at forecast time: inputs whose same-time values drive the target.

    A multi-step forecast (``window.horizon > 1``) from the window ending at ``t`` needs the
    target at ``t+1 ... t+h`` but sees the inputs only up to ``t``. An input whose relation
    to the target is contemporaneous (temperature and electricity demand in the same hour)
    helps the later steps only if its own future is supplied - that is, forecast first (a
    weather forecast) - or known in advance (a calendar). Availability cannot be measured
    from data; what is measured is which inputs matter at lag 0: the correlation of the
    target's innovations (what its own past cannot explain, as in LD802) with the input at
    the same time step, significant at ``alpha`` after Bonferroni over the inputs and at
    least LD802's usefulness margin. Columns that are straight lines in time or exactly
    periodic (calendar columns) are known in advance and left out. Reported at ``info``.

    **Anti-pattern**

    Training a 24-hour-ahead demand model on the same hour's temperature and reading the
    backtest as what production will see, where tomorrow's temperature is not yet measured.

    **Best practice**

    For each input say when it is known: at the forecast origin (lags only), in advance
    (calendar, planned prices), or only after the fact. Feed the last kind as lags, or
    supply its own forecast at prediction time (and train on forecasts, not on the values
    measured later).
    """

    code = "LD805"
    name = "features.unavailable-at-forecast-time"
    severity = Severity.INFO
    reads = ("window.horizon",)
    depends_on = ("LD802",)  # the usefulness margin

    def measure(self, ctx):
        """Per input: the lag-0 correlation with the target's innovations; calendars."""
        from scipy import special  # ndtr(-x) is norm.sf(x), bit for bit

        inp = feature_inputs(ctx)
        if inp.horizon <= 1:
            raise NotApplicable("horizon 1: the inputs up to the forecast origin are all "
                                "the network needs")
        opts = self.options_of(ctx, "LD802")
        margin = math.sqrt(opts["min_useful_r2"])
        rel = relevance(ctx, margin)
        per = {}
        for name, col in inp.columns.items():
            r, n = rel[name]["lag0_r"], rel[name]["lag0_n"]
            p = min(1.0, 2 * special.ndtr(-abs(math.atanh(min(abs(r), 1 - 1e-12)))
                                       * math.sqrt(n - 3)) * len(inp.columns)) \
                if r == r and n > 3 else 1.0
            per[name] = {"lag0_r": r, "n": n, "p_bonferroni": p,
                         "known_in_advance": known_in_advance(col)}
        return {"features": list(inp.columns), "horizon": inp.horizon, "margin": margin,
                "alpha": opts["alpha"], "per_feature": per}

    def judge(self, ev, ctx):
        """Fire when some input not known in advance matters at lag 0."""
        per = ev["per_feature"]
        needed = [k for k, v in per.items() if not v["known_in_advance"]
                  and v["p_bonferroni"] <= ev["alpha"] and abs(v["lag0_r"]) >= ev["margin"]]
        if not needed:
            return None
        ev["must_be_forecast"] = needed
        h = ev["horizon"]
        listing = ", ".join(f"'{k}' (r = {per[k]['lag0_r']:+.2f} at lag 0)" for k in needed)
        return Verdict(
            message=f"horizon {h}: {len(needed)} input(s) relate to the target at the same "
                    f"time step, so steps 2..{h} of each forecast would need their future "
                    f"values, which the window (ending at the origin) does not hold: "
                    f"{listing}",
            fix=f"Decide when {', '.join(repr(k) for k in needed)} are known: supply their "
                "own forecasts at prediction time (and train on forecasts), or feed them as "
                "lags only and expect no help from their same-time effect; calendar inputs "
                "known in advance are fine.",
        )
