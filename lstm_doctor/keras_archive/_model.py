"""The result types: :class:`LayerInfo` and :class:`KerasArchive`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class LayerInfo:
    """One layer as the archive describes it.

    Attributes
    ----------
    class_name : str
        Keras class, e.g. ``"LSTM"``, ``"Bidirectional"``, ``"Dense"``.
    name : str
        The layer's name in the model.
    trainable_params, non_trainable_params : int or None
        Weights the layer owns (``None`` when they cannot be determined).
    output_shape : tuple or None
        The (first) output's shape without the batch axis; ``None`` entries are unknown sizes.
    config : dict
        The relevant configuration keys (units, activation, filters, ...); a wrapper shows
        its inner layer's keys.
    wrapped : str or None
        Inner class of a ``Bidirectional``/``TimeDistributed`` wrapper (or an ``RNN`` cell).
    """

    class_name: str
    name: str
    trainable_params: int | None
    non_trainable_params: int | None
    output_shape: tuple | None
    config: dict = field(default_factory=dict)
    wrapped: str | None = None


@dataclass(frozen=True)
class KerasArchive:
    """What a saved ``.keras`` model is, read from its ``config.json``.

    Attributes
    ----------
    path : str
        The archive read.
    layers : tuple of LayerInfo
        All layers in order (Sequential order, or a functional model's topological order;
        nested models are flattened into it).
    trainable_params, non_trainable_params : int or None
        Exact counts as Keras reports them; ``None`` when they cannot be determined (the
        reason is in ``notes``).
    input_shape : tuple or None
        The (first) input's shape without the batch axis, e.g. ``(None, 1)``, ``(60, 1)``.
    batch_size : int or None
        Fixed batch size from ``batch_shape[0]`` (stateful models), else ``None``.
    seq_length : int or None
        Length of the time axis; ``None`` when the model accepts any length.
    n_features : int or None
        Values per time step (the input's last axis).
    stateful : bool
        Whether any recurrent layer is stateful.
    recurrent : tuple of dict
        One dict per recurrent layer: ``class``, ``units``, ``activation``,
        ``recurrent_activation``, ``dropout``, ``recurrent_dropout``, ``return_sequences``,
        ``bidirectional``, ``stateful`` (and ``name``, ``use_bias``, ``merge_mode``).
    cell : str or None
        ``"lstm"``, ``"gru"`` or ``"simple_rnn"`` of the first recurrent layer.
    conv : dict or None
        The first ``Conv1D`` before the recurrent layers: ``filters``, ``kernel_size``,
        ``strides``, ``padding``, ``dilation_rate``, ``activation``, ``time_distributed``.
    head : tuple of int
        Units of the hidden Dense layers after the last recurrent layer (output excluded).
    head_activation : str or None
        Activation of the first hidden Dense layer of the head.
    output_units : int or None
        Width of the final output (its last axis, or the last Dense layer's units).
    loss : str or None
        ``"mse"``, ``"mae"``, ``"huber"``, ``"log_cosh"``, ``"mape"``, ``"msle"``, or the raw
        name of any other loss.
    loss_config : dict
        Loss arguments, e.g. ``{"delta": 1.0}`` for Huber.
    optimizer : str or None
        Lower-cased optimizer class (``adam``, ``sgd``, ``rmsprop``, ...).
    learning_rate : float or None
        The initial learning rate (a schedule's ``initial_learning_rate``).
    lr_schedule : str or None
        ``"constant"`` or the schedule's snake_case name (``exponential_decay``, ...).
    momentum : float or None
        The optimizer's ``momentum`` when it has one.
    nesterov : bool or None
        SGD's ``nesterov`` flag when present.
    compiled : bool
        Whether the archive holds a compile configuration.
    notes : tuple of str
        Human-readable remarks about what was found or could not be determined.
    lookback_as_features : bool
        The time axis has length 1 while each step has several values: look-back values
        passed as features (``reshape(X, (n, 1, look_back))``).
    """

    path: str
    layers: tuple[LayerInfo, ...]
    trainable_params: int | None
    non_trainable_params: int | None
    input_shape: tuple | None
    batch_size: int | None
    seq_length: int | None
    n_features: int | None
    stateful: bool
    recurrent: tuple[dict, ...]
    cell: str | None
    conv: dict | None
    head: tuple[int, ...]
    head_activation: str | None
    output_units: int | None
    loss: str | None
    loss_config: dict
    optimizer: str | None
    learning_rate: float | None
    lr_schedule: str | None
    momentum: float | None
    nesterov: bool | None
    compiled: bool
    notes: tuple[str, ...]
    lookback_as_features: bool

    @property
    def total_params(self) -> int | None:
        """Trainable plus non-trainable parameters (``None`` when either is unknown)."""
        if self.trainable_params is None or self.non_trainable_params is None:
            return None
        return self.trainable_params + self.non_trainable_params

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (tuples become lists)."""
        def plain(value: Any) -> Any:
            if isinstance(value, LayerInfo):
                return {k: plain(getattr(value, k)) for k in value.__dataclass_fields__}
            if isinstance(value, (list, tuple)):
                return [plain(v) for v in value]
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            return value

        return {k: plain(getattr(self, k)) for k in self.__dataclass_fields__}
