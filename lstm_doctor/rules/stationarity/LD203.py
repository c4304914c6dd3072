from __future__ import annotations

import numpy as np

from lstm_doctor import stats
from lstm_doctor.findings import Severity
from lstm_doctor.remedies import Remedy
from lstm_doctor.rules._setup_facts import (
    VarianceThresholds,
    differencing_order,
    lag_covers_period,
)
from lstm_doctor.rules.base import Interval, NotApplicable, Rule, Verdict


class Rule_LD203(Rule):  # noqa: N801
    """Over-differenced: the set-up differences a series that was already stationary.

    Differencing a stationary series does not remove anything the network could not
    handle; it adds a non-invertible moving-average component (white noise differenced
    once has lag-1 autocorrelation -0.5) and doubles the noise variance, so the LSTM
    must learn to undo the differencing before it can forecast. The evidence is the
    differencing order the data needs (ADF/KPSS on the series the set-up differences,
    i.e. after its log/Box-Cox/detrend/deseasonalise stages) against the order the
    set-up applies, and the lag-1 autocorrelation of what the network sees.

    **Anti-pattern**

    ``difference: 1`` copied from a tutorial on stock prices and applied to a series
    that already fluctuates around a constant mean, or a seasonal difference on a
    series without a season.

    **Best practice**

    Difference only as often as a unit root requires (``stationarity_order``: ADF
    rejects and KPSS does not); if the differenced series has a lag-1 autocorrelation
    near -0.5, undo one difference.
    """

    code = "LD203"
    name = "stationarity.over-differenced"
    reads = ()  # a difference it can judge is always stated: the default (0) never fires
    depends_on = ("LD201", "LD205")  # never below the order LD201 asks for
    severity = Severity.WARNING
    needs_config = True
    thresholds = {"max_lag1_acf": -0.5, "error_lag1_acf": -0.3}
    constraints = {"max_lag1_acf": Interval(float, -1, 1),
                   "error_lag1_acf": Interval(float, -1, 1)}

    def measure(self, ctx):
        """Needed vs applied differencing order; lag-1 ACF of the network's input."""
        reason = stats.untestable_reason(ctx)
        if reason:
            raise NotApplicable(reason)
        prep = ctx.config.preprocessing
        if not prep.difference and not prep.seasonal_difference:
            raise NotApplicable("the set-up does not difference the series")
        pipe = ctx.pipeline
        first_diff = next(i for i, s in enumerate(pipe.stages_) if s.name == "difference")
        pre = pipe.levels_[first_diff]
        if first_diff == 0:  # the raw target (no trend option: a differenced trend is LD202's)
            order = stats.stationarity_order_of(ctx, "values", ctx.values)
        else:
            order = stats.stationarity_order_of(ctx, "setup-before-differencing", pre)
        season = stats.detect_period(ctx)
        seasonal_needed = bool(
            season and not prep.deseasonalize
            and lag_covers_period(prep.seasonal_difference, season["period"]))
        extra_seasonal = int(bool(prep.seasonal_difference) and not seasonal_needed)
        seen = ctx.transformed[np.isfinite(ctx.transformed)]
        lag1 = float(stats.acf(ctx, "setup-transformed", seen, 1)[1]) if seen.size > 3 else 0.0
        return {
            "needed_d": int(order["d"]),
            "order_conclusive": bool(order["conclusive"]),
            "order_tests": order["per_order"],
            "setup_difference": int(prep.difference),
            "setup_seasonal_difference": int(prep.seasonal_difference),
            "season_period": season["period"] if season else None,
            "excess_order": int(prep.difference - order["d"] + extra_seasonal)
            if order["conclusive"] else int(extra_seasonal),
            "unneeded_seasonal_difference": bool(extra_seasonal),
            "lag1_acf": lag1,
        }

    def judge(self, ev, ctx):
        """Fire when the set-up differences more than needed or lag-1 ACF <= max_lag1_acf.

        Error when it differences more than needed and the input shows the signature of
        over-differencing (lag-1 ACF <= error_lag1_acf); warning otherwise.
        """
        excess = ev["excess_order"] >= 1
        negative = ev["lag1_acf"] <= self.options["max_lag1_acf"]
        if not excess and not negative:
            return None
        if not excess and ev["order_conclusive"] and ev["needed_d"] >= ev["setup_difference"]:
            # the unit-root tests ask for every difference the set-up takes: a negative
            # lag-1 autocorrelation is then the series' own (e.g. alternating) noise, not
            # the signature of over-differencing (the stateful shampoo tutorial)
            return None
        lower = max(0, min(ev["setup_difference"], ev["needed_d"]))
        if not excess:  # only the ACF says so: undo one difference
            lower = max(0, ev["setup_difference"] - 1)
        drop_seasonal = ev["unneeded_seasonal_difference"]
        if drop_seasonal:
            # 1 - B^s has the factor 1 - B: the unneeded seasonal difference also removed a
            # unit root; replace it by a first difference when the series needs one
            lower = max(lower, min(ev["setup_difference"] + 1, ev["needed_d"]))
        # never below what LD201 asks for (a seasonal difference that stays counts as one)
        kept_seasonal = int(bool(ev["setup_seasonal_difference"]) and not drop_seasonal)
        ld201 = self.options_of(ctx, "LD201")
        variance = VarianceThresholds.of(self.options_of(ctx, "LD205"))
        lower = max(lower, _unit_root_order(ctx, ld201, variance) - kept_seasonal)
        if lower >= ev["setup_difference"] and not drop_seasonal:
            # the unit-root tests ask for every difference the set-up takes: the negative
            # autocorrelation is the series' own
            return None
        changes: dict = {"difference": min(lower, 2)}
        if drop_seasonal:
            changes["seasonal_difference"] = 0
        parts = []
        if ev["setup_difference"] > ev["needed_d"] and ev["order_conclusive"]:
            tests = ev["order_tests"][ev["needed_d"]]
            parts.append(f"the set-up differences {ev['setup_difference']} time(s) but the "
                         f"series is stationary with d = {ev['needed_d']} (ADF p = "
                         f"{tests['adf']['pvalue']:.3f}, KPSS p = {tests['kpss']['pvalue']:.3f})")
        if ev["unneeded_seasonal_difference"]:
            parts.append(f"it seasonally differences at lag {ev['setup_seasonal_difference']} "
                         "but the series has no season at that lag")
        signature = ev["lag1_acf"] <= self.options["error_lag1_acf"]
        parts.append(f"the network's input has lag-1 autocorrelation {ev['lag1_acf']:.2f}"
                     + (" (the signature of over-differencing: a non-invertible MA)"
                        if signature else ""))
        key_txt = ", ".join(f"preprocessing.{k}: {v}" for k, v in changes.items())
        return Verdict(
            message="over-differenced: " + "; ".join(parts),
            fix=f"Set {key_txt}; difference only as often as a unit root requires.",
            severity=Severity.ERROR if excess and signature else Severity.WARNING,
            remedies=[Remedy("difference", "preprocessing", changes,
                             "reduce the differencing order")])


def _unit_root_order(ctx, ld201: dict, variance: VarianceThresholds) -> int:
    """The differencing order LD201 asks for (0 when it finds no unit root).

    Uses LD201's effective thresholds (``ld201``) and LD205's (``variance``, the scale of
    the order), so this rule never proposes fewer differences than LD201 would then require
    of the remediated set-up.
    """
    level = stats.level_diagnosis(ctx)
    if level["kind"] in ("level-shift", "trend-stationary"):
        return 0  # LD201 does not ask for differences then
    adf_p, kpss_p = level["adf_c"]["pvalue"], level["kpss_c"]["pvalue"]
    if not (adf_p >= ld201["adf_pvalue"] and kpss_p < ld201["kpss_pvalue"]):
        return 0
    return max(1, int(differencing_order(ctx, variance)["d"]))
