from __future__ import annotations

from lstm_doctor.capacity import train_fit_pipeline
from lstm_doctor.findings import Severity
from lstm_doctor.remedies import Scale
from lstm_doctor.rules.base import Interval, NotApplicable, Rule, Verdict


def _scaler(pipe):
    return next((s for s in pipe.stages_ if s.name == "scale"), None)


class Rule_LD303(Rule):  # noqa: N801
    """Scaler leakage: the scaler is fitted on the whole series, holdout included.

    A scaler fitted on all the data encodes the holdout's minimum, maximum or mean into
    every training input: the model is evaluated on a future it has partly seen, the
    holdout score is optimistic, and in production (where the future is really unknown)
    the inputs leave the range the model was trained on. Evidence: the scaler's centre and
    scale fitted on the full series versus on the training split only, and the shift
    between them in units of the training scale.

    **Anti-pattern**

    ``MinMaxScaler().fit_transform(series)`` followed by the train/test split (the seed of
    countless tutorials).

    **Best practice**

    Split first, then fit every transform on the training part only
    (``scaler.fit(train)``; ``preprocessing.scaler_fit: train``) and apply it unchanged
    to the holdout.
    """

    code = "LD303"
    name = "scaling.scaler-leakage"
    reads = ("preprocessing.scaler", "preprocessing.scaler_fit")
    severity = Severity.ERROR
    needs_config = True
    thresholds = {"min_material_shift": 0.05}
    constraints = {"min_material_shift": Interval(float, 0, None)}

    def measure(self, ctx):
        """Scaler parameters fitted on the full series versus on train only."""
        prep = ctx.config.preprocessing
        if prep.scaler == "none":
            raise NotApplicable("no scaler")
        full = _scaler(ctx.pipeline)
        train = _scaler(train_fit_pipeline(ctx)[0])
        center_shift = abs(full.center - train.center) / train.scale
        scale_ratio = full.scale / train.scale
        return {
            "scaler": prep.scaler,
            "scaler_fit": prep.scaler_fit,
            "center_full": full.center,
            "scale_full": full.scale,
            "center_train": train.center,
            "scale_train": train.scale,
            "center_shift": center_shift,
            "scale_ratio": scale_ratio,
            "max_shift": max(center_shift, abs(scale_ratio - 1.0)),
        }

    def judge(self, ev, ctx):
        """Fire when the scaler is fitted on the full series."""
        if ev["scaler_fit"] != "full":
            return None
        material = ev["max_shift"] > self.options["min_material_shift"]
        words = {"minmax": ("min", "range"), "standard": ("mean", "std"),
                 "robust": ("median", "IQR")}[ev["scaler"]]
        message = (f"the {ev['scaler']} scaler is fitted on the full series, holdout included "
                   f"({words[0]} {ev['center_full']:.4g} vs {ev['center_train']:.4g} on train "
                   f"only, {words[1]} {ev['scale_full']:.4g} vs {ev['scale_train']:.4g}: a "
                   f"shift of {ev['max_shift']:.1%} of the training scale)")
        if not material:
            message += "; the parameters barely move here, but the evaluation is not honest"
        return Verdict(
            message=message,
            fix="Split first, then fit the scaler on the training part only: set "
                "preprocessing.scaler_fit: train (sklearn: scaler.fit(train); "
                "scaler.transform(test)).",
            severity=None if material else Severity.WARNING,
            remedies=[Scale(ev["scaler"], "train")],
        )
