from __future__ import annotations

from lstm_doctor import stats
from lstm_doctor.findings import Severity
from lstm_doctor.remedies import Detrend, Remedy
from lstm_doctor.rules.base import Interval, NotApplicable, Rule, Verdict


class Rule_LD202(Rule):  # noqa: N801
    """Trend-stationary: a deterministic trend plus stationary noise; detrend, don't difference.

    The level tests say the series is not stationary, but with a linear trend in the
    test regression ADF (ct) rejects a unit root and KPSS (ct) does not reject
    trend-stationarity, and the trend explains a real share of the variance. The
    deviations from the line are stationary: remove the line (fitted on the training
    split only) and model what is left. Differencing would work too but over-differences
    the noise (lag-1 autocorrelation near -0.5), which makes it harder to learn. Never
    fires together with LD201 (unit root).

    **Anti-pattern**

    Scaling a steadily trending series into [0, 1] on the training part, so the holdout
    lies above 1 where the LSTM has never been; or fitting the trend on the whole series,
    which leaks the holdout's level into training.

    **Best practice**

    ``preprocessing.detrend: true``: fit ``a + b t`` on the training split, subtract it,
    train on the residuals and add the extrapolated line back to the forecasts.
    """

    code = "LD202"
    name = "stationarity.trend-stationary"
    reads = ("preprocessing.detrend",)
    severity = Severity.WARNING
    thresholds = {"min_trend_r2": stats.TREND_MIN_R2}
    constraints = {"min_trend_r2": Interval(float, 0, 1)}

    def measure(self, ctx):
        """ADF/KPSS with a trend, the trend's slope and its share of the variance."""
        reason = stats.untestable_reason(ctx)
        if reason:
            raise NotApplicable(reason)
        level = stats.level_diagnosis(ctx)
        return {
            "level_kind": level["kind"],
            "adf": level["adf_c"],
            "kpss": level["kpss_c"],
            "adf_trend": level["adf_ct"],
            "kpss_trend": level["kpss_ct"],
            "trend_slope": level["trend_slope"],
            "trend_r2": level["trend_r2"],
            "deseasonalized": level["deseasonalized"],
        }

    def judge(self, ev, ctx):
        """Fire on a trend-stationary level whose trend explains >= min_trend_r2."""
        if ev["level_kind"] != "trend-stationary" or ev["trend_r2"] < self.options["min_trend_r2"]:
            return None
        prep = ctx.config.preprocessing
        if ctx.config_given and prep.detrend:
            return None  # the set-up already removes the trend
        tests = (f"with a trend, ADF p = {ev['adf_trend']['pvalue']:.3f} rejects a unit root "
                 f"and KPSS p = {ev['kpss_trend']['pvalue']:.3f} does not reject "
                 f"trend-stationarity, while the level tests say non-stationary (ADF p = "
                 f"{ev['adf']['pvalue']:.3f}, KPSS p = {ev['kpss']['pvalue']:.3f}); the trend "
                 f"({ev['trend_slope']:.4g} per step) explains {ev['trend_r2']:.0%} of the "
                 "variance")
        fix = ("Set preprocessing.detrend: true (a linear trend fitted on the training split "
               "only, added back to the forecasts) instead of differencing.")
        remedies = [Detrend()]
        if ctx.config_given and prep.difference:
            # one remedy: detrending replaces the differencing (two would compete for the
            # same slot of the remediation and the second would be dropped)
            remedies = [Remedy("detrend", "preprocessing", {"detrend": True, "difference": 0},
                               "detrend instead of differencing")]
            return Verdict(
                message=f"the series is trend-stationary: {tests}; the set-up differences it "
                        f"{prep.difference} time(s), which over-differences the noise",
                fix=fix + " Remove preprocessing.difference.", remedies=remedies)
        return Verdict(message=f"the series is trend-stationary: {tests}", fix=fix,
                       remedies=remedies)
