"""``lstm_doctor.keras``: the :class:`Doctor` callback (see :mod:`lstm_doctor.keras_callback`).

Importing this module imports Keras. Inside the package ``import keras`` is always absolute,
so this module's name never shadows the real Keras.
"""

from lstm_doctor.keras_callback import Doctor

__all__ = ["Doctor"]
