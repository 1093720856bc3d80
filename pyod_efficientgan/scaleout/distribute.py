"""Training under a :mod:`tf.distribute` strategy (TensorFlow backend only).

:class:`~pyod_efficientgan.EfficientGAN` trains data-parallel when ``fit``
runs inside a strategy's scope::

    strategy = tf.distribute.MirroredStrategy()          # the GPUs of one host
    with strategy.scope():
        detector = EfficientGAN(random_state=0).fit(X)

The per-replica arithmetic (each replica's loss weighted by its share of the
global batch, per-replica latent noise) is part of the TensorFlow backend's
training step: see :mod:`pyod_efficientgan.backends.tensorflow`. On one
device it is the identity. JAX and PyTorch have no :mod:`tf.distribute`;
:func:`check_backend` refuses a strategy there with a clear message.
"""

import sys


def check_backend(backend_name):
    """Raise if a :mod:`tf.distribute` strategy is active but Keras runs on another backend.

    TensorFlow is not imported here: if the user has not imported it, no
    strategy can be active.

    Parameters
    ----------
    backend_name : str
        The Keras backend in use.

    Raises
    ------
    RuntimeError
        A strategy scope is active and the backend is not TensorFlow.
    """
    tf = sys.modules.get("tensorflow")
    if backend_name == "tensorflow" or tf is None:
        return
    if tf.distribute.has_strategy():
        raise RuntimeError(
            "fit ran inside a tf.distribute strategy's scope, but Keras runs on the "
            f"{backend_name!r} backend; tf.distribute needs KERAS_BACKEND=tensorflow."
        )
