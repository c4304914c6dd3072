"""The check engine: validated options + data -> context -> rules -> Report.

:func:`check` is what :func:`lstm_doctor.check` runs, and what :mod:`lstm_doctor.panel` runs
for each series, so the API, the panel engine and the CLI share one path. It imports neither
the API nor the panel nor any renderer.
"""

from __future__ import annotations

import contextlib
import time
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

from lstm_doctor.config import LSTMConfig
from lstm_doctor.context import Context, check_setup_fits
from lstm_doctor.data import SeriesData, load_series
from lstm_doctor.findings import Finding, Report, RuleOutcome
from lstm_doctor.options import CheckOptions
from lstm_doctor.report_facts import attach_facts


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


def load(data: Any, options: CheckOptions) -> tuple[SeriesData, LSTMConfig | None]:
    """The series and the user's set-up (read against the series), as the options say.

    Raises
    ------
    InputError
        For unreadable data, a bad set-up, or a set-up that cannot apply to the series
        (:func:`lstm_doctor.context.check_setup_fits`).
    """
    with quiet():
        series = data if isinstance(data, SeriesData) else \
            load_series(data, **options.data_kwargs())
        setup = fit_to_data(options.setup(), series)
        if setup is not None:
            check_setup_fits(setup, series)
    return series, setup


def check(data: Any, options: CheckOptions, *, facts: bool = True) -> Report:
    """Run the selected rules on one series (see :func:`lstm_doctor.check`).

    Parameters
    ----------
    data : path, DataFrame, Series, ndarray or SeriesData
        The series.
    options : CheckOptions
        Validated options (:meth:`CheckOptions.validate`).
    facts : bool
        Attach the renderers' facts (plot series, rule docs, proposed set-up). Off for the
        series of a panel split by ``--id-col``: thousands of copies would bloat the JSON.

    Returns
    -------
    Report
        With the renderers' facts attached (:func:`lstm_doctor.report_facts.attach_facts`).
    """
    started = time.perf_counter()
    series, setup = load(data, options)
    ctx = Context(series, setup or LSTMConfig(), config_given=setup is not None)
    report = run_rules(ctx, options.rules())
    report.meta["check_seconds"] = round(time.perf_counter() - started, 4)
    if not facts:
        return report
    with quiet():
        return attach_facts(report, ctx)


def fit_to_data(setup: LSTMConfig | None, series: SeriesData) -> LSTMConfig | None:
    """Read a saved model's input shape against the data it is checked on.

    A model input of ``(1, k)`` is look-back values passed as features when the data has
    one column, but one time step of ``k`` variables when the data has extra feature
    columns (the multivariate pollution tutorial): the window is then one step.
    """
    if setup is None or setup.window.layout != "features" or \
            setup.origin("window.layout") != "model" or not series.feature_names:
        return setup
    import dataclasses

    k = setup.window.seq_length
    note = (f"the model's input (1, {k}) is read as one time step of {k} variables (the data "
            f"has {1 + len(series.feature_names)} input columns), not {k} look-back values")
    return dataclasses.replace(setup.replace("window", layout="time", seq_length=1),
                               notes=(*setup.notes, note))


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


__all__ = ["check", "fit_to_data", "load", "quiet", "run_rules"]
