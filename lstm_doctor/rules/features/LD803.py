from __future__ import annotations

import math

import numpy as np

from lstm_doctor.findings import Severity
from lstm_doctor.remedies import DropFeatures
from lstm_doctor.rules.base import Interval, Rule, Verdict
from lstm_doctor.rules.features._facts import (
    feature_inputs,
    integration_orders,
    is_leak,
    leak_scan,
    relevance,
    stationary_columns,
)
from lstm_doctor.stats.crosscorr import correlation_matrix, variance_inflation

#: Pairs correlated at least this much are kept in the evidence (the limit cannot be lower).
PAIR_FLOOR = 0.5


class Rule_LD803(Rule):  # noqa: N801
    """Redundant features: near-collinear inputs carry the same information twice.

    Two columns that move together (open and close prices, Celsius and Fahrenheit, a
    column and its copy in other units) give the network no new information but more
    weights, and split what it learns between them. Measured on the stationary transforms
    (each column differenced by its own order, so two trending series are not called
    redundant because they both trend): pairwise correlations on the training part, with
    the target among the columns, and each column's variance inflation factor (VIF, from the
    adjusted R^2 of the column on all the others, so chance fits of many columns on few rows
    do not count). Columns correlated above ``max_abs_corr`` form a group: the one most
    related to the target's future (LD802's measure, within two standard errors; then one
    that needs no differencing, then the first given) is kept, the others dropped; a column
    in a group with the target duplicates the network's own input and is dropped. Then,
    while a column's VIF is at least ``max_vif``, the least related of those is dropped.
    Columns LD801 finds leaking are left out (they are dropped anyway).

    **Anti-pattern**

    Feeding open, high, low and close prices together, or a temperature in both Celsius and
    Fahrenheit, or the target again under another name.

    **Best practice**

    Keep one column per group of near-collinear inputs (the one most related to the
    target's future), or replace the group by one summary (their mean, a spread such as
    high - low, the first principal component fitted on the training part).
    """

    code = "LD803"
    name = "features.redundant-features"
    severity = Severity.WARNING
    # LD802's relevance measure chooses the column kept; LD801's leaks are left out (they go)
    depends_on = ("LD801", "LD802")
    thresholds = {"max_abs_corr": 0.95, "max_vif": 20.0}
    constraints = {"max_abs_corr": Interval(float, 0.5, 1, closed="right"),
                   "max_vif": Interval(float, 2, None)}

    def measure(self, ctx):
        """Correlations and VIFs of the stationary columns; the groups and drop order."""
        inp = feature_inputs(ctx)
        margin = math.sqrt(self.options_of(ctx, "LD802")["min_useful_r2"])
        rel = relevance(ctx, margin)
        score = {k: (abs(v["r"]) if v["r"] == v["r"] else 0.0) for k, v in rel.items()}
        leak_options = self.options_of(ctx, "LD801")
        leaks = [k for k, v in leak_scan(ctx).items() if is_leak(v, leak_options)]
        cols = {k: v for k, v in stationary_columns(ctx).items()
                if k == inp.target or not (rel.get(k, {}).get("constant") or k in leaks)}
        names, C, n = correlation_matrix(cols, end=inp.n_train)
        vif = variance_inflation(cols, end=inp.n_train)
        pairs = [[a, b, float(C[i, j])] for i, a in enumerate(names)
                 for j, b in enumerate(names) if j > i and abs(C[i, j]) >= PAIR_FLOOR]
        pairs.sort(key=lambda p: -abs(p[2]))
        return {"features": list(inp.columns), "source": inp.source, "n": n,
                "columns": names, "pairs": pairs, "vif": vif, "relevance": score,
                "differences": {k: v["d"] for k, v in integration_orders(ctx).items()},
                "target": inp.target, "left_out_leaking": leaks}

    def judge(self, ev, ctx):
        """Group columns above ``max_abs_corr``, then drop while a VIF >= ``max_vif``."""
        limit, max_vif = self.options["max_abs_corr"], self.options["max_vif"]
        target, score = ev["target"], ev["relevance"]
        names = list(ev["columns"])
        corr: dict[str, dict[str, float]] = {k: {} for k in names}
        for a, b, r in ev["pairs"]:
            corr[a][b] = corr[b][a] = r
        groups = _components(names, lambda a, b: abs(corr[a].get(b, 0.0)) >= limit)
        dropped: dict[str, str] = {}
        records = []
        order = {k: i for i, k in enumerate(ev["features"])}
        for group in groups:
            if len(group) < 2:
                continue
            members = sorted(group, key=lambda k: (k != target, order.get(k, -1)))
            if target in group:
                keep = target
            else:
                # the most related to the target's future (within two standard errors),
                # then one fed as it is (no differencing needed), then the first given
                best = max(score.get(k, 0.0) for k in members)
                close = [k for k in members
                         if score.get(k, 0.0) >= best - 2 / math.sqrt(max(ev["n"], 4))]
                keep = min(close, key=lambda k: (ev["differences"].get(k, 0), order[k]))
            top = max(abs(corr[a].get(b, 0.0)) for a in group for b in group if a != b)
            other = "the target" if keep == target else repr(keep)
            for k in members:
                if k != keep:
                    r = corr[keep].get(k)
                    dropped[k] = (f"correlated {r:+.3f} with {other}" if r is not None
                                  else f"in one group with {other}")
            records.append({"members": members, "kept": keep, "max_abs_corr": top})
        remaining = [k for k in names if k not in dropped]
        vif_drops = self._vif_pass(ctx, remaining, target, score, max_vif)
        dropped.update(vif_drops)
        if not dropped:
            return None
        ev["groups"], ev["dropped"] = records, list(dropped)
        kept = [k for k in ev["features"] if k not in dropped]
        lines = [f"'{k}' ({why})" for k, why in dropped.items()]
        return Verdict(
            message=f"{len(dropped)} input column(s) repeat information other inputs carry "
                    f"(correlation of the stationary columns >= {limit:g}, or VIF >= "
                    f"{max_vif:g}): " + "; ".join(lines),
            fix=f"Drop {', '.join(repr(k) for k in dropped)} from --features"
                + (f" and keep {', '.join(repr(k) for k in kept)}" if kept else "")
                + " (one column per group), or replace each group by one summary column.",
            remedies=[DropFeatures(list(dropped), "repeats another input")],
        )

    def _vif_pass(self, ctx, remaining, target, score, max_vif) -> dict[str, str]:
        """Drop, one at a time, the least related column among those with VIF >= limit."""
        cols_all = stationary_columns(ctx)
        end = feature_inputs(ctx).n_train
        out: dict[str, str] = {}
        keep = list(remaining)
        for _ in range(max(0, len(keep) - 1)):
            vif = variance_inflation({k: cols_all[k] for k in keep}, end=end)
            high = [k for k in keep if k != target and vif.get(k, 1.0) >= max_vif]
            if not high:
                break
            worst = min(high, key=lambda k: (score.get(k, 0.0), -keep.index(k)))
            value = vif[worst]
            out[worst] = f"VIF {value:.0f}" if np.isfinite(value) else "VIF infinite: an " \
                "exact combination of other inputs"
            keep.remove(worst)
        return out


def _components(names: list[str], linked) -> list[set[str]]:
    """Connected components of the graph whose edges ``linked(a, b)`` says."""
    parent = {k: k for k in names}

    def root(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for i, a in enumerate(names):
        for b in names[i + 1:]:
            if linked(a, b):
                parent[root(a)] = root(b)
    groups: dict[str, set[str]] = {}
    for k in names:
        groups.setdefault(root(k), set()).add(k)
    return list(groups.values())
