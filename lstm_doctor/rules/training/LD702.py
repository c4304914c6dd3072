from __future__ import annotations

import math

from lstm_doctor.findings import Severity
from lstm_doctor.rules.base import Interval, NotApplicable, Rule, Verdict
from lstm_doctor.rules.training import baseline_and_experiment
from lstm_doctor.symptoms import persistence


class Rule_LD702(Rule):  # noqa: N801
    """Persistence mimic: the LSTM learned to copy the last value (its forecast lags the series).

    A network that cannot find structure in its inputs minimises the loss by repeating the
    last input value; its forecast curve then looks like the series shifted one step to the
    right. It looks convincing on a plot and is worthless: the naive forecast does the same
    for free. Evidence (one-step forecasts over the holdout, seed-averaged): the correlation
    of the forecast with the previous actual value versus with the actual value, how far the
    forecast moves away from the last value relative to the series' typical step
    (``copy_ratio``; 0 = exact copy), and MAE relative to the naive forecast.

    **Anti-pattern**

    Plotting forecast against actual on the whole series, seeing the curves overlap, and
    concluding the model is accurate - when the forecast is just the series delayed by one
    step.

    **Best practice**

    Check the forecast against the naive forecast (MASE, Diebold-Mariano) and plot the errors
    of both. Predict changes instead of levels (difference the series, then scale), so that
    copying the last value is no longer a cheap local minimum; if the series is a random walk
    (LD207) the naive forecast is the right answer.
    """

    code = "LD702"
    name = "training.persistence-mimic"
    severity = Severity.WARNING
    needs_training = True
    thresholds = {"max_copy_ratio": 0.5, "min_mae_ratio_to_naive": 0.9}
    constraints = {"max_copy_ratio": Interval(float, 0, None),
                   "min_mae_ratio_to_naive": Interval(float, 0, None, closed="neither")}

    def measure(self, ctx):
        """Correlation with y[t-1] vs y[t], copy ratio, MAE ratio to naive."""
        exp, base = baseline_and_experiment(ctx)
        forecast = base.forecast
        if not (forecast == forecast).all() or len(exp.origins) < 5:
            raise NotApplicable("too few or non-finite forecasts")
        ev = persistence(exp.y, exp.origins, forecast)
        if not math.isfinite(ev["corr_prev"]):
            raise NotApplicable("the forecasts are constant (see LD704)")
        rem = exp.model("remediated_lstm")
        if rem is not None:
            ev["remediated"] = persistence(exp.y, exp.origins, rem.forecast)
        return ev

    def judge(self, ev, ctx):
        """Fire when the forecast tracks y[t-1] better than y[t] and stays close to it."""
        lagging = ev["corr_prev"] > ev["corr_now"]
        copying = ev["copy_ratio"] <= self.options["max_copy_ratio"]
        no_gain = ev["mae_ratio_to_naive"] >= self.options["min_mae_ratio_to_naive"]
        if not (lagging and copying and no_gain):
            return None
        extra = ""
        rem = ev.get("remediated")
        if rem and math.isfinite(rem.get("mae_ratio_to_naive", float("nan"))):
            extra = (f"; the remediated LSTM's error is {rem['mae_ratio_to_naive']:.2f}x the "
                     "naive forecast's")
        return Verdict(
            message=f"the model learned to copy the last value: its forecast correlates more "
                    f"with the previous actual value ({ev['corr_prev']:.3f}) than with the "
                    f"value it predicts ({ev['corr_now']:.3f}), moves only "
                    f"{ev['copy_ratio']:.2f}x a typical step away from the last value, and its "
                    f"error is {ev['mae_ratio_to_naive']:.2f}x the naive forecast's" + extra,
            fix="Difference the series (preprocessing.difference: 1) and standard-scale it on "
                "train so the network predicts changes, not levels; compare with the naive "
                "forecast - for a random walk it is the right answer.",
        )
