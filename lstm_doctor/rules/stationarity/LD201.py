from __future__ import annotations

from lstm_doctor import stats
from lstm_doctor.findings import Severity
from lstm_doctor.remedies import Difference
from lstm_doctor.rules.base import NotApplicable, Rule, Verdict


class Rule_LD201(Rule):  # noqa: N801
    """Unit root: the level wanders (ADF cannot reject a unit root and KPSS rejects stationarity).

    An LSTM trained on the level of a unit-root series sees, in the holdout, values
    outside the range it was trained on; with bounded activations (tanh) and a scaler
    fitted on the training part it cannot extrapolate, so the forecast flattens or lags
    the series by one step. The evidence is the pair of tests statsmodels recommends
    together: ADF (H0: unit root) does not reject even at 10 % while KPSS (H0:
    stationary) rejects at 5 %. The series is seasonally adjusted first, so seasonality
    alone never makes it "non-stationary", and a deterministic trend is left to LD202.

    **Anti-pattern**

    Min-max scaling a trending or wandering series (prices, GDP, CO2) and feeding its
    level straight into the network: the last test values lie above every training
    value, and the LSTM's prediction is a lagged copy of its input.

    **Best practice**

    Difference the series ``d`` times (the smallest order for which ADF rejects and
    KPSS does not: ``preprocessing.difference: 1``), forecast the changes, and add them
    back to the last observed level; or seasonally difference when that also removes
    the root. Check the result with the same two tests.
    """

    code = "LD201"
    name = "stationarity.unit-root"
    severity = Severity.WARNING
    thresholds = {"adf_pvalue": stats.UNIT_ROOT_ADF_P, "kpss_pvalue": stats.ALPHA}

    def measure(self, ctx):
        """ADF/KPSS (level and trend) on the seasonally adjusted raw series; suggested d."""
        reason = stats.untestable_reason(ctx)
        if reason:
            raise NotApplicable(reason)
        level = stats.level_diagnosis(ctx)
        order = stats.stationarity_order(ctx)
        prep = ctx.config.preprocessing
        return {
            "adf": level["adf_c"],
            "kpss": level["kpss_c"],
            "adf_trend": level["adf_ct"],
            "kpss_trend": level["kpss_ct"],
            "level_kind": level["kind"],
            "deseasonalized": level["deseasonalized"],
            "suggested_d": order["d"],
            "order_conclusive": order["conclusive"],
            "setup_difference": prep.difference if ctx.config_given else None,
            "setup_seasonal_difference": prep.seasonal_difference if ctx.config_given else None,
        }

    def judge(self, ev, ctx):
        """Fire when ADF p >= adf_pvalue and KPSS p < kpss_pvalue, unless handled."""
        if ev["level_kind"] == "trend-stationary":
            return None  # a deterministic trend: LD202's finding, not a unit root
        adf_p, kpss_p = ev["adf"]["pvalue"], ev["kpss"]["pvalue"]
        if not (adf_p >= self.options["adf_pvalue"] and kpss_p < self.options["kpss_pvalue"]):
            return None
        d = max(1, int(ev["suggested_d"]))
        kpss_txt = ("< 0.01" if ev["kpss"].get("pvalue_bound") == "lower"
                    else f"= {kpss_p:.3f}")
        seasonal = (f" after removing the period-{ev['deseasonalized']} season"
                    if ev["deseasonalized"] else "")
        tests = (f"ADF p = {adf_p:.3f} (stat {ev['adf']['statistic']:.2f}, "
                 f"{ev['adf']['usedlag']} lags) cannot reject a unit root and KPSS p {kpss_txt} "
                 f"rejects stationarity{seasonal}")
        fix = (f"Set preprocessing.difference: {d} (the smallest order for which ADF rejects "
               "and KPSS does not) and forecast changes, adding them back to the last level; "
               f"e.g. z = np.diff(y, n={d}) before windowing.")
        if ctx.config_given:
            prep = ctx.config.preprocessing
            handled = prep.difference + (1 if prep.seasonal_difference else 0)
            if handled >= d:
                return None  # the set-up already differences enough
            extra = " (detrending does not remove a unit root)" if prep.detrend else ""
            return Verdict(
                message=f"the series has a unit root: {tests}; the set-up differences "
                        f"{prep.difference} time(s) but {d} is needed{extra}",
                fix=fix, severity=Severity.ERROR, remedies=[Difference(d)])
        return Verdict(
            message=f"the series has a unit root (its level wanders): {tests}; the LSTM "
                    f"must be fed the series differenced {_times(d)}",
            fix=fix, remedies=[Difference(d)])


def _times(d: int) -> str:
    return {1: "once", 2: "twice"}.get(d, f"{d} times")
