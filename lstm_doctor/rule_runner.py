"""Running the rules over one context: each rule once, the experiment hook, the Report.

Kept apart from :mod:`lstm_doctor.engine` (loading, the set-up fitted to the data, facts)
so that the fixpoint refinement of remedies (:mod:`lstm_doctor.fixpoint`), which re-runs
the rules, does not depend on the engine that attaches its result.
"""

from __future__ import annotations

import contextlib
import time
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

from lstm_doctor.context import Context
from lstm_doctor.findings import Finding, Report, RuleOutcome


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """The engine boundary: no numpy floating-point or library warning reaches the terminal.

    Statistics are computed on rescaled copies (:mod:`lstm_doctor.stats`), and what a
    warning would say (a test that could not run, a value out of range) is in the report;
    the warnings themselves (``RuntimeWarning: overflow encountered``, statsmodels'
    interpolation notices...) are noise to the user.
    """
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        yield


def run_rules(ctx: Context, rules: list, *, train: Any = None) -> Report:
    """Run every rule once and build the Report.

    ``train`` (from :func:`lstm_doctor.report`): ``train(ctx, findings) -> (experiment,
    comparison)``, called once the rules that need no training have run, with their findings
    (most severe first); the training-symptom rules (LD7xx) then judge the experiment, which
    they read from the context (:meth:`Context.with_experiment`). Without ``train`` they
    skip.
    """
    with quiet():
        return _run_rules(ctx, rules, train)


def _run_rules(ctx: Context, rules: list, train: Any) -> Report:
    ctx.rule_options.update({rule.code: dict(rule.options) for rule in rules})
    results: dict[int, tuple[RuleOutcome, Finding | None]] = {}
    seconds: dict[str, float] = {}  # per rule; a shared statistic counts for its first user

    def evaluate(context: Context, indexed: list[tuple[int, Any]]) -> None:
        for i, rule in indexed:
            t0 = time.perf_counter()
            status, finding, reason = rule.run(context)
            seconds[rule.code] = round(time.perf_counter() - t0, 5)
            results[i] = (RuleOutcome(rule.code, rule.name, status, reason), finding)

    def found() -> list[Finding]:
        return sorted((f for _, f in results.values() if f is not None),
                      key=lambda f: (-f.severity.rank, f.code))

    indexed = list(enumerate(rules))
    evaluate(ctx, [(i, r) for i, r in indexed if train is None or not r.needs_training])
    comparison = None
    if train is not None:
        experiment, comparison = train(ctx, found())
        ctx = ctx.with_experiment(experiment)
        evaluate(ctx, [(i, r) for i, r in indexed if r.needs_training])
    outcomes = [results[i][0] for i in sorted(results)]
    return Report(findings=found(), data=ctx.series.facts(),
                  config=ctx.config.to_report() if ctx.config_given else None,
                  outcomes=outcomes, comparison=comparison, meta={"rule_seconds": seconds},
                  extras={"context": ctx})


__all__ = ["quiet", "run_rules"]
