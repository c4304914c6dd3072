from __future__ import annotations

import math

import numpy as np

from lstm_doctor import stats
from lstm_doctor.capacity import seasonal_period
from lstm_doctor.remedies import SetWindow
from lstm_doctor.rules.base import NotApplicable, Rule, Verdict


class Rule_LD503(Rule):  # noqa: N801
    """Window misses memory: the partial autocorrelation is clearly significant beyond the window.

    A lag ``k`` with a significant partial autocorrelation means the value ``k`` steps
    back carries information the nearer values do not. If ``k > seq_length`` no training
    window contains it, and the network cannot learn it (an LSTM's state is reset
    between windows). Evidence: the PACF (:func:`lstm_doctor.stats.pacf`) of the
    stationary series (:func:`lstm_doctor.stats.stationary_series`: season removed, and
    differenced only when the tests agree on a unit root, so that stationary noise is
    never over-differenced into spurious negative partial autocorrelations; a trend or
    clean level shifts are removed instead) at the lags beyond the window that are
    clearly above the 95 % band (``strong_factor`` times the band, or ``band_factor``
    times it for two lags or more, so that isolated marginal lags do not count). Lags at
    the season (its multiples, +-1) are ignored when the preprocessing removes the season
    (:func:`lstm_doctor.stats.season_removed_by`), and when the window is shorter than the
    period: that is LD502's finding, reported once there.

    **Anti-pattern**

    ``seq_length=3`` on sunspots (memory of about ten years), or a window of one day on
    hourly data whose PACF peaks at lag 25.

    **Best practice**

    Read the PACF (``statsmodels.graphics.tsaplots.plot_pacf``) of the stationary series
    and make ``seq_length`` at least the largest clearly significant lag.
    """

    code = "LD503"
    name = "window.misses-memory"
    reads = ("window.seq_length",
             "preprocessing.difference",
             "preprocessing.seasonal_difference",
             "preprocessing.deseasonalize")
    needs_config = True
    thresholds = {"strong_factor": 2.0, "band_factor": 1.5, "min_moderate_lags": 2,
                  "max_lag": 400, "max_window": 200}

    def measure(self, ctx):
        """PACF of the stationary series at the lags beyond the window."""
        seq = ctx.window_span  # seq_length, or the points it spans with a sampling rate
        z = stats.stationary_series(ctx)
        z = z[np.isfinite(z)]
        period = seasonal_period(ctx)
        nlags = min(max(2 * seq, seq + 12, period + 2), z.size // 4,
                    int(self.options["max_lag"]))
        if nlags <= seq or z.size < 30:
            raise NotApplicable(f"series too short to test lags beyond seq_length {seq}")
        significant = stats.pacf_significant_lags(ctx, "stationary", z, nlags)
        pacf = stats.pacf(ctx, "stationary", z, nlags)
        band = 1.96 / math.sqrt(z.size)
        handling = stats.season_handling(ctx, period) if period else None
        # the season's lags are LD502's when the window does not reach back one season
        skip_seasonal = bool(handling) and (handling["removed_by"] is not None
                                            or not handling["window_covers"])
        beyond = {}
        for lag in significant:
            if lag <= seq or lag >= pacf.size:
                continue
            seasonal = bool(period) and min(lag % period, period - lag % period) <= 1 and \
                lag >= period - 1
            if seasonal and skip_seasonal:
                continue
            beyond[lag] = float(pacf[lag])
        return {"seq_length": seq, "nlags": nlags, "n": int(z.size), "band": band,
                "significant_lags": [int(lag) for lag in significant],
                "beyond_window": beyond, "period": period,
                "seasonal_lags_ignored": skip_seasonal}

    def judge(self, ev, ctx):
        """Fire on a strong lag, or several moderate ones, beyond the window."""
        band = ev["band"]
        strong = [lag for lag, v in ev["beyond_window"].items()
                  if abs(v) >= self.options["strong_factor"] * band]
        moderate = [lag for lag, v in ev["beyond_window"].items()
                    if abs(v) >= self.options["band_factor"] * band]
        if not strong and len(moderate) < self.options["min_moderate_lags"]:
            return None
        counted = sorted(set(strong) | set(moderate))
        listing = ", ".join(f"lag {lag} ({ev['beyond_window'][lag]:+.2f})"
                            for lag in counted[:8]) + ("…" if len(counted) > 8 else "")
        wanted = max(counted)
        message = (f"the partial autocorrelation is clearly significant beyond "
                   f"window.seq_length {ev['seq_length']}: {listing} (95% band "
                   f"±{band:.2f}); no window contains those lags")
        usable = ctx.n_train - ctx.pipeline.lost
        horizon = ctx.config.window.horizon
        if wanted <= self.options["max_window"] and wanted + horizon <= usable // 2:
            return Verdict(message=message,
                           fix=f"Lengthen the window to cover them: window.seq_length: "
                               f"{wanted}.",
                           remedies=[SetWindow(wanted)])
        period = ev["period"]
        seasonal = f"remove the period-{period} season first " \
            f"(preprocessing.seasonal_difference: {period}), " if period else ""
        return Verdict(message=message,
                       fix=f"A {wanted}-step window is too long for this data or for an LSTM: "
                           f"{seasonal}add the lag-{wanted} value as an extra input feature, "
                           "or aggregate the series to a coarser step.")
