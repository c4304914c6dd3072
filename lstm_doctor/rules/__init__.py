"""The explicit rule registry and rule selection."""

from __future__ import annotations

import importlib

from lstm_doctor.errors import InputError, did_you_mean

# One module per rule, named after its code; listed explicitly (no filesystem magic).
RULE_MODULES: tuple[str, ...] = (
    "data.LD101",
    "data.LD102",
    "data.LD103",
    "data.LD104",
    "data.LD105",
    "stationarity.LD201",
    "stationarity.LD202",
    "stationarity.LD203",
    "stationarity.LD204",
    "stationarity.LD205",
    "stationarity.LD206",
    "stationarity.LD207",
    "scaling.LD301",
    "scaling.LD302",
    "scaling.LD303",
    "scaling.LD304",
    "scaling.LD306",
    "capacity.LD401",
    "capacity.LD402",
    "capacity.LD403",
    "window.LD501",
    "window.LD502",
    "window.LD503",
    "window.LD504",
    "window.LD505",
    "setup.LD601",
    "setup.LD602",
    "setup.LD603",
    "setup.LD604",
    "setup.LD605",
    "setup.LD606",
    "setup.LD607",
    "setup.LD608",
    "setup.LD609",
    "training.LD701",
    "training.LD702",
    "training.LD703",
    "training.LD704",
    "training.LD705",
    "training.LD706",
    "features.LD801",
    "features.LD802",
    "features.LD803",
    "features.LD804",
    "features.LD805",
)


def get_rules() -> list[type]:
    """All rule classes, in code order (modules are imported on first call)."""
    classes = []
    for path in RULE_MODULES:
        module = importlib.import_module(f"lstm_doctor.rules.{path}")
        code = path.rsplit(".", 1)[1]
        classes.append(getattr(module, f"Rule_{code}"))
    return sorted(classes, key=lambda c: c.code)


def find_rule(code_or_name: str) -> type:
    """The rule with this code (``LD201``) or name (``stationarity.unit-root``)."""
    key = code_or_name.strip()
    for rule in get_rules():
        if key.upper() == rule.code or key.lower() == rule.name:
            return rule
    options = [r.code for r in get_rules()] + [r.name for r in get_rules()]
    raise InputError(f"rule '{code_or_name}' is unknown{did_you_mean(key, options)}; "
                     "run 'lstm-doctor rules' for the list")


def _matches(rule: type, token: str) -> bool:
    t = token.strip()
    return (rule.code.startswith(t.upper()) and t.upper().startswith("LD")) or \
        t.lower() in (rule.name, rule.group())


def select_rules(select: list[str] | str | None = None,
                 ignore: list[str] | str | None = None) -> list[type]:
    """Filter the registry by codes, code prefixes (``LD2``), names or group names.

    Raises
    ------
    InputError
        When a token matches no rule.
    """
    rules = get_rules()

    def tokens(value):
        if value is None:
            return []
        if isinstance(value, str):
            value = value.split(",")
        return [t.strip() for t in value if t and t.strip()]

    def check_known(toks, option):
        for t in toks:
            if not any(_matches(r, t) for r in rules):
                known = [r.code for r in rules] + [r.name for r in rules]
                raise InputError(f"{option}: '{t}' matches no rule{did_you_mean(t, known)}; "
                                 "use a code (LD201), a prefix (LD2), a rule name or a group")

    sel, ign = tokens(select), tokens(ignore)
    check_known(sel, "--select")
    check_known(ign, "--ignore")
    if sel:
        rules = [r for r in rules if any(_matches(r, t) for t in sel)]
    return [r for r in rules if not any(_matches(r, t) for t in ign)]


def instantiate_rules(select: list[str] | str | None = None,
                      ignore: list[str] | str | None = None,
                      thresholds: dict[str, dict] | None = None,
                      severities: dict[str, str] | None = None) -> list:
    """The selected rules, instantiated with their threshold and severity overrides.

    Parameters
    ----------
    select, ignore : list of str or comma-separated str, optional
        As in :func:`select_rules`.
    thresholds : dict, optional
        ``{code or name: {threshold: value}}``; each value is checked against the rule's
        declared constraint (:meth:`lstm_doctor.rules.base.Rule.check_thresholds`).
    severities : dict, optional
        ``{code or name: "error" | "warning" | "info"}``.

    Raises
    ------
    InputError
        For an unknown rule, threshold or severity, or a threshold value out of its range.
    """
    from lstm_doctor.findings import Severity

    classes = select_rules(select, ignore)
    by_code: dict[str, dict] = {}
    for key, values in (thresholds or {}).items():
        by_code.setdefault(find_rule(str(key)).code, {}).update(values)
    sev = {find_rule(str(k)).code: Severity.parse(v, what=f"severity of {k}")
           for k, v in (severities or {}).items()}
    return [cls(thresholds=by_code.get(cls.code), severity=sev.get(cls.code))
            for cls in classes]
