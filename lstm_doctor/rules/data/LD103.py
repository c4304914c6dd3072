from __future__ import annotations

import numpy as np

from lstm_doctor import stats
from lstm_doctor.findings import Severity
from lstm_doctor.rules.base import Interval, Rule, Verdict


class Rule_LD103(Rule):  # noqa: N801
    """Constant or near-constant series: nothing varies, so there is nothing to learn.

    A constant target makes every scaler divide by zero (NaN inputs) and every model
    "perfect"; a near-constant one (a sensor stuck at one value most of the time)
    makes the LSTM learn the stuck value and nothing else.

    **Anti-pattern**

    Training on a column that is constant after a join went wrong, on a stuck sensor,
    or on a series whose variation is below its measurement resolution.

    **Best practice**

    Check the column really is the one you meant, drop stuck periods, or forecast the
    constant directly; there is no sequence to model.
    """

    code = "LD103"
    name = "data.constant-series"
    severity = Severity.ERROR
    thresholds = {"min_relative_std": 1e-6, "max_dominant_fraction": 0.95}
    constraints = {"min_relative_std": Interval(float, 0, None),
                   "max_dominant_fraction": Interval(float, 0, 1)}

    def measure(self, ctx):
        """Unique values, standard deviation and the share of the most common value."""
        v = ctx.values
        uniq, counts = np.unique(v, return_counts=True)
        top = int(np.argmax(counts))
        std = stats.stable_std(v)
        return {
            "n_unique": int(uniq.size),
            "std": std,
            "relative_std": std / max(float(np.abs(v).mean()), 1e-300),
            "dominant_value": float(uniq[top]),
            "dominant_fraction": float(counts[top] / v.size),
        }

    def judge(self, ev, ctx):
        """Error when constant or nearly so; warning for a stuck (dominant) value."""
        if ev["n_unique"] == 1:
            return Verdict(f"the target is constant ({ev['dominant_value']:g} everywhere)",
                           "Check that the target column is the one you meant; a constant "
                           "series has nothing for an LSTM to learn.")
        if ev["relative_std"] < self.options["min_relative_std"]:
            return Verdict(f"the target is nearly constant (std {ev['std']:.3g}, "
                           f"{ev['relative_std']:.2g} of its mean magnitude)",
                           "Check the units and resolution of the column; variation this "
                           "small is below float precision once scaled.")
        if ev["dominant_fraction"] >= self.options["max_dominant_fraction"] and \
                ev["dominant_value"] != 0:
            return Verdict(f"{ev['dominant_fraction']:.1%} of values equal "
                           f"{ev['dominant_value']:g} (a stuck value)",
                           "Drop or mask the stuck periods, or model the rare changes as "
                           "events rather than as a sequence.", severity=Severity.WARNING)
        return None
