from __future__ import annotations

import math

from lstm_doctor.findings import Severity
from lstm_doctor.remedies import DropFeatures
from lstm_doctor.rules.base import Interval, Rule, Verdict
from lstm_doctor.rules.features._facts import feature_inputs, relevance
from lstm_doctor.stats.crosscorr import holm


class Rule_LD802(Rule):  # noqa: N801
    """Irrelevant feature: an input adds nothing to what the target's own past gives.

    Every input column costs ``4 * units`` weights and gives the network noise to fit.
    Measured as Box-Jenkins prewhitening does: the target (differenced to stationarity) is
    regressed on its own values at the lags the window shows (least squares on the training
    part); its residuals, the *innovations*, are what the target's own past cannot explain.
    Each column (differenced by its own order) is prewhitened the same way by its own past,
    so only what is new in it at each step is compared (Haugh's double prewhitening; a
    persistent driver's level would otherwise hide its effect), and correlated with the
    target's innovations at every lag the window shows, linearly and through its centred
    square (a reaction to the size of a move). Both sides white, each correlation is about
    normal with variance ``1/n`` when the two are unrelated.

    The costly mistake is to call a *useful* input irrelevant, so the test is built the
    other way round (an equivalence test): the null hypothesis is "useful" - some lag
    explains at least ``min_useful_r2`` of the innovations' variance (a correlation of at
    least its square root) - and a column is called irrelevant only when every lag's
    correlation is significantly below that margin (intersection-union: the largest of the
    one-sided Fisher-z p-values). Holm's step-down over the columns keeps the chance of
    calling any useful column irrelevant below ``alpha``. On short series nothing can be
    shown and the rule stays silent. Severity ``info``: the measure is linear (plus the
    squared form) while an LSTM can use other nonlinear relations, and the report's
    do-no-harm screening retrains without the column before dropping it.

    **Anti-pattern**

    Feeding every column of the CSV ("open, high, low, volume, day id, row number") because
    more inputs cannot hurt.

    **Best practice**

    Feed inputs that carry information about the target's future the target's own past does
    not: check them with a prewhitened cross-correlation or a Granger-style test before
    training, and keep a column only when it helps on a validation split. Make a weak
    input useful by lagging it to where it leads the target, or by feeding its changes.
    """

    code = "LD802"
    name = "features.irrelevant-feature"
    severity = Severity.INFO
    reads = ("window.seq_length",)
    thresholds = {"min_useful_r2": 0.01, "alpha": 0.05}
    constraints = {"min_useful_r2": Interval(float, 0, 0.5, closed="neither"),
                   "alpha": Interval(float, 0, 0.5, closed="neither")}

    def measure(self, ctx):
        """Per column: the strongest lag, its correlation with the target's innovations,
        the upper bound and the equivalence p-value.
        """
        inp = feature_inputs(ctx)
        margin = math.sqrt(self.options["min_useful_r2"])
        per = relevance(ctx, margin)
        return {"features": list(inp.columns), "source": inp.source, "margin": margin,
                "lags": [min(inp.lags), max(inp.lags)], "n_train": inp.n_train,
                "per_feature": per}

    def judge(self, ev, ctx):
        """Fire for the columns Holm's procedure calls irrelevant at ``alpha``."""
        per = ev["per_feature"]
        pvalues = {k: v["p_irrelevant"] for k, v in per.items()
                   if v["p_irrelevant"] == v["p_irrelevant"]}
        if not pvalues:
            return None
        decided = holm(pvalues, self.options["alpha"])
        names = [k for k in per if decided.get(k)]
        for k, v in per.items():
            v["decision"] = "irrelevant" if decided.get(k) else (
                "relevant" if v["p_relevant"] == v["p_relevant"]
                and v["p_relevant"] < self.options["alpha"] else "undecided")
        if not names:
            return None
        ev["irrelevant"] = names
        margin = ev["margin"]
        parts = []
        for k in names:
            v = per[k]
            parts.append(f"'{k}' is constant" if v["constant"] else
                         f"'{k}' (strongest at lag {v['best_lag']}: r = {v['r']:+.3f}, "
                         f"every lag's 95% upper bound <= {v['r_upper']:.3f})")
        kept = [k for k in per if k not in names]
        return Verdict(
            message=f"{len(names)} of {len(per)} input column(s) add nothing the target's own "
                    f"past does not give, at lags {ev['lags'][0]}..{ev['lags'][1]}: "
                    + "; ".join(parts)
                    + f" (useful means |r| >= {margin:.3f} with the target's innovations, "
                      f"i.e. R^2 >= {self.options['min_useful_r2']:g}; Holm at alpha "
                      f"{self.options['alpha']:g})",
            fix=f"Drop {', '.join(repr(k) for k in names)} from --features"
                + (f" (keep {', '.join(repr(k) for k in kept)})" if kept else "")
                + ", or make it useful: lag it to where it leads the target, feed its "
                  "changes, or replace it by an input known to drive the target.",
            remedies=[DropFeatures(names, "no information beyond the target's own past")],
        )
