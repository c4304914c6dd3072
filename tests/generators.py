"""Synthetic series for rule cases (referenced by name from fixtures/rules/*.yml)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def _rng(seed):
    return np.random.default_rng(seed)


def white_noise(n=500, seed=0, loc=0.0, scale=1.0):
    return _rng(seed).normal(loc, scale, n)


def random_walk(n=500, seed=0, start=100.0, scale=1.0, drift=0.0):
    return start + np.cumsum(_rng(seed).normal(drift, scale, n))


def ar(n=2000, seed=0, phi=(0.6, -0.3), scale=1.0, loc=0.0):
    rng = _rng(seed)
    p = len(phi)
    burn = 200
    x = np.zeros(n + burn)
    e = rng.normal(0, scale, n + burn)
    for t in range(p, n + burn):
        x[t] = sum(phi[i] * x[t - 1 - i] for i in range(p)) + e[t]
    return loc + x[burn:]


def trend(n=300, seed=0, slope=0.5, intercept=10.0, scale=1.0):
    return intercept + slope * np.arange(n) + _rng(seed).normal(0, scale, n)


def seasonal(n=480, seed=0, period=12, amplitude=10.0, scale=1.0, loc=50.0, slope=0.0):
    t = np.arange(n)
    return (loc + slope * t + amplitude * np.sin(2 * np.pi * t / period)
            + _rng(seed).normal(0, scale, n))


def multiplicative(n=240, seed=0, period=12, growth=0.01, amplitude=0.2, scale=0.03):
    t = np.arange(n)
    level = 100 * np.exp(growth * t)
    return level * (1 + amplitude * np.sin(2 * np.pi * t / period)) * \
        np.exp(_rng(seed).normal(0, scale, n))


def constant(n=200, value=5.0):
    return np.full(n, float(value))


def stuck(n=200, seed=0, value=3.0, fraction=0.97):
    y = np.full(n, float(value))
    k = int(n * (1 - fraction))
    idx = _rng(seed).choice(n, size=k, replace=False)
    y[idx] = _rng(seed + 1).normal(value, 1.0, k)
    return y


def intermittent(n=400, seed=0, p_demand=0.15, mean_size=5.0):
    rng = _rng(seed)
    demand = rng.random(n) < p_demand
    return np.where(demand, rng.poisson(mean_size, n) + 1, 0).astype(float)


def spikes(n=500, seed=0, at=(100, 300), size=25.0, base="ar"):
    y = ar(n=n, seed=seed) if base == "ar" else white_noise(n=n, seed=seed)
    for i in at:
        y[i] += size
    return y


GENERATORS = {f.__name__: f for f in (white_noise, random_walk, ar, trend, seasonal,
                                      multiplicative, constant, stuck, intermittent, spikes)}


def make(spec: dict, fixtures_dir) -> tuple[object, dict]:
    """Build ``(data, load_kwargs)`` from a case's ``data`` block.

    Either ``{file: name.csv, target: col, ...}`` (a file under fixtures/) or
    ``{generator: name, <params>, freq: MS, nan_at: [...], time: [...], features: {...}}``.
    """
    spec = dict(spec)
    kwargs = {k: spec.pop(k) for k in ("target", "time_col", "features") if k in spec}
    if "file" in spec:
        return str(fixtures_dir / spec["file"]), kwargs
    name = spec.pop("generator")
    nan_at = spec.pop("nan_at", [])
    freq = spec.pop("freq", None)
    drop_rows = spec.pop("drop_rows", [])
    swap_rows = spec.pop("swap_rows", [])
    duplicate_rows = spec.pop("duplicate_rows", [])
    extra = spec.pop("extra_features", {})
    y = np.asarray(GENERATORS[name](**spec), dtype=float)
    for i in nan_at:
        y[i] = np.nan
    frame = pd.DataFrame({"y": y})
    for fname, fspec in extra.items():
        fspec = dict(fspec)
        frame[fname] = GENERATORS[fspec.pop("generator")](n=len(y), **fspec)
    if freq:
        frame.insert(0, "date", pd.date_range("2000-01-01", periods=len(y), freq=freq))
    if drop_rows:
        frame = frame.drop(index=drop_rows).reset_index(drop=True)
    for a, b in swap_rows:
        frame.iloc[[a, b]] = frame.iloc[[b, a]].to_numpy()
    if duplicate_rows:
        frame = pd.concat([frame, frame.iloc[duplicate_rows]]).sort_index(kind="stable")
        frame = frame.reset_index(drop=True)
    kwargs.setdefault("target", "y")
    return frame, kwargs


# -- stationarity & signal generators (LD2xx) ------------------------------------------------

def integrated(n=500, seed=0, order=2, scale=1.0, start=100.0):
    """White noise summed ``order`` times: an I(order) series."""
    y = _rng(seed).normal(0, scale, n)
    for _ in range(order):
        y = np.cumsum(y)
    return start + y


def seasonal_random_walk(n=480, seed=0, period=12, amplitude=10.0, scale=1.0, start=100.0):
    """A random walk plus a fixed seasonal profile (a unit root AND a season)."""
    t = np.arange(n)
    return (start + np.cumsum(_rng(seed).normal(0, scale, n))
            + amplitude * np.sin(2 * np.pi * t / period))


for _gen in (integrated, seasonal_random_walk):
    GENERATORS[_gen.__name__] = _gen


# -- consolidation (LD2xx-LD6xx) -------------------------------------------------------------

def exponential_walk(n=200, seed=0, growth=0.02, scale=0.03, start=100.0):
    """``start * exp(random walk with drift)``: a unit root on the log scale, growing swings."""
    return start * np.exp(np.cumsum(_rng(seed).normal(growth, scale, n)))


def step(n=200, seed=0, at=(100,), sizes=(10.0,), scale=0.0, loc=0.0):
    """A level that jumps by ``sizes`` at indices ``at`` (plus optional white noise)."""
    y = np.full(n, float(loc))
    for i, size in zip(at, sizes, strict=True):
        y[i:] += size
    return y + (_rng(seed).normal(0, scale, n) if scale else 0.0)


def poisson_counts(n=300, seed=0, lam=3.0):
    """Integer-valued counts."""
    return _rng(seed).poisson(lam, n).astype(float)


for _gen in (exponential_walk, step, poisson_counts):
    GENERATORS[_gen.__name__] = _gen


# -- constructed training runs (LD7xx cases) -------------------------------------------------

def make_experiment(spec: dict):
    """Build an :class:`~lstm_doctor.experiment.result.ExperimentResult` from a case's
    ``experiment`` block, without training.

    ``series`` is a generator spec as in ``data:`` (``{generator: ar, n: 240}``);
    ``n_train`` (default 80%) starts the holdout; ``period``, ``advised``
    (``{mean: [LD206]}``) and ``dm: true`` (compute the Diebold-Mariano tests) are optional.
    ``models`` maps a model name to one forecast spec or a list (one per seed); a forecast
    spec is a name (``naive``, ``seasonal_naive``, ``actual``, ``train_mean``, ``nan``) or
    ``{forecast: name, noise: sd, noise_std: k, seed: s, shift: c}`` (``noise_std``: ``k``
    training standard deviations). ``histories`` maps an LSTM to one curve dict per seed:
    ``{loss: curve, val_loss: curve}`` where a curve is a list of numbers (``.nan`` allowed),
    ``{decay: rate, epochs: n, floor: f}`` (``f + exp(-rate * epoch)``) or
    ``{valley: b, epochs: n, start: a, low: m, rise: r}`` (linear from ``a`` down to ``m``
    at epoch ``b``, then up by ``r`` per epoch).
    """
    from lstm_doctor.experiment.result import ExperimentResult

    spec = dict(spec)
    series = dict(spec["series"])
    y = np.asarray(GENERATORS[series.pop("generator")](**series), dtype=float)
    n = y.size
    n_train = int(spec.get("n_train", round(0.8 * n)))
    period = spec.get("period")
    origins = np.arange(n_train, n)
    train = y[:n_train]

    def forecast(item) -> np.ndarray:
        item = {"forecast": item} if isinstance(item, str) else dict(item)
        kind = item.get("forecast", "actual")
        base = {"naive": lambda: y[origins - 1],
                "seasonal_naive": lambda: y[origins - int(period)],
                "actual": lambda: y[origins].copy(),
                "train_mean": lambda: np.full(origins.size, train.mean()),
                "nan": lambda: np.full(origins.size, np.nan)}[kind]()
        sd = float(item.get("noise", 0.0)) + float(item.get("noise_std", 0.0)) * train.std()
        if sd:
            base = base + _rng(item.get("seed", 1)).normal(0, sd, origins.size)
        return base + float(item.get("shift", 0.0))

    def curve(c) -> list[float]:
        if isinstance(c, list):
            return [float(v) for v in c]
        e = np.arange(int(c["epochs"]))
        if "decay" in c:
            return (c.get("floor", 0.0) + np.exp(-c["decay"] * e)).tolist()
        b, a, m, r = c["valley"], c["start"], c["low"], c["rise"]
        return np.where(e < b, a - (a - m) * e / b, m + r * (e - b)).tolist()

    forecasts = {name: [forecast(s) for s in (v if isinstance(v, list) else [v])]
                 for name, v in spec["models"].items()}
    forecasts = {name: (v if name.endswith("lstm") else v[0]) for name, v in forecasts.items()}
    histories = {name: [{k: curve(c) for k, c in h.items()} for h in runs]
                 for name, runs in (spec.get("histories") or {}).items()}
    res = ExperimentResult.from_forecasts(y, n_train, forecasts, histories=histories,
                                          period=period, advised=spec.get("advised"))
    if spec.get("dm"):
        from lstm_doctor.experiment.verdict import dm_tests

        res.dm_tests = dm_tests(res)
    return res
