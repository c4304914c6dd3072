from __future__ import annotations

import math

from lstm_doctor.findings import Severity
from lstm_doctor.rules.base import Interval, NotApplicable, Rule, Verdict
from lstm_doctor.rules.training import baseline_and_experiment
from lstm_doctor.symptoms import MODEL_LABELS as LABELS

#: The trivial reference forecasts "naive" means here (same holdout, same origins).
TRIVIAL = ("naive", "seasonal_naive")
_NAMES = {"naive": "naive", "seasonal_naive": "seasonal naive"}


class Rule_LD701(Rule):  # noqa: N801
    """Worse than naive: your LSTM forecasts the holdout worse than a trivial reference model.

    The experiment trains your set-up exactly as given and scores it on the temporal holdout
    on the original scale, next to the naive (last value) and seasonal naive forecasts (the
    trivial reference models) and exponential smoothing. The rule fires when your LSTM's
    holdout MASE is at least the better trivial forecast's on the same holdout (plus
    ``margin_over_naive``): an error when it is worse by more than ``error_margin`` (10%),
    a warning when it is merely no better. Evidence: MASE (mean and spread over seeds) of
    your LSTM, the naive and seasonal naive forecasts, the best reference model and the
    remediated LSTM, and the Diebold-Mariano p-value (absolute-error loss, the loss MASE
    scales) of your LSTM against the better trivial forecast.

    An LSTM that beats the naive forecasts but loses to ETS is *not* worse than naive: the
    rule passes, and the report's verdict says which model is best and whether the LSTM is
    significantly behind it. A MASE above 1 alone does not fire either: MASE 1 is the
    naive forecast's *in-sample* error, and a holdout where the naive forecast does worse
    than that moves the bar for every model.

    **Anti-pattern**

    Reporting an LSTM's RMSE on its own (or on a shuffled split) and concluding it "works",
    without ever comparing it with the naive forecast on the same holdout.

    **Best practice**

    Always score a naive and a seasonal naive forecast (and ETS/ARIMA) on the same temporal
    holdout and report MASE; only keep the LSTM when it beats them clearly (Diebold-Mariano
    p < 0.05). Fix the set-up's problems listed in this report (the remediated set-up) or use
    the reference model.
    """

    code = "LD701"
    name = "training.worse-than-naive"
    severity = Severity.ERROR
    needs_training = True
    thresholds = {"margin_over_naive": 0.0, "error_margin": 0.1}
    constraints = {"margin_over_naive": Interval(float, -1, None, closed="neither"),
                   "error_margin": Interval(float, 0, None)}

    def measure(self, ctx):
        """MASE of the baseline LSTM, the trivial and best references and the remediated LSTM."""
        exp, base = baseline_and_experiment(ctx)
        s = base.summary
        if not math.isfinite(s.get("mase", float("nan"))):
            raise NotApplicable("the baseline LSTM's forecasts are not finite (see LD705)")
        trivial = [m for m in (exp.model(n) for n in TRIVIAL)
                   if m is not None and math.isfinite(m.mase)]
        if not trivial:
            raise NotApplicable("no naive forecast on the holdout to compare with")
        best_trivial = min(trivial, key=lambda m: m.mase)
        best = exp.best_reference()
        naive = exp.model("naive")
        snaive = exp.model("seasonal_naive")
        rem = exp.model("remediated_lstm")
        dm = next((d for d in exp.dm_tests if d["a"] == "baseline_lstm"
                   and d["b"] == best_trivial.name), None)
        return {
            "baseline_mase": s["mase"], "baseline_mase_std": s["mase_std"],
            "baseline_mase_min": s["mase_min"], "baseline_mase_max": s["mase_max"],
            "naive_mase": naive.mase if naive else None,
            "seasonal_naive_mase": snaive.mase if snaive else None,
            "best_trivial": best_trivial.name, "best_trivial_mase": best_trivial.mase,
            "best_reference": best.name if best else None,
            "best_reference_mase": best.mase if best else None,
            "remediated_mase": rem.mase if rem else None,
            "dm_p_value_vs_naive": dm["p_value"] if dm else None,
            "dm_loss": dm.get("loss") if dm else None,
            "seeds": len(base.runs),
        }

    def judge(self, ev, ctx):
        """Fire when the LSTM's MASE is at least the better trivial forecast's."""
        mase, bar = ev["baseline_mase"], ev["best_trivial_mase"]
        if mase < bar * (1 + self.options["margin_over_naive"]):
            return None
        clearly = mase > bar * (1 + self.options["error_margin"])
        trivial = _NAMES[ev["best_trivial"]]
        spread = (f" (± {ev['baseline_mase_std']:.2f} over {ev['seeds']} seeds)"
                  if ev["seeds"] > 1 and ev["baseline_mase_std"] is not None else
                  " (1 seed)")
        p = ev["dm_p_value_vs_naive"]
        test = (f" (DM p = {p:.2g}, {ev['dm_loss'] or 'absolute error'})"
                if p is not None and math.isfinite(p) else "")
        parts = [f"your LSTM's holdout MASE is {mase:.2f}{spread}",
                 f"the {trivial} forecast reaches {bar:.2f}{test}"]
        for name in TRIVIAL:
            value = ev[f"{name}_mase"]
            if name != ev["best_trivial"] and value is not None and math.isfinite(value):
                parts.append(f"the {_NAMES[name]} forecast {value:.2f}")
        best = ev["best_reference_mase"]
        if best is not None and ev["best_reference"] not in TRIVIAL:
            parts.append(f"the best reference model "
                         f"({LABELS.get(ev['best_reference'], ev['best_reference'])}) "
                         f"{best:.2f}")
        rem = ev["remediated_mase"]
        if rem is not None and math.isfinite(rem):
            parts.append(f"the remediated LSTM {rem:.2f}")
        head = (f"worse than the {trivial} forecast" if clearly else
                f"no better than the {trivial} forecast (within "
                f"{self.options['error_margin']:.0%})")
        keep = ev["best_reference"] or ev["best_trivial"]
        return Verdict(
            message=f"{head}: " + "; ".join(parts),
            fix="Apply the remedies of the other findings (the remediated set-up in this "
                "report: remediated_config.yaml / the training script) and keep the LSTM only "
                f"if it beats {LABELS.get(keep, keep)} on the holdout; otherwise use the "
                "reference model.",
            severity=Severity.ERROR if clearly else Severity.WARNING,
        )
