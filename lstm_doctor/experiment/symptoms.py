"""Moved: the training-symptom measurements live in :mod:`lstm_doctor.symptoms`.

Re-exported here so old imports keep working; the experiment package imports no rule, so
the rules' ``baseline_and_experiment`` helper is in :mod:`lstm_doctor.rules.training`.
"""

from __future__ import annotations

from lstm_doctor.symptoms import (
    collapse,
    convergence,
    loss_health,
    majority,
    overfitting,
    persistence,
)

__all__ = ["persistence", "overfitting", "collapse", "loss_health", "convergence", "majority"]
