"""The facts renderers need, computed once from the live run and stored in the Report.

A renderer sees only ``Report.to_dict()``; whatever an output shows beyond the findings
(the seasonal period, the time grid, the holdout, a downsampled series for the plots, the
proposed set-up with its YAML file and training script, the rule documentation, package
versions) is computed here, after the rules (and the experiment) ran, and stored in
``report.facts``. ``Report.from_dict(saved_json)`` therefore re-renders every format
exactly as the live run did.

:func:`attach_facts` is called by :func:`lstm_doctor.check` and :func:`lstm_doctor.report`.
The panel engine's per-series checks do not store facts (they would repeat the rule
documentation and a series for plots in every entry of a panel; no panel output uses them).

``facts`` keys (all optional: a fact that cannot be computed is ``None`` and its reason is
in ``errors``)

``period``
    ``{"period", "kind"}`` (``kind`` ``seasonal`` or ``cycle``) or ``None``.
``time_grid``
    ``{"n_missing", "longest_gap", "first_gap_row"}`` of the time index, or ``None``.
``split``
    ``{"n", "n_train", "n_test", "start", "end"}``: the holdout span (time stamps of its
    first and last point, or positions).
``series``
    The target for plots (:func:`series_facts`).
``proposed``
    The set-up the findings' remedies propose (:func:`proposed_setup`): in
    :func:`lstm_doctor.report` refined to a fixpoint like ``lstm-doctor fix``; in
    :func:`lstm_doctor.check` one composition of the remedies (a fixpoint re-checks the
    remediated set-up, which would double the CI gate's time). ``None`` when nothing
    changes the set-up or when the experiment trained a remediated set-up (``comparison``
    holds it).
``rules``
    Per rule that ran: ``doc``, ``summary``, ``group``, ``severity``, ``thresholds`` (the
    defaults), and ``sections`` for the rules with a finding.
``versions``, ``machine``
    Package versions (TensorFlow/Keras without importing them) and the platform.
"""

from __future__ import annotations

import functools
import math
import os
import platform
import sys
from typing import Any

import numpy as np

from lstm_doctor.plotdata import MAX_POINTS, decimate

FACTS_VERSION = 1
VERSION_PACKAGES = ("lstm-doctor", "numpy", "pandas", "statsmodels", "scipy", "scikit-learn",
                    "matplotlib", "jinja2")
#: Significant digits kept for derived plot lines (rolling statistics).
PLOT_DIGITS = 6
#: Nanoseconds per unit of stored time offsets (coarsest first).
_UNITS = {"D": 86_400 * 10**9, "m": 60 * 10**9, "s": 10**9, "us": 10**3}
#: Raw points kept from the end of a downsampled series (its ACF and STL decomposition).
TAIL_POINTS = 1000


def attach_facts(report: Any, ctx: Any = None, *, refine: bool = False) -> Any:
    """Compute the renderers' facts of ``report`` and store them in ``report.facts``.

    Parameters
    ----------
    report : Report
        A report from the rules (and the experiment).
    ctx : Context, optional
        The run's context (default: ``report.extras["context"]``).
    refine : bool
        Refine the proposed set-up to a fixpoint (re-checks the remediated set-up, as
        ``lstm-doctor fix`` does); else one composition of the findings' remedies.

    Returns
    -------
    Report
        ``report``, with ``facts`` set.
    """
    report.facts = compute_facts(report, ctx if ctx is not None else
                                 report.extras.get("context"), refine=refine)
    return report


def compute_facts(report: Any, ctx: Any, *, refine: bool = False) -> dict[str, Any]:
    """Every fact a renderer needs, as plain JSON-able data (see the module docstring).

    A fact that fails to compute is ``None`` and its exception is recorded in ``errors``:
    a display fact never fails the run.
    """
    comp = report.comparison or {}
    errors: dict[str, str] = {}

    def safe(name: str, fn: Any, *args: Any) -> Any:
        try:
            return fn(*args)
        except Exception as exc:  # noqa: BLE001 - a display fact must never lose the report
            errors[name] = f"{type(exc).__name__}: {exc}"
            return None

    facts: dict[str, Any] = {"version": FACTS_VERSION}
    if ctx is not None:
        facts["period"] = safe("period", detect_period, ctx)
        facts["time_grid"] = safe("time_grid", time_grid_facts, ctx)
        split = safe("split", split_facts, ctx, comp)
        facts["split"] = split
        period = _comparison_period(comp) or (facts["period"] or {}).get("period")
        n_train = split["n_train"] if split else ctx.n_train
        facts["series"] = safe("series", series_facts, ctx.y, ctx.series.time, n_train,
                               period, str(ctx.series.target))
        from lstm_doctor.feature_facts import feature_facts

        facts["features"] = safe("features", feature_facts, report, ctx)
    if not comp.get("remediated_config"):
        facts["proposed"] = safe("proposed", proposed_setup, report, ctx, refine)
    facts["rules"] = safe("rules", rule_docs, report)
    facts["versions"] = safe("versions", versions)
    facts["machine"] = machine()
    if errors:
        facts["errors"] = errors
    return facts


# -- data facts -------------------------------------------------------------------------------
def arrays_facts(facts: dict[str, Any], setup: Any) -> dict[str, Any]:
    """What :func:`lstm_doctor.diagnose` read from the arrays fed to ``fit`` (plain data).

    Returns
    -------
    dict
        ``source`` (``arrays``: the series was rebuilt from the target windows; ``series``:
        given), ``shapes`` (``{"X_train": [n, steps, features], ...}``), ``rows`` (label,
        value pairs for the report's data section: each fact that came from the arrays or
        the fit arguments) and ``notes``.
    """
    shapes = {k: list(facts[k]) for k in ("X_train", "y_train", "X_val", "X_test")
              if facts.get(k)}
    rows: list[list[str]] = [[f"{name} shape", "(" + ", ".join(map(str, shape)) + ")"]
                             for name, shape in shapes.items()]
    window = facts.get("window") or {}
    if window:
        layout = ("look-back values as features (1 time step)"
                  if window.get("layout") == "features" else "time steps")
        rows.append(["Window (from X_train)", f"{window.get('seq_length')} ({layout})"])
        rows.append(["Horizon (from y_train)", str(window.get("horizon"))])
    for key, value in (facts.get("training") or {}).items():
        if setup is not None and setup.origin(f"training.{key}") == "given":
            rows.append([f"training.{key} (from fit)", str(value)])
    rows.append(["Series judged", "rebuilt from the target windows" if facts.get("source")
                 == "arrays" else "the series given (series=)"])
    return {"source": facts.get("source"), "shapes": shapes, "rows": rows,
            "notes": [str(n) for n in facts.get("notes") or []]}


def detect_period(ctx: Any) -> dict[str, Any] | None:
    """The seasonal period of the target as ``{"period", "kind"}`` (``None`` below 2)."""
    # TODO(W1): call the stats package's single period source once it settles.
    from lstm_doctor.stats import detect_period as _detect

    found = _detect(ctx)
    if not found or found.get("period") is None:
        return None
    period = int(found["period"])
    return {"period": period, "kind": str(found.get("kind") or "seasonal")} \
        if period >= 2 else None


def _comparison_period(comp: dict[str, Any]) -> int | None:
    value = comp.get("period")
    if isinstance(value, dict):
        value = value.get("period")
    try:
        period = int(value)
    except (TypeError, ValueError):
        return None
    return period if period >= 2 else None


def time_grid_facts(ctx: Any) -> dict[str, Any] | None:
    """Gaps of the time index (``None`` without one).

    ``{"n_missing", "longest_gap", "first_gap_row"}``: the last is the 0-based row of the
    first point after the first missing stamp (where a CI annotation points), or ``None``.
    """
    grid = ctx.time_grid
    if not grid:
        return None
    return {"n_missing": grid.get("n_missing"), "longest_gap": grid.get("longest_gap"),
            "first_gap_row": first_row_after(ctx.series.time, grid.get("first_missing"))}


def first_row_after(time: Any, stamp: Any) -> int | None:
    """The first row whose time stamp is after ``stamp`` (an ISO string or a number)."""
    if time is None or stamp is None or not len(time):
        return None
    import pandas as pd

    try:
        idx = pd.Index(time)
        limit = pd.Timestamp(stamp) if isinstance(idx, pd.DatetimeIndex) else float(stamp)
        after = np.flatnonzero(np.asarray(idx > limit))
    except (TypeError, ValueError):
        return None
    return int(after[0]) if after.size else None


def split_facts(ctx: Any, comp: dict[str, Any]) -> dict[str, Any]:
    """The train/holdout split: the experiment's holdout when it ran, else the set-up's."""
    n = int(ctx.n)
    holdout = comp.get("holdout") or {}
    n_test = int(holdout["n"]) if holdout.get("n") else int(ctx.n_test)
    n_test = min(max(n_test, 0), n)
    n_train = n - n_test
    time = ctx.series.time
    start = end = None
    if n_test:
        if time is not None and len(time) == n:
            start, end = _stamp(time[n_train]), _stamp(time[n - 1])
        else:
            start, end = n_train, n - 1
    return {"n": n, "n_train": n_train, "n_test": n_test, "start": start, "end": end}


def _stamp(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    return value


# -- the series for plots ---------------------------------------------------------------------
def _floats(values: np.ndarray, digits: int | None = None) -> list[float | None]:
    """Plain floats (``None`` for NaN/inf), optionally rounded to ``digits`` significant."""
    out: list[float | None] = []
    for v in np.asarray(values, dtype=float).tolist():
        if not math.isfinite(v):
            out.append(None)
        elif digits is None:
            out.append(v)
        else:
            out.append(float(f"{v:.{digits}g}"))
    return out


def x_values(time: Any, n: int) -> tuple[str, str, Any]:
    """How to place a series on the x axis.

    Returns
    -------
    kind : str
        ``datetime`` (time stamps), ``number`` (a numeric index) or ``row`` (positions:
        no usable index, e.g. unsorted or duplicated stamps).
    label : str
        Axis label (``""`` for dates, the index name, or ``"row"``).
    index : pandas.Index or None
        The index to take x values from (``None`` for rows).
    """
    import pandas as pd

    if time is not None and len(time) == n and n:
        idx = pd.Index(time)
        if idx.is_monotonic_increasing and idx.is_unique:
            if isinstance(idx, pd.DatetimeIndex):
                return "datetime", "", idx
            if pd.api.types.is_numeric_dtype(idx):
                return "number", str(idx.name or ""), idx
    return "row", "row", None


def _wall_ns(index: Any) -> np.ndarray:
    """Nanoseconds of wall-clock time (an aware index loses its offset: one axis across DST)."""
    if index.tz is not None:
        index = index.tz_localize(None)
    return index.as_unit("ns").asi8


def time_origin(index: Any) -> tuple[str, str]:
    """The origin (ISO stamp of the first point) and the coarsest exact step unit.

    X values of stamps are stored as whole multiples of the unit after the origin
    (``D`` days, ``m`` minutes, ``s`` seconds, ``us`` microseconds, ``ns``).
    """
    import pandas as pd

    ns = _wall_ns(index)
    delta = ns - ns[0]
    unit = next((u for u, size in _UNITS.items() if not (delta % size).any()), "ns")
    return pd.Timestamp(int(ns[0])).isoformat(), unit


def _xs(kind: str, index: Any, positions: np.ndarray, unit: str = "ns") -> list[Any] | None:
    if kind == "datetime":  # whole units after the origin (see time_origin)
        ns = _wall_ns(index[positions])
        origin = _wall_ns(index[:1])[0]
        return ((ns - origin) // _UNITS.get(unit, 1)).tolist()
    if kind == "number":
        return _floats(np.asarray(index[positions], dtype=float))
    return None


def rolling_window(n: int, period: int | None) -> int:
    """The display window of the rolling statistics.

    The period (or n/20), widened on long series so the lines stay readable.
    """
    window = period if period and period <= n // 4 else max(3, n // 20)
    return max(2, min(max(window, n // 100), max(n // 4, 2)))


def series_facts(y: Any, time: Any, n_train: int, period: int | None = None,
                 target: str = "y") -> dict[str, Any]:
    """The target downsampled for plots, with its rolling statistics and histograms.

    Parameters
    ----------
    y : array-like
        The target as given (NaN allowed).
    time : pandas.Index or None
        Its time stamps.
    n_train : int
        Points before the holdout.
    period : int, optional
        The seasonal period (the rolling window; the tail kept for a decomposition).
    target : str
        The target's name.

    Returns
    -------
    dict
        ``n``, ``n_train``, ``target``, ``x_kind``, ``x_label``, ``x_origin`` and
        ``x_unit`` (time stamps: :func:`time_origin`), ``window``; the line: ``i`` (kept
        positions, ``None`` when every point is kept), ``x`` (whole ``x_unit`` after
        ``x_origin`` for stamps, the index values for a numeric index, ``None`` for row
        positions), ``y``, ``mean``, ``std``
        (rolling, computed on the full series); ``tail`` (the last raw points, for the
        autocorrelation and the decomposition, when the line is downsampled: ``start``,
        ``x``, ``y``, at least :data:`TAIL_POINTS` and two periods); ``hist`` (value
        histograms of train and holdout, and of the first differences, computed on the
        full series).
    """
    import pandas as pd

    y = np.asarray(y, dtype=float)
    n = int(y.size)
    n_train = min(max(int(n_train), 0), n)
    kind, label, index = x_values(time, n)
    window = rolling_window(n, period)
    roll = pd.Series(y).rolling(window, min_periods=max(2, window // 2))
    mean, std = roll.mean().to_numpy(), roll.std().to_numpy()
    if n <= MAX_POINTS:
        idx = np.arange(n)
    else:  # train and holdout each keep their envelope; the split and the ends stay
        budget = max(200, round(MAX_POINTS * n_train / n))
        i_train, _ = decimate(y[:n_train], budget)
        i_hold, _ = decimate(y[n_train:], max(200, MAX_POINTS - budget))
        ends = [p for p in (0, n_train - 1, n_train, n - 1) if 0 <= p < n]
        idx = np.unique(np.concatenate([i_train, n_train + i_hold, ends]).astype(int))
    origin, unit = time_origin(index) if kind == "datetime" else (None, None)
    out: dict[str, Any] = {
        "target": target, "n": n, "n_train": n_train, "x_kind": kind, "x_label": label,
        "x_origin": origin, "x_unit": unit, "window": int(window),
        "i": None if idx.size == n else idx.tolist(),
        "x": _xs(kind, index, idx, unit or "ns"), "y": _floats(y[idx]),
        "mean": _floats(mean[idx], PLOT_DIGITS), "std": _floats(std[idx], PLOT_DIGITS),
        "tail": None,
    }
    if idx.size < n:
        take = min(n, max(TAIL_POINTS, 2 * int(period or 0) + 1))
        pos = np.arange(n - take, n)
        out["tail"] = {"start": int(n - take), "x": _xs(kind, index, pos, unit or "ns"),
                       "y": _floats(y[pos])}
    out["hist"] = histograms(y, n_train)
    return out


def histograms(y: np.ndarray, n_train: int) -> dict[str, Any] | None:
    """Counts of the values (train and holdout on shared bins) and of the first differences.

    ``None`` with fewer than 3 finite values.
    """
    train, test = y[:n_train], y[n_train:]
    train, test = train[np.isfinite(train)], test[np.isfinite(test)]
    if train.size + test.size < 3:
        return None
    finite = np.concatenate([train, test])
    lo, hi = float(finite.min()), float(finite.max())
    edges = np.linspace(lo, hi if hi > lo else lo + 1.0, 41)
    diffs = np.diff(y)
    diffs = diffs[np.isfinite(diffs)]
    out: dict[str, Any] = {
        "edges": _floats(edges),
        "train": np.histogram(train, bins=edges)[0].tolist(),
        "holdout": np.histogram(test, bins=edges)[0].tolist() if test.size else None,
        "diff_edges": None, "diff": None,
    }
    if diffs.size:
        counts, diff_edges = np.histogram(diffs, bins=40)
        out["diff_edges"], out["diff"] = _floats(diff_edges), counts.tolist()
    return out


# -- the proposed set-up ----------------------------------------------------------------------
def proposed_setup(report: Any, ctx: Any, refine: bool = True) -> dict[str, Any] | None:
    """The set-up the findings propose.

    Composes the findings' remedies and, with ``refine``, refines them to a fixpoint
    (:func:`lstm_doctor.fixpoint.remediate_to_fixpoint`): the set-up ``lstm-doctor fix``
    writes. ``None`` when no remedy changes the set-up.

    Returns
    -------
    dict or None
        ``user_config``, ``remediated_config``, ``config_diff``, ``remedies``,
        ``remedies_dropped``, ``advice``, ``remediated_config_yaml``, ``training_script``
        (absent when it cannot be written), ``passes``, ``refined``; or
        ``{"error": message}`` when the remedies cannot be combined.
    """
    if not any(r.changes for f in report.findings for r in f.remedies):
        return None
    from lstm_doctor.experiment.remediation import (
        build_remediation,
        config_yaml,
        render_training_script,
    )
    from lstm_doctor.fixpoint import remediate_to_fixpoint

    try:
        if refine:
            rem = remediate_to_fixpoint(report)
        else:
            from lstm_doctor.config import LSTMConfig

            rem = build_remediation(ctx.config if ctx is not None else LSTMConfig(),
                                    report.findings)
    except Exception as exc:  # noqa: BLE001 - conflicting remedies: show the findings only
        return {"error": str(exc)}
    out: dict[str, Any] = {
        "user_config": rem.user_config.to_dict(),
        "remediated_config": rem.config.to_dict(), "config_diff": rem.diff(),
        "remedies": [a.to_dict() for a in rem.applied], "remedies_dropped": rem.dropped,
        "advice": rem.advice, "passes": rem.passes, "refined": bool(refine),
        "remediated_config_yaml": config_yaml(rem.config, header=[
            "Set-up proposed by lstm-doctor (not trained yet; same schema as your config)."]),
    }
    if ctx is not None:
        series = ctx.series
        source = series.source if not str(series.source).startswith("<") else "data.csv"
        try:
            out["training_script"] = render_training_script(
                rem.config, data_path=str(source), target=series.target,
                time_col=series.time_col,
                features=rem.kept_features(list(series.feature_names or [])), seed=0,
                remedies=rem.applied, source_note=f"Data: {source} (target '{series.target}').")
        except Exception:  # noqa: BLE001 - the script is a convenience; keep the report
            pass
    return out


# -- rule documentation -----------------------------------------------------------------------
def rule_docs(report: Any) -> dict[str, dict[str, Any]]:
    """The documentation of every rule that ran (and of every finding's rule).

    ``sections`` (description, anti-pattern, best practice) only for the rules with a
    finding; the other rules carry their docstring once (``doc``). A code unknown to this
    version is left out.
    """
    return _docs([o.code for o in report.outcomes], [f.code for f in report.findings])


def _docs(ran: list[str], found: list[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for code in dict.fromkeys([*ran, *found]):
        entry = _rule_doc(code)
        if entry is None:
            continue
        out[code] = {k: v for k, v in entry.items() if k != "sections" or code in found}
    return out


@functools.lru_cache(maxsize=256)
def _rule_doc(code: str) -> dict[str, Any] | None:
    from lstm_doctor.errors import InputError
    from lstm_doctor.rules import find_rule

    try:
        rule = find_rule(code)
    except InputError:
        return None
    return {"doc": rule.doc(), "summary": rule.summary(), "group": rule.group(),
            "severity": rule.severity.value, "thresholds": dict(rule.thresholds),
            "sections": rule.sections()}


def with_rule_docs(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``results`` with ``facts["rules"]`` in every report that lacks it (copies).

    The panel engine's entries carry no facts; a front end (the CLI) calls this before
    rendering a format that documents the rules (SARIF), so every entry is described
    with this version's documentation. Entries that have it, and error entries, are
    returned as they are.
    """
    out = []
    for r in results:
        if "findings" not in r or (r.get("facts") or {}).get("rules"):
            out.append(r)
            continue
        docs = _docs([o["code"] for o in r.get("rules") or []],
                     [f["code"] for f in r["findings"]])
        out.append({**r, "facts": {**(r.get("facts") or {}), "rules": docs}})
    return out


# -- environment ------------------------------------------------------------------------------
@functools.lru_cache(maxsize=1)
def _installed_versions() -> dict[str, str]:
    from importlib import metadata

    out: dict[str, str] = {}
    for pkg in VERSION_PACKAGES:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            continue
    return out


def versions() -> dict[str, str]:
    """Versions of the packages that made the report.

    TensorFlow and Keras are never imported: their version comes from the module when it
    is already loaded, else from the installer's metadata.
    """
    from importlib import metadata

    out = dict(_installed_versions())
    for pkg, dists in (("tensorflow", ("tensorflow", "tensorflow-cpu")), ("keras", ("keras",))):
        module = sys.modules.get(pkg)
        if module is not None and getattr(module, "__version__", None):
            out[pkg] = str(module.__version__)
            continue
        for dist in dists:
            try:
                out[pkg] = metadata.version(dist)
                break
            except metadata.PackageNotFoundError:
                continue
    out["python"] = platform.python_version()
    return out


def machine() -> dict[str, Any]:
    """``platform``, ``processor`` and ``cpus`` of the machine that made the report."""
    return {"platform": platform.platform(), "processor": platform.machine(),
            "cpus": os.cpu_count()}


__all__ = ["arrays_facts", "attach_facts", "compute_facts", "series_facts", "histograms",
           "proposed_setup", "rule_docs", "with_rule_docs", "versions", "machine", "x_values",
           "rolling_window", "FACTS_VERSION"]
