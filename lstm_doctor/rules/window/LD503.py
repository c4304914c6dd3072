from __future__ import annotations

import math

import numpy as np

from lstm_doctor import stats
from lstm_doctor.capacity import seasonal_period
from lstm_doctor.remedies import SetWindow
from lstm_doctor.rules._setup_facts import season_handling, window_covers_period
from lstm_doctor.rules.base import Interval, NotApplicable, Rule, Verdict


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
    (:func:`lstm_doctor.rules._setup_facts.season_removed_by`), and when the window is
    shorter than the period: that is LD502's finding, reported once there.

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
    constraints = {"strong_factor": Interval(float, 0, None, closed="neither"),
                   "band_factor": Interval(float, 0, None, closed="neither"),
                   "min_moderate_lags": Interval(int, 1, None),
                   "max_lag": Interval(int, 1, 100_000), "max_window": Interval(int, 1, None)}

    def measure(self, ctx):
        """PACF of the stationary series at the lags beyond the window.

        Besides the lags the set-up's window is judged on (``beyond_window``), the
        clearly significant lags up to ``max_lag`` (``significant_tail``) are kept, so the
        remedy can choose a window that this rule passes: a longer window is judged on
        lags further out.
        """
        seq = ctx.window_span  # seq_length, or the points it spans with a sampling rate
        z = stats.stationary_series(ctx)
        z = z[np.isfinite(z)]
        period = seasonal_period(ctx)
        nlags = _nlags(seq, period, z.size, self.options["max_lag"])
        if nlags <= seq or z.size < 30:
            raise NotApplicable(f"series too short to test lags beyond seq_length {seq}")
        far = max(nlags, min(z.size // 4, int(self.options["max_lag"])))
        pacf = stats.pacf(ctx, "stationary", z, far)
        band = 1.96 / math.sqrt(z.size)
        handling = season_handling(ctx, period) if period else None
        removed = bool(handling) and handling["removed_by"] is not None
        tail = {int(lag): float(pacf[lag]) for lag in range(seq + 1, pacf.size)
                if abs(pacf[lag]) > band}
        beyond = _beyond(tail, seq, nlags, period, removed)
        return {"seq_length": seq, "nlags": nlags, "n": int(z.size), "band": band,
                "significant_lags": [lag for lag in range(1, min(nlags, pacf.size - 1) + 1)
                                     if abs(pacf[lag]) > band],
                "beyond_window": beyond, "period": period,
                "seasonal_lags_ignored": bool(handling) and (removed or not
                                                             handling["window_covers"]),
                "season_removed": removed, "significant_tail": tail}

    def judge(self, ev, ctx):
        """Fire on a strong lag, or several moderate ones, beyond the window.

        The proposed window is the first length from which no such lag is left within the
        range this rule tests for that window (so the remediated set-up passes it).
        """
        counted = self._counted(ev["beyond_window"], ev["band"])
        if not counted:
            return None
        listing = ", ".join(f"lag {lag} ({ev['beyond_window'][lag]:+.2f})"
                            for lag in counted[:8]) + ("…" if len(counted) > 8 else "")
        message = (f"the partial autocorrelation is clearly significant beyond "
                   f"window.seq_length {ev['seq_length']}: {listing} (95% band "
                   f"±{ev['band']:.2f}); no window contains those lags")
        usable = ctx.n_train - ctx.pipeline.lost
        horizon = ctx.config.window.horizon
        wanted = max(counted)
        while True:  # lengthen until the longer window's own range holds no such lag
            nlags = _nlags(wanted, ev["period"], ev["n"], self.options["max_lag"])
            further = self._counted(_beyond(ev["significant_tail"], wanted, nlags,
                                            ev["period"], ev["season_removed"]), ev["band"])
            if not further or wanted > self.options["max_window"]:
                break
            wanted = max(further)
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

    def _counted(self, beyond: dict, band: float) -> list[int]:
        """The lags that make this rule fire (none when it passes)."""
        strong = [lag for lag, v in beyond.items()
                  if abs(v) >= self.options["strong_factor"] * band]
        moderate = [lag for lag, v in beyond.items()
                    if abs(v) >= self.options["band_factor"] * band]
        if not strong and len(moderate) < self.options["min_moderate_lags"]:
            return []
        return sorted(set(strong) | set(moderate))


def _nlags(seq: int, period: int, n: int, max_lag: float) -> int:
    """The largest lag tested for a window spanning ``seq`` points."""
    return min(max(2 * seq, seq + 12, period + 2), n // 4, int(max_lag))


def _beyond(tail: dict, seq: int, nlags: int, period: int, removed: bool) -> dict:
    """The significant lags in ``(seq, nlags]`` a window of ``seq`` points is judged on.

    Lags at the season (its multiples, +-1) are left out when the preprocessing removes
    the season or the window does not reach back one period (LD502's finding).
    """
    skip_seasonal = bool(period) and (removed or not window_covers_period(seq, period))
    out = {}
    for lag, value in tail.items():
        if lag <= seq or lag > nlags:
            continue
        seasonal = bool(period) and min(lag % period, period - lag % period) <= 1 and \
            lag >= period - 1
        if seasonal and skip_seasonal:
            continue
        out[lag] = value
    return out
