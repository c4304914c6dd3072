"""Reading real users' time columns: day-first dates, year-less months, trading calendars,
row-index columns, explicit formats, no time column and a separate test file.

Fixtures in fixtures/intake/ (see fixtures/intake/generate.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lstm_doctor
from lstm_doctor import InputError
from lstm_doctor.data import load_series, time_grid, validate_calendar
from tests.helpers import run_cli

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
INTAKE = FIXTURES / "intake"
JENA = str(INTAKE / "jena_like.csv")
SHAMPOO = str(INTAKE / "shampoo.csv")
NYSE = str(INTAKE / "nyse_stock.csv")
INDEXED = str(INTAKE / "index_col.csv")


def _check_json(args, capsys, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no project file of this repository
    code, out, err = run_cli(["check", *args, "--format", "json"], capsys)
    assert code in (0, 1), err
    assert "unexpected" not in err
    return json.loads(out)


def _one_line_error(args, capsys, monkeypatch, tmp_path) -> str:
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(["check", *args], capsys)
    assert code == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "unexpected" not in err and "Traceback" not in err
    return lines[0]


def _codes(doc) -> set[str]:
    return {f["code"] for f in doc["findings"]}


# -- day-first dates (the keras-io weather example's Jena climate file) ------------------------

def test_jena_dotted_day_first_stamps_are_regular_ten_minute_steps(capsys, monkeypatch,
                                                                   tmp_path):
    doc = _check_json([JENA, "--target", "T (degC)"], capsys, monkeypatch, tmp_path)
    data = doc["data"]
    assert "LD102" not in _codes(doc)
    assert data["frequency"] == "10min"
    assert data["time_col"] == "Date Time"
    assert data["time_format"] == "%d.%m.%Y %H:%M:%S"
    assert "day-first" in data["time_note"]
    assert data["start"] == "2009-01-01T00:10:00" and data["end"] == "2009-01-14T21:20:00"


def test_day_first_is_decided_by_a_day_above_12():
    days = pd.date_range("2020-01-01", periods=40, freq="D")
    frame = pd.DataFrame({"date": days.strftime("%d/%m/%Y"), "y": np.arange(40.0)})
    s = load_series(frame)
    assert s.time_format == "%d/%m/%Y" and s.frequency == "D"
    assert "'13/01/2020'" in s.time_note
    # a day above 12 only late in a long column (outside the detection sample's reach
    # would not matter either: the whole column is parsed and the twin format is tried)
    frame = pd.DataFrame({"date": days.strftime("%m/%d/%Y"), "y": np.arange(40.0)})
    assert load_series(frame).time_format == "%m/%d/%Y"


def test_all_ambiguous_dates_stay_month_first_and_say_so():
    months = pd.date_range("2020-01-01", periods=12, freq="MS")
    s = load_series(pd.DataFrame({"date": months.strftime("%m/%d/%Y"), "y": np.arange(12.0)}))
    assert s.time_format == "%m/%d/%Y" and s.frequency == "MS"
    assert "ambiguous" in s.facts()["time_note"]
    assert "--time-format '%d/%m/%Y'" in s.facts()["time_note"]


def test_a_day_first_date_outside_the_detection_sample_is_found():
    from lstm_doctor import data

    dates = [d for d in pd.date_range("2000-01-01", "2020-12-31") if d.day <= 12]
    n = len(dates)
    assert n > data._SAMPLE
    sampled = set(np.unique(np.linspace(0, n - 1, data._SAMPLE).astype(int)).tolist())
    row = next(k for k in range(n // 2, n) if k not in sampled)
    text = [f"{d.day:02d}/{d.month:02d}/{d.year}" for d in dates]
    text[row] = "13" + text[row][2:]  # the only day above 12: not in the sample
    s = load_series(pd.DataFrame({"when": text, "y": np.arange(float(n))}))
    assert s.time_format == "%d/%m/%Y"
    assert repr(text[row]) in s.time_note


# -- year-less months (the shampoo-sales file of a stateful-LSTM tutorial) ---------------------

def test_shampoo_year_less_months_are_a_monthly_grid(capsys, monkeypatch, tmp_path):
    doc = _check_json([SHAMPOO], capsys, monkeypatch, tmp_path)
    data = doc["data"]
    assert data["n"] == 36 and data["target"] == "Sales"
    assert data["frequency"] == "MS"
    assert data["start"] == "1901-01-01T00:00:00" and data["end"] == "1903-12-01T00:00:00"
    assert "year index" in data["time_note"] and "'1-01'" in data["time_note"]
    assert not {"LD101", "LD102"} & _codes(doc)


def test_year_less_months_out_of_order_are_an_ordinal_index_with_a_note():
    text = ["2-05", "1-01", "3-12", "1-07"] * 3
    s = load_series(pd.DataFrame({"Month": text, "Sales": np.arange(12.0)}))
    assert s.time is None and s.time_col is None
    assert "ordinal index" in s.time_note


@pytest.mark.parametrize("off", [False, "none", "None"])
def test_no_time_column_in_the_api(off):
    s = load_series(SHAMPOO, time_col=off)
    assert s.time is None and s.time_col is None and s.target == "Sales"
    assert "'Month'" in s.time_note
    # an integer year column is not taken as the target either
    nile = load_series(FIXTURES / "nile.csv", time_col=off)
    assert nile.target == "volume" and nile.time is None
    assert lstm_doctor.check(str(FIXTURES / "nile.csv"), time_col=off,
                             select=["LD102"]).outcomes[0].status == "skip"


def test_no_time_col_flag(capsys, monkeypatch, tmp_path):
    doc = _check_json([SHAMPOO, "--no-time-col"], capsys, monkeypatch, tmp_path)
    assert doc["data"]["time_col"] is None and doc["data"]["target"] == "Sales"
    assert doc["data"]["frequency"] is None and doc["data"]["calendar"] is None
    doc = _check_json([JENA, "--no-time-col", "--target", "T (degC)"], capsys, monkeypatch,
                      tmp_path)
    assert doc["data"]["start"] is None
    line = _one_line_error([JENA, "--no-time-col", "--time-format", "%d.%m.%Y"], capsys,
                           monkeypatch, tmp_path)
    assert "no time column" in line


# -- explicit formats --------------------------------------------------------------------------

def test_time_format_forces_one(capsys, monkeypatch, tmp_path):
    doc = _check_json([JENA, "--target", "T (degC)", "--time-format", "%d.%m.%Y %H:%M:%S"],
                      capsys, monkeypatch, tmp_path)
    assert doc["data"]["time_format"] == "%d.%m.%Y %H:%M:%S"
    assert doc["data"]["frequency"] == "10min" and "LD102" not in _codes(doc)


def test_time_format_mismatch_is_one_line_naming_column_value_and_row(capsys, monkeypatch,
                                                                      tmp_path):
    line = _one_line_error([JENA, "--target", "T (degC)", "--time-format", "%Y-%m-%d %H:%M"],
                           capsys, monkeypatch, tmp_path)
    assert "jena_like.csv" in line and "'Date Time'" in line
    assert "'01.01.2009 00:10:00'" in line and "row 0" in line
    path = tmp_path / "late.csv"
    rows = [f"{d:%d.%m.%Y},{i}" for i, d in enumerate(pd.date_range("2020-01-01", periods=20))]
    rows[13] = "2020-01-14,13"
    path.write_text("day,y\n" + "\n".join(rows) + "\n")
    line = _one_line_error([path, "--time-format", "%d.%m.%Y"], capsys, monkeypatch, tmp_path)
    assert "'day'" in line and "'2020-01-14'" in line and "row 13" in line


@pytest.mark.parametrize("fmt,words", [("%Q-%m", ["'%Q-%m'", "not a valid"]),
                                       ("dd.mm.yyyy", ["no %-directives"])])
def test_bad_time_format_is_a_usage_error(fmt, words, capsys, monkeypatch, tmp_path):
    line = _one_line_error([JENA, "--target", "T (degC)", "--time-format", fmt], capsys,
                           monkeypatch, tmp_path)
    for word in words:
        assert word in line


# -- calendars -------------------------------------------------------------------------------

def test_nyse_trading_days_are_not_gaps(capsys, monkeypatch, tmp_path):
    pytest.importorskip("exchange_calendars")
    doc = _check_json([NYSE, "--target", "Close"], capsys, monkeypatch, tmp_path)
    data = doc["data"]
    assert data["calendar"] == "XNYS" and data["frequency"] == "C"
    assert data["time_format"] == "%m/%d/%Y"
    assert "XNYS" in data["calendar_note"]
    assert not {"LD101", "LD102"} & _codes(doc)


def test_removed_trading_days_are_named_exactly(tmp_path):
    pytest.importorskip("exchange_calendars")
    frame = pd.read_csv(NYSE)
    gone = [100, 101, 500, 900]
    removed = pd.to_datetime(frame.loc[gone, "Date"], format="%m/%d/%Y")
    path = tmp_path / "gappy.csv"
    frame.drop(index=gone).to_csv(path, index=False)
    report = lstm_doctor.check(str(path), target="Close", select=["LD101"])
    assert report.data["calendar"] == "XNYS"
    (finding,) = report.findings
    assert finding.evidence["missing_timestamps"] == 4
    assert finding.evidence["missing_stamps"] == [d.isoformat() for d in removed]
    for d in removed:
        assert d.strftime("%Y-%m-%d") in finding.message
    assert "XNYS trading-day grid" in finding.message


def test_a_federal_holiday_calendar_would_be_wrong_for_nyse():
    xcals = pytest.importorskip("exchange_calendars")
    import warnings

    from pandas.tseries.holiday import USFederalHolidayCalendar

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sessions = xcals.get_calendar("XNYS", start="2012-01-01", end="2016-12-31").sessions
    federal = USFederalHolidayCalendar().holidays("2012-01-01", "2016-12-31")
    assert pd.Timestamp("2012-04-06") not in sessions  # Good Friday: closed, not federal
    assert pd.Timestamp("2012-10-29") not in sessions  # Hurricane Sandy
    assert pd.Timestamp("2012-10-08") in sessions and pd.Timestamp("2012-10-08") in federal
    assert pd.Timestamp("2012-11-12") in sessions and pd.Timestamp("2012-11-12") in federal


def test_explicit_calendars(capsys, monkeypatch, tmp_path):
    pytest.importorskip("exchange_calendars")
    doc = _check_json([NYSE, "--target", "Close", "--calendar", "nyse"], capsys, monkeypatch,
                      tmp_path)
    assert doc["data"]["calendar"] == "XNYS" and "LD101" not in _codes(doc)
    doc = _check_json([NYSE, "--target", "Close", "--calendar", "business",
                       "--select", "LD101"], capsys, monkeypatch, tmp_path)
    (finding,) = doc["findings"]
    assert doc["data"]["calendar"] == "business"
    assert finding["evidence"]["missing_timestamps"] == 46  # the NYSE holidays
    doc = _check_json([NYSE, "--target", "Close", "--calendar", "none", "--select", "LD101"],
                      capsys, monkeypatch, tmp_path)
    assert doc["findings"][0]["evidence"]["missing_timestamps"] > 500  # weekends too
    line = _one_line_error([NYSE, "--target", "Close", "--calendar", "XNSY"], capsys,
                           monkeypatch, tmp_path)
    assert "calendar 'XNSY' is not known" in line and "did you mean" in line
    line = _one_line_error([JENA, "--target", "T (degC)", "--calendar", "XNYS"], capsys,
                           monkeypatch, tmp_path)
    assert "once-a-day" in line and "--calendar none" in line


def test_business_days_without_holidays():
    days = pd.bdate_range("2021-01-04", periods=250)
    frame = pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "y": np.arange(250.0)})
    s = load_series(frame)
    assert s.calendar == "business" and s.frequency == "B"
    report = lstm_doctor.check(frame, select=["LD101", "LD102"])
    assert not report.findings
    gappy = frame.drop(index=[40]).reset_index(drop=True)
    report = lstm_doctor.check(gappy, select=["LD101"])
    assert report.data["calendar"] == "business"
    (finding,) = report.findings
    assert finding.evidence["missing_stamps"] == [days[40].isoformat()]


def test_calendar_days_with_weekends_keep_the_plain_grid():
    days = pd.date_range("2021-01-01", periods=200, freq="D")
    frame = pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "y": np.arange(200.0)})
    gappy = frame.drop(index=[77]).reset_index(drop=True)
    report = lstm_doctor.check(gappy, select=["LD101"])
    assert report.data["calendar"] == "none"
    (finding,) = report.findings
    assert finding.evidence["missing_stamps"] == [days[77].isoformat()]


def test_weekday_gaps_that_are_no_exchange_holidays_stay_gaps():
    pytest.importorskip("exchange_calendars")
    days = pd.bdate_range("2015-01-05", periods=600)
    keep = np.ones(600, dtype=bool)
    keep[[10, 11, 12, 200, 201, 202, 450]] = False  # not the holidays of any exchange tried
    frame = pd.DataFrame({"date": days[keep], "y": np.arange(keep.sum(), dtype=float)})
    s = load_series(frame)
    assert s.calendar == "business"
    assert time_grid(s.time, calendar=s.calendar)["n_missing"] == 7


def test_validate_calendar():
    assert validate_calendar(None) == "auto" and validate_calendar("Business") == "business"
    with pytest.raises(InputError, match="calendar must be"):
        validate_calendar(3)
    pytest.importorskip("exchange_calendars")
    assert validate_calendar("xnys") == "XNYS" and validate_calendar("NYSE") == "XNYS"


def test_exchange_calendars_is_imported_only_when_needed():
    code = ("import sys, lstm_doctor, lstm_doctor.data; "
            "assert 'exchange_calendars' not in sys.modules; "
            f"lstm_doctor.check({str(FIXTURES / 'airpassengers.csv')!r}); "
            "assert 'exchange_calendars' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


# -- row-index columns -----------------------------------------------------------------------

def test_unnamed_index_column_is_not_a_target(capsys, monkeypatch, tmp_path):
    doc = _check_json([INDEXED], capsys, monkeypatch, tmp_path)
    assert doc["data"]["target"] == "sales" and doc["data"]["index_col"] == "Unnamed: 0"
    for name, start in (("index", 0), ("", 1)):
        frame = pd.DataFrame({name: np.arange(start, start + 30), "v": np.random.default_rng(0)
                              .normal(size=30)})
        path = tmp_path / "x.csv"
        frame.to_csv(path, index=False)
        s = load_series(path)
        assert s.target == "v" and s.index_col is not None
    # a leading integer column that is not 0..n-1 stays a candidate
    frame = pd.DataFrame({"Unnamed: 0": np.arange(30) * 2, "v": np.arange(30.0)})
    with pytest.raises(InputError, match="2 numeric columns"):
        load_series(frame)
    # and one the user names is kept
    assert load_series(pd.DataFrame({"index": np.arange(30), "v": np.arange(30.0)}),
                       target="index").target == "index"


# -- a separate test file ----------------------------------------------------------------------

def test_test_data_is_appended_and_its_length_kept(capsys, monkeypatch, tmp_path):
    frame = pd.read_csv(SHAMPOO)
    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    frame.iloc[:24].to_csv(train, index=False)
    frame.iloc[24:].to_csv(test, index=False)
    s = load_series(train, test_data=test)
    assert s.n == 36 and s.n_test_given == 12 and s.frequency == "MS"
    assert s.facts()["n_test_given"] == 12 and s.facts()["test_source"] == str(test)
    np.testing.assert_array_equal(s.y, frame["Sales"].to_numpy())
    doc = _check_json([train, "--test-data", test], capsys, monkeypatch, tmp_path)
    assert doc["data"]["n_test_given"] == 12 and doc["data"]["n"] == 36
    # to_csv with the index on both files: the test file's index may continue the train's
    frame.iloc[:24].to_csv(train)
    frame.iloc[24:].to_csv(test)
    s = load_series(train, test_data=test)
    assert s.n == 36 and s.index_col == "Unnamed: 0" and s.target == "Sales"


def test_test_data_with_other_columns_is_one_line(capsys, monkeypatch, tmp_path):
    frame = pd.read_csv(NYSE).iloc[:300]
    train, test = tmp_path / "train.csv", tmp_path / "test.csv"
    frame.iloc[:250].to_csv(train, index=False)
    frame.iloc[250:].rename(columns={"Close": "Adj Close"}).to_csv(test, index=False)
    line = _one_line_error([train, "--target", "Open", "--test-data", test], capsys,
                           monkeypatch, tmp_path)
    assert "test.csv" in line and "missing 'Close'" in line and "extra 'Adj Close'" in line
    line = _one_line_error([train, "--target", "Open", "--test-data", tmp_path / "nope.csv"],
                           capsys, monkeypatch, tmp_path)
    assert "test data" in line and "nope.csv" in line and "does not exist" in line


# -- project file keys ------------------------------------------------------------------------

def test_project_file_data_keys(capsys, monkeypatch, tmp_path):
    (tmp_path / "lstm-doctor.toml").write_text(
        'time-format = "%d.%m.%Y %H:%M:%S"\ncalendar = "none"\ntarget = "T (degC)"\n')
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(["check", JENA, "--format", "json"], capsys)
    assert code in (0, 1), err
    doc = json.loads(out)
    assert doc["data"]["time_format"] == "%d.%m.%Y %H:%M:%S"
    (tmp_path / "lstm-doctor.toml").write_text('no-time-col = true\ntarget = "T (degC)"\n')
    code, out, err = run_cli(["check", JENA, "--format", "json"], capsys)
    assert code in (0, 1), err
    assert json.loads(out)["data"]["time_col"] is None
    # the command line wins over the file
    code, out, err = run_cli(["check", JENA, "--time-col", "Date Time", "--format", "json"],
                             capsys)
    assert code in (0, 1), err
    assert json.loads(out)["data"]["time_col"] == "Date Time"
    (tmp_path / "lstm-doctor.toml").write_text('calendar = "XNSY"\n')
    code, out, err = run_cli(["check", JENA], capsys)
    assert code == 2 and "calendar" in err and len(err.strip().splitlines()) == 1
    (tmp_path / "lstm-doctor.toml").write_text('no-time-col = "yes"\n')
    code, out, err = run_cli(["check", JENA], capsys)
    assert code == 2 and "no-time-col must be true or false" in err


# -- nothing pandas can read ends in an unexpected error ---------------------------------------

def _rows(values, y=None):
    y = range(len(values)) if y is None else y
    return "\n".join(f"{v},{w}" for v, w in zip(values, y, strict=True)) + "\n"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_DAYS = [f"2020-01-{i + 1:02d}" for i in range(12)]

#: name -> (CSV text, whether it is an input error: exit 2 with one line)
WEIRD = {
    "years 1-12 (out of bounds)": (
        "date,y\n" + _rows([f"{i:04d}-01-01" for i in range(1, 13)]), True),
    "year 2500 (out of bounds)": (
        "date,y\n" + _rows([f"{2500 + i}-01-01" for i in range(12)]), True),
    "mixed UTC offsets": (
        "date,y\n" + _rows([f"{d}T00:00:00{'+02:00' if i % 2 else '-05:00'}"
                            for i, d in enumerate(_DAYS)]), False),
    "two formats in one column": (
        "date,y\n" + _rows([d if i % 2 else f"1/{i + 1}/2020" for i, d in enumerate(_DAYS)]),
        False),
    "Jan-01 months": (
        "Month,y\n" + _rows([f"{m}-{yr:02d}" for yr in (1, 2) for m in _MONTHS]), False),
    "quarters": ("q,y\n" + _rows([f"{1990 + i // 4}Q{i % 4 + 1}" for i in range(12)]), False),
    "integer yyyymmdd": ("date,y\n" + _rows([d.replace("-", "") for d in _DAYS]), False),
    "empty stamp": ("date,y\n" + _rows(_DAYS[:11] + [""]), True),
    "12-hour clock": (
        "date,y\n" + _rows([f"01/02/2020 {h % 12 or 12}:00 {'AM' if h < 12 else 'PM'}"
                            for h in range(24)]), False),
    "huge integer step outlier": ("t,y\n" + _rows([*range(11), 10**12]), False),
    "seconds with a far outlier": (
        "time,y\n" + _rows([f"2020-01-01 00:00:{i:02d}" for i in range(11)]
                           + ["2200-01-01 00:00:00"]), False),
    "UTC word suffix": ("date,y\n" + _rows([f"{d} 00:00:00 UTC" for d in _DAYS]), False),
    "text that is not dates": ("date,y\n" + _rows([f"x{i}" for i in range(12)]), False),
}


@pytest.mark.parametrize("case", list(WEIRD))
def test_weird_time_columns_never_end_in_an_unexpected_error(case, capsys, monkeypatch,
                                                             tmp_path):
    text, input_error = WEIRD[case]
    path = tmp_path / "weird.csv"
    path.write_text(text)
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(["check", path, "--target", "y", "--fail-on", "warning"], capsys)
    assert "unexpected" not in err and "Traceback" not in err + out
    if input_error:
        assert code == 2 and len(err.strip().splitlines()) == 1 and "weird.csv" in err
    else:
        assert code in (0, 1), err


def test_mixed_utc_offsets_are_converted_with_a_note():
    text = [f"2020-03-{d:02d}T12:00:00{'+01:00' if d < 10 else '+02:00'}" for d in range(1, 20)]
    s = load_series(pd.DataFrame({"t": text, "y": np.arange(19.0)}))
    assert "UTC" in s.time_note and s.time.tz is None


def test_time_grid_work_is_bounded_by_the_stamps_not_the_span():
    grid = time_grid(pd.Index([*range(100), 10**15]))
    assert grid["n_missing"] == 10**15 - 100 and len(grid["missing_stamps"]) == 10
    stamps = pd.DatetimeIndex(list(pd.date_range("2000-01-01", periods=50, freq="s"))
                              + [pd.Timestamp("2250-01-01")])
    grid = time_grid(stamps)
    assert grid["step"] == "s" and grid["n_missing"] > 10**9


def test_without_exchange_calendars_weekdays_fall_back_to_business_days(monkeypatch):
    monkeypatch.setitem(sys.modules, "exchange_calendars", None)  # import raises ImportError
    s = load_series(NYSE, target="Close")
    assert s.calendar == "business" and s.frequency == "B"
    assert "lstm-doctor[calendars]" in s.calendar_note
    with pytest.raises(InputError, match=r"pip install 'lstm-doctor\[calendars\]'"):
        load_series(NYSE, target="Close", calendar="XLON")
