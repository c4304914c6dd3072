"""Data intake: every supported input, auto-detection, and errors that name what is wrong."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from lstm_doctor import InputError
from lstm_doctor.data import load_series

from .test_rule_cases import FIXTURES


def test_csv_with_date_column_infers_frequency():
    s = load_series(FIXTURES / "airpassengers.csv")
    assert s.n == 144 and s.target == "passengers" and s.time_col == "month"
    assert s.frequency == "MS"
    facts = s.facts()
    assert facts["start"].startswith("1949-01-01") and facts["end"].startswith("1960-12-01")


def test_integer_years_are_a_time_column():
    s = load_series(FIXTURES / "nile.csv")
    assert s.time_col == "year" and s.target == "volume" and s.frequency == "1"


def test_several_numeric_columns_need_a_target():
    with pytest.raises(InputError, match=r"5 numeric columns \(realgdp, realcons, realinv, "
                                         r"unemp, infl\); choose the one to forecast with "
                                         r"--target"):
        load_series(FIXTURES / "macrodata.csv")
    s = load_series(FIXTURES / "macrodata.csv", target="realgdp", features="realcons,unemp")
    assert s.feature_names == ["realcons", "unemp"] and s.frequency.startswith("QS")


def test_unknown_columns_suggest_close_matches():
    with pytest.raises(InputError, match=r"target column 'realgpd' not found; did you mean "
                                         r"'realgdp'\?"):
        load_series(FIXTURES / "macrodata.csv", target="realgpd")
    with pytest.raises(InputError, match=r"feature column 'unemployment' not found"):
        load_series(FIXTURES / "macrodata.csv", target="realgdp", features=["unemployment"])
    with pytest.raises(InputError, match=r"time column 'dat' not found; did you mean 'date'"):
        load_series(FIXTURES / "macrodata.csv", target="realgdp", time_col="dat")


def test_in_memory_inputs_are_not_modified():
    idx = pd.date_range("2020-01-01", periods=50, freq="D")
    frame = pd.DataFrame({"sales": np.arange(50.0)}, index=idx)
    before = frame.copy()
    s = load_series(frame)
    assert s.frequency == "D" and s.target == "sales"
    pd.testing.assert_frame_equal(frame, before)
    assert load_series(pd.Series(np.arange(20.0), name="v")).target == "v"
    arr = np.arange(30.0)
    assert load_series(arr).n == 30 and arr[0] == 0.0


def test_order_duplicates_and_nan_are_kept_not_repaired():
    frame = pd.DataFrame({"t": [3, 1, 2, 2, 5, 6, 7, 8, 9, 10, 11, 12],
                          "y": [1.0, np.nan, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]})
    s = load_series(frame, time_col="t")
    assert list(s.time) == [3, 1, 2, 2, 5, 6, 7, 8, 9, 10, 11, 12]
    assert np.isnan(s.y[1]) and s.n == 12


def test_jsonl_and_parquet(tmp_path):
    frame = pd.DataFrame({"date": pd.date_range("2021-01-01", periods=30, freq="h"),
                          "load": np.sin(np.arange(30.0))})
    jl = tmp_path / "s.jsonl"
    frame.to_json(jl, orient="records", lines=True, date_format="iso")
    assert load_series(jl).frequency == "h"
    pytest.importorskip("pyarrow")
    pq = tmp_path / "s.parquet"
    frame.to_parquet(pq)
    s = load_series(pq)
    assert s.n == 30 and s.frequency == "h" and s.target == "load"


@pytest.mark.parametrize("content,pattern", [
    ("", "is empty"),
    ("date,y\n", "header but no rows"),
    ("y\n1\n2\n3\n", "has 3 finite values; lstm-doctor needs at least 10"),
    ("y\n" + "\n" * 3 + "nan\n" * 12, "no finite values"),
    ("date,y\n" + "".join(f"2020-01-{i:02d},{i}\n" for i in range(1, 12)) + "soon,12\n",
     r"time column 'date' has 1 value\(s\) that are not dates \(first: 'soon', row 11\)"),
    ("y\n" + "".join(f"{i}\n" for i in range(12)) + "twelve\n",
     r"target column 'y' is not numeric \(1 value\(s\) like 'twelve'\)"),
])
def test_bad_files(tmp_path, content, pattern):
    path = tmp_path / "data.csv"
    path.write_text(content)
    with pytest.raises(InputError, match=pattern) as info:
        load_series(path, time_col="date" if content.startswith("date") else None)
    assert "\n" not in str(info.value) and "data.csv" in str(info.value)


def test_binary_garbage_and_missing_file(tmp_path):
    garbage = tmp_path / "x.csv"
    garbage.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(InputError, match="looks like binary data"):
        load_series(garbage)
    with pytest.raises(InputError, match="does not exist"):
        load_series(tmp_path / "missing.csv")
    with pytest.raises(InputError, match="is a directory"):
        load_series(tmp_path)


def test_facts_say_how_the_time_stamps_were_read():
    facts = load_series(FIXTURES / "airpassengers.csv").facts()
    assert facts["time_format"] == "ISO8601" and facts["calendar"] == "none"
    assert facts["time_note"] is None and facts["calendar_note"] is None
    assert facts["index_col"] is None and facts["n_test_given"] is None
    nile = load_series(FIXTURES / "nile.csv").facts()
    assert nile["time_format"] is None and nile["calendar"] is None  # integer years


@pytest.mark.parametrize("delimiter,cells,expected", [
    (";", ["20,1", "1.234,5", "-0,5"], [20.1, 1234.5, -0.5]),      # decimal commas
    (";", ["1,5e+07", "inf", "2"], [1.5e7, np.inf, 2.0]),
    (",", ['"1,007.5"', '"12"', '"-3,000"'], [1007.5, 12.0, -3000.0]),  # thousands
    (",", ['"20,1"', '"3e-87"'], [20.1, 3e-87]),  # not thousands: a decimal comma
])
def test_numbers_written_with_separators_are_read(tmp_path, delimiter, cells, expected):
    path = tmp_path / "sep.csv"
    rows = [f"{i}{delimiter}{cells[i % len(cells)]}" for i in range(30)]
    path.write_text(f"t{delimiter}v\n" + "\n".join(rows) + "\n")
    s = load_series(path, time_col="t")
    assert s.y[: len(expected)].tolist() == expected


def test_mixed_separators_are_not_guessed(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text("t;v\n" + "".join(f"{i};{'1.5' if i % 2 else '2,5'}\n" for i in range(12)))
    with pytest.raises(InputError, match=r"'v' is not numeric \(6 value\(s\) like '2,5'\)"):
        load_series(path, time_col="t", target="v")


def test_integer_column_names_and_arguments():
    frame = pd.DataFrame({0: np.arange(30), 1: np.arange(30.0) ** 1.5})
    s = load_series(frame, target=1, time_col=0)
    assert (s.target, s.time_col) == ("1", "0")
    with pytest.raises(InputError, match="duplicate column names"):
        load_series(pd.DataFrame({1: np.arange(30.0), "1": np.arange(30.0)}))
