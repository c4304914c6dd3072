"""Which plots the HTML report draws, from the report's stored data.

The series plots come from ``facts["series"]`` (a downsampled series with its rolling
statistics and histograms, stored by :mod:`lstm_doctor.report_facts`); the experiment's
plots from ``comparison``. A plot that fails becomes a note, never a lost report.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def safe_plot(name: str, notes: list[str], fn: Any, *args: Any, **kwargs: Any) -> Any:
    """Run one plot; a failing plot becomes a note instead of breaking the report."""
    try:
        return fn(*args, **kwargs)
    except Exception as exc:  # noqa: BLE001 - a display must never lose the report
        notes.append(f"The {name} plot could not be drawn ({type(exc).__name__}: {exc}).")
        return None


def _array(values: list[Any] | None) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values or []], dtype=float)


def series_points(series: dict[str, Any]) -> dict[str, np.ndarray]:
    """The stored line as arrays: ``i`` (positions), ``x``, ``y``, ``mean``, ``std``."""
    from lstm_doctor.render.plots import stored_x

    y = _array(series.get("y"))
    i = np.asarray(series["i"], dtype=int) if series.get("i") is not None else np.arange(y.size)
    return {"i": i, "x": stored_x(series, series.get("x"), i), "y": y,
            "mean": _array(series.get("mean")), "std": _array(series.get("std"))}


def series_tail(series: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """The last raw points ``(x, y)`` (the whole series when it was not downsampled)."""
    from lstm_doctor.render.plots import stored_x

    tail = series.get("tail")
    if not tail:
        pts = series_points(series)
        return pts["x"], pts["y"]
    y = _array(tail.get("y"))
    pos = np.arange(int(tail["start"]), int(tail["start"]) + y.size)
    return stored_x(series, tail.get("x"), pos), y


def data_plots(d: dict[str, Any], period: dict | None) -> tuple[dict[str, Any], list[str]]:
    """The data section's plots: series, ACF/PACF, decomposition, distribution."""
    from lstm_doctor.render import plots as P

    facts = d.get("facts") or {}
    series = facts.get("series")
    notes: list[str] = []
    out: dict[str, Any] = {}
    if not series:
        why = (facts.get("errors") or {}).get("series")
        notes.append(f"The series could not be prepared for plotting ({why})." if why else
                     "The series itself is not attached to this report, so it is not plotted.")
        return out, notes
    comp = d.get("comparison") or None
    label = "holdout" if (comp or d.get("config") is not None) else "holdout (default 20%)"
    p = period["period"] if period else None
    out["series"] = safe_plot("series", notes, P.series_plot, series, holdout_label=label)
    tail_x, tail_y = series_tail(series)
    n = int(series["n"])
    out["acf"] = safe_plot("ACF/PACF", notes, P.acf_pacf_plot, tail_y, period=p, n_total=n)
    if p:
        out["decomposition"] = safe_plot("decomposition", notes, P.decomposition_plot, tail_y,
                                         tail_x, p, x_label=series.get("x_label", ""),
                                         n_total=n)
        if out["decomposition"] is not None and period and period["kind"] != "seasonal":
            out["decomposition"].caption += (" The period is a quasi-periodic cycle whose length "
                                             "drifts, so the 'seasonal' part is approximate.")
    if series.get("hist"):
        out["distribution"] = safe_plot("distribution", notes, P.distribution_plot,
                                        series["hist"], holdout_label=label)
    return out, notes


def comparison_plots(comp: dict[str, Any], d: dict[str, Any],
                     notes: list[str]) -> dict[str, Any]:
    """The experiment's plots: MASE per model, forecasts, loss curves, ablation."""
    from lstm_doctor.render import plots as P

    out: dict[str, Any] = {}
    models = comp.get("models") or []
    if models:
        out["mase"] = safe_plot("MASE", notes, P.metric_plot, models)
    forecasts = comp.get("forecasts")
    if forecasts:
        cx = cy = None
        series = (d.get("facts") or {}).get("series")
        if series:  # the end of the training data before the holdout, for context
            n_h = len(forecasts.get("index") or [])
            start = max(0, int(series["n"]) - n_h)
            span = min(start, max(n_h, 24))
            if start:
                pts = series_points(series)
                keep = (pts["i"] >= start - span) & (pts["i"] <= start)
                cx, cy = pts["x"][keep], pts["y"][keep]
        out["forecast"] = safe_plot("forecast", notes, P.forecast_plot, forecasts,
                                    context_y=cy, context_x=cx)
    if comp.get("histories"):
        out["loss"] = safe_plot("loss", notes, P.loss_plot, comp["histories"])
    if comp.get("ablation"):
        out["ablation"] = safe_plot("ablation", notes, P.ablation_plot, comp["ablation"])
    return out
