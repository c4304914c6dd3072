"""Diagnose what the network really sees: a live Keras model, the arrays fed to fit, its history.

:func:`diagnose` reads the set-up from the model object itself (through the same reader as a
saved ``.keras`` archive), the window, horizon and layout from the array shapes, the training
loop from ``fit``'s keyword arguments, and wraps the arrays in a
:class:`~lstm_doctor.arrays.FitArrays` the array rules judge (``ctx.arrays``). A ``history``
lets the training-symptom rules (LD7xx) judge the user's own run without retraining.

This module is imported by ``import lstm_doctor`` (so the name ``lstm_doctor.diagnose`` is
the function): it imports only the standard library at module level; numpy, pandas and the
engine load when :func:`diagnose` runs, and TensorFlow only when a model is read.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from lstm_doctor.live_model import model_config, setup_from_model  # noqa: F401 - public here too

__all__ = ["diagnose", "model_config", "setup_from_model"]

#: ``fit`` keyword defaults of Keras 3 (a key the user leaves out takes these).
FIT_DEFAULTS = {"epochs": 1, "batch_size": 32, "shuffle": True, "validation_split": 0.0}
_FIT_KEYS = ("epochs", "batch_size", "shuffle", "validation_split", "callbacks", "verbose",
             "validation_data", "initial_epoch", "steps_per_epoch", "validation_steps",
             "validation_batch_size", "validation_freq", "class_weight", "sample_weight")


def diagnose(model: Any, X_train: Any, y_train: Any, *,  # noqa: N803 - the usual names
             validation_data: tuple[Any, Any] | None = None,
             validation_split: float | None = None,
             test: tuple[Any, Any] | None = None,
             history: Any = None,
             series: Any = None,
             fit_kwargs: dict[str, Any] | None = None,
             config: Any = None,
             select: list[str] | str | None = None,
             ignore: list[str] | str | None = None,
             thresholds: dict[str, dict[str, float]] | None = None,
             severities: dict[str, str] | None = None,
             train: bool = False,
             seeds: int = 3,
             target_channel: int | None = None) -> Any:
    """Diagnose a live Keras model with the arrays it is fit on (the notebook path).

    Parameters
    ----------
    model : keras.Model
        The built (ideally compiled) model: its layers, exact parameter count, loss and
        optimizer (learning rate, schedule, momentum) are read from the object itself.
    X_train, y_train : array
        The training windows ``(n, seq_length, n_features)`` and targets ``(n, horizon)``.
        ``(n, 1, k)`` inputs whose rows shift by one step are look-back values passed as
        features (``window.layout: features``).
    validation_data : (X_val, y_val), optional
        As passed to ``fit``; identical to ``test`` means ``training.validation: holdout``.
    validation_split : float, optional
        As passed to ``fit`` (overrides ``fit_kwargs["validation_split"]``).
    test : (X_test, y_test), optional
        The user's holdout windows; with ``history`` the model's forecasts on them
        (``model.predict``) let the forecast-based LD7xx rules judge.
    history : keras History or dict, optional
        Per-epoch lists (``{"loss": [...], "val_loss": [...]}``) of the user's run.
    series : pandas Series or 1-D array, optional
        The raw target series before windowing. Without it a series is rebuilt from the
        target windows (``y_train`` then ``y_test``, first output column) and the report's
        data facts say so.
    fit_kwargs : dict, optional
        The keyword arguments of ``fit`` (``epochs``, ``batch_size``, ``shuffle``,
        ``validation_split``, ``callbacks``: ``EarlyStopping`` and ``ModelCheckpoint``
        instances are recognised). Keys left out take Keras' defaults, a key set to
        ``None`` is unknown (it stays ``assumed``); without ``fit_kwargs`` the training loop
        stays ``assumed``.
    config : path, dict or LSTMConfig, optional
        What the objects cannot say (preprocessing above all). The model and the arrays
        win over it where both state a value (with a note).
    select, ignore, thresholds, severities
        As in :func:`lstm_doctor.check`.
    train : bool
        Also run the experiment of :func:`lstm_doctor.report` (reference forecasters, the
        baseline and remediated LSTMs) on the series; needs ``series``.
    seeds : int
        Seeds per LSTM when ``train``.
    target_channel : int, optional
        With several features per step, which one is the target's own past. Found by
        itself when the windows are consecutive (the last input step of window ``i + 1`` is
        the target of window ``i``); the feature rules (LD8xx) then judge the other
        channels, and skip with the reason when it is not known.

    Returns
    -------
    Report
        The findings; ``report.data["arrays"]`` lists the facts read from the arrays.

    Raises
    ------
    InputError
        For a model that is not a built Keras model, malformed arrays or options.
    """
    from lstm_doctor.arrays import FitArrays, as_targets, as_windows, find_target_channel
    from lstm_doctor.errors import InputError
    from lstm_doctor.options import CheckOptions

    options = CheckOptions(config=config, select=select, ignore=ignore, thresholds=thresholds,
                           severities=severities).validate()
    fit = _fit_kwargs(fit_kwargs, validation_split)
    X = as_windows(X_train, "X_train")
    y = as_targets(y_train, X.shape[0], "y_train")
    X_val = y_val = X_test = y_test = None
    if validation_data is not None:
        X_val, y_val = _pair(validation_data, "validation_data", as_windows, as_targets)
    if test is not None:
        X_test, y_test = _pair(test, "test", as_windows, as_targets)
    for name, other in (("validation_data", X_val), ("test", X_test)):
        if other is not None and other.shape[1:] != X.shape[1:]:
            raise InputError(f"{name}: windows of shape {other.shape[1:]} but X_train has "
                             f"{X.shape[1:]}; window both the same way")
    if train and series is None:
        raise InputError("diagnose(train=True) needs series= (the raw series before "
                         "windowing) to train reference forecasters and LSTMs on")
    seeds = _positive_int(seeds, "seeds")
    if target_channel is not None and (isinstance(target_channel, bool) or not isinstance(
            target_channel, int) or not 0 <= target_channel < X.shape[2]):
        raise InputError(f"target_channel must be a feature index of X_train (0..."
                         f"{X.shape[2] - 1}), found {target_channel!r}")
    channel, channel_note = (None, "") if X.shape[2] < 2 else \
        find_target_channel(X, y, target_channel)
    arrays = FitArrays(X_train=X, y_train=y, X_val=X_val, y_val=y_val, X_test=X_test,
                       y_test=y_test, validation_split=float(fit.get("validation_split", 0.0)),
                       shuffle=bool(fit.get("shuffle", True)),
                       series=None, target_channel=channel, target_note=channel_note)
    hist = _history(history)
    from_model = setup_from_model(model)
    derived, facts = _arrays_setup(arrays, fit, hist, fit_kwargs is not None)
    data = _series_for(series, arrays, facts)
    arrays = dataclasses.replace(arrays, series=data.y if series is not None else None)
    setup = _merge(from_model, derived, options.setup())
    return _run(setup, data, arrays, options, facts, model=model, history=hist, fit=fit,
                train=train, seeds=seeds)


def _fit_kwargs(fit_kwargs: Any, validation_split: Any) -> dict[str, Any]:
    from lstm_doctor.errors import InputError, did_you_mean

    if fit_kwargs is None:
        fit: dict[str, Any] = {}
    elif not isinstance(fit_kwargs, dict):
        raise InputError(f"fit_kwargs must be a dict of fit's keyword arguments like "
                         f"{{'epochs': 100}}, found {type(fit_kwargs).__name__}")
    else:
        fit = dict(fit_kwargs)
    for key in fit:
        if key not in _FIT_KEYS:
            raise InputError(f"fit_kwargs: '{key}' is not a keyword of model.fit"
                             f"{did_you_mean(key, _FIT_KEYS)}")
    if validation_split is not None:
        fit["validation_split"] = validation_split
    for key in ("epochs", "batch_size"):
        if fit.get(key) is not None:
            fit[key] = _positive_int(fit[key], f"fit_kwargs['{key}']")
    if fit.get("shuffle") is not None and not isinstance(fit["shuffle"], bool | str):
        raise InputError(f"fit_kwargs['shuffle'] must be True or False, found {fit['shuffle']!r}")
    if fit.get("validation_split") is not None:
        v = fit["validation_split"]
        if isinstance(v, bool) or not isinstance(v, int | float) or not 0 <= v < 1:
            raise InputError(f"validation_split must be a number in [0, 1), found {v!r}")
        fit["validation_split"] = float(v)
    return fit


def _positive_int(value: Any, name: str) -> int:
    from lstm_doctor.errors import InputError

    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value) \
            or value < 1:
        raise InputError(f"{name} must be a whole number >= 1, found {value!r}")
    return int(value)


def _pair(value: Any, name: str, windows: Any, targets: Any) -> tuple[Any, Any]:
    from lstm_doctor.errors import InputError

    if not isinstance(value, tuple | list) or len(value) < 2:
        raise InputError(f"{name} must be a pair (X, y), found {type(value).__name__}")
    X = windows(value[0], f"{name}[0]")
    return X, targets(value[1], X.shape[0], f"{name}[1]")


def _history(history: Any) -> dict[str, list[float]] | None:
    """Per-epoch lists from a keras ``History`` or a dict (``None`` without one)."""
    from lstm_doctor.errors import InputError

    if history is None:
        return None
    hist = getattr(history, "history", history)
    if not isinstance(hist, dict) or "loss" not in hist:
        raise InputError("history must be a keras History or a dict of per-epoch lists with "
                         f"a 'loss' key, found {type(history).__name__}")
    out: dict[str, list[float]] = {}
    for key, values in hist.items():
        try:
            out[str(key)] = [float(v) for v in values]
        except (TypeError, ValueError):
            raise InputError(f"history['{key}'] must be a list of numbers per epoch") from None
    return out


# -- what the arrays and fit arguments say -----------------------------------------------------
def _shifted(X: Any) -> bool:
    """Rows of a ``(n, 1, k)`` input that shift by one step: look-back values as features."""
    import numpy as np

    flat = X[:, 0, :]
    if flat.shape[0] < 2:
        return True
    return bool(np.allclose(flat[1:, :-1], flat[:-1, 1:], equal_nan=True))


def _arrays_setup(arrays: Any, fit: dict[str, Any], hist: dict | None,
                  fit_given: bool) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    """The set-up sections the arrays and fit state, and the facts to show."""
    import numpy as np

    facts: dict[str, Any] = {"X_train": list(arrays.X_train.shape),
                             "y_train": list(arrays.y_train.shape), "notes": []}
    if arrays.n_features > 1 and not arrays.lookback_as_features:
        facts["target_channel"] = arrays.target_channel
        facts["notes"].append(arrays.target_note)
    if arrays.X_test is not None:
        facts["X_test"] = list(arrays.X_test.shape)
    if arrays.X_val is not None:
        facts["X_val"] = list(arrays.X_val.shape)
    window: dict[str, Any] = {"horizon": arrays.outputs, "target": "vector", "sampling_rate": 1}
    if arrays.lookback_as_features and _shifted(arrays.X_train):
        window.update(seq_length=arrays.n_features, layout="features")
        facts["notes"].append(f"X_train has shape (n, 1, {arrays.n_features}) and each row is "
                              "the previous one shifted by a step: the look-back values are "
                              "passed as features on a 1-step time axis, so the LSTM has no "
                              "sequence to run over")
    else:
        window.update(seq_length=arrays.time_steps, layout="time")
    facts["window"] = dict(window)
    training: dict[str, Any] = {}
    if fit_given:
        training.update({k: fit.get(k, d) for k, d in FIT_DEFAULTS.items()
                         if not (k in fit and fit[k] is None)})  # None: not known
        training.update(early_stopping=False, checkpoint=False)
        for cb in fit.get("callbacks") or []:
            kind = type(cb).__name__
            if kind == "EarlyStopping":
                training["early_stopping"] = True
                training["patience"] = max(1, int(getattr(cb, "patience", 0) or 1))
            elif kind == "ModelCheckpoint":
                training["checkpoint"] = bool(getattr(cb, "save_best_only", False))
            elif kind == "ReduceLROnPlateau":
                facts["lr_schedule"] = "reduce_on_plateau"
            elif kind == "LearningRateScheduler":
                facts["lr_schedule"] = "lr_scheduler_callback"
    elif "validation_split" in fit:
        training["validation_split"] = fit["validation_split"]
    if hist is not None and "epochs" not in training and hist.get("loss"):
        training["epochs"] = len(hist["loss"])
        facts["notes"].append(f"epochs = {len(hist['loss'])}: the epochs the history records")
    if arrays.X_val is not None:
        same = arrays.X_test is not None and arrays.X_val.shape == arrays.X_test.shape and \
            np.array_equal(arrays.X_val, arrays.X_test, equal_nan=True) and \
            np.array_equal(arrays.y_val, arrays.y_test, equal_nan=True)
        if same:
            training.update(validation="holdout", validation_split=0.0)
            facts["notes"].append("validation_data is the test set: the holdout chose the "
                                  "epochs (training.validation: holdout)")
        else:
            n_val, n_tr = arrays.X_val.shape[0], arrays.X_train.shape[0]
            training.update(validation="split", validation_split=round(n_val / (n_val + n_tr), 4))
    elif training.get("validation_split", fit.get("validation_split", 0.0)):
        training["validation"] = "split"
    elif fit_given:
        training["validation"] = "none"
    facts["training"] = {k: v for k, v in training.items()}
    out = {"window": window}
    if training:
        out["training"] = training
    return out, facts


#: Rule families whose statistics need the series in time order (missing stamps, outliers
#: by step, unit roots, seasons, autocorrelation and windows against them).
ORDER_DEPENDENT = ("LD1", "LD2", "LD5")


def _series_for(series: Any, arrays: Any, facts: dict[str, Any]) -> Any:
    """The series the data rules judge: the given one, or one rebuilt from the targets."""
    import numpy as np

    from lstm_doctor.data import load_series

    n_test = 0 if arrays.y_test is None else arrays.y_test.shape[0]
    if series is not None:
        data = load_series(series)
        facts["source"] = "series"
        if n_test:
            data.n_test_given = min(n_test + arrays.outputs - 1, data.n - 1)
        return data
    parts = [arrays.y_train[:, 0]]
    note = ("no series= given: the series is rebuilt from the target windows (y_train"
            + (" then y_test" if n_test else "") + ", first output column), on the scale "
            "the network sees")
    if arrays.time_steps > 1 and arrays.n_features == 1 and arrays.X_train.shape[0] > 1:
        # consecutive windows: the first window's inputs precede the first target
        if np.allclose(arrays.X_train[1:, -1, 0], arrays.y_train[:-1, 0], equal_nan=True):
            parts.insert(0, arrays.X_train[0, :, 0])
            note += "; the first window's inputs lead it"
        else:
            note += ("; the training windows are not consecutive (shuffled or strided), so "
                     "the rebuilt series is not in time order and the rules about the "
                     f"series ({', '.join(p + 'xx' for p in ORDER_DEPENDENT)}) were not run: "
                     "pass series= (the raw series before windowing) to run them")
            facts["series_in_time_order"] = False
    elif arrays.lookback_as_features and facts["window"].get("layout") == "features":
        parts.insert(0, arrays.X_train[0, 0, :])
        note += "; the first row's look-back values lead it"
    if n_test:
        parts.append(arrays.y_test[:, 0])
    y = np.concatenate(parts)
    data = load_series(y)
    data.source = "rebuilt from the target windows"
    if n_test:
        data.n_test_given = min(n_test, data.n - 1)
    facts["source"] = "arrays"
    facts["notes"].insert(0, note)
    return data


def _merge(from_model: Any, derived: dict[str, dict[str, Any]], given: Any) -> Any:
    """One set-up: the model's settings, then what the arrays and fit state, then ``config``.

    As with ``--model`` and ``--config`` (:func:`lstm_doctor.config.combine`): the model is
    the truth of what it holds; the arrays and fit arguments (origin ``given``) come next;
    the user's ``config`` gives the rest (preprocessing above all).
    """
    from lstm_doctor.config import LSTMConfig, combine

    stated = LSTMConfig.from_dict(derived, source="the arrays and fit arguments",
                                  origin="model")
    origins = dict.fromkeys(stated.origins, "given")
    if given is None:
        return combine(from_model, dataclasses.replace(stated, origins=origins))
    base = given.to_dict()
    notes = list(given.notes)
    for key in origins:
        sec, name = key.split(".", 1)
        value = stated.to_dict()[sec][name]
        if given.origin(key) == "given" and base[sec][name] != value:
            notes.append(f"{key}: the config says {base[sec][name]!r} but the arrays and fit "
                         f"show {value!r}; the latter is used")
        base[sec][name] = value
    merged = LSTMConfig.from_dict(base, source="config")
    kept = {k: v for k, v in given.origins.items() if v != "assumed"}
    merged = dataclasses.replace(merged, origins={**kept, **origins}, notes=tuple(notes),
                                 model_file=given.model_file)
    return combine(from_model, merged)


# -- the run -----------------------------------------------------------------------------------
def _run(setup: Any, data: Any, arrays: Any, options: Any, facts: dict[str, Any], *,
         model: Any, history: dict | None, fit: dict[str, Any], train: bool,
         seeds: int) -> Any:
    from lstm_doctor import engine
    from lstm_doctor.context import Context
    from lstm_doctor.report_facts import arrays_facts, attach_facts

    schedule = facts.get("lr_schedule")  # a callback that changes the learning rate
    if schedule and setup.training.lr_schedule == "constant":
        setup = dataclasses.replace(setup.replace("training", lr_schedule=schedule),
                                    origins={**setup.origins, "training.lr_schedule": "given"})
    from lstm_doctor.context import check_setup_fits

    check_setup_fits(setup, data)  # a window or transform the series cannot take: one error
    ctx = Context(data, setup, config_given=True, arrays=arrays)
    rules = options.rules()
    if facts.get("series_in_time_order") is False:  # statistics of a shuffled series lie
        rules = [r for r in rules if not r.code.startswith(ORDER_DEPENDENT)]
    step = None
    if train:
        from lstm_doctor.api import experiment_step

        step = experiment_step(rules, seeds=seeds)
    elif history is not None:
        def step(checked: Any, findings: list) -> tuple[Any, None]:
            return _user_run(arrays, model, history, fit, findings), None
    report = engine.run_rules(ctx, rules, train=step)
    attach_facts(report, ctx, refine=train)
    report.data["source"] = data.source if facts.get("source") == "arrays" else \
        report.data.get("source")
    report.data["arrays"] = arrays_facts(facts, setup)
    return report


def _user_run(arrays: Any, model: Any, history: dict[str, list[float]], fit: dict[str, Any],
              findings: list) -> Any:
    """An experiment result holding the user's own run (no retraining) for the LD7xx rules.

    The holdout is the test windows (first output column, one step ahead): the baseline LSTM
    is the user's model (``model.predict(X_test)``), next to the naive forecast.
    """
    import numpy as np

    from lstm_doctor.experiment.result import ExperimentResult, ModelResult, SeedRun

    loss = history.get("loss", [])
    epochs_max = int(fit.get("epochs") or len(loss))
    early = any(type(cb).__name__ == "EarlyStopping" for cb in fit.get("callbacks") or [])
    run_kwargs = {"seed": 0, "history": {k: list(v) for k, v in history.items()},
                  "epochs_run": len(loss), "epochs_max": epochs_max,
                  "val_kind": "validation" if history.get("val_loss") else None,
                  "stopped_by": "early_stopping" if early and len(loss) < epochs_max
                  else "epochs"}
    codes = [f.code for f in findings]
    if arrays.X_test is None:
        y = arrays.y_train[:, 0]
        exp = ExperimentResult(y=y, n_train=y.shape[0], origins=np.arange(0), horizon=1,
                               finding_codes=codes)
        nan = {"mae": math.nan, "rmse": math.nan, "smape": math.nan, "mase": math.nan}
        exp.models["baseline_lstm"] = ModelResult("baseline_lstm", "lstm", [SeedRun(
            forecast=np.zeros((0, 1)), metrics=nan, **run_kwargs)])
        exp.notes.append("no test windows: only the loss curves are judged")
        return exp
    y = np.concatenate([arrays.y_train[:, 0], arrays.y_test[:, 0]])
    n_train = arrays.y_train.shape[0]
    pred = np.asarray(model.predict(arrays.X_test, verbose=0), float)
    pred = pred.reshape(pred.shape[0], -1)[:, 0]
    naive = y[np.arange(n_train, y.shape[0]) - 1]
    exp = ExperimentResult.from_forecasts(y, n_train, {"naive": naive}, finding_codes=codes)
    run = SeedRun(forecast=pred.reshape(-1, 1), **run_kwargs)
    exp.add(ModelResult("baseline_lstm", "lstm", [run]))
    exp.notes.append("the holdout is the test windows' first target, one step ahead")
    return exp
