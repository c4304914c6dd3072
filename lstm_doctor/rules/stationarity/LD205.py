from __future__ import annotations

from lstm_doctor import stats
from lstm_doctor.findings import Severity
from lstm_doctor.remedies import BoxCox, Log
from lstm_doctor.rules import _setup_facts as facts
from lstm_doctor.rules.base import Interval, NotApplicable, Rule, Verdict


class Rule_LD205(Rule):  # noqa: N801
    """Unstable variance: the series' spread grows with its level (multiplicative behaviour).

    When the swings are proportional to the level (airline passengers, sales, counts),
    an LSTM trained with MSE on the raw scale fits the calm early years badly and the
    wild recent ones worst, and a scaler fitted on the early part under-sizes the late
    swings. Evidence: in blocks of a season (or ~n/20 points), the slope ``b`` of
    log(spread of changes) on log(level); ``b`` near 1 means ``sd ~ level`` and a log
    transform stabilises it; the Box-Cox lambda (Guerrero, and scipy's MLE) is reported.
    The decision (:func:`lstm_doctor.rules._setup_facts.variance_grows_with_level`, with this rule's
    thresholds including overrides) also sets the scale on which LD201 and LD304 choose the
    differencing order, so a log proposed here and the differences proposed there compose
    correctly.

    **Anti-pattern**

    Min-max scaling a multiplicative series and training on it directly: seasonal peaks
    that grow every year are systematically under-predicted.

    **Best practice**

    ``preprocessing.log: true`` (or ``preprocessing.boxcox: lambda``) before
    differencing and scaling, fitted on the training part, and invert the forecasts
    with the exact inverse (exp).
    """

    code = "LD205"
    name = "stationarity.unstable-variance"
    reads = ("preprocessing.log", "preprocessing.boxcox")
    severity = Severity.WARNING
    thresholds = {"min_slope": facts.VARIANCE_MIN_SLOPE, "max_pvalue": facts.VARIANCE_MAX_PVALUE,
                  "min_level_ratio": facts.VARIANCE_MIN_LEVEL_RATIO,
                  "log_lambda_band": facts.LOG_LAMBDA_BAND}
    constraints = {"min_slope": Interval(float, 0, None), "max_pvalue": Interval(float, 0, 1),
                   "min_level_ratio": Interval(float, 1, None),
                   "log_lambda_band": Interval(float, 0, None)}

    def measure(self, ctx):
        """Power-law slope of spread on level, its p-value, the level range and lambda.

        The Box-Cox lambdas are reported with a finding only: when the spread does not
        grow with the level the rule passes and its evidence is not shown, so they are
        not searched for (on a short series they cost more than everything else here).
        """
        reason = stats.untestable_reason(ctx)
        if reason:
            raise NotApplicable(reason)
        prep = ctx.config.preprocessing
        if ctx.config_given and (prep.log or prep.boxcox is not None):
            raise NotApplicable("the set-up already takes logs / Box-Cox")
        rel = stats.variance_vs_level(ctx)
        if not rel["positive"]:
            raise NotApplicable("the series is not strictly positive (log/Box-Cox need > 0)")
        if "slope" not in rel:
            raise NotApplicable(f"too few blocks ({rel['n_blocks']}) to relate spread to level")
        o = self.options
        if not facts.variance_grows_with_level(rel, min_slope=o["min_slope"],
                                               max_pvalue=o["max_pvalue"],
                                               min_level_ratio=o["min_level_ratio"]):
            return dict(rel)  # judged a pass: the Box-Cox search (most of the cost) is moot
        lam = stats.boxcox_lambda(ctx)
        return {**rel, "boxcox_lambda": lam["lambda"], "boxcox_lambda_mle": lam["lambda_mle"]}

    def judge(self, ev, ctx):
        """Fire when spread ~ level ** b with b >= min_slope, significant, over a wide range."""
        o = self.options
        if not facts.variance_grows_with_level(ev, min_slope=o["min_slope"],
                                               max_pvalue=o["max_pvalue"],
                                               min_level_ratio=o["min_level_ratio"]):
            return None
        transform = facts.stabilising_transform(ctx, log_band=o["log_lambda_band"])
        lam = transform["lambda_estimate"]
        use_log = transform["transform"] == "log"
        remedy = Log() if use_log else BoxCox(transform["lambda"])
        key = ("preprocessing.log: true" if use_log
               else f"preprocessing.boxcox: {transform['lambda']:.2f}")
        return Verdict(
            message=f"the spread grows with the level: sd ~ level^{ev['slope']:.2f} (p = "
                    f"{ev['slope_pvalue']:.2g}, r = {ev['correlation']:.2f}) over blocks of "
                    f"{ev['block']} points whose mean varies {ev['level_ratio']:.1f}-fold; "
                    f"Box-Cox lambda {lam:.2f} (Guerrero), {ev['boxcox_lambda_mle']:.2f} (MLE)",
            fix=f"Set {key} (before differencing and scaling) and invert forecasts exactly.",
            remedies=[remedy])
