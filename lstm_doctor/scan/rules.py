"""Code-only checks: the set-up rules' mistakes where the code shows them, with their lines.

The checks need no data; they reuse the codes (and default severities and summaries) of
the rules that judge the same mistake on a set-up and a series.
"""

from __future__ import annotations

from typing import Any

from lstm_doctor.scan.extract import Value


def _finding(code: str, v: Value, message: str, severity: str | None = None) -> dict[str, Any]:
    from lstm_doctor.rules import find_rule

    rule = find_rule(code)
    return {"code": code, "name": rule.name, "group": rule.group(),
            "severity": severity or rule.severity.value, "message": message,
            "fix": rule.summary(), "line": v.line, "col": v.col}


def _get(stated: dict[str, Value], key: str) -> Any:
    v = stated.get(key)
    return None if v is None or not v.known else v.value


def check(stated: dict[str, Value]) -> list[dict[str, Any]]:
    """Findings of the code-only checks on the stated set-up, in line order."""
    from lstm_doctor.rules import find_rule

    out: list[dict[str, Any]] = []
    if _get(stated, "preprocessing.scaler_fit") == "full":
        out.append(_finding("LD303", stated["preprocessing.scaler_fit"],
                            "scaler fit on the full series before the train/test split: the "
                            "holdout's range leaks into every training input"))
    if _get(stated, "split.method") == "random":
        out.append(_finding("LD605", stated["split.method"],
                            "train_test_split shuffles by default: test windows sit between "
                            "training windows (pass shuffle=False)"))
    for key, default in (("model.activation", "tanh"),
                         ("model.recurrent_activation", "sigmoid")):
        act = _get(stated, key)
        if isinstance(act, str) and act != default:
            out.append(_finding("LD601", stated[key],
                                f"recurrent layer with {key.split('.')[1]}='{act}' (default "
                                f"'{default}'): unbounded state, no cuDNN kernel"))
    epochs = _get(stated, "training.epochs")
    validation = _get(stated, "training.validation")
    es = _get(stated, "training.early_stopping")
    ck = _get(stated, "training.checkpoint") or False
    limit = find_rule("LD603").thresholds["max_epochs_unmonitored"]
    if isinstance(epochs, int) and epochs > limit and es is not None and \
            validation in ("none", "split", "holdout"):
        vsplit = _get(stated, "training.validation_split") or 0.0
        monitored = (validation == "holdout" and (es or ck)) or (
            validation == "split" and vsplit > 0 and es)
        if not monitored:
            what = ("early stopping is on but there is no validation data to monitor" if es
                    else "no early stopping")
            out.append(_finding("LD603", stated["training.epochs"],
                                f"{epochs} epochs with {what}: the last (most overfit) "
                                "weights are the ones that forecast"))
    if validation == "holdout":
        chosen = [n for n, on in (("early stopping", es), ("checkpointing", ck)) if on]
        if chosen:
            out.append(_finding("LD606", stated["training.validation"],
                                "validation_data is the test set and "
                                f"{' and '.join(chosen)} uses it: the test set picks the "
                                "weights"))
        else:
            out.append(_finding("LD606", stated["training.validation"],
                                "validation_data is the test set: harmless while only "
                                "plotted, any choice made from it leaks the test set",
                                severity="info"))
    return sorted(out, key=lambda f: (f["line"], f["col"], f["code"]))


__all__ = ["check"]
