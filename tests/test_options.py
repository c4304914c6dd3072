"""Options declared once; rule thresholds declared with types and ranges, checked once."""

from __future__ import annotations

import inspect
import math

import numpy as np
import pytest

import lstm_doctor
from lstm_doctor.errors import InputError
from lstm_doctor.options import CheckOptions, Interval
from lstm_doctor.project import load_project_config
from lstm_doctor.rules import get_rules
from tests.helpers import run_cli

Y = np.random.default_rng(1).normal(size=200)

BAD = [("LD603", "max_epochs_unmonitored", "30", "an integer >= 1"),
       ("LD603", "max_epochs_unmonitored", 0, "an integer >= 1"),
       ("LD603", "max_epochs_unmonitored", 2.5, "an integer >= 1"),
       ("LD104", "z", math.nan, "a number > 0"),
       ("LD104", "z", math.inf, "a number > 0"),
       ("LD104", "z", True, "a number > 0"),
       ("LD104", "max_outlier_fraction", 1.5, "a number in [0, 1]"),
       ("LD501", "max_window_fraction", 0, "a number in (0, 1]")]


def test_every_threshold_declares_its_type_and_range():
    for rule in get_rules():
        assert set(rule.constraints) == set(rule.thresholds), rule.code
        for name, default in rule.thresholds.items():
            constraint = rule.constraints[name]
            assert isinstance(constraint, Interval)
            assert constraint.check(default, name) == default, (rule.code, name)


@pytest.mark.parametrize("code,name,value,allowed", BAD)
def test_api_rejects_a_bad_threshold_in_one_line(code, name, value, allowed):
    with pytest.raises(InputError) as exc:
        lstm_doctor.check(Y, thresholds={code: {name: value}})
    msg = str(exc.value)
    assert f"{code}.{name}" in msg and allowed in msg and repr(value) in msg
    assert "\n" not in msg and "crashed" not in msg


def test_report_and_panel_validate_thresholds_too():
    bad = {"LD603": {"max_epochs_unmonitored": "30"}}
    with pytest.raises(InputError, match="LD603.max_epochs_unmonitored"):
        lstm_doctor.report(Y, thresholds=bad, train=False)
    with pytest.raises(InputError, match="LD603.max_epochs_unmonitored"):
        lstm_doctor.check_panel({"a": Y}, thresholds=bad)
    with pytest.raises(InputError, match="must be a mapping"):
        lstm_doctor.check(Y, thresholds={"LD603": 30})


def test_a_good_override_is_used_and_an_integral_float_is_an_integer():
    report = lstm_doctor.check(Y, select=["LD104"], thresholds={"data.outliers": {"z": 1}})
    assert report.findings[0].evidence["thresholds"]["z"] == 1
    opts = CheckOptions(thresholds={"LD603": {"max_epochs_unmonitored": 30.0}}).validate()
    assert opts.thresholds == {"LD603": {"max_epochs_unmonitored": 30}}
    assert isinstance(opts.thresholds["LD603"]["max_epochs_unmonitored"], int)


@pytest.mark.parametrize("code,name,value,allowed", BAD[:2] + BAD[6:])
def test_project_file_rejects_a_bad_threshold(code, name, value, allowed, tmp_path):
    toml = f"{value!r}".replace("'", '"') if isinstance(value, str) else \
        str(value).lower() if isinstance(value, bool) else value
    (tmp_path / "lstm-doctor.toml").write_text(f"[thresholds]\n{code} = {{ {name} = {toml} }}\n")
    with pytest.raises(InputError) as exc:
        load_project_config(tmp_path)
    msg = str(exc.value)
    assert f"thresholds.{code}.{name}" in msg and allowed in msg and "\n" not in msg


def test_cli_rejects_a_bad_project_threshold_with_exit_2(tmp_path, monkeypatch, capsys):
    (tmp_path / "lstm-doctor.toml").write_text("[thresholds]\nLD104 = { z = -1 }\n")
    np.savetxt(tmp_path / "y.csv", Y, header="y", comments="")
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(["check", "y.csv"], capsys)
    assert code == 2 and "thresholds.LD104.z must be a number > 0" in err


def test_interval_describes_its_range():
    assert Interval(int, 1, None).describe() == "an integer >= 1"
    assert Interval(float, 0, 1, closed="neither").describe() == "a number in (0, 1)"
    assert Interval(float, None, 5, closed="left").describe() == "a number < 5"
    assert Interval(float, 0, 1).check(np.float64(0.5), "x") == 0.5
    with pytest.raises(TypeError):
        Interval(str)


def test_check_options_are_the_options_of_every_entry_point():
    names = set(CheckOptions.names())
    assert len(names) == 12
    for func in (lstm_doctor.check, lstm_doctor.report):
        assert names <= set(inspect.signature(func).parameters), func
    panel = set(inspect.signature(lstm_doctor.check_panel).parameters)
    assert names - {"test_data", "model"} <= panel
    with pytest.raises(InputError, match="did you mean 'target'"):
        CheckOptions.coerce({"traget": "y"})


def test_validate_normalises_codes_and_checks_everything_once():
    opts = CheckOptions(thresholds={"data.outliers": {"z": 5}}, severities={"ld104": "INFO"},
                        select="LD1").validate()
    assert opts.thresholds == {"LD104": {"z": 5}} and opts.severities == {"LD104": "info"}
    assert opts.validate() == opts
    assert [r.code for r in opts.rules()][:1] == ["LD101"]
    for bad, words in [(dict(select="LD9"), "matches no rule"),
                       (dict(severities={"LD104": "fatal"}), "not a severity"),
                       (dict(calendar="XXXX"), "calendar"),
                       (dict(time_format="dd.mm"), "time format")]:
        with pytest.raises(InputError, match=words):
            CheckOptions(**bad).validate()


def test_integer_thresholds_are_capped_and_huge_values_do_not_overflow():
    from lstm_doctor.options import INT_LIMIT

    assert Interval(int, 1, None).check(INT_LIMIT, "t") == INT_LIMIT
    for bad in (INT_LIMIT + 1, 10**400, 2.0**80):
        with pytest.raises(InputError, match=r"t must be an integer >= 1 up to 1,000,000,000"):
            Interval(int, 1, None).check(bad, "t")
    with pytest.raises(InputError, match="a number > 0"):
        Interval(float, 0, None, closed="neither").check(10**400, "t")


@pytest.mark.parametrize("value", [[5], 5, ["LD1", None], {"LD1": 1}])
def test_select_and_ignore_must_be_text(value):
    for option in ("select", "ignore"):
        with pytest.raises(InputError, match=f"{option} must be rule codes"):
            CheckOptions(**{option: value}).validate()
    assert CheckOptions(select=("LD1", "LD2")).validate().select == ["LD1", "LD2"]
