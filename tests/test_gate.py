"""One module owns "does this run fail?": severity order, --fail-on, exit codes, baselines."""

from __future__ import annotations

import numpy as np
import pytest

import lstm_doctor
from lstm_doctor import gate
from lstm_doctor.errors import InputError
from lstm_doctor.findings import Finding, Report, Severity


def _finding(severity: str, state: str | None = None) -> dict:
    f = {"code": "LD104", "severity": severity}
    if state:
        f["baseline_state"] = state
    return f


def _report(*severities: str) -> dict:
    counts = {k: sum(s == k for s in severities) for k in gate.SEVERITIES}
    return {"data": {"source": "x.csv"}, "summary": counts,
            "findings": [_finding(s) for s in severities]}


def test_severity_is_ordered_by_rank_not_alphabetically():
    assert max(Severity.ERROR, Severity.WARNING) is Severity.ERROR
    assert not Severity.INFO > Severity.ERROR
    assert Severity.ERROR > Severity.WARNING > Severity.INFO
    assert Severity.INFO <= Severity.INFO < Severity.WARNING
    assert sorted([Severity.WARNING, Severity.INFO, Severity.ERROR]) == \
        [Severity.INFO, Severity.WARNING, Severity.ERROR]
    assert [s.rank for s in Severity] == [gate.RANK[s.value] for s in Severity]
    assert Severity.ERROR == "error" and hash(Severity.ERROR) == hash("error")  # still a str


@pytest.mark.parametrize("fail_on,threshold", [("error", 3), ("Warning", 2), (" info ", 1),
                                               ("never", gate.NEVER)])
def test_fail_on_parsing(fail_on, threshold):
    assert gate.fail_threshold(fail_on) == threshold


def test_bad_fail_on_is_one_line_with_a_suggestion():
    with pytest.raises(InputError, match=r"--fail-on: 'warnings' is not valid.*did you mean "
                                         r"'warning'"):
        gate.parse_fail_on("warnings")


def test_a_finding_fails_at_or_above_the_threshold_unless_known_in_a_baseline():
    assert gate.fails(_finding("warning"), "warning")
    assert not gate.fails(_finding("warning"), "error")
    assert not gate.fails(_finding("error"), "never")
    assert gate.fails(_finding("error", "worsened"), "error")
    assert not gate.fails(_finding("error", "unchanged"), "info")
    obj = Finding("LD104", "data.outliers", "data", Severity.ERROR, "m")
    assert gate.fails(obj, "error") and gate.fails(obj, 3)


def test_baseline_marks():
    assert gate.baseline_state("error", None) == "new"
    assert gate.baseline_state("error", "warning") == "worsened"
    assert gate.baseline_state("warning", "warning") == "unchanged"
    assert gate.baseline_state(Severity.INFO, "error") == "unchanged"


def test_exit_codes():
    error_entry = {"source": "bad.csv", "error": "'bad.csv' is empty"}
    assert gate.exit_code([_report("info")], "error") == 0
    assert gate.exit_code([_report("info", "error")], "error") == 1
    assert gate.exit_code([_report("error")], "never") == 0
    assert gate.exit_code([_report(), error_entry], "never") == 2  # the worst outcome
    assert gate.exit_code([_report("error")], "error", record_only=True) == 0
    assert gate.exit_code([error_entry], "error", record_only=True) == 2


def test_report_and_panel_ask_the_gate():
    y = np.random.default_rng(0).normal(size=300)
    y[150] += 40  # one outlier: LD104
    report = lstm_doctor.check(y, select=["LD104"])
    assert report.codes() == ["LD104"]
    as_dict = report.to_dict()
    for fail_on in gate.FAIL_ON_CHOICES:
        assert report.exit_code(fail_on) == gate.exit_code([as_dict], fail_on)
        assert report.passed(fail_on) == gate.passed([as_dict], fail_on)
    panel = lstm_doctor.check_panel({"a": y, "b": y[:5]}, select=["LD104"])
    assert panel.exit_code("never") == 2 and panel.rows() == gate.summary_rows(panel.results)
    assert panel.to_dict()["summary"] == gate.collection_summary(panel.results)


def test_empty_report_passes():
    assert Report(findings=[], data={}, config=None).exit_code("info") == 0


def test_summary_rows():
    rows = gate.summary_rows([_report("warning", "info"), {"source": "b", "error": "boom"}],
                             fail_on="warning")
    assert rows[0]["worst"] == "warning" and rows[0]["failing"] == 1
    assert rows[0]["codes"] == ["LD104", "LD104"]
    assert rows[1]["worst"] == "input-error" and rows[1]["message"] == "boom"


def test_old_names_still_work():
    from lstm_doctor.baseline import failing, is_error_result
    from lstm_doctor.findings import FAIL_ON_CHOICES, fail_threshold
    from lstm_doctor.panel import summary_rows

    assert failing is gate.failing and is_error_result is gate.is_error_result
    assert fail_threshold is gate.fail_threshold and FAIL_ON_CHOICES == gate.FAIL_ON_CHOICES
    assert summary_rows is gate.summary_rows
