"""Issue #16: every input ends in a clear answer, with bounded work.

One minimised regression test per class of failure found by fuzzing: inputs that reached
the "unexpected ... please report it" catch-all, values that passed validation and then
crashed rules, unbounded work, and user-controlled text in generated code.
"""

from __future__ import annotations

import json
import math
import re
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lstm_doctor
from lstm_doctor import InputError
from lstm_doctor.data import load_series, time_grid
from tests.helpers import FIXTURES, run_cli

PACKAGE = Path(lstm_doctor.__file__).resolve().parent
N = 60


def _y(n: int = N) -> np.ndarray:
    return 10 + np.sin(np.arange(n) / 3) + 0.05 * np.arange(n)


def _one_error_line(code: int, err: str, *words: str) -> str:
    """Exit 2 with exactly one line on stderr, never the catch-all, naming ``words``."""
    assert code == 2, err
    line = err.strip()
    assert "\n" not in line and line.startswith("error:"), err
    assert "unexpected" not in line and "please report" not in line, err
    assert "Traceback" not in err
    for word in words:
        assert word in line, (word, line)
    return line


def _json(out: str) -> dict:
    return json.loads(out)


def _no_crash(report: dict) -> None:
    crashed = [f["message"] for f in report["findings"] if f.get("crashed")]
    assert not crashed, crashed


# -- inputs that reached the catch-all -------------------------------------------------------

def test_mixed_utc_offsets_are_converted_to_utc(tmp_path, capsys):
    stamps = pd.date_range("2021-03-01", periods=N, freq="D")
    text = [s.strftime("%Y-%m-%dT12:00:00") + ("+02:00" if i % 2 else "-05:00")
            for i, s in enumerate(stamps)]
    path = tmp_path / "offsets.csv"
    pd.DataFrame({"date": text, "y": _y()}).to_csv(path, index=False)
    code, out, err = run_cli(["check", path, "--format", "json"], capsys)
    assert code in (0, 1) and not err.strip(), err
    data = _json(out)["data"]
    assert data["time_col"] == "date" and "converted to UTC" in data["time_note"]
    assert data["start"] == "2021-03-01T17:00:00"  # 12:00-05:00


def test_semicolon_csv_with_decimal_commas_is_read(tmp_path, capsys):
    path = tmp_path / "eu.csv"
    path.write_text("t;value\n" + "".join(f"{i};{20 + i / 10:.1f}".replace(".", ",") + "\n"
                                          for i in range(N)))
    code, out, err = run_cli(["check", path, "--format", "json"], capsys)
    assert code in (0, 1), err
    data = _json(out)["data"]
    assert (data["target"], data["time_col"], data["n"]) == ("value", "t", N)
    assert data["min"] == 20.0 and math.isclose(data["max"], 25.9)


def test_thousands_separators_are_read(tmp_path, capsys):
    path = tmp_path / "us.csv"
    days = pd.date_range("2020-01-01", periods=N, freq="D")
    path.write_text("date,sales\n" + "".join(f'{d.date()},"{1000 + i + 0.5:,.1f}"\n'
                                             for i, d in enumerate(days)))
    code, out, err = run_cli(["check", path, "--format", "json"], capsys)
    assert code in (0, 1), err
    data = _json(out)["data"]
    assert data["target"] == "sales" and data["min"] == 1000.5 and data["max"] == 1059.5


def test_separated_numbers_in_a_frame_get_a_precise_message():
    frame = pd.DataFrame({"t": range(N), "v": [f"1,{100 + i}.5" for i in range(N)]})
    with pytest.raises(InputError, match=r"column 'v' holds numbers written with thousands "
                                         r"separators.*'1,100.5'"):
        load_series(frame, time_col="t")
    frame = pd.DataFrame({"v": [f"{20 + i},{i % 10}" for i in range(N)]})
    with pytest.raises(InputError, match="decimal commas"):
        load_series(frame)


def test_a_400_digit_integer_is_an_input_error(tmp_path, capsys):
    path = tmp_path / "huge.csv"
    path.write_text("y\n" + "".join(("9" * 400 if i == 5 else str(i % 7 + 1)) + "\n"
                                    for i in range(N)))
    code, _, err = run_cli(["check", path], capsys)
    _one_error_line(code, err, "huge.csv", "'y'", "row 5", "400-digit", "too large")
    with pytest.raises(InputError, match="too large for a 64-bit float"):
        lstm_doctor.check([10**400] + list(range(N)))


def _archive(path: Path, config) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("config.json", json.dumps(config))
    return path


def _seq(*layers):
    body = [{"class_name": "InputLayer", "config": {"batch_shape": [None, 10, 1]}}]
    body += [{"class_name": cls, "config": cfg} for cls, cfg in layers]
    return {"class_name": "Sequential", "config": {"name": "m", "layers": body}}


def _nested(depth: int) -> dict:
    inner = _seq(("Dense", {"units": 1}))
    for _ in range(depth):
        inner = {"class_name": "Sequential", "config": {"layers": [inner]}}
    return inner


@pytest.mark.parametrize("config,words", [
    (_seq(("LSTM", {"units": "abc"})), ["'units' is 'abc'"]),
    ({"class_name": "Sequential", "config": {"layers": ["LSTM", "Dense"]}}, ["layer 0"]),
    ([1, 2, 3], ["holds list"]),
    (_nested(300), ["nested"]),
])
def test_malformed_keras_configs_are_one_line_errors(tmp_path, capsys, config, words):
    data = tmp_path / "y.csv"
    pd.DataFrame({"y": _y()}).to_csv(data, index=False)
    model = _archive(tmp_path / "bad.keras", config)
    code, _, err = run_cli(["check", data, "--model", model], capsys)
    _one_error_line(code, err, "bad.keras", *words)


# -- values that passed validation and then crashed rules ------------------------------------

@pytest.mark.parametrize("preprocessing,words", [
    ("log: true", ["preprocessing.log", "negative values", "row 14"]),
    ("boxcox: 0.5", ["preprocessing.boxcox", "strictly positive", "row 14"]),
])
def test_log_of_a_series_with_negative_values_is_one_input_error(tmp_path, capsys,
                                                                 preprocessing, words):
    data = tmp_path / "neg.csv"
    pd.DataFrame({"y": _y() - 11}).to_csv(data, index=False)
    cfg = tmp_path / "setup.yaml"
    cfg.write_text(f"preprocessing:\n  {preprocessing}\n")
    code, _, err = run_cli(["check", data, "--config", cfg], capsys)
    _one_error_line(code, err, *words)
    # the same set-up on a positive series is fine and crashes no rule
    pd.DataFrame({"y": _y()}).to_csv(data, index=False)
    code, out, err = run_cli(["check", data, "--config", cfg, "--format", "json"], capsys)
    assert code in (0, 1), err
    _no_crash(_json(out))


@pytest.mark.parametrize("section,key,value", [
    ("split", "test_size", ".nan"), ("training", "validation_split", ".nan"),
    ("training", "learning_rate", ".inf"), ("model", "dropout", ".nan"),
    ("preprocessing", "boxcox", ".nan"), ("preprocessing", "boxcox", "-.inf"),
    ("window", "seq_length", "1.0e+308"), ("window", "horizon", "1" + "0" * 400),
    ("preprocessing", "deseasonalize", "100000000"),
    ("preprocessing", "seasonal_difference", "100000000"),
])
def test_non_finite_and_huge_config_values_are_refused(tmp_path, capsys, section, key, value):
    data = tmp_path / "y.csv"
    pd.DataFrame({"y": _y()}).to_csv(data, index=False)
    cfg = tmp_path / "setup.yaml"
    cfg.write_text(f"{section}:\n  {key}: {value}\n")
    code, _, err = run_cli(["check", data, "--config", cfg], capsys)
    line = _one_error_line(code, err, f"{section}.{key}")
    assert len(line) < 300


@pytest.mark.parametrize("config,words", [
    ({"window": {"seq_length": 61}}, ["window.seq_length 61", "60 points", "shorter"]),
    ({"window": {"seq_length": 20, "sampling_rate": 4}}, ["spans 77 points"]),
    ({"window": {"horizon": 60}}, ["window.horizon is 60"]),
    ({"preprocessing": {"deseasonalize": 60}}, ["preprocessing.deseasonalize is 60"]),
    ({"preprocessing": {"seasonal_difference": 70}}, ["seasonal_difference is 70"]),
])
def test_a_set_up_longer_than_the_series_is_an_input_error(config, words):
    with pytest.raises(InputError) as info:
        lstm_doctor.check(_y(), config=config)
    for word in words:
        assert word in str(info.value)


def test_a_window_that_fits_is_judged_by_the_rules_not_refused():
    report = lstm_doctor.check(_y(), config={"window": {"seq_length": 60}})
    assert any(f.code == "LD501" for f in report.findings)
    assert not any(f.crashed for f in report.findings)


@pytest.mark.parametrize("toml,words", [
    ("LD101 = { max_missing_fraction = -1 }", ["LD101.max_missing_fraction", "[0, 1]"]),
    ("LD403 = { min_points = nan }", ["LD403.min_points", "nan"]),
    ('LD101 = { max_missing_fraction = "0.1" }', ["LD101.max_missing_fraction"]),
    ("LD403 = { min_points = 10000000000 }", ["LD403.min_points", "1,000,000,000"]),
])
def test_project_thresholds_out_of_range(tmp_path, capsys, monkeypatch, toml, words):
    monkeypatch.chdir(tmp_path)
    pd.DataFrame({"y": _y()}).to_csv(tmp_path / "y.csv", index=False)
    (tmp_path / "lstm-doctor.toml").write_text(f"[thresholds]\n{toml}\n")
    code, _, err = run_cli(["check", "y.csv"], capsys)
    _one_error_line(code, err, "lstm-doctor.toml", *words)


@pytest.mark.parametrize("kwargs,match", [
    ({"thresholds": {"LD101": {"max_missing_fraction": -1}}}, r"LD101\.max_missing_fraction"),
    ({"thresholds": {"LD403": {"min_points": math.nan}}}, r"LD403\.min_points"),
    ({"thresholds": {"LD101": {"max_missing_fraction": "0.1"}}}, r"found '0\.1'"),
    ({"thresholds": {"LD403": {"min_points": 10**400}}}, r"LD403\.min_points"),
    ({"select": [5]}, r"select must be"),
    ({"ignore": 5}, r"ignore must be"),
    ({"config": 5}, r"config: expected a path"),
    ({"target": 5.5}, r"target must be a column name"),
    ({"features": 5}, r"features must be a list"),
])
def test_api_arguments_of_the_wrong_kind_are_input_errors(kwargs, match):
    with pytest.raises(InputError, match=match):
        lstm_doctor.check(_y(), **kwargs)


def test_duplicate_column_names_are_an_input_error():
    frame = pd.DataFrame(np.c_[_y(), _y()], columns=["a", "a"])
    with pytest.raises(InputError, match=r"duplicate column names \('a'\)"):
        lstm_doctor.check(frame, target="a")
    # integer column names are names too
    assert lstm_doctor.check(pd.DataFrame({5: _y()}), target=5).data["target"] == "5"


# -- unbounded work --------------------------------------------------------------------------

def test_deseasonalize_profile_is_linear_in_the_series_length():
    """A period as long as the series must not loop over the period once per point."""
    from lstm_doctor.config import Preprocessing
    from lstm_doctor.preprocess import Pipeline

    y = _y(2000)
    pipe = Pipeline(Preprocessing(deseasonalize=1999))
    z = pipe.fit_transform(y, 1500)
    assert np.isfinite(z).all() and pipe.stages_[0].profile.shape == (1999,)


def test_one_outlying_integer_stamp_is_counted_not_materialised():
    t = np.arange(N)
    t[-1] = 10**15
    grid = time_grid(pd.Index(t))
    assert grid["n_missing"] == 10**15 - N + 1 and grid["longest_gap"] == 10**15 - N + 1
    assert len(grid["missing_stamps"]) == 10


def test_one_second_data_with_a_stamp_ten_years_later():
    stamps = pd.date_range("2020-01-01", periods=N, freq="s")
    late = stamps[-1] + pd.Timedelta(days=3650)
    grid = time_grid(stamps[:-1].append(pd.DatetimeIndex([late])))
    span = int((late - stamps[0]).total_seconds())
    assert grid["step"] == "s" and grid["n_missing"] == span + 1 - N
    report = lstm_doctor.check(pd.DataFrame({"y": _y()}, index=stamps[:-1].append(
        pd.DatetimeIndex([late]))))
    assert report.findings[0].code == "LD101"


def test_one_business_day_far_away_picks_no_exchange_from_the_gap():
    """Holidays inside a 260-year gap are no evidence for an exchange's calendar."""
    pytest.importorskip("exchange_calendars")
    idx = pd.bdate_range("2000-01-03", periods=N - 1).append(
        pd.DatetimeIndex([pd.Timestamp("2260-01-05")]))
    series = load_series(pd.DataFrame({"y": _y()}, index=idx))
    assert series.calendar == "business"
    assert time_grid(series.time, series.calendar)["n_missing"] == len(
        pd.bdate_range("2000-01-03", "2260-01-05")) - N


def test_a_keras_config_that_unpacks_huge_is_refused_before_reading(tmp_path):
    from lstm_doctor.keras_archive import MAX_CONFIG_BYTES, read_keras_archive

    path = tmp_path / "bomb.keras"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        with zf.open("config.json", "w", force_zip64=True) as member:
            block = b" " * (1 << 20)
            for _ in range(MAX_CONFIG_BYTES // len(block) + 1):
                member.write(block)
    assert path.stat().st_size < 1_000_000
    with pytest.raises(InputError, match=r"bomb\.keras' has a config\.json of .* bytes, more "
                                         r"than the .* read"):
        read_keras_archive(path)


@pytest.mark.parametrize("scale", [1e160, 1e300, 1e-160, 1e-300])
def test_extreme_magnitudes_give_the_findings_of_the_unscaled_series(tmp_path, capsys,
                                                                     scale):
    rng = np.random.default_rng(1)
    y = 50 + 3 * np.sin(np.arange(200) / 3) + np.cumsum(rng.normal(size=200))
    scale_free = {"LD202", "LD204", "LD502"}  # judged on statistics alone
    base = {f.code for f in lstm_doctor.check(y, config={"window": {"seq_length": 12}})
            .findings} & scale_free
    assert base == scale_free
    path = tmp_path / "big.csv"
    pd.DataFrame({"y": y * scale}).to_csv(path, index=False)
    cfg = tmp_path / "setup.yaml"
    cfg.write_text("window:\n  seq_length: 12\n")
    code, out, err = run_cli(["check", path, "--config", cfg, "--format", "json"], capsys)
    assert code in (0, 1) and err.strip() == "", err  # no RuntimeWarning on the terminal
    report = _json(out)
    assert {f["code"] for f in report["findings"]} & scale_free == scale_free
    assert math.isclose(report["data"]["std"] / scale, float(np.std(y)), rel_tol=1e-9)
    _no_crash(report)


def test_statistics_helpers_are_scale_free():
    from lstm_doctor import stats

    x = np.array([1.0, 2.0, 4.0, np.nan])
    for scale in (1.0, 1e200, 1e-200):
        assert math.isclose(stats.stable_std(x * scale) / scale, float(np.std(x[:3])))
        assert math.isclose(stats.stable_mean(x * scale) / scale, 7 / 3)
    assert math.isnan(stats.stable_std([np.nan], ddof=1))


# -- generated code --------------------------------------------------------------------------

HOSTILE = ["C:\\Users\\sales", 'a"""b', 'ends with "', "two\nlines", "nul\x00byte",
           "surrogate\udc80", "'''", "\\", "{{ jinja }}", "# comment"]


@pytest.mark.parametrize("name", HOSTILE)
def test_generated_training_script_compiles_for_hostile_names(name):
    from lstm_doctor._codegen import check_compiles
    from lstm_doctor.config import LSTMConfig
    from lstm_doctor.experiment.remediation import render_training_script

    script = render_training_script(
        LSTMConfig(), data_path=name, target=name, time_col=name, features=[name],
        remedies=[], source_note=f"Data: {name} (target '{name}').")
    check_compiles(script)
    namespace: dict = {}
    exec(compile(script.replace('if __name__ == "__main__":', "if False:"), "s", "exec"),
         namespace)
    assert namespace["TARGET"] == name and namespace["DATA"] == name
    assert namespace["FEATURES"] == [name] and name in namespace["__doc__"]


@pytest.mark.parametrize("name", HOSTILE)
def test_codegen_escapes_round_trip(name):
    from lstm_doctor._codegen import check_compiles, comment_text, docstring_text, py_literal

    source = f'"""{docstring_text(name)}"""\nX = {py_literal(name)}  # {comment_text(name)}\n'
    check_compiles(source)
    namespace: dict = {}
    exec(compile(source, "s", "exec"), namespace)
    assert namespace["__doc__"] == name and namespace["X"] == name


# -- the catch-all ---------------------------------------------------------------------------

def test_the_catch_all_is_raised_only_by_the_last_resort_handlers():
    """'unexpected ... please report it' is for bugs: the CLI's last-resort handler and the
    per-series ones of check panels and report fleets (a series that fails never fails the
    run), nowhere else."""
    places = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for match in re.finditer(r"unexpected \{type\(exc\)", text):
            window = text[match.start(): match.start() + 400]
            if "please report" in window:
                places.append(path.relative_to(PACKAGE).as_posix())
    assert sorted(places) == ["cli.py", "panel.py", "report_fleet.py"], places


# -- outputs are checked before any work, and written atomically -------------------------------
@pytest.mark.parametrize("flags", [["--output", "{missing}/r.html"],
                                   ["--json", "{missing}/r.json"],
                                   ["--format", "sarif", "--output", "{tmp}"]])
def test_report_refuses_an_unwritable_output_before_training(tmp_path, capsys, monkeypatch,
                                                             flags):
    import lstm_doctor.api

    def must_not_run(*args, **kwargs):
        raise AssertionError("the experiment ran before the output path was checked")

    monkeypatch.setattr(lstm_doctor.api, "report", must_not_run)
    args = [f.format(missing=tmp_path / "nope", tmp=tmp_path) for f in flags]
    code, out, err = run_cli(["report", FIXTURES / "airpassengers.csv", *args], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "unexpected" not in err
    assert ("does not exist" in err) or ("is a directory" in err)


def test_a_failed_write_leaves_the_old_file_whole(tmp_path, monkeypatch):
    import os

    from lstm_doctor.outputs import write_atomic

    target = tmp_path / "report.json"
    target.write_text("the good one\n")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(InputError, match="cannot be written"):
        write_atomic(target, "half")
    assert target.read_text() == "the good one\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary left
