from __future__ import annotations

import numpy as np

from lstm_doctor import stats
from lstm_doctor.capacity import train_fit_pipeline
from lstm_doctor.findings import Severity
from lstm_doctor.remedies import BoxCox, Detrend, Difference, Log, Scale
from lstm_doctor.rules._setup_facts import VarianceThresholds, differencing_order
from lstm_doctor.rules.base import Interval, NotApplicable, Rule, Verdict


class Rule_LD304(Rule):  # noqa: N801
    """Out-of-range holdout: after preprocessing fit on train, the holdout leaves its range.

    A network fit on inputs in a range has to extrapolate beyond it. How much that matters
    grows with the excursion: the LSTM's hidden state is bounded by tanh, so values far
    beyond the training range can only come from the units' remaining headroom. A small
    excursion (min-max scaled values reaching 1.2) is nowhere near saturating anything;
    a large one on a bounded output (a min-max scaled target the network was fit to map
    into ``feature_range``, or a tanh/sigmoid Dense head) cannot be followed, and the
    forecast falls short of the holdout's extremes. This is what min-max scaling a trending
    series does. Evidence: the share of holdout values outside the range of the training
    inputs and the largest excursion, in units of the training range, with every
    transform (the scaler included) fitted on the training split, and whether the output
    is bounded.

    Severity follows the excursion (thresholds shown in the evidence): ``info`` up to
    ``warning_excess`` (25% of the training range beyond it), ``warning`` above, ``error``
    from ``error_excess`` (50%) when the output is bounded. Nothing fires below
    ``min_excess`` or when less than ``min_fraction`` of the holdout is outside.

    **Anti-pattern**

    ``MinMaxScaler`` on the levels of a growing series (air passengers, CO2): every future
    value is above the training maximum.

    **Best practice**

    Remove the trend first (difference, or detrend when it is deterministic; log first
    when the swings grow with the level), then standardise on the training split; check
    that the holdout falls inside the range the network was trained on. The remedy's
    differencing order, detrending and log are the ones LD201, LD202 and LD205 propose
    (:func:`lstm_doctor.rules._setup_facts.differencing_order`, on the scale the log
    produces), so the fixes compose.
    """

    code = "LD304"
    name = "scaling.out-of-range-holdout"
    reads = ("preprocessing.scaler", "preprocessing.scaler_fit")
    depends_on = ("LD205",)  # the differencing order on the scale LD205 would propose
    severity = Severity.WARNING
    needs_config = True
    thresholds = {"min_fraction": 0.1, "min_excess": 0.15, "warning_excess": 0.25,
                  "error_excess": 0.5}
    constraints = {"min_fraction": Interval(float, 0, 1), "min_excess": Interval(float, 0, None),
                   "warning_excess": Interval(float, 0, None),
                   "error_excess": Interval(float, 0, None)}

    def measure(self, ctx):
        """Holdout values outside the training range, all transforms fit on train."""
        z = train_fit_pipeline(ctx)[1]
        train, test = z[: ctx.n_train], z[ctx.n_train:]
        train, test = train[np.isfinite(train)], test[np.isfinite(test)]
        if train.size < 2 or test.size == 0:
            raise NotApplicable("too few transformed training or holdout values")
        lo, hi = float(train.min()), float(train.max())
        width = hi - lo
        if width <= 0:
            raise NotApplicable("the transformed training split is constant")
        above, below = test > hi, test < lo
        excess = np.maximum(test - hi, lo - test) / width
        return {
            "train_min": lo,
            "train_max": hi,
            "test_min": float(test.min()),
            "test_max": float(test.max()),
            "fraction_outside": float(np.mean(above | below)),
            "fraction_above": float(np.mean(above)),
            "fraction_below": float(np.mean(below)),
            "max_excess": float(max(0.0, excess.max())),
            "scaler": ctx.config.preprocessing.scaler,
            "refit_on_train": ctx.config.preprocessing.scaler_fit == "full",
            "bounded_output": _bounded_output(ctx.config),
        }

    def judge(self, ev, ctx):
        """Fire when enough of the holdout is far enough outside."""
        if ev["fraction_outside"] < self.options["min_fraction"] or \
                ev["max_excess"] < self.options["min_excess"]:
            return None
        prep = ctx.config.preprocessing
        if ev["fraction_above"] and ev["fraction_below"]:
            side = "above and below the training range"
        elif ev["fraction_above"]:
            side = "above the training maximum"
        else:
            side = "below the training minimum"
        message = (f"{ev['fraction_outside']:.0%} of the holdout lies outside the range the "
                   f"network is trained on ({side}; up to {ev['max_excess']:.0%} of "
                   f"the training range beyond it: training [{ev['train_min']:.3g}, "
                   f"{ev['train_max']:.3g}], holdout [{ev['test_min']:.3g}, "
                   f"{ev['test_max']:.3g}])")
        if ev["refit_on_train"]:
            message += ("; the full-series scaler fit hides this on the holdout, not on the "
                        "real future")
        excess, bounded = ev["max_excess"], ev["bounded_output"]
        warn_at, error_at = self.options["warning_excess"], self.options["error_excess"]
        if excess <= warn_at:
            severity = Severity.INFO
            message += (f"; a small excursion (at most {warn_at:.0%} of the training range "
                        "beyond it): the network extrapolates only a little beyond what it "
                        "was fit on")
        elif excess >= error_at and bounded:
            severity = Severity.ERROR
            message += (f"; with a bounded output ({bounded}) an excursion of {error_at:.0%} "
                        "or more cannot be followed by the saturating units: expect the "
                        "forecast to fall short of the holdout's extremes")
        else:
            severity = Severity.WARNING
            message += (f"; the network has to extrapolate more than {warn_at:.0%} of its "
                        "training range beyond it, which LSTMs do poorly ("
                        + (f"bounded output: {bounded}; " if bounded
                           else "no min-max target or bounded head; ")
                        + f"error from {error_at:.0%} with a bounded output)")
        remedies, steps = [], []
        order = _differencing_order(ctx, VarianceThresholds.of(self.options_of(ctx, "LD205")))
        if order["detrend"] and not (prep.detrend or prep.difference):
            remedies.append(Detrend())
            steps.append("preprocessing.detrend: true (a deterministic trend, see LD202)")
        elif order["d"] > prep.difference:
            remedies.append(Difference(order["d"]))
            steps.append(f"preprocessing.difference: {order['d']}")
        scale = order["scale"]
        if scale["source"] == "variance grows with level":
            if scale["transform"] == "log":
                remedies.insert(0, Log())
                steps.insert(0, "preprocessing.log: true (the swings grow with the level)")
            else:
                remedies.insert(0, BoxCox(scale["lambda"]))
                steps.insert(0, f"preprocessing.boxcox: {scale['lambda']:.2f} (the swings "
                                "grow with the level)")
        remedies.append(Scale("standard", "train"))
        steps.append("preprocessing.scaler: standard, scaler_fit: train")
        return Verdict(
            message=message,
            fix=("Make the input stationary before scaling, then standardise on train: set "
                 if len(steps) > 1 else "Standardise on train instead (no hard [0, 1] bound): "
                 "set ") + "; ".join(steps) + ".",
            severity=severity,
            remedies=remedies,
        )


#: Activations whose output is bounded: a Dense head of these caps what the output layer
#: can reach.
BOUNDED_ACTIVATIONS = frozenset({"tanh", "sigmoid", "hard_sigmoid", "softsign"})


def _bounded_output(config) -> str | None:
    """Why the set-up's output is bounded (min-max scaled target, tanh/sigmoid head), or None."""
    m, prep = config.model, config.preprocessing
    if m.head and m.head_activation in BOUNDED_ACTIVATIONS:
        return f"a {m.head_activation} Dense head"
    if prep.scaler == "minmax":
        lo, hi = prep.feature_range
        return f"min-max scaled to [{lo:g}, {hi:g}]"
    return None


def _differencing_order(ctx, variance: VarianceThresholds) -> dict:
    """The differencing order (on the log scale when the swings grow with the level)."""
    if stats.untestable_reason(ctx):
        return {"d": 0, "detrend": False, "scale": {"source": None, "transform": None}}
    return differencing_order(ctx, variance)
