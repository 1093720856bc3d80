"""The JAX backend: a stateless training step over the model's variables.

Keras' JAX trainer calls ``train_step(state, data)`` with the values of the
model's trainable, non-trainable, optimizer and metric variables, jit-compiled,
and expects the new values back. :class:`TrainStep` runs the model's one
backend-free step (``run_train_step``) inside a :class:`keras.StatelessScope`
that maps every variable to its value: reads see the values, assignments
(optimizer updates, the moving averages, seed generators, loss trackers) are
recorded in the scope and returned as the new state. Gradients come from
:func:`jax.value_and_grad` over the values of the variables being trained
(:func:`value_and_gradients`). The input pipeline is
:mod:`pyod_efficientgan.backends.numpy_pipeline`.

What each name must do: :class:`~pyod_efficientgan.backends.protocol.Backend`.
"""

import os

import jax
import keras
import numpy as np
from keras.src.backend.common.stateless_scope import get_stateless_scope

from pyod_efficientgan.backends import numpy_pipeline
from pyod_efficientgan.backends.jax_compilations import reusing_compilations
from pyod_efficientgan.backends.single_device import (
    batch_share,
    latent_noise,
    replica_loss,
    run_network,
    step_logs,
    track_loss,
    update_averages,
)

BLOCK_STEPS = 32
"""Training steps per call of the compiled step (one :func:`jax.lax.scan`)."""

__all__ = [
    "Dropout",
    "TrainStep",
    "batch_share",
    "compile_rows_function",
    "latent_noise",
    "replica_loss",
    "run_network",
    "set_threads",
    "step_logs",
    "steps_per_execution",
    "streamed_batches",
    "sync_model_state",
    "track_loss",
    "training_batches",
    "update_averages",
    "value_and_gradients",
]


def _mix32(values):
    """A 32-bit integer hash (the "lowbias32" finaliser): uniform bits from a counter."""
    values = values ^ (values >> 16)
    values = values * jax.numpy.uint32(0x7FEB352D)
    values = values ^ (values >> 15)
    values = values * jax.numpy.uint32(0x846CA68B)
    return values ^ (values >> 16)


class Dropout(keras.layers.Dropout):
    """:class:`keras.layers.Dropout` with masks from a counter-based hash.

    Keras draws JAX dropout masks with the threefry generator, whose many
    rounds per random word cost a large part of a BiGAN training step on CPU
    (three dropout layers, each applied to four batches per step; see
    docs/performance.md). Here each unit's bits are a hash of its position and
    of a seed drawn from the layer's own seed generator, which XLA fuses into
    a few integer operations. Same seed, same masks; the masks are uniform
    and independent of each other for dropout's purposes, not a
    cryptographic stream.
    """

    def call(self, inputs, training=False):
        """Drop units with probability ``rate`` while training; identity otherwise."""
        if not training or self.rate <= 0:
            return inputs
        seed = jax.numpy.asarray(self.seed_generator.next(), dtype="uint32")
        base = _mix32(seed[0] ^ _mix32(seed[1] + jax.numpy.uint32(0x9E3779B9)))
        size = int(np.prod(inputs.shape))
        counter = jax.lax.iota("uint32", size).reshape(inputs.shape)
        bits = _mix32(counter * jax.numpy.uint32(0x9E3779B9) + base)
        threshold = round((1.0 - self.rate) * 2**24)
        keep = (bits >> 8).astype("int32") < threshold
        return jax.lax.select(keep, inputs / (threshold / 2**24), jax.numpy.zeros_like(inputs))


def _state_groups(model):
    return (
        model.trainable_variables,
        model.non_trainable_variables,
        model.optimizer.variables,
        model.metrics_variables,
    )


class TrainStep:
    """``train_step`` as Keras' JAX trainer calls it: state and batch in, logs and state out.

    The jit-compiled step shares its compilations with every model of the
    process that lowers to the same program (the same parameters and shapes:
    :mod:`~pyod_efficientgan.backends.jax_compilations`), so a fit after the
    first of its kind compiles nothing; run eagerly, without ``jit_compile``
    under a Keras distribution or with Flax NNX, Keras' own training function is used.
    """

    def make_train_function(self, force=False):
        """Keras' training function around the jitted step, its compilations reused."""
        if self.train_function is not None and not force:
            return
        if (
            self.run_eagerly
            or not self.jit_compile
            or keras.distribution.distribution() is not None
            or keras.config.is_nnx_enabled()
        ):
            super().make_train_function(force)
            return
        jitted = jax.jit(self.train_step, donate_argnums=0)
        self.train_function = self._make_function(reusing_compilations(jitted))

    def train_step(self, state, data):
        """Training steps on ``data``, stateless: one batch, or a block of batches.

        A block (shape ``(steps, batch_size, n_features)``, from
        :func:`training_batches`) runs its steps in one :func:`jax.lax.scan`;
        the logs are those after its last step.
        """
        rows = data[0] if isinstance(data, (tuple, list)) else data
        if rows.ndim == 2:
            return self._one_train_step(state, rows)

        def body(carried, batch):
            logs, carried = self._one_train_step(carried, batch)
            return carried, logs

        state, logs = jax.lax.scan(body, state, rows)
        return jax.tree.map(lambda values: values[-1], logs), state

    def _one_train_step(self, state, rows):
        groups = _state_groups(self)
        mapping = [
            pair for variables, values in zip(groups, state) for pair in zip(variables, values)
        ]
        with keras.StatelessScope(state_mapping=mapping) as scope:
            logs = self.run_train_step(rows)
        new_state = tuple(
            [scope.get_current_value(variable) for variable in variables] for variables in groups
        )
        return logs, new_state


def value_and_gradients(loss_fn, variables):
    """Evaluate ``loss_fn()`` and differentiate it with :func:`jax.value_and_grad`.

    Runs inside the step's :class:`keras.StatelessScope`: ``loss_fn`` is traced
    with the variables' values as the arguments of :func:`jax.value_and_grad`;
    what it assigns besides them (the dropout layers' seed generators) is
    carried back into the step's scope.
    """
    outer = get_stateless_scope()
    keys = [id(variable) for variable in variables]

    def pure(values):
        scope = keras.StatelessScope()
        scope.state_mapping = dict(outer.state_mapping)
        scope.state_mapping.update(zip(keys, values))
        with scope:
            objective, aux = loss_fn()
        updates = {
            key: value
            for key, value in scope.state_mapping.items()
            if key not in keys and outer.state_mapping.get(key) is not value
        }
        return objective, (aux, updates)

    start = [outer.get_current_value(variable) for variable in variables]
    (_, (aux, updates)), gradients = jax.value_and_grad(pure, has_aux=True)(start)
    outer.state_mapping.update(updates)
    return aux, gradients


def compile_rows_function(function, variables, n_features):
    """Jit-compile ``function`` of a (rows, n_features) float32 array.

    The values of ``variables`` are arguments of the compiled function (not
    constants baked in when it is traced), so it scores with the weights of
    the moment it is called, e.g. during training. ``n_features`` is unused:
    JAX traces once per row count, and scoring pads chunks to a few row counts;
    the compilations are shared with equal programs of other models
    (:mod:`~pyod_efficientgan.backends.jax_compilations`).
    """
    variables = list(variables)

    def pure(values, x):
        with keras.StatelessScope(state_mapping=list(zip(variables, values))):
            return function(x)

    jitted = reusing_compilations(jax.jit(pure))
    return lambda x: jitted([variable.value for variable in variables], x)


def steps_per_execution(steps_per_epoch, max_steps):
    """1: each call of the compiled step already runs a block of steps."""
    return 1


def training_batches(x, batch_size, seed, passes=1):
    """Shuffled batches of ``x`` in blocks (see :mod:`~pyod_efficientgan.backends.numpy_pipeline`).

    Returns
    -------
    blocks : generator
        Endless; blocks of up to ``BLOCK_STEPS`` batches.
    items : int
        Blocks per Keras epoch (``passes`` passes over ``x``).
    """
    batches, _ = numpy_pipeline.training_batches(x, batch_size, seed)
    return numpy_pipeline.stacked_batches(batches, len(x), batch_size, passes, BLOCK_STEPS)


def streamed_batches(rows, batch_size, seed, shuffle_buffer, passes=1):
    """Batches read from a stream of chunks, in blocks (see :func:`training_batches`)."""
    batches, _ = numpy_pipeline.streamed_batches(rows, batch_size, seed, shuffle_buffer)
    return numpy_pipeline.stacked_batches(batches, len(rows), batch_size, passes, BLOCK_STEPS)


def sync_model_state(model):
    """Write the training state back into the model's variables (inside ``fit``).

    During an epoch Keras' JAX trainer keeps the state outside the variables;
    a callback that reads weights between steps calls this first (Keras then
    reads the state back from the variables at the next step).
    """
    if getattr(model, "_jax_state", None) is not None:
        model.jax_state_sync()


def set_threads(n_threads):
    """Ask XLA for ``n_threads`` CPU threads; effective only before JAX starts its backend."""
    flags = os.environ.get("XLA_FLAGS", "")
    if "intra_op_parallelism_threads" not in flags:
        os.environ["XLA_FLAGS"] = (
            f"{flags} --xla_cpu_multi_thread_eigen=false "
            f"intra_op_parallelism_threads={int(n_threads)}"
        ).strip()
