from __future__ import annotations

import numpy as np

from lstm_doctor.findings import Severity
from lstm_doctor.rules.base import Interval, NotApplicable, Rule, Verdict
from lstm_doctor.rules.training import baseline_and_experiment
from lstm_doctor.symptoms import collapse


class Rule_LD704(Rule):  # noqa: N801
    """Collapsed forecast: the LSTM predicts (nearly) the same value whatever the input.

    A network whose activations saturate (unscaled inputs into tanh/sigmoid), whose relu
    units died, or that found nothing to learn outputs an almost constant value - often the
    training mean. Evidence (one-step forecasts over the holdout, median over seeds): the
    standard deviation of the forecasts as a fraction of the holdout's, and where the
    forecasts sit relative to the training mean (in training standard deviations).

    **Anti-pattern**

    Feeding raw values in the hundreds into an LSTM with tanh/sigmoid gates, or training
    with a learning rate so high the units saturate, then reading a flat forecast line as
    "the model is cautious".

    **Best practice**

    Scale the input (standard scaling fit on the training split), make the series
    stationary (differencing), keep tanh/sigmoid activations and check that the forecasts
    vary like the series. If the series really is noise (LD206), the mean is the right
    forecast and no network is needed.
    """

    code = "LD704"
    name = "training.collapsed-to-mean"
    severity = Severity.WARNING
    needs_training = True
    thresholds = {"max_spread_ratio": 0.1}
    constraints = {"max_spread_ratio": Interval(float, 0, None)}

    def measure(self, ctx):
        """Forecast spread over holdout spread (median over seeds)."""
        exp, base = baseline_and_experiment(ctx)
        per_seed = []
        for run in base.runs:
            if np.all(np.isfinite(run.forecast)):
                per_seed.append(collapse(exp.actual, run.forecast, exp.train))
        if not per_seed or len(exp.origins) < 3:
            raise NotApplicable("no finite forecasts (see LD705)")
        ratios = [s["spread_ratio"] for s in per_seed]
        if not np.all(np.isfinite(ratios)):
            raise NotApplicable("the holdout is constant")
        med = int(np.argsort(ratios)[len(ratios) // 2])
        ev = dict(per_seed[med])
        ev["spread_ratio_per_seed"] = ratios
        # the check advised the mean forecast (a UseReference remedy): the series is noise
        advisers = list(getattr(exp, "advised", {}).get("mean", []))
        ev["noise_series"] = bool(advisers)
        ev["mean_advised_by"] = advisers
        return ev

    def judge(self, ev, ctx):
        """Fire when the median spread ratio is below ``max_spread_ratio``."""
        if ev["spread_ratio"] >= self.options["max_spread_ratio"]:
            return None
        where = "at the training mean" if ev["distance_to_train_mean"] < 0.5 else (
            f"{ev['distance_to_train_mean']:.1f} training standard deviations away from the "
            "training mean")
        message = (f"the forecasts barely move: their spread is {ev['spread_ratio']:.1%} of "
                   f"the holdout's (std {ev['forecast_std']:.4g} vs {ev['actual_std']:.4g}), "
                   f"sitting {where} ({ev['forecast_mean']:.4g})")
        if ev["noise_series"]:
            return Verdict(message=message + "; the series looks like noise ("
                           + ", ".join(ev["mean_advised_by"]) + "), so a "
                           "constant (mean) forecast is what any model should give",
                           fix="Use the mean forecast; look for informative features.",
                           severity=Severity.INFO)
        return Verdict(
            message=message + ": the network collapsed to a constant",
            fix="Standard-scale the input on the training split (preprocessing.scaler: "
                "standard, scaler_fit: train), difference a trending series, keep "
                "model.activation: tanh, and check the learning rate.",
        )
