"""MacKinnon's response-surface tables for the ADF test (one variable, N = 1).

The p-values come from MacKinnon (1994), the critical values from MacKinnon (2010), the
same published coefficients that ``statsmodels.tsa.adfvalues`` holds. They live here so
that an ADF test does not import that module, which imports ``scipy.stats`` (about half a
second of start-up in every ``check`` process and joblib worker). ``tests/test_stats.py``
checks both functions against statsmodels' ``mackinnonp`` and ``mackinnoncrit``.

References
----------
MacKinnon, J.G. (1994). Approximate asymptotic distribution functions for unit-root and
cointegration tests. Journal of Business & Economic Statistics 12(2), 167-176.
MacKinnon, J.G. (2010). Critical values for cointegration tests. Queen's University,
Department of Economics Working Paper 1227.
"""

from __future__ import annotations

import numpy as np

#: Statistic above which the p-value is 1, below which it is 0, and the switch point
#: between the small-p and the large-p polynomials (1994, N = 1).
_TAU_MAX = {"n": np.inf, "c": 2.74, "ct": 0.7, "ctt": 0.54}
_TAU_MIN = {"n": -19.04, "c": -18.83, "ct": -16.18, "ctt": -17.17}
_TAU_STAR = {"n": -1.04, "c": -1.61, "ct": -2.89, "ctt": -3.21}
#: Normal-quantile polynomials of the statistic (increasing powers), as printed in the
#: paper, then multiplied by its scaling factors.
_SMALL_P = {"n": [0.6344, 1.2378, 3.2496], "c": [2.1659, 1.4412, 3.8269],
            "ct": [3.2512, 1.6047, 4.9588], "ctt": [4.0003, 1.658, 4.8288]}
_LARGE_P = {"n": [0.4797, 9.3557, -0.6999, 3.3066], "c": [1.7339, 9.3202, -1.2745, -1.0368],
            "ct": [2.5261, 6.1654, -3.7956, -6.0285],
            "ctt": [3.0778, 4.9529, -4.1477, -5.9359]}
_SMALL_SCALING = np.array([1, 1, 1e-2])
_LARGE_SCALING = np.array([1, 1e-1, 1e-1, 1e-2])
#: Critical values at 1, 5 and 10 %: ``b0 + b1 / T + b2 / T**2 + b3 / T**3`` (2010; the
#: no-constant case is from MacKinnon 1996).
_CRIT_2010 = {
    "n": [[-2.56574, -2.2358, -3.627, 0.0], [-1.941, -0.2686, -3.365, 31.223],
          [-1.61682, 0.2656, -2.714, 25.364]],
    "c": [[-3.43035, -6.5393, -16.786, -79.433], [-2.86154, -2.8903, -4.234, -40.04],
          [-2.56677, -1.5384, -2.809, 0.0]],
    "ct": [[-3.95877, -9.0531, -28.428, -134.155], [-3.41049, -4.3904, -9.036, -45.374],
           [-3.12705, -2.5856, -3.925, -22.38]],
    "ctt": [[-4.37113, -11.5882, -35.819, -334.047], [-3.83239, -5.9057, -12.49, -118.284],
            [-3.55326, -3.6596, -5.293, -63.559]],
}


def mackinnon_pvalue(stat: float, regression: str) -> float:
    """MacKinnon's (1994) approximate p-value of an ADF statistic (one variable).

    ``statsmodels.tsa.adfvalues.mackinnonp(stat, regression, N=1)``: the same tables and
    polynomial, and the normal CDF by its special function.

    Parameters
    ----------
    stat : float
        The ADF statistic.
    regression : {"c", "ct", "ctt", "n"}
        Deterministic terms of the test regression.

    Returns
    -------
    float
    """
    from scipy import special

    if stat > _TAU_MAX[regression]:
        return 1.0
    if stat < _TAU_MIN[regression]:
        return 0.0
    if stat <= _TAU_STAR[regression]:
        coef = np.asarray(_SMALL_P[regression]) * _SMALL_SCALING
    else:
        coef = np.asarray(_LARGE_P[regression]) * _LARGE_SCALING
    return float(special.ndtr(np.polyval(coef[::-1], stat)))


def mackinnon_crit(regression: str, nobs: float = np.inf) -> np.ndarray:
    """MacKinnon's (2010) critical values at 1, 5 and 10 % for ``nobs`` observations.

    ``statsmodels.tsa.adfvalues.mackinnoncrit(N=1, regression=regression, nobs=nobs)``.

    Parameters
    ----------
    regression : {"c", "ct", "ctt", "n"}
        Deterministic terms of the test regression.
    nobs : float, optional
        Sample size; ``numpy.inf`` gives the asymptotic values.

    Returns
    -------
    ndarray
        Three critical values.
    """
    tau = np.asarray(_CRIT_2010[regression])
    if nobs is np.inf:
        return tau[:, 0]
    return np.polyval(tau[:, ::-1].T, 1.0 / nobs)


__all__ = ["mackinnon_crit", "mackinnon_pvalue"]
