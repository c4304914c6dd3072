"""Test helpers: make "the data and set-up are fit for an LSTM" part of a test suite.

In a test module::

    from lstm_doctor.testing import assert_ready

    def test_training_data_is_ready():
        assert_ready("data/sales.csv", config="models/lstm.yaml", fail_on="warning")
"""

from __future__ import annotations

from typing import Any

from lstm_doctor.findings import Report, fail_threshold


def format_findings(report: Report, fail_on: str = "error") -> str:
    """A readable multi-line message of the findings at or above ``fail_on``.

    Parameters
    ----------
    report : Report
        A :func:`lstm_doctor.check` result.
    fail_on : str
        ``error``, ``warning``, ``info`` or ``never``.

    Returns
    -------
    str
        A heading naming the data, then per finding its code, severity, name, message and
        fix, most severe first.
    """
    threshold = fail_threshold(fail_on)
    bad = [f for f in report.findings if f.severity.rank >= threshold]
    data = report.data
    where = data.get("source") or "data"
    lines = [f"lstm-doctor: {len(bad)} finding(s) at or above '{fail_on}' in {where} "
             f"(target '{data.get('target')}', {data.get('n')} points):"]
    for f in bad:
        lines.append(f"  {f.code} [{f.severity.value}] {f.name}: {f.message}")
        if f.fix:
            lines.append(f"      fix: {f.fix}")
    return "\n".join(lines)


def assert_ready(data: Any, config: Any = None, fail_on: str = "error",
                 **check_kwargs: Any) -> Report:
    """Fail the calling test when the data/set-up has findings at or above ``fail_on``.

    Parameters
    ----------
    data : path, DataFrame, Series or ndarray
        The series, as for :func:`lstm_doctor.check`.
    config : path, dict or LSTMConfig, optional
        The LSTM set-up (without it the set-up rules are skipped).
    fail_on : str
        ``error`` (default), ``warning``, ``info`` or ``never``.
    **check_kwargs
        Passed to :func:`lstm_doctor.check` (``target``, ``select``, ``ignore``,
        ``thresholds``, ``severities``...). For the project file's settings, pass
        ``**lstm_doctor.project.load_project_config().check_kwargs()``.

    Returns
    -------
    Report
        The report, when the check passes.

    Raises
    ------
    AssertionError
        With one line per failing finding (code, severity, message, fix).
    lstm_doctor.InputError
        When the data or set-up cannot be read.
    """
    __tracebackhide__ = True  # pytest: show the caller's line, not this helper
    from lstm_doctor.api import check

    report = check(data, config=config, **check_kwargs)
    if not report.passed(fail_on):
        raise AssertionError(format_findings(report, fail_on))
    return report


__all__ = ["assert_ready", "format_findings"]
