"""Loading and validating the user's series (the input boundary).

Nothing is repaired here: order, duplicates and gaps are kept exactly as given and are
reported by the LD1xx rules instead.

Time stamps are read with one explicit format inferred from the data (day-first when a
day field is above 12), never by guessing value by value; daily stamps that skip weekends
get a business-day or exchange trading-day calendar (``exchange_calendars``, imported only
when such a calendar is needed), so that weekends and exchange holidays are not gaps.

Layout: ``_load`` (:func:`load_series`: the table checks and the pipeline), ``_files``
(reading files, stdin and in-memory data; CSV sniffing), ``_time`` (finding and parsing
the time column, the frequency), ``_formats`` (inferring one date format), ``_calendar``
(business-day and exchange calendars), ``_grid`` (:func:`time_grid`), ``_series``
(:class:`SeriesData` and the target/feature columns) and ``_common``.
"""

from lstm_doctor.data._calendar import (
    AUTO_EXCHANGES,
    CALENDARS,
    choose_calendar,
    validate_calendar,
)
from lstm_doctor.data._common import MIN_POINTS
from lstm_doctor.data._files import _read, _read_file  # noqa: F401 - used by lstm_doctor.panel
from lstm_doctor.data._formats import _SAMPLE, FORMATS  # noqa: F401 - _SAMPLE: tests
from lstm_doctor.data._grid import longest_run, time_grid
from lstm_doctor.data._load import load_series
from lstm_doctor.data._series import SeriesData, json_stamp
from lstm_doctor.data._time import (
    YEAR_INDEX_ORIGIN,
    infer_frequency,
    validate_time_format,
)

__all__ = [
    "AUTO_EXCHANGES",
    "CALENDARS",
    "FORMATS",
    "MIN_POINTS",
    "YEAR_INDEX_ORIGIN",
    "SeriesData",
    "choose_calendar",
    "infer_frequency",
    "json_stamp",
    "load_series",
    "longest_run",
    "time_grid",
    "validate_calendar",
    "validate_time_format",
]
