"""Terminal rendering of ``report["comparison"]`` (rich): metrics, DM tests, verdict."""

from __future__ import annotations

import math
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table


def _num(x: Any, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "n/a"
    return f"{x:.{digits}g}" if abs(x) >= 1000 else f"{x:.{digits}f}"


def _spread(m: dict[str, Any], key: str, digits: int = 3) -> str:
    """``mean ± std`` (std only with several seeds)."""
    mean = m.get(key)
    if mean is None:
        return "n/a"
    if m.get("n_seeds", 1) > 1 and m.get(f"{key}_std") is not None:
        return f"{_num(mean, digits)} ± {_num(m[f'{key}_std'], digits)}"
    return _num(mean, digits)


def _range(m: dict[str, Any], key: str = "mase") -> str:
    if m.get("n_seeds", 1) > 1 and m.get(f"{key}_min") is not None:
        return f"{_num(m[f'{key}_min'])}–{_num(m[f'{key}_max'])}"
    return ""


def _pval(p: Any) -> str:
    if p is None or not math.isfinite(p):
        return "n/a"
    return "< 0.001" if p < 0.001 else f"= {p:.3f}"


def build_metrics_table(comparison: dict[str, Any], width: int | None = None) -> Table:
    """Models x metrics: MASE mean ± std (and min–max over seeds), MAE, RMSE, sMAPE means.

    Below 110 columns the MASE range and the seed count are left out so that no number is
    ever truncated on an 80-column terminal.
    """
    hold = comparison.get("holdout") or {}
    title = (f"Holdout {hold.get('start')} .. {hold.get('end')} ({hold.get('n')} points, "
             f"{hold.get('horizon', 1)}-step rolling origin)")
    wide = width is None or width >= 110
    columns = ["Model", "MASE", "MASE range", "MAE", "RMSE", "sMAPE %", "Seeds", "Train s"]
    if not wide:
        columns = [c for c in columns if c not in ("MASE range", "Seeds")]
    table = Table(title=title, expand=wide)
    for col in columns:
        table.add_column(col, no_wrap=True)
    winner = comparison.get("winner")
    for m in comparison.get("models", []):
        name = m["name"] + (" *" if m["name"] == winner else "")
        if m.get("error"):
            table.add_row(name, f"[red]{m['error']}[/]", *[""] * (len(columns) - 2))
            continue
        cells = {"Model": name, "MASE": _spread(m, "mase"), "MASE range": _range(m),
                 "MAE": _num(m.get("mae")), "RMSE": _num(m.get("rmse")),
                 "sMAPE %": _num(m.get("smape"), 2), "Seeds": str(m.get("n_seeds", 1)),
                 "Train s": _num(m.get("train_seconds"), 2)}
        table.add_row(*[cells[c] for c in columns])
    return table


def screening_lines(comparison: dict[str, Any]) -> list[str]:
    """Plain lines: the do-no-harm screening of remedies and where the LSTMs stopped."""
    lines = []
    screened = comparison.get("screening") or []
    if screened:
        parts = []
        for r in screened:
            effect = r.get("effect")
            eff = f"{effect:+.0%}" if isinstance(effect, (int, float)) and math.isfinite(
                effect) else "n/a"
            parts.append(f"{r.get('describe') or r['remedy']} {eff}"
                         + ("" if r.get("kept") else " (dropped)"))
        lines.append("Remedies screened on an inner validation split (effect on its error; "
                      "negative helps): " + "; ".join(parts))
    stops = comparison.get("epochs_run") or {}
    if stops:
        lines.append("Epochs trained per seed: " + "; ".join(
            f"{name} {', '.join(map(str, runs))}" for name, runs in stops.items()
            if not name.startswith("screen")))
    if comparison.get("ablation_automatic"):
        lines.append("The ablation ran by itself because the remediated LSTM lost to yours.")
    return lines


def print_comparison(comparison: dict[str, Any] | None, console: Console) -> None:
    """Print the comparison block (no-op when training did not run)."""
    if not comparison:
        return
    if comparison.get("models"):
        console.print(build_metrics_table(comparison, width=console.width))
    for d in comparison.get("dm_tests", []):
        console.print(f"Diebold-Mariano ({d.get('loss') or 'squared error'} loss) "
                      f"{d['a']} vs {d['b']}: statistic "
                      f"{_num(d.get('statistic'), 2)}, p {_pval(d.get('p_value'))}"
                      + (f" ({d['better']} is more accurate)" if d.get("better") else ""))
    if comparison.get("ablation"):
        table = Table(title="Ablation: remediated set-up without one remedy", expand=True)
        for col in ("Without", "Source", "MASE", "Δ MASE", "Share of the gain"):
            table.add_column(col)
        for a in comparison["ablation"]:
            share = a.get("share")
            table.add_row(a.get("describe") or a["remedy"], a.get("source", ""),
                          _spread({**a, "n_seeds": a.get("n_seeds", 1)}, "mase"),
                          _num(a.get("delta_mase")),
                          f"{share:.0%}" if isinstance(share, (int, float)) else "n/a")
        console.print(table)
    for line in screening_lines(comparison):
        console.print(line, soft_wrap=True)
    if comparison.get("remedies"):
        console.print(escape("Remediated set-up: " + "; ".join(
            f"{r['describe']} [{r.get('source', '')}]" for r in comparison["remedies"])),
            soft_wrap=True)
    for d in comparison.get("remedies_dropped") or []:  # a conflict: which remedy won, why
        console.print(escape(f"Not applied: {d.get('describe') or d.get('remedy')} "
                             f"[{d.get('source', '')}]: {d.get('reason', '')}"),
                      soft_wrap=True)
    if comparison.get("lstm_skipped"):
        console.print(f"[yellow]LSTMs not trained:[/] {comparison['lstm_skipped']}")
    budget = comparison.get("budget") if isinstance(comparison.get("budget"), dict) else {}
    if budget.get("skipped"):
        console.print(f"[yellow]--max-seconds {budget.get('max_seconds')} spent:[/] skipped "
                      f"{len(budget['skipped'])} training(s): {', '.join(budget['skipped'])}; "
                      "give more seconds for the full comparison", soft_wrap=True)
    if comparison.get("verdict"):
        console.print(f"[bold]Verdict:[/] {comparison['verdict']}")
