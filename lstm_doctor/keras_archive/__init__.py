"""Describe a saved Keras ``.keras`` archive truthfully, without importing TensorFlow or Keras.

A ``.keras`` file is a zip archive; its ``config.json`` holds the model's architecture and
compile configuration (the weights live in ``model.weights.h5``, which is not read here).
:func:`read_keras_archive` walks that configuration the way Keras builds the model: it
propagates shapes layer by layer (Sequential models, and functional graphs through their
``inbound_nodes``), counts every layer's weights exactly as Keras 3 creates them, and reads
the loss, optimizer and learning-rate schedule from ``compile_config``.

Shapes recorded by Keras in the archive (a layer's ``build_config`` and the shapes of the
tensors in a functional graph) take precedence over propagated ones, so an unfamiliar or
opaque layer (a ``Lambda``, a custom layer) does not spoil the counts of the layers after it.
Where a count cannot be determined, ``trainable_params`` is ``None`` and ``notes`` says why;
nothing is guessed silently.

Both the Keras 3 format and the Keras 2 (``tf.keras``) flavour of ``.keras`` configs are
understood (``batch_shape``/``batch_input_shape``, dict/list ``inbound_nodes``). A malformed
archive raises :class:`~lstm_doctor.errors.InputError` with a one-line message naming the file.

Layout: ``_read`` (the zip archive, the JSON and the entry points), ``_graph`` (walking
Sequential and functional models), ``_layers``, ``_recurrent`` and ``_conv`` (each layer's
output shape and weights), ``_describe`` (the summary: recurrent layers, head, loss,
optimizer), ``_model`` (the result types) and ``_common`` (limits, tables and helpers).
"""

from lstm_doctor.keras_archive._common import MAX_CONFIG_BYTES, MAX_DEPTH
from lstm_doctor.keras_archive._model import KerasArchive, LayerInfo
from lstm_doctor.keras_archive._read import (
    count_trainable,
    describe_keras_config,
    read_keras_archive,
)

__all__ = [
    "MAX_CONFIG_BYTES",
    "MAX_DEPTH",
    "KerasArchive",
    "LayerInfo",
    "count_trainable",
    "describe_keras_config",
    "read_keras_archive",
]
