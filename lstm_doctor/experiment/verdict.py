"""The plain-words verdict of an experiment and its Diebold-Mariano tests.

Which reference model the verdict highlights as the right answer (the naive forecast for a
random walk, the mean for white noise) is read from the result's ``advised`` references
(the check findings' ``UseReference`` remedies), never from rule codes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lstm_doctor.experiment.dm import LOSS_NAMES, REPORT_LOSS, dm_test
from lstm_doctor.experiment.result import LABELS, ExperimentResult

#: Reference models the verdict names as the right answer when the check advises them
#: (``UseReference`` remedies), in order of precedence, with the sentence it adds.
RIGHT_ANSWERS: dict[str, str] = {
    "naive": ("The series behaves like a random walk ({sources}): the naive forecast (the "
              "last value) is the right answer{mase}; an LSTM can at best learn to copy it."),
    "mean": ("The series has no learnable signal ({sources}, white noise): the mean is the "
             "right answer{mase}; no LSTM can forecast noise."),
}


def right_answer(res: ExperimentResult) -> str | None:
    """The reference model the check advises as the right answer, if the verdict names one.

    Read from ``res.advised`` (the findings' ``UseReference`` remedies); when several are
    advised, the first in :data:`RIGHT_ANSWERS` wins (a random walk over white noise).
    """
    return next((name for name in RIGHT_ANSWERS if res.advised.get(name)), None)

DM_NOTE = ("Diebold-Mariano tests use absolute-error loss (the loss MASE scales, so a test "
           "and the MASE column rank two models alike) on the seed-averaged forecasts, with "
           "the Harvey-Leybourne-Newbold small-sample correction and a t(n-1) distribution; "
           "a negative statistic means the first model has the lower loss. MASE in the table "
           "is the mean over seeds, the test compares the seed-averaged forecasts: when the "
           "two disagree on which model is more accurate, the verdict states both.")


def _fmt(x: float) -> str:
    return "n/a" if x is None or not np.isfinite(x) else f"{x:.2f}"


def _mase_text(summary: dict) -> str:
    """``MASE 0.58 ± 0.02`` (the spread only when several seeds ran)."""
    spread = (f" ± {_fmt(summary['mase_std'])}" if summary.get("n_seeds", 1) > 1
              and summary.get("mase_std") is not None else "")
    return f"MASE {_fmt(summary['mase'])}{spread}"


def _p(x: float | None) -> str:
    """``p = 0.012`` / ``p < 0.001`` / ``p = n/a``."""
    if x is None or not np.isfinite(x):
        return "p = n/a"
    return f"p = {x:.2g}" if x >= 0.001 else "p < 0.001"


def _dm_lookup(tests: list[dict], a: str, b: str) -> dict | None:
    return next((d for d in tests if d["a"] == a and d["b"] == b), None)


def verdict(res: ExperimentResult) -> tuple[str, str | None]:
    """Plain-words summary and the name of the model with the lowest MASE.

    Which model wins, whether the differences are real (Diebold-Mariano p < 0.05), and - when
    the check advised a reference model (a ``UseReference`` remedy: the naive forecast for a
    random walk, the mean for white noise, see :func:`right_answer`) - that it is the right
    answer. An LSTM that is not significantly better than the best reference model is never
    presented as the winner.

    One loss drives both statements: models are ranked by MASE (mean over seeds) and the
    tests use absolute error (:data:`lstm_doctor.experiment.dm.REPORT_LOSS`), the loss MASE
    scales; every test cited names its loss. A test only supports "A is better than B" when
    its own loss ranks A first (``better``) and p < 0.05. When the test's loss ranks the
    pair the other way from MASE (a squared-error test, or the seed-averaged forecasts
    against the per-seed mean), both rankings are stated and neither model is called best.
    """
    finite = {n: m.mase for n, m in res.models.items() if m.ok and np.isfinite(m.mase)}
    if not finite:
        return "No model produced finite forecasts on the holdout.", None
    winner = min(finite, key=finite.get)
    best_ref = res.best_reference()
    ref_name = LABELS.get(best_ref.name, best_ref.name) if best_ref else None
    answer = right_answer(res)
    parts: list[str] = []

    def test(a: str, b: str) -> dict | None:
        """The test of ``a`` vs ``b`` in either order, as seen from ``a``."""
        d = _dm_lookup(res.dm_tests, a, b) or _dm_lookup(res.dm_tests, b, a)
        return d

    def cite(d: dict | None) -> str:
        """``DM p = 0.012, absolute error``."""
        if d is None:
            return "DM p = n/a"
        return f"DM {_p(d.get('p_value'))}, {d.get('loss') or 'squared error'}"

    def supports(d: dict | None, a: str) -> bool:
        """The test says ``a`` is significantly more accurate on its own loss."""
        p = None if d is None else d.get("p_value")
        return (p is not None and bool(np.isfinite(p)) and p < 0.05
                and d.get("better") == a)

    def against(d: dict | None, a: str) -> str | None:
        """The model the test's loss ranks above ``a`` (``None`` when it agrees)."""
        if d is None or d.get("better") in (None, a):
            return None
        return d["better"]

    def disagreement(d: dict, lower_mase: str, other: str) -> str:
        """Both rankings, in words."""
        p = d.get("p_value")
        sig = p is not None and bool(np.isfinite(p)) and p < 0.05
        return (f"by MASE (mean over seeds) {LABELS.get(lower_mase, lower_mase)} has the lower "
                f"error ({_fmt(finite.get(lower_mase))} vs {_fmt(finite.get(other))}), but on "
                f"{d.get('loss') or 'squared error'} of the seed-averaged forecasts "
                f"{LABELS.get(other, other)} is " + ("significantly " if sig else "")
                + f"more accurate ({cite(d)})")

    if best_ref is not None and winner in ("baseline_lstm", "remediated_lstm"):
        d = test(winner, best_ref.name)
        if supports(d, winner):
            parts.append(f"Best on the holdout: {LABELS[winner]} (MASE {_fmt(finite[winner])}),"
                         f" significantly better than the best reference model, {ref_name} "
                         f"(MASE {_fmt(best_ref.mase)}; {cite(d)}).")
        elif against(d, winner):
            parts.append(f"No clear winner on the holdout: "
                         f"{disagreement(d, winner, best_ref.name)}: the simpler model is as "
                         "good.")
        else:
            parts.append(f"Lowest error on the holdout: {LABELS[winner]} (MASE "
                         f"{_fmt(finite[winner])}), but it is not significantly better than "
                         f"the best reference model, {ref_name} (MASE {_fmt(best_ref.mase)}; "
                         f"{cite(d)}): the simpler model is as good.")
    else:
        parts.append(f"Best on the holdout: {LABELS.get(winner, winner)} (MASE "
                     f"{_fmt(finite[winner])}).")
    if res.lstm_skipped:
        parts.append(f"The LSTMs were not trained: {res.lstm_skipped}.")
    base, rem = res.models.get("baseline_lstm"), res.models.get("remediated_lstm")
    if base is not None and rem is not None and base.ok and rem.ok:
        b, r = base.summary, rem.summary
        d = test("remediated_lstm", "baseline_lstm")
        if not np.isfinite(base.mase):
            parts.append(f"Your set-up produced non-finite forecasts (training diverged); the "
                         f"remediated LSTM reaches MASE {_fmt(rem.mase)}.")
        elif rem.mase < base.mase:
            head = (f"The remediated LSTM ({_mase_text(r)}) is "
                    + (f"{base.mase / rem.mase:.1f}× better" if base.mase >= 1.1 * rem.mase
                       else f"{1 - rem.mase / base.mase:.0%} better")
                    + f" than your set-up ({_mase_text(b)}) by MASE; ")
            if supports(d, "remediated_lstm"):
                tail = f"the Diebold-Mariano test says the difference is real ({cite(d)})."
            elif against(d, "remediated_lstm"):
                tail = (f"but on {d.get('loss') or 'squared error'} of the seed-averaged "
                        "forecasts your set-up is the more accurate one "
                        f"({cite(d)}): the two cannot be ranked.")
            else:
                tail = f"but the Diebold-Mariano test cannot tell them apart ({cite(d)})."
            parts.append(head + tail)
        else:
            parts.append(f"The remediated LSTM (MASE {_fmt(r['mase'])}) did not beat your "
                         f"set-up (MASE {_fmt(b['mase'])}; {cite(d)}).")
    if best_ref is not None and winner == best_ref.name:
        lstms = [m for m in (rem, base) if m is not None and m.ok and np.isfinite(m.mase)]
        if lstms:
            best_lstm = min(lstms, key=lambda m: m.mase)
            d = test(best_lstm.name, best_ref.name)
            advice = "." if answer else \
                f": use {ref_name} unless the LSTM gets informative inputs."
            if against(d, best_ref.name):
                parts.append(f"No LSTM beats it by MASE, but the test disagrees: "
                             f"{disagreement(d, best_ref.name, best_lstm.name)}; neither is "
                             "clearly better.")
            else:
                parts.append(f"No LSTM beats it (best LSTM: {LABELS[best_lstm.name]}, MASE "
                             f"{_fmt(best_lstm.mase)}; {cite(d)}){advice}")
    if answer:
        model = res.model(answer)
        parts.append(RIGHT_ANSWERS[answer].format(
            sources=", ".join(res.advised[answer]),
            mase=f" (MASE {_fmt(model.mase)})" if model else ""))
    return " ".join(parts), winner


def dm_tests(res: ExperimentResult, loss: str | None = None) -> list[dict[str, Any]]:
    """Diebold-Mariano tests of the report's model pairs, on one loss.

    Pairs: remediated vs your LSTM, each LSTM vs the best reference model, and your LSTM vs
    the better trivial forecast (naive / seasonal naive, what LD701 compares with) when that
    is not the best reference. ``loss`` defaults to
    :data:`lstm_doctor.experiment.dm.REPORT_LOSS` (absolute error, the loss MASE scales);
    each entry names its loss, and ``better`` is the model with the lower mean loss *on that
    loss* (seed-averaged forecasts), so a test never points the other way from its own loss.
    """
    loss = loss or REPORT_LOSS
    pairs = []
    best = res.best_reference()
    if res.model("remediated_lstm") and res.model("baseline_lstm"):
        pairs.append(("remediated_lstm", "baseline_lstm"))
    for name in ("remediated_lstm", "baseline_lstm"):
        if res.model(name) and best is not None:
            pairs.append((name, best.name))
    trivial = [m for m in (res.model("naive"), res.model("seasonal_naive"))
               if m is not None and np.isfinite(m.mase)]
    if res.model("baseline_lstm") and trivial:
        name = min(trivial, key=lambda m: m.mase).name
        if ("baseline_lstm", name) not in pairs:
            pairs.append(("baseline_lstm", name))
    out = []
    actual = res.actual
    for a, b in pairs:
        fa, fb = res.models[a].forecast, res.models[b].forecast
        t = dm_test(actual, fa, fb, h=res.horizon, loss=loss)
        diff = t.mean_loss_diff
        better = None
        if np.isfinite(diff) and diff != 0:
            better = a if diff < 0 else b
        out.append({"a": a, "b": b, "statistic": t.statistic, "p_value": t.p_value,
                    "n": t.n, "h": t.h, "loss": LOSS_NAMES.get(loss, loss),
                    "mean_loss_diff": diff, "better": better,
                    "significant": bool(np.isfinite(t.p_value) and t.p_value < 0.05)})
    return out


#: The old private name.
_dm_tests = dm_tests
