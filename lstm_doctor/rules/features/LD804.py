from __future__ import annotations

import numpy as np

from lstm_doctor.findings import Severity
from lstm_doctor.remedies import Difference, DifferenceFeatures
from lstm_doctor.rules.base import Rule, Verdict
from lstm_doctor.rules.features._facts import feature_inputs, integration_orders


class Rule_LD804(Rule):  # noqa: N801
    """Non-stationary feature: a wandering input fed next to a stationary target, or the reverse.

    Extra inputs are fed as given: the set-up's differencing applies to the target only.
    An input with a unit root fed raw next to a target the network sees stationary (the
    set-up differences it, or it is stationary) asks the network to map a level that
    wanders outside its training range onto changes: in the holdout the scaled input sits
    where no training window was, and any relation learnt between the two is spurious (the
    regression is unbalanced). The reverse - a target with a unit root fed raw next to
    stationary inputs - asks stationary inputs to explain a wandering level. Measured with
    the unit-root machinery of LD201 (ADF and KPSS agreeing, the target's season removed
    first) on every column: the differences each needs, compared with the differences the
    set-up applies to the target. Two wandering columns fed raw together are left to LD201
    (difference the target; the inputs then show up here).

    **Anti-pattern**

    ``preprocessing.difference: 1`` for GDP while consumption and investment are fed as
    levels; or a price level forecast from returns and rate changes.

    **Best practice**

    Give every column the transform that makes it stationary before scaling: difference
    (or take log returns of) the wandering inputs when the target is differenced, and
    difference the target too when the inputs are changes.
    """

    code = "LD804"
    name = "features.non-stationary-feature"
    severity = Severity.WARNING
    reads = ("preprocessing.difference", "preprocessing.seasonal_difference")

    def measure(self, ctx):
        """Integration order of every column and of the target as the network sees it."""
        inp = feature_inputs(ctx)
        orders = integration_orders(ctx)
        target = orders[inp.target]
        removed = 0
        if inp.source == "data":
            p = ctx.config.preprocessing
            removed = p.difference + (1 if p.seasonal_difference else 0)
        outside = {}
        for name, col in inp.columns.items():
            train, rest = col[: inp.n_train], col[inp.n_train:]
            train, rest = train[np.isfinite(train)], rest[np.isfinite(rest)]
            outside[name] = float(np.mean((rest < train.min()) | (rest > train.max()))) \
                if train.size and rest.size else None
        return {"features": list(inp.columns), "source": inp.source,
                "holdout_outside_training_range": outside,
                "target": inp.target, "target_d": target["d"],
                "target_verdict": target["verdict"], "setup_removes": removed,
                "target_conclusive": target["conclusive"],
                "target_seen_d": max(0, target["d"] - removed),
                "per_feature": {k: orders[k] for k in inp.columns}}

    def assumed_inputs(self, ctx, evidence):
        """None on the Keras-native path: the arrays are what the network sees."""
        if evidence.get("source") == "arrays":
            return {}
        return super().assumed_inputs(ctx, evidence)

    def judge(self, ev, ctx):
        """Fire when the target as seen and an input differ in integration order."""
        per = ev["per_feature"]
        seen = ev["target_seen_d"]
        how = (f"differenced {ev['setup_removes']}x by the set-up" if ev["setup_removes"]
               else "stationary as given")
        if seen == 0:
            if ev["setup_removes"] == 0 and not ev["target_conclusive"]:
                return None  # the tests cannot say the target is stationary
            wandering = [k for k, v in per.items() if v["d"] >= 1 and not v["constant"]]
            if not wandering:
                return None
            ev["non_stationary"] = wandering
            outside = ev["holdout_outside_training_range"]
            listing = ", ".join(
                f"'{k}' (needs {per[k]['d']} difference{'s' if per[k]['d'] > 1 else ''}"
                + (f"; {outside[k]:.0%} of its holdout values lie outside its training range"
                   if outside.get(k) is not None else "") + ")" for k in wandering)
            return Verdict(
                message=f"{len(wandering)} input column(s) have a unit root and are fed raw "
                        f"next to the target '{ev['target']}', which the network sees "
                        f"stationary ({how}): {listing}; ADF and KPSS agree on the unit "
                        "root: such an input drifts out of the range the network was "
                        "trained on, and a relation learnt between its level and the "
                        "target's changes is spurious",
                fix=f"Feed the changes of {', '.join(repr(k) for k in wandering)} "
                    "(df[col].diff(), or log returns for prices) instead of their levels, as "
                    "the target is fed.",
                remedies=[DifferenceFeatures(wandering, "a unit root next to a stationary "
                                                         "target")],
            )
        stationary = [k for k, v in per.items() if v["d"] == 0 and v["conclusive"]
                      and not v["constant"]]
        if not stationary or ev["target_verdict"] in ("untestable", "inconclusive"):
            return None
        ev["stationary_inputs"] = stationary
        total = ev["target_d"]
        return Verdict(
            message=f"the target '{ev['target']}' has a unit root ({total} difference"
                    f"{'s' if total > 1 else ''} needed, the set-up applies "
                    f"{ev['setup_removes']}) and is fed next to stationary inputs "
                    f"{', '.join(repr(k) for k in stationary)}: stationary inputs cannot "
                    "explain a wandering level",
            fix=f"Difference the target (preprocessing.difference: {total}) so that it is "
                "fed as changes, like its inputs.",
            remedies=[Difference(total)] if ev["source"] == "data" else [],
        )
