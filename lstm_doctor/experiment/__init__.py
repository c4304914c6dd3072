"""Train and compare: the user's LSTM, a remediated LSTM and honest reference forecasters.

TensorFlow/Keras are imported only when an LSTM is trained (never at import time).

Public API
----------
run_experiment(ctx, findings, ...) -> (ExperimentResult, comparison dict)
    Train and compare; changes neither the report nor the context (see :mod:`.runner`).
ExperimentResult, ModelResult, SeedRun
    What the training-symptom rules (LD7xx) read.
build_remediation(config, findings) -> Remediation
    Compose the findings' remedies into the remediated set-up.
"""

from __future__ import annotations

from lstm_doctor.experiment.remediation import Remediation, build_remediation
from lstm_doctor.experiment.result import ExperimentResult, ModelResult, SeedRun
from lstm_doctor.experiment.runner import run_experiment

__all__ = ["run_experiment", "ExperimentResult", "ModelResult", "SeedRun",
           "build_remediation", "Remediation"]
