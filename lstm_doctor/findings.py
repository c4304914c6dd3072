"""Findings, severities and the Report that carries them (plain data)."""

from __future__ import annotations

import enum
import json
import math
from dataclasses import dataclass, field
from typing import Any

from lstm_doctor.errors import InputError


class Severity(str, enum.Enum):
    """How bad a finding is. Ordered: ``ERROR > WARNING > INFO``."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """3 for error, 2 for warning, 1 for info."""
        return {"error": 3, "warning": 2, "info": 1}[self.value]

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


FAIL_ON_CHOICES = ("error", "warning", "info", "never")


def fail_threshold(fail_on: str) -> int:
    """Rank at or above which a finding fails the run (``never`` -> above every rank)."""
    value = str(fail_on).strip().lower()
    if value == "never":
        return 99
    if value not in FAIL_ON_CHOICES:
        raise InputError(
            f"--fail-on: '{fail_on}' is not valid; use one of {', '.join(FAIL_ON_CHOICES)}"
        )
    return Severity(value).rank


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


SCHEMA_VERSION = 2


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
    """

    findings: list[Finding]
    data: dict[str, Any]
    config: dict[str, Any] | None
    outcomes: list[RuleOutcome] = field(default_factory=list)
    comparison: dict[str, Any] | None = None
    meta: dict[str, Any] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def summary(self) -> dict[str, int]:
        """Count of findings per severity."""
        counts = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            counts[f.severity.value] += 1
        return counts

    def passed(self, fail_on: str = "error") -> bool:
        """True when no finding is at or above ``fail_on`` (error|warning|info|never)."""
        threshold = fail_threshold(fail_on)
        return all(f.severity.rank < threshold for f in self.findings)

    def exit_code(self, fail_on: str = "error") -> int:
        """0 when :meth:`passed`, else 1."""
        return 0 if self.passed(fail_on) else 1

    def codes(self) -> list[str]:
        """Codes of the findings, in report order."""
        return [f.code for f in self.findings]

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON structure (``schema_version`` 2)."""
        from lstm_doctor import __version__

        out: dict[str, Any] = {
            "schema_version": SCHEMA_VERSION,
            "tool": {"name": "lstm-doctor", "version": __version__},
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
        return out

    def to_json(self, indent: int | None = 2) -> str:
        """:meth:`to_dict` as a JSON string (no NaN: non-finite numbers are ``null``)."""
        return json.dumps(self.to_dict(), indent=indent, allow_nan=False)

    def to_text(self, fail_on: str = "error") -> str:
        """Plain-text rendering (what ``lstm-doctor check`` prints)."""
        from lstm_doctor.render.text import render_text

        return render_text(self.to_dict(), fail_on=fail_on)

    def to_html(self, path: str | None = None) -> str:
        """Render the self-contained HTML report; write it to ``path`` when given."""
        from lstm_doctor.render.html import render_html

        html = render_html(self)
        if path is not None:
            from pathlib import Path

            Path(path).write_text(html, encoding="utf-8")
        return html

    def _repr_html_(self) -> str:
        return self.to_html()
