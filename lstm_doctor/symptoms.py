"""Measurements of training symptoms, read by the LD7xx rules.

Pure functions of forecasts and loss curves (numbers only), so the rules stay
"measure, then judge" and can be tested on constructed results. This module imports
neither the rules nor the experiment: the experiment produces the results, the rules
read them through these measurements.
"""

from __future__ import annotations

from typing import Any

import numpy as np

#: Display names of the models an experiment compares (reference forecasts and LSTMs).
MODEL_LABELS = {"naive": "naive (last value)", "seasonal_naive": "seasonal naive",
                "mean": "mean", "ets": "exponential smoothing (ETS)",
                "baseline_lstm": "your LSTM set-up", "remediated_lstm": "remediated LSTM"}


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    if a.size < 3 or np.std(a) == 0 or np.std(b) == 0:
        return float("nan")
    return float(np.corrcoef(a, b)[0, 1])


def persistence(y: np.ndarray, origins: np.ndarray, forecast: np.ndarray) -> dict[str, float]:
    """How much a one-step forecast copies the previous actual value.

    Returns
    -------
    dict
        ``corr_prev`` = corr(ŷ_t, y_{t-1}), ``corr_now`` = corr(ŷ_t, y_t),
        ``copy_ratio`` = mean|ŷ_t - y_{t-1}| / mean|y_t - y_{t-1}| (0 = exact copy of the
        last value) and ``mae_ratio_to_naive`` = MAE(ŷ) / MAE(naive).
    """
    y = np.asarray(y, float)
    f = np.asarray(forecast, float).reshape(len(origins), -1)[:, 0]
    prev, now = y[origins - 1], y[origins]
    naive_mae = float(np.mean(np.abs(now - prev)))
    return {
        "corr_prev": _corr(f, prev),
        "corr_now": _corr(f, now),
        "copy_ratio": float(np.mean(np.abs(f - prev)) / naive_mae) if naive_mae else np.nan,
        "mae_ratio_to_naive": float(np.mean(np.abs(f - now)) / naive_mae) if naive_mae
        else np.nan,
    }


def overfitting(loss: list[float], val_loss: list[float]) -> dict[str, Any] | None:
    """Where the validation loss bottoms out and how much it rises afterwards.

    Returns ``None`` without a usable validation curve. ``val_rise`` compares the mean of the
    last three validation losses with the minimum; ``train_drop`` is the relative fall of the
    training loss over the same stretch (from the best epoch to the mean of the last three).
    """
    v = np.asarray(val_loss, float)
    t = np.asarray(loss, float)
    if v.size < 3 or t.size != v.size or not np.all(np.isfinite(v)) \
            or not np.all(np.isfinite(t)):
        return None
    best = int(np.argmin(v))
    vmin = float(v[best])
    tail_v = float(np.mean(v[-3:]))
    tail_t = float(np.mean(t[-3:]))
    return {
        "epochs": int(v.size),
        "best_epoch": best + 1,
        "epochs_after_best": int(v.size - best - 1),
        "val_min": vmin,
        "val_end": tail_v,
        "val_rise": tail_v / vmin - 1 if vmin > 0 else float("inf"),
        "train_drop": 1 - tail_t / t[best] if t[best] > 0 else 0.0,
    }


def collapse(actual: np.ndarray, forecast: np.ndarray, train: np.ndarray) -> dict[str, float]:
    """Spread of the forecasts relative to the holdout's, and where the forecasts sit."""
    a = np.asarray(actual, float).reshape(len(actual), -1)[:, 0]
    f = np.asarray(forecast, float).reshape(len(forecast), -1)[:, 0]
    train = np.asarray(train, float)
    a_std, f_std = float(np.std(a)), float(np.std(f))
    t_std = float(np.std(train)) or 1.0
    return {
        "forecast_std": f_std,
        "actual_std": a_std,
        "spread_ratio": f_std / a_std if a_std > 0 else float("nan"),
        "forecast_mean": float(np.mean(f)),
        "train_mean": float(np.mean(train)),
        "distance_to_train_mean": float(abs(np.mean(f) - np.mean(train)) / t_std),
    }


def loss_health(loss: list[float], forecast: np.ndarray | None = None) -> dict[str, Any]:
    """Non-finite values and explosions in a training-loss curve (and the forecasts)."""
    t = np.asarray(loss, float)
    finite = np.isfinite(t)
    out: dict[str, Any] = {"epochs": int(t.size),
                           "non_finite_loss": bool(t.size and not finite.all()),
                           "first_non_finite_epoch": int(np.argmin(finite)) + 1
                           if t.size and not finite.all() else None,
                           "non_finite_forecast": bool(forecast is not None
                                                       and not np.all(np.isfinite(forecast)))}
    good = t[finite]
    if good.size >= 2 and good[0] > 0:
        out["growth"] = float(np.max(good) / good[0])
        out["end_over_min"] = float(good[-1] / np.min(good)) if np.min(good) > 0 else np.inf
    else:
        out["growth"] = 1.0
        out["end_over_min"] = 1.0
    return out


def convergence(loss: list[float], stopped_by: str = "epochs") -> dict[str, Any] | None:
    """Is the training loss still falling at the end, or flat from the start?

    ``tail_drop``: relative fall of the loss over the last ``k = max(3, epochs // 10)``
    epochs; ``total_drop``: relative fall from the first epoch to the minimum.
    """
    t = np.asarray(loss, float)
    if t.size < 4 or not np.all(np.isfinite(t)) or t[0] <= 0:
        return None
    k = max(3, t.size // 10)
    k = min(k, t.size - 1)
    ref = t[-k - 1]
    return {
        "epochs": int(t.size),
        "tail_epochs": int(k),
        "tail_drop": float(1 - t[-1] / ref) if ref > 0 else 0.0,
        "total_drop": float(1 - np.min(t) / t[0]),
        "stopped_by": stopped_by,
    }


def majority(flags: list[bool]) -> bool:
    """True when at least half of the seeds show the symptom."""
    return bool(flags) and sum(flags) * 2 >= len(flags)
