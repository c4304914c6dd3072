from __future__ import annotations

from lstm_doctor.findings import Severity
from lstm_doctor.remedies import SetLearningRate
from lstm_doctor.rules.base import Rule, Verdict

# Keras 3 default learning rate of each optimizer (the remedy's value), except SGD whose
# Keras default 0.01 is also its usual starting point.
DEFAULT_LR = {"adam": 1e-3, "adamw": 1e-3, "adamax": 1e-3, "nadam": 1e-3, "rmsprop": 1e-3,
              "sgd": 1e-2, "adagrad": 1e-3, "adadelta": 1e-3}


class Rule_LD602(Rule):  # noqa: N801
    """Learning rate outside the sane range for the optimizer.

    Adaptive optimizers (Adam, RMSprop...) normalise the step and work well around 1e-3;
    above about 1e-2 the LSTM's loss oscillates or diverges to NaN, below about 1e-5
    nothing moves within any reasonable number of epochs and the model stays near its
    initialisation (a flat forecast). Plain SGD needs larger rates (1e-4 to 0.1).
    Evidence: the optimizer, the learning rate and the range used (configurable per
    optimizer as ``<optimizer>_min`` / ``<optimizer>_max``).

    **Anti-pattern**

    ``Adam(learning_rate=0.1)`` to "train faster", or ``SGD(1e-5)`` copied from an Adam
    example.

    **Best practice**

    Start from the optimizer's default (Adam 1e-3), then tune on the validation loss with
    a learning-rate schedule (``ReduceLROnPlateau``) rather than a fixed extreme value.
    """

    code = "LD602"
    name = "setup.learning-rate"
    reads = ("training.optimizer", "training.learning_rate")
    severity = Severity.WARNING
    needs_config = True
    thresholds = {
        "adam_min": 1e-5, "adam_max": 1e-2,
        "adamw_min": 1e-5, "adamw_max": 1e-2,
        "adamax_min": 1e-5, "adamax_max": 2e-2,
        "nadam_min": 1e-5, "nadam_max": 1e-2,
        "rmsprop_min": 1e-5, "rmsprop_max": 1e-2,
        "sgd_min": 1e-4, "sgd_max": 0.1,
        "adagrad_min": 1e-4, "adagrad_max": 0.5,
        "adadelta_min": 1e-4, "adadelta_max": 10.0,
        "error_factor": 10.0,
    }

    def measure(self, ctx):
        """Optimizer, learning rate and the sane range for it."""
        t = ctx.config.training
        return {"optimizer": t.optimizer, "learning_rate": t.learning_rate,
                "min": self.options[f"{t.optimizer}_min"],
                "max": self.options[f"{t.optimizer}_max"]}

    def judge(self, ev, ctx):
        """Fire when the learning rate is outside the range."""
        lr, lo, hi = ev["learning_rate"], ev["min"], ev["max"]
        if lo <= lr <= hi:
            return None
        factor = self.options["error_factor"]
        far = lr > hi * factor or lr < lo / factor
        default = DEFAULT_LR[ev["optimizer"]]
        if lr > hi:
            what = "too high: the loss will oscillate or diverge (NaN)"
        else:
            what = "too low: the weights barely move and the forecast stays near flat"
        return Verdict(
            message=f"learning rate {lr:g} for {ev['optimizer']} is {what} (sane range "
                    f"{lo:g} to {hi:g})",
            fix=f"Set training.learning_rate: {default:g} (the {ev['optimizer']} default) and "
                "tune from there with ReduceLROnPlateau on the validation loss.",
            severity=Severity.ERROR if far else None,
            remedies=[SetLearningRate(default)],
        )
