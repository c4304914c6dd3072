from __future__ import annotations

import numpy as np

from lstm_doctor.data import longest_run
from lstm_doctor.findings import Severity
from lstm_doctor.rules.base import Interval, Rule, Verdict


class Rule_LD101(Rule):  # noqa: N801
    """Missing values: NaN/inf in the target or features, or gaps in a regular time index.

    A single NaN in a training window turns the LSTM's loss into NaN and training
    silently produces garbage; missing time stamps shift every later window so the
    network learns the wrong lags.

    **Anti-pattern**

    Feeding a series with NaN rows (or with absent dates) straight into
    ``timeseries_dataset_from_array``, or dropping the NaN rows so that the
    remaining points are no longer equally spaced.

    **Best practice**

    Re-index onto the full regular time grid, then fill the gaps explicitly
    (interpolation for short gaps, a seasonal fill or a missing-indicator feature
    for long ones) before windowing, and say in the report how many you filled.
    The grid follows the data's calendar: daily stamps that skip weekends are checked
    against business days, and against an exchange's trading days (``XNYS``...) when the
    absent weekdays are its holidays, so weekends and holidays are not gaps
    (``--calendar`` names one).
    """

    code = "LD101"
    name = "data.missing-values"
    severity = Severity.ERROR
    thresholds = {"max_missing_fraction": 0.0}
    constraints = {"max_missing_fraction": Interval(float, 0, 1)}

    def measure(self, ctx):
        """Count non-finite target/feature values and absent stamps of the time grid."""
        bad = ~np.isfinite(ctx.y)
        rows = np.flatnonzero(bad)
        ev = {
            "missing": int(bad.sum()),
            "missing_fraction": float(bad.mean()),
            "longest_run": longest_run(bad),
            "first_rows": rows[:10].tolist(),
            "n_inf": int(np.isinf(ctx.y).sum()),
        }
        if ctx.series.features is not None:
            feats = ctx.series.features.to_numpy(dtype=float)
            per = (~np.isfinite(feats)).sum(axis=0)
            ev["feature_missing"] = {name: int(c) for name, c in
                                     zip(ctx.series.feature_names, per, strict=True) if c}
        grid = ctx.time_grid
        if grid:
            ev["missing_timestamps"] = grid["n_missing"]
            ev["longest_timestamp_gap"] = grid["longest_gap"]
            ev["first_missing_timestamp"] = grid["first_missing"]
            ev["time_step"] = grid["step"]
            ev["calendar"] = grid.get("calendar")
            ev["missing_stamps"] = grid.get("missing_stamps", [])
        return ev

    def judge(self, ev, ctx):
        """Error for NaN/inf values, warning for gaps in the time index only."""
        parts = []
        if ev["missing_fraction"] > self.options["max_missing_fraction"]:
            kind = f" ({ev['n_inf']} infinite)" if ev["n_inf"] else ""
            parts.append(f"target '{ctx.series.target}' has {ev['missing']} missing values{kind}"
                         f" ({ev['missing_fraction']:.1%}, longest run {ev['longest_run']}, "
                         f"first at row {ev['first_rows'][0]})")
        for name, count in ev.get("feature_missing", {}).items():
            parts.append(f"feature '{name}' has {count} missing values")
        if ev.get("missing_timestamps"):
            parts.append(f"the time index skips {ev['missing_timestamps']} time stamps of its "
                         f"{_grid_name(ev)} grid (longest gap {ev['longest_timestamp_gap']}"
                         f"{_listed(ev)})")
        if not parts:
            return None
        severity = Severity.ERROR if ev["missing"] or ev.get("feature_missing") else \
            Severity.WARNING
        return Verdict(
            message="; ".join(parts),
            fix="Re-index onto the regular time grid and fill gaps explicitly (e.g. "
                "df.asfreq(freq).interpolate(limit_area='inside') for short gaps); "
                "never let NaN reach the network. If the gaps are a calendar's closed days, "
                "name it with --calendar (business, XNYS, XLON...).",
            severity=severity,
        )


def _grid_name(ev: dict) -> str:
    calendar = ev.get("calendar")
    if calendar == "business":
        return "business-day (Monday-Friday)"
    if calendar not in (None, "none"):
        return f"{calendar} trading-day"
    return str(ev["time_step"])


def _listed(ev: dict) -> str:
    """The absent stamps (dates without a midnight time), at most five."""
    stamps = [str(s).removesuffix("T00:00:00") for s in ev.get("missing_stamps") or []]
    if not stamps:
        return f", first {ev['first_missing_timestamp']}"
    more = ", ..." if ev["missing_timestamps"] > min(len(stamps), 5) else ""
    return f"; absent: {', '.join(stamps[:5])}{more}"
