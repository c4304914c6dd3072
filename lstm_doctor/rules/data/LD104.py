from __future__ import annotations

import numpy as np

from lstm_doctor.findings import Severity
from lstm_doctor.rules.base import Interval, Rule, Verdict


def _robust_z(x: np.ndarray) -> np.ndarray:
    med = np.median(x)
    mad = 1.4826 * np.median(np.abs(x - med))
    if mad == 0:
        mad = 1.2533 * np.mean(np.abs(x - med))  # mean absolute deviation fallback
    if mad == 0:
        return np.zeros_like(x)
    return (x - med) / mad


class Rule_LD104(Rule):  # noqa: N801
    """Outliers: isolated points far outside the series' usual level or step size.

    With squared loss, one spike dominates the gradient of every window that contains
    it; with min-max scaling it squeezes all other points into a sliver of [0, 1].
    Detected with a robust (median/MAD) z-score on the level and on the first
    differences, so that trends and slow level changes are not flagged.

    **Anti-pattern**

    Min-max scaling a series with one sensor glitch, or training with MSE on data
    with data-entry errors (an extra zero, a sign flip).

    **Best practice**

    Inspect the flagged rows; correct errors or winsorise/interpolate them in the
    training split, use a robust scaler (median/IQR) and consider the Huber loss.
    """

    code = "LD104"
    name = "data.outliers"
    severity = Severity.WARNING
    thresholds = {"z": 7.0, "max_outlier_fraction": 0.01}
    constraints = {"z": Interval(float, 0, None, closed="neither"),
                   "max_outlier_fraction": Interval(float, 0, 1)}

    def measure(self, ctx):
        """Robust (median/MAD) z-scores of the level and of the first differences."""
        v = ctx.values
        z_level = _robust_z(v)
        d = np.diff(v)
        z_diff = _robust_z(d) if d.size else np.zeros(0)
        limit = self.options["z"]
        level_idx = np.flatnonzero(np.abs(z_level) > limit)
        # a step outlier at diff index i concerns point i+1
        diff_idx = np.flatnonzero(np.abs(z_diff) > limit) + 1
        idx = np.union1d(level_idx, diff_idx)
        finite_rows = np.flatnonzero(np.isfinite(ctx.y))
        return {
            "n_outliers": int(idx.size),
            "outlier_fraction": float(idx.size / max(1, v.size)),
            "rows": finite_rows[idx[:10]].tolist(),
            "max_abs_z_level": float(np.abs(z_level).max()) if v.size else 0.0,
            "max_abs_z_diff": float(np.abs(z_diff).max()) if d.size else 0.0,
            "n_level_outliers": int(level_idx.size),
            "n_step_outliers": int(np.unique(diff_idx).size),
        }

    def judge(self, ev, ctx):
        """Warning for isolated outliers; info when so many that the series is heavy-tailed."""
        if ev["n_outliers"] == 0:
            return None
        frac_limit = self.options["max_outlier_fraction"]
        heavy = ev["outlier_fraction"] > frac_limit
        message = (f"{ev['n_outliers']} points lie more than {self.options['z']:g} robust "
                   f"standard deviations from the usual level or step (max |z| "
                   f"{max(ev['max_abs_z_level'], ev['max_abs_z_diff']):.1f}; rows "
                   f"{', '.join(map(str, ev['rows']))}{'…' if ev['n_outliers'] > 10 else ''})")
        if heavy:
            message += f"; {ev['outlier_fraction']:.1%} of points: the series is heavy-tailed"
        return Verdict(
            message=message,
            fix="Inspect those rows; fix data errors, winsorise or interpolate spikes in the "
                "training split, prefer preprocessing.scaler: robust and training.loss: huber.",
            severity=Severity.INFO if heavy else None,
        )
