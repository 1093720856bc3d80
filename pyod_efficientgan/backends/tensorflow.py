"""The TensorFlow backend: gradient tapes, :mod:`tf.data` and :mod:`tf.distribute`.

:class:`~pyod_efficientgan.EfficientGAN` trains data-parallel when ``fit``
runs inside a strategy's scope (see :mod:`pyod_efficientgan.scaleout.distribute`).
Keras then splits every global batch of ``batch_size`` rows across the
replicas and runs the training step once per replica. The optimizers sum the
replicas' gradients (an all-reduce), so each replica weights its mean loss by
its share of the global batch (:func:`replica_loss`): the summed gradient is
then the gradient of the global batch's mean loss, as on one device, also when
a replica gets fewer rows or none (the last batch of an epoch). Each replica
draws its own latent noise (:func:`latent_noise`). On one device all of this
is the identity.

What each name must do: :class:`~pyod_efficientgan.backends.protocol.Backend`.
"""

import math

import tensorflow as tf
from keras import ops

from pyod_efficientgan.backends import single_device
from pyod_efficientgan.backends.single_device import (
    Dropout,
    TrainStep,
    run_network,
    sync_model_state,
    update_averages,
)

__all__ = [
    "Dropout",
    "TrainStep",
    "batch_share",
    "compile_rows_function",
    "dataset_chunks",  # TensorFlow's own: scaleout.streaming reads a tf.data.Dataset with it
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

DATASET_CHUNK_ROWS = 65536
"""Rows per chunk when a :class:`tf.data.Dataset` of single rows is read."""


def value_and_gradients(loss_fn, variables):
    """Evaluate ``loss_fn()`` under a :class:`tf.GradientTape` and differentiate it."""
    with tf.GradientTape() as tape:
        objective, aux = loss_fn()
    return aux, tape.gradient(objective, variables)


def compile_rows_function(function, variables, n_features):
    """A :class:`tf.function` of a (rows, n_features) float32 tensor, for any row count.

    The function reads the variables itself, so ``variables`` is unused.
    """
    return tf.function(
        function,
        input_signature=[tf.TensorSpec((None, n_features), tf.float32)],
        jit_compile=False,
        reduce_retracing=True,
    )


def training_batches(x, batch_size, seed, passes=1):
    """A :class:`tf.data.Dataset` of shuffled batches of ``x`` for ``fit``.

    The rows stay in one constant tensor; each pass draws a new seeded
    permutation of row indices and gathers the batches, so no copy of the
    data is made per pass. One iteration of the dataset is ``passes`` passes
    (one Keras epoch); the dataset knows its length, so ``steps`` is None.
    """
    rows = tf.constant(x)
    n_samples = x.shape[0]
    dataset = (
        tf.data.Dataset.range(n_samples)
        .shuffle(n_samples, seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
        .repeat(passes)
        .map(lambda indices: tf.gather(rows, indices), num_parallel_calls=1, deterministic=True)
        .prefetch(2)
    )
    return dataset, None


def streamed_batches(rows, batch_size, seed, shuffle_buffer, passes=1):
    """A :class:`tf.data.Dataset` of batches of streamed chunks, shuffled in a buffer.

    ``steps`` is None: the dataset is told its length.
    """

    def generate():
        yield from rows.read()

    dataset = (
        tf.data.Dataset.from_generator(
            generate, output_signature=tf.TensorSpec((None, rows.n_features), tf.float32)
        )
        .unbatch()
        .shuffle(min(shuffle_buffer, len(rows)), seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
        # The generator's length is unknown to tf.data; Keras needs it for its epochs.
        .apply(tf.data.experimental.assert_cardinality(math.ceil(len(rows) / batch_size)))
        .repeat(passes)
        .prefetch(2)
    )
    return dataset, None


def dataset_chunks(dataset):
    """A callable giving a new iterator of NumPy chunks of a :class:`tf.data.Dataset`.

    A dataset of rows (1-D elements) is read in chunks of
    ``DATASET_CHUNK_ROWS`` rows.
    """
    if len(dataset.element_spec.shape) == 1:
        dataset = dataset.batch(DATASET_CHUNK_ROWS)
    elif len(dataset.element_spec.shape) != 2:
        raise ValueError(
            "fit_chunks needs a tf.data.Dataset of rows (1-D elements) or of 2-D "
            f"batches; got elements of shape {dataset.element_spec.shape}."
        )
    return dataset.as_numpy_iterator


def set_threads(n_threads):
    """Limit TensorFlow's intra- and inter-op thread pools (before any op runs)."""
    try:
        tf.config.threading.set_intra_op_parallelism_threads(n_threads)
        tf.config.threading.set_inter_op_parallelism_threads(n_threads)
    except RuntimeError:  # already initialised
        pass


def _replicas_in_sync():
    """Number of replicas of the current strategy (1 outside any strategy)."""
    return tf.distribute.get_strategy().num_replicas_in_sync


def steps_per_execution(steps_per_epoch, max_steps):
    """Training steps per call of the compiled training function.

    Several steps per call are fast on one device; under a multi-replica
    strategy Keras 3 (3.15) fails to run a distributed iterator inside its
    multi-step loop, so every step is its own call there.
    """
    if _replicas_in_sync() > 1:
        return 1
    return single_device.steps_per_execution(steps_per_epoch, max_steps)


def batch_share(batch_size):
    """Return this replica's share of the global batch, or None on one replica.

    Must run in a replica context (inside ``train_step``). With several
    replicas it adds one all-reduce of a scalar per step.
    """
    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return single_device.batch_share(batch_size)
    local = ops.cast(batch_size, "float32")
    return local / context.all_reduce(tf.distribute.ReduceOp.SUM, local)


def replica_loss(loss, share):
    """Weight a replica's mean loss by its share of the global batch.

    .. math::

        \\ell_r = \\frac{n_r}{\\sum_s n_s} \\bar{\\ell}_r, \\qquad
        \\sum_r \\nabla \\ell_r = \\nabla \\frac{1}{\\sum_s n_s}
        \\sum_{\\text{rows } i} \\ell_i

    The optimizer sums the gradients of all replicas, so the update is the
    one-device update on the global batch. A replica without rows (whose mean
    loss is NaN) contributes 0.
    """
    if share is None:
        return single_device.replica_loss(loss, share)
    return ops.where(share > 0, loss, 0.0) * share


def track_loss(tracker, loss, share):
    """Add a step's mean loss to a :class:`keras.metrics.Mean` tracker.

    With several replicas each adds its mean weighted by its share of the
    global batch; the tracker sums its state over replicas when read, so the
    epoch's figure is the mean over steps of the global batch's mean loss, as
    on one device.
    """
    if share is None:
        single_device.track_loss(tracker, loss, share)
    else:
        tracker.update_state(ops.where(share > 0, loss, 0.0), sample_weight=share)


def latent_noise(shape, seed_generator):
    """Standard normal latent noise, different on every replica.

    On one replica this is ``keras.random.normal(shape, seed=seed_generator)``.
    With several replicas the generator's state is the same on all of them, so
    the replica's index is added to the seed: replica 0 draws what one device
    would, the others draw independent noise.
    """
    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return single_device.latent_noise(shape, seed_generator)
    seed = seed_generator.next()
    replica = tf.cast(context.replica_id_in_sync_group, seed.dtype)
    seed = seed + tf.stack([replica, tf.zeros_like(replica)])
    # Keras's own reduction of the int64 state to an int32 seed.
    seed = tf.cast(tf.math.floormod(seed, tf.int32.max - 1), "int32")
    return tf.random.stateless_normal(shape, seed=seed, dtype="float32")


def step_logs(metrics):
    """Return the logs of one training step: every metric's current result.

    Under a multi-worker strategy Keras (3.15) reduces the step's outputs
    with ``strategy.reduce("MEAN", value, axis=0)``, which fails on scalars;
    there each result is given the shape (1,), which that reduction turns
    back into a scalar. Elsewhere the results are the scalars themselves.
    """
    strategy = tf.distribute.get_strategy()
    multi_worker = (
        isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
        and strategy.extended._in_multi_worker_mode()
    )
    if multi_worker:
        return {metric.name: ops.reshape(metric.result(), (1,)) for metric in metrics}
    return single_device.step_logs(metrics)
