"""Limits and helpers shared by the series readers."""

from __future__ import annotations

from lstm_doctor._numeric import _median  # noqa: F401 - shared with stats

#: Fewest finite target values a series must have.
MIN_POINTS = 10

_DAY_NS = 86_400 * 10**9


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


