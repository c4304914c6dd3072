"""``lstm-doctor fix``: write the remediated set-up as a config file, without training.

The linter convention (``ruff --fix``, ``sqlfluff fix``): the check runs, the findings'
remedies are composed into the remediated set-up
(:func:`lstm_doctor.fixpoint.remediate_to_fixpoint`, refined until the rules
propose nothing more), and the result is written in the config schema with each change labelled
by the rules that asked for it, the remedies that lost a conflict (and why), and the
findings no set-up change can fix.

A YAML config file is edited in place of its values: its layout and comments are kept,
changed lines carry a ``# fix: LDxxx`` comment and a notes block goes on top (replaced,
not stacked, on the next run). Any other source (a TOML/JSON file, a dict, a saved model)
is written as a minimal YAML file: the sections the set-up states or the fix touches,
and in them the values that differ from the defaults or were changed.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lstm_doctor.config import LSTMConfig
from lstm_doctor.errors import InputError
from lstm_doctor.outputs import write_atomic

NOTES_START = "# --- lstm-doctor fix"
NOTES_END = "# --- end of lstm-doctor fix notes ---"
_LOUD = ("warning", "error")


@dataclass(repr=False)
class FixResult:
    """What :func:`fix` changed, and the fixed set-up as a config file.

    Attributes
    ----------
    config : LSTMConfig
        The fixed set-up. Keys the fix set are ``given``; every other key keeps the
        provenance it had (``given``, ``model`` or ``assumed``).
    user_config : LSTMConfig
        The set-up as checked.
    changes : list of tuple
        ``(dotted key, old value, new value, [rule codes])`` in schema order; the code
        ``remediation`` marks what every remediated set-up has (scaling fit on train,
        early stopping on a validation split, a temporal split, tanh/sigmoid).
    dropped : list of dict
        Remedies that lost a conflict: ``describe``, ``source`` and ``reason`` (which
        remedy won and why).
    unfixable : list of dict
        Findings at warning or error the fixed set-up still has (``code``, ``name``,
        ``severity``, ``message``, ``fix``, ``why``): ``why`` is "no set-up change fixes
        it" (white noise, a random walk, too little data...), or says that its remedy did
        not settle within the passes (a bug to report).
    yaml : str
        The fixed set-up as YAML.
    report : Report
        The check of the user's set-up.
    passes : int
        How many compositions the fixpoint took (a second one when remedies interact).
    source : str or None
        The config (or model) file the set-up was read from.
    columns : list of dict
        Changes to the input columns (LD8xx): ``column``, ``change`` (``drop`` or
        ``difference``) and ``rules``. A set-up file cannot hold them: they are listed in
        its notes, to make in ``--features`` or in the data.
    """

    config: LSTMConfig
    user_config: LSTMConfig
    changes: list[tuple[str, Any, Any, list[str]]]
    dropped: list[dict[str, Any]]
    unfixable: list[dict[str, Any]]
    yaml: str
    report: Any = field(default=None)
    passes: int = 1
    source: str | None = None
    columns: list[dict[str, Any]] = field(default_factory=list)
    _original: str = ""

    def diff(self, fromfile: str | None = None, tofile: str | None = None) -> str:
        """A unified diff of the user's config vs the fixed one (empty when nothing changed).

        Parameters
        ----------
        fromfile, tofile : str, optional
            The labels of the two sides (default: the config file's name and
            ``fixed.yaml``).

        Returns
        -------
        str
            The diff; changed lines carry their rule codes (``# fix: LD301``).
        """
        if not self.changes:
            return ""
        a = self._original if self._original.endswith("\n") else self._original + "\n"
        lines = difflib.unified_diff(a.splitlines(keepends=True),
                                     self.yaml.splitlines(keepends=True),
                                     fromfile=fromfile or self.source or "original",
                                     tofile=tofile or "fixed.yaml")
        return "".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (JSON-safe)."""
        return {
            "config": self.config.to_report(),
            "changes": [{"key": k, "old": _plain(a), "new": _plain(b), "rules": list(codes),
                         "origin": self.user_config.origin(k), "label": _label(self, k, codes)}
                        for k, a, b, codes in self.changes],
            "dropped": [dict(d) for d in self.dropped],
            "unfixable": [dict(u) for u in self.unfixable],
            "passes": self.passes,
            "columns": [dict(c) for c in self.columns],
            "source": self.source,
            "yaml": self.yaml,
        }

    def __repr__(self) -> str:
        keys = [k for k, *_ in self.changes]
        shown = ", ".join(keys[:3]) + (", ..." if len(keys) > 3 else "")
        parts = [f"{len(keys)} change(s)" + (f": {shown}" if keys else "")]
        if self.dropped:
            parts.append(f"{len(self.dropped)} dropped")
        if self.columns:
            parts.append(f"{len(self.columns)} input column change(s)")
        if self.unfixable:
            parts.append("not fixable: " + ", ".join(u["code"] for u in self.unfixable))
        return f"<FixResult {'; '.join(parts)}>"


def fix(data: Any, *, config: str | Path | dict | LSTMConfig | None = None,
        model: str | Path | None = None, **check_options: Any) -> FixResult:
    """Check a set-up and return the remediated one (no training).

    Parameters
    ----------
    data : path, DataFrame, Series, ndarray or SeriesData
        The series, as for :func:`lstm_doctor.check`.
    config : path, dict or LSTMConfig, optional
        The set-up to fix. A ``.yaml``/``.yml`` file keeps its layout and comments.
    model : path, optional
        A saved ``.keras`` model; with it alone the result holds the whole set-up.
    **check_options
        The data and rule options of :func:`lstm_doctor.check` (``target``,
        ``time_col``, ``features``, ``time_format``, ``calendar``, ``test_data``,
        ``select``, ``ignore``, ``thresholds``, ``severities``).

    Returns
    -------
    FixResult
        ``.config``, ``.changes``, ``.dropped``, ``.unfixable``, ``.yaml``, ``.diff()``.

    Raises
    ------
    InputError
        Without a set-up, or for bad data, config keys or rule options.
    """
    from lstm_doctor import engine
    from lstm_doctor.experiment.remediation import with_given
    from lstm_doctor.fixpoint import remediate_to_fixpoint
    from lstm_doctor.options import CheckOptions

    if config is None and model is None:
        raise InputError("fix needs the LSTM set-up to fix: give --config setup.yaml "
                         "and/or --model model.keras")

    def check(data: Any, **options: Any) -> Any:
        return engine.check(data, CheckOptions.coerce(options).validate(), facts=False)

    report = check(data, config=config, model=model, **check_options)
    ctx = report.extras["context"]
    user = ctx.config
    rules = CheckOptions.coerce(_rule_options(check_options)).validate().rules()
    rem = remediate_to_fixpoint(report, rules=[r for r in rules if not r.needs_training])
    fixed = with_given(rem.config, user)
    changes = []
    for key, old, new in user.diff(fixed):
        section, name = key.split(".", 1)
        codes = [s for a in rem.applied if a.remedy.section == section
                 and name in a.remedy.changes for s in a.sources]
        changes.append((key, old, new, list(dict.fromkeys(codes)) or ["remediation"]))
    columns = [{"column": col, "change": how, "rules": list(a.sources)}
               for a in rem.applied if getattr(a.remedy, "on_features", False)
               for col, how in a.remedy.changes.items()]
    after = report if not (changes or columns) else rem.checked if rem.checked is not None \
        else check(rem.apply_to_series(ctx.series), config=fixed, **_rule_options(check_options))
    unfixable = [{"code": f.code, "name": f.name, "severity": f.severity.value,
                  "message": f.message, "fix": f.fix,
                  "why": f"its remedy did not settle in {rem.passes} passes (please report "
                         "it)" if any(r.changes for r in f.remedies)
                         else "no set-up change fixes it"}
                 for f in after.findings if f.severity.value in _LOUD]
    source = _config_path(config)
    result = FixResult(config=fixed, user_config=user, changes=changes,
                       dropped=[_dropped(d) for d in rem.dropped], unfixable=unfixable,
                       yaml="", report=report, passes=rem.passes,
                       columns=columns,
                       source=str(source) if source else (str(model) if model else None))
    result.yaml, result._original = _render(result, source, model)
    return result


# -- helpers --------------------------------------------------------------------------------

def _rule_options(options: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in options.items()
            if k in ("select", "ignore", "thresholds", "severities")}


def _config_path(config: Any) -> Path | None:
    if isinstance(config, str | Path) and str(config) != "-":
        return Path(config)
    return None


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _dropped(entry: dict[str, Any]) -> dict[str, Any]:
    describe = entry.get("describe") or entry.get("remedy") or entry.get("kind", "")
    return {**entry, "describe": str(describe), "source": str(entry.get("source", "")),
            "reason": str(entry.get("reason", ""))}


def _label(result: FixResult, key: str, codes: list[str]) -> str:
    """``LD301, LD304`` plus what the reader must know about the key's provenance."""
    text = ", ".join(codes)
    origin = result.user_config.origin(key)
    if origin == "assumed":
        text += " (assumed; state the real value)"
    elif origin == "model":
        text += " (read from the saved model: rebuild it with this value)"
    return text


def _show(value: Any) -> str:
    from lstm_doctor.experiment.remediation import yaml_scalar

    return yaml_scalar(_plain(value))


def _one_line(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _notes(result: FixResult, model: Any) -> list[str]:
    """The notes block at the top of the fixed file (without the ``#``)."""
    rep = result.report
    data = rep.data if rep is not None else {}
    lines = [NOTES_START[2:] + ": the remediated set-up, not trained (`lstm-doctor report` "
             "measures it) ---"]
    target = data.get("target")
    where = f"{data.get('source')}" + (f" (target {target})" if target else "")
    lines.append(f"checked on {where}; edits marked '# fix: LDxxx' name the rules that asked")
    if model is not None:
        lines.append(f"the architecture comes from the model {model}: model.* values were "
                     "read from it (rebuild the model with any that changed)")
    if result.changes:
        lines.append("changed:")
        lines += [f"  {k}: {_show(a)} -> {_show(b)}  [{_label(result, k, codes)}]"
                  for k, a, b, codes in result.changes]
        if any("remediation" in codes for *_, codes in result.changes):
            lines.append("  [remediation] = in every remediated set-up: scaling fit on the "
                         "training split, early stopping on a validation split, a temporal "
                         "split, tanh/sigmoid")
    if result.columns:
        lines.append("change the inputs too (not a set-up key: edit --features or the data):")
        lines += [f"  {c['change']} feature '{c['column']}'  [{', '.join(c['rules'])}]"
                  for c in result.columns]
    if result.dropped:
        lines.append("not applied (a conflicting remedy won):")
        lines += [f"  {_one_line(d['describe'], 80)} [{d['source']}]: "
                  f"{_one_line(d['reason'], 200)}" for d in result.dropped]
    if result.unfixable:
        lines.append("still reported on the fixed set-up (no set-up change fixes these):")
        lines += [f"  {u['code']} {u['severity']}: {_one_line(u['message'])}"
                  + ("" if u["why"] == "no set-up change fixes it" else f" [{u['why']}]")
                  for u in result.unfixable]
    lines.append(NOTES_END[2:])
    return lines


def _render(result: FixResult, source: Path | None, model: Any) -> tuple[str, str]:
    """``(fixed text, original text)``: the user's YAML edited, or a minimal YAML file."""
    from lstm_doctor.experiment.remediation import config_yaml

    comments = {k: "fix: " + _label(result, k, codes) for k, _, _, codes in result.changes}
    if source is not None and source.suffix.lower() in (".yaml", ".yml", ""):
        try:
            original = source.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            original = None
        if original is not None:
            if not result.changes and not result.columns:
                return original, original
            edited = _edit_yaml(original, result, comments, _notes(result, model))
            if edited is not None:
                return edited, original
    keys = _minimal_keys(result.user_config) | _minimal_keys(result.config) | set(comments)
    before = config_yaml(result.user_config, keys=keys)
    if not result.changes and not result.columns:
        return before, before
    header = _notes(result, model)
    new_sections = {k.split(".")[0] for k in comments} - {k.split(".")[0] for k in
                                                          _minimal_keys(result.user_config)}
    comments.update({s: "new section: the keys not written keep their defaults"
                     for s in new_sections})
    return config_yaml(result.config, header=header, keys=keys, comments=comments), before


def _minimal_keys(config: LSTMConfig) -> set[str]:
    """The dotted keys (and bare section names) a minimal file of ``config`` writes."""
    defaults = LSTMConfig().to_dict()
    values = config.to_dict()
    out: set[str] = set()
    for section, keys in values.items():
        stated = [k for k in keys if config.origin(f"{section}.{k}") in ("given", "model")]
        if stated:
            out.add(section)
        for key, value in keys.items():
            dotted = f"{section}.{key}"
            if value != defaults[section][key] or config.origin(dotted) == "model":
                out.add(dotted)
    m = config.model
    if not m.conv_filters:
        out.discard("model.conv_kernel_size")
    if not m.head:
        out.discard("model.head_activation")
    return out


_SECTION = re.compile(r"^([A-Za-z_][\w-]*)\s*:(.*)$")
_KEY = re.compile(r"^(\s+)([A-Za-z_]\w*)\s*:(.*)$")


def _edit_yaml(text: str, result: FixResult, comments: dict[str, str],
               notes: list[str]) -> str | None:
    """The user's YAML with the changed values edited in place; None when unsure.

    Block sections get their key lines replaced (or a line added); a flow section
    (``preprocessing: {log: true}``) is rewritten as a block; a missing section is
    appended. The result must load back to exactly the fixed set-up, else None.
    """
    import yaml

    from lstm_doctor.experiment.remediation import yaml_scalar

    lines = _strip_notes(text).splitlines()
    values = result.config.to_dict()
    by_section: dict[str, list[str]] = {}
    for key, *_ in result.changes:
        section, name = key.split(".", 1)
        by_section.setdefault(section, []).append(name)

    def entry(indent: str, section: str, name: str, replaced: str = "") -> str:
        line = f"{indent}{name}: {yaml_scalar(values[section][name])}"
        note = comments.get(f"{section}.{name}")
        if not note:
            return line
        column = re.search(r"\s#", replaced)  # keep the user's comment column
        if column and len(line) < column.start() + 1:
            return line.ljust(column.start() + 1) + f"# {note}"
        return line + f"  # {note}"

    for section, names in by_section.items():
        starts = [i for i, line in enumerate(lines)
                  if (m := _SECTION.match(line)) and m.group(1) == section]
        if len(starts) > 1:
            return None
        if not starts:
            if lines and lines[-1].strip():
                lines.append("")
            lines.append(f"{section}:  # new section: the keys not written keep their "
                         "defaults")
            lines += [entry("  ", section, name) for name in names]
            continue
        start = starts[0]
        head = _SECTION.match(lines[start])
        rest, _, trailing = head.group(2).partition("#")
        end = start + 1  # the section's body: up to the next top-level key
        while end < len(lines) and not (lines[end].strip() and not lines[end][0].isspace()
                                        and not lines[end].startswith("#")):
            end += 1
        if rest.strip():  # a flow mapping (or a scalar): rewrite the section as a block
            try:
                given = yaml.safe_load(rest) or {}
            except yaml.YAMLError:
                return None
            if not isinstance(given, dict) or end > start + 1 and any(
                    line.strip() and not line.lstrip().startswith("#")
                    for line in lines[start + 1:end]):
                return None
            order = list(given) + [n for n in names if n not in given]
            block = [f"{section}:" + (f"  #{trailing}" if trailing else "")]
            for name in order:
                if name in names:
                    block.append(entry("  ", section, name))
                else:
                    block.append(f"  {name}: {yaml_scalar(given[name])}")
            lines[start:start + 1] = block
            continue
        body = range(start + 1, end)
        keyed = [(i, m) for i in body if (m := _KEY.match(lines[i]))]
        indent = keyed[0][1].group(1) if keyed else "  "
        keyed = [(i, m) for i, m in keyed if m.group(1) == indent]
        last = keyed[-1][0] if keyed else start
        for name in names:
            hit = next((i for i, m in keyed if m.group(2) == name), None)
            if hit is None:
                lines.insert(last + 1, entry(indent, section, name,
                                             lines[last] if keyed else ""))
                keyed = [(i + (i > last), m) for i, m in keyed]
                last += 1
                continue
            stop = hit + 1  # continuation lines of a multi-line value
            while stop < len(lines) and lines[stop].strip() and (
                    len(lines[stop]) - len(lines[stop].lstrip()) > len(indent)
                    or lines[stop].lstrip().startswith("- ")) and not _SECTION.match(
                    lines[stop]):
                stop += 1
            lines[hit:stop] = [entry(indent, section, name, lines[hit])]
            shift = stop - hit - 1
            keyed = [(i - shift if i > hit else i, m) for i, m in keyed]
            last = max(i for i, _ in keyed) if keyed else last
    body_text = "\n".join(lines).strip("\n")
    out = "\n".join(f"# {n}" for n in notes) + "\n" + body_text + "\n"
    try:
        loaded = LSTMConfig.from_dict(yaml.safe_load(out), source="fixed set-up")
    except (yaml.YAMLError, InputError):
        return None
    return out if loaded.to_dict() == result.config.to_dict() else None


def _strip_notes(text: str) -> str:
    """``text`` without a notes block an earlier ``fix`` put on top."""
    lines = text.splitlines(keepends=True)
    if lines and lines[0].startswith(NOTES_START):
        for i, line in enumerate(lines):
            if line.rstrip("\n") == NOTES_END:
                return "".join(lines[i + 1:])
    return text


__all__ = ["FixResult", "fix", "write_atomic"]
