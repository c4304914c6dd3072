from __future__ import annotations

from lstm_doctor.findings import Severity
from lstm_doctor.remedies import SetActivations
from lstm_doctor.rules.base import Rule, Verdict

# Bounded squashing functions: no state blow-up, but still not the cuDNN kernel.
BOUNDED = ("tanh", "sigmoid", "hard_sigmoid", "softsign")


class Rule_LD601(Rule):  # noqa: N801
    """Non-default LSTM activations: activation not tanh, or recurrent_activation not sigmoid.

    The LSTM cell relies on a bounded cell activation (tanh) and gates in [0, 1]
    (sigmoid). With ``activation='relu'`` the candidate and the output are unbounded, the
    cell state can grow without limit across steps, and training diverges or stalls with
    exploding then dead units; a non-sigmoid gate no longer gates. Keras also falls back
    from the fused cuDNN kernel to a much slower generic loop whenever the activations are
    not (tanh, sigmoid). Evidence: the two activations.

    **Anti-pattern**

    ``LSTM(50, activation='relu')``, copied from tutorials that tuned it on one example.

    **Best practice**

    Keep the defaults ``activation='tanh'`` and ``recurrent_activation='sigmoid'``; put
    any non-linearity you want in Dense layers after the LSTM, and fix divergence with
    scaling, a lower learning rate or gradient clipping rather than by changing the
    cell.
    """

    code = "LD601"
    name = "setup.non-default-activations"
    reads = ()  # the defaults (tanh, sigmoid) never fire: a finding always rests on a stated value
    severity = Severity.ERROR
    needs_config = True

    def measure(self, ctx):
        """The LSTM's activation and recurrent activation."""
        m = ctx.config.model
        return {"activation": m.activation, "recurrent_activation": m.recurrent_activation,
                "unbounded": m.activation not in BOUNDED or
                m.recurrent_activation not in BOUNDED}

    def judge(self, ev, ctx):
        """Fire when they are not (tanh, sigmoid)."""
        act, rec = ev["activation"], ev["recurrent_activation"]
        if act == "tanh" and rec == "sigmoid":
            return None
        parts = []
        if act != "tanh":
            parts.append(f"activation '{act}' instead of 'tanh'"
                         + (" (unbounded: the cell state can blow up)"
                            if act not in BOUNDED else ""))
        if rec != "sigmoid":
            parts.append(f"recurrent_activation '{rec}' instead of 'sigmoid'"
                         + (" (gates are no longer in [0, 1])" if rec not in BOUNDED else ""))
        return Verdict(
            message="the LSTM uses " + " and ".join(parts)
                    + "; Keras also loses its fused cuDNN kernel",
            fix="Use the defaults: model.activation: tanh, model.recurrent_activation: sigmoid "
                "(keras.layers.LSTM(units) without activation arguments).",
            severity=None if ev["unbounded"] else Severity.WARNING,
            remedies=[SetActivations()],
        )
