from __future__ import annotations

import numpy as np

from lstm_doctor.capacity import seen_inputs
from lstm_doctor.remedies import Scale
from lstm_doctor.rules.base import Interval, NotApplicable, Rule, Verdict


class Rule_LD302(Rule):  # noqa: N801
    """Disparate feature scales: the inputs the network sees differ in spread by >10x.

    With several inputs per time step, the column with the largest spread dominates the
    gates' pre-activations and the gradient; a small-scale feature is effectively
    ignored until the weights grow to compensate, which plain SGD/Adam does slowly.
    Evidence: the training standard deviation of each input column as the network sees it
    (the target after preprocessing, the features after the set-up's scaling) and the
    ratio of the largest to the smallest.

    **Anti-pattern**

    Feeding GDP (thousands) next to the unemployment rate (single digits) unscaled, or
    scaling the target but not the extra features.

    **Best practice**

    Scale every input column separately with a scaler fitted on the training split
    (``preprocessing.scaler: standard``), so each column has a spread of about one.
    """

    code = "LD302"
    name = "scaling.disparate-feature-scales"
    reads = ("preprocessing.scaler",)
    needs_config = True
    thresholds = {"max_std_ratio": 10.0}
    constraints = {"max_std_ratio": Interval(float, 1, None)}

    def measure(self, ctx):
        """Training std of each input column as the network sees it."""
        arrays = getattr(ctx, "arrays", None)
        if not ctx.series.feature_names and (arrays is None or arrays.n_features < 2):
            raise NotApplicable("univariate: no extra features (--features)")
        stds = {}
        for name, values in seen_inputs(ctx).items():
            train = values[: ctx.n_train]
            train = train[np.isfinite(train)]
            stds[name] = float(train.std()) if train.size else 0.0
        varying = {k: v for k, v in stds.items() if v > 0}
        if len(varying) < 2:
            raise NotApplicable("fewer than two varying input columns")
        hi = max(varying, key=varying.get)
        lo = min(varying, key=varying.get)
        return {"stds": stds, "largest": hi, "smallest": lo,
                "std_ratio": varying[hi] / varying[lo],
                "constant_columns": [k for k, v in stds.items() if v == 0]}

    def assumed_inputs(self, ctx, evidence):
        """None when the arrays fed to ``fit`` were measured (the scaler is then a fact)."""
        if getattr(ctx, "arrays", None) is not None:
            return {}
        return super().assumed_inputs(ctx, evidence)

    def judge(self, ev, ctx):
        """Fire when the largest std exceeds the smallest by the limit."""
        if ev["std_ratio"] <= self.options["max_std_ratio"]:
            return None
        stds = ev["stds"]
        listing = ", ".join(f"'{k}' {v:.3g}" for k, v in
                            sorted(stds.items(), key=lambda kv: -kv[1]))
        return Verdict(
            message=f"input spreads differ {ev['std_ratio']:.0f}x: std of '{ev['largest']}' "
                    f"is {stds[ev['largest']]:.4g} but of '{ev['smallest']}' "
                    f"{stds[ev['smallest']]:.4g} (training stds as the network sees them: "
                    f"{listing}; limit {self.options['max_std_ratio']:g}x)",
            fix="Scale each input column separately on the training split: set "
                "preprocessing.scaler: standard (sklearn: one StandardScaler per column, "
                "fitted on train).",
            remedies=[Scale("standard", "train")],
        )
