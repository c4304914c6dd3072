"""The check engine: validated options + data -> context -> rules -> Report.

:func:`check` is what :func:`lstm_doctor.check` runs, and what :mod:`lstm_doctor.panel` runs
for each series, so the API, the panel engine and the CLI share one path. It imports neither
the API nor the panel nor any renderer.
"""

from __future__ import annotations

import time
from typing import Any

from lstm_doctor.config import LSTMConfig
from lstm_doctor.context import Context, check_setup_fits
from lstm_doctor.data import SeriesData, load_series
from lstm_doctor.findings import Report
from lstm_doctor.options import CheckOptions
from lstm_doctor.report_facts import attach_facts
from lstm_doctor.rule_runner import quiet, run_rules


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


def check(data: Any, options: CheckOptions, *, facts: bool = True,
          rules: list | None = None) -> Report:
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
    rules : list, optional
        The rules, instantiated once for many series (``options.rules()``, the default).

    Returns
    -------
    Report
        With the renderers' facts attached (:func:`lstm_doctor.report_facts.attach_facts`).
    """
    started = time.perf_counter()
    series, setup = load(data, options)
    ctx = Context(series, setup or LSTMConfig(), config_given=setup is not None)
    report = run_rules(ctx, options.rules() if rules is None else rules)
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


__all__ = ["check", "fit_to_data", "load", "quiet", "run_rules"]
