from __future__ import annotations

from lstm_doctor import stats
from lstm_doctor.findings import Severity
from lstm_doctor.remedies import Difference
from lstm_doctor.rules._setup_facts import VarianceThresholds, differencing_order
from lstm_doctor.rules.base import Interval, NotApplicable, Rule, Verdict


class Rule_LD201(Rule):  # noqa: N801
    """Unit root: the level wanders (ADF cannot reject a unit root and KPSS rejects stationarity).

    An LSTM trained on the level of a unit-root series sees, in the holdout, values
    outside the range it was trained on; with bounded activations (tanh) and a scaler
    fitted on the training part it cannot extrapolate, so the forecast flattens or lags
    the series by one step. The evidence is the pair of tests statsmodels recommends
    together: ADF (H0: unit root) does not reject even at 10 % while KPSS (H0:
    stationary) rejects at 5 %. The series is seasonally adjusted first, so seasonality
    alone never makes it "non-stationary", and a deterministic trend is left to LD202.

    The suggested order ``d`` is found on the scale the remedies model the level on
    (:func:`lstm_doctor.rules._setup_facts.differencing_order`): the log or Box-Cox scale when the
    set-up takes logs or when the spread grows with the level (LD205 then proposes the
    log), so the combined fixes never over-difference an exponentially growing series;
    ``order_scale`` in the evidence says which. A clean level shift (flat, a jump, flat
    again) fools both tests; it is reported as information, not as a unit root.

    **Anti-pattern**

    Min-max scaling a trending or wandering series (prices, GDP, CO2) and feeding its
    level straight into the network: the last test values lie above every training
    value, and the LSTM's prediction is a lagged copy of its input.

    **Best practice**

    Difference the series ``d`` times (one difference per unit root the tests find:
    ``preprocessing.difference: 1``), forecast the changes, and add them back to the
    last observed level; take logs first when the swings grow with the level; or
    seasonally difference when that also removes the root. Check the result with the
    same two tests.
    """

    code = "LD201"
    name = "stationarity.unit-root"
    reads = ("preprocessing.difference", "preprocessing.seasonal_difference")
    depends_on = ("LD205",)  # the scale LD205 would propose (its effective thresholds)
    severity = Severity.WARNING
    thresholds = {"adf_pvalue": stats.UNIT_ROOT_ADF_P, "kpss_pvalue": stats.ALPHA}
    constraints = {"adf_pvalue": Interval(float, 0, 1), "kpss_pvalue": Interval(float, 0, 1)}

    def measure(self, ctx):
        """ADF/KPSS (level and trend) on the seasonally adjusted raw series; suggested d."""
        reason = stats.untestable_reason(ctx)
        if reason:
            raise NotApplicable(reason)
        level = stats.level_diagnosis(ctx)
        order = differencing_order(ctx, VarianceThresholds.of(self.options_of(ctx, "LD205")))
        scale = order["scale"]
        prep = ctx.config.preprocessing
        return {
            "adf": level["adf_c"],
            "kpss": level["kpss_c"],
            "adf_trend": level["adf_ct"],
            "kpss_trend": level["kpss_ct"],
            "level_kind": level["kind"],
            "level_shift": level["level_shift"],
            "deseasonalized": level["deseasonalized"],
            # a unit root needs at least one difference, whatever the transformed scale says
            "suggested_d": max(1, order["d"]) if level["kind"] == "unit-root" else order["d"],
            "order_conclusive": order["conclusive"],
            "order_verdict": order["verdict"],
            "order_scale": scale["name"],
            "order_scale_source": scale["source"],
            "raw_scale_d": stats.stationarity_order(ctx)["d"],
            "setup_difference": prep.difference if ctx.config_given else None,
            "setup_seasonal_difference": prep.seasonal_difference if ctx.config_given else None,
        }

    def judge(self, ev, ctx):
        """Fire when ADF p >= adf_pvalue and KPSS p < kpss_pvalue, unless handled.

        A clean level shift is information (not a unit root); a trend-stationary level is
        LD202's finding.
        """
        if ev["level_kind"] == "level-shift":
            return _level_shift_verdict(ev)
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
        scale_txt, first = "", "Set"
        if ev["order_scale"] != "raw":
            why = ("the set-up's transform" if ev["order_scale_source"] == "setup"
                   else "the spread grows with the level, see LD205")
            raw_d = ev["raw_scale_d"]
            scale_txt = (f" on the {ev['order_scale']} scale ({why}"
                         + (f"; the raw level would need {raw_d}" if raw_d > d else "") + ")")
            if ev["order_scale_source"] != "setup":
                first = f"Take the {ev['order_scale']} first (LD205's remedy), then set"
        fix = (f"{first} preprocessing.difference: {d} (one difference per unit root the tests "
               "find) and forecast changes, adding them back to the last level; e.g. "
               f"z = np.diff(y, n={d}) before windowing.")
        if ctx.config_given:
            prep = ctx.config.preprocessing
            handled = prep.difference + (1 if prep.seasonal_difference else 0)
            if handled >= d:
                return None  # the set-up already differences enough
            extra = " (detrending does not remove a unit root)" if prep.detrend else ""
            return Verdict(
                message=f"the series has a unit root: {tests}; the set-up differences "
                        f"{prep.difference} time(s) but {d} is needed{scale_txt}{extra}",
                fix=fix, severity=Severity.ERROR, remedies=[Difference(d)])
        return Verdict(
            message=f"the series has a unit root (its level wanders): {tests}; the LSTM "
                    f"must be fed the series differenced {_times(d)}{scale_txt}",
            fix=fix, remedies=[Difference(d)])


def _level_shift_verdict(ev) -> Verdict:
    shift = ev["level_shift"]
    where = ", ".join(f"index {i} ({s:+.4g})" for i, s in zip(shift["at"], shift["sizes"],
                                                                 strict=False))
    return Verdict(
        message=f"the level shifts abruptly at {where} and is flat in between (the steps "
                f"explain {shift['share']:.0%} of the variance): ADF p = "
                f"{ev['adf']['pvalue']:.3f} and KPSS p = {ev['kpss']['pvalue']:.3f} read "
                "this as a unit root, but it is a structural break, not a wandering level",
        fix="Do not difference for it (differencing turns the shift into one isolated spike "
            "the network cannot anticipate): train on the data after the last shift, or "
            "give the network a regime indicator feature (0 before the shift, 1 after).",
        severity=Severity.INFO)


def _times(d: int) -> str:
    return {1: "once", 2: "twice"}.get(d, f"{d} times")
