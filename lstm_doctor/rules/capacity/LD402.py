from __future__ import annotations

from lstm_doctor.capacity import seasonal_period
from lstm_doctor.remedies import UseReference
from lstm_doctor.rules.base import Interval, Rule, Verdict


class Rule_LD402(Rule):  # noqa: N801
    """Too little data: too few training windows, or too few seasonal cycles to learn the season.

    A neural network estimates its weights from examples; with a few dozen overlapping
    windows there is almost nothing to estimate from, and the holdout error mostly
    measures luck. A season is learned from its repetitions: with fewer than about three
    cycles in the training split the network cannot tell the seasonal pattern from noise.
    Evidence: the training windows the data offers (one-step inputs, before a validation
    split: set-up choices such as the window length do not make the data longer or
    shorter) and those the set-up cuts, the training length, the detected period and the
    number of complete cycles in the training split.

    **Anti-pattern**

    Training an LSTM on ten years of yearly data, or on two years of monthly data with a
    yearly season.

    **Best practice**

    Gather more history (or more related series for a global model); otherwise use a
    model with few parameters that encodes the structure (ETS, seasonal naive, ARIMA) and
    keep the LSTM, if at all, very small.
    """

    code = "LD402"
    name = "capacity.too-little-data"
    needs_config = True
    thresholds = {"min_windows": 100, "min_cycles": 3.0}
    constraints = {"min_windows": Interval(int, 1, None), "min_cycles": Interval(float, 0, None)}

    def measure(self, ctx):
        """Training windows the data offers and seasonal cycles in the training split.

        The data is judged, not the set-up: ``data_windows`` counts the windows of a one-step
        input before any validation split (``n_train - horizon``), so lengthening the window
        or holding out a validation split for early stopping (what the remediated set-up
        does) never turns this finding on; ``train_windows`` is what the set-up cuts.
        """
        period = seasonal_period(ctx)
        n_train = ctx.train_length(best_case_for_assumed=True)
        return {"data_windows": max(0, n_train - ctx.config.window.horizon),
                "train_windows": ctx.train_windows(best_case_for_assumed=True),
                "n_train": n_train,
                "period": period,
                "train_cycles": n_train / period if period else None}

    def judge(self, ev, ctx):
        """Fire on too few windows or too few cycles."""
        parts = []
        if ev["data_windows"] < self.options["min_windows"]:
            parts.append(f"only {ev['data_windows']} training windows even with a one-step "
                         f"input (the training split has {ev['n_train']} points; minimum "
                         f"{self.options['min_windows']:g}; the set-up cuts "
                         f"{ev['train_windows']})")
        if ev["period"] and ev["train_cycles"] < self.options["min_cycles"]:
            parts.append(f"the training split covers {ev['train_cycles']:.1f} cycles of the "
                         f"period-{ev['period']} season (minimum "
                         f"{self.options['min_cycles']:g})")
        if not parts:
            return None
        return Verdict(
            message="too little data for an LSTM: " + "; ".join(parts),
            fix="Use more history if you have it; otherwise prefer a small statistical model "
                "(seasonal naive, ETS, ARIMA) and, if you keep the LSTM, make it tiny "
                "(model.units: 4-8, one layer) with early stopping.",
            remedies=[UseReference("statistical", "with this little data a seasonal naive, "
                                   "ETS or ARIMA model is the honest baseline")],
        )
