"""Business-day and exchange trading-day calendars (``exchange_calendars`` is imported lazily)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pandas as pd

from lstm_doctor.data._common import _DAY_NS, _first_line
from lstm_doctor.data._time import infer_frequency
from lstm_doctor.errors import InputError, did_you_mean

CALENDARS: tuple[str, ...] = ("auto", "none", "business")
"""Calendar names besides exchange codes (``XNYS``, ``XLON``... from ``exchange_calendars``)."""

AUTO_EXCHANGES: tuple[str, ...] = ("XNYS", "XLON", "XETR", "XTKS", "XHKG", "XTSE", "XASX")
"""Exchanges tried, in this order, for daily stamps that skip weekends and some weekdays."""


def _exchange_calendars(what: str):
    """The ``exchange_calendars`` module (imported lazily), or an InputError for ``what``."""
    try:
        import exchange_calendars
    except ImportError:
        raise InputError(f"{what} needs the exchange_calendars package; pip install "
                         "'lstm-doctor[calendars]' (or use --calendar business)") from None
    return exchange_calendars


def validate_calendar(name: str | None) -> str:
    """A calendar choice in canonical form: ``auto``, ``none``, ``business`` or an exchange.

    Parameters
    ----------
    name : str or None
        ``None``/``"auto"``, ``"none"``, ``"business"`` or an exchange code or alias known
        to ``exchange_calendars`` (``XNYS``, ``NYSE``, ``XLON``, ``XTKS``...; any case).

    Returns
    -------
    str
        The choice (an exchange code in its canonical spelling, e.g. ``"XNYS"``).

    Raises
    ------
    InputError
        For an unknown name (with a "did you mean"), or an exchange code without
        ``exchange_calendars`` installed.
    """
    if name is None:
        return "auto"
    if not isinstance(name, str) or not name.strip():
        raise InputError(f"calendar must be auto, none, business or an exchange code such as "
                         f"XNYS; found {name!r}")
    low = name.strip().lower()
    if low in CALENDARS:
        return low
    if low in ("b", "bday", "weekdays"):
        return "business"
    xcals = _exchange_calendars(f"calendar {name.strip()!r}")
    names = list(xcals.get_calendar_names(include_aliases=True))
    lookup = {n.upper(): n for n in names}
    key = name.strip().upper()
    if key not in lookup:
        raise InputError(f"calendar {name.strip()!r} is not known"
                         f"{did_you_mean(key, [*CALENDARS, *names])}; use auto, none, business "
                         "or an exchange code such as XNYS, XLON, XTKS")
    return str(xcals.resolve_alias(lookup[key]))


@lru_cache(maxsize=64)
def _sessions(code: str, first: str, last: str) -> tuple[str, np.ndarray]:
    """``(weekmask, trading days)`` of an exchange between two ISO dates (cached)."""
    import warnings

    xcals = _exchange_calendars(f"calendar {code!r}")
    end = max(np.datetime64(last), np.datetime64(first) + 7)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cal = xcals.get_calendar(code, start=first, end=str(end))
        days = cal.sessions.to_numpy().astype("datetime64[D]")
    return str(cal.weekmask), days


def _busdaycal(calendar: str, first: np.datetime64, last: np.datetime64) -> np.busdaycalendar:
    """A numpy business-day calendar for ``business`` or an exchange's trading days."""
    if calendar == "business":
        return np.busdaycalendar(weekmask="1111100")
    weekmask, sessions = _sessions(calendar, str(first), str(last))
    span = np.arange(first, last + 1)
    open_days = span[np.is_busday(span, weekmask=weekmask)]
    holidays = open_days[~np.isin(open_days, sessions)]
    return np.busdaycalendar(weekmask=weekmask, holidays=holidays)


def _daily(time: pd.DatetimeIndex) -> np.ndarray | None:
    """Sorted unique days (``datetime64[D]``) of once-a-day stamps, else None.

    Daily: one time of day for all stamps, and at least half of the steps one day long
    (a business-day series steps Friday -> Monday too).
    """
    wall = time.tz_localize(None) if time.tz is not None else time
    ns = wall.dropna().as_unit("ns").asi8
    if ns.size < 3 or not np.all(ns % _DAY_NS == ns[0] % _DAY_NS):  # cheap test first
        return None
    days = np.unique(ns // _DAY_NS)
    if days.size < 3 or float(np.mean(np.diff(days) == 1)) < 0.5:
        return None
    return days.astype("datetime64[D]")


def choose_calendar(time: pd.Index | None, choice: str, label: str = "<data>",
                    name: str | None = None) -> tuple[str | None, str | None]:
    """The calendar of a time index and why: ``(calendar, note)``.

    Parameters
    ----------
    time : pandas.Index or None
        The stamps.
    choice : str
        From :func:`validate_calendar`: ``auto``, ``none``, ``business`` or an exchange.
    label, name : str
        The data and its time column, for messages.

    Returns
    -------
    tuple
        ``(None, None)`` without date stamps; else ``("none" | "business" | code, note)``.
        Auto: daily stamps that skip weekends are business days; when the absent weekdays
        are mostly the holidays of an exchange (``AUTO_EXCHANGES``, XNYS first), that
        exchange's trading days.
    """
    what = f"time column '{name}'" if name else "the data"
    if not isinstance(time, pd.DatetimeIndex):
        if choice in ("auto", "none"):
            return None, None
        raise InputError(f"{label}: calendar {choice!r} needs date stamps, but {what} "
                         f"{'holds numbers' if time is not None else 'has no time column'}; "
                         "use --calendar none or give a date column")
    if choice == "none":
        return "none", "plain 24h/7d grid (given)"
    days = _daily(time)
    if days is None:
        if choice == "auto":
            return "none", None
        raise InputError(f"{label}: calendar {choice!r} is for once-a-day stamps, but {what} "
                         f"steps by {infer_frequency(time) or 'irregular steps'}; use "
                         "--calendar none")
    first, last = days[0], days[-1]
    if choice == "business":
        return "business", "business days, Monday-Friday (given)"
    if choice != "auto":
        try:
            _sessions(choice, str(first), str(last))
        except InputError:
            raise
        except Exception as exc:  # noqa: BLE001 - the library's own range checks
            raise InputError(f"{label}: calendar {choice!r} cannot cover {first} to {last} "
                             f"({_first_line(exc)}); use --calendar business") from None
        return choice, f"trading days of {choice} (given; exchange_calendars)"
    return _auto_calendar(days)


def _near(candidates: np.ndarray, days: np.ndarray, within: int = 7) -> np.ndarray:
    """Which ``candidates`` lie within ``within`` days of a present day (sorted ``days``)."""
    pos = np.searchsorted(days, candidates)
    after = days[np.minimum(pos, days.size - 1)]
    before = days[np.maximum(pos - 1, 0)]
    gap = np.minimum(np.abs((after - candidates).astype(int)),
                     np.abs((candidates - before).astype(int)))
    return gap <= within


def _auto_calendar(days: np.ndarray) -> tuple[str, str | None]:
    if not np.is_busday(days).all():
        return "none", None  # stamps on weekends: a plain daily grid
    first, last = days[0], days[-1]
    span = np.arange(first, last + 1)
    weekdays = np.is_busday(span)
    if int((~weekdays).sum()) < 2:
        return "none", None  # no weekend in the range: nothing tells the calendars apart
    bdays = span[weekdays]
    missing = bdays[~np.isin(bdays, days)]
    if missing.size == 0:
        return "business", "daily stamps skip weekends: business days (Monday-Friday)"
    try:
        import exchange_calendars  # noqa: F401
    except ImportError:
        return "business", (f"daily stamps skip weekends: business days; {missing.size} other "
                            "weekdays are absent: pip install 'lstm-doctor[calendars]' to tell "
                            "exchange holidays from gaps")
    best: tuple[int, str, int, int] | None = None
    for code in AUTO_EXCHANGES:
        try:
            _, sessions = _sessions(code, str(first), str(last))
        except Exception:  # noqa: BLE001 - an exchange that cannot cover the range
            continue
        closed = bdays[~np.isin(bdays, sessions)]
        closed = closed[_near(closed, days)]  # holidays inside a long gap are no evidence
        if closed.size == 0:
            continue
        explained = int(np.isin(closed, missing).sum())
        if explained < 0.8 * closed.size:
            continue
        score = (missing.size - explained) + (closed.size - explained)
        if best is None or score < best[0]:
            best = (score, code, explained, missing.size - explained)
        if score == 0:
            break
    if best is None:
        return "business", (f"daily stamps skip weekends: business days; {missing.size} other "
                            "weekdays are absent and are not the holidays of "
                            f"{', '.join(AUTO_EXCHANGES)}")
    _, code, explained, unexplained = best
    note = (f"daily stamps skip weekends and the {explained} weekdays {code} was closed: "
            f"{code} trading days (exchange_calendars)")
    if unexplained:
        note += f"; {unexplained} other weekday(s) are absent"
    return code, note
