from __future__ import annotations

from lstm_doctor.capacity import largest_units, network_parameters, total_parameters
from lstm_doctor.findings import Severity
from lstm_doctor.remedies import SetUnits
from lstm_doctor.rules.base import NotApplicable, Rule, Verdict


class Rule_LD401(Rule):  # noqa: N801
    """Too many parameters: the network has far more weights than there are training windows.

    An LSTM(50) on one input has ``4·50·(50+1+1) + 51 = 10,451`` trainable parameters.
    Fitted on ninety overlapping windows of a short series it can memorise the training
    split outright; what it forecasts is noise plus the mean. The count follows Keras 3
    exactly: each LSTM layer has ``4·u·(u + f + 1)`` parameters (``f`` inputs per step:
    the target plus the extra features for the first layer, ``u`` for stacked ones) and
    the Dense head ``u·h + h``. Evidence: the count, the training windows and their
    ratio; a warning above ``max_params_per_window``, an error above
    ``error_params_per_window``.

    **Anti-pattern**

    Copying ``LSTM(50)`` (or two stacked LSTM(128)) from a tutorial onto a series of a
    hundred or so monthly points.

    **Best practice**

    Size the network to the data: a handful of units for hundreds of windows, more only
    when there are thousands and validation loss keeps improving; prefer one layer; use
    early stopping. Compare with a naive forecast to see whether any capacity is needed.
    The remedy proposes the largest single-layer LSTM with at most
    ``remedy_params_per_window`` parameters per training window (at least
    ``min_units`` units, never more than the set-up's). The default (8) stays below the
    warning limit even after the remediated set-up holds out 20% of the windows for
    validation, so the remediated set-up passes this rule; a much smaller budget (one
    parameter per window) was measured to under-fit (4-6 units on the Nile and sunspots
    series lost to the user's LSTM(50), while 12-16 units matched it).
    """

    code = "LD401"
    name = "capacity.too-many-parameters"
    reads = ("model.units",)  # an assumed 1 layer is the fewest parameters
    severity = Severity.WARNING
    needs_config = True
    thresholds = {"max_params_per_window": 10.0, "error_params_per_window": 50.0,
                  "remedy_params_per_window": 8.0, "min_units": 8}

    def measure(self, ctx):
        """Trainable parameters (as Keras counts them) and training windows."""
        windows = ctx.train_windows(best_case_for_assumed=True)
        if windows <= 0:
            raise NotApplicable("no training windows (see LD501)")
        cfg = ctx.config
        counts = network_parameters(cfg, n_features=ctx.n_features)
        return {"parameters": counts["total"], "parameters_source": counts["source"],
                "parameters_per_layer": [list(layer) for layer in counts["layers"]],
                "train_windows": windows,
                "train_windows_note": "most generous case for the assumed split"
                if windows != ctx.n_train_windows else None,
                "params_per_window": counts["total"] / windows,
                "units": cfg.model.units, "layers": cfg.model.layers,
                "n_features": ctx.n_features}

    def judge(self, ev, ctx):
        """Fire when there are too many parameters per training window."""
        ratio = ev["params_per_window"]
        if ratio <= self.options["max_params_per_window"]:
            return None
        h = ctx.config.window.horizon
        budget = ev["train_windows"] * self.options["remedy_params_per_window"]
        units = largest_units(budget, n_features=ev["n_features"], horizon=h, layers=1,
                              min_units=int(self.options["min_units"]),
                              max_units=ev["units"])
        units = min(units, ev["units"])
        new_params = total_parameters(units, n_features=ev["n_features"], horizon=h)
        layers = " -> ".join(name for name, _ in ev["parameters_per_layer"])
        remedies = [SetUnits(units, layers=1)] if (units, 1) != (ev["units"], ev["layers"]) \
            else []
        return Verdict(
            message=f"{layers} has {ev['parameters']:,} trainable parameters for "
                    f"{ev['train_windows']:,} training windows ({ratio:.0f} parameters per "
                    f"window; limit {self.options['max_params_per_window']:g}): it can "
                    "memorise the training split",
            fix=f"Shrink the network: model.units: {units}, model.layers: 1 "
                f"({new_params:,} parameters, {new_params / ev['train_windows']:.1f} per "
                "window), keep early stopping on a validation split; or get more data.",
            severity=Severity.ERROR if ratio > self.options["error_params_per_window"] else None,
            remedies=remedies,
        )
