from __future__ import annotations

from lstm_doctor.capacity import network_parameters
from lstm_doctor.findings import Severity
from lstm_doctor.remedies import Remedy
from lstm_doctor.rules.base import Interval, NotApplicable, Rule, Verdict


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
    ``min_units`` units, never more than the set-up's; without the hidden Dense head, the
    Conv1D front end or the second direction when the recurrent layer alone cannot fit),
    counted on the windows left after the 20% validation split early stopping holds out,
    so the remediated set-up passes this rule; a much smaller budget (one
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
    constraints = {"max_params_per_window": Interval(float, 0, None, closed="neither"),
                   "error_params_per_window": Interval(float, 0, None, closed="neither"),
                   "remedy_params_per_window": Interval(float, 0, None, closed="neither"),
                   "min_units": Interval(int, 1, None)}

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
        """Fire when there are too many parameters per training window.

        The remedy is the least change that fits ``remedy_params_per_window`` parameters
        per window of the set-up as the remediation trains it (a validation split of 20%
        held out for early stopping unless the set-up already holds one out): the largest
        single-layer recurrent layer (at least ``min_units`` units), then without the hidden
        Dense head, the Conv1D front end, the second direction. A network already at that
        floor is reported as information: the data is too short for any LSTM (LD402).
        """
        ratio = ev["params_per_window"]
        if ratio <= self.options["max_params_per_window"]:
            return None
        t = ctx.config.training
        fit_windows = ev["train_windows"]
        if not (t.validation == "split" and t.validation_split > 0):
            fit_windows = max(1, int(fit_windows * (1 - _EARLY_STOPPING_SPLIT)))
        budget = fit_windows * self.options["remedy_params_per_window"]
        changes, new_params = _shrink(ctx, budget, int(self.options["min_units"]))
        layers = " -> ".join(name for name, _ in ev["parameters_per_layer"])
        message = (f"{layers} has {ev['parameters']:,} trainable parameters for "
                   f"{ev['train_windows']:,} training windows ({ratio:.0f} parameters per "
                   f"window; limit {self.options['max_params_per_window']:g}): it can "
                   "memorise the training split")
        if not changes:
            return Verdict(
                message=message + "; the network is already as small as lstm-doctor "
                        "recommends, so the data is too short for an LSTM (see LD402)",
                fix="Get more data, or use a statistical model (seasonal naive, ETS, ARIMA).",
                severity=Severity.INFO)
        what = ", ".join(f"model.{k}: {_show(v)}" for k, v in changes.items())
        return Verdict(
            message=message,
            fix=f"Shrink the network: {what} ({new_params:,} parameters, "
                f"{new_params / fit_windows:.1f} per window of the {fit_windows:,} left after "
                "a validation split), keep early stopping on a validation split; or get more "
                "data.",
            severity=Severity.ERROR if ratio > self.options["error_params_per_window"] else None,
            remedies=[Remedy("set-units", "model", changes)],
        )


#: The validation split early stopping holds out (``EarlyStopping()``, LD603's remedy).
_EARLY_STOPPING_SPLIT = 0.2


def _shrink(ctx, budget: float, min_units: int) -> tuple[dict, int]:
    """The smallest change to ``model`` whose network fits ``budget`` parameters.

    Returns ``(changes, parameters)``; ``changes`` is empty when nothing smaller is
    recommended (the network is at the floor already).
    """
    cfg = ctx.config
    m = cfg.model
    floor = min(min_units, m.units)
    steps: list[dict] = [{"layers": 1}]
    if m.head:
        steps.append({"head": []})
    if m.conv_filters:
        steps.append({"conv_filters": 0})
    if m.bidirectional:
        steps.append({"bidirectional": False})
    changes: dict = {}
    best = None
    for step in steps:
        changes.update(step)
        best = _largest_units(ctx, changes, budget, floor)
        if best is not None:
            break
    units, params = best or (floor, _params(ctx, {**changes, "units": floor}))
    changes = {"units": units, **changes}
    current = cfg.to_dict()["model"]
    if all(current[k] == v for k, v in changes.items()):
        return {}, params
    keep = {"units", "layers"}
    return {k: v for k, v in changes.items() if k in keep or current[k] != v}, params


def _params(ctx, changes: dict) -> int:
    cfg = ctx.config.replace("model", **changes)
    return network_parameters(cfg, n_features=ctx.n_features)["total"]


def _largest_units(ctx, changes: dict, budget: float, floor: int) -> tuple[int, int] | None:
    """``(units, parameters)`` of the largest network within ``budget``, or None.

    Binary search: the count grows with the units.
    """
    lo, hi = floor, ctx.config.model.units
    best = None
    while lo <= hi:
        units = (lo + hi) // 2
        params = _params(ctx, {**changes, "units": units})
        if params <= budget:
            best, lo = (units, params), units + 1
        else:
            hi = units - 1
    return best


def _show(value) -> str:
    return "[" + ", ".join(map(str, value)) + "]" if isinstance(value, list | tuple) else str(value)
