"""The rule contract: measure evidence, then judge it.

A rule lives in its own module named after its code (``rules/data/LD101.py``) and defines a
class ``Rule_<code>``. Its docstring's first line is the summary; the docstring must have
**Anti-pattern** and **Best practice** sections (rendered by ``lstm-doctor explain``, the
README table and the HTML report).
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field
from typing import Any, ClassVar

from lstm_doctor.context import Context
from lstm_doctor.errors import InputError, did_you_mean
from lstm_doctor.findings import Finding, Severity
from lstm_doctor.options import Interval, _short, infer_interval
from lstm_doctor.remedies import Remedy

GROUPS = {
    "LD1": "data",
    "LD2": "stationarity",
    "LD3": "scaling",
    "LD4": "capacity",
    "LD5": "window",
    "LD6": "setup",
    "LD7": "training",
    "LD8": "features",
}


class NotApplicable(Exception):
    """Raised by :meth:`Rule.measure` when the rule cannot apply (e.g. no features)."""


@dataclass
class Verdict:
    """A rule's judgement of its evidence."""

    message: str
    fix: str
    severity: Severity | None = None
    remedies: list[Remedy] = field(default_factory=list)


class Rule:
    """Base class of all rules.

    Subclasses set the class attributes and implement :meth:`measure` and :meth:`judge`.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity] = Severity.WARNING
    #: Threshold defaults, ``{name: value}`` (what ``explain`` and the report show).
    thresholds: ClassVar[dict[str, float]] = {}
    #: The type and range of each threshold, ``{name: Interval(...)}`` (scikit-learn's
    #: ``_parameter_constraints``): every override is checked against it at the boundary
    #: (:meth:`check_thresholds`). A threshold without one must keep its default's type.
    constraints: ClassVar[dict[str, Interval]] = {}
    needs_config: ClassVar[bool] = False
    needs_training: ClassVar[bool] = False
    #: Judges the arrays fed to ``fit`` (``ctx.arrays``, from :func:`lstm_doctor.diagnose`);
    #: skipped without them.
    needs_arrays: ClassVar[bool] = False
    #: The set-up keys (``section.key``) this rule's judgement rests on. When the user
    #: gave a set-up but one of these values is an assumed default (e.g. preprocessing with
    #: only a saved model), the finding is reported at most as ``info`` and says what was
    #: assumed and how to state the real value.
    reads: ClassVar[tuple[str, ...]] = ()
    #: Codes of the rules whose judgement (effective thresholds) this rule's judgement uses,
    #: e.g. LD201 chooses its differencing order on the scale LD205 would propose. Read
    #: them only through :meth:`options_of`.
    depends_on: ClassVar[tuple[str, ...]] = ()

    def __init__(self, thresholds: dict[str, float] | None = None,
                 severity: Severity | None = None) -> None:
        self.options = dict(self.thresholds)
        self.options.update(self.check_thresholds(thresholds))
        self.severity_override = severity

    @classmethod
    def constraint(cls, name: str) -> Interval | None:
        """The declared (or, failing that, the default's) constraint of a threshold."""
        return cls.constraints.get(name) or infer_interval(cls.thresholds.get(name))

    @classmethod
    def check_thresholds(cls, overrides: Any, *, where: str | None = None) -> dict[str, Any]:
        """Validate threshold overrides against :attr:`thresholds` and :attr:`constraints`.

        Parameters
        ----------
        overrides : dict or None
            ``{name: value}``.
        where : str, optional
            How the rule's thresholds are named in messages (default ``threshold LD603``,
            giving ``threshold LD603.max_epochs_unmonitored``).

        Returns
        -------
        dict
            The checked values (an integral float given for an integer as ``int``).

        Raises
        ------
        InputError
            For an unknown threshold (with a "did you mean"), a wrong type, a non-finite
            value or one out of its declared range: one line naming the threshold, the
            value and the allowed range.
        """
        prefix = where or f"threshold {cls.code}"
        if overrides is None:
            return {}
        if not isinstance(overrides, dict):
            raise InputError(f"{prefix} must be a mapping like {{name: value}}, "
                             f"found {_short(overrides)}")
        out: dict[str, Any] = {}
        for key, value in overrides.items():
            if key not in cls.thresholds:
                raise InputError(f"threshold '{cls.code}.{key}' is unknown"
                                 f"{did_you_mean(key, cls.thresholds)}; {cls.code} has: "
                                 f"{', '.join(cls.thresholds) or 'no thresholds'}")
            constraint = cls.constraint(key)
            default = cls.thresholds[key]
            out[key] = value if constraint is None else \
                constraint.check(value, f"{prefix}.{key}", default)
        return out

    # -- metadata --------------------------------------------------------------------------
    @classmethod
    def group(cls) -> str:
        """Family name (``data``, ``stationarity``...)."""
        return GROUPS[cls.code[:3]]

    @classmethod
    def doc(cls) -> str:
        """The cleaned docstring."""
        return inspect.cleandoc(cls.__doc__ or "")

    @classmethod
    def summary(cls) -> str:
        """First line of the docstring."""
        return cls.doc().splitlines()[0] if cls.doc() else ""

    @classmethod
    def sections(cls) -> dict[str, str]:
        """Docstring sections: ``description``, ``anti_pattern``, ``best_practice``."""
        text = cls.doc()
        parts = re.split(r"^\*\*(Anti-pattern|Best practice)\*\*\s*$", text, flags=re.M)
        out = {"description": parts[0].strip()}
        for title, body in zip(parts[1::2], parts[2::2], strict=False):
            out[title.lower().replace("-", "_").replace(" ", "_")] = body.strip()
        return out

    def options_of(self, ctx: Context, code: str) -> dict[str, Any]:
        """The effective thresholds of the rule ``code`` in this run (a declared dependency).

        The engine publishes every running rule's effective thresholds (overrides included)
        in ``ctx.rule_options``; a rule that is not in the run contributes its defaults.

        Parameters
        ----------
        ctx : Context
            The run's context.
        code : str
            A code listed in :attr:`depends_on`.

        Returns
        -------
        dict
            ``{threshold: value}`` (a copy).

        Raises
        ------
        LookupError
            When ``code`` is not in :attr:`depends_on` (an undeclared coupling is a bug).
        """
        if code not in self.depends_on:
            raise LookupError(f"{self.code} reads the thresholds of {code} without declaring "
                              f"it: add depends_on = {(*self.depends_on, code)!r}")
        found = ctx.rule_options.get(code)
        if found is None:
            from lstm_doctor.rules import find_rule

            found = find_rule(code).thresholds
        return dict(found)

    # -- behaviour -------------------------------------------------------------------------
    def measure(self, ctx: Context) -> dict[str, Any]:
        """Compute the evidence (numbers only). Raise :class:`NotApplicable` to skip."""
        raise NotImplementedError

    def judge(self, evidence: dict[str, Any], ctx: Context) -> Verdict | None:
        """Turn evidence into a verdict using ``self.options`` thresholds (None = pass)."""
        raise NotImplementedError

    def assumed_inputs(self, ctx: Context, evidence: dict[str, Any]) -> dict[str, Any]:
        """The assumed set-up values this rule's verdict rests on (``{key: value}``).

        The default looks at :attr:`reads`; a rule whose verdict holds for any value of an
        assumed key (it judged the most generous case) overrides this.
        """
        if not ctx.config_given or not self.reads:
            return {}
        return ctx.config.assumed(*self.reads)

    def run(self, ctx: Context) -> tuple[str, Finding | None, str]:
        """Measure and judge; returns ``(status, finding, reason)``.

        ``status`` is ``fail``, ``pass``, ``skip`` or ``crash``. A crash becomes an
        error finding carrying the exception, and the run goes on.
        """
        if self.needs_config and not ctx.config_given:
            return "skip", None, "no LSTM set-up given (--config or --model)"
        if self.needs_training and ctx.experiment is None:
            return "skip", None, "no training run (use lstm-doctor report)"
        if self.needs_arrays and getattr(ctx, "arrays", None) is None:
            return "skip", None, "no training arrays (use lstm_doctor.diagnose)"
        try:
            evidence = self.measure(ctx)
            verdict = self.judge(evidence, ctx)
        except NotApplicable as exc:
            return "skip", None, str(exc)
        except Exception as exc:  # a crashing rule is a finding, not a crash
            finding = Finding(
                code=self.code, name=self.name, group=self.group(), severity=Severity.ERROR,
                message=f"rule {self.code} crashed: {type(exc).__name__}: {exc}",
                evidence={"exception": type(exc).__name__, "detail": str(exc)},
                fix="This is a bug in lstm-doctor or an input it does not handle; "
                    f"ignore the rule with --ignore {self.code} and report it.",
                crashed=True,
            )
            return "crash", finding, str(exc)
        if verdict is None:
            return "pass", None, ""
        severity = self.severity_override or verdict.severity or self.severity
        evidence = dict(evidence)
        if self.options:
            evidence.setdefault("thresholds", dict(self.options))
        message, fix = verdict.message, verdict.fix
        assumed = self.assumed_inputs(ctx, evidence)
        if assumed:
            evidence["assumed"] = {k: list(v) if isinstance(v, tuple) else v
                                   for k, v in assumed.items()}
            if severity.rank > Severity.INFO.rank:
                severity = Severity.INFO
            what = ", ".join(f"{k} = {_show(v)}" for k, v in assumed.items())
            message = (f"{message} [this rests on assumed value(s) not in what you gave: "
                       f"{what}]")
            fix = (f"State the real value{'s' if len(assumed) > 1 else ''} with --config if "
                   f"your script differs; otherwise: {fix[:1].lower()}{fix[1:]}")
        finding = Finding(code=self.code, name=self.name, group=self.group(),
                          severity=severity, message=message, evidence=evidence,
                          fix=fix, remedies=list(verdict.remedies))
        return "fail", finding, ""


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)
