"""The Diebold-Mariano test with the Harvey-Leybourne-Newbold small-sample correction.

For forecasts ``a`` and ``b`` of the same targets, the loss differential is
``d_t = L(e_a,t) - L(e_b,t)``. With ``T`` differentials, mean ``d̄`` and autocovariances
``γ_k = (1/T) Σ_{t>k} (d_t - d̄)(d_{t-k} - d̄)``, the DM statistic is
``d̄ / sqrt((γ_0 + 2 Σ_{k=1}^{h-1} γ_k) / T)`` (Diebold & Mariano 1995). Harvey, Leybourne &
Newbold (1997) multiply it by ``sqrt((T + 1 - 2h + h(h-1)/T) / T)`` and compare it with a
Student t distribution with ``T - 1`` degrees of freedom. This is what R's
``forecast::dm.test`` computes.

A negative statistic means ``a`` has the lower loss. For multi-step forecasts the loss of
each origin is the mean loss over its ``h`` steps, and ``h - 1`` autocovariances are used.

The loss: :func:`dm_test` defaults to squared error (R's ``forecast::dm.test``,
``power = 2``); the report tests with :data:`REPORT_LOSS`, absolute error. The report ranks
models by MASE, a scaled mean absolute error, and a test on squared error can rank two models
the other way (one large miss weighs more than many small ones).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: The loss of the report's Diebold-Mariano tests: the loss MASE scales, so the test and the
#: model table agree on which model has the lower loss.
REPORT_LOSS = "absolute"
#: How each loss is named in the report (every DM line states it).
LOSS_NAMES = {"absolute": "absolute error", "squared": "squared error"}


@dataclass(frozen=True)
class DMResult:
    """Outcome of :func:`dm_test`."""

    statistic: float
    p_value: float
    n: int
    h: int
    mean_loss_diff: float

    def to_dict(self) -> dict[str, float | int]:
        """Plain dict."""
        return {"statistic": self.statistic, "p_value": self.p_value, "n": self.n,
                "h": self.h, "mean_loss_diff": self.mean_loss_diff}


def _loss(e: np.ndarray, loss: str) -> np.ndarray:
    if loss == "squared":
        return e * e
    if loss == "absolute":
        return np.abs(e)
    raise ValueError(f"loss must be 'squared' or 'absolute', not {loss!r}")


def dm_test(actual: np.ndarray, forecast_a: np.ndarray, forecast_b: np.ndarray, *,
            h: int = 1, loss: str = "squared", alternative: str = "two-sided") -> DMResult:
    """Diebold-Mariano test (HLN-corrected) of equal predictive accuracy.

    Parameters
    ----------
    actual, forecast_a, forecast_b : ndarray, shape (T,) or (T, h)
        Targets and the two forecasts (row ``t`` = one forecast origin).
    h : int
        Forecast horizon (number of autocovariances used is ``h - 1``).
    loss : {"squared", "absolute"}
        Loss applied to the errors. The report uses :data:`REPORT_LOSS` (absolute error,
        the loss MASE scales); squared error is R's default.
    alternative : {"two-sided", "less", "greater"}
        ``less``: ``a`` is more accurate than ``b``; ``greater``: less accurate.

    Returns
    -------
    DMResult
        ``statistic`` and ``p_value`` are NaN when a forecast is non-finite; when the two
        forecasts have identical losses the statistic is 0 and the p-value 1.
    """
    from scipy import stats

    a = np.asarray(actual, float)
    ea = np.asarray(forecast_a, float) - a
    eb = np.asarray(forecast_b, float) - a
    la, lb = _loss(ea, loss), _loss(eb, loss)
    if la.ndim == 2:
        la, lb = la.mean(axis=1), lb.mean(axis=1)
    d = la - lb
    T = int(d.shape[0])
    if T < 2 or not np.all(np.isfinite(d)):
        return DMResult(float("nan"), float("nan"), T, h, float(np.mean(d)) if T else np.nan)
    dbar = float(d.mean())
    dc = d - dbar
    gammas = [float(np.dot(dc[k:], dc[: T - k]) / T) for k in range(min(h, T))]
    var = (gammas[0] + 2.0 * sum(gammas[1:])) / T
    if var <= 0:  # the long-run variance estimate can go negative for h > 1
        var = gammas[0] / T
    if var <= 0:
        return DMResult(0.0, 1.0, T, h, dbar)
    stat = dbar / np.sqrt(var)
    stat *= np.sqrt((T + 1 - 2 * h + h * (h - 1) / T) / T)
    if alternative == "two-sided":
        p = 2.0 * stats.t.cdf(-abs(stat), df=T - 1)
    elif alternative == "less":
        p = stats.t.cdf(stat, df=T - 1)
    elif alternative == "greater":
        p = stats.t.sf(stat, df=T - 1)
    else:
        raise ValueError("alternative must be 'two-sided', 'less' or 'greater'")
    return DMResult(float(stat), float(p), T, h, dbar)
