"""The result of a panel check (:func:`lstm_doctor.check_panel`): one report per series.

How it shows itself: the summary rows (:meth:`PanelReport.rows`), a DataFrame
(:meth:`PanelReport.to_frame`), the ``check`` output formats and, in a notebook, a compact
card with the totals and the worst series (:meth:`PanelReport.to_html`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lstm_doctor import gate


@dataclass
class SeriesResults:
    """What the results of many series have in common (:class:`PanelReport`,
    :class:`~lstm_doctor.report_fleet.FleetReport`): one entry per series, the gate, JSON.

    Attributes
    ----------
    results : list of dict
        One ``Report.to_dict()`` per series, or ``{"source": label, "error": message}``
        for a series that could not be checked or reported; in input order.
    id_col : str or None
        The id column of a long-format table.
    meta : dict
        ``n_series``, ``jobs``, ``backend``, ``seconds`` (wall time of the run) and, for
        report fleets, the training settings.
    """

    results: list[dict[str, Any]]
    id_col: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def errors(self) -> list[dict[str, Any]]:
        """The entries of the series that could not be checked or reported."""
        return [r for r in self.results if gate.is_error_result(r)]

    def exit_code(self, fail_on: str = "error") -> int:
        """The worst outcome, as the command line exits: 2 if a series could not be checked
        or reported, 1 if a finding is at or above ``fail_on``, else 0.
        """
        return gate.exit_code(self.results, fail_on)

    def passed(self, fail_on: str = "error") -> bool:
        """True when :meth:`exit_code` is 0."""
        return self.exit_code(fail_on) == 0

    def to_dict(self, fail_on: str = "error") -> dict[str, Any]:
        """The JSON document (the several-results collection)."""
        return gate.collection(self.results, fail_on=fail_on)

    def to_json(self, fail_on: str = "error", indent: int | None = 2) -> str:
        """:meth:`to_dict` as a JSON string."""
        import json

        return json.dumps(self.to_dict(fail_on), indent=indent, allow_nan=False)


@dataclass
class PanelReport(SeriesResults):
    """The result of :func:`lstm_doctor.check_panel`: one entry per series (see
    :class:`SeriesResults` for the attributes, the gate and JSON).
    """

    def __repr__(self) -> str:
        rows = [r for r in self.results if not gate.is_error_result(r)]
        failing = sum(gate.count_failing([r]) > 0 for r in rows)
        return (f"<PanelReport {len(self.results)} series: {failing} with errors, "
                f"{len(self.errors)} not checked>")

    def rows(self, fail_on: str = "error") -> list[dict[str, Any]]:
        """The summary table: one row per series.

        Returns
        -------
        list of dict
            ``series`` (label), ``id``, ``worst`` (``error``/``warning``/``info``/``pass``,
            or ``input-error``), ``error``/``warning``/``info`` counts, ``codes`` (the
            findings' codes, most severe first), ``failing`` (findings at or above
            ``fail_on``) and ``message`` (the input error, if any).
        """
        return gate.summary_rows(self.results, fail_on=fail_on)

    def to_frame(self, fail_on: str = "error"):
        """:meth:`rows` as a pandas DataFrame (``codes`` joined by commas), input order."""
        import pandas as pd

        rows = [{**r, "codes": ", ".join(r["codes"])} for r in self.rows(fail_on)]
        columns = ["series", "id", "worst", "error", "warning", "info", "codes", "failing",
                   "message"]
        return pd.DataFrame(rows, columns=columns)

    def summary_html(self, fail_on: str = "error", *, max_rows: int = 50) -> str:
        """A scoped HTML fragment: the totals and the ``max_rows`` worst series (what a
        notebook shows; :func:`lstm_doctor.render.notebook.render_panel_fragment`).
        """
        from lstm_doctor.render.notebook import render_panel_fragment

        return render_panel_fragment(self.results, fail_on=fail_on, max_rows=max_rows,
                                     seconds=self.meta.get("seconds"))

    def _repr_html_(self) -> str:
        return self.summary_html()

    def render(self, fmt: str = "text", fail_on: str = "error") -> str:
        """Render in one of the ``check`` formats (text, json, junit, sarif, github, markdown)."""
        from lstm_doctor.render import render

        return render(fmt, self.results, fail_on=fail_on)


__all__ = ["PanelReport", "SeriesResults"]
