from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from lstm_doctor.findings import Severity
from lstm_doctor.remedies import Scale, SetLearningRate
from lstm_doctor.rules.base import Interval, NotApplicable, Rule, Verdict

if TYPE_CHECKING:
    from lstm_doctor.context import Context

# Keras 3 default learning rate of each optimizer (the remedy's value), except SGD whose
# Keras default 0.01 is also its usual starting point.
DEFAULT_LR = {"adam": 1e-3, "adamw": 1e-3, "adamax": 1e-3, "nadam": 1e-3, "rmsprop": 1e-3,
              "sgd": 1e-2, "adagrad": 1e-3, "adadelta": 1e-3}

#: Optimizers whose step is the learning rate times the raw gradient: their step grows with
#: the inputs' and the loss gradient's scale.
SGD_LIKE = frozenset({"sgd"})
#: Optimizers whose ``training.momentum`` is heavy-ball momentum on the step
#: (``v = m·v + step``): a constant gradient moves the weights ``1 / (1 - m)`` times further.
HEAVY_BALL = frozenset({"sgd", "rmsprop"})

#: What the loss-gradient scale is, per loss (shown in the evidence).
_LOSS_GRADIENT = {
    "mse": "2 × RMS of the target (MSE gradient 2·error, error ≈ target at initialisation)",
    "mae": "1 (MAE gradient sign(error))",
    "huber": "RMS of the target clipped to [-1, 1] (Huber, delta 1: gradient clip(error))",
    "log_cosh": "RMS of tanh(target) (log-cosh gradient tanh(error))",
    "mape": "100 / median |target| (MAPE gradient 100·sign(error)/|target|)",
    "msle": "2 × RMS of log1p(target) (MSLE gradient at a zero output)",
}
_LOSS_ALIASES = {"mean_squared_error": "mse", "mean_absolute_error": "mae",
                 "logcosh": "log_cosh", "mean_absolute_percentage_error": "mape",
                 "mean_squared_logarithmic_error": "msle"}


def momentum_factor(optimizer: str, momentum: float) -> float:
    """How much further momentum carries a step: ``1 / (1 - momentum)`` for heavy-ball
    momentum (SGD, RMSprop), 1 otherwise.

    Adam's first moment is an exponential *average* of the gradients (its weights sum to
    one), so it does not lengthen the step; ``training.momentum`` does not apply to it.
    """
    if optimizer in HEAVY_BALL and 0.0 < momentum < 1.0:
        return 1.0 / (1.0 - momentum)
    return 1.0


def loss_gradient_scale(loss: str, target: np.ndarray) -> float:
    """Typical ``|dL/dŷ|`` at initialisation, when the output is near 0 and error ≈ target.

    Parameters
    ----------
    loss : str
        The set-up's ``training.loss`` (Keras names and aliases).
    target : ndarray
        The training target as the network sees it (after preprocessing).

    Returns
    -------
    float
        ``mse``: ``2·RMS(y)``; ``mae``: 1; ``huber`` (delta 1): ``RMS(clip(y, -1, 1))``;
        ``log_cosh``: ``RMS(tanh(y))``; ``mape``: ``100 / median|y|``; ``msle``:
        ``2·RMS(log1p(max(y, 0)))``. Losses whose gradient is bounded by 1 (MAE, Huber,
        log-cosh) stay near 1 however large the target is.
    """
    y = np.asarray(target, dtype=float)
    y = y[np.isfinite(y)]
    if y.size == 0:
        return 1.0
    kind = _LOSS_ALIASES.get(loss, loss)
    if kind == "mse":
        return float(2.0 * np.sqrt(np.mean(y * y)))
    if kind == "huber":
        return float(np.sqrt(np.mean(np.clip(y, -1.0, 1.0) ** 2)))
    if kind == "log_cosh":
        return float(np.sqrt(np.mean(np.tanh(y) ** 2)))
    if kind == "mape":
        med = float(np.median(np.abs(y)))
        return 100.0 / med if med > 0 else float("inf")
    if kind == "msle":
        return float(2.0 * np.sqrt(np.mean(np.log1p(np.maximum(y, 0.0)) ** 2)))
    return 1.0  # mae, and any loss whose gradient is a sign


def _rms(values: np.ndarray) -> float:
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    return float(np.sqrt(np.mean(v * v))) if v.size else float("nan")


def step_evidence(ctx: Context, options: dict[str, float] | None = None, *,
                  standardised: bool = False) -> dict[str, Any]:
    """The effective learning rate of the set-up: the step compared with the sane ranges.

    Parameters
    ----------
    ctx : Context
        The run's context (set-up and the inputs the network sees).
    options : dict, optional
        LD602's thresholds (``<optimizer>_min``/``_max``, ``reference_gradient``); the
        defaults when omitted.
    standardised : bool
        Evaluate the step the set-up would have on standardised inputs (what scaling the
        inputs on the training split, LD301's remedy, gives it): input RMS 1 and the target
        standardised on its training mean and standard deviation.

    Returns
    -------
    dict
        ``optimizer``, ``learning_rate``, ``momentum``, ``momentum_factor``,
        ``scales_with_gradient`` (SGD-like), ``input_scale`` (RMS of the training inputs
        as the network sees them), ``loss``, ``loss_gradient_scale``,
        ``reference_gradient_scale``, ``multiplier`` (effective / raw learning rate),
        ``effective_learning_rate``, ``min``, ``max`` and ``computation`` (one line).

    Raises
    ------
    NotApplicable
        For an optimizer without a known sane range (ftrl, lion, lamb).
    """
    from lstm_doctor.capacity import seen_inputs

    opts = dict(Rule_LD602.thresholds) if options is None else options
    t = ctx.config.training
    opt = t.optimizer
    if f"{opt}_min" not in opts:
        raise NotApplicable(f"no sane learning-rate range is known for {opt}")
    lr = float(t.learning_rate)
    mom = momentum_factor(opt, float(t.momentum))
    ev: dict[str, Any] = {"optimizer": opt, "learning_rate": lr, "momentum": float(t.momentum),
                          "momentum_factor": mom, "scales_with_gradient": opt in SGD_LIKE,
                          "loss": t.loss, "min": float(opts[f"{opt}_min"]),
                          "max": float(opts[f"{opt}_max"])}
    ref = float(opts.get("reference_gradient", 2.0))
    if opt in SGD_LIKE:
        cols = seen_inputs(ctx)
        n = ctx.n_train
        train = [np.asarray(v, dtype=float)[:n] for v in cols.values()]
        target = train[0]
        if standardised:
            finite = target[np.isfinite(target)]
            sd = float(finite.std()) if finite.size else 0.0
            target = (target - float(finite.mean())) / sd if sd > 0 else target * 0.0
            x_scale = 1.0
        else:
            x_scale = _rms(np.concatenate(train)) if train else float("nan")
        if not math.isfinite(x_scale) or x_scale <= 0:
            x_scale = 1.0
        g = loss_gradient_scale(t.loss, target)
        multiplier = mom * x_scale * g / ref
        computation = (f"{lr:g} × {mom:g} (momentum) × {x_scale:.3g} (input RMS"
                       f"{', standardised' if standardised else ''}) × {g:.3g} (loss "
                       f"gradient) / {ref:g} (reference: MSE on a standardised target)")
        ev.update({"input_scale": x_scale, "loss_gradient_scale": g,
                   "loss_gradient": _LOSS_GRADIENT.get(_LOSS_ALIASES.get(t.loss, t.loss),
                                                       "1 (assumed)"),
                   "reference_gradient_scale": ref})
    else:
        multiplier = mom
        computation = (f"{lr:g} × {mom:g} (momentum; {opt} divides each step by the "
                       "gradient's RMS, so the input and loss scales cancel)"
                       if mom != 1.0 else
                       f"{lr:g} ({opt} divides each step by the gradient's RMS, so the "
                       "input and loss scales cancel)")
    ev.update({"multiplier": multiplier, "effective_learning_rate": lr * multiplier,
               "computation": f"effective learning rate {lr * multiplier:.3g} = "
                              + computation})
    return ev


def within(value: float, lo: float, hi: float) -> bool:
    """``lo <= value <= hi`` up to rounding (``0.01 × 1/(1 - 0.9)`` is 0.1 in range)."""
    return lo * (1 - 1e-9) <= value <= hi * (1 + 1e-9)


def suggested_rate(ev_standardised: dict[str, Any]) -> float:
    """The learning rate for the remediated (standardised) set-up.

    The optimizer's default when its effective step on standardised inputs is in the sane
    range; otherwise the rate whose effective step is the geometric middle of the range.
    """
    opt = ev_standardised["optimizer"]
    lo, hi, k = ev_standardised["min"], ev_standardised["max"], ev_standardised["multiplier"]
    default = DEFAULT_LR.get(opt, 1e-3)
    if k <= 0 or within(default * k, lo, hi):
        return default
    return float(f"{math.sqrt(lo * hi) / k:.2g}")


class Rule_LD602(Rule):  # noqa: N801
    """Learning rate outside the sane range for the optimizer.

    A learning rate is only small or large relative to the gradient it multiplies, so the
    rule judges the *effective* step, the learning rate the same update would need in the
    set-up the sane ranges describe (standardised inputs, MSE on a standardised target, no
    momentum):

    * **SGD** (plain or Nesterov): the update is ``lr × gradient``, and the gradient of the
      input weights is the loss gradient times the input. Effective rate = ``lr`` ×
      ``1 / (1 - momentum)`` (heavy-ball momentum carries a steady gradient that much
      further) × the RMS of the training inputs as the network sees them (after the
      set-up's preprocessing) × the loss-gradient scale at initialisation (output near 0,
      error ≈ target: MSE ``2·RMS(target)``; MAE 1; Huber with delta 1 and log-cosh at most
      1, since their gradient is bounded) / 2 (the MSE gradient on a standardised target).
      SGD(8e-7, momentum 0.9) with Huber on raw sunspot numbers (RMS about 110) is an
      effective 4e-4: in range, and that set-up does train. The same rate on standardised
      inputs is an effective 3e-6: far too low.
    * **Adam, AdamW, Adamax, Nadam, RMSprop, Adagrad, Adadelta** divide each step by a
      running RMS of the gradient, so the input and loss scales cancel and the step is
      about ``lr`` whatever the data's units. Keras' RMSprop ``momentum`` is heavy-ball
      momentum on those normalised steps (× ``1 / (1 - momentum)``); Adam's ``beta_1`` is an
      average and adds nothing. (Adagrad's initial accumulator of 0.1 makes its first steps
      scale with gradients far below 0.3; that transient is not modelled.)

    Above the range the loss oscillates or diverges to NaN; below it the weights barely
    move from their initialisation within the epochs. The input-kernel gradient is the one
    that scales with the inputs; layers the schema cannot describe (a ``Lambda(x * 400)``
    output, gradient clipping) are not modelled. Evidence: the raw rate, the momentum
    factor, the input scale, the loss-gradient scale, the effective rate with its
    computation and the sane range (configurable per optimizer as ``<optimizer>_min`` /
    ``<optimizer>_max``; ``reference_gradient`` is the gradient scale the ranges assume).

    **Anti-pattern**

    ``Adam(learning_rate=0.1)`` to "train faster", ``SGD(1e-5)`` copied from an Adam
    example on standardised data, or ``SGD(0.01)`` with MSE on raw prices in the
    thousands (an effective step in the tens of thousands).

    **Best practice**

    Standardise the inputs, start from the optimizer's default (Adam 1e-3, SGD 1e-2), then
    tune on the validation loss with a learning-rate schedule (``ReduceLROnPlateau``) rather
    than a fixed extreme value. A rate tuned on raw inputs must be re-tuned after scaling.
    """

    code = "LD602"
    name = "setup.learning-rate"
    reads = ("training.optimizer", "training.learning_rate", "training.momentum",
             "training.loss", "preprocessing.scaler")
    severity = Severity.WARNING
    needs_config = True
    thresholds = {
        "adam_min": 1e-5, "adam_max": 1e-2,
        "adamw_min": 1e-5, "adamw_max": 1e-2,
        "adamax_min": 1e-5, "adamax_max": 2e-2,
        "nadam_min": 1e-5, "nadam_max": 1e-2,
        "rmsprop_min": 1e-5, "rmsprop_max": 1e-2,
        "sgd_min": 1e-4, "sgd_max": 0.1,
        "adagrad_min": 1e-4, "adagrad_max": 0.5,
        "adadelta_min": 1e-4, "adadelta_max": 10.0,
        "error_factor": 10.0,
        "reference_gradient": 2.0,
    }
    #: every learning-rate bound is positive and at most 10
    constraints = {**{name: Interval(float, 0, 10, closed="right")
                      for name in thresholds if name.endswith(("_min", "_max"))},
                   "error_factor": Interval(float, 1, None),
                   "reference_gradient": Interval(float, 0, None, closed="neither")}

    def measure(self, ctx):
        """The effective learning rate (see :func:`step_evidence`) and the sane range."""
        return step_evidence(ctx, self.options)

    def assumed_inputs(self, ctx, evidence):
        """Only the keys the optimizer's step depends on.

        With an optimizer that normalises its step, the input scale and the loss do not
        matter (and momentum only for RMSprop).
        """
        if not ctx.config_given:
            return {}
        keys = ["training.optimizer", "training.learning_rate"]
        if evidence.get("optimizer") in HEAVY_BALL:
            keys.append("training.momentum")
        if evidence.get("scales_with_gradient"):
            keys += ["training.loss", "preprocessing.scaler"]
        return ctx.config.assumed(*keys)

    def judge(self, ev, ctx):
        """Fire when the effective learning rate is outside the range."""
        eff, lo, hi = ev["effective_learning_rate"], ev["min"], ev["max"]
        if within(eff, lo, hi):
            return None
        factor = self.options["error_factor"]
        far = eff > hi * factor or eff < lo / factor
        opt, lr = ev["optimizer"], ev["learning_rate"]
        if eff > hi:
            what = "too high: the loss will oscillate or diverge (NaN)"
        else:
            what = ("too low: the weights barely move from their initialisation within the "
                    f"epochs ({lo / eff:.3g}× below the range)")
        raw_in_range = within(lr, lo, hi)
        scaled = ev["scales_with_gradient"] and abs(math.log10(
            max(ev["input_scale"], 1e-12))) > 1 and raw_in_range
        std = step_evidence(ctx, self.options, standardised=True)
        new_lr = suggested_rate(std)
        remedies = [SetLearningRate(new_lr)]
        if scaled:
            remedies.insert(0, Scale("standard", "train"))
            fix = (f"The step is set by the unscaled inputs (RMS {ev['input_scale']:.3g}, "
                   "LD301): scale every input on the training split (preprocessing.scaler: "
                   f"standard, scaler_fit: train) and use training.learning_rate: {new_lr:g}"
                   f" for {opt} on the standardised inputs; tune from there with "
                   "ReduceLROnPlateau on the validation loss.")
        else:
            fix = (f"Set training.learning_rate: {new_lr:g} ("
                   + (f"the {opt} default" if new_lr == DEFAULT_LR.get(opt) else
                      f"an effective step of {new_lr * std['multiplier']:.3g} on "
                      "standardised inputs")
                   + ") and tune from there with ReduceLROnPlateau on the validation loss.")
        rate = (f"learning rate {lr:g}" if ev["multiplier"] == 1.0 else
                f"effective learning rate {eff:.3g} (raw {lr:g})")
        return Verdict(
            message=f"{rate} for {opt} is {what} (sane range {lo:g} to {hi:g}; "
                    f"{ev['computation']})",
            fix=fix,
            severity=Severity.ERROR if far else None,
            remedies=remedies,
        )
