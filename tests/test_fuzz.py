"""Property-based tests (hypothesis): any input ends in a clear answer.

Generated CSV files (delimiters, decimal marks, thousands separators, date formats,
magnitudes from 1e-300 to 1e300, NaN, inf, duplicates), set-up values (numbers including
NaN, inf and huge ones, wrong types) on a few series, and Python API calls with arguments of
every kind. Whatever the input:

* the CLI exits 0, 1 or 2 and never prints a traceback;
* exit 2 is exactly one line, and never the "unexpected ... please report it" catch-all;
* the API returns a Report or raises :class:`~lstm_doctor.errors.InputError` (one line);
* no rule crashes on an input that passed validation.

The example counts are bounded (``FUZZ_EXAMPLES``; the whole file runs in well under a
minute); ``derandomize`` keeps ``make test`` reproducible.
"""

from __future__ import annotations

import json
import math
import os

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lstm_doctor
from lstm_doctor import InputError
from tests.helpers import run_cli

#: Examples per property (raise it locally, e.g. LSTM_DOCTOR_FUZZ=500, to hunt for bugs).
FUZZ_EXAMPLES = int(os.environ.get("LSTM_DOCTOR_FUZZ", "100"))

FUZZ = settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])


def _assert_cli_answer(code: int, out: str, err: str) -> None:
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in err and "Warning" not in err, err
    if code == 2:
        line = err.strip()
        assert line.startswith("error:") and "\n" not in line, err
        assert "unexpected" not in line and "please report" not in line, err
        return
    report = json.loads(out)
    crashed = [f["message"] for f in report["findings"] if f.get("crashed")]
    assert not crashed, crashed


def _assert_api_answer(call) -> None:
    try:
        report = call()
    except InputError as exc:
        text = str(exc)
        assert text and "\n" not in text.strip(), text
        return
    crashed = [f.message for f in report.findings if f.crashed]
    assert not crashed, crashed


# -- CSV shapes ------------------------------------------------------------------------------

_DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%m/%d/%Y", "%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M:%S",
                 "%Y-%m-%d %H:%M:%S%z", "%b %d, %Y", "%Y%m%d", "%Y-%m"]
_FREQS = ["D", "h", "s", "MS", "W"]


def _series(kind: str, n: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(n, dtype=float)
    if kind == "walk":
        return np.cumsum(rng.normal(size=n))
    if kind == "season":
        return 10 + np.sin(2 * np.pi * t / 12) + 0.01 * t
    if kind == "constant":
        return np.full(n, 3.0)
    if kind == "counts":
        return rng.poisson(0.3, size=n).astype(float)
    return rng.normal(size=n)


def _number(v: float, decimal: str, thousands: str | None) -> str:
    if not np.isfinite(v):
        return "" if np.isnan(v) else ("inf" if v > 0 else "-inf")
    if float(v).is_integer() and abs(v) < 1e15 and not thousands:
        return str(int(v))  # counts are written as integers
    if thousands and 1e3 <= abs(v) < 1e15:
        text = f"{v:,.3f}"
        if decimal == ",":
            text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
        return text
    text = repr(float(v))
    return text.replace(".", ",") if decimal == "," else text


@st.composite
def csv_files(draw) -> str:
    n = draw(st.integers(3, 70))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    decimal = draw(st.sampled_from([".", ","]))
    thousands = draw(st.sampled_from([None, None, "sep"]))
    thousands = None if thousands is None else ("." if decimal == "," else ",")
    kind = draw(st.sampled_from(["walk", "season", "constant", "counts", "noise"]))
    y = _series(kind, n, rng)
    if kind != "counts" or draw(st.booleans()):
        y = y * 10.0 ** draw(st.integers(-300, 300))
    for _ in range(draw(st.integers(0, 3))):
        y[draw(st.integers(0, n - 1))] = draw(st.sampled_from([np.nan, np.inf, -np.inf, 0.0]))
    values = [_number(v, decimal, thousands) for v in y]
    if draw(st.integers(0, 3)) == 0:  # whole numbers (read as Python ints next to a huge one)
        values = [str(v) for v in rng.integers(-1000, 1000, n)]
    if draw(st.booleans()) and n > 2:
        values[draw(st.integers(0, n - 1))] = draw(st.sampled_from(
            ["9" * 400, "-" + "9" * 400, "abc", "1e400", "-", "NaN", "1.2.3", "0x1F",
             "  7  "]))
    time_kind = draw(st.sampled_from(["none", "dates", "dates", "ints", "years"]))
    columns: list[tuple[str, list[str]]] = []
    if time_kind == "dates":
        fmt = draw(st.sampled_from(_DATE_FORMATS))
        freq = draw(st.sampled_from(_FREQS))
        stamps = pd.date_range("2001-01-01", periods=n, freq=freq,
                               tz="Europe/Paris" if "%z" in fmt else None)
        text = [s.strftime(fmt) for s in stamps]
        if draw(st.booleans()) and n > 3:  # a duplicate, a swap or an outlying stamp
            i = draw(st.integers(1, n - 1))
            change = draw(st.sampled_from(["dup", "swap", "late"]))
            if change == "dup":
                text[i] = text[i - 1]
            elif change == "swap":
                text[i], text[i - 1] = text[i - 1], text[i]
            else:
                text[i] = (stamps[i] + pd.Timedelta(days=3650)).strftime(fmt)
        columns.append(("date", text))
    elif time_kind in ("ints", "years"):
        start = 1900 if time_kind == "years" else 0
        ints = list(range(start, start + n))
        if draw(st.booleans()):
            ints[-1] = draw(st.sampled_from([10**15, -5, ints[-1], 10**18]))
        columns.append(("year" if time_kind == "years" else "t", [str(v) for v in ints]))
    value_name = draw(st.sampled_from(["y", "y", "date" if columns else "y", "sales value"]))
    columns.append((value_name, values))
    quote = delimiter == "," and (decimal == "," or thousands == ",")
    rows = [delimiter.join(name for name, _ in columns)]
    for i in range(n):
        cells = []
        for name, col in columns:
            cell = col[i]
            if quote and name == value_name and cell:
                cell = f'"{cell}"'
            cells.append(cell)
        rows.append(delimiter.join(cells))
    return "\n".join(rows) + "\n"


@FUZZ
@given(text=csv_files())
def test_generated_csv_files(tmp_path, capsys, text):
    path = tmp_path / "data.csv"
    path.write_text(text, encoding="utf-8")
    code, out, err = run_cli(["check", path, "--format", "json"], capsys)
    _assert_cli_answer(code, out, err)


# -- set-up values ---------------------------------------------------------------------------

_SMALL = st.integers(0, 40)
_FRACTION = st.floats(0, 0.99)
#: Each key with values a set-up may plausibly hold (most fit some series, some do not).
PLAUSIBLE = {
    ("preprocessing", "log"): st.booleans(),
    ("preprocessing", "boxcox"): st.one_of(st.none(), st.floats(-2, 2)),
    ("preprocessing", "difference"): st.integers(0, 2),
    ("preprocessing", "seasonal_difference"): _SMALL,
    ("preprocessing", "deseasonalize"): _SMALL,
    ("preprocessing", "scaler"): st.sampled_from(["none", "minmax", "standard", "robust"]),
    ("preprocessing", "feature_range"): st.sampled_from([[0, 1], [-1, 1], [0.2, 0.8]]),
    ("preprocessing", "detrend"): st.booleans(),
    ("window", "seq_length"): st.integers(1, 90),
    ("window", "horizon"): st.integers(1, 30),
    ("window", "sampling_rate"): st.integers(1, 6),
    ("window", "layout"): st.sampled_from(["time", "features"]),
    ("model", "layers"): st.integers(1, 4),
    ("model", "units"): st.integers(1, 512),
    ("model", "dropout"): _FRACTION,
    ("model", "head"): st.lists(st.integers(1, 64), max_size=3),
    ("model", "cell"): st.sampled_from(["lstm", "gru", "simple_rnn"]),
    ("training", "epochs"): st.integers(1, 2000),
    ("training", "batch_size"): st.integers(1, 4096),
    ("training", "learning_rate"): st.floats(1e-6, 1.0),
    ("training", "validation_split"): _FRACTION,
    ("training", "patience"): st.integers(1, 100),
    ("training", "momentum"): _FRACTION,
    ("training", "early_stopping"): st.booleans(),
    ("split", "test_size"): st.one_of(st.floats(0.01, 0.99), st.integers(1, 100)),
    ("model", "conv_filters"): st.integers(0, 64),
}
KEYS = sorted(PLAUSIBLE)

ODD_VALUES = st.one_of(
    st.sampled_from([math.nan, math.inf, -math.inf, 1e308, -1e308, 5e-324, 0, 0.0, -0.0, 1,
                     -1, 2, 12, 0.5, 0.999, 1.5, 100, 10**6, 10**12, 10**400, True, False,
                     None, "", "abc", "standard", "12", [], [1], [0, 1], [1.0, 0.0], {},
                     [10**400], [math.nan, 1.0]]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-10**6, 10**7),
)

SERIES = {
    "positive": 10 + np.sin(np.arange(80) / 2) + 0.05 * np.arange(80),
    "negative": np.sin(np.arange(80) / 2) - 0.3,
    "monthly": 100 + 10 * np.sin(2 * np.pi * np.arange(48) / 12),
    "short": np.arange(12, dtype=float),
    "zeros": np.r_[np.zeros(20), np.arange(1.0, 21.0)],
}


@st.composite
def set_ups(draw) -> dict:
    """A set-up of 1-6 plausible values, one of them odd one time in three; half of them
    with a transform whose domain depends on the data (log, Box-Cox, seasonal periods)."""
    config: dict = {}
    keys = draw(st.lists(st.sampled_from(KEYS), min_size=1, max_size=5))
    if draw(st.booleans()):
        keys.insert(0, ("preprocessing", draw(st.sampled_from(
            ["log", "boxcox", "deseasonalize", "seasonal_difference", "difference"]))))
    odd = draw(st.integers(0, 3 * len(keys) - 1))
    for i, (section, key) in enumerate(keys):
        config.setdefault(section, {})[key] = draw(ODD_VALUES if i == odd else
                                                   PLAUSIBLE[(section, key)])
    return config


@FUZZ
@given(config=set_ups(), series=st.sampled_from(sorted(SERIES)), through_cli=st.booleans())
def test_generated_set_up_values(tmp_path, capsys, config, series, through_cli):
    y = SERIES[series]
    if not through_cli:
        _assert_api_answer(lambda: lstm_doctor.check(y, config=config))
        return
    data = tmp_path / "y.csv"
    pd.DataFrame({"y": y}).to_csv(data, index=False)
    cfg = tmp_path / "setup.yaml"
    cfg.write_text(yaml.safe_dump(config), encoding="utf-8")
    code, out, err = run_cli(["check", data, "--config", cfg, "--format", "json"], capsys)
    _assert_cli_answer(code, out, err)


# -- Python API calls ------------------------------------------------------------------------

RULES = lstm_doctor.list_rules()
THRESHOLDS = [(r["code"], name) for r in RULES for name in r["thresholds"]]
NAMES = st.one_of(st.sampled_from([None, None, None, "y", "t"]), st.sampled_from(
    [None, "y", "t", "x0", 5, 5.5, True, False, "none", ["y"], "", "Y"]))
TOKENS = st.one_of(st.sampled_from([None, None, None, "LD1,LD2", ["LD2", "LD3", "LD5"]]),
                   st.sampled_from([None, "LD1", "LD201", ["LD2", "LD3"], [5], 5, "", "LD999",
                                    "data", ["stationarity"], ("LD101",), "LD1,LD2",
                                    {"LD1": 1}]))


@st.composite
def api_data(draw):
    kind = draw(st.sampled_from(["array", "array", "frame", "frame", "series", "intcols",
                                 "list", "2d", "3d", "path", "dupcols", "strings", "empty"]))
    y = SERIES[draw(st.sampled_from(sorted(SERIES)))] * 10.0 ** draw(st.integers(-200, 200))
    if kind == "array":
        return y
    if kind == "list":
        return [*y.tolist()[:-1], draw(st.sampled_from([10**400, "x", None, 1.0]))]
    if kind == "frame":
        return pd.DataFrame({"t": np.arange(y.size), "y": y})
    if kind == "series":
        return pd.Series(y, name=draw(st.sampled_from([None, "y", 0])))
    if kind == "2d":
        return np.c_[y, y[::-1]]
    if kind == "3d":
        return y[:12].reshape(2, 3, 2)
    if kind == "path":
        return draw(st.sampled_from(["missing.csv", "", ".", "-x"]))
    if kind == "dupcols":
        return pd.DataFrame(np.c_[y, y], columns=["y", "y"])
    if kind == "intcols":
        return pd.DataFrame({0: np.arange(y.size), 1: y})
    if kind == "strings":
        return pd.DataFrame({"y": [f"{v:,.2f}" for v in y]})
    return pd.DataFrame()


@FUZZ
@given(data=api_data(), target=NAMES, time_col=NAMES, select=TOKENS, ignore=TOKENS,
       thresholds=st.one_of(st.none(), st.none(), st.dictionaries(
           st.sampled_from(THRESHOLDS), ODD_VALUES, max_size=3).map(
           lambda d: {code: {name: v} for (code, name), v in d.items()}),
           st.sampled_from([5, [], {"LD999": {}}, {"LD101": 1}, {"LD101": {"nope": 1}}])),
       config=st.one_of(set_ups(), st.sampled_from([
           None, 5, {}, {"window": {"seq_length": 5}}, "missing.yaml", [], {"window": 3},
           {"nope": {}}])))
def test_generated_api_calls(data, target, time_col, select, ignore, thresholds, config):
    _assert_api_answer(lambda: lstm_doctor.check(
        data, target=target, time_col=time_col, select=select, ignore=ignore,
        thresholds=thresholds, config=config))


def _allowed(code: str, name: str) -> st.SearchStrategy:
    """Values a threshold's declared constraint allows, extremes included."""
    from lstm_doctor.options import INT_LIMIT
    from lstm_doctor.rules import find_rule

    c = find_rule(code).constraint(name)
    if c is None:
        return st.just(find_rule(code).thresholds[name])
    if c.kind is int:
        lo = int(c.lo) if c.lo is not None else -INT_LIMIT
        hi = int(c.hi) if c.hi is not None else INT_LIMIT
        return st.integers(lo + (c.closed in ("right", "neither")),
                           hi - (c.closed in ("left", "neither")))
    return st.floats(c.lo if c.lo is not None else -1e300, c.hi if c.hi is not None else 1e300,
                     exclude_min=c.closed in ("right", "neither"),
                     exclude_max=c.closed in ("left", "neither"))


@FUZZ
@given(picked=st.lists(st.sampled_from(THRESHOLDS), min_size=1, max_size=4, unique=True),
       data=st.data(), series=st.sampled_from(sorted(SERIES)))
def test_generated_thresholds(picked, data, series):
    """Every allowed threshold value, however extreme, runs its rule without a crash; any
    other value is an InputError naming it."""
    thresholds: dict = {}
    for code, name in picked:
        odd = data.draw(st.integers(0, 3)) == 0
        value = data.draw(ODD_VALUES if odd else _allowed(code, name))
        thresholds.setdefault(code, {})[name] = value
    _assert_api_answer(lambda: lstm_doctor.check(
        SERIES[series], thresholds=thresholds, config={"window": {"seq_length": 6}}))


@pytest.mark.parametrize("scale", [1e-300, 1e300])
def test_extreme_scales_through_the_api_crash_nothing(scale):
    y = SERIES["monthly"] * scale
    _assert_api_answer(lambda: lstm_doctor.check(y, config={"window": {"seq_length": 12}}))
