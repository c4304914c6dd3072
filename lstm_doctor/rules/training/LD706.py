from __future__ import annotations

from lstm_doctor.findings import Severity
from lstm_doctor.rules.base import Interval, NotApplicable, Rule, Verdict
from lstm_doctor.rules.training import baseline_and_experiment
from lstm_doctor.symptoms import convergence, majority


class Rule_LD706(Rule):  # noqa: N801
    """Not converged: the training loss is still falling steeply at the last epoch, or never moved.

    Evidence per seed: the relative fall of the training loss over the last
    ``max(3, epochs/10)`` epochs (``tail_drop``), its fall from the first epoch to its minimum
    (``total_drop``), and why training stopped (epochs exhausted, early stopping, the
    wall-clock budget). Runs stopped by early stopping count as converged.

    **Anti-pattern**

    Judging an architecture after a handful of epochs (or a too-small learning rate) while the
    loss is still dropping fast; or a loss flat from the first epoch because saturated
    (unscaled) inputs give no gradient.

    **Best practice**

    Train until the validation loss stops improving (early stopping with a generous epoch cap)
    and plot the loss curve; a flat curve from the start means the network is not learning:
    scale the input and check the learning rate.
    """

    code = "LD706"
    name = "training.not-converged"
    severity = Severity.WARNING
    needs_training = True
    thresholds = {"min_tail_drop": 0.1, "max_total_drop_flat": 0.01, "min_epochs_flat": 5}
    constraints = {"min_tail_drop": Interval(float, 0, 1),
                   "max_total_drop_flat": Interval(float, 0, 1),
                   "min_epochs_flat": Interval(int, 1, None)}

    def measure(self, ctx):
        """Tail and total loss drop per seed."""
        _, base = baseline_and_experiment(ctx)
        seeds = []
        for run in base.runs:
            c = convergence(run.history.get("loss", []), run.stopped_by)
            if c is not None:
                seeds.append({"seed": run.seed, **c})
        if not seeds:
            raise NotApplicable("no usable loss curve (too few epochs or non-finite loss)")
        return {"seeds": seeds}

    def _state(self, s: dict) -> str | None:
        o = self.options
        if s["stopped_by"] == "early_stopping":
            return None
        if s["epochs"] >= o["min_epochs_flat"] and s["total_drop"] < o["max_total_drop_flat"]:
            return "flat"
        if s["tail_drop"] > o["min_tail_drop"]:
            return "falling"
        return None

    def judge(self, ev, ctx):
        """Fire when at least half of the seeds are still falling or flat."""
        states = [self._state(s) for s in ev["seeds"]]
        if not majority([st is not None for st in states]):
            return None
        flat = [s for s, st in zip(ev["seeds"], states, strict=True) if st == "flat"]
        falling = [s for s, st in zip(ev["seeds"], states, strict=True) if st == "falling"]
        n = len(states)
        if len(flat) >= len(falling):
            s = flat[0]
            return Verdict(
                message=f"the training loss is flat from the start ({s['total_drop']:.1%} "
                        f"lower after {s['epochs']} epochs; {len(flat)} of {n} seed(s)): the "
                        "network is not learning",
                fix="Scale the input (preprocessing.scaler: standard, scaler_fit: train), keep "
                    "tanh activations and check training.learning_rate (Adam 1e-3).",
            )
        s = max(falling, key=lambda s: s["tail_drop"])
        budget = " (stopped by the time budget)" if s["stopped_by"] == "budget" else ""
        return Verdict(
            message=f"the training loss is still falling at the last epoch{budget}: "
                    f"{s['tail_drop']:.0%} lower over the last {s['tail_epochs']} of "
                    f"{s['epochs']} epochs ({len(falling)} of {n} seed(s))",
            fix="Train longer with early stopping on a validation split "
                "(training.epochs: 300, training.early_stopping: true, "
                "training.validation_split: 0.2), or raise a too-small learning rate.",
        )
