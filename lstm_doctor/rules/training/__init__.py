"""Training-symptom rules (LD7xx): they judge the results of a training run.

The results reach them through the Context (``ctx.experiment``, read-only, set by
:func:`lstm_doctor.report` after the experiment); the measurements they apply live in
:mod:`lstm_doctor.symptoms`. No rule here imports the experiment package.
"""

from __future__ import annotations

from typing import Any

from lstm_doctor.rules.base import NotApplicable


def baseline_and_experiment(ctx: Any, name: str = "baseline_lstm") -> tuple[Any, Any]:
    """``(ctx.experiment, its LSTM result called name)``.

    Raises
    ------
    NotApplicable
        When no experiment ran or that LSTM was not trained (TensorFlow missing, a set-up
        that leaves no windows...).
    """
    exp = ctx.experiment
    model = exp.models.get(name) if exp is not None else None
    if model is None or not model.ok:
        reason = getattr(exp, "lstm_skipped", None) or (model.error if model else None)
        raise NotApplicable(f"the {name.replace('_', ' ')} did not run "
                            f"({reason or 'not trained'})")
    return exp, model
