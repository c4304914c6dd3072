"""Where the jinja2 templates live, and the shared jinja2 Environment.

In a wheel the top-level ``templates/`` directory is force-included as
``lstm_doctor/templates`` (see ``pyproject.toml``) and read with :mod:`importlib.resources`;
in a development checkout the repository's top-level ``templates/`` is used.

HTML templates (``*.html``, ``*.html.j2``, ``*.xml``) are autoescaped; other templates
(e.g. a ``*.py.j2`` script) are not.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from importlib.abc import Traversable

    import jinja2

AUTOESCAPE_EXTENSIONS = ("html", "htm", "xml", "html.j2", "htm.j2", "xml.j2", "svg.j2")


def template_dir() -> Traversable:
    """The directory holding the jinja2 templates.

    Returns
    -------
    importlib.resources.abc.Traversable
        ``lstm_doctor/templates`` inside an installed wheel, otherwise the repository's
        top-level ``templates/`` (a :class:`pathlib.Path` in both on-disk cases).

    Raises
    ------
    FileNotFoundError
        When neither location exists (a broken installation).
    """
    packaged = resources.files("lstm_doctor") / "templates"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parent.parent / "templates"
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(
        f"lstm-doctor templates not found (looked in {packaged} and {checkout}); "
        "reinstall the package")


def _autoescape(name: str | None) -> bool:
    if name is None:  # templates built from strings
        return True
    return name.lower().endswith(tuple("." + ext for ext in AUTOESCAPE_EXTENSIONS))


@functools.lru_cache(maxsize=1)
def get_env() -> jinja2.Environment:
    """The cached jinja2 Environment over :func:`template_dir`.

    Returns
    -------
    jinja2.Environment
        Autoescaping on for HTML/XML templates, ``StrictUndefined`` off (templates test
        optional keys with ``is defined``/``get``), ``trim_blocks`` and ``lstrip_blocks`` on.
    """
    import jinja2

    root = template_dir()
    if isinstance(root, Path):
        loader: jinja2.BaseLoader = jinja2.FileSystemLoader(str(root))
    else:  # e.g. a zip import: read through importlib.resources

        def load(name: str) -> str | None:
            node = root
            for part in name.split("/"):
                node = node / part
            return node.read_text(encoding="utf-8") if node.is_file() else None

        loader = jinja2.FunctionLoader(load)
    from lstm_doctor._codegen import register_filters

    return register_filters(jinja2.Environment(
        loader=loader, autoescape=_autoescape, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True))
