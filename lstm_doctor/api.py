"""The public entry points. The CLI calls exactly these."""

from __future__ import annotations

import time
from typing import Any

from lstm_doctor.config import LSTMConfig, load_setup
from lstm_doctor.context import Context
from lstm_doctor.data import SeriesData, load_series
from lstm_doctor.errors import InputError
from lstm_doctor.findings import Finding, Report, RuleOutcome, Severity
from lstm_doctor.fix import FixResult, fix
from lstm_doctor.panel import PanelReport, check_panel


def check(
    data: Any,
    *,
    target: str | None = None,
    time_col: str | bool | None = None,
    features: list[str] | str | None = None,
    time_format: str | None = None,
    calendar: str | None = None,
    test_data: Any = None,
    config: str | dict | LSTMConfig | None = None,
    model: str | None = None,
    select: list[str] | str | None = None,
    ignore: list[str] | str | None = None,
    thresholds: dict[str, dict[str, float]] | None = None,
    severities: dict[str, str] | None = None,
) -> Report:
    """Run the diagnostic rules on a series and (optionally) an LSTM set-up.

    Never imports TensorFlow.

    Parameters
    ----------
    data : path, DataFrame, Series, ndarray or SeriesData
        The series (CSV, Parquet, JSON lines, ``"-"`` for stdin, or in-memory data).
    target, time_col, features
        Column choices (see :func:`lstm_doctor.data.load_series`); ``time_col=False`` (or
        ``"none"``): no time column, the rows are an ordinal index.
    time_format, calendar, test_data
        How to read the time stamps (a strftime format; default inferred), the calendar
        of the grid (``auto``, ``none``, ``business`` or an exchange code such as ``XNYS``)
        and a separate holdout file with the same columns (see
        :func:`lstm_doctor.data.load_series`).
    config : path, dict or LSTMConfig, optional
        The LSTM set-up: a YAML/TOML/JSON file, a saved ``.keras`` model, or a dict.
        Without it (and without ``model``) the set-up rules (LD3xx-LD6xx) are skipped.
    model : path, optional
        A saved ``.keras`` model. With ``config`` too, the model gives the architecture and
        compile settings and the config the rest. Values neither states are assumed
        defaults, and no rule raises a warning or an error on an assumed value.
    select, ignore : list of str or comma-separated str, optional
        Rule codes, prefixes (``LD2``), names or groups.
    thresholds : dict, optional
        Per-rule threshold overrides, e.g. ``{"LD104": {"z": 5}}``.
    severities : dict, optional
        Per-rule severity overrides, e.g. ``{"LD104": "info"}``.

    Returns
    -------
    Report
        ``.findings`` (most severe first), ``.summary``, ``.passed(fail_on)``,
        ``.to_dict()``, ``.to_json()``.

    Raises
    ------
    InputError
        For unreadable data, unknown columns, bad config keys or unknown rule codes.
    """
    started = time.perf_counter()
    series = data if isinstance(data, SeriesData) else load_series(
        data, target=target, time_col=time_col, features=features, time_format=time_format,
        calendar=calendar, test_data=test_data)
    setup = _fit_to_data(load_setup(config, model), series)
    ctx = Context(series, setup or LSTMConfig(), config_given=setup is not None)
    report = _run_rules(ctx, select=select, ignore=ignore, thresholds=thresholds,
                        severities=severities)
    report.meta["check_seconds"] = round(time.perf_counter() - started, 4)
    return report


def _fit_to_data(setup: LSTMConfig | None, series: SeriesData) -> LSTMConfig | None:
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


def _instantiate(select, ignore, thresholds, severities) -> list:
    from lstm_doctor.rules import find_rule, select_rules

    classes = select_rules(select, ignore)
    thresholds = {find_rule(k).code: v for k, v in (thresholds or {}).items()}
    severities = {find_rule(k).code: Severity.parse(v, what=f"severity of {k}")
                  for k, v in (severities or {}).items()}
    return [cls(thresholds=thresholds.get(cls.code), severity=severities.get(cls.code))
            for cls in classes]


def _run_rules(ctx: Context, *, select=None, ignore=None, thresholds=None,
               severities=None, rules: list | None = None) -> Report:
    rules = rules if rules is not None else _instantiate(select, ignore, thresholds, severities)
    ctx.rule_options.update({rule.code: dict(rule.options) for rule in rules})
    findings: list[Finding] = []
    outcomes: list[RuleOutcome] = []
    seconds: dict[str, float] = {}  # per rule; a shared statistic counts for its first user
    for rule in rules:
        t0 = time.perf_counter()
        status, finding, reason = rule.run(ctx)
        seconds[rule.code] = round(time.perf_counter() - t0, 5)
        outcomes.append(RuleOutcome(rule.code, rule.name, status, reason))
        if finding is not None:
            findings.append(finding)
    findings.sort(key=lambda f: (-f.severity.rank, f.code))
    return Report(findings=findings, data=ctx.series.facts(),
                  config=ctx.config.to_report() if ctx.config_given else None,
                  outcomes=outcomes, meta={"rule_seconds": seconds}, extras={"context": ctx})


def report(
    data: Any,
    *,
    target: str | None = None,
    time_col: str | bool | None = None,
    features: list[str] | str | None = None,
    time_format: str | None = None,
    calendar: str | None = None,
    test_data: Any = None,
    config: str | dict | LSTMConfig | None = None,
    model: str | None = None,
    select: list[str] | str | None = None,
    ignore: list[str] | str | None = None,
    thresholds: dict[str, dict[str, float]] | None = None,
    severities: dict[str, str] | None = None,
    seeds: int = 3,
    epochs: int | None = None,
    max_seconds: float | None = None,
    ablation: bool = False,
    train: bool = True,
    progress: bool = False,
    screen: bool = True,
) -> Report:
    """Check, then train the baseline and remediated LSTMs next to reference forecasters.

    Parameters
    ----------
    data, target, time_col, features, time_format, calendar, test_data
        As in :func:`check`.
    config, model, select, ignore, thresholds, severities
        As in :func:`check`. Without ``config`` or ``model`` the defaults are diagnosed.
    seeds : int
        Seeds per LSTM (results are mean and spread over seeds).
    epochs : int, optional
        Override the set-up's epochs (both LSTMs).
    max_seconds : float, optional
        Wall-clock budget split across all trainings.
    ablation : bool
        Retrain with each remedy removed to measure its share of the improvement.
    train : bool
        False for a findings-only report.
    progress : bool
        Show a progress bar on stderr.
    screen : bool
        Do no harm: accept each remedy only when it does not make the error on an inner
        validation split (the end of the training data, never the holdout) worse; dropped
        remedies are listed with their measured effect.

    Returns
    -------
    Report
        The check findings plus ``comparison`` (metrics, DM tests, histories, forecasts).
    """
    from lstm_doctor.experiment import run_experiment

    started = time.perf_counter()
    series = data if isinstance(data, SeriesData) else load_series(
        data, target=target, time_col=time_col, features=features, time_format=time_format,
        calendar=calendar, test_data=test_data)
    setup = _fit_to_data(load_setup(config, model), series)
    ctx = Context(series, setup or LSTMConfig(), config_given=True)
    rules = _instantiate(select, ignore, thresholds, severities)
    result = _run_rules(ctx, rules=rules)
    if train:
        run_experiment(result, ctx, seeds=seeds, epochs=epochs, max_seconds=max_seconds,
                       screen=screen,
                       ablation=ablation, progress=progress)
        # the training-symptom rules (LD7xx) judge the runs: replace their "skip" outcomes
        symptoms = [r for r in rules if r.needs_training]
        if symptoms:
            judged = _run_rules(ctx, rules=symptoms)
            new = {o.code: o for o in judged.outcomes}
            result.outcomes = [new.pop(o.code, o) for o in result.outcomes] + list(new.values())
            result.findings = sorted(result.findings + judged.findings,
                                     key=lambda f: (-f.severity.rank, f.code))
    result.meta["total_seconds"] = round(time.perf_counter() - started, 3)
    return result


def explain(code: str) -> str:
    """The full documentation of one rule (code or name), as plain text.

    Raises
    ------
    InputError
        For an unknown code.
    """
    from lstm_doctor.rules import find_rule

    rule = find_rule(code)
    header = f"{rule.code} {rule.name} [{rule.group()}, default severity {rule.severity.value}]"
    lines = [header, "=" * len(header), "", rule.doc()]
    if rule.thresholds:
        lines += ["", "Thresholds (override with thresholds={...} or the project config):"]
        lines += [f"  {k} = {v!r}" for k, v in rule.thresholds.items()]
    return "\n".join(lines)


def list_rules() -> list[dict[str, Any]]:
    """The rule catalog: code, name, group, default severity, summary, thresholds."""
    from lstm_doctor.rules import get_rules

    return [{"code": r.code, "name": r.name, "group": r.group(), "severity": r.severity.value,
             "summary": r.summary(), "thresholds": dict(r.thresholds),
             "needs_config": r.needs_config} for r in get_rules()]


__all__ = ["check", "check_panel", "report", "fix", "explain", "list_rules", "InputError",
           "PanelReport", "FixResult"]
