"""Synthetic frames with extra input columns for the feature rules (LD8xx).

The rule cases (``fixtures/rules/LD80*.yml``) read the CSV files these functions write to
``fixtures/features/`` (columns derived from the target cannot be expressed with the
generators of :mod:`tests.generators`); ``tests/test_features.py`` calls them directly for
the false-alarm and detection rates. Regenerate the files with
``python -m tests.feature_generators``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).resolve().parent.parent / "fixtures" / "features"


def _ar1(rng: np.random.Generator, n: int, phi: float, scale: float = 1.0) -> np.ndarray:
    e = rng.normal(0, scale, n + 100)
    x = np.zeros(n + 100)
    for t in range(1, n + 100):
        x[t] = phi * x[t - 1] + e[t]
    return x[100:]


def _dates(n: int, freq: str = "D") -> pd.DatetimeIndex:
    return pd.date_range("2015-01-01", periods=n, freq=freq)


def sales(n: int = 600, seed: int = 0) -> np.ndarray:
    """A positive daily sales series: a slowly wandering level, a weekly pattern, noise."""
    rng = np.random.default_rng(seed)
    level = 200 + np.cumsum(rng.normal(0, 1.0, n))
    week = 15 * np.sin(2 * np.pi * np.arange(n) / 7)
    return level + week + _ar1(rng, n, 0.5, 4.0)


def leak_shift(n: int = 600, seed: int = 0) -> pd.DataFrame:
    """The target shifted by -1 (rescaled: what a scaler fit would leave) next to honest
    inputs: a trailing 7-day mean and an unrelated noise column."""
    rng = np.random.default_rng(seed)
    y = sales(n, seed)
    s = pd.Series(y)
    return pd.DataFrame({
        "date": _dates(n), "sales": y,
        "next_sales_scaled": (s.shift(-1) - 200) / 30,
        "trailing_mean_7": s.rolling(7).mean(),
        "noise": rng.normal(0, 1, n),
    })


def leak_centred(n: int = 600, seed: int = 1) -> pd.DataFrame:
    """A centred 7-day rolling mean of the target (``rolling(7, center=True)``) and the
    honest trailing one."""
    y = sales(n, seed)
    s = pd.Series(y)
    return pd.DataFrame({"date": _dates(n), "sales": y,
                         "smooth_centred_7": s.rolling(7, center=True).mean(),
                         "smooth_trailing_7": s.rolling(7).mean()})


def leak_cumulative(n: int = 500, seed: int = 2) -> pd.DataFrame:
    """Running totals anchored on the whole series' total ("what is left to sell",
    "share of the year's sales so far") and an honest running total."""
    y = sales(n, seed)
    total = y.sum()
    return pd.DataFrame({"date": _dates(n), "sales": y,
                         "remaining_total": y[::-1].cumsum()[::-1],
                         "share_so_far": np.cumsum(y) / total,
                         "running_total": np.cumsum(y)})


def weather(n: int = 4000, seed: int = 3) -> pd.DataFrame:
    """Hourly electricity demand driven by the temperature (this hour's and the previous
    one's) and the hour of the day, next to a temperature column (useful), a noise sensor
    (useless) and the hour of the day (a calendar column, known in advance)."""
    rng = np.random.default_rng(seed)
    hours = np.arange(n)
    temp = 12 + 6 * np.sin(2 * np.pi * (hours - 9) / 24) + _ar1(rng, n, 0.95, 0.6)
    demand = np.zeros(n)
    e = rng.normal(0, 1.0, n)
    for t in range(1, n):
        demand[t] = (0.6 * demand[t - 1] + 1.0 * (temp[t] - 12) + 0.8 * (temp[t - 1] - 12)
                     + e[t])
    hour = hours % 24
    demand += 4 * ((hour >= 8) & (hour <= 20))
    return pd.DataFrame({"date": _dates(n, "h"), "demand": 300 + demand,
                         "temperature": temp, "sensor_noise": _ar1(rng, n, 0.7),
                         "hour_of_day": hour})


def redundant(n: int = 800, seed: int = 4) -> pd.DataFrame:
    """Temperature in Celsius and Fahrenheit, a near copy, and an independent input; the
    target depends on the temperature."""
    rng = np.random.default_rng(seed)
    c = _ar1(rng, n, 0.8, 2.0) + 15
    other = _ar1(rng, n, 0.5)
    y = np.zeros(n)
    e = rng.normal(0, 1, n)
    for t in range(1, n):
        y[t] = 0.5 * y[t - 1] + 0.8 * (c[t - 1] - 15) + 0.5 * other[t - 1] + e[t]
    return pd.DataFrame({"date": _dates(n), "y": y, "temp_c": c, "temp_f": 1.8 * c + 32,
                         "temp_c_sensor2": c + rng.normal(0, 0.1, n), "other": other})


def all_useful(n: int = 1500, seed: int = 5) -> pd.DataFrame:
    """A multivariate set-up where every input helps: the target reacts to three
    independent stationary drivers at lags 1 and 2."""
    rng = np.random.default_rng(seed)
    x1, x2, x3 = (_ar1(rng, n, phi) for phi in (0.7, 0.3, 0.5))
    y = np.zeros(n)
    e = rng.normal(0, 1, n)
    for t in range(2, n):
        y[t] = 0.5 * y[t - 1] + 0.6 * x1[t - 1] + 0.5 * x2[t - 2] - 0.5 * x3[t - 1] + e[t]
    return pd.DataFrame({"date": _dates(n), "y": y, "x1": x1, "x2": x2, "x3": x3})


def wandering_inputs(n: int = 600, seed: int = 6) -> pd.DataFrame:
    """A stationary target next to an input with a unit root (a price level) and a
    stationary one (its returns)."""
    rng = np.random.default_rng(seed)
    steps = rng.normal(0, 1, n)
    price = 100 + np.cumsum(steps)
    y = 0.5 * np.concatenate([[0.0], steps[:-1]]) + rng.normal(0, 1, n)
    return pd.DataFrame({"date": _dates(n), "y": y, "price": price,
                         "price_change": np.concatenate([[0.0], np.diff(price)])})


def noise_frame(n: int, k: int, seed: int = 0) -> pd.DataFrame:
    """An AR(2) target and ``k`` independent noise inputs (white and AR(1) noise)."""
    rng = np.random.default_rng(seed)
    y = np.zeros(n + 200)
    e = rng.normal(0, 1, n + 200)
    for t in range(2, n + 200):
        y[t] = 0.6 * y[t - 1] - 0.3 * y[t - 2] + e[t]
    cols = {"y": y[200:]}
    for j in range(k):
        cols[f"noise_{j}"] = rng.normal(0, 1, n) if j % 2 == 0 else _ar1(rng, n, 0.6)
    return pd.DataFrame(cols)


def useful_frame(n: int, k: int, rho: float, seed: int = 0) -> pd.DataFrame:
    """An AR(1) target and ``k`` independent inputs, each explaining a share ``rho ** 2`` of
    the target's innovations at lag 1 (each is useful at LD802's margin when
    ``rho >= 0.1``)."""
    rng = np.random.default_rng(seed)
    xs = rng.normal(0, 1, (n, k))
    b = rho  # each driver's share of the innovation variance is rho^2 (unit total)
    noise_sd = np.sqrt(max(1e-12, 1 - k * b * b))
    y = np.zeros(n)
    e = rng.normal(0, noise_sd, n)
    for t in range(1, n):
        y[t] = 0.5 * y[t - 1] + b * xs[t - 1].sum() + e[t]
    return pd.DataFrame({"y": y, **{f"x{j}": xs[:, j] for j in range(k)}})


def leak_frame(kind: str, n: int = 400, seed: int = 0) -> pd.DataFrame:
    """One synthetic leak (``shift``, ``centred`` or ``remaining``) of a random target
    (an AR(1) or a random walk, by seed) next to the target; shifted and centred leaks are
    rescaled (a remaining total only anchors unscaled)."""
    rng = np.random.default_rng(seed)
    y = _ar1(rng, n, 0.7) if seed % 2 else 50 + np.cumsum(rng.normal(0, 1, n))
    s = pd.Series(y)
    width = 3 + 2 * (seed % 5)
    leak = {"shift": s.shift(-1 - seed % 3),
            "centred": s.rolling(width, center=True).mean(),
            "remaining": s[::-1].cumsum()[::-1]}[kind]
    return pd.DataFrame({"y": y, "leak": leak if kind == "remaining" else 2.5 * leak + 7})


def write_fixtures(out: Path = OUT) -> list[Path]:
    """Write the CSV files the rule cases read; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, frame in (("leak_shift", leak_shift()), ("leak_centred", leak_centred()),
                        ("leak_cumulative", leak_cumulative()),
                        ("weather", weather().set_index("date").round(4).reset_index()),
                        ("redundant", redundant()), ("all_useful", all_useful()),
                        ("wandering_inputs", wandering_inputs())):
        path = out / f"{name}.csv"
        frame.to_csv(path, index=False, float_format="%.10g")
        paths.append(path)
    return paths


if __name__ == "__main__":
    for p in write_fixtures():
        print(p)
