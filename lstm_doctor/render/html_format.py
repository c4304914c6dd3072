"""Formatting helpers of the HTML report (also registered as jinja2 template filters)."""

from __future__ import annotations

import base64
import html as _html
import re
from typing import Any


def fmt_num(value: Any, digits: int = 4) -> str:
    """A number for humans: thousands separators, ``digits`` significant digits, ``-`` for None."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value != value:  # NaN
            return "–"
        if value.is_integer() and abs(value) < 1e15:
            return f"{int(value):,}"
        return f"{value:,.{digits}g}"
    return str(value)


def fmt_value(value: Any, limit: int = 10) -> str:
    """Any evidence value as a short string (lists truncated, dicts as ``k=v``)."""
    if isinstance(value, dict):
        items = list(value.items())
        text = ", ".join(f"{k}={fmt_value(v, limit)}" for k, v in items[:limit])
        return text + (f", … ({len(items)} keys)" if len(items) > limit else "")
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, dict) for v in value):
        # records (e.g. one per seed): one per line
        more = f"\n… ({len(value):,} in all)" if len(value) > limit else ""
        return "\n".join(fmt_value(v, limit) for v in value[:limit]) + more
    if isinstance(value, (list, tuple)):
        shown = ", ".join(fmt_value(v, limit) for v in value[:limit])
        more = f", … ({len(value):,} in all)" if len(value) > limit else ""
        return f"[{shown}{more}]"
    return fmt_num(value)


def inline_markup(text: str) -> str:
    """Escape ``text`` and turn ``code`` / ``code`` spans into ``<code>`` (returns HTML)."""
    from markupsafe import Markup

    escaped = _html.escape(str(text), quote=False)
    escaped = re.sub(r"``(.+?)``", r"<code>\1</code>", escaped)
    escaped = re.sub(r"(?<![`\w])`([^`\n]+?)`(?![`\w])", r"<code>\1</code>", escaped)
    escaped = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", escaped)
    return Markup(escaped)


def doc_markup(text: str) -> str:
    """A rule docstring section as HTML paragraphs and bullet lists (escaped)."""
    from markupsafe import Markup

    blocks = []
    for para in re.split(r"\n\s*\n", text.strip()):
        lines = [ln.strip() for ln in para.splitlines() if ln.strip()]
        if not lines:
            continue
        if all(ln.startswith(("- ", "* ")) for ln in lines):
            items = "".join(f"<li>{inline_markup(ln[2:])}</li>" for ln in lines)
            blocks.append(f"<ul>{items}</ul>")
        elif para.lstrip().startswith(("    ", "\t")) or para.strip().startswith(">>>"):
            blocks.append(f"<pre><code>{_html.escape(para.strip(), quote=False)}</code></pre>")
        else:
            blocks.append(f"<p>{inline_markup(' '.join(lines))}</p>")
    return Markup("".join(blocks))


def data_uri(text: str, mime: str) -> str:
    """``text`` as a base64 ``data:`` URI (for download links)."""
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    return f"data:{mime};charset=utf-8;base64,{payload}"


def short_time(value: Any) -> str:
    """A time stamp for people: drop a midnight time of day, ``T`` as a space."""
    text = fmt_num(value) if not isinstance(value, str) else value
    return text[:-9] if text.endswith("T00:00:00") else text.replace("T", " ")
