from __future__ import annotations

from lstm_doctor import stats
from lstm_doctor.findings import Severity
from lstm_doctor.remedies import UseReference
from lstm_doctor.rules.base import Interval, NotApplicable, Rule, Verdict


class Rule_LD206(Rule):  # noqa: N801
    """No learnable signal: the (stationary) series is indistinguishable from white noise.

    If a Ljung-Box test on the series cannot reject "no autocorrelation" and there is
    no trend and no season, the past says nothing about the future: the best forecast
    is the mean, and no amount of LSTM tuning will beat it (the network can only
    overfit the noise). The test runs on the RAW series made stationary
    (:func:`lstm_doctor.stats.stationary_series`), never on what an over-differenced
    set-up feeds the network. This rule covers stationary noise (``d = 0``); a unit-root
    series whose changes are noise is a random walk, reported by LD207 instead (the
    naive forecast, not the mean, is then optimal), so the two never fire together.

    **Anti-pattern**

    Tuning layers, units and epochs for days on a series of independent draws (daily
    returns, residuals, a noisy sensor) because "LSTMs find hidden patterns".

    **Best practice**

    Compare against the mean forecast first; if the series is white noise, stop tuning
    and look for informative inputs (exogenous features, a different target, a coarser
    aggregation) instead.
    """

    code = "LD206"
    name = "stationarity.no-signal"
    severity = Severity.WARNING
    thresholds = {"min_pvalue": 0.05}
    constraints = {"min_pvalue": Interval(float, 0, 1)}

    def measure(self, ctx):
        """Ljung-Box on the stationary raw series, with the season and level diagnosis."""
        reason = stats.untestable_reason(ctx)
        if reason:
            raise NotApplicable(reason)
        z = stats.stationary_series(ctx)
        order = stats.stationarity_order(ctx)
        lags = stats.ljung_box_lags(z.size)
        season = stats.detect_period(ctx)
        level = stats.level_diagnosis(ctx)
        return {
            "ljung_box": stats.ljung_box(ctx, "stationary", z, lags),
            "d": order["d"],
            "level_kind": level["kind"],
            "season_period": season["period"] if season else None,
            "n_features": len(ctx.series.feature_names),
        }

    def judge(self, ev, ctx):
        """Fire on a stationary, season-free series whose Ljung-Box p >= min_pvalue."""
        lb = ev["ljung_box"]
        if ev["d"] != 0 or ev["season_period"] is not None or ev["level_kind"] != "stationary":
            return None
        if not lb["pvalue"] >= self.options["min_pvalue"]:  # NaN (constant) never fires
            return None
        feats = (f"; {ev['n_features']} feature column(s) are given: check whether they carry "
                 "the signal" if ev["n_features"] else "")
        return Verdict(
            message=f"no learnable signal: the series is stationary and Ljung-Box cannot "
                    f"reject white noise (Q = {lb['statistic']:.2f} over {lb['lags']} lags, "
                    f"p = {lb['pvalue']:.3f}), with no trend or season; the mean is the best "
                    f"forecast and an LSTM can only fit noise{feats}",
            fix="Benchmark against the mean forecast and stop tuning the LSTM; look for "
                "informative features (exogenous drivers, calendar effects) or a different "
                "target.",
            remedies=[UseReference("mean", "the series is white noise: forecast its mean")])
