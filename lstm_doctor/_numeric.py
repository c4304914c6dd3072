"""Small numeric kernels shared by the data intake, the statistics and the plots.

Pure numpy, no imports of ours: the exact median, and the autocorrelation kernels that
reproduce statsmodels' ``acf(fft=True)`` and ``levinson_durbin`` bit for bit (the ACF/PACF
plot draws them from the report's stored values, so they cannot live in ``stats/``).
"""

from __future__ import annotations

import numpy as np


def _median(z: np.ndarray) -> float:
    """``np.median`` of a finite 1-D array (the same middle values and mean of two)."""
    n = z.size
    half = n // 2
    if n % 2:
        return float(np.partition(z, half)[half])
    part = np.partition(z, (half - 1, half))
    if part.dtype.kind in "iub":  # numpy averages integers as floats
        return (float(part[half - 1]) + float(part[half])) / 2
    return float((part[half - 1] + part[half]) / 2)


_REGULAR: dict[int, int] = {}


def _next_5_smooth(target: int) -> int:
    """The smallest ``2**a * 3**b * 5**c >= target`` (a positive integer)."""
    best = 1 << max(target - 1, 0).bit_length()  # the next power of two
    odd = 1
    while odd < best:  # odd = 3**b * 5**c
        part = odd
        while part < best:
            need = -(-target // part)  # ceil(target / part)
            best = min(best, part << max(need - 1, 0).bit_length())
            part *= 3
        odd *= 5
    return best


def _fft_length(n: int) -> int:
    """The FFT length statsmodels pads ``n`` to (the next 5-smooth number; memoised)."""
    found = _REGULAR.get(n)
    if found is None:
        found = _REGULAR[n] = _next_5_smooth(int(n))
    return found


def _acf_fft(x: np.ndarray, nlags: int) -> np.ndarray:
    """``statsmodels.tsa.stattools.acf(x, nlags, fft=True)`` for a finite 1-D float array.

    The same operations (demeaned FFT autocovariance divided by ``n``, then by lag 0)
    without the argument validation, which costs more than the arithmetic on short series.
    """
    nobs = x.shape[0]
    xo = x - x.mean()
    spectrum = np.fft.fft(xo, n=_fft_length(2 * nobs + 1))
    acov = (np.fft.ifft(spectrum * np.conjugate(spectrum))[:nobs]
            / np.full(nobs, float(nobs))).real
    return acov[: nlags + 1] / acov[0]


def _levinson_pacf(acov: np.ndarray, order: int) -> np.ndarray:
    """Partial autocorrelations by the Levinson-Durbin recursion on ``acov[0..order]``.

    statsmodels' ``levinson_durbin(acov, order, isacov=True)[2]``: the same recursion
    (its inner loop as one vector operation of the same products and differences), so the
    same bits, without importing ``statsmodels.tsa.stattools`` (half a second).
    """
    phi = np.zeros((order + 1, order + 1), "d")
    sig = np.zeros(order + 1)
    phi[1, 1] = acov[1] / acov[0]
    sig[1] = acov[0] - phi[1, 1] * acov[1]
    for k in range(2, order + 1):
        phi[k, k] = (acov[k] - np.dot(phi[1:k, k - 1], acov[1:k][::-1])) / sig[k - 1]
        phi[1:k, k] = phi[1:k, k - 1] - phi[k, k] * phi[k - 1:0:-1, k - 1]
        sig[k] = sig[k - 1] * (1 - phi[k, k] ** 2)
    pacf_ = np.diag(phi).copy()
    pacf_[0] = 1.0
    return pacf_


__all__ = ["_acf_fft", "_fft_length", "_levinson_pacf", "_median", "_next_5_smooth"]
