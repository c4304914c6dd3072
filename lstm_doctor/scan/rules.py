"""Code-only checks: the set-up rules' mistakes where the code shows them, with their lines.

The checks need no data; they reuse the codes (and default severities, thresholds and
summaries) of the rules that judge the same mistake on a set-up and a series. A check
fires only on values the code states statically; what depends on the data (the scale
SGD's step multiplies, how many windows a batch holds) is left to ``scan --data``.
"""

from __future__ import annotations

from typing import Any

from lstm_doctor.scan.extract import Value

#: The rules the scan checks from the code alone.
CODES = ("LD303", "LD601", "LD602", "LD603", "LD604", "LD605", "LD606", "LD609")


#: The fix in the script, per code (the rule's own fix speaks of the config schema).
FIXES = {
    "LD303": "split first, then fit the scaler on the training part only "
             "(scaler.fit(train)) and transform train and test with it",
    "LD601": "drop the activation arguments of the recurrent layers (tanh and sigmoid are "
             "the defaults, and the only ones cuDNN runs)",
    "LD602": "set the optimizer's learning rate inside the range the message names, e.g. "
             "Adam(learning_rate=1e-3)",
    "LD603": "hold out the end of the training data (validation_split=0.2, or a slice before "
             "the test set) and add EarlyStopping(monitor='val_loss', patience=10, "
             "restore_best_weights=True)",
    "LD604": "train with batch_size=32 (16-64) unless the model is stateful",
    "LD605": "split by time: train_test_split(..., shuffle=False), or slice X[:n_train] / "
             "X[n_train:]",
    "LD606": "validate on the end of the training period (validation_split=0.2 or a slice "
             "before the test set), never on the test windows",
    "LD609": "take the validation windows from the end of the training period (a time "
             "slice); do not shuffle the windows before splitting off validation",
}


def _finding(code: str, v: Value, message: str, severity: str | None = None) -> dict[str, Any]:
    from lstm_doctor.rules import find_rule

    rule = find_rule(code)
    return {"code": code, "name": rule.name, "group": rule.group(),
            "severity": severity or rule.severity.value, "message": message,
            "fix": FIXES.get(code) or rule.summary(), "line": v.line, "col": v.col}


def _get(stated: dict[str, Value], key: str) -> Any:
    v = stated.get(key)
    return None if v is None or not v.known else v.value


def _learning_rate(stated: dict[str, Value]) -> dict[str, Any] | None:
    """LD602 on a stated optimizer and learning rate, with the rule's own ranges.

    Optimizers that divide their step by the gradient's RMS (Adam, RMSprop...) take about
    ``lr`` (× RMSprop's heavy-ball momentum factor) whatever the data's scale: judged
    as the rule judges them. SGD's step scales with the inputs and the loss gradient,
    which only the data shows: judged (as info) only when the script scales its inputs,
    taking the standardised scale the ranges assume.
    """
    from lstm_doctor.rules import find_rule
    from lstm_doctor.rules.setup.LD602 import SGD_LIKE, momentum_factor, within

    opt, lr = _get(stated, "training.optimizer"), _get(stated, "training.learning_rate")
    if not isinstance(opt, str) or isinstance(lr, bool) or not isinstance(lr, (int, float)):
        return None
    opts = find_rule("LD602").thresholds
    if f"{opt}_min" not in opts or lr <= 0:
        return None
    momentum = _get(stated, "training.momentum") if "training.momentum" in stated else 0.0
    if isinstance(momentum, bool) or not isinstance(momentum, (int, float)):
        return None  # a momentum that is not static: the step is unknown
    mom = momentum_factor(opt, float(momentum))
    eff, lo, hi = lr * mom, float(opts[f"{opt}_min"]), float(opts[f"{opt}_max"])
    if within(eff, lo, hi):
        return None
    severity = None
    if opt in SGD_LIKE:
        if _get(stated, "preprocessing.scaler") not in ("standard", "minmax", "robust"):
            return None
        severity = "info"
    elif eff > hi * opts["error_factor"] * (1 + 1e-9) or \
            eff < lo / opts["error_factor"] * (1 - 1e-9):  # (rounding: 0.01 × 1/(1-0.9))
        severity = "error"
    rate = (f"learning rate {lr:g}" if mom == 1.0 else
            f"effective learning rate {eff:.3g} (raw {lr:g} × {mom:g} for momentum)")
    what = ("too high: the loss will oscillate or diverge (NaN)" if eff > hi else
            "too low: the weights barely move from their initialisation within the epochs "
            f"({lo / eff:.3g}× below the range)")
    note = (" on standardised inputs (SGD's step also scales with the inputs and the loss "
            "gradient: scan --data measures it)" if opt in SGD_LIKE else "")
    return _finding("LD602", stated["training.learning_rate"],
                    f"{rate} for {opt} is {what} (sane range {lo:g} to {hi:g}{note})",
                    severity=severity)


def _activation(v: Value, arg: str, act: str, default: str) -> dict[str, Any]:
    """LD601: an error when the activation is unbounded, a warning when only non-default."""
    from lstm_doctor.rules.setup.LD601 import BOUNDED

    bounded = act in BOUNDED
    what = ("no cuDNN kernel" if bounded else
            "unbounded state" if arg == "activation" else "gates no longer in [0, 1]")
    return _finding("LD601", v, f"recurrent layer with {arg}='{act}' (default '{default}'): "
                    + (what if bounded else what + ", no cuDNN kernel"),
                    severity="warning" if bounded else None)


def _epochs(stated: dict[str, Value]) -> dict[str, Any] | None:
    """LD603: many epochs that nothing monitors."""
    from lstm_doctor.rules import find_rule

    epochs = _get(stated, "training.epochs")
    validation = _get(stated, "training.validation")
    es = _get(stated, "training.early_stopping")
    ck = _get(stated, "training.checkpoint") or False
    limit = find_rule("LD603").thresholds["max_epochs_unmonitored"]
    if not (isinstance(epochs, int) and epochs > limit and es is not None and
            validation in ("none", "split", "holdout")):
        return None
    vsplit = _get(stated, "training.validation_split") or 0.0
    if (validation == "holdout" and (es or ck)) or (validation == "split" and vsplit > 0
                                                    and es):
        return None
    if es:
        missing = "early stopping is on but there is no validation data to monitor"
    elif validation == "split" and vsplit > 0:
        missing = (f"a validation split of {vsplit:g} held out but nothing stopping "
                   "training on it")
    elif validation == "holdout":
        missing = "no early stopping (and the validation data is the test set)"
    else:
        missing = "no validation data and no early stopping"
    return _finding("LD603", stated["training.epochs"],
                    f"{epochs} epochs with {missing}: the last (most overfit) weights are "
                    "the ones that forecast")


def check(stated: dict[str, Value]) -> list[dict[str, Any]]:
    """Findings of the code-only checks on the stated set-up, in line order."""
    out: list[dict[str, Any]] = []
    if _get(stated, "preprocessing.scaler_fit") == "full":
        out.append(_finding("LD303", stated["preprocessing.scaler_fit"],
                            "scaler fit on the full series before the train/test split: the "
                            "holdout's range leaks into every training input"))
    if _get(stated, "split.method") == "random":
        out.append(_finding("LD605", stated["split.method"],
                            "train_test_split shuffles (shuffle=True is its default): test "
                            "windows sit between training windows that overlap them, so the "
                            "holdout score measures interpolation (pass shuffle=False)"))
    defaults = {"activation": "tanh", "recurrent_activation": "sigmoid"}
    for arg, act, line, col in _get(stated, "code.layer_activations") or ():
        # one finding per recurrent layer, on its own line (as a linter does)
        out.append(_activation(Value(act, line, col), arg, act, defaults[arg]))
    for f in (_learning_rate(stated), _epochs(stated)):
        if f is not None:
            out.append(f)
    batch, stateful = _get(stated, "training.batch_size"), stated.get("model.stateful")
    if batch == 1 and not isinstance(batch, bool) and (stateful is None or
                                                       stateful.value is False):
        # (a stateful LSTM carries its state from batch to batch: batch 1 is its norm)
        out.append(_finding("LD604", stated["training.batch_size"],
                            "batch_size 1: one noisy single-window update per window, slow "
                            "and unstable training (use 16 to 64 unless the LSTM is "
                            "stateful)", severity="info"))
    validation = _get(stated, "training.validation")
    if validation == "holdout":
        es, ck = _get(stated, "training.early_stopping"), _get(stated, "training.checkpoint")
        chosen = [n for n, on in (("early stopping", es), ("checkpointing", ck)) if on]
        if chosen:
            out.append(_finding("LD606", stated["training.validation"],
                                "validation_data is the test set and "
                                f"{' and '.join(chosen)} {'use' if len(chosen) > 1 else 'uses'}"
                                " it: the test set picks the weights"))
        else:
            out.append(_finding("LD606", stated["training.validation"],
                                "validation_data is the test set: harmless while only "
                                "plotted, any choice made from it leaks the test set",
                                severity="info"))
    if _get(stated, "code.validation_shuffled") is True:
        out.append(_finding("LD609", stated["code.validation_shuffled"],
                            "the validation windows are cut from shuffled windows: each "
                            "one's target is an input of a training neighbour, so the "
                            "validation loss cannot warn of overfitting"))
    return sorted(out, key=lambda f: (f["line"], f["col"], f["code"]))


__all__ = ["CODES", "check"]
