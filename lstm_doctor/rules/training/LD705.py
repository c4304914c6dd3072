from __future__ import annotations

from lstm_doctor.findings import Severity
from lstm_doctor.remedies import Scale, SetActivations
from lstm_doctor.rules.base import Interval, Rule, Verdict
from lstm_doctor.rules.training import baseline_and_experiment
from lstm_doctor.symptoms import loss_health


class Rule_LD705(Rule):  # noqa: N801
    """Non-finite or exploding loss: training produced NaN/inf or the loss blew up.

    Evidence per seed: whether the training loss (or the forecasts) became NaN/inf and at
    which epoch, the largest loss relative to the first epoch's (``growth``) and the final
    loss relative to the lowest (``end_over_min``). Typical causes: NaN in the inputs,
    unbounded relu activations inside the recurrence, unscaled inputs, a learning rate far
    too high, log of non-positive values.

    **Anti-pattern**

    ``LSTM(50, activation='relu')`` on raw values in the thousands with a large learning rate:
    the recurrent state grows without bound and the loss becomes ``nan`` after a few epochs,
    silently, with ``verbose=0``.

    **Best practice**

    Fill missing values, scale the input on the training split, keep tanh/sigmoid
    activations, use a moderate learning rate (Adam 1e-3) and ``clipnorm=1.0``; add
    ``keras.callbacks.TerminateOnNaN()``.
    """

    code = "LD705"
    name = "training.non-finite-loss"
    severity = Severity.ERROR
    needs_training = True
    thresholds = {"max_growth": 10.0, "max_end_over_min": 10.0}
    constraints = {"max_growth": Interval(float, 1, None),
                   "max_end_over_min": Interval(float, 1, None)}

    def measure(self, ctx):
        """Loss health per seed (baseline, and the remediated LSTM for context)."""
        exp, base = baseline_and_experiment(ctx)
        seeds = [{"seed": r.seed, **loss_health(r.history.get("loss", []), r.forecast)}
                 for r in base.runs]
        ev = {"seeds": seeds}
        rem = exp.model("remediated_lstm")
        if rem is not None:
            ev["remediated_non_finite"] = any(
                loss_health(r.history.get("loss", []), r.forecast)["non_finite_loss"]
                for r in rem.runs)
        return ev

    def judge(self, ev, ctx):
        """Fire on any non-finite loss/forecast or an exploding loss."""
        o = self.options
        bad_nan = [s for s in ev["seeds"] if s["non_finite_loss"] or s["non_finite_forecast"]]
        bad_boom = [s for s in ev["seeds"] if s not in bad_nan and (
            s["growth"] > o["max_growth"] or s["end_over_min"] > o["max_end_over_min"])]
        if not bad_nan and not bad_boom:
            return None
        n = len(ev["seeds"])
        if bad_nan:
            s = bad_nan[0]
            where = (f"at epoch {s['first_non_finite_epoch']}" if s["first_non_finite_epoch"]
                     else "in the forecasts")
            msg = (f"the training loss became NaN/inf ({len(bad_nan)} of {n} seed(s); first "
                   f"{where})")
        else:
            s = max(bad_boom, key=lambda s: s["growth"])
            msg = (f"the training loss exploded ({len(bad_boom)} of {n} seed(s)): up to "
                   f"{s['growth']:.3g}x its first-epoch value, ending {s['end_over_min']:.3g}x "
                   "above its minimum")
        if ev.get("remediated_non_finite") is False:
            msg += "; the remediated set-up trains without it"
        return Verdict(
            message=msg,
            fix="Fill NaN before windowing, scale on train (preprocessing.scaler: standard), "
                "keep model.activation: tanh, lower training.learning_rate (Adam 1e-3) and "
                "clip gradients (optimizer clipnorm=1.0).",
            remedies=[Scale("standard", "train"), SetActivations()],
        )
