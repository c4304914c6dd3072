from __future__ import annotations

import math

from lstm_doctor.findings import Severity
from lstm_doctor.remedies import SetBatchSize
from lstm_doctor.rules.base import NotApplicable, Rule, Verdict


def suggested_batch(windows: int) -> int:
    """A power of two near a tenth of the windows, within [8, 64] and below ``windows``."""
    if windows < 16:
        return max(1, windows // 4)
    size = 2 ** int(math.log2(max(windows / 10, 1)))
    return int(min(64, max(8, size), windows // 2))


class Rule_LD604(Rule):  # noqa: N801
    """Batch size at the extremes: as large as the training set, or 1.

    A batch holding every training window turns training into full-batch gradient
    descent: one update per epoch, no gradient noise to escape poor minima, and with a
    fixed number of epochs far too few updates. A batch of one makes every update as
    noisy as a single window and training very slow (one sequential pass per window).
    Evidence: the batch size, the training windows and the updates per epoch.

    **Anti-pattern**

    ``batch_size=len(X_train)`` "for speed", or ``batch_size=1`` copied from a stateful
    example.

    **Best practice**

    Use mini-batches of 16 to 64 windows (several updates per epoch); only use a batch of
    one with a stateful LSTM that truly needs it.
    """

    code = "LD604"
    name = "setup.batch-size"
    reads = ("training.batch_size",)
    needs_config = True

    def measure(self, ctx):
        """Batch size, training windows and updates per epoch."""
        windows = ctx.n_train_windows
        if windows <= 0:
            raise NotApplicable("no training windows (see LD501)")
        batch = ctx.config.training.batch_size
        return {"batch_size": batch, "train_windows": windows,
                "updates_per_epoch": math.ceil(windows / batch)}

    def judge(self, ev, ctx):
        """Fire on a batch of all windows, or of one."""
        batch, windows = ev["batch_size"], ev["train_windows"]
        new = suggested_batch(windows)
        if batch >= windows and windows > 1:
            return Verdict(
                message=f"batch_size {batch} covers all {windows} training windows: one "
                        "gradient step per epoch (full-batch descent)",
                fix=f"Set training.batch_size: {new} ({math.ceil(windows / new)} updates per "
                    "epoch).",
                remedies=[SetBatchSize(new)],
            )
        if batch == 1 and windows > 1 and ctx.config.model.stateful:
            return None  # a stateful LSTM carries state from batch to batch: batch 1 is its norm
        if batch == 1 and windows > 1:
            return Verdict(
                message=f"batch_size 1: {windows} noisy single-window updates per epoch, "
                        "slow and unstable training",
                fix=f"Set training.batch_size: {max(new, 1)} unless the LSTM is stateful.",
                severity=Severity.INFO,
                remedies=[SetBatchSize(new)] if new > 1 else [],
            )
        return None
