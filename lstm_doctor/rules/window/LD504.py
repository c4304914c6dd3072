from __future__ import annotations

from lstm_doctor.capacity import seasonal_period
from lstm_doctor.remedies import SetWindow
from lstm_doctor.rules.base import Interval, Rule, Verdict


class Rule_LD504(Rule):  # noqa: N801
    """Window too long: hundreds of steps per window, beyond what an LSTM trains well.

    Back-propagation through time over hundreds of steps multiplies hundreds of Jacobians:
    gradients from the far end of the window vanish (the gates learn to ignore it), every
    epoch costs ``seq_length`` sequential steps per window, and the number of training
    windows shrinks. In practice LSTMs use little beyond a few dozen to a couple of
    hundred steps. Evidence: the window length, the detected period and the training
    windows.

    **Anti-pattern**

    A one-week window of half-hourly data (336 steps) or a one-year window of daily data
    (365 steps) fed step by step to an LSTM.

    **Best practice**

    Downsample (hourly or daily aggregates as inputs), remove the long season before the
    network (seasonal differencing/deseasonalising) and keep a short window, or put a
    strided 1-D convolution in front of the LSTM to summarise the long history.
    """

    code = "LD504"
    name = "window.too-long"
    reads = ("window.seq_length",)
    needs_config = True
    thresholds = {"max_seq_length": 200}
    constraints = {"max_seq_length": Interval(int, 1, None)}

    def measure(self, ctx):
        """Window length and the detected season."""
        return {"seq_length": ctx.config.window.seq_length,
                "period": seasonal_period(ctx),
                "train_windows": ctx.n_train_windows}

    def judge(self, ev, ctx):
        """Fire when the window is longer than the limit."""
        limit = int(self.options["max_seq_length"])
        if ev["seq_length"] <= limit:
            return None
        p = ev["period"]
        remedies, fix = [], ("Aggregate the series to a coarser step, or put a strided Conv1D "
                             "in front of the LSTM (keras.layers.Conv1D(16, kernel_size=k, "
                             "strides=k)) to summarise the long history")
        if p and 1.25 * p <= limit:
            wanted = -(-5 * p // 4)  # ceil(1.25 p)
            remedies.append(SetWindow(wanted))
            fix = (f"Shorten the window to cover one season plus a margin: "
                   f"window.seq_length: {wanted} (period {p}); or " + fix[0].lower() + fix[1:])
        elif p:
            fix += (f"; the period-{p} season is longer than {limit} steps: remove it first "
                    f"(preprocessing.seasonal_difference: {p}) and keep a short window")
        return Verdict(
            message=f"window.seq_length is {ev['seq_length']} steps (limit {limit}): "
                    "gradients vanish over the far end of the window and every epoch "
                    f"back-propagates {ev['seq_length']} steps per window",
            fix=fix + ".",
            remedies=remedies,
        )
