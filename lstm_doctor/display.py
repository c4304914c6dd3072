"""How a Report shows itself: terminal text, the HTML page, the notebook fragment.

The bridge between the Report model and the renderers. :mod:`lstm_doctor.findings` keeps
``Report`` plain data and imports no renderer; its display methods (``to_text``,
``to_html``, ``_repr_html_``, ``show``) import this module when called, and this module
hands ``Report.to_dict()`` to the renderers. No renderer imports the Report model, so the
import graph stays one-way: findings -> display -> render.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def text(report: dict[str, Any], *, fail_on: str = "error") -> str:
    """The plain-text rendering of a report dict (what ``lstm-doctor check`` prints)."""
    from lstm_doctor.render.text import render_text

    return render_text(report, fail_on=fail_on)


def html(report: dict[str, Any], *, fragment: bool = False, plots: bool | None = None,
         path: str | Path | None = None) -> str:
    """The HTML of a report dict: the self-contained page or the notebook fragment.

    Parameters
    ----------
    report : dict
        ``Report.to_dict()``.
    fragment : bool
        ``False``: the page of ``lstm-doctor report``
        (:func:`~lstm_doctor.render.html.render_html`). ``True``: the scoped fragment a
        notebook shows (:func:`~lstm_doctor.render.notebook.render_fragment`).
    plots : bool, optional
        Include the plots; by default the page has them and the fragment does not.
    path : str or Path, optional
        Also write the HTML there (through a temporary file, then renamed).

    Returns
    -------
    str

    Raises
    ------
    InputError
        When ``path`` cannot be written.
    """
    if fragment:
        from lstm_doctor.render.notebook import render_fragment

        out = render_fragment(report, plots=bool(plots))
    else:
        from lstm_doctor.render.html import render_html

        out = render_html(report, plots=True if plots is None else bool(plots))
    if path is not None:
        from lstm_doctor.outputs import write_atomic

        write_atomic(Path(path), out, what="HTML report")
    return out


def show(report: dict[str, Any], *, plots: bool = True) -> None:
    """Display the notebook fragment of a report dict in the running notebook.

    Raises
    ------
    ImportError
        When IPython is not installed (outside a notebook, write a page with
        ``Report.to_html(path)``).
    """
    try:
        from IPython.display import HTML, display
    except ImportError:
        raise ImportError("Report.show() displays a report in a notebook and needs IPython; "
                          "outside a notebook use report.to_html('report.html')") from None
    display(HTML(html(report, fragment=True, plots=plots)))


__all__ = ["html", "show", "text"]
