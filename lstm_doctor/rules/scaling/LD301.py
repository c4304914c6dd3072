from __future__ import annotations

import numpy as np

from lstm_doctor import stats as _stats
from lstm_doctor.capacity import seen_inputs
from lstm_doctor.findings import Severity
from lstm_doctor.remedies import Scale, SetLearningRate
from lstm_doctor.rules.base import Interval, NotApplicable, Rule, Verdict


class Rule_LD301(Rule):  # noqa: N801
    """Unscaled input: the values the network sees are far outside the range tanh/sigmoid work in.

    An LSTM's gates are sigmoids and its cell input and output are tanh: they respond to
    pre-activations of order one. Fed raw passenger counts (hundreds) or prices
    (thousands), ``W·x`` saturates every gate at initialisation, gradients vanish and the
    network learns little more than the mean. Evidence: mean, standard deviation and
    largest absolute value of the training inputs after the set-up's preprocessing (the
    target and every feature, scaled the way the set-up scales them).

    Scaling the inputs shrinks an SGD step by the input scale (see LD602's effective
    learning rate). When the set-up's learning rate was tuned for the raw scale (an
    SGD-like optimizer whose effective step is in the sane range now but would fall below
    it on standardised inputs, such as ``SGD(8e-7, momentum=0.9)`` on raw sunspot numbers),
    the remedy also resets the learning rate (the optimizer's default when that is in range
    on standardised inputs); the evidence then carries ``learning_rate_after_scaling``.

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
    depends_on = ("LD602",)  # the learning-rate reset judged by LD602's sane ranges
    severity = Severity.WARNING
    needs_config = True
    thresholds = {"max_magnitude": 10.0, "error_magnitude": 100.0, "min_std": 1e-3}
    constraints = {"max_magnitude": Interval(float, 0, None, closed="neither"),
                   "error_magnitude": Interval(float, 0, None, closed="neither"),
                   "min_std": Interval(float, 0, None)}

    def measure(self, ctx):
        """Mean, std and max |x| of each training input as the network sees it.

        Also the learning-rate reset scaling them needs (:func:`_raw_scale_learning_rate`).
        """
        cols = seen_inputs(ctx)
        stats = {}
        for name, values in cols.items():
            train = values[: ctx.n_train]
            train = train[np.isfinite(train)]
            if train.size == 0:
                continue
            stats[name] = {"mean": _stats.stable_mean(train), "std": _stats.stable_std(train),
                           "max_abs": float(np.abs(train).max())}
        target = stats.get(ctx.series.target, {"mean": 0.0, "std": 0.0, "max_abs": 0.0})
        return {"scaler": ctx.config.preprocessing.scaler, "mean": target["mean"],
                "std": target["std"], "max_abs": target["max_abs"], "columns": stats,
                "learning_rate_after_scaling": _raw_scale_learning_rate(
                    ctx, self.options_of(ctx, "LD602"))}

    def assumed_inputs(self, ctx, evidence):
        """None when the arrays fed to ``fit`` were measured (the scaler is then a fact)."""
        if getattr(ctx, "arrays", None) is not None:
            return {}
        return super().assumed_inputs(ctx, evidence)

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
        fix = ("Scale every input on the training split: set preprocessing.scaler: standard "
               "and preprocessing.scaler_fit: train (sklearn: StandardScaler().fit(train)), "
               "and invert the scaling on the forecasts.")
        remedies = [Scale(kind, "train")]
        step = ev.get("learning_rate_after_scaling") if big else None
        if step is not None:
            remedies.append(SetLearningRate(step["suggested"]))
            side = "below" if step["after_scaling"] < step["min"] else "above"
            fix += (f" Your learning rate {step['learning_rate']:g} ({step['optimizer']}) was "
                    f"tuned for the raw scale: its effective step is {step['effective']:.3g} "
                    f"now, and scaling the inputs changes it to {step['after_scaling']:.3g}, "
                    f"{side} the sane range ({step['min']:g} to {step['max']:g}, LD602); so "
                    f"also set training.learning_rate: {step['suggested']:g}"
                    + (f" (the {step['optimizer']} default)" if step["is_default"] else "")
                    + ".")
        return Verdict(message="; ".join(parts), fix=fix, severity=severity,
                       remedies=remedies)


def _raw_scale_learning_rate(ctx, options: dict) -> dict | None:
    """The learning-rate reset scaling needs, when the rate was tuned for the raw scale.

    ``None`` unless the optimizer's step scales with the inputs (SGD), its effective step
    is in LD602's sane range with the inputs as they are, and out of it once the inputs are
    standardised. Uses LD602's effective thresholds (overrides included).
    """
    from lstm_doctor.rules.setup.LD602 import (
        DEFAULT_LR,
        step_evidence,
        suggested_rate,
        within,
    )

    try:
        now = step_evidence(ctx, options)
        if not now["scales_with_gradient"]:
            return None
        after = step_evidence(ctx, options, standardised=True)
    except NotApplicable:
        return None
    lo, hi = now["min"], now["max"]
    if not within(now["effective_learning_rate"], lo, hi) or \
            within(after["effective_learning_rate"], lo, hi):
        return None
    new = suggested_rate(after)
    return {"optimizer": now["optimizer"], "learning_rate": now["learning_rate"],
            "effective": now["effective_learning_rate"],
            "after_scaling": after["effective_learning_rate"], "min": lo, "max": hi,
            "suggested": new, "is_default": new == DEFAULT_LR.get(now["optimizer"]),
            "effective_after_reset": new * after["multiplier"]}
