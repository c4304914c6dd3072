"""The options of a check, declared once, and the constraints of rule thresholds.

:class:`CheckOptions` holds the ten-odd options every entry point takes (``lstm_doctor.check``,
``lstm_doctor.report``, ``check_panel``, the project file and the CLI): the column choices,
how the time stamps are read, the LSTM set-up and the rule selection with its overrides.
:meth:`CheckOptions.validate` checks them all at the boundary and returns a normalised copy,
so nothing downstream re-checks.

:class:`Interval` is the declared type and range of one rule threshold (scikit-learn's
``Interval`` of ``_parameter_constraints`` is the model). A rule lists them next to its
defaults::

    thresholds = {"max_epochs_unmonitored": 30}
    constraints = {"max_epochs_unmonitored": Interval(int, 1, None)}

and every entry point validates an override through that one declaration (see
:meth:`lstm_doctor.rules.base.Rule.check_thresholds`): a wrong type, a value out of range or
a NaN is a one-line :class:`~lstm_doctor.errors.InputError` naming ``LD603.max_epochs_unmonitored``,
the value and the allowed range.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lstm_doctor.errors import InputError, did_you_mean

_CLOSED = ("both", "left", "right", "neither")

#: Largest integer threshold accepted when its declared range has no upper bound (a count
#: beyond this is a typo, and would size arrays and loops).
INT_LIMIT = 10**9


@dataclass(frozen=True)
class Interval:
    """The type and range of a numeric threshold.

    Parameters
    ----------
    kind : type
        ``int`` (integers; an integral float such as ``30.0`` is accepted as ``30``) or
        ``float`` (any finite real number).
    lo, hi : float or None
        The bounds (``None``: unbounded on that side).
    closed : {"both", "left", "right", "neither"}
        Which bounds belong to the interval.
    """

    kind: type
    lo: float | None = None
    hi: float | None = None
    closed: str = "both"

    def __post_init__(self) -> None:
        """Check the declaration itself (a bug in a rule, not a user error)."""
        if self.kind not in (int, float) or self.closed not in _CLOSED:
            raise TypeError(f"Interval({self.kind!r}, closed={self.closed!r}) is not valid")

    def describe(self) -> str:
        """The allowed values in words, e.g. ``an integer >= 1`` or ``a number in [0, 1]``."""
        word = "an integer" if self.kind is int else "a number"
        left = self.closed in ("both", "left")
        right = self.closed in ("both", "right")
        if self.lo is not None and self.hi is not None:
            return (f"{word} in {'[' if left else '('}{_num(self.lo)}, {_num(self.hi)}"
                    f"{']' if right else ')'}")
        if self.lo is not None:
            return f"{word} {'>=' if left else '>'} {_num(self.lo)}"
        if self.hi is not None:
            return f"{word} {'<=' if right else '<'} {_num(self.hi)}"
        return word

    def contains(self, value: float) -> bool:
        """Whether a finite number lies in the interval."""
        left = self.closed in ("both", "left")
        right = self.closed in ("both", "right")
        if self.lo is not None and (value < self.lo or (value == self.lo and not left)):
            return False
        return not (self.hi is not None and (value > self.hi or (value == self.hi and not right)))

    def check(self, value: Any, name: str, default: Any = None) -> int | float:
        """The value when it is allowed (an integral float as ``int`` for an integer).

        Parameters
        ----------
        value : Any
            The value given by the user.
        name : str
            How the value is named in the message (``threshold LD603.max_epochs_unmonitored``).
        default : Any
            The default, shown in the message.

        Raises
        ------
        InputError
            One line naming ``name``, the value and :meth:`describe`.
        """
        ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
        huge = False
        if ok:
            try:
                ok = math.isfinite(float(value))
            except (OverflowError, ValueError):  # an integer beyond float64
                ok, huge = False, True
        if ok and self.kind is int and not isinstance(value, numbers.Integral):
            ok = float(value).is_integer()
            value = int(value) if ok else value
        if ok:
            ok = self.contains(float(value))
        limit = ""
        if self.kind is int and (huge or (ok and abs(value) > INT_LIMIT)):
            ok, limit = False, f" up to {INT_LIMIT:,}"
        if not ok:
            shown = "" if default is None else f" (default {default!r})"
            raise InputError(f"{name} must be {self.describe()}{limit}{shown}, found "
                             f"{_short(value)}")
        return int(value) if self.kind is int else value


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() and abs(x) < 1e15 else f"{x:g}"


def infer_interval(default: Any) -> Interval | None:
    """The constraint of a threshold without a declared one: its default's type, finite."""
    if isinstance(default, bool) or not isinstance(default, numbers.Real):
        return None
    return Interval(int if isinstance(default, numbers.Integral) else float)


# -- the options of a check ------------------------------------------------------------------

@dataclass(frozen=True)
class CheckOptions:
    """The options of one check, shared by every entry point.

    Attributes
    ----------
    target, time_col, features
        Column choices (see :func:`lstm_doctor.data.load_series`); ``time_col=False``: no
        time column, the rows are an ordinal index.
    time_format, calendar, test_data
        How the stamps are read, the calendar of their grid, a separate holdout file.
    config, model
        The LSTM set-up (file, dict or LSTMConfig) and/or a saved ``.keras`` model.
    select, ignore
        Rule codes, prefixes (``LD2``), names or groups (list or comma-separated).
    thresholds
        Per-rule threshold overrides, ``{"LD104": {"z": 5}}`` (codes or names as keys).
    severities
        Per-rule severity overrides, ``{"LD104": "info"}``.
    """

    target: str | None = None
    time_col: str | bool | None = None
    features: list[str] | str | None = None
    time_format: str | None = None
    calendar: str | None = None
    test_data: Any = None
    config: Any = None
    model: Any = None
    select: list[str] | str | None = None
    ignore: list[str] | str | None = None
    thresholds: dict[str, dict[str, Any]] | None = None
    severities: dict[str, str] | None = None

    #: The options that say how to read the data (the arguments of ``load_series``).
    DATA_FIELDS = ("target", "time_col", "features", "time_format", "calendar", "test_data")

    @classmethod
    def names(cls) -> tuple[str, ...]:
        """The option names, in declaration order."""
        return tuple(f.name for f in dataclasses.fields(cls))

    @classmethod
    def coerce(cls, options: CheckOptions | Mapping[str, Any] | None = None,
               **overrides: Any) -> CheckOptions:
        """A :class:`CheckOptions` from an instance, a mapping of options or keywords.

        Raises
        ------
        InputError
            For an unknown option name (with a "did you mean").
        """
        if isinstance(options, CheckOptions):
            base = dataclasses.asdict(options) if overrides else None
            if base is None:
                return options
        else:
            base = dict(options or {})
        base.update(overrides)
        known = cls.names()
        for key in base:
            if key not in known:
                raise InputError(f"option '{key}' is unknown{did_you_mean(key, known)}; "
                                 f"the options are: {', '.join(known)}")
        return cls(**base)

    def replace(self, **changes: Any) -> CheckOptions:
        """A copy with some options changed."""
        return dataclasses.replace(self, **changes)

    def as_kwargs(self) -> dict[str, Any]:
        """Every option as keyword arguments of :func:`lstm_doctor.check`."""
        return {name: getattr(self, name) for name in self.names()}

    def data_kwargs(self) -> dict[str, Any]:
        """The keyword arguments of :func:`lstm_doctor.data.load_series`."""
        return {name: getattr(self, name) for name in self.DATA_FIELDS}

    def validate(self) -> CheckOptions:
        """Check every option at the boundary; return the normalised options.

        Rule codes in ``thresholds``/``severities`` become canonical (``LD104``), threshold
        values are checked against their rule's declared :class:`Interval`, severities are
        parsed, ``select``/``ignore`` must match rules, and the time format and calendar
        must be usable. Validating validated options is cheap and changes nothing.

        Raises
        ------
        InputError
            One line naming the option, the value and what is allowed.
        """
        from lstm_doctor.findings import Severity
        from lstm_doctor.rules import find_rule

        thresholds: dict[str, dict[str, Any]] = {}
        for code, values in _mapping(self.thresholds, "thresholds",
                                     '{"LD104": {"z": 5}}').items():
            rule = find_rule(str(code))
            checked = rule.check_thresholds(values)
            thresholds.setdefault(rule.code, {}).update(checked)
        severities: dict[str, str] = {}
        for code, value in _mapping(self.severities, "severities",
                                    '{"LD104": "info"}').items():
            rule = find_rule(str(code))
            severities[rule.code] = Severity.parse(value, what=f"severity of {code}").value
        out = self.replace(thresholds=thresholds or None, severities=severities or None,
                           select=_tokens(self.select, "select"),
                           ignore=_tokens(self.ignore, "ignore"))
        out.rules()  # select/ignore tokens must match rules
        if out.time_format is not None:
            from lstm_doctor.data import validate_time_format

            validate_time_format(out.time_format)
        if out.calendar is not None:
            from lstm_doctor.data import validate_calendar

            validate_calendar(out.calendar)
        return out

    def rules(self) -> list:
        """The selected rules, instantiated with their overrides."""
        from lstm_doctor.rules import instantiate_rules

        return instantiate_rules(self.select, self.ignore, self.thresholds, self.severities)

    def setup(self):
        """The LSTM set-up (:func:`lstm_doctor.config.load_setup`); ``None`` when none given."""
        from pathlib import Path

        from lstm_doctor.config import combine, load_config, load_setup

        if self.model is not None and not isinstance(self.model, str | Path):
            from lstm_doctor.live_model import setup_from_model  # a live Keras model

            from_model = setup_from_model(self.model)
            return from_model if self.config is None else combine(
                from_model, load_config(self.config))
        return load_setup(self.config, self.model)

    def with_setup(self) -> CheckOptions:
        """These options with the set-up loaded and validated once (``config`` an LSTMConfig)."""
        if self.config is None and self.model is None:
            return self
        return self.replace(config=self.setup(), model=None)


def _tokens(value: Any, what: str) -> list[str] | str | None:
    """``select``/``ignore`` as given when they are text or a list of text, else an error."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, list | tuple) and all(isinstance(t, str) for t in value):
        return list(value)
    raise InputError(f"{what} must be rule codes, prefixes, names or groups as a list of "
                     f"strings or a comma-separated string (e.g. ['LD1', 'LD201']); found "
                     f"{_short(value)}")


def _short(value: Any, limit: int = 60) -> str:
    try:
        text = " ".join(repr(value).split())
    except ValueError:  # an integer beyond Python's int-to-text limit
        return f"a {type(value).__name__}"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _mapping(value: Any, what: str, example: str) -> Mapping[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise InputError(f"{what} must be a mapping like {example}, found {_short(value)}")
    return value


__all__ = ["INT_LIMIT", "CheckOptions", "Interval", "infer_interval"]
