"""The PyTorch backend: autograd and eager training steps.

Keras' torch trainer calls ``train_step(data)`` eagerly for every batch;
:class:`TrainStep` runs the model's backend-free step (``run_train_step``).
Gradients come from :func:`torch.autograd.grad` on the variables being trained
(:func:`value_and_gradients`), so each optimizer step differentiates only its
own networks. Scoring runs under :func:`torch.no_grad`. The input pipeline is
:mod:`pyod_efficientgan.backends.numpy_pipeline`.
"""

import keras
import torch
from keras import ops

from pyod_efficientgan.backends.numpy_pipeline import streamed_batches, training_batches
from pyod_efficientgan.backends.single_device import (
    batch_share,
    in_strategy_scope,
    latent_noise,
    replica_loss,
    step_logs,
    track_loss,
)

__all__ = [
    "TrainStep",
    "batch_share",
    "compile_rows_function",
    "in_strategy_scope",
    "latent_noise",
    "replica_loss",
    "set_threads",
    "step_logs",
    "steps_per_execution",
    "streamed_batches",
    "track_loss",
    "training_batches",
    "value_and_gradients",
]


Dropout = keras.layers.Dropout
"""Keras' own dropout layer."""


class TrainStep:
    """``train_step`` as Keras' torch trainer calls it: one batch in, logs out."""

    def train_step(self, data):
        """One training step on the batch ``data`` (see ``run_train_step``)."""
        return self.run_train_step(data)


def value_and_gradients(loss_fn, variables):
    """Evaluate ``loss_fn()`` and the gradients of its objective with respect to ``variables``.

    Parameters
    ----------
    loss_fn : callable
        Returns ``(objective, aux)``: the scalar to differentiate, computed
        from the current values of the variables, and a tensor to report
        (e.g. the unweighted loss).
    variables : list of keras.Variable
        What to differentiate with respect to.

    Returns
    -------
    aux : tensor (detached)
    gradients : list of tensors, aligned with ``variables``
    """
    objective, aux = loss_fn()
    gradients = torch.autograd.grad(objective, [variable.value for variable in variables])
    return aux.detach(), list(gradients)


def compile_rows_function(function, variables, n_features):
    """``function`` of a (rows, n_features) float32 array, run without autograd.

    Parameters
    ----------
    function : callable
        Reads the model's current weights.
    variables : list of keras.Variable
        Unused (eager calls read the weights themselves).
    n_features : int
        Unused.

    Returns
    -------
    compiled : callable
        Takes a float32 NumPy array, returns ``function``'s tensors.
    """

    def call(x):
        with torch.no_grad():
            return function(ops.convert_to_tensor(x, dtype="float32"))

    return call


def steps_per_execution(steps_per_epoch, max_steps):
    """1: Keras' torch trainer runs one step per call."""
    return 1


def set_threads(n_threads):
    """Limit PyTorch's intra-op thread pool."""
    torch.set_num_threads(int(n_threads))
