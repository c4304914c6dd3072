"""Project configuration: ``[tool.lstm-doctor]`` in ``pyproject.toml`` or ``lstm-doctor.toml``.

``lstm-doctor check`` finds the file of each DATA path by walking up from that path (as
ruff does: the nearest one wins, so a file is checked with the same settings from any
working directory); a path with none above it uses the one found from the working
directory. ``lstm-doctor config`` walks up from the working directory. In each directory
``lstm-doctor.toml`` wins over ``pyproject.toml`` (a ``pyproject.toml`` without a
``[tool.lstm-doctor]`` table is passed over). In ``lstm-doctor.toml`` the keys sit at the top
level; in ``pyproject.toml`` under ``[tool.lstm-doctor]``::

    [tool.lstm-doctor]
    select = ["LD1", "LD2", "LD3"]     # codes, prefixes, names or groups
    ignore = ["LD105"]
    fail-on = "warning"                # error | warning | info | never
    target = "sales"                   # default data options
    time-col = "date"                  # or "none" (no-time-col = true): rows in order
    time-format = "%d.%m.%Y %H:%M:%S"  # strftime format of the stamps (default: inferred)
    calendar = "XNYS"                  # auto | none | business | exchange code
    features = ["price", "promo"]
    config = "models/lstm.yaml"        # relative to this file (or: model = "model.keras")
    extend-ignore = ["LD204"]          # added to ignore (and to --ignore)
    data = ["data/*.csv"]              # checked when no DATA is given (and by pre-commit
                                       # when only settings or set-up files change)

    [tool.lstm-doctor.thresholds]
    LD104 = { z = 5 }

    [tool.lstm-doctor.severities]
    LD105 = "info"

    [tool.lstm-doctor.per-file]        # glob patterns relative to this file's directory
    "data/sales/*.csv" = { target = "sales", config = "models/sales.yaml" }
    "legacy/**" = { extend-ignore = ["LD1"] }

Per-file settings override the file's settings for the DATA paths they match (later
patterns win; ``extend-ignore`` adds up); command-line flags still win. A pattern without
``/`` matches the file name in any directory; ``*`` stays within one directory, ``**``
crosses directories. ``fail-on`` is one per run and cannot be set per file.

The Python API never reads project files implicitly; call :func:`load_project_config` and
pass :meth:`ProjectConfig.check_kwargs` to :func:`lstm_doctor.check`. The CLI reads them,
and its flags override them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lstm_doctor.errors import InputError, did_you_mean
from lstm_doctor.options import CheckOptions

PROJECT_FILES: tuple[str, ...] = ("lstm-doctor.toml", "pyproject.toml")
"""File names looked for in each directory, in order of precedence."""

TABLE = "tool.lstm-doctor"

#: Key -> (attribute name, description). Keys are kebab-case; snake_case is accepted too.
KEYS: dict[str, tuple[str, str]] = {
    "select": ("select", "only these rules: codes, prefixes (LD2), names or groups"),
    "ignore": ("ignore", "skip these rules: codes, prefixes, names or groups"),
    "fail-on": ("fail_on", "exit 1 at or above this severity: error|warning|info|never"),
    "target": ("target", "column to forecast"),
    "time-col": ("time_col", "time column"),
    "no-time-col": ("no_time_col", "no time column: the rows are an ordinal index"),
    "time-format": ("time_format", "strftime format of the time stamps (default: inferred)"),
    "calendar": ("calendar", "grid of the stamps: auto, none, business or an exchange (XNYS)"),
    "features": ("features", "extra input columns"),
    "config": ("config", "LSTM set-up file (YAML/TOML/JSON), relative to the project file"),
    "model": ("model", "saved .keras model, relative to the project file"),
    "thresholds": ("thresholds", "per-rule threshold overrides: {LD104 = {z = 5}}"),
    "severities": ("severities", "per-rule severity overrides: {LD105 = \"info\"}"),
    "extend-ignore": ("extend_ignore", "rules skipped in addition to ignore"),
    "data": ("data", "the DATA files (globs, relative to this file) when none are given"),
    "per-file": ("per_file", "settings per DATA glob: {\"data/*.csv\" = {target = \"y\"}}"),
    "exclude": ("exclude", ".gitignore-style patterns 'lstm-doctor scan' skips in directories"),
}
#: Keys a per-file table may not set (one value per run, or nesting).
NOT_PER_FILE = ("fail-on", "per-file", "data", "exclude")

DEFAULT_FAIL_ON = "error"


@dataclass
class ProjectConfig:
    """The validated contents of a project configuration file.

    Attributes
    ----------
    path : Path or None
        The file it was read from (``None``: no file found, everything is default).
    select, ignore : list of str or None
        Rule selection.
    fail_on : str or None
        ``error``, ``warning``, ``info`` or ``never``.
    target, time_col : str or None
        Default column choices.
    no_time_col : bool or None
        No time column (the rows are an ordinal index).
    time_format, calendar : str or None
        How the time stamps are read and the calendar of their grid.
    features : list of str or None
        Default extra input columns.
    config, model : str or None
        Absolute paths of the LSTM set-up file / saved model (resolved relative to ``path``).
    thresholds : dict
        ``{code: {threshold: value}}`` (codes normalised, e.g. ``LD104``).
    severities : dict
        ``{code: severity}``.
    """

    path: Path | None = None
    select: list[str] | None = None
    ignore: list[str] | None = None
    fail_on: str | None = None
    target: str | None = None
    time_col: str | None = None
    no_time_col: bool | None = None
    time_format: str | None = None
    calendar: str | None = None
    features: list[str] | None = None
    config: str | None = None
    model: str | None = None
    thresholds: dict[str, dict[str, Any]] = field(default_factory=dict)
    severities: dict[str, str] = field(default_factory=dict)
    extend_ignore: list[str] | None = None
    #: Glob patterns of the DATA files, relative to :attr:`path`'s directory.
    data: list[str] | None = None
    #: ``.gitignore``-style patterns that ``lstm-doctor scan`` skips in directory walks.
    exclude: list[str] | None = None
    per_file: list[tuple[str, ProjectConfig, tuple[str, ...]]] = field(default_factory=list)
    #: Attribute -> the per-file pattern that set it (:meth:`for_file`).
    pattern_of: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """How the file is named in messages and in ``lstm-doctor config``."""
        if self.path is None:
            return "defaults"
        return f"{_display(self.path)}" + (
            " [tool.lstm-doctor]" if self.path.name == "pyproject.toml" else "")

    def source_of(self, attr: str) -> str:
        """Where an attribute's value comes from: :attr:`label`, or its per-file pattern."""
        pattern = self.pattern_of.get(attr)
        return f"{self.label} per-file '{pattern}'" if pattern else self.label

    def is_set(self, attr: str) -> bool:
        """Whether the file sets this attribute."""
        value = getattr(self, attr)
        return value not in (None, {}, [])

    def check_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for :func:`lstm_doctor.check` (everything but ``fail_on``)."""
        out: dict[str, Any] = {}
        for attr in ("target", "time_col", "time_format", "calendar", "features", "select",
                     "ignore"):
            if self.is_set(attr):
                out[attr] = getattr(self, attr)
        if self.extend_ignore:
            out["ignore"] = [*(self.ignore or []), *self.extend_ignore]
        if self.no_time_col:
            out["time_col"] = False
        if self.config or self.model:
            out["config"] = self.config or self.model
        if self.thresholds:
            out["thresholds"] = {k: dict(v) for k, v in self.thresholds.items()}
        if self.severities:
            out["severities"] = dict(self.severities)
        return out

    def check_options(self) -> CheckOptions:
        """:meth:`check_kwargs` as :class:`~lstm_doctor.options.CheckOptions`."""
        return CheckOptions(**self.check_kwargs())


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def find_project_file(start_dir: str | Path | None = None) -> Path | None:
    """The nearest project configuration file at or above ``start_dir`` (default: cwd).

    Returns ``None`` when there is none. A ``pyproject.toml`` only counts when it has a
    ``[tool.lstm-doctor]`` table.
    """
    start = Path(start_dir or Path.cwd()).resolve()
    if start.is_file():
        start = start.parent
    for directory in (start, *start.parents):
        for name in PROJECT_FILES:
            candidate = directory / name
            if not candidate.is_file():
                continue
            if name == "pyproject.toml":
                tool = _read_toml(candidate).get("tool", {})
                if isinstance(tool, dict) and ("lstm-doctor" in tool or "lstm_doctor" in tool):
                    return candidate
                continue
            return candidate
    return None


def load_project_config(start_dir: str | Path | None = None, *,
                        path: str | Path | None = None) -> ProjectConfig:
    """Find, read and validate the project configuration.

    Parameters
    ----------
    start_dir : path, optional
        Where to start walking up (default: the working directory).
    path : path, optional
        Read this file instead of searching (``lstm-doctor.toml`` or ``pyproject.toml``).

    Returns
    -------
    ProjectConfig
        Empty (all defaults, ``path=None``) when no file is found.

    Raises
    ------
    InputError
        On invalid TOML, unknown keys (with a "did you mean"), unknown rule codes or
        threshold names, wrong types or bad severities.
    """
    if path is not None:
        file = Path(path)
        if not file.is_file():
            raise InputError(f"project config '{file}' does not exist or is not a file; "
                             "give a lstm-doctor.toml or pyproject.toml")
        file = file.resolve()
    else:
        file = find_project_file(start_dir)
        if file is None:
            return ProjectConfig()
    doc = _read_toml(file)
    label = _display(file)
    tool = doc.get("tool") if isinstance(doc.get("tool"), dict) else {}
    if "lstm_doctor" in tool and "lstm-doctor" not in tool:
        raise InputError(f"'{label}': found [tool.lstm_doctor]; the table is named "
                         "[tool.lstm-doctor] (with a hyphen)")
    if file.name == "pyproject.toml":
        if "lstm-doctor" not in tool:
            raise InputError(f"'{label}' has no [tool.lstm-doctor] table; add one or give "
                             "a lstm-doctor.toml")
        table, label = tool["lstm-doctor"], f"{label} [tool.lstm-doctor]"
    elif set(doc) == {"tool"} and "lstm-doctor" in tool:  # a copied pyproject table
        table, label = tool["lstm-doctor"], f"{label} [tool.lstm-doctor]"
    else:
        table = doc
    if not isinstance(table, dict):
        raise InputError(f"'{label}' must be a table of settings")
    return _validate(table, file, label)


def _read_toml(file: Path) -> dict[str, Any]:
    import tomllib

    try:
        return tomllib.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"'{_display(file)}' cannot be read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise InputError(f"'{_display(file)}' is not UTF-8 text; save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"'{_display(file)}' is not valid TOML: {exc}") from None


def _per_file(value: Any, file: Path, label: str
              ) -> list[tuple[str, ProjectConfig, tuple[str, ...]]]:
    if not isinstance(value, dict):
        raise InputError(f"'{label}': per-file must be a table of glob patterns, like "
                         f"{{\"data/*.csv\" = {{target = \"sales\"}}}}, found {value!r}")
    out = []
    for pattern, table in value.items():
        where = f"{label} per-file '{pattern}'"
        if not isinstance(table, dict):
            raise InputError(f"'{where}' must be a table of settings like "
                             f"{{target = \"sales\"}}, found {table!r}")
        keys = tuple(str(k).replace("_", "-") for k in table)
        for key in keys:
            if key in NOT_PER_FILE:
                raise InputError(f"'{where}': {key} cannot be set per file (one value per "
                                 "run); set it at the top level")
        out.append((str(pattern), _validate(table, file, where), keys))
    return out


def _validate(table: dict[str, Any], file: Path, label: str) -> ProjectConfig:
    out = ProjectConfig(path=file)
    for raw_key, value in table.items():
        key = str(raw_key).replace("_", "-")
        if key not in KEYS:
            raise InputError(f"'{label}': unknown key '{raw_key}'{did_you_mean(key, KEYS)} "
                             f"(keys: {', '.join(KEYS)})")
        where = f"'{label}': {key}"
        attr = KEYS[key][0]
        if key == "per-file":
            out.per_file = _per_file(value, file, label)
        elif key in ("select", "ignore", "features", "extend-ignore", "data", "exclude"):
            setattr(out, attr, _str_list(value, where))
        elif key == "fail-on":
            from lstm_doctor.gate import parse_fail_on

            out.fail_on = parse_fail_on(_string(value, where), what=where)
        elif key in ("config", "model"):
            rel = Path(_string(value, where)).expanduser()
            full = rel if rel.is_absolute() else file.parent / rel
            setattr(out, attr, str(full.resolve()))
        elif key == "no-time-col":
            if not isinstance(value, bool):
                raise InputError(f"{where} must be true or false, found {value!r}")
            out.no_time_col = value
        elif key == "time-format":
            from lstm_doctor.data import validate_time_format

            out.time_format = validate_time_format(_string(value, where))
        elif key == "calendar":
            from lstm_doctor.data import validate_calendar

            try:
                out.calendar = validate_calendar(_string(value, where))
            except InputError as exc:
                raise InputError(f"{where}: {exc}") from None
        elif key == "thresholds":
            out.thresholds = _thresholds(value, where)
        elif key == "severities":
            out.severities = _severities(value, where)
        else:
            setattr(out, attr, _string(value, where))
    if out.config and out.model:
        raise InputError(f"'{label}': give either config or model, not both")
    if out.no_time_col and out.time_col:
        raise InputError(f"'{label}': give either time-col or no-time-col, not both")
    _check_selection(out, label)
    return out


def _string(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(f"{where} must be a non-empty string, found {value!r}")
    return value.strip()


def _str_list(value: Any, where: str) -> list[str]:
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InputError(f"{where} must be a list of strings, found {value!r}")
    return [v.strip() for v in value if v.strip()]


def _thresholds(value: Any, where: str) -> dict[str, dict[str, Any]]:
    from lstm_doctor.rules import find_rule

    if not isinstance(value, dict):
        raise InputError(f"{where} must be a table of tables like {{LD104 = {{z = 5}}}}, "
                         f"found {value!r}")
    out: dict[str, dict[str, Any]] = {}
    for code, options in value.items():
        rule = _find(find_rule, code, where)
        if not isinstance(options, dict):
            raise InputError(f"{where}.{code} must be a table like {{name = value}}, "
                             f"found {options!r}")
        for name in options:
            if name not in rule.thresholds:
                known = ", ".join(rule.thresholds) or "no thresholds"
                raise InputError(f"{where}.{code}: unknown threshold '{name}'"
                                 f"{did_you_mean(name, rule.thresholds)}; {rule.code} has: "
                                 f"{known}")
        # type and range: the rule's declared constraints, as for the API and the CLI
        checked = rule.check_thresholds(options, where=f"{where}.{code}")
        out.setdefault(rule.code, {}).update(checked)
    return out


def _severities(value: Any, where: str) -> dict[str, str]:
    from lstm_doctor.findings import Severity
    from lstm_doctor.rules import find_rule

    if not isinstance(value, dict):
        raise InputError(f"{where} must be a table like {{LD105 = \"info\"}}, found {value!r}")
    out = {}
    for code, sev in value.items():
        rule = _find(find_rule, code, where)
        out[rule.code] = Severity.parse(sev, what=f"{where}.{code}").value
    return out


def _find(find_rule, code: Any, where: str):
    try:
        return find_rule(str(code))
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None


def _check_selection(cfg: ProjectConfig, label: str) -> None:
    from lstm_doctor.rules import _matches as matches
    from lstm_doctor.rules import get_rules

    rules = get_rules()
    known = [r.code for r in rules] + [r.name for r in rules]
    for key, tokens in (("select", cfg.select), ("ignore", cfg.ignore),
                        ("extend-ignore", cfg.extend_ignore)):
        for t in tokens or []:
            if not any(matches(r, t) for r in rules):
                raise InputError(f"'{label}': {key}: '{t}' matches no rule"
                                 f"{did_you_mean(t, known)}; use a code (LD201), a prefix "
                                 "(LD2), a rule name or a group")


# -- resolution (project file + command line) -------------------------------------------------

@dataclass
class Setting:
    """One resolved setting and where its value came from."""

    key: str
    value: Any
    source: str


def resolve(project: ProjectConfig, cli: dict[str, Any]) -> dict[str, Setting]:
    """Merge the project file and command-line values (the command line wins).

    Parameters
    ----------
    project : ProjectConfig
        The validated project file (or an empty one).
    cli : dict
        Values given on the command line, keyed like :data:`KEYS` (kebab-case); absent or
        ``None`` means not given. ``select``/``ignore``/``features`` may be comma-separated.

    Returns
    -------
    dict of str to Setting
        One entry per key of :data:`KEYS`, plus one ``thresholds.<code>.<name>`` and
        ``severities.<code>`` entry per override.
    """
    out: dict[str, Setting] = {}
    defaults = {"fail-on": DEFAULT_FAIL_ON}
    for key, (attr, _doc) in KEYS.items():
        if key in ("thresholds", "severities", "per-file", "exclude"):
            continue
        value = cli.get(key)
        if value is not None and value != ():
            if key in ("select", "ignore", "features", "extend-ignore") and \
                    isinstance(value, str):
                value = [v.strip() for v in value.split(",") if v.strip()]
            if key == "extend-ignore" and project.is_set(attr):  # flags add to the file's
                value = [*project.extend_ignore, *value]
            flag = "--" + key
            out[key] = Setting(key, value, f"command line ({flag})")
        elif project.is_set(attr):
            out[key] = Setting(key, getattr(project, attr), project.source_of(attr))
        else:
            out[key] = Setting(key, defaults.get(key), "default")
    if cli.get("config") or cli.get("model"):  # a set-up given on the command line wins
        for key in ("config", "model"):
            if out[key].source.startswith(project.label) and project.path is not None:
                other = "--model" if key == "config" else "--config"
                out[key] = Setting(key, None, f"default (project value overridden by {other})")
    for code, options in project.thresholds.items():
        for name, value in options.items():
            k = f"thresholds.{code}.{name}"
            out[k] = Setting(k, value, project.source_of("thresholds"))
    for code, sev in project.severities.items():
        k = f"severities.{code}"
        out[k] = Setting(k, sev, project.source_of("severities"))
    return out


def settings_options(settings: dict[str, Setting]) -> CheckOptions:
    """The :class:`~lstm_doctor.options.CheckOptions` of resolved settings (not validated).

    ``config``/``model`` are the set-up source: a ``.keras`` file given as ``config`` alone
    is read as the model; both may be given (the model's architecture and compile settings
    combine with the config's preprocessing, window, training loop and split).
    """
    thresholds: dict[str, dict[str, Any]] = {}
    severities: dict[str, str] = {}
    for key, s in settings.items():
        if key.startswith("thresholds."):
            _, code, name = key.split(".", 2)
            thresholds.setdefault(code, {})[name] = s.value
        elif key.startswith("severities."):
            severities[key.split(".", 1)[1]] = s.value
    config, model = setup_source(settings["config"].value, settings["model"].value)
    ignore = settings["ignore"].value
    extend = settings["extend-ignore"].value if "extend-ignore" in settings else None
    if extend:
        ignore = [*(ignore or []), *extend]
    return CheckOptions(
        target=settings["target"].value, time_col=_time_col(settings),
        features=settings["features"].value, time_format=settings["time-format"].value,
        calendar=settings["calendar"].value, config=config, model=model,
        select=settings["select"].value, ignore=ignore,
        thresholds=thresholds or None, severities=severities or None)


def settings_kwargs(settings: dict[str, Setting]) -> dict[str, Any]:
    """Keyword arguments for :func:`lstm_doctor.check` from resolved settings (no set-up)."""
    options = settings_options(settings)
    return {k: getattr(options, k) for k in ("target", "time_col", "time_format", "calendar",
                                             "features", "select", "ignore", "thresholds",
                                             "severities")}


def setup_source(config: str | None, model: str | None) -> tuple[str | None, str | None]:
    """``(config, model)`` paths of the set-up (``(None, None)`` when neither is given).

    A saved ``.keras`` model passed as ``config`` alone is read as the model.
    """
    if config and str(config).lower().endswith(".keras") and not model:
        return None, config
    return config or None, model or None


def _time_col(settings: dict[str, Setting]) -> str | bool | None:
    """``time-col`` unless ``no-time-col`` is set (``False``); the command line wins."""
    col, off = settings["time-col"], settings["no-time-col"]
    if not off.value:
        return col.value
    if col.value is None:
        return False
    col_cli, off_cli = col.source.startswith("command line"), off.source.startswith("command line")
    if col_cli != off_cli:
        return col.value if col_cli else False
    raise InputError(f"give either a time column ('{col.value}', {col.source}) or no time "
                     f"column ({off.source}), not both")


__all__ = ["ProjectConfig", "Setting", "find_project_file", "load_project_config", "resolve",
           "settings_kwargs", "settings_options", "setup_source", "PROJECT_FILES"]
