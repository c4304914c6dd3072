"""Compose the findings' remedies into the remediated set-up, and emit it as data.

Resolution (documented in the report's ``remedies``/``remedies_dropped``):

1. Remedies are taken from the findings in report order (most severe first, then by code).
   Identical remedies proposed by several rules are merged (their sources are listed).
2. Mutually exclusive remedies occupy the same *slot*; the first one (from the most severe
   finding) wins and later ones are dropped with a reason:

   - ``variance``: log or Box-Cox,
   - ``trend``: differencing (any order, including "no differencing") or detrending,
   - ``season``: seasonal differencing or deseasonalising,
   - otherwise one slot per config key (two different ``window.seq_length`` -> the first).
3. Scaling remedies are merged into one: standard scaling fit on the training split (robust
   when a rule asked for it) - the remediated set-up always scales on train only.
4. Invariants of the remediated set-up, added as ``source: "remediation"`` remedies when the
   set-up lacks them: scaling fit on train, validation split + early stopping (the remediated
   LSTM always restores the best weights), a temporal split, tanh/sigmoid activations.
5. Advice without a config change (``UseReference``) is kept as ``advice``.

Ablation removes one applied remedy at a time: the applied remedies never conflict, so
``remediate(user_config, applied - {r})`` is well defined.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lstm_doctor.config import LSTMConfig
from lstm_doctor.remedies import EarlyStopping, Remedy, Scale, SetActivations, TemporalSplit

_SLOTS = {"log": "variance", "boxcox": "variance", "difference": "trend", "detrend": "trend",
          "seasonal-difference": "season", "deseasonalize": "season"}
_ALWAYS = "remediation"


@dataclass
class AppliedRemedy:
    """A remedy in the remediated set-up and the rules that proposed it."""

    remedy: Remedy
    sources: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """The remedy kind."""
        return self.remedy.kind

    def describe(self) -> str:
        """``preprocessing.difference = 1, ...``."""
        return self.remedy.describe()

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return {**self.remedy.to_dict(), "describe": self.describe(),
                "sources": list(self.sources), "source": ", ".join(self.sources)}


@dataclass
class Remediation:
    """The remediated set-up and how it was composed.

    Attributes
    ----------
    user_config, config : LSTMConfig
        The user's and the remediated set-up.
    applied : list of AppliedRemedy
        In application order.
    dropped : list of dict
        Remedies not applied (``{"remedy", "source", "reason"}``).
    advice : list of dict
        Remedies without a config change (e.g. use the naive forecast).
    """

    user_config: LSTMConfig
    config: LSTMConfig
    applied: list[AppliedRemedy] = field(default_factory=list)
    dropped: list[dict[str, Any]] = field(default_factory=list)
    advice: list[dict[str, Any]] = field(default_factory=list)

    def without(self, index: int) -> LSTMConfig:
        """The user's set-up with every applied remedy except ``applied[index]``."""
        return apply_all(self.user_config, [a.remedy for i, a in enumerate(self.applied)
                                            if i != index])

    def diff(self) -> list[list[Any]]:
        """``[key, user value, remediated value]`` for every changed key."""
        return [[k, a, b] for k, a, b in self.user_config.diff(self.config)]

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return {"applied": [a.to_dict() for a in self.applied], "dropped": self.dropped,
                "advice": self.advice, "config": self.config.to_dict(),
                "config_diff": self.diff()}


def apply_all(config: LSTMConfig, remedies: list[Remedy]) -> LSTMConfig:
    """Apply remedies in order (validated by the config schema)."""
    for remedy in remedies:
        config = remedy.apply(config)
    return config


def _slots(remedy: Remedy) -> set[str]:
    if remedy.kind in _SLOTS:
        return {_SLOTS[remedy.kind]}
    return {f"{remedy.section}.{k}" for k in remedy.changes}


def collect(findings: list[Any]) -> list[tuple[Remedy, str]]:
    """``(remedy, rule code)`` pairs from findings, in report order."""
    out = []
    for f in findings:
        if getattr(f, "crashed", False):
            continue
        for r in getattr(f, "remedies", []) or []:
            out.append((r, f.code))
    return out


def build_remediation(config: LSTMConfig, findings: list[Any] | None = None, *,
                      remedies: list[tuple[Remedy, str]] | None = None) -> Remediation:
    """Compose the remediated set-up.

    Parameters
    ----------
    config : LSTMConfig
        The user's set-up.
    findings : list of Finding, optional
        Report findings (most severe first); their remedies are used.
    remedies : list of (Remedy, source), optional
        Extra remedies (e.g. constructed directly), appended after the findings' ones.

    Returns
    -------
    Remediation
    """
    proposed = collect(findings or []) + list(remedies or [])
    applied: list[AppliedRemedy] = []
    dropped: list[dict[str, Any]] = []
    advice: list[dict[str, Any]] = []
    claimed: dict[str, AppliedRemedy] = {}
    scale_sources: list[str] = []
    scale_kind = "standard"

    for remedy, source in proposed:
        if not remedy.changes:
            note = {**remedy.to_dict(), "source": source}
            if note not in advice:
                advice.append(note)
            continue
        if remedy.kind == "scale":
            scale_sources.append(source)
            if remedy.changes.get("scaler") == "robust":
                scale_kind = "robust"
            continue
        if remedy.kind == "early-stopping":
            # merged: the most severe proposal's settings win, sources accumulate
            existing = next((a for a in applied if a.kind == "early-stopping"), None)
            if existing is not None:
                existing.sources.append(source)
                continue
        same = next((a for a in applied if a.remedy.kind == remedy.kind
                     and a.remedy.changes == remedy.changes), None)
        if same is not None:
            if source not in same.sources:
                same.sources.append(source)
            continue
        clash = [claimed[s] for s in _slots(remedy) if s in claimed]
        if clash:
            winner = clash[0]
            dropped.append({**remedy.to_dict(), "describe": remedy.describe(),
                            "source": source,
                            "reason": f"conflicts with {winner.describe()} "
                                      f"(from {', '.join(winner.sources)})"})
            continue
        entry = AppliedRemedy(remedy, [source])
        applied.append(entry)
        for s in _slots(remedy):
            claimed[s] = entry

    cfg = apply_all(config, [a.remedy for a in applied])
    # invariants of the remediated set-up
    p = cfg.preprocessing
    if scale_sources or p.scaler not in ("standard", "robust") or p.scaler_fit != "train":
        kind = scale_kind if scale_sources else (p.scaler if p.scaler == "robust"
                                                 else "standard")
        applied.append(AppliedRemedy(Scale(kind, "train"), scale_sources or [_ALWAYS]))
    t = cfg.training
    if not (t.early_stopping and t.validation_split > 0):
        applied.append(AppliedRemedy(
            EarlyStopping(validation_split=t.validation_split or 0.2, patience=t.patience),
            [_ALWAYS]))
    if cfg.split.method != "temporal":
        applied.append(AppliedRemedy(TemporalSplit(), [_ALWAYS]))
    m = cfg.model
    if m.activation != "tanh" or m.recurrent_activation not in ("sigmoid", "hard_sigmoid"):
        applied.append(AppliedRemedy(SetActivations(), [_ALWAYS]))
    # drop remedies that change nothing on the user's set-up
    applied = [a for a in applied if a.remedy.apply(config) != config]
    final = apply_all(config, [a.remedy for a in applied])
    return Remediation(user_config=config, config=final, applied=applied, dropped=dropped,
                       advice=advice)


def config_yaml(config: LSTMConfig, *, header: list[str] | None = None) -> str:
    """The set-up as a YAML file in the same schema as the user's config."""
    import yaml

    lines = [f"# {h}" for h in header or []]
    body = yaml.safe_dump(config.to_dict(), sort_keys=False, default_flow_style=False)
    return "\n".join(lines + [body]) if lines else body


def render_training_script(config: LSTMConfig, *, data_path: str, target: str,
                           time_col: str | None = None, features: list[str] | None = None,
                           seed: int = 0, remedies: list[AppliedRemedy] | None = None,
                           period: int | None = None, source_note: str = "") -> str:
    """A runnable standalone Keras script reproducing the remediated set-up.

    It reads the CSV, applies the preprocessing (fit on the training split), cuts windows,
    trains with early stopping (best weights restored), forecasts the holdout from actual
    history, inverts every transform and prints MAE/RMSE/MASE on the original scale next to
    the naive forecast. It needs only numpy, pandas and TensorFlow.
    """
    from lstm_doctor import __version__
    from lstm_doctor._templates import get_env

    template = get_env().get_template("train_script.py.j2")
    return template.render(
        version=__version__, config=config.to_dict(), config_repr=_py_literal(config.to_dict()),
        data_path=data_path, target=target, time_col=time_col, features=list(features or []),
        seed=int(seed), remedies=[a.to_dict() for a in remedies or []],
        period=int(period) if period else None, source_note=source_note)


def _py_literal(value: Any, indent: int = 0) -> str:
    """A readable Python literal for a nested dict of plain values."""
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{pad}    {k!r}: {_py_literal(v, indent + 4)}," for k, v in value.items()]
        return "{\n" + "\n".join(items) + f"\n{pad}}}"
    return repr(value)
