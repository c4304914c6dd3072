"""Findings, severities and the Report that carries them (plain data)."""

from __future__ import annotations

import enum
import json
import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from lstm_doctor import gate
from lstm_doctor.errors import InputError
from lstm_doctor.gate import FAIL_ON_CHOICES, fail_threshold  # noqa: F401 - re-exported

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


class Severity(str, enum.Enum):
    """How bad a finding is. Ordered by rank: ``ERROR > WARNING > INFO``.

    The order is :data:`lstm_doctor.gate.RANK` (not the alphabetical order of the values):
    ``max(Severity.WARNING, Severity.ERROR)`` is ``ERROR``.
    """

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """3 for error, 2 for warning, 1 for info (:data:`lstm_doctor.gate.RANK`)."""
        return gate.RANK[self.value]

    def __lt__(self, other: object) -> bool:
        if isinstance(other, Severity):
            return self.rank < other.rank
        return NotImplemented

    def __le__(self, other: object) -> bool:
        if isinstance(other, Severity):
            return self.rank <= other.rank
        return NotImplemented

    def __gt__(self, other: object) -> bool:
        if isinstance(other, Severity):
            return self.rank > other.rank
        return NotImplemented

    def __ge__(self, other: object) -> bool:
        if isinstance(other, Severity):
            return self.rank >= other.rank
        return NotImplemented

    @classmethod
    def parse(cls, value: str | Severity, *, what: str = "severity") -> Severity:
        """Parse ``"error"``/``"warning"``/``"info"`` (case-insensitive)."""
        if isinstance(value, Severity):
            return value
        try:
            return cls(str(value).strip().lower())
        except ValueError:
            raise InputError(
                f"{what}: '{value}' is not a severity; use one of error, warning, info"
            ) from None


@dataclass
class Finding:
    """One diagnosed problem.

    Attributes
    ----------
    code, name, group : str
        The rule's stable code (``LD201``), dotted name and family.
    severity : Severity
    message : str
        What was found, with the key numbers.
    evidence : dict
        The measured numbers (test statistics, p-values, ratios, thresholds used).
    fix : str
        What to do about it.
    remedies : list
        Remedy objects (:mod:`lstm_doctor.remedies`) the remediation step can apply.
    crashed : bool
        True when the rule raised; the message then holds the exception.
    """

    code: str
    name: str
    group: str
    severity: Severity
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)
    fix: str = ""
    remedies: list[Any] = field(default_factory=list)
    crashed: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (NaN/inf become ``None``)."""
        return {
            "code": self.code,
            "name": self.name,
            "group": self.group,
            "severity": self.severity.value,
            "message": self.message,
            "evidence": to_jsonable(self.evidence),
            "fix": self.fix,
            "remedies": [r.to_dict() for r in self.remedies],
            "crashed": self.crashed,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Finding:
        """The finding of a :meth:`to_dict` (remedies become Remedy objects again)."""
        from lstm_doctor.remedies import Remedy

        remedies = [r if not isinstance(r, dict) else Remedy(
            kind=r["kind"], section=r["section"], changes=dict(r.get("changes") or {}),
            note=r.get("note", ""), reference=r.get("reference", ""))
            for r in d.get("remedies") or []]
        return cls(code=d["code"], name=d["name"], group=d["group"],
                   severity=Severity.parse(d["severity"]), message=d["message"],
                   evidence=dict(d.get("evidence") or {}), fix=d.get("fix", ""),
                   remedies=remedies, crashed=bool(d.get("crashed", False)))


@dataclass
class RuleOutcome:
    """What happened to one rule in a run: ``fail``, ``pass``, ``skip`` or ``crash``."""

    code: str
    name: str
    status: str
    reason: str = ""


def to_jsonable(value: Any) -> Any:
    """Convert numpy/pandas scalars, tuples and non-finite floats to plain JSON values."""
    import numpy as np

    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return [to_jsonable(v) for v in value.tolist()]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return f if math.isfinite(f) else None
    if value is None or isinstance(value, str):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "to_dict"):
        return to_jsonable(value.to_dict())
    return str(value)


SCHEMA_VERSION = gate.SCHEMA_VERSION
#: The columns of :meth:`Report.to_frame`.
FRAME_COLUMNS: tuple[str, ...] = ("code", "name", "group", "severity", "message", "fix",
                                  "remedies", "crashed", "evidence")


@dataclass
class Report:
    """The result of :func:`lstm_doctor.check` or :func:`lstm_doctor.report`.

    Plain data: every output format is rendered from :meth:`to_dict`.

    Attributes
    ----------
    findings : list of Finding
        Most severe first.
    data : dict
        Facts about the series (n, target, features, frequency, start, end, ...).
    config : dict
        The resolved LSTM set-up (``None`` when none was given to ``check``).
    outcomes : list of RuleOutcome
        Every selected rule and whether it failed, passed, was skipped or crashed.
    comparison : dict or None
        Training results (filled by :func:`lstm_doctor.report`).
    meta : dict
        Command line, versions, timings.
    facts : dict
        What the renderers show beyond the findings (seasonal period, time grid, holdout,
        a downsampled series, the proposed set-up, rule documentation, versions), computed
        once by :mod:`lstm_doctor.report_facts`; renderers read nothing else.
    tool : dict or None
        The ``tool`` block of a report read back with :meth:`from_dict` (``None``: this
        version).
    """

    findings: list[Finding]
    data: dict[str, Any]
    config: dict[str, Any] | None
    outcomes: list[RuleOutcome] = field(default_factory=list)
    comparison: dict[str, Any] | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict, repr=False)
    facts: dict[str, Any] = field(default_factory=dict, repr=False)
    tool: dict[str, Any] | None = field(default=None, repr=False)

    def __len__(self) -> int:
        """The number of findings."""
        return len(self.findings)

    def __iter__(self) -> Iterator[Finding]:
        """The findings, in report order (most severe first)."""
        return iter(self.findings)

    def __bool__(self) -> bool:
        """Always true, even without findings: ask :meth:`passed` or ``len(report)``."""
        return True

    def __repr__(self) -> str:
        """One line: the source, the findings by severity and the worst one."""
        source = str(self.data.get("source") or self.data.get("target") or "data")
        if len(source) > 60:
            source = "…" + source[-59:]
        n = len(self.findings)
        if n:
            s = self.summary
            counts = ", ".join(f"{s[k]} {k}" + ("s" if s[k] != 1 and k != "info" else "")
                               for k in ("error", "warning", "info") if s[k])
            worst = max(self.findings, key=lambda f: f.severity.rank)
            what = (f"{n} finding{'s' if n != 1 else ''} ({counts}); worst {worst.code} "
                    f"{worst.name} ({worst.severity.value})")
        else:
            ran = sum(o.status in ("pass", "fail") for o in self.outcomes)
            what = f"no findings ({ran} rule{'s' if ran != 1 else ''} ran)"
        extra = "; with experiment results" if self.comparison else ""
        return f"<lstm-doctor Report {source}: {what}{extra}>"

    @property
    def summary(self) -> dict[str, int]:
        """Count of findings per severity."""
        counts = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            counts[f.severity.value] += 1
        return counts

    def passed(self, fail_on: str = "error") -> bool:
        """True when no finding is at or above ``fail_on`` (error|warning|info|never)."""
        return self.exit_code(fail_on) == gate.EXIT_PASS

    def exit_code(self, fail_on: str = "error") -> int:
        """0 when :meth:`passed`, else 1 (:func:`lstm_doctor.gate.findings_exit_code`)."""
        return gate.findings_exit_code(self.findings, fail_on)

    def codes(self) -> list[str]:
        """Codes of the findings, in report order."""
        return [f.code for f in self.findings]

    def to_frame(self) -> pd.DataFrame:
        """The findings as a pandas DataFrame, one row per finding, in report order.

        Returns
        -------
        pandas.DataFrame
            Columns ``code``, ``name``, ``group``, ``severity`` (an ordered categorical,
            ``info < warning < error``, so ``df[df.severity >= "warning"]`` and sorting
            follow the severity order), ``message``, ``fix``, ``remedies`` (their
            descriptions, ``"; "``-joined), ``crashed`` and ``evidence`` (a dict). An empty
            frame with these columns when nothing was found.
        """
        import pandas as pd

        rows = [{"code": f.code, "name": f.name, "group": f.group,
                 "severity": f.severity.value, "message": f.message, "fix": f.fix,
                 "remedies": "; ".join(r.describe() if hasattr(r, "describe") else str(r)
                                       for r in f.remedies),
                 "crashed": bool(f.crashed), "evidence": dict(f.evidence)}
                for f in self.findings]
        frame = pd.DataFrame(rows, columns=list(FRAME_COLUMNS))
        order = sorted(gate.RANK, key=gate.RANK.__getitem__)
        frame["severity"] = pd.Categorical(frame["severity"], categories=order, ordered=True)
        return frame.astype({"crashed": bool})

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON structure (``schema_version`` 2)."""
        from lstm_doctor import __version__

        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "tool": dict(self.tool) if self.tool else {"name": "lstm-doctor",
                                                       "version": __version__},
            "data": to_jsonable(self.data),
            "config": to_jsonable(self.config),
            "findings": [f.to_dict() for f in self.findings],
            "summary": self.summary,
            "rules": [
                {"code": o.code, "name": o.name, "status": o.status, "reason": o.reason}
                for o in self.outcomes
            ],
        }
        if self.comparison is not None:
            out["comparison"] = to_jsonable(self.comparison)
        if self.meta:
            out["meta"] = to_jsonable(self.meta)
        if self.facts:
            out["facts"] = to_jsonable(self.facts)
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Report:
        """A report from :meth:`to_dict` (or a saved ``--format json`` file).

        ``Report.from_dict(r.to_dict()).to_dict() == r.to_dict()``; the live context is
        not restored, so the result renders every format from its stored facts.
        """
        return cls(findings=[Finding.from_dict(f) for f in d.get("findings") or []],
                   data=dict(d.get("data") or {}), config=d.get("config"),
                   outcomes=[RuleOutcome(o["code"], o["name"], o["status"], o.get("reason", ""))
                             for o in d.get("rules") or []],
                   comparison=d.get("comparison"), meta=dict(d.get("meta") or {}),
                   facts=dict(d.get("facts") or {}), tool=d.get("tool"))

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`to_dict` as a JSON string (no NaN: non-finite numbers are ``null``)."""
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    def to_text(self, fail_on: str = "error") -> str:
        """Plain-text rendering (what ``lstm-doctor check`` prints)."""
        from lstm_doctor import display

        return display.text(self.to_dict(), fail_on=fail_on)

    def to_html(self, path: str | None = None, *, fragment: bool = False,
                plots: bool | None = None) -> str:
        """Render the report as HTML; write it to ``path`` when given.

        Parameters
        ----------
        path : str, optional
            Also write the HTML there (a complete file or none: written to a temporary
            file, then renamed).
        fragment : bool
            ``False`` (default): the self-contained page of ``lstm-doctor report``.
            ``True``: the compact, scoped fragment a notebook shows (no ``<html>``/``<body>``,
            styles and element ids unique to this render), as :meth:`_repr_html_` returns.
        plots : bool, optional
            Include the plots; by default the page has them and the fragment does not.

        Returns
        -------
        str

        Raises
        ------
        InputError
            When ``path`` cannot be written.
        """
        from lstm_doctor import display

        return display.html(self.to_dict(), fragment=fragment, plots=plots, path=path)

    def show(self, plots: bool = True) -> None:
        """Display the report in a notebook, with its plots by default.

        Parameters
        ----------
        plots : bool
            Include the plots (the automatic display of a report leaves them out).

        Raises
        ------
        ImportError
            When IPython is not installed.
        """
        from lstm_doctor import display

        display.show(self.to_dict(), plots=plots)

    def _repr_html_(self) -> str:
        """The compact notebook fragment: verdict, findings, metrics, no plots."""
        return self.to_html(fragment=True, plots=False)
