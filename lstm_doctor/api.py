"""The public entry points. The CLI calls exactly these."""

from __future__ import annotations

import time
from typing import Any

from lstm_doctor import engine
from lstm_doctor.config import LSTMConfig, load_setup  # noqa: F401 - load_setup re-exported
from lstm_doctor.context import Context
from lstm_doctor.data import load_series  # noqa: F401 - re-exported
from lstm_doctor.errors import InputError
from lstm_doctor.findings import Finding, Report
from lstm_doctor.fix import FixResult, fix
from lstm_doctor.options import CheckOptions
from lstm_doctor.panel import PanelReport, check_panel
from lstm_doctor.report_facts import attach_facts
from lstm_doctor.rules import instantiate_rules as _instantiate


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
    model: Any = None,
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
    model : path or keras.Model, optional
        A saved ``.keras`` model (read without TensorFlow), or a live Keras model object
        (its configuration read the same way). With ``config`` too, the model gives the
        architecture and compile settings and the config the rest. Values neither states are assumed
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
    options = CheckOptions(
        target=target, time_col=time_col, features=features, time_format=time_format,
        calendar=calendar, test_data=test_data, config=config, model=model, select=select,
        ignore=ignore, thresholds=thresholds, severities=severities).validate()
    return engine.check(data, options)  # with the renderers' facts attached


def _run_rules(ctx: Context, *, select=None, ignore=None, thresholds=None,
               severities=None, rules: list | None = None, train=None) -> Report:
    """:func:`lstm_doctor.engine.run_rules` of these rules (or of the selected ones)."""
    rules = rules if rules is not None else _instantiate(select, ignore, thresholds, severities)
    return engine.run_rules(ctx, rules, train=train)


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
    started = time.perf_counter()
    options = CheckOptions(
        target=target, time_col=time_col, features=features, time_format=time_format,
        calendar=calendar, test_data=test_data, config=config, model=model, select=select,
        ignore=ignore, thresholds=thresholds, severities=severities).validate()
    series, setup = engine.load(data, options)
    ctx = Context(series, setup or LSTMConfig(), config_given=True)
    rules = options.rules()

    experiment = experiment_step(rules, seeds=seeds, epochs=epochs, max_seconds=max_seconds,
                                 screen=screen, ablation=ablation, progress=progress)
    result = _run_rules(ctx, rules=rules, train=experiment if train else None)
    with engine.quiet():
        attach_facts(result, refine=True)
    result.meta["total_seconds"] = round(time.perf_counter() - started, 3)
    return result


def experiment_step(rules: list, *, seeds: int = 3, epochs: int | None = None,
                    max_seconds: float | None = None, screen: bool = True,
                    ablation: bool = False, progress: bool = False) -> Any:
    """The training step of :func:`report` (and ``diagnose(train=True)``).

    Returns ``train(ctx, findings) -> (experiment, comparison)`` for
    :func:`lstm_doctor.engine.run_rules`: remedies (refined like ``lstm-doctor fix``) ->
    training -> results, one way.
    """
    def experiment(checked: Context, findings: list[Finding]) -> tuple[Any, dict[str, Any]]:
        from lstm_doctor.experiment import run_experiment
        from lstm_doctor.fixpoint import refine_remediation

        remediation = refine_remediation(checked, findings, codes=[r.code for r in rules])
        return run_experiment(checked, findings, remediation=remediation, seeds=seeds,
                              epochs=epochs, max_seconds=max_seconds, screen=screen,
                              ablation=ablation, progress=progress)

    return experiment


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
        lines += [f"  {k} = {v!r}" + (f"  ({c.describe()})" if (c := rule.constraint(k)) else "")
                  for k, v in rule.thresholds.items()]
    return "\n".join(lines)


def list_rules() -> list[dict[str, Any]]:
    """The rule catalog: code, name, group, default severity, summary, thresholds."""
    from lstm_doctor.rules import get_rules

    return [{"code": r.code, "name": r.name, "group": r.group(), "severity": r.severity.value,
             "summary": r.summary(), "thresholds": dict(r.thresholds),
             "needs_config": r.needs_config} for r in get_rules()]


__all__ = ["check", "check_panel", "report", "fix", "explain", "list_rules",
           "InputError", "PanelReport", "FixResult"]
