from __future__ import annotations

import numpy as np

from lstm_doctor import stats
from lstm_doctor.findings import Severity
from lstm_doctor.rules.base import Interval, Rule, Verdict


class Rule_LD105(Rule):  # noqa: N801
    """Intermittent series: mostly zeros, with occasional non-zero demand.

    An LSTM trained with squared loss on a series that is zero most of the time learns
    to predict a small positive constant: it minimises the loss and forecasts no event.
    Evidence: the share of zeros, the average demand interval (ADI) and the squared
    coefficient of variation of the non-zero sizes (CV²), as in the Syntetos-Boylan
    classification.

    **Anti-pattern**

    Training a regression LSTM with MSE on daily spare-part demand or rare events.

    **Best practice**

    Use a method built for intermittent demand (Croston, SBA, TSB), aggregate to a
    coarser frequency, or model occurrence (classification) and size separately.
    """

    code = "LD105"
    name = "data.intermittent"
    severity = Severity.WARNING
    thresholds = {"min_zero_fraction": 0.5}
    constraints = {"min_zero_fraction": Interval(float, 0, 1)}

    def measure(self, ctx):
        """Share of zeros, average demand interval (ADI) and CV² of non-zero sizes."""
        v = ctx.values
        nonzero = v[v != 0]
        pos = np.flatnonzero(v != 0)
        adi = float(np.mean(np.diff(pos))) if pos.size > 1 else float(v.size)
        mean_nz = stats.stable_mean(nonzero) if nonzero.size else 0.0
        cv2 = float((stats.stable_std(nonzero) / mean_nz) ** 2) if nonzero.size > 1 and \
            mean_nz != 0 else 0.0
        return {"zero_fraction": float(np.mean(v == 0)), "adi": adi, "cv2": cv2,
                "n_nonzero": int(nonzero.size)}

    def judge(self, ev, ctx):
        """Warning when most values are zero but some are not."""
        if ev["n_nonzero"] == 0 or ev["zero_fraction"] < self.options["min_zero_fraction"]:
            return None  # all-zero is LD103's business
        kind = ("lumpy" if ev["cv2"] >= 0.49 else "intermittent")
        return Verdict(
            message=f"{ev['zero_fraction']:.0%} of values are zero (ADI {ev['adi']:.1f}, "
                    f"CV² {ev['cv2']:.2f}: {kind} demand)",
            fix="Use Croston/SBA/TSB or aggregate to a coarser frequency; an MSE-trained LSTM "
                "will forecast a small constant and never the events.",
        )
