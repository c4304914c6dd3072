from __future__ import annotations

from lstm_doctor.findings import Severity
from lstm_doctor.rules._array_facts import locate, target_offsets
from lstm_doctor.rules.base import Interval, NotApplicable, Rule, Verdict


class Rule_LD505(Rule):  # noqa: N801
    """Misaligned windows: the target is not the value right after its input window.

    Hand-written windowing loops are easy to get off by one: ``y[i] = x[i + L - 1]`` makes
    the target the window's own last input (the network learns to copy it and scores
    perfectly), ``x[i + L + 1]`` skips a step, and a multi-step target can be shifted or
    have gaps. Given the raw series, each training (and test) window is located in it --
    after an affine fit, so min-max or standard scaled windows are found too, and in the
    first difference when the windows were cut from it -- and the offset of every target
    column from the window's last input is measured: ``+1`` (then ``+2``, ...) is right.
    Evidence: the offsets found, the windows located, the scale fitted.

    **Anti-pattern**

    ``for i in range(len(data) - L): X.append(data[i:i + L]); y.append(data[i + L - 1])``
    (the target is the last input), or ``data[i + L + 1]`` (one step too far).

    **Best practice**

    ``X.append(data[i:i + L]); y.append(data[i + L:i + L + H])`` for
    ``i in range(len(data) - L - H + 1)``, or let a tested utility cut the windows
    (``keras.utils.timeseries_dataset_from_array(data[:-H], data[L:], L)``), and check one
    window by hand against the series.
    """

    code = "LD505"
    name = "window.misaligned-targets"
    severity = Severity.ERROR
    needs_arrays = True
    thresholds = {"max_offset": 24}
    constraints = {"max_offset": Interval(int, 1, 1000)}

    def measure(self, ctx):
        """Where each window set sits in the series and the offset of each target column."""
        a = ctx.arrays
        if a.series is None:
            raise NotApplicable("no raw series given (diagnose(..., series=...))")
        sets = {}
        for name, X, y in (("train", a.X_train, a.y_train), ("test", a.X_test, a.y_test)):
            if X is None or y is None:
                continue
            loc = locate(X, a.series)
            if loc is None or len(loc.rows) < 3:
                sets[name] = {"located": 0 if loc is None else len(loc.rows),
                              "windows": len(X)}
                continue
            limit = max(int(self.options["max_offset"]), y.shape[1] + 1)
            sets[name] = {
                "located": len(loc.rows), "windows": len(X), "compared": loc.compared,
                "feature": loc.feature, "base": loc.base,
                "scale": round(loc.a, 10), "shift": round(loc.b, 10),
                "offsets": target_offsets(loc, X, y, limit),
                "expected": list(range(1, y.shape[1] + 1)),
            }
        if "offsets" not in sets.get("train", {}):
            raise NotApplicable(
                "the training windows could not be located in the series, even after an "
                "affine rescaling (windows normalised one by one, a log or other non-affine "
                "transform, or another series): alignment not checked")
        return {"sets": sets}

    def judge(self, ev, ctx):
        """Fire when a target column is not at its expected offset (error when it is an
        input value or out of order, warning when it is only further ahead).
        """
        for name, s in ev["sets"].items():
            offsets = s.get("offsets")
            if offsets is None or offsets == s["expected"]:
                continue
            if all(k is None for k in offsets):
                continue  # the targets are another quantity (not judged)
            steps = ctx.arrays.X_train.shape[1]
            first = offsets[0]
            where = f"{name} windows ({s['located']} of {s['windows']} located in the " \
                    f"{s['base']})"
            if first is not None and first <= 0:
                k = first
                what = ("y is the window's own last input (y[i] = x[i + L - 1])" if k == 0
                        else f"y is the window's input at step {steps + k} of {steps}")
                message = (f"{where}: {what}, not the next value: the network learns to "
                           "copy an input and its score means nothing (off-by-one windowing)")
                severity = None
            elif any(k is not None and k <= 0 for k in offsets) or \
                    any(k is None for k in offsets):
                message = (f"{where}: the target columns sit at offsets {offsets} from the "
                           f"last input, expected {s['expected']} (horizon misalignment: "
                           "some outputs are inputs or no series value)")
                severity = None
            elif len(offsets) > 1 and offsets != list(range(first, first + len(offsets))):
                message = (f"{where}: the target columns sit at offsets {offsets} from the "
                           f"last input, expected {s['expected']} (horizon misalignment)")
                severity = None
            else:
                message = (f"{where}: y is {first} steps after the last input, not the next "
                           f"value (offsets {offsets}, expected {s['expected']}): the windows "
                           "skip a step (off-by-one), unless the gap is intended")
                severity = Severity.WARNING
            return Verdict(
                message=message,
                fix="Cut the windows as X[i] = data[i:i + L], y[i] = data[i + L:i + L + H] "
                    "(or keras.utils.timeseries_dataset_from_array) and compare one window "
                    "with the series by hand.",
                severity=severity)
        return None
