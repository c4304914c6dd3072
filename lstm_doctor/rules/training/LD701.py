from __future__ import annotations

import math

from lstm_doctor.experiment.symptoms import baseline_and_experiment
from lstm_doctor.findings import Severity
from lstm_doctor.rules.base import NotApplicable, Rule, Verdict


class Rule_LD701(Rule):  # noqa: N801
    """Worse than naive: your LSTM forecasts the holdout worse than a trivial reference model.

    The experiment trains your set-up exactly as given and scores it on the temporal holdout
    on the original scale, next to the naive (last value), seasonal naive and exponential
    smoothing forecasts. A MASE of 1 or more means the LSTM's errors are at least those of the
    in-sample (seasonal) naive forecast; a MASE above the best reference model's means a
    ten-line statistical model does better. Evidence: MASE (mean and spread over seeds) of
    your LSTM, the naive forecast, the best reference model and the remediated LSTM, and
    the Diebold-Mariano p-value of your LSTM against the best reference.

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
    thresholds = {"max_mase": 1.0, "margin_over_best_reference": 0.1}

    def measure(self, ctx):
        """MASE of the baseline LSTM, the references and the remediated LSTM."""
        exp, base = baseline_and_experiment(ctx)
        s = base.summary
        if not math.isfinite(s.get("mase", float("nan"))):
            raise NotApplicable("the baseline LSTM's forecasts are not finite (see LD705)")
        best = exp.best_reference()
        naive = exp.model("naive")
        rem = exp.model("remediated_lstm")
        dm = next((d for d in exp.dm_tests if d["a"] == "baseline_lstm"
                   and best is not None and d["b"] == best.name), None)
        return {
            "baseline_mase": s["mase"], "baseline_mase_std": s["mase_std"],
            "baseline_mase_min": s["mase_min"], "baseline_mase_max": s["mase_max"],
            "naive_mase": naive.mase if naive else None,
            "best_reference": best.name if best else None,
            "best_reference_mase": best.mase if best else None,
            "remediated_mase": rem.mase if rem else None,
            "dm_p_value_vs_best_reference": dm["p_value"] if dm else None,
            "seeds": len(base.runs),
        }

    def judge(self, ev, ctx):
        """Fire when MASE >= max_mase or the best reference is clearly better."""
        mase = ev["baseline_mase"]
        best = ev["best_reference_mase"]
        over_one = mase >= self.options["max_mase"]
        behind = best is not None and mase > best * (1 + self.options[
            "margin_over_best_reference"])
        if not (over_one or behind):
            return None
        naive = ev["naive_mase"]
        worse_than_naive = naive is not None and mase >= naive
        spread = (f" (± {ev['baseline_mase_std']:.2f} over {ev['seeds']} seeds)"
                  if ev["seeds"] > 1 and ev["baseline_mase_std"] is not None else
                  " (1 seed)")
        parts = [f"your LSTM's holdout MASE is {mase:.2f}{spread}"]
        if naive is not None:
            parts.append(f"the naive forecast reaches {naive:.2f}")
        if best is not None and ev["best_reference"] != "naive":
            p = ev["dm_p_value_vs_best_reference"]
            parts.append(f"the best reference model ({ev['best_reference']}) {best:.2f}"
                         + (f" (DM p = {p:.2g})" if p is not None and math.isfinite(p) else ""))
        rem = ev["remediated_mase"]
        if rem is not None and math.isfinite(rem):
            parts.append(f"the remediated LSTM {rem:.2f}")
        head = "worse than the naive forecast" if worse_than_naive else (
            "MASE >= 1" if over_one and not behind else "worse than a simple reference model")
        severity = Severity.ERROR if over_one and (worse_than_naive or behind) else \
            Severity.WARNING
        return Verdict(
            message=f"{head}: " + "; ".join(parts),
            fix="Apply the remedies of the other findings (the remediated set-up in this "
                "report: remediated_config.yaml / the training script) and keep the LSTM only "
                f"if it beats {ev['best_reference'] or 'the naive forecast'} on the holdout; "
                "otherwise use the reference model.",
            severity=severity,
        )
