from __future__ import annotations

import numpy as np

from lstm_doctor.capacity import seen_inputs
from lstm_doctor.findings import Severity
from lstm_doctor.remedies import Scale
from lstm_doctor.rules.base import Rule, Verdict


class Rule_LD301(Rule):  # noqa: N801
    """Unscaled input: the values the network sees are far outside the range tanh/sigmoid work in.

    An LSTM's gates are sigmoids and its cell input and output are tanh: they respond to
    pre-activations of order one. Fed raw passenger counts (hundreds) or prices
    (thousands), ``W·x`` saturates every gate at initialisation, gradients vanish and the
    network learns little more than the mean. Evidence: mean, standard deviation and
    largest absolute value of the training inputs after the set-up's preprocessing (the
    target and every feature, scaled the way the set-up scales them).

    **Anti-pattern**

    ``model.fit(X_raw, y_raw)`` on the series in its original units, or scaling the target
    but feeding the extra features raw.

    **Best practice**

    Standardise every input with statistics fitted on the training split
    (``StandardScaler().fit(train)``; ``preprocessing.scaler: standard``,
    ``scaler_fit: train``) and invert the scaling on the forecasts.
    """

    code = "LD301"
    name = "scaling.unscaled-input"
    reads = ("preprocessing.scaler",)
    severity = Severity.WARNING
    needs_config = True
    thresholds = {"max_magnitude": 10.0, "error_magnitude": 100.0, "min_std": 1e-3}

    def measure(self, ctx):
        """Mean, std and max |x| of each training input as the network sees it."""
        cols = seen_inputs(ctx)
        stats = {}
        for name, values in cols.items():
            train = values[: ctx.n_train]
            train = train[np.isfinite(train)]
            if train.size == 0:
                continue
            stats[name] = {"mean": float(train.mean()), "std": float(train.std()),
                           "max_abs": float(np.abs(train).max())}
        target = stats.get(ctx.series.target, {"mean": 0.0, "std": 0.0, "max_abs": 0.0})
        return {"scaler": ctx.config.preprocessing.scaler, "mean": target["mean"],
                "std": target["std"], "max_abs": target["max_abs"], "columns": stats}

    def judge(self, ev, ctx):
        """Fire when an input's |mean| or std is far from order 1."""
        big, tiny = [], []
        worst = 0.0
        for name, s in ev["columns"].items():
            magnitude = max(abs(s["mean"]), s["std"])
            if magnitude > self.options["max_magnitude"]:
                big.append(f"'{name}' (mean {s['mean']:.4g}, std {s['std']:.4g}, "
                           f"max |x| {s['max_abs']:.4g})")
                worst = max(worst, magnitude)
            elif 0 < s["std"] < self.options["min_std"] and abs(s["mean"]) < self.options[
                    "min_std"]:
                tiny.append(f"'{name}' (std {s['std']:.2g})")
        if not big and not tiny:
            return None
        parts = []
        if big:
            parts.append("the network sees unscaled inputs: " + ", ".join(big)
                         + f"; tanh/sigmoid gates work on values of order 1 (limit "
                         f"{self.options['max_magnitude']:g})")
        if tiny:
            parts.append("inputs are vanishingly small: " + ", ".join(tiny))
        severity = Severity.ERROR if worst > self.options["error_magnitude"] else None
        kind = "standard" if ev["scaler"] == "none" else ev["scaler"]
        return Verdict(
            message="; ".join(parts),
            fix="Scale every input on the training split: set preprocessing.scaler: standard "
                "and preprocessing.scaler_fit: train (sklearn: StandardScaler().fit(train)), "
                "and invert the scaling on the forecasts.",
            severity=severity,
            remedies=[Scale(kind, "train")],
        )
