from __future__ import annotations

from lstm_doctor.findings import Severity
from lstm_doctor.remedies import DropLeakingFeatures
from lstm_doctor.rules.base import Interval, Rule, Verdict
from lstm_doctor.rules.features._facts import feature_inputs, is_leak, leak_reach, leak_scan

#: A single lead correlated at least this much: "the target shifted by -k".
SHIFT_CORR = 0.99


class Rule_LD801(Rule):  # noqa: N801
    """Leaking feature: an input column carries the target's future.

    A column that equals (after any scaling or offset) the target shifted by -h, a rolling
    statistic centred on t, or a running total anchored on the whole series' total lets
    the network read the answer: every backtest looks brilliant and the model fails in
    production, where that column does not exist yet. Measured on the stationary transform
    (the target's own differencing order applied to both): the column is regressed on the
    target's present and ``K`` past values, then also on its ``K`` next values (``K`` at
    least 12, the horizon and the window). A leak is a column the target explains almost
    exactly (``min_r2``) and whose unexplained part the *future* explains
    (``min_future_share`` of what the past leaves). A genuine leading indicator is noisy:
    it does not reach R^2 0.98 on the target's next values. Evidence per column: the lead
    (``-k`` steps) of the strongest match and its correlation, both R^2 and the future's
    share; a running total is recognised by its anchor (it reaches 0, or 1, exactly where
    the series ends).

    **Anti-pattern**

    ``df["next"] = df["y"].shift(-1)`` left in the inputs, ``df["y"].rolling(7,
    center=True).mean()`` as a smoothed input, or ``df["left"] = df["y"][::-1].cumsum()``
    (what remains to be sold this year).

    **Best practice**

    Build every input from values known at the forecast origin: trailing windows
    (``rolling(7).mean()``, never ``center=True``), ``shift(+k)`` lags, and running totals
    that only look back. Drop the leaking column and check that the backtest error rises to
    something believable.
    """

    code = "LD801"
    name = "features.leaking-feature"
    severity = Severity.ERROR
    thresholds = {"min_r2": 0.98, "min_future_share": 0.9}
    constraints = {"min_r2": Interval(float, 0.5, 1), "min_future_share": Interval(float, 0, 1)}

    def measure(self, ctx):
        """The leak scan of every column (lead/lag fit and running-total anchor)."""
        inp = feature_inputs(ctx)
        scan = leak_scan(ctx)
        per = {}
        for name, s in scan.items():
            per[name] = {k: s.get(k) for k in ("r2_past", "r2_full", "future_share", "lead",
                                               "lead_corr", "lag0_corr", "steps", "anchor",
                                               "constant")}
        return {"features": list(inp.columns), "source": inp.source, "per_feature": per,
                "steps": next(iter(scan.values()))["steps"] if scan else None}

    def judge(self, ev, ctx):
        """Fire for every column the target's future explains (or a total anchors)."""
        leaks = {}
        for name, s in ev["per_feature"].items():
            if not is_leak(s, self.options):
                continue
            if s.get("anchor"):
                s["kind"] = "anchored total"
                leaks[name] = (f"'{name}' is the target's {s['anchor']['kind']} over the whole "
                               f"series (R^2 {s['anchor']['r2']:.6f} against the running "
                               "total): at each row it knows the sum of all later values")
                continue
            if abs(s["lead_corr"]) >= SHIFT_CORR:
                s["kind"], s["reach"] = "shifted target", s["lead"]
                what = (f"'{name}' is the target shifted by -{s['lead']} (correlation "
                        f"{s['lead_corr']:+.4f} after scaling)")
            else:
                s["kind"], s["reach"] = "future window", leak_reach(ctx, name)
                what = (f"'{name}' is a combination of the target's values reaching "
                        f"{s['reach']} step(s) ahead (a centred or forward window)")
            leaks[name] = (f"{what}: the target explains R^2 {s['r2_full']:.3f} of it, its "
                           f"past alone {s['r2_past']:.3f}, so the future explains "
                           f"{s['future_share']:.0%} of the rest")
        if not leaks:
            return None
        names = list(leaks)
        ev["leaking"] = names
        quoted = ", ".join(f"'{n}'" for n in names)
        return Verdict(
            message=f"{len(names)} input column(s) leak the target's future: "
                    + "; ".join(leaks.values())
                    + f" (limits: R^2 >= {self.options['min_r2']:g} and future share >= "
                      f"{self.options['min_future_share']:g})",
            fix=f"Drop {quoted} from --features (or rebuild it from values known at the "
                "forecast origin: shift(+k), trailing rolling windows, running totals that "
                "look back only); any backtest with it is not a forecast.",
            remedies=[DropLeakingFeatures(names)],
        )
