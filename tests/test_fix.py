"""`lstm-doctor fix` and `lstm_doctor.fix()`: the remediated set-up as a config file.

The fixpoint: `check` on a fixed set-up raises no LD2xx-LD6xx warning or error, over every
rule fixture case that has a set-up and every real-world tutorial case. What may remain
is a finding that no set-up change fixes (the data is white noise, a random walk, too
short), and only if the user's set-up had it too: the fix never adds a warning.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
import yaml

import lstm_doctor
from lstm_doctor.config import LSTMConfig, load_config
from lstm_doctor.experiment.remediation import build_remediation
from lstm_doctor.fixpoint import remediate_to_fixpoint
from lstm_doctor.remedies import EarlyStopping, SetWindow, ValidateOnTraining
from tests.generators import make
from tests.helpers import FIXTURES, run_cli

LOUD = ("warning", "error")
FIXABLE_GROUPS = ("LD2", "LD3", "LD4", "LD5", "LD6")

#: Findings about the data that no change of the set-up can fix; they may stay on a fixed
#: set-up (when the user's set-up had them too), listed in ``FixResult.unfixable``.
DATA_LIMITS = {
    "LD206": "the series is white noise: the mean is the forecast, whatever the set-up",
    "LD207": "the series is a random walk: the last value is the forecast",
    "LD402": "too little data: no set-up makes the series longer",
    "LD403": "the series is too short for a holdout of the required length next to a "
             "useful training split (its remedy exists only while test_size <= 0.5)",
    "LD501": "the series is too short for any window (its remedy exists only while a "
             "shorter window is possible)",
    "LD504": "a long window without a season: aggregating or a strided Conv1D is the "
             "remedy, neither is a key of the schema",
}

#: Cases whose fixed set-up is still judged loudly by a rule another engineer owns
#: (LD602, LD301, LD304, LD701), keyed ``(case id, code)`` with the reason. Remove an
#: entry once the rule is corrected. Empty: none of them blocks the fixpoint today.
EXEMPT_OWNED_ELSEWHERE: dict[tuple[str, str], str] = {}

SHAMPOO = FIXTURES / "realworld" / "shampoo-stateful"
SHAMPOO_ARGS = ["--target", "Sales", "--time-col", "Month", "--isolated"]
AIR = str(FIXTURES / "airpassengers.csv")


# -- the fixpoint ---------------------------------------------------------------------------

def _rule_cases():
    for path in sorted((FIXTURES / "rules").glob("LD*.yml")):
        spec = yaml.safe_load(path.read_text())
        for case in spec["cases"]:
            if case.get("config") is None:
                continue
            marks = [pytest.mark.slow] if case.get("slow") else []
            yield pytest.param("rule", spec["rule"], case, id=f"{spec['rule']}-{case['name']}",
                               marks=marks)


def _realworld_cases():
    for case_dir in sorted(p.parent for p in (FIXTURES / "realworld").glob("*/case.yaml")):
        case = yaml.safe_load((case_dir / "case.yaml").read_text(encoding="utf-8"))
        for mode in ("config", "model"):
            if "input_error" in case["expect"][mode]:
                continue
            yield pytest.param("realworld", mode, (case_dir, case),
                               id=f"{case_dir.name}-{mode}")


def _inputs(kind, key, case):
    if kind == "rule":
        data, kwargs = make(case["data"], FIXTURES)
        config = case["config"]
        if isinstance(config, str):
            config = str(FIXTURES / config)
        return data, kwargs, {"config": config}
    case_dir, spec = case
    options = spec.get("check_options") or {}
    kwargs = {k: options[k] for k in ("target", "time_col", "features") if options.get(k)}
    setup = ({"config": str(case_dir / "setup.yaml")} if key == "config"
             else {"model": str(case_dir / "model.keras")})
    return str(case_dir / spec["data"]["file"]), kwargs, setup


def _loud(report):
    return {f.code: f for f in report.findings
            if f.code.startswith(FIXABLE_GROUPS) and f.severity.value in LOUD}


@pytest.mark.parametrize("kind,key,case", [*_rule_cases(), *_realworld_cases()])
def test_a_fixed_setup_passes_the_setup_rules(kind, key, case, request):
    data, kwargs, setup = _inputs(kind, key, case)
    result = lstm_doctor.fix(data, **setup, **kwargs)
    before = _loud(result.report)
    after = lstm_doctor.check(result.report.extras["context"].series, config=result.config)
    case_id = request.node.callspec.id
    unfixable = {u["code"] for u in result.unfixable}
    for code, finding in _loud(after).items():
        if (case_id, code) in EXEMPT_OWNED_ELSEWHERE:
            continue
        assert code in DATA_LIMITS, f"{code} on the fixed set-up: {finding.message}"
        assert code in before, f"the fix introduced {code}: {finding.message}"
        assert not any(r.changes for r in finding.remedies), (code, finding.remedies)
        assert code in unfixable, (code, result.unfixable)
    assert all(u["why"] == "no set-up change fixes it" for u in result.unfixable)
    # the written YAML is the fixed set-up (every value), and a second fix changes nothing
    assert LSTMConfig.from_dict(yaml.safe_load(result.yaml)).to_dict() == \
        result.config.to_dict()
    if kind == "realworld":
        again = lstm_doctor.fix(result.report.extras["context"].series,
                                config=LSTMConfig.from_dict(yaml.safe_load(result.yaml)))
        assert again.changes == [], again.changes


def test_the_fixpoint_covers_every_realworld_case_without_an_input_error():
    cases = list(_realworld_cases())
    assert len(cases) >= 20
    assert len(list(_rule_cases())) >= 100


def test_the_remediated_shampoo_setup_has_no_unit_root_error():
    """Tracker: checking the remediated shampoo set-up gave LD201 '1 is needed'."""
    result = lstm_doctor.fix(str(SHAMPOO / "shampoo-sales.csv"),
                             config=str(SHAMPOO / "setup.yaml"), target="Sales",
                             time_col="Month")
    assert result.config.preprocessing.difference == 1
    after = lstm_doctor.check(str(SHAMPOO / "shampoo-sales.csv"), config=result.config,
                              target="Sales", time_col="Month")
    codes = {f.code: f.severity.value for f in after.findings}
    assert "LD201" not in codes and "LD203" not in codes, codes
    assert {u["code"] for u in result.unfixable} <= {"LD402", "LD403"}


# -- root causes found by the fixpoint ------------------------------------------------------

def test_detrending_instead_of_differencing_is_one_remedy():
    """LD202 proposed detrend and 'no differencing' as two remedies of the same slot: the
    second was dropped, so the fixed set-up detrended AND differenced (LD203 error)."""
    data, kwargs = make({"generator": "trend", "n": 300}, FIXTURES)
    result = lstm_doctor.fix(data, config={"preprocessing": {"difference": 1}}, **kwargs)
    p = result.config.preprocessing
    assert (p.detrend, p.difference) == (True, 0)
    assert not result.dropped


def test_removing_a_seasonal_difference_at_a_wrong_lag_keeps_the_unit_root_removed():
    """LD203 removed a lag-7 seasonal difference (1 - B^7 contains 1 - B) without a first
    difference in its place: LD201 then asked for one on the fixed set-up."""
    result = lstm_doctor.fix(str(FIXTURES / "co2_monthly.csv"),
                             config={"preprocessing": {"seasonal_difference": 7},
                                     "window": {"seq_length": 10}})
    p = result.config.preprocessing
    assert p.difference == 1 and p.seasonal_difference != 7
    after = lstm_doctor.check(str(FIXTURES / "co2_monthly.csv"), config=result.config)
    assert "LD201" not in _loud(after)


def test_capacity_remedy_fits_the_network_with_its_head_and_front_end():
    """LD401 sized only the LSTM layer: a Conv1D front end and Dense head kept the network
    over the limit, and the remedy then proposed nothing."""
    case = FIXTURES / "realworld" / "sunspots-dlai-conv-lstm"
    result = lstm_doctor.fix(str(case / "Sunspots.csv"), config=str(case / "setup.yaml"),
                             **_realworld_options(case))
    assert "LD401" in {c for *_, codes in result.changes for c in codes}
    after = lstm_doctor.check(result.report.extras["context"].series, config=result.config)
    assert "LD401" not in _loud(after)


def test_too_little_data_judges_the_data_not_the_window_or_the_validation_split():
    """LD402 counted windows after the validation split and for the set-up's window, so the
    remediated set-up (early stopping, a season-long window) turned it on."""
    short = {"window": {"seq_length": 10}, "split": {"test_size": 0.2}}
    long = {"window": {"seq_length": 15}, "split": {"test_size": 0.2},
            "training": {"validation_split": 0.2, "early_stopping": True}}
    for config in (short, long):
        report = lstm_doctor.check(AIR, config=config, select=["LD402"])
        assert not report.findings, report.findings[0].message


def test_a_lengthened_window_passes_the_memory_rule_on_its_own_longer_range():
    """LD503 proposed the largest lag within the range it tests for the user's window; the
    longer window is tested further out (beijing 1 -> 11 -> 14, household 7 -> 14 -> 21)."""
    case = FIXTURES / "realworld" / "household-power-multistep"
    result = lstm_doctor.fix(str(case / "household_power_consumption_days.csv"),
                             config=str(case / "setup.yaml"), **_realworld_options(case))
    after = lstm_doctor.check(result.report.extras["context"].series, config=result.config,
                              select=["LD503"])
    assert not after.findings, after.findings[0].message


def test_remedies_that_consume_data_are_refined_in_a_second_pass():
    """A 168-step seasonal difference and a larger holdout leave fewer windows than the
    capacity remedy was sized for: the remediated set-up is checked again and refined."""
    data, kwargs = make({"generator": "seasonal", "n": 600, "period": 168, "amplitude": 10,
                         "freq": "h"}, FIXTURES)
    config = {"window": {"seq_length": 24}, "split": {"test_size": 0.2}}
    report = lstm_doctor.check(data, config=config, **kwargs)
    once = build_remediation(report.extras["context"].config, report.findings)
    refined = remediate_to_fixpoint(report)
    assert refined.passes == 2 and refined.checked is not None
    assert refined.config.model.units < once.config.model.units
    assert "LD401" not in _loud(refined.checked)
    units = next(a for a in refined.applied if "model.units" in
                 {f"model.{k}" for k in a.remedy.changes})
    assert units.sources == ["LD401"]


# -- conflicts: which remedy won and why ----------------------------------------------------

class _Finding:
    def __init__(self, code, severity, remedies):
        self.code, self.remedies, self.crashed = code, remedies, False
        self.severity = lstm_doctor.Severity(severity)


def test_a_conflict_names_the_winner_and_why():
    findings = [_Finding("LD502", "error", [SetWindow(15)]),
                _Finding("LD503", "warning", [SetWindow(10)])]
    rem = build_remediation(LSTMConfig(), findings)
    assert rem.config.window.seq_length == 15
    (lost,) = rem.dropped
    assert lost["source"] == "LD503"
    assert "window.seq_length = 15 (from LD502), which wins: LD502's finding is more " \
        "severe (error over warning)" in lost["reason"]
    same = build_remediation(LSTMConfig(), [_Finding("LD502", "warning", [SetWindow(15)]),
                                            _Finding("LD503", "warning", [SetWindow(10)])])
    assert "comes first at the same severity (warning)" in same.dropped[0]["reason"]


def test_a_remedy_within_another_is_merged_not_dropped():
    """Validating on the training split (LD606) is part of early stopping (LD603)."""
    findings = [_Finding("LD603", "warning", [EarlyStopping()]),
                _Finding("LD606", "info", [ValidateOnTraining()])]
    rem = build_remediation(LSTMConfig.from_dict({"training": {"validation": "holdout"}}),
                            findings)
    assert rem.dropped == []
    (es,) = [a for a in rem.applied if a.kind == "early-stopping"]
    assert es.sources == ["LD603", "LD606"]


def test_two_windows_that_both_lengthen_are_one_request():
    """LD502 (the season) and LD503 (memory) both ask for a longer window on airline
    passengers: the longer one satisfies both (it used to drop LD503's as a conflict)."""
    result = lstm_doctor.fix(AIR, config={"window": {"seq_length": 6},
                                          "preprocessing": {"scaler": "standard"}})
    assert result.config.window.seq_length == 15 and result.dropped == []
    (window,) = [codes for key, *_, codes in result.changes if key == "window.seq_length"]
    assert window == ["LD502", "LD503"]


def test_a_real_conflict_is_shown_by_fix_and_report(tmp_path, capsys):
    """CO2 with a window of 6 and LD502's longest window set to 10: LD502 (error) removes
    the season by seasonal differencing, LD204 (info) by deseasonalising; LD502 wins."""
    co2 = str(FIXTURES / "co2_monthly.csv")
    setup = tmp_path / "setup.yaml"
    setup.write_text("preprocessing:\n  scaler: standard\nwindow:\n  seq_length: 6\n")
    project = tmp_path / "lstm-doctor.toml"
    project.write_text("[thresholds]\nLD502 = { max_window = 10 }\n")
    result = lstm_doctor.fix(co2, config=str(setup), thresholds={"LD502": {"max_window": 10}})
    p = result.config.preprocessing
    assert (p.seasonal_difference, p.deseasonalize) == (12, 0)
    (lost,) = result.dropped
    assert (lost["describe"], lost["source"]) == ("preprocessing.deseasonalize = 12", "LD204")
    assert lost["reason"] == (
        "conflicts with preprocessing.seasonal_difference = 12, preprocessing.deseasonalize "
        "= 0 (from LD502), which wins: LD502's finding is more severe (error over info)")
    assert "# not applied (a conflicting remedy won):" in result.yaml
    assert lost["reason"] in result.yaml and result.to_dict()["dropped"][0] == lost
    after = lstm_doctor.check(co2, config=result.config, thresholds={"LD502": {"max_window": 10}})
    assert not _loud(after), [f.message for f in after.findings]
    code, out, err = run_cli(["fix", co2, "--config", setup, "--project-config", project],
                             capsys)
    assert code == 0 and "not applied: preprocessing.deseasonalize = 12 [LD204]" in err
    assert "which wins: LD502's finding is more severe (error over info)" in " ".join(
        err.split())
    # the report's text rendering shows it too
    from rich.console import Console

    from lstm_doctor.render.comparison import print_comparison

    console = Console(record=True, width=300)
    print_comparison({"remedies": [{"describe": "preprocessing.seasonal_difference = 12",
                                    "source": "LD502"}],
                      "remedies_dropped": result.dropped}, console)
    text = console.export_text()
    assert "preprocessing.seasonal_difference = 12 [LD502]" in text
    assert "Not applied: preprocessing.deseasonalize = 12 [LD204]" in text
    assert "which wins: LD502" in text


# -- the Python API -------------------------------------------------------------------------

def test_fix_result_api(tmp_path):
    result = lstm_doctor.fix(str(SHAMPOO / "shampoo-sales.csv"),
                             config=str(SHAMPOO / "setup.yaml"), target="Sales",
                             time_col="Month")
    assert isinstance(result, lstm_doctor.FixResult)
    keys = [k for k, *_ in result.changes]
    assert "training.early_stopping" in keys
    for key, old, new, codes in result.changes:
        assert result.user_config.value(key) == old and result.config.value(key) == new
        assert codes and all(c.startswith("LD") or c == "remediation" for c in codes)
        assert result.config.origin(key) == "given"
    assert result.config.origin("training.epochs") == "given"
    doc = json.loads(json.dumps(result.to_dict()))
    assert {c["key"] for c in doc["changes"]} == set(keys)
    assert doc["yaml"] == result.yaml and doc["config"]["origins"]["training.epochs"] == "given"
    text = repr(result)
    assert text.startswith("<FixResult") and len(text) < 200 and "LD402" in text
    diff = result.diff(fromfile="a/setup.yaml", tofile="b/setup.yaml")
    assert diff.startswith("--- a/setup.yaml\n+++ b/setup.yaml\n")
    assert "-  early_stopping: false            # no callbacks" in diff
    assert "+  early_stopping: true             # fix: LD603" in diff
    # the user's comments and layout are kept; the written file loads to the fixed set-up
    assert "# MinMaxScaler(feature_range=(-1, 1))" not in result.yaml
    assert "scaler.fit(train)" in result.yaml and "shuffle=False" in result.yaml
    path = tmp_path / "fixed.yaml"
    path.write_text(result.yaml)
    assert load_config(path).to_dict() == result.config.to_dict()


def test_changing_an_assumed_value_says_so():
    result = lstm_doctor.fix(AIR, config={"model": {"units": 50}})
    labels = {c["key"]: c["label"] for c in result.to_dict()["changes"]}
    assert labels["training.early_stopping"].endswith("(assumed; state the real value)")
    assert "assumed" not in labels["model.units"]
    # keys the fix sets become given; the others keep their provenance
    origin = result.config.origin
    assert origin("training.early_stopping") == "given" and origin("model.units") == "given"
    assert origin("training.epochs") == "assumed" and origin("model.layers") == "given"
    assert "early_stopping: true  # fix: LD603 (assumed; state the real value)" in result.yaml


def test_nothing_to_fix_keeps_the_file(tmp_path):
    text = ("# a good set-up\npreprocessing: {log: true, difference: 1, scaler: standard}\n"
            "window: {seq_length: 15}\nmodel: {units: 8}\n"
            "training: {validation_split: 0.2, early_stopping: true}\n")
    path = tmp_path / "good.yaml"
    path.write_text(text)
    before = lstm_doctor.check(AIR, config=str(path))
    result = lstm_doctor.fix(AIR, config=str(path))
    assert result.changes == [] and result.yaml == text and result.diff() == ""
    assert result.config.to_dict() == before.extras["context"].config.to_dict()


def test_a_model_alone_gives_the_whole_setup():
    case = FIXTURES / "realworld" / "airline-lookback1"
    result = lstm_doctor.fix(str(case / "airline-passengers.csv"),
                             model=str(case / "model.keras"), **_realworld_options(case))
    written = yaml.safe_load(result.yaml)
    assert written["model"]["units"] == 4 and written["model"]["cell"] == "lstm"
    assert "the architecture comes from the model" in result.yaml
    assert LSTMConfig.from_dict(written).to_dict() == result.config.to_dict()
    assert result.config.origin("model.units") == "model"
    assert result.diff().startswith(f"--- {case / 'model.keras'}\n")


def test_flow_style_sections_and_a_second_run(tmp_path):
    path = tmp_path / "lstm.yaml"
    path.write_text("# mine\npreprocessing: {scaler: minmax, scaler_fit: full}  # leaky\n"
                    "model:\n  units: 50\n  head:\n    - 32\n")
    result = lstm_doctor.fix(str(FIXTURES / "nile.csv"), config=str(path))
    assert "# mine" in result.yaml and "# leaky" in result.yaml
    assert load_config_text(result.yaml).to_dict() == result.config.to_dict()
    path.write_text(result.yaml)
    again = lstm_doctor.fix(str(FIXTURES / "nile.csv"), config=str(path))
    assert again.changes == [] and again.yaml == result.yaml
    assert result.yaml.count("# --- lstm-doctor fix") == 1


def test_a_toml_config_is_written_as_yaml(tmp_path):
    path = tmp_path / "lstm.toml"
    path.write_text("[model]\nunits = 50\n")
    result = lstm_doctor.fix(str(FIXTURES / "nile.csv"), config=str(path))
    assert load_config_text(result.yaml).to_dict() == result.config.to_dict()
    assert result.diff().splitlines()[0] == f"--- {path}"


def test_fix_without_a_setup_is_an_input_error():
    with pytest.raises(lstm_doctor.InputError, match="--config"):
        lstm_doctor.fix(AIR)


# -- the command line -----------------------------------------------------------------------

@pytest.fixture
def shampoo(tmp_path):
    """The shampoo tutorial's data and set-up, copied (their bytes and times recorded)."""
    for name in ("shampoo-sales.csv", "setup.yaml"):
        shutil.copy2(SHAMPOO / name, tmp_path / name)
    setup = tmp_path / "setup.yaml"
    return tmp_path / "shampoo-sales.csv", setup, setup.read_bytes(), setup.stat().st_mtime_ns


def test_cli_prints_the_fixed_yaml_and_leaves_the_config_alone(shampoo, capsys):
    data, setup, raw, mtime = shampoo
    code, out, err = run_cli(["fix", data, "--config", setup, *SHAMPOO_ARGS], capsys)
    assert code == 0, err
    assert load_config_text(out).training.early_stopping is True
    assert "fixed 3 setting(s) for LD304, LD603" in err
    assert "still reported (no set-up change fixes these): LD402 warning" in err
    assert setup.read_bytes() == raw and setup.stat().st_mtime_ns == mtime
    assert sorted(p.name for p in setup.parent.iterdir()) == ["setup.yaml", "shampoo-sales.csv"]


def test_cli_diff(shampoo, capsys):
    data, setup, raw, _ = shampoo
    code, out, err = run_cli(["fix", data, "--config", setup, "--diff", *SHAMPOO_ARGS], capsys)
    assert code == 0, err
    assert out.startswith(f"--- {setup}\n+++ fixed.yaml\n@@ ")
    assert "-  scaler: minmax                   # MinMaxScaler(feature_range=(-1, 1))" in out
    assert "+  scaler: standard                 # fix: LD304" in out
    assert "+  validation_split: 0.2            # fix: LD603" in out
    assert setup.read_bytes() == raw


def test_cli_output_file_is_written_atomically(shampoo, capsys, monkeypatch):
    data, setup, raw, _ = shampoo
    out_file = setup.parent / "fixed.yaml"
    out_file.write_text("old\n")
    renames = []
    real_replace = os.replace

    def replace(src, dst):
        renames.append((Path(src), Path(dst)))
        assert Path(dst).read_text() == "old\n"  # the target is untouched until the rename
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    code, out, err = run_cli(["fix", data, "--config", setup, "-o", out_file, *SHAMPOO_ARGS],
                             capsys)
    assert code == 0 and out == "", err
    assert f"wrote {out_file}" in " ".join(err.split())
    ((src, dst),) = renames
    assert dst == out_file and src.parent == out_file.parent and not src.exists()
    assert load_config(out_file).training.early_stopping is True
    assert setup.read_bytes() == raw


def test_cli_output_failure_leaves_the_old_file(shampoo, capsys, monkeypatch):
    data, setup, _, _ = shampoo
    out_file = setup.parent / "fixed.yaml"
    out_file.write_text("old\n")

    def broken(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    code, out, err = run_cli(["fix", data, "--config", setup, "-o", out_file, *SHAMPOO_ARGS],
                             capsys)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "cannot be written" in err
    assert out_file.read_text() == "old\n"
    assert sorted(p.name for p in setup.parent.iterdir()) == [
        "fixed.yaml", "setup.yaml", "shampoo-sales.csv"]


def test_cli_in_place(shampoo, capsys):
    data, setup, raw, _ = shampoo
    setup.chmod(0o640)
    code, out, err = run_cli(["fix", data, "--config", setup, "--in-place", *SHAMPOO_ARGS],
                             capsys)
    assert code == 0 and out == "", err
    text = setup.read_text()
    assert text != raw.decode() and "early_stopping: true             # fix: LD603" in text
    assert "# Only the values the script fixes are written." in text
    assert setup.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in setup.parent.iterdir()) == ["setup.yaml", "shampoo-sales.csv"]
    # a second run has nothing to fix and does not touch the file
    mtime = setup.stat().st_mtime_ns
    code, out, err = run_cli(["fix", data, "--config", setup, "--in-place", *SHAMPOO_ARGS],
                             capsys)
    assert code == 0 and "nothing to fix" in err
    assert setup.read_text() == text and setup.stat().st_mtime_ns == mtime


def test_cli_nothing_to_fix(tmp_path, capsys):
    path = tmp_path / "good.yaml"
    path.write_text("preprocessing: {log: true, difference: 1, scaler: standard}\n"
                    "window: {seq_length: 15}\nmodel: {units: 8}\n"
                    "training: {validation_split: 0.2, early_stopping: true}\n")
    code, out, err = run_cli(["fix", AIR, "--config", path, "--isolated"], capsys)
    assert code == 0 and "nothing to fix" in err and out == path.read_text()
    code, out, err = run_cli(["fix", AIR, "--config", path, "--diff", "--isolated"], capsys)
    assert code == 0 and out == "" and "nothing to fix" in err


def test_cli_model_only(capsys):
    case = FIXTURES / "realworld" / "airline-lookback1"
    code, out, err = run_cli(["fix", case / "airline-passengers.csv", "--model",
                              case / "model.keras", "--isolated",
                              *_realworld_flags(case)], capsys)
    assert code == 0, err
    assert "the architecture comes from the model" in out
    assert load_config_text(out).model.units == 4


@pytest.mark.parametrize("extra,words", [
    (["-o", "{setup}"], ["is your --config file", "--in-place"]),
    (["-o", "{data}"], ["is your DATA file"]),
    (["-o", "x.yaml", "--in-place"], ["either -o/--output or --in-place"]),
    (["--config", "{missing}"], ["missing.yaml", "does not exist"]),
    (["--config", "{toml}", "--in-place"], ["rewrites YAML config files"]),
    (["--model", "{toml}"], ["not a .keras archive"]),
    ([], ["fix needs the LSTM set-up"]),
    (["--config", "{badkey}"], ["unknown key 'model.unit'", "did you mean 'units'"]),
    (["--config", "{setup}", "--target", "sales"], ["'sales' not found"]),
], ids=["o-is-config", "o-is-data", "o-and-in-place", "missing-config", "in-place-toml",
        "model-not-keras", "no-setup", "bad-key", "bad-target"])
def test_cli_bad_input_is_one_line_and_exit_2(shampoo, capsys, extra, words):
    data, setup, raw, _ = shampoo
    toml = setup.parent / "lstm.toml"
    toml.write_text("[model]\nunits = 8\n")
    badkey = setup.parent / "bad.yaml"
    badkey.write_text("model:\n  unit: 10\n")
    paths = {"setup": setup, "data": data, "missing": setup.parent / "missing.yaml",
             "toml": toml, "badkey": badkey}
    args = [a.format(**paths) for a in extra]
    if "--config" not in args and "--model" not in args and extra[:1] == ["-o"]:
        args = ["--config", str(setup), *args]
    target = [] if "--target" in args else ["--target", "Sales"]
    code, out, err = run_cli(["fix", data, *args, *target, "--time-col", "Month",
                              "--isolated"], capsys)
    assert code == 2 and out == "", (out, err)
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    for word in words:
        assert word in " ".join(err.split()), err
    assert setup.read_bytes() == raw and data.exists()


# -- helpers --------------------------------------------------------------------------------

def load_config_text(text: str) -> LSTMConfig:
    return LSTMConfig.from_dict(yaml.safe_load(text))


def _realworld_options(case_dir: Path) -> dict:
    spec = yaml.safe_load((case_dir / "case.yaml").read_text(encoding="utf-8"))
    options = spec.get("check_options") or {}
    return {k: options[k] for k in ("target", "time_col", "features") if options.get(k)}


def _realworld_flags(case_dir: Path) -> list[str]:
    flags = {"target": "--target", "time_col": "--time-col", "features": "--features"}
    return [x for k, v in _realworld_options(case_dir).items() for x in (flags[k], str(v))]
