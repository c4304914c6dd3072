"""The remediated set-up refined to a fixpoint: remedies, re-checked with the same rules.

Remedies interact through the data (a seasonal difference or a larger holdout leaves fewer
training windows for the network a capacity remedy sized), so the remediated set-up is
checked again with the same rules and the remedies they still propose refine it (a later
pass overrides the same keys, its rule is added to the sources), until no rule proposes a
change (at most ``max_passes``). ``lstm-doctor fix`` writes that set-up and
``lstm-doctor report`` trains it.

This is the "remedies" stage: it runs rules, so it lives outside the experiment package
(which imports no rule); the experiment receives its result.
"""

from __future__ import annotations

from typing import Any

from lstm_doctor.config import LSTMConfig
from lstm_doctor.experiment.remediation import (
    _ALWAYS,
    Remediation,
    _refine,
    build_remediation,
    with_given,
)


def remediate_to_fixpoint(report: Any, *, rules: list[Any] | None = None,
                          max_passes: int = 3) -> Remediation:
    """The remediated set-up of a checked report, refined to a fixpoint.

    Composes the findings' remedies (:func:`build_remediation`), then checks the remediated
    set-up on the same series with the same rules and thresholds; remedies still proposed
    there (a capacity sized for windows a seasonal difference has since consumed, a window
    whose own longer range shows further memory) refine it: a later pass overrides the
    keys it shares with an earlier remedy and adds its rule to that remedy's sources.
    Stops when no rule proposes a change, or after ``max_passes`` passes.

    Parameters
    ----------
    report : Report
        A report from :func:`lstm_doctor.check` (its ``extras["context"]`` holds the
        series and the set-up).
    rules : list of Rule, optional
        The rule instances to check with (default: the rules that ran on ``report``, with
        their effective thresholds).
    max_passes : int
        Upper bound on the checks of remediated set-ups (work stays bounded).

    Returns
    -------
    Remediation
        ``passes`` says how many compositions it took; ``checked`` is the check of the
        remediated set-up when no rule proposed anything more (else None).
    """
    return refine_remediation(report.extras.get("context"), report.findings,
                              codes=[o.code for o in report.outcomes], rules=rules,
                              max_passes=max_passes)


def refine_remediation(ctx: Any, findings: list[Any], *, codes: list[str] | None = None,
                       rules: list[Any] | None = None, max_passes: int = 3) -> Remediation:
    """:func:`remediate_to_fixpoint` from a context and its check findings.

    Parameters
    ----------
    ctx : Context or None
        The checked context (series, set-up, effective rule options).
    findings : list of Finding
        The check findings, most severe first.
    codes : list of str, optional
        The rules that ran (used when ``rules`` is not given: instantiated with the
        context's effective thresholds; training-symptom rules are left out).
    rules : list of Rule, optional
        The rule instances to re-check with.
    max_passes : int
        Upper bound on the checks of remediated set-ups.
    """
    rem = build_remediation(ctx.config if ctx is not None else LSTMConfig(), findings)
    if ctx is None or not rem.applied:
        return rem
    from lstm_doctor.context import Context
    from lstm_doctor.rule_runner import run_rules
    from lstm_doctor.rules import find_rule

    if rules is None:
        rules = [cls(thresholds=ctx.rule_options.get(cls.code))
                 for cls in map(find_rule, codes or []) if not cls.needs_training]
    for _ in range(max_passes):
        current = with_given(rem.config, ctx.config)
        # re-checked on the series as the remedies leave it (dropped/differenced columns)
        again = run_rules(Context(rem.apply_to_series(ctx.series), current, config_given=True),
                          rules)
        step = build_remediation(current, again.findings)
        new = [a for a in step.applied if a.sources != [_ALWAYS]]
        if not new:
            rem.checked = again
            break
        if rem.passes >= max_passes:
            break
        rem = _refine(rem, new, step)
    return rem
