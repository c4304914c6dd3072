"""Plots for the HTML report (matplotlib, drawn off-screen, embedded as SVG data URIs).

matplotlib is imported lazily and only through its object-oriented API (``Figure`` +
the Agg/SVG canvases), so rendering a report never touches pyplot's global state or the
backend of a Jupyter session.

The plots draw what the report stores: the series plots take ``facts["series"]`` (a
min/max-preserving downsampled line with rolling statistics and histograms computed on the
full series by :mod:`lstm_doctor.report_facts`), the experiment plots the ``comparison``.
The only computations here are for display: the ACF/PACF and an STL decomposition of the
stored tail of the series.

Every ``*_plot`` function returns a :class:`Plot` (``uri``, ``alt``, ``caption``) or
``None`` when it has nothing to show.
"""

from __future__ import annotations

import base64
import io
import math
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from lstm_doctor.plotdata import MAX_POINTS, decimate  # noqa: F401 - re-exported

# Okabe-Ito colours (colour-blind safe); one colour per model across every plot.
COLORS = {
    "actual": "#000000",
    "train": "#0072B2",
    "holdout": "#D55E00",
    "rolling": "#E69F00",
    "std": "#009E73",
    "mean": "#56B4E9",
    "naive": "#7F7F7F",
    "seasonal_naive": "#E69F00",
    "ets": "#CC79A7",
    "baseline_lstm": "#D55E00",
    "remediated_lstm": "#0072B2",
}
MODEL_LABELS = {
    "naive": "naive",
    "seasonal_naive": "seasonal naive",
    "ets": "ETS",
    "mean": "mean",
    "baseline_lstm": "your LSTM",
    "remediated_lstm": "remediated LSTM",
}
_FALLBACK = ("#56B4E9", "#009E73", "#F0E442", "#999999")

_RC = {
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "legend.fontsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.25,
    "svg.fonttype": "path",
    "svg.hashsalt": "lstm-doctor",
    "figure.dpi": 100,
}


@dataclass
class Plot:
    """An embedded image: a ``data:`` URI, its alt text and a caption."""

    uri: str
    alt: str
    caption: str = ""


def model_label(name: str) -> str:
    """Human label of a model key (``baseline_lstm`` -> ``your LSTM``)."""
    return MODEL_LABELS.get(name, name.replace("_", " "))


def model_color(name: str, i: int = 0) -> str:
    """The colour used for a model in every plot."""
    return COLORS.get(name, _FALLBACK[i % len(_FALLBACK)])


# -- figure plumbing -----------------------------------------------------------------------
@contextmanager
def _figure(width: float = 10.0, height: float = 4.0, nrows: int = 1, ncols: int = 1,
            **kwargs: Any):
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_RC):
        fig = Figure(figsize=(width, height), layout="constrained")
        axes = fig.subplots(nrows, ncols, squeeze=False, **kwargs)
        yield fig, axes


def to_data_uri(fig: Any) -> str:
    """Serialise a matplotlib Figure as a base64 ``data:image/svg+xml`` URI."""
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _clean(values: Sequence[Any] | None) -> np.ndarray:
    if values is None:
        return np.array([], dtype=float)
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _parse_index(index: Sequence[Any]) -> np.ndarray:
    import pandas as pd

    if len(index) and isinstance(index[0], str):
        try:
            return pd.to_datetime(pd.Index(index), format="mixed").to_numpy()
        except (ValueError, TypeError):
            return np.arange(len(index), dtype=float)
    try:
        return np.asarray(index, dtype=float)
    except (ValueError, TypeError):
        return np.arange(len(index), dtype=float)


def _line(ax: Any, x: np.ndarray, y: np.ndarray, **kwargs: Any) -> None:
    idx, v = decimate(y)
    ax.plot(x[idx], v, **kwargs)


# -- the data ------------------------------------------------------------------------------
def stored_x(series: dict[str, Any], xs: list[Any] | None, positions: np.ndarray) -> np.ndarray:
    """X values of stored points of ``facts["series"]``.

    Time stamps: ``x_origin`` plus ``xs`` whole ``x_unit`` (datetime64); a numeric index:
    the values; otherwise the row positions.
    """
    kind = series.get("x_kind", "row")
    if kind == "datetime" and xs is not None and series.get("x_origin"):
        unit = series.get("x_unit") or "ns"
        origin = np.datetime64(str(series["x_origin"]), "ns")
        return origin + np.asarray(xs, dtype="int64").astype(f"timedelta64[{unit}]")
    if kind == "number" and xs is not None:
        return _clean(xs)
    return np.asarray(positions, dtype=float)


def series_plot(series: dict[str, Any], *, holdout_label: str = "holdout") -> Plot:
    """The series with the train/holdout split marked, plus rolling mean and std.

    Parameters
    ----------
    series : dict
        ``facts["series"]`` (see :func:`lstm_doctor.report_facts.series_facts`): the
        stored line (``i``, ``x``, ``y``, ``mean``, ``std``), ``n``, ``n_train``,
        ``window``, ``target``, ``x_label``.
    holdout_label : str
        Legend label of the shaded holdout.
    """
    y = _clean(series.get("y"))
    pos = (np.asarray(series["i"], dtype=int) if series.get("i") is not None
           else np.arange(y.size))
    x = stored_x(series, series.get("x"), pos)
    mean, std = _clean(series.get("mean")), _clean(series.get("std"))
    n, n_train = int(series["n"]), int(series["n_train"])
    window, target = int(series["window"]), str(series.get("target", "y"))
    xlabel = series.get("x_label", "")
    with _figure(10, 5.2, 2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1.3]}) as (fig,
                                                                                           axes):
        top, bottom = axes[0, 0], axes[1, 0]
        train = pos < n_train
        _line(top, x[train], y[train], color=COLORS["train"], lw=1.0, label="train")
        if n_train < n:
            hold = pos >= max(n_train - 1, 0)  # join the two segments
            _line(top, x[hold], y[hold], color=COLORS["holdout"], lw=1.0, label=holdout_label)
            split = x[np.searchsorted(pos, n_train)]
            for ax in (top, bottom):
                ax.axvspan(split, x[-1], color=COLORS["holdout"], alpha=0.08, lw=0)
                ax.axvline(split, color="#444444", lw=0.8, ls="--")
        _line(top, x, mean, color=COLORS["rolling"], lw=1.4, label=f"rolling mean ({window})")
        top.set_ylabel(target)
        top.legend(loc="upper left", frameon=False, ncols=3)
        top.set_title(f"{target}: {n:,} points, split at point {n_train:,}")
        _line(bottom, x, std, color=COLORS["std"], lw=1.2)
        bottom.set_ylabel(f"rolling std ({window})")
        if xlabel:
            bottom.set_xlabel(xlabel)
        uri = to_data_uri(fig)
    return Plot(uri, alt=f"Line chart of {target} over time ({n:,} points) with the training part "
                f"and the last {n - n_train:,} points ({holdout_label}) marked, and its rolling "
                f"mean and rolling standard deviation over {window} points.",
                caption=f"The series (train and {holdout_label} shaded), rolling mean and "
                f"rolling standard deviation over {window} points."
                + (f" Drawn from {MAX_POINTS:,} min/max-preserving points." if n > MAX_POINTS
                   else ""))


def acf_pacf_plot(values: np.ndarray, *, period: int | None = None,
                  n_total: int | None = None) -> Plot | None:
    """Sample ACF and PACF of the (finite) values with the ±1.96/√n band.

    ``n_total``: the length of the whole series when ``values`` is its stored tail.
    """
    from lstm_doctor._numeric import _acf_fft, _levinson_pacf

    x = np.asarray(values, dtype=float)
    size = x.size
    x = x[np.isfinite(x)]
    n = x.size
    if n < 8 or np.nanstd(x) == 0:
        return None
    want = max(40, 2 * period + 2) if period else 40
    nlags = int(min(want, 400, n // 2 - 1))
    if nlags < 2:
        return None
    r = _acf_fft(x, nlags)  # statsmodels' acf(fft=True) and levinson_durbin, same bits
    pacf = _levinson_pacf(r, nlags)  # lag 0..nlags
    band = 1.96 / math.sqrt(n)
    lags = np.arange(nlags + 1)
    with _figure(10, 3.0, 1, 2) as (fig, axes):
        for ax, vals, title in ((axes[0, 0], r, "ACF"), (axes[0, 1], pacf, "PACF")):
            ax.vlines(lags[1:], 0, vals[1:], color=COLORS["train"], lw=1.2)
            ax.plot(lags[1:], vals[1:], "o", ms=2.5, color=COLORS["train"])
            ax.axhspan(-band, band, color="#999999", alpha=0.2, lw=0)
            ax.axhline(0, color="#444444", lw=0.6)
            if period and period <= nlags:
                for k in range(period, nlags + 1, period):
                    ax.axvline(k, color=COLORS["rolling"], lw=0.7, ls=":")
            ax.set_title(title)
            ax.set_xlabel("lag")
            ax.set_ylim(-1.05, 1.05)
        uri = to_data_uri(fig)
    seasonal = f" Dotted lines mark multiples of the period {period}." if period else ""
    scope = (f" of the last {size:,} of {n_total:,} points" if n_total and n_total > size
             else "")
    return Plot(uri, alt=f"Autocorrelation and partial autocorrelation of the series for lags 1 "
                f"to {nlags}, with the 95% band for white noise.",
                caption=f"Sample ACF and PACF{scope} (lags 1-{nlags}); the grey band is "
                f"±1.96/√n, the range expected for white noise.{seasonal}")


def decomposition_plot(y: np.ndarray, x: np.ndarray, period: int, *, x_label: str = "",
                       n_total: int | None = None) -> Plot | None:
    """STL decomposition (trend, seasonal, residual) of the stored tail of the series.

    Parameters
    ----------
    y, x : ndarray
        The last points of the series and their x values.
    period : int
        The seasonal period.
    x_label : str
        Axis label.
    n_total : int, optional
        The length of the whole series (for the caption).
    """
    import pandas as pd

    from lstm_doctor._stl import stl_decompose

    y = np.asarray(y, dtype=float)
    take = y.size
    n = max(int(n_total or take), take)
    if period < 2 or period > 1000 or take < 2 * period + 1:
        return None
    seg = pd.Series(y)
    if seg.isna().any():  # display only: bridge gaps so STL can run
        seg = seg.interpolate(limit_direction="both")
    if not np.isfinite(seg.to_numpy()).all() or seg.std() == 0:
        return None
    trend, seasonal, resid = stl_decompose(seg.to_numpy(), int(period), robust=True)
    parts = (("observed", seg.to_numpy()), ("trend", trend), ("seasonal", seasonal),
             ("residual", resid))
    with _figure(10, 6.0, 4, 1, sharex=True) as (fig, axes):
        for ax, (name, vals) in zip(axes[:, 0], parts, strict=True):
            if name == "residual":
                idx, v = decimate(vals)
                ax.plot(x[idx], v, ".", ms=1.5, color=COLORS["train"])
                ax.axhline(0, color="#444444", lw=0.6)
            else:
                _line(ax, x, vals, color=COLORS["train"], lw=1.0)
            ax.set_ylabel(name)
        if x_label:
            axes[-1, 0].set_xlabel(x_label)
        uri = to_data_uri(fig)
    scope = f"the last {take:,} of {n:,} points" if take < n else f"all {n:,} points"
    return Plot(uri, alt=f"Seasonal decomposition (STL, period {period}) of {scope} into "
                "trend, seasonal and residual components.",
                caption=f"STL decomposition with period {period} ({scope}, robust fit).")


def distribution_plot(hist: dict[str, Any], *, holdout_label: str = "holdout") -> Plot | None:
    """Histograms of the values (train vs holdout) and of the first differences.

    ``hist``: the counts stored in ``facts["series"]["hist"]`` (``edges``, ``train``,
    ``holdout``, ``diff_edges``, ``diff``).
    """
    if not hist:
        return None
    edges = _clean(hist["edges"])
    with _figure(10, 3.0, 1, 2) as (fig, axes):
        left, right = axes[0, 0], axes[0, 1]
        left.hist(edges[:-1], bins=edges, weights=hist["train"], color=COLORS["train"],
                  alpha=0.6, label="train")
        if hist.get("holdout"):
            left.hist(edges[:-1], bins=edges, weights=hist["holdout"], color=COLORS["holdout"],
                      alpha=0.6, label=holdout_label)
        left.set_title("values")
        left.set_ylabel("count")
        left.legend(frameon=False)
        if hist.get("diff"):
            diff_edges = _clean(hist["diff_edges"])
            right.hist(diff_edges[:-1], bins=diff_edges, weights=hist["diff"],
                       color=COLORS["std"], alpha=0.8)
        right.set_title("first differences")
        uri = to_data_uri(fig)
    return Plot(uri, alt="Histograms of the series values for the training part and the "
                f"{holdout_label}, and of the first differences.",
                caption=f"Distribution of the values (train vs {holdout_label}: a shift means "
                "the network must extrapolate) and of the step-to-step changes.")


# -- the experiment ------------------------------------------------------------------------
def metric_plot(models: list[dict[str, Any]], metric: str = "mase") -> Plot | None:
    """Horizontal bars of one metric per model with the spread over seeds."""
    rows = [m for m in models if m.get(metric) is not None]
    if not rows:
        return None
    names = [m["name"] for m in rows]
    vals = np.array([m[metric] for m in rows], dtype=float)
    errs = np.array([m.get(f"{metric}_std") or 0.0 for m in rows], dtype=float)
    with _figure(10, 0.45 * len(rows) + 1.0) as (fig, axes):
        ax = axes[0, 0]
        pos = np.arange(len(rows))[::-1]
        ax.barh(pos, vals, xerr=errs, color=[model_color(n, i) for i, n in enumerate(names)],
                alpha=0.85, capsize=3)
        ax.set_yticks(pos, [model_label(n) for n in names])
        if metric == "mase":
            ax.axvline(1.0, color="#444444", lw=0.8, ls="--")
        for p, v, e in zip(pos, vals, errs, strict=True):
            ax.annotate(f"{v:.3g}", (v + e, p), xytext=(4, 0), textcoords="offset points",
                        va="center", fontsize=8)
        ax.set_xlim(0, float(np.nanmax(vals + errs)) * 1.12 or 1.0)
        ax.set_xlabel(metric.upper() + " on the holdout (lower is better)")
        ax.grid(axis="y", visible=False)
        uri = to_data_uri(fig)
    listing = ", ".join(f"{model_label(n)} {v:.3g}" for n, v in zip(names, vals, strict=True))
    return Plot(uri, alt=f"Bar chart of holdout {metric.upper()} per model: {listing}.",
                caption=f"Holdout {metric.upper()} per model, mean over seeds with one standard "
                "deviation" + (" (dashed line: MASE 1, the in-sample benchmark's error)."
                               if metric == "mase" else "."))


def forecast_plot(forecasts: dict[str, Any], *, context_y: np.ndarray | None = None,
                  context_x: np.ndarray | None = None) -> Plot | None:
    """Holdout forecasts of every model over the actual series.

    Parameters
    ----------
    forecasts : dict
        ``{"index": [...], "actual": [...], "models": {name: [...]}}``.
    context_y, context_x : ndarray, optional
        The end of the training part, drawn before the holdout for context.
    """
    index = forecasts.get("index") or []
    actual = _clean(forecasts.get("actual"))
    models = forecasts.get("models") or {}
    if not len(index) or actual.size != len(index):
        return None
    x = _parse_index(index)
    with _figure(10, 4.2) as (fig, axes):
        ax = axes[0, 0]
        if context_y is not None and context_x is not None and len(context_y):
            same_kind = np.issubdtype(np.asarray(context_x).dtype, np.datetime64) == \
                np.issubdtype(x.dtype, np.datetime64)
            if same_kind:
                _line(ax, np.asarray(context_x), np.asarray(context_y, dtype=float),
                      color="#777777", lw=1.0, label="train (end)")
        _line(ax, x, actual, color=COLORS["actual"], lw=1.6, label="actual")
        for i, (name, vals) in enumerate(models.items()):
            v = _clean(vals)
            if v.size != x.size:
                continue
            style = "-" if name.endswith("lstm") else "--"
            _line(ax, x, v, color=model_color(name, i), lw=1.2, ls=style,
                  label=model_label(name))
        ax.axvline(x[0], color="#444444", lw=0.8, ls="--")
        ax.legend(loc="upper left", frameon=False, ncols=3)
        ax.set_title(f"Holdout forecasts ({len(index):,} points)")
        uri = to_data_uri(fig)
    names = ", ".join(model_label(n) for n in models)
    return Plot(uri, alt=f"Line chart of the actual holdout values and the forecasts of {names}.",
                caption="Forecasts of every model over the holdout (solid: LSTMs, dashed: "
                "reference forecasters), after the end of the training data in grey.")


def loss_plot(histories: dict[str, list[dict[str, Any]]]) -> Plot | None:
    """Training and validation loss per epoch, baseline vs remediated, one line per seed.

    A run's ``val_kind`` (``"validation"`` or ``"monitor"``) names its dashed curve: the
    set-up's own validation split, or a monitoring split the experiment held out.
    """
    from matplotlib.ticker import MaxNLocator

    items = [(name, runs) for name, runs in histories.items() if runs]
    if not items:
        return None
    with _figure(10, 3.4, 1, len(items)) as (fig, axes):
        for i, (name, runs) in enumerate(items):
            ax = axes[0, i]
            color = model_color(name, i)
            finite: list[np.ndarray] = []
            labelled: set[str] = set()
            for run in runs:
                loss, val = _clean(run.get("loss")), _clean(run.get("val_loss"))
                kind = "monitoring loss" if run.get("val_kind") == "monitor" else \
                    "validation loss"
                for values, style, label in ((loss, "-", "training loss"), (val, "--", kind)):
                    if not values.size:
                        continue
                    ax.plot(np.arange(1, values.size + 1), values, color=color, lw=1.0,
                            ls=style, alpha=0.9, label=None if label in labelled else label)
                    labelled.add(label)
                    finite.append(values[np.isfinite(values)])
            allv = np.concatenate(finite) if finite else np.array([])
            if allv.size and allv.min() > 0 and allv.max() / allv.min() > 20:
                ax.set_yscale("log")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_title(f"{model_label(name)} ({len(runs)} seed{'s' if len(runs) != 1 else ''})")
            ax.set_xlabel("epoch")
            if labelled:
                ax.legend(frameon=False)
        axes[0, 0].set_ylabel("loss (on the model's own scale)")
        uri = to_data_uri(fig)
    return Plot(uri, alt="Training and validation loss curves per epoch for "
                + " and ".join(model_label(n) for n, _ in items) + ", one line per seed.",
                caption="Loss per epoch (solid: training, dashed: validation or monitoring "
                "split), one line per seed. Each model's loss is on the scale its own "
                "preprocessing produces, so compare shapes, not levels.")


def ablation_plot(ablation: list[dict[str, Any]]) -> Plot | None:
    """Each remedy's share of the improvement (or its MASE change when removed)."""
    rows = [a for a in ablation if a.get("share") is not None or a.get("delta_mase") is not None]
    if not rows:
        return None
    use_share = all(a.get("share") is not None for a in rows)
    key = "share" if use_share else "delta_mase"
    rows = sorted(rows, key=lambda a: a[key] or 0.0)
    vals = np.array([a[key] or 0.0 for a in rows], dtype=float)
    labels = [str(a.get("remedy")) + (f" ({a['source']})" if a.get("source") else "")
              for a in rows]
    with _figure(10, 0.45 * len(rows) + 1.2) as (fig, axes):
        ax = axes[0, 0]
        pos = np.arange(len(rows))
        ax.barh(pos, vals * (100 if use_share else 1), color=COLORS["remediated_lstm"], alpha=0.85)
        ax.set_yticks(pos, labels)
        ax.axvline(0, color="#444444", lw=0.6)
        ax.set_xlabel("share of the MASE improvement (%)" if use_share else
                      "MASE change when this remedy is removed")
        ax.grid(axis="y", visible=False)
        uri = to_data_uri(fig)
    listing = ", ".join(f"{lab} {v * (100 if use_share else 1):.3g}{'%' if use_share else ''}"
                        for lab, v in zip(labels, vals, strict=True))
    return Plot(uri, alt=f"Bar chart of each remedy's contribution: {listing}.",
                caption="Ablation: the remediated LSTM retrained with each remedy removed; the bar "
                "is that remedy's share of the improvement.")
