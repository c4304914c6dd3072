"""Compose the findings' remedies into the remediated set-up, and emit it as data.

Resolution (documented in the report's ``remedies``/``remedies_dropped``):

1. Remedies are taken from the findings in report order (most severe first, then by code).
   Identical remedies proposed by several rules are merged (their sources are listed).
2. Mutually exclusive remedies occupy the same *slot*; the first one (from the most severe
   finding; at equal severity the lower rule code) wins and later ones are dropped with a
   reason that names the winner and why it won:

   - ``variance``: log or Box-Cox,
   - ``trend``: differencing (any order, including "no differencing") or detrending,
   - ``season``: seasonal differencing or deseasonalising,
   - otherwise one slot per config key (two different ``window.seq_length`` -> the first,
     except that two windows both longer than the set-up's, as LD502's season and LD503's
     memory ask for, are one request: the longer one is applied with both sources; two
     shorter ones likewise give the shorter).

   A remedy that asks for nothing beyond what an applied one sets (validating on the
   training split when early stopping already does) is merged into it, not dropped.
3. Scaling remedies are merged into one: standard scaling fit on the training split (robust
   when a rule asked for it) - the remediated set-up always scales on train only.
4. Invariants of the remediated set-up, added as ``source: "remediation"`` remedies when the
   set-up lacks them: scaling fit on train, validation split + early stopping (the remediated
   LSTM always restores the best weights), a temporal split, tanh/sigmoid activations.
5. Advice without a config change (``UseReference``) is kept as ``advice``.
6. Remedies on input columns (``DropFeatures``, ``DifferenceFeatures``: section
   ``features``, not part of the set-up schema) are split into one remedy per column, so
   the screening and the ablation judge each column on its own; two different actions on one
   column conflict like any two values of one key. They leave the set-up unchanged and are
   applied to the columns the experiment trains on (:meth:`Remediation.work_data`) and to
   the series a remediated set-up is re-checked on (:meth:`Remediation.apply_to_series`).

Ablation removes one applied remedy at a time: the applied remedies never conflict, so
``remediate(user_config, applied - {r})`` is well defined.

:func:`lstm_doctor.fixpoint.remediate_to_fixpoint` adds the fixpoint: remedies interact
through the data (a seasonal difference or a larger holdout leaves fewer training windows for
the network a capacity remedy sized), so the remediated set-up is checked again with the same
rules and the remedies they still propose refine it (a later pass overrides the same keys, its
rule is added to the sources), until no rule proposes a change (at most ``max_passes``).
``lstm-doctor fix`` writes that set-up. It runs rules, so it lives outside this package (the
experiment imports no rule); ``remediate_to_fixpoint`` is still importable from here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

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
    passes: int = 1
    #: The check of ``config`` by :func:`lstm_doctor.fixpoint.remediate_to_fixpoint` once
    #: nothing more is proposed (a Report), else None.
    checked: Any = field(default=None, repr=False, compare=False)

    def without(self, index: int) -> LSTMConfig:
        """The user's set-up with every applied remedy except ``applied[index]``."""
        return apply_all(self.user_config, [a.remedy for i, a in enumerate(self.applied)
                                            if i != index])

    # -- input columns ---------------------------------------------------------------------
    def feature_changes(self, skip: int | None = None) -> dict[str, str]:
        """``{column: "drop" | "difference"}`` from the applied remedies (except ``skip``)."""
        out: dict[str, str] = {}
        for i, a in enumerate(self.applied):
            if i != skip and a.remedy.on_features:
                out.update(a.remedy.changes)
        return out

    def kept_features(self, names: list[str]) -> list[str]:
        """The input columns the remediated set-up feeds, in the user's order."""
        changes = self.feature_changes()
        return [n for n in names if changes.get(n) != "drop"]

    def work_data(self, data: Any, names: list[str] | None = None,
                  skip: int | None = None) -> Any:
        """The experiment's data with the remedies on input columns applied.

        Parameters
        ----------
        data : WorkData
            The data every model is trained on (:mod:`lstm_doctor.experiment.training`).
        names : list of str, optional
            The names of ``data.features``' columns (default ``data.feature_names``).
        skip : int, optional
            Leave ``applied[skip]`` out (screening and ablation).

        Returns
        -------
        WorkData
            ``data`` itself when nothing changes; otherwise a copy without the dropped
            columns and with the differenced ones fed as changes (the first change is 0).

        Raises
        ------
        ValueError
            When columns must change but their names are not known.
        """
        changes = self.feature_changes(skip)
        if not changes or data.features is None:
            return data
        names = list(names if names is not None else getattr(data, "feature_names", None)
                     or [])
        if len(names) != data.features.shape[1]:
            raise ValueError("the experiment's feature columns carry no names; the remedies "
                             f"on {sorted(changes)} cannot be applied")
        cols = []
        kept = []
        for j, name in enumerate(names):
            action = changes.get(name)
            if action == "drop":
                continue
            col = np.asarray(data.features[:, j], dtype=float)
            cols.append(np.concatenate([[0.0], np.diff(col)]) if action == "difference"
                        else col)
            kept.append(name)
        out = dataclasses.replace(data, features=np.column_stack(cols) if cols else None,
                                  notes=list(data.notes))
        if hasattr(out, "feature_names"):
            out.feature_names = kept
        return out

    def apply_to_series(self, series: Any) -> Any:
        """A copy of a :class:`~lstm_doctor.data.SeriesData` with the column remedies applied
        (what a remediated set-up is re-checked on); ``series`` itself when none apply.
        """
        changes = {k: v for k, v in self.feature_changes().items()
                   if k in getattr(series, "feature_names", [])}
        if not changes:
            return series
        frame = series.features.copy()
        for name, action in changes.items():
            if action == "drop":
                frame = frame.drop(columns=[name])
            else:  # the first change is 0, as in work_data
                frame[name] = frame[name].diff().fillna({frame.index[0]: 0.0}) \
                    if len(frame) else frame[name]
        return dataclasses.replace(series, features=frame if frame.shape[1] else None)

    def diff(self) -> list[list[Any]]:
        """``[key, user value, remediated value]`` for every changed key."""
        return [[k, a, b] for k, a, b in self.user_config.diff(self.config)]

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for JSON."""
        return {"applied": [a.to_dict() for a in self.applied], "dropped": self.dropped,
                "advice": self.advice, "config": self.config.to_dict(),
                "config_diff": self.diff(), "feature_changes": self.feature_changes()}


def per_column(remedy: Remedy) -> list[Remedy]:
    """A remedy on several input columns as one remedy per column (others unchanged)."""
    if not remedy.on_features or len(remedy.changes) <= 1:
        return [remedy]
    return [dataclasses.replace(remedy, changes={k: v}) for k, v in remedy.changes.items()]


def _changes_something(remedy: Remedy, config: LSTMConfig) -> bool:
    return remedy.on_features or remedy.apply(config) != config


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
    proposed = [(one, source) for remedy, source in collect(findings or []) +
                list(remedies or []) for one in per_column(remedy)]
    severity = {f.code: getattr(getattr(f, "severity", None), "value", None)
                for f in findings or []}
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
        same = next((a for a in applied if (a.remedy.kind == remedy.kind
                                            and a.remedy.changes == remedy.changes)
                     or _within(remedy, a.remedy)), None)
        if same is not None:
            if source not in same.sources:
                same.sources.append(source)
            continue
        clash = [claimed[s] for s in _slots(remedy) if s in claimed]
        if clash and _same_way(remedy, clash[0].remedy, config):
            # two windows longer (or two shorter) than the set-up's: the longest (shortest)
            # satisfies both, so it is applied with both sources
            if _further(remedy, clash[0].remedy, config):
                clash[0].remedy = remedy
            clash[0].sources.append(source)
            continue
        if clash:
            winner = clash[0]
            dropped.append({**remedy.to_dict(), "describe": remedy.describe(),
                            "source": source,
                            "reason": _conflict_reason(winner, source, severity)})
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
    applied = [a for a in applied if _changes_something(a.remedy, config)]
    final = apply_all(config, [a.remedy for a in applied])
    return Remediation(user_config=config, config=final, applied=applied, dropped=dropped,
                       advice=advice)


def _same_way(a: Remedy, b: Remedy, config: LSTMConfig) -> bool:
    """Two window lengths that both lengthen (or both shorten) the set-up's window."""
    if not (a.kind == b.kind == "set-window" and set(a.changes) == set(b.changes)
            == {"seq_length"}):
        return False
    now = config.window.seq_length
    wa, wb = a.changes["seq_length"], b.changes["seq_length"]
    return (wa > now and wb > now) or (wa < now and wb < now)


def _further(a: Remedy, b: Remedy, config: LSTMConfig) -> bool:
    """Whether window remedy ``a`` moves further from the set-up's window than ``b``."""
    now = config.window.seq_length
    return abs(a.changes["seq_length"] - now) > abs(b.changes["seq_length"] - now)


def _within(remedy: Remedy, other: Remedy) -> bool:
    """Whether ``remedy`` asks for nothing ``other`` does not already set."""
    return (remedy.section == other.section and bool(remedy.changes)
            and all(k in other.changes and other.changes[k] == v
                    for k, v in remedy.changes.items()))


def _conflict_reason(winner: AppliedRemedy, loser: str, severity: dict[str, Any]) -> str:
    """Which remedy won a conflict, and why (severity first, then rule code)."""
    first = winner.sources[0]
    why = "lstm-doctor's remediated set-up always has it"
    if first != _ALWAYS:
        a, b = severity.get(first), severity.get(loser)
        why = (f"{first}'s finding is more severe ({a} over {b})" if a and b and a != b
               else f"{first}'s finding comes first at the same severity ({a or 'n/a'})"
               if a else f"{first} was proposed first")
    return (f"conflicts with {winner.describe()} (from {', '.join(winner.sources)}), "
            f"which wins: {why}")


def with_given(config: LSTMConfig, user: LSTMConfig) -> LSTMConfig:
    """``config`` with the provenance a fix gives it.

    The keys whose value differs from ``user`` become ``given`` (the fix states them); every
    other key keeps the user's provenance (``given``, ``model`` or ``assumed``).
    """
    changed = {key for key, _, _ in user.diff(config)}
    origins = {k: v for k, v in user.origins.items() if k not in changed}
    origins.update({key: "given" for key in changed})
    return dataclasses.replace(config, origins=origins, notes=user.notes,
                               model_file=user.model_file)


def _refine(rem: Remediation, new: list[AppliedRemedy], step: Remediation) -> Remediation:
    """``rem`` with a later pass's remedies: shared keys overridden, sources added."""
    applied = [AppliedRemedy(a.remedy, list(a.sources)) for a in rem.applied]
    for b in new:
        keys = {f"{b.remedy.section}.{k}" for k in b.remedy.changes}
        hits = [a for a in applied if keys & {f"{a.remedy.section}.{k}"
                                              for k in a.remedy.changes}
                or (a.kind in _SLOTS and _SLOTS.get(a.kind) == _SLOTS.get(b.kind))]
        if not hits:
            applied.append(AppliedRemedy(b.remedy, list(b.sources)))
            continue
        first = hits[0]
        changes: dict[str, Any] = {}
        for a in hits:
            if a.remedy.section == b.remedy.section:
                changes.update(a.remedy.changes)
        changes.update(b.remedy.changes)
        sources = list(dict.fromkeys([s for a in hits for s in a.sources] + b.sources))
        first.remedy = Remedy(b.kind, b.remedy.section, changes, b.remedy.note)
        first.sources = sources
        applied = [a for a in applied if a is first or all(a is not h for h in hits)]
    config = apply_all(rem.user_config, [a.remedy for a in applied])
    applied = [a for a in applied if _changes_something(a.remedy, rem.user_config)]
    dropped = rem.dropped + [d for d in step.dropped if d not in rem.dropped]
    advice = rem.advice + [a for a in step.advice if a not in rem.advice]
    return Remediation(user_config=rem.user_config, config=config, applied=applied,
                       dropped=dropped, advice=advice, passes=rem.passes + 1)


def config_yaml(config: LSTMConfig, *, header: list[str] | None = None,
                keys: Iterable[str] | None = None,
                comments: dict[str, str] | None = None) -> str:
    """The set-up as a YAML file in the same schema as the user's config.

    Parameters
    ----------
    config : LSTMConfig
        The set-up.
    header : list of str, optional
        Comment lines at the top (without the ``#``).
    keys : iterable of str, optional
        Only these dotted keys (``section.key``), in schema order; a bare section name
        writes that section even when none of its keys is listed (``section: {}``).
        Default: every key of every section.
    comments : dict, optional
        An end-of-line comment per dotted key or section name.

    Returns
    -------
    str
        YAML that :func:`lstm_doctor.config.load_config` reads back to ``config``'s values.
    """
    import yaml

    lines = [f"# {h}" for h in header or []]
    if keys is None and not comments:
        body = yaml.safe_dump(config.to_dict(), sort_keys=False, default_flow_style=False)
        return "\n".join(lines + [body]) if lines else body
    wanted = None if keys is None else set(keys)
    comments = comments or {}
    for section, values in config.to_dict().items():
        chosen = [k for k in values if wanted is None or f"{section}.{k}" in wanted]
        if not chosen and (wanted is None or section not in wanted):
            continue
        note = f"  # {comments[section]}" if section in comments else ""
        lines.append(f"{section}:{' {}' if not chosen else ''}{note}")
        for key in chosen:
            note = comments.get(f"{section}.{key}")
            lines.append(f"  {key}: {yaml_scalar(values[key])}" + (f"  # {note}" if note else ""))
    return "\n".join(lines) + "\n"


def yaml_scalar(value: Any) -> str:
    """One value as inline YAML (``standard``, ``0.2``, ``null``, ``[-1.0, 1.0]``)."""
    import yaml

    text = yaml.safe_dump(value, default_flow_style=True, sort_keys=False).strip()
    return text[: -len("...")].strip() if text.endswith("\n...") else text


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

