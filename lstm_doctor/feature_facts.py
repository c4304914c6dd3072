"""Per-input facts for the report's data section: what each extra input column is worth.

One row per feature (``--features``, or the other channels of multivariate arrays once the
target channel is known): its scale on the training part, how many differences it needs,
the lag at which it tells most about the target's next value (beyond the target's own
past) and the decision the remediated set-up takes on it (keep, drop, difference, with the
rules that asked). Computed before rendering from the statistics the LD8xx rules cached,
so renderers only show it.
"""

from __future__ import annotations

import math
from typing import Any


def feature_facts(report: Any, ctx: Any) -> list[dict[str, Any]] | None:
    """The per-feature rows of the report's data section (``None`` without extra inputs).

    Parameters
    ----------
    report : Report
        The run's report (its LD8xx findings give the decisions).
    ctx : Context
        The run's context (the LD8xx statistics are cached there).

    Returns
    -------
    list of dict or None
        ``name``, ``mean``, ``std`` (training part), ``d`` (differences needed) and
        ``stationarity`` (the test's verdict), ``best_lag``, ``r`` (correlation of the
        prewhitened input with the target's innovations at that lag), ``relation``
        (``relevant``, ``irrelevant`` or ``undecided``), ``decision`` and ``rules``.
    """
    from lstm_doctor import stats
    from lstm_doctor.rules.base import NotApplicable
    from lstm_doctor.rules.features._facts import (
        feature_inputs,
        integration_orders,
        relevance,
    )

    try:
        inputs = feature_inputs(ctx)
    except NotApplicable:
        return None
    if not inputs.columns:
        return None
    options = (getattr(ctx, "rule_options", {}) or {}).get("LD802") or {}
    margin = math.sqrt(float(options.get("min_useful_r2", 0.01)))
    orders = _safe(lambda: integration_orders(ctx)) or {}
    related = _safe(lambda: relevance(ctx, margin)) or {}
    decisions: dict[str, tuple[str, list[str]]] = {}
    for finding in report.findings:
        for remedy in finding.remedies:
            if getattr(remedy, "section", None) != "features":
                continue
            for column, how in remedy.changes.items():
                kind, codes = decisions.get(column, (str(how), []))
                decisions[column] = (kind, codes + [finding.code])
    n_train = int(getattr(inputs, "n_train", 0) or 0)
    rows = []
    for name, column in inputs.columns.items():
        train = column[:n_train] if n_train else column
        order = orders.get(name) or {}
        rel = related.get(name) or {}
        kind, codes = decisions.get(name, ("keep", []))
        rows.append({
            "name": str(name),
            "mean": _num(stats.stable_mean(train)),
            "std": _num(stats.stable_std(train)),
            "d": order.get("d"),
            "stationarity": order.get("verdict"),
            "best_lag": rel.get("best_lag"),
            "r": _num(rel.get("r")),
            "relation": rel.get("decision") or ("relevant" if rel.get("p_relevant", 1) < 0.05
                                                else "undecided" if rel else None),
            "decision": kind,
            "rules": sorted(set(codes)),
        })
    return rows


def _safe(fn: Any) -> Any:
    try:
        return fn()
    except Exception:  # noqa: BLE001 - a display fact never fails the run
        return None


def _num(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


__all__ = ["feature_facts"]
