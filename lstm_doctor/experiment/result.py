"""What the experiment produces: per-seed runs, per-model results, the whole comparison.

These objects are what the training-symptom rules (LD7xx) read from ``ctx.experiment``;
:func:`lstm_doctor.experiment.runner.to_comparison` turns them into the plain
``report.comparison`` dict.
They can be built directly (see :meth:`ExperimentResult.from_forecasts`) to test rules
without training.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from lstm_doctor.experiment.metrics import all_metrics, mase_scale, summarize
from lstm_doctor.symptoms import MODEL_LABELS as LABELS

REFERENCE_MODELS = ("naive", "seasonal_naive", "mean", "ets")
LSTM_MODELS = ("baseline_lstm", "remediated_lstm")


def advised_references(findings: list[Any]) -> dict[str, list[str]]:
    """Reference models the findings advise (``UseReference`` remedies) and their rules.

    Parameters
    ----------
    findings : list of Finding
        Check findings, most severe first.

    Returns
    -------
    dict
        Reference model (``naive``, ``mean``...) -> codes of the findings advising it, in
        report order.
    """
    out: dict[str, list[str]] = {}
    for f in findings:
        if getattr(f, "crashed", False):
            continue
        for r in getattr(f, "remedies", None) or []:
            ref = getattr(r, "reference", "")
            if ref and f.code not in out.setdefault(ref, []):
                out[ref].append(f.code)
    return out


@dataclass
class SeedRun:
    """One trained (or fitted) model: forecasts on the original scale and how it trained.

    Attributes
    ----------
    seed : int or None
        ``None`` for deterministic reference models.
    forecast : ndarray, shape (m, horizon)
        Rolling-origin holdout forecasts on the original scale.
    metrics : dict
        ``mae``, ``rmse``, ``smape``, ``mase``.
    history : dict
        ``loss`` and ``val_loss`` per epoch (LSTMs).
    val_kind : str or None
        ``"validation"`` (the set-up's own validation split), ``"monitor"`` (a monitoring
        split the experiment held out, see ``comparison["monitoring"]``) or ``None``.
    """

    seed: int | None
    forecast: np.ndarray
    metrics: dict[str, float] = field(default_factory=dict)
    history: dict[str, list[float]] = field(default_factory=dict)
    val_kind: str | None = None
    epochs_run: int = 0
    epochs_max: int = 0
    seconds: float = 0.0
    stopped_by: str = ""
    n_params: int | None = None
    transformed_forecast: np.ndarray | None = None

    def to_dict(self) -> dict[str, Any]:
        """Per-seed metrics for JSON."""
        out: dict[str, Any] = {"seed": self.seed, **self.metrics}
        if self.seed is not None:
            out.update({"epochs_run": self.epochs_run, "epochs_max": self.epochs_max,
                        "train_seconds": round(self.seconds, 3), "stopped_by": self.stopped_by,
                        "n_params": self.n_params})
        return out


@dataclass
class ModelResult:
    """All seeds of one model."""

    name: str
    kind: str  # "reference" | "lstm"
    runs: list[SeedRun] = field(default_factory=list)
    error: str | None = None
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the model produced forecasts."""
        return self.error is None and bool(self.runs)

    @property
    def forecast(self) -> np.ndarray:
        """Seed-mean forecast ``(m, horizon)``."""
        return np.mean([r.forecast for r in self.runs], axis=0)

    @property
    def summary(self) -> dict[str, float]:
        """Metric means and spreads over seeds (see :func:`metrics.summarize`)."""
        return summarize([r.metrics for r in self.runs]) if self.runs else {}

    @property
    def mase(self) -> float:
        """Mean MASE over seeds (NaN when missing)."""
        return float(self.summary.get("mase", np.nan)) if self.ok else float("nan")

    @property
    def train_seconds(self) -> float:
        """Total fit time over seeds."""
        return float(sum(r.seconds for r in self.runs))

    def to_dict(self) -> dict[str, Any]:
        """The ``comparison["models"]`` entry."""
        out: dict[str, Any] = {"name": self.name, "label": LABELS.get(self.name, self.name),
                               "kind": self.kind}
        out.update(self.summary)
        out["n_seeds"] = len(self.runs)
        out["seeds"] = [r.to_dict() for r in self.runs]
        out["train_seconds"] = round(self.train_seconds, 3)
        if self.error:
            out["error"] = self.error
        if self.info:
            out["info"] = self.info
        return out


@dataclass
class ExperimentResult:
    """The comparison on one temporal holdout.

    Attributes
    ----------
    y : ndarray
        The series the experiment used (original scale; interior gaps interpolated).
    n_train : int
        Training length; the holdout is ``y[n_train:]``.
    origins : ndarray of int
        Rolling forecast origins (first predicted index of each forecast).
    horizon : int
    period : int or None
        Seasonal period used by seasonal naive, ETS and the MASE scale.
    scale : float
        MASE denominator: in-sample (seasonal) naive MAE on the training split.
    models : dict
        Name -> :class:`ModelResult`, in display order.
    index : list
        Time stamps of the origins (positions when the series has no time index).
    finding_codes : list of str
        Codes of the check findings.
    advised : dict
        Reference models the check findings advise as the right answer (from their
        ``UseReference`` remedies, see :func:`advised_references`) -> the advising rules'
        codes: ``{"mean": ["LD206"]}`` adds the mean forecast and says white noise.
    """

    y: np.ndarray
    n_train: int
    origins: np.ndarray
    horizon: int = 1
    period: int | None = None
    scale: float = float("nan")
    models: dict[str, ModelResult] = field(default_factory=dict)
    index: list[Any] = field(default_factory=list)
    finding_codes: list[str] = field(default_factory=list)
    advised: dict[str, list[str]] = field(default_factory=dict)
    remediation: Any = None
    dm_tests: list[dict[str, Any]] = field(default_factory=list)
    ablation: list[dict[str, Any]] = field(default_factory=list)
    lstm_skipped: str | None = None
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def actual(self) -> np.ndarray:
        """Targets ``(m, horizon)`` for the origins."""
        steps = self.origins[:, None] + np.arange(self.horizon)[None, :]
        return np.asarray(self.y, float)[steps]

    @property
    def train(self) -> np.ndarray:
        """The training split (original scale)."""
        return np.asarray(self.y, float)[: self.n_train]

    def model(self, name: str) -> ModelResult | None:
        """The model called ``name`` when it ran successfully, else None."""
        m = self.models.get(name)
        return m if m is not None and m.ok else None

    def references(self) -> list[ModelResult]:
        """Reference models that produced forecasts."""
        return [m for m in self.models.values() if m.kind == "reference" and m.ok]

    def best_reference(self) -> ModelResult | None:
        """The reference model with the lowest MASE."""
        refs = [m for m in self.references() if np.isfinite(m.mase)]
        return min(refs, key=lambda m: m.mase) if refs else None

    def add(self, model: ModelResult) -> ModelResult:
        """Store ``model`` (computing missing per-seed metrics)."""
        for run in model.runs:
            if not run.metrics:
                run.metrics = all_metrics(self.actual, run.forecast, self.scale)
        self.models[model.name] = model
        return model

    @classmethod
    def from_forecasts(cls, y: np.ndarray, n_train: int, forecasts: dict[str, Any], *,
                       histories: dict[str, list[dict[str, list[float]]]] | None = None,
                       period: int | None = None, finding_codes: list[str] | None = None,
                       horizon: int = 1,
                       advised: dict[str, list[str]] | None = None) -> ExperimentResult:
        """Build a result from forecasts directly (no training), e.g. to test rules.

        Parameters
        ----------
        y : array
            The series.
        n_train : int
            Holdout starts here; origins are ``n_train .. n - horizon``.
        forecasts : dict
            Model name -> one forecast array ``(m,)``/``(m, h)`` or a list of them (seeds).
            Names in :data:`LSTM_MODELS` are LSTMs, others references.
        histories : dict, optional
            LSTM name -> per-seed ``{"loss": [...], "val_loss": [...]}``.
        period : int, optional
            Seasonal period (MASE scale).
        finding_codes : list of str, optional
            Codes of check findings.
        horizon : int
            Steps per forecast.
        advised : dict, optional
            Reference models the findings advise, e.g. ``{"mean": ["LD206"]}``.
        """
        y = np.asarray(y, float)
        origins = np.arange(n_train, y.shape[0] - horizon + 1)
        res = cls(y=y, n_train=n_train, origins=origins, horizon=horizon, period=period,
                  scale=mase_scale(y[:n_train], period),
                  index=origins.tolist(), finding_codes=list(finding_codes or []),
                  advised={k: list(v) for k, v in (advised or {}).items()})
        for name, value in forecasts.items():
            seeds = value if isinstance(value, list) else [value]
            kind = "lstm" if name in LSTM_MODELS else "reference"
            runs = []
            for i, f in enumerate(seeds):
                f = np.asarray(f, float).reshape(len(origins), horizon)
                hist = ((histories or {}).get(name) or [{}] * len(seeds))[i]
                n_ep = len(hist.get("loss", []))
                runs.append(SeedRun(seed=i if kind == "lstm" else None, forecast=f,
                                    history=dict(hist), epochs_run=n_ep, epochs_max=n_ep,
                                    val_kind="validation" if hist.get("val_loss") else None,
                                    stopped_by="epochs"))
            res.add(ModelResult(name, kind, runs))
        return res
