"""Everything that differs between the Keras 3 backends, one module per backend.

Keras picks its backend from ``KERAS_BACKEND`` (or ``~/.keras/keras.json``)
when it is first imported; this package never sets it. :func:`current` returns
the module of the backend Keras runs on:

- :mod:`pyod_efficientgan.backends.tensorflow`: gradient tapes, the
  :mod:`tf.data` input pipeline and the :mod:`tf.distribute` replica arithmetic;
- :mod:`pyod_efficientgan.backends.jax`: a stateless training step over the
  model's variables, jit-compiled by Keras;
- :mod:`pyod_efficientgan.backends.torch`: autograd, eager steps.

Each module provides the names of
:class:`~pyod_efficientgan.backends.protocol.Backend`, which says what each
must do; what they share is written once, in
:mod:`~pyod_efficientgan.backends.single_device` (one-device arithmetic, the
eager ``train_step``) and :mod:`~pyod_efficientgan.backends.numpy_pipeline`
(the JAX and PyTorch input pipeline). No other module of the package imports
TensorFlow, JAX or PyTorch.
"""

import importlib

BACKENDS = ("tensorflow", "jax", "torch")
"""The Keras backends this package runs on."""


def name():
    """The Keras backend in use (``keras.backend.backend()``)."""
    import keras

    return keras.backend.backend()


def current():
    """The module of this package for the Keras backend in use.

    Raises
    ------
    RuntimeError
        When Keras runs on a backend this package does not support.
    """
    backend = name()
    if backend not in BACKENDS:
        raise RuntimeError(
            f"pyod-efficientgan runs on the Keras backends {', '.join(BACKENDS)}; Keras is "
            f"using {backend!r}. Set KERAS_BACKEND to one of them before importing Keras."
        )
    return importlib.import_module(f"pyod_efficientgan.backends.{backend}")
