from __future__ import annotations

import math

import numpy as np

from lstm_doctor import stats
from lstm_doctor.findings import Severity
from lstm_doctor.remedies import UseReference
from lstm_doctor.rules.base import Interval, NotApplicable, Rule, Verdict


class Rule_LD207(Rule):  # noqa: N801
    """Random walk: a unit root whose changes are white noise; the last value is the forecast.

    When the level has a unit root (LD201's tests) and its first differences pass a
    Ljung-Box test for white noise, tomorrow's best forecast is today's value (plus the
    average drift): nothing in the past predicts the next change. An LSTM trained on
    such a series can at best learn to copy its last input, which is why so many
    "accurate" LSTM stock forecasts are a one-step-lagged copy of the series. This is
    the unit-root counterpart of LD206 (stationary noise), which then does not fire.

    **Anti-pattern**

    Presenting an LSTM whose forecast tracks a price series closely as a success,
    without comparing it to the naive "last value" forecast it merely reproduces.

    **Best practice**

    Report the naive (random-walk) forecast as the benchmark; only claim skill for a
    model that beats it out of sample (Diebold-Mariano), and look for inputs that
    explain the changes.
    """

    code = "LD207"
    name = "stationarity.random-walk"
    severity = Severity.WARNING
    thresholds = {"min_pvalue": 0.05}
    constraints = {"min_pvalue": Interval(float, 0, 1)}

    def measure(self, ctx):
        """Unit-root diagnosis, Ljung-Box on the first differences and their drift."""
        reason = stats.untestable_reason(ctx)
        if reason:
            raise NotApplicable(reason)
        level = stats.level_diagnosis(ctx)
        order = stats.stationarity_order(ctx)
        z = stats.stationary_series(ctx) if order["d"] == 1 else np.diff(ctx.values)
        lags = stats.ljung_box_lags(z.size)
        mean = stats.stable_mean(z)
        sd = stats.stable_std(z, ddof=1) if z.size > 1 else 0.0
        return {
            "level_kind": level["kind"],
            "adf": level["adf_c"],
            "kpss": level["kpss_c"],
            "d": order["d"],
            "ljung_box": stats.ljung_box(ctx, "stationary" if order["d"] == 1 else "diff1",
                                         z, lags),
            "drift": mean,
            "drift_t": mean / (sd / math.sqrt(z.size)) if sd > 0 else 0.0,
            "step_sd": sd,
        }

    def judge(self, ev, ctx):
        """Fire on a unit root (d = 1) whose differences' Ljung-Box p >= min_pvalue."""
        lb = ev["ljung_box"]
        if ev["level_kind"] != "unit-root" or ev["d"] != 1:
            return None
        if not lb["pvalue"] >= self.options["min_pvalue"]:
            return None
        drift = (f" with a drift of {ev['drift']:.4g} per step (t = {ev['drift_t']:.1f})"
                 if abs(ev["drift_t"]) >= 2 else "")
        return Verdict(
            message=f"the series is a random walk{drift}: it has a unit root (ADF p = "
                    f"{ev['adf']['pvalue']:.3f}, KPSS p = {ev['kpss']['pvalue']:.3f}) and its "
                    f"changes are white noise (Ljung-Box Q = {lb['statistic']:.2f} over "
                    f"{lb['lags']} lags, p = {lb['pvalue']:.3f}); the naive last-value "
                    "forecast is optimal and an LSTM can at best learn to copy it",
            fix="Use the naive forecast (last value" + (" plus drift" if drift else "")
                + ") as the benchmark and expect no LSTM to beat it; look for inputs that "
                "explain the changes.",
            remedies=[UseReference("naive", "the series is a random walk: forecast the last "
                                            "value")])
