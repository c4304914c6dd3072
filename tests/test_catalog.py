"""The rule catalog follows the conventions every output relies on."""

from __future__ import annotations

import re

import pytest

import lstm_doctor
from lstm_doctor.rules import RULE_MODULES, find_rule, get_rules, select_rules
from lstm_doctor.rules.base import GROUPS


def test_every_registered_module_exists_and_defines_its_rule():
    classes = get_rules()
    assert [c.code for c in classes] == sorted(m.rsplit(".", 1)[1] for m in RULE_MODULES)


@pytest.mark.parametrize("rule", get_rules(), ids=lambda r: r.code)
def test_rule_metadata(rule):
    module = rule.__module__.rsplit(".", 1)[1]
    assert rule.code == module, "the code must match the module name"
    assert re.fullmatch(r"LD[1-8]\d\d", rule.code)
    assert rule.__module__.split(".")[-2] == GROUPS[rule.code[:3]]
    assert re.fullmatch(r"[a-z]+\.[a-z0-9-]+", rule.name)
    assert rule.name.split(".")[0] in GROUPS.values()
    sections = rule.sections()
    assert rule.summary(), "docstring needs a one-line summary"
    assert sections["description"], "docstring needs a description"
    assert sections.get("anti_pattern"), f"{rule.code} docstring lacks **Anti-pattern**"
    assert sections.get("best_practice"), f"{rule.code} docstring lacks **Best practice**"


def test_codes_and_names_are_unique():
    rules = get_rules()
    assert len({r.code for r in rules}) == len(rules)
    assert len({r.name for r in rules}) == len(rules)


def test_select_by_code_prefix_name_and_group():
    assert [r.code for r in select_rules(["LD101"])] == ["LD101"]
    assert {r.code for r in select_rules("LD1")} == {r.code for r in get_rules()
                                                      if r.code.startswith("LD1")}
    assert [r.code for r in select_rules(["data.outliers"])] == ["LD104"]
    assert {r.code for r in select_rules(["data"])} == {r.code for r in select_rules("LD1")}
    assert "LD104" not in {r.code for r in select_rules(ignore="LD104")}


@pytest.mark.parametrize("bad", ["LD999", "LD10x", "nonsense"])
def test_unknown_selection_is_an_input_error(bad):
    with pytest.raises(lstm_doctor.InputError, match="matches no rule"):
        select_rules([bad])


def test_explain_renders_the_docstring():
    text = lstm_doctor.explain("LD101")
    assert text.startswith("LD101 data.missing-values")
    assert "Anti-pattern" in text and "Best practice" in text
    assert find_rule("data.missing-values").code == "LD101"
    with pytest.raises(lstm_doctor.InputError, match="did you mean 'LD101'"):
        lstm_doctor.explain("LD1O1")


def test_crashing_rule_becomes_a_finding(monkeypatch):
    from lstm_doctor.rules.data.LD105 import Rule_LD105

    def boom(self, ctx):
        raise ZeroDivisionError("synthetic failure")

    monkeypatch.setattr(Rule_LD105, "measure", boom)
    report = lstm_doctor.check(list(range(50)), select=["LD1"])
    crashed = [f for f in report.findings if f.crashed]
    assert len(crashed) == 1 and crashed[0].code == "LD105"
    assert crashed[0].severity.value == "error"
    assert "ZeroDivisionError: synthetic failure" in crashed[0].message
    statuses = {o.code: o.status for o in report.outcomes}
    assert statuses["LD105"] == "crash" and statuses["LD101"] == "pass"


def test_threshold_and_severity_overrides():
    import numpy as np

    y = np.random.default_rng(0).normal(size=500)
    y[100] = 6.0  # |z| about 6: below the default 7, above 5
    default = lstm_doctor.check(y, select=["LD104"])
    assert default.codes() == []
    strict = lstm_doctor.check(y, select=["LD104"], thresholds={"LD104": {"z": 5}},
                               severities={"LD104": "error"})
    assert strict.codes() == ["LD104"] and strict.findings[0].severity.value == "error"
    assert strict.findings[0].evidence["thresholds"]["z"] == 5
    with pytest.raises(lstm_doctor.InputError, match="unknown"):
        lstm_doctor.check(y, select=["LD104"], thresholds={"LD104": {"zz": 5}})
