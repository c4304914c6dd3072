"""Shared statistics for the rules, each computed once per run (:func:`cached`).

Every function takes the :class:`~lstm_doctor.context.Context` first and caches its result
in it, so two rules asking the same question share one computation. Functions that test an
arbitrary array also take an ``x_key``: a short, stable name for that array (``"values"``,
``"diff1"``, ``"stationary"``...) that becomes part of the cache key, so the caller is
responsible for giving different arrays different keys.

The package measures; it decides nothing about the set-up. Judgements that read the
set-up (does it remove the season, which scale the remedies model the level on) live with
the rules, in :mod:`lstm_doctor.rules._setup_facts`.

The hypothesis tests themselves are statsmodels' and scipy's (ADF, KPSS, Ljung-Box,
Box-Cox MLE, STL); this package chooses their arguments, bounds their cost on long series
and reports the statistic, p-value, lags used and the regression variant. By subject:

* :mod:`~lstm_doctor.stats.autocorrelation`: :func:`acf`, :func:`pacf`,
  :func:`pacf_significant_lags`, :func:`ljung_box`;
* :mod:`~lstm_doctor.stats.unitroot`: :func:`adf`, :func:`kpss`
  (:mod:`~lstm_doctor.stats.fast_adf` is the memory-bounded ADF);
* :mod:`~lstm_doctor.stats.stationarity`: :func:`stationarity_order`,
  :func:`stationary_series`, :func:`level_shift`, :func:`level_diagnosis`;
* :mod:`~lstm_doctor.stats.seasonality`: :func:`detect_period`, :func:`seasonal_period`
  (the one source of the period), :func:`frequency_periods`;
* :mod:`~lstm_doctor.stats.variance`: :func:`boxcox_lambda`, :func:`variance_vs_level`;
* :func:`stable_mean`, :func:`stable_std`: moments of values of any magnitude.

Statistics are scale-free, so every test runs on a copy divided by a power of two when the
values lie beyond 1e100 or below 1e-100 in magnitude (their squares would overflow or
underflow); values in the data's units (jump sizes, trend slopes) are scaled back.

Cost on long series
-------------------
ADF uses :func:`lstm_doctor.stats.fast_adf.adfuller_fast` (chunked QR, ``O(n)`` memory)
with the lag search capped at :data:`ADF_MAX_LAG`; KPSS caps its lag count beyond
:data:`KPSS_AUTO_MAX` points; ACF, PACF, Ljung-Box and KPSS's long-run variance use FFT
autocovariances (beyond 2e4 points: dot products for a few lags, else a real FFT padded to
``n + lags``); the seasonal search looks at the last :data:`SEASON_MAX_POINTS` points, scores
candidates with an O(n) classical decomposition (long moving averages by cumulative sums)
and runs STL (:mod:`lstm_doctor._stl`, numpy) only when ``n * period <= STL_MAX_WORK``.
Nothing here imports statsmodels or scipy.stats on the way of ``check``. On 1e6 points the
whole ``check`` takes about 2.5 s (dominated by the two ADF regressions), with a peak
resident set of about 320 MB (``benchmarks/RESULTS_long.md``).
"""

from __future__ import annotations

from lstm_doctor.stats._common import (
    ALPHA,
    DEGENERATE_MAX_OFF,
    DEGENERATE_MAX_OFF_SHARE,
    MIN_TEST_POINTS,
    cached,
    stable_mean,
    stable_std,
    untestable_reason,
)
from lstm_doctor.stats.autocorrelation import (
    LJUNG_BOX_DIRECT_MAX,
    acf,
    ljung_box,
    ljung_box_lags,
    pacf,
    pacf_significant_lags,
)
from lstm_doctor.stats.seasonality import (
    SEASON_MAX_POINTS,
    SEASON_MIN_ACF,
    SEASON_MIN_PROFILE_CORR,
    SEASON_MIN_STABILITY,
    SEASON_MIN_STRENGTH,
    SEASON_MIN_STRENGTH_CALENDAR,
    STL_MAX_WORK,
    detect_period,
    frequency_periods,
    seasonal_period,
)
from lstm_doctor.stats.stationarity import (
    SHIFT_MAX_JUMPS,
    SHIFT_MIN_JUMP_Z,
    SHIFT_MIN_SEGMENT,
    SHIFT_MIN_SHARE,
    level_diagnosis,
    level_shift,
    stationarity_order,
    stationarity_order_of,
    stationary_series,
)
from lstm_doctor.stats.unitroot import (
    ADF_AUTOLAG,
    ADF_MAX_LAG,
    KPSS_AUTO_MAX,
    KPSS_MAX_LAG,
    TREND_MIN_R2,
    UNIT_ROOT_ADF_P,
    adf,
    kpss,
)
from lstm_doctor.stats.variance import boxcox_lambda, variance_vs_level

__all__ = [
    "ADF_AUTOLAG",
    "ADF_MAX_LAG",
    "ALPHA",
    "DEGENERATE_MAX_OFF",
    "DEGENERATE_MAX_OFF_SHARE",
    "KPSS_AUTO_MAX",
    "KPSS_MAX_LAG",
    "LJUNG_BOX_DIRECT_MAX",
    "MIN_TEST_POINTS",
    "SEASON_MAX_POINTS",
    "SEASON_MIN_ACF",
    "SEASON_MIN_PROFILE_CORR",
    "SEASON_MIN_STABILITY",
    "SEASON_MIN_STRENGTH",
    "SEASON_MIN_STRENGTH_CALENDAR",
    "SHIFT_MAX_JUMPS",
    "SHIFT_MIN_JUMP_Z",
    "SHIFT_MIN_SEGMENT",
    "SHIFT_MIN_SHARE",
    "STL_MAX_WORK",
    "TREND_MIN_R2",
    "UNIT_ROOT_ADF_P",
    "acf",
    "adf",
    "boxcox_lambda",
    "cached",
    "detect_period",
    "frequency_periods",
    "kpss",
    "level_diagnosis",
    "level_shift",
    "ljung_box",
    "ljung_box_lags",
    "pacf",
    "pacf_significant_lags",
    "seasonal_period",
    "stable_mean",
    "stable_std",
    "stationarity_order",
    "stationarity_order_of",
    "stationary_series",
    "untestable_reason",
    "variance_vs_level",
]
