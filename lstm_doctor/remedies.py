"""Fixes as data.

A rule proposes remedy objects; the remediated set-up is the user's set-up with every
remedy applied in turn (:func:`remediate`). Each remedy changes keys of one config section,
so the report can show the exact diff and the experiment can apply it.

Input columns are not part of the set-up schema (they are data options, ``--features``):
remedies on them (:func:`DropFeatures`, :func:`DifferenceFeatures`) use the pseudo-section
:data:`FEATURES` with one key per column (``features.<column>: drop``). They leave an
:class:`~lstm_doctor.config.LSTMConfig` unchanged; the experiment applies them to the
columns it trains on (:meth:`lstm_doctor.experiment.remediation.Remediation.work_data`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lstm_doctor.config import LSTMConfig

#: The pseudo-section of remedies on input columns (not a config section).
FEATURES = "features"
#: What a :data:`FEATURES` remedy does to a column.
FEATURE_ACTIONS = ("drop", "difference")


@dataclass(frozen=True)
class Remedy:
    """A change to one section of the set-up.

    Attributes
    ----------
    kind : str
        A short name (``difference``, ``scale``, ``set-window``...).
    section : str
        The config section it changes.
    changes : dict
        Key -> new value in that section.
    note : str
        Why (shown in the report).
    reference : str
        For advice without a config change (:func:`UseReference`): the reference model
        that is the right answer (``naive``, ``mean``...); empty otherwise.
    """

    kind: str
    section: str
    changes: dict[str, Any] = field(default_factory=dict)
    note: str = ""
    reference: str = ""

    @property
    def on_features(self) -> bool:
        """Whether it changes input columns (the data), not the set-up."""
        return self.section == FEATURES

    def apply(self, config: LSTMConfig) -> LSTMConfig:
        """Return ``config`` with this remedy's changes (validated).

        Remedies on input columns (:attr:`on_features`) leave the set-up unchanged.
        """
        if not self.changes or self.on_features:
            return config
        return config.replace(self.section, **self.changes)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        out = {"kind": self.kind, "section": self.section, "changes": dict(self.changes),
               "note": self.note}
        if self.reference:
            out["reference"] = self.reference
        return out

    def describe(self) -> str:
        """``preprocessing.difference = 1, ...`` (``drop feature 'x'`` on input columns)."""
        if self.on_features:
            return ", ".join(f"{action} feature {name!r}" for name, action in
                             self.changes.items())
        return ", ".join(f"{self.section}.{k} = {v!r}" for k, v in self.changes.items())


# Constructors named after what they do; each returns a Remedy.

def Log() -> Remedy:  # noqa: N802 - reads as a value, like sqlfluff's LintFix
    """Take logs (stabilises variance that grows with the level)."""
    return Remedy("log", "preprocessing", {"log": True, "boxcox": None})


def BoxCox(lmbda: float) -> Remedy:  # noqa: N802
    """Box-Cox transform with the given lambda."""
    return Remedy("boxcox", "preprocessing", {"boxcox": round(float(lmbda), 4), "log": False})


def Difference(order: int = 1) -> Remedy:  # noqa: N802
    """First-difference ``order`` times (removes a unit root); replaces detrending."""
    return Remedy("difference", "preprocessing", {"difference": int(order), "detrend": False})


def Detrend() -> Remedy:  # noqa: N802
    """Remove a linear trend fitted on the training split."""
    return Remedy("detrend", "preprocessing", {"detrend": True})


def SeasonalDifference(period: int) -> Remedy:  # noqa: N802
    """Seasonal difference at lag ``period``."""
    return Remedy("seasonal-difference", "preprocessing",
                  {"seasonal_difference": int(period), "deseasonalize": 0})


def Deseasonalize(period: int) -> Remedy:  # noqa: N802
    """Remove the seasonal profile (fitted on train) of the given period."""
    return Remedy("deseasonalize", "preprocessing", {"deseasonalize": int(period)})


def Scale(kind: str = "standard", fit_on: str = "train") -> Remedy:  # noqa: N802
    """Scale the input with ``kind`` fitted on ``fit_on`` (``train`` avoids leakage)."""
    return Remedy("scale", "preprocessing", {"scaler": kind, "scaler_fit": fit_on})


def SetWindow(seq_length: int) -> Remedy:  # noqa: N802
    """Change the input window length."""
    return Remedy("set-window", "window", {"seq_length": int(seq_length)})


def SetUnits(units: int, layers: int | None = None) -> Remedy:  # noqa: N802
    """Resize the network."""
    changes: dict[str, Any] = {"units": int(units)}
    if layers is not None:
        changes["layers"] = int(layers)
    return Remedy("set-units", "model", changes)


def SetActivations(activation: str = "tanh", recurrent_activation: str = "sigmoid") -> Remedy:  # noqa: N802
    """Restore the LSTM's bounded activations."""
    return Remedy("set-activations", "model",
                  {"activation": activation, "recurrent_activation": recurrent_activation})


def SetLearningRate(learning_rate: float) -> Remedy:  # noqa: N802
    """Change the learning rate."""
    return Remedy("set-learning-rate", "training", {"learning_rate": float(learning_rate)})


def EarlyStopping(validation_split: float = 0.2, patience: int = 10) -> Remedy:  # noqa: N802
    """Hold out the end of the training data and stop when validation loss stops improving."""
    return Remedy("early-stopping", "training",
                  {"validation": "split", "validation_split": float(validation_split),
                   "early_stopping": True, "patience": int(patience)})


def ValidateOnTraining(validation_split: float = 0.2) -> Remedy:  # noqa: N802
    """Validate on the end of the training data, never on the holdout."""
    return Remedy("validate-on-training", "training",
                  {"validation": "split", "validation_split": float(validation_split)},
                  "the holdout must not choose the epoch or the weights")


def SetBatchSize(batch_size: int) -> Remedy:  # noqa: N802
    """Change the batch size."""
    return Remedy("set-batch-size", "training", {"batch_size": int(batch_size)})


def TemporalSplit() -> Remedy:  # noqa: N802
    """Split train/holdout by time."""
    return Remedy("temporal-split", "split", {"method": "temporal"})


def SetTestSize(test_size: float) -> Remedy:  # noqa: N802
    """Change the holdout fraction."""
    return Remedy("set-test-size", "split", {"test_size": float(test_size)})


def UseReference(model: str, note: str = "") -> Remedy:  # noqa: N802
    """Advice with no config change: a reference model (naive, mean) is the right answer."""
    return Remedy("use-reference", "model", {}, note or f"use the {model} forecast",
                  reference=model)


def DropFeatures(names: list[str] | tuple[str, ...], note: str = "") -> Remedy:  # noqa: N802
    """Leave the input columns ``names`` out of the network's inputs."""
    return Remedy("drop-features", FEATURES, dict.fromkeys(map(str, names), "drop"),
                  note or "leave these inputs out")


def DropLeakingFeatures(names: list[str] | tuple[str, ...]) -> Remedy:  # noqa: N802
    """Leave out input columns that carry the target's future (never screened by accuracy:
    a leak makes the backtest better).
    """
    return Remedy("drop-leaking-features", FEATURES, dict.fromkeys(map(str, names), "drop"),
                  "carries the target's future")


def DifferenceFeatures(names: list[str] | tuple[str, ...], note: str = "") -> Remedy:  # noqa: N802
    """Feed the first differences of the input columns ``names`` instead of their levels."""
    return Remedy("difference-features", FEATURES,
                  dict.fromkeys(map(str, names), "difference"),
                  note or "feed these inputs' changes, not their levels")


def remediate(config: LSTMConfig, remedies: list[Remedy]) -> LSTMConfig:
    """Apply ``remedies`` in order to ``config`` (later changes to the same key win)."""
    for remedy in remedies:
        config = remedy.apply(config)
    return config
