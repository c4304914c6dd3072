from __future__ import annotations

from lstm_doctor.findings import Severity
from lstm_doctor.rules.base import Interval, NotApplicable, Rule, Verdict


class Rule_LD102(Rule):  # noqa: N801
    """Irregular time index: unsorted, duplicate or irregularly spaced time stamps.

    Windows are cut by position, so the LSTM assumes row ``t+1`` comes one step after
    row ``t``. Unsorted rows mix the future into the past; duplicated stamps count one
    moment twice; irregular spacing makes "10 steps back" mean a different time span in
    every window.

    **Anti-pattern**

    Concatenating exports from several systems and windowing the result without
    sorting and de-duplicating, or windowing event data (irregular stamps) as if it
    were a regular series.

    **Best practice**

    Sort by time, resolve duplicate stamps deliberately (aggregate or keep the latest),
    and resample irregular events onto a regular grid (``df.resample(freq).mean()``)
    before windowing.
    """

    code = "LD102"
    name = "data.irregular-time-index"
    severity = Severity.ERROR
    thresholds = {"max_off_grid_fraction": 0.01}
    constraints = {"max_off_grid_fraction": Interval(float, 0, 1)}

    def measure(self, ctx):
        """Backward steps, duplicate stamps and stamps off the regular grid."""
        grid = ctx.time_grid
        if grid is None:
            raise NotApplicable("no time column")
        ev = dict(grid)
        ev["off_grid_fraction"] = grid["n_off_grid"] / max(1, ctx.n)
        return ev

    def judge(self, ev, ctx):
        """Error when unsorted or duplicated; warning when irregularly spaced."""
        parts, severity = [], Severity.WARNING
        if not ev["sorted"]:
            parts.append(f"time goes backwards {ev['n_unsorted']} times (first at row "
                         f"{ev['first_unsorted_row']})")
            severity = Severity.ERROR
        if ev["n_duplicates"]:
            parts.append(f"{ev['n_duplicates']} duplicate time stamps (first at row "
                         f"{ev['first_duplicate_row']})")
            severity = Severity.ERROR
        if ev["off_grid_fraction"] > self.options["max_off_grid_fraction"]:
            step = ev["step"] or "no common step"
            parts.append(f"{ev['n_off_grid']} stamps ({ev['off_grid_fraction']:.1%}) are off "
                         f"the regular grid ({step})")
        if not parts:
            return None
        return Verdict(
            message="; ".join(parts),
            fix="Sort by time (df.sort_values(time_col)), aggregate duplicate stamps "
                "(df.groupby(time_col).mean()) and resample onto a regular grid "
                "(df.resample(freq).mean()) before windowing.",
            severity=severity,
        )
