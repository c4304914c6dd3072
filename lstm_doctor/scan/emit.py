"""``scan --emit-config``: the set-up a script states, written in the config schema.

Every value the code determines is written (provenance ``given`` once loaded), with the
script line it comes from as a comment; values the code does not determine are listed as
comments to fill in, so ``check``/``report``/``fix`` can take it from there.
"""

from __future__ import annotations

from typing import Any

from lstm_doctor.scan.extract import Value

_SECTIONS = ("preprocessing", "window", "model", "training", "split")


def _yaml_scalar(value: Any) -> str:
    import yaml

    if isinstance(value, tuple):
        value = list(value)
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
    return text[:-4].rstrip() if text.endswith("\n...") else text.removesuffix("...").strip()


def config_yaml(stated: dict[str, Value], source: str) -> str:
    """The YAML set-up file for the keys ``stated`` by the script ``source``.

    Parameters
    ----------
    stated : dict
        ``{"section.key": Value}`` as :attr:`ScanResult.setup`.
    source : str
        The script's path, for the line comments.

    Returns
    -------
    str
        YAML text that :func:`lstm_doctor.config.load_config` reads; every written value
        is schema-valid.
    """
    from lstm_doctor.scan.setup import to_config

    config = to_config(stated)
    valid = {k for k in stated if config.origin(k) == "given"}
    lines = [f"# LSTM set-up read from {source} by 'lstm-doctor scan' (static: nothing was run).",
             "# Each value notes the line that states it; keys not written here are assumed",
             "# defaults: state them to have them judged.", ""]
    by_section: dict[str, list[str]] = {s: [] for s in _SECTIONS}
    for key in sorted(stated, key=lambda k: (stated[k].line, k)):
        section, name = key.split(".", 1)
        if section not in by_section:
            continue
        v = stated[key]
        where = f"{source}:{v.line}"
        if key in valid:
            value = getattr(getattr(config, section), name)
            by_section[section].append(f"  {name}: {_yaml_scalar(value)}  # {where}")
        elif not v.known:
            by_section[section].append(f"  # {name}: ?  ({where} does not state it "
                                       "statically; fill it in)")
        else:
            by_section[section].append(f"  # {name}: {_yaml_scalar(v.value)}  ({where}; "
                                       "not a value of the schema, left out)")
    for section in _SECTIONS:
        entries = by_section[section]
        if entries:  # a section of comments only stays a comment (not an empty mapping)
            written = any(not e.lstrip().startswith("#") for e in entries)
            lines.append(f"{section}:" if written else f"# {section}:")
            lines.extend(entries)
    written_sections = {k.split(".", 1)[0] for k in valid}
    assumed = sorted(k for k in config.keys() if k.split(".", 1)[0] in written_sections
                     and config.origin(k) == "assumed")
    if assumed:  # keys of a written section count as stated unless the origins say not
        lines += ["", "# provenance: the script does not determine "
                  + ", ".join(assumed) + " statically;",
                  "# they stay assumed (never judged as errors) until you state them above",
                  "origins:"]
        lines += [f"  {k}: {config.origin(k)}" for k in sorted(config.origins)
                  if config.origin(k) != "assumed"]
    return "\n".join(lines) + "\n"


__all__ = ["config_yaml"]
