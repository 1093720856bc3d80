"""Training under a :mod:`tf.distribute` strategy: the per-replica arithmetic.

:class:`~pyod_efficientgan.EfficientGAN` trains data-parallel when ``fit``
runs inside a strategy's scope::

    strategy = tf.distribute.MirroredStrategy()          # the GPUs of one host
    with strategy.scope():
        detector = EfficientGAN(random_state=0).fit(X)

Keras then splits every global batch of ``batch_size`` rows across the
replicas and runs :meth:`~pyod_efficientgan.training.BiGAN.train_step` once per
replica. The optimizers sum the replicas' gradients (an all-reduce), so each
replica weights its mean loss by its share of the global batch
(:func:`replica_loss`): the summed gradient is then the gradient of the global
batch's mean loss, as on one device, also when a replica gets fewer rows or
none (the last batch of an epoch). Each replica draws its own latent noise
(:func:`latent_noise`). On one device all of this is the identity, so results
there do not change.

This module and :mod:`pyod_efficientgan.training` hold the TensorFlow-specific
code.
"""

import keras
import tensorflow as tf
from keras import ops


def replicas_in_sync():
    """Number of replicas of the current strategy (1 outside any strategy)."""
    return tf.distribute.get_strategy().num_replicas_in_sync


def steps_per_execution(steps_per_epoch, max_steps):
    """Training steps per call of the compiled training function.

    Several steps per call are fast on one device; under a multi-replica
    strategy Keras 3 (3.15) fails to run a distributed iterator inside its
    multi-step loop, so every step is its own call there.

    Parameters
    ----------
    steps_per_epoch : int
        Optimizer steps in one epoch.
    max_steps : int
        Upper bound on one device.

    Returns
    -------
    steps : int
    """
    if replicas_in_sync() > 1:
        return 1
    return min(steps_per_epoch, max_steps)


def batch_share(batch_size):
    """Return this replica's share of the global batch, or None on one replica.

    Must run in a replica context (inside ``train_step``). With several
    replicas it adds one all-reduce of a scalar per step.

    Parameters
    ----------
    batch_size : scalar tensor
        Rows of the batch this replica got.

    Returns
    -------
    share : scalar float32 tensor in [0, 1] or None
        ``batch_size`` divided by the rows of the global batch; the shares of
        all replicas add up to 1.
    """
    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return None
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

    Parameters
    ----------
    loss : scalar tensor
        Mean loss over this replica's rows.
    share : scalar tensor or None
        From :func:`batch_share`; None returns ``loss`` unchanged.

    Returns
    -------
    loss : scalar tensor
        What to differentiate on this replica.
    """
    if share is None:
        return loss
    return ops.where(share > 0, loss, 0.0) * share


def track_loss(tracker, loss, share):
    """Add a step's mean loss to a :class:`keras.metrics.Mean` tracker.

    With several replicas each adds its mean weighted by its share of the
    global batch; the tracker sums its state over replicas when read, so the
    epoch's figure is the mean over steps of the global batch's mean loss, as
    on one device.

    Parameters
    ----------
    tracker : keras.metrics.Mean
        The loss tracker.
    loss : scalar tensor
        Mean loss over this replica's rows.
    share : scalar tensor or None
        From :func:`batch_share`.
    """
    if share is None:
        tracker.update_state(loss)
    else:
        tracker.update_state(ops.where(share > 0, loss, 0.0), sample_weight=share)


def latent_noise(shape, seed_generator):
    """Standard normal latent noise, different on every replica.

    On one replica this is ``keras.random.normal(shape, seed=seed_generator)``.
    With several replicas the generator's state is the same on all of them, so
    the replica's index is added to the seed: replica 0 draws what one device
    would, the others draw independent noise.

    Parameters
    ----------
    shape : tuple
        Shape of the noise, ``(batch_size, latent_dim)``.
    seed_generator : keras.random.SeedGenerator
        The model's seed generator; advanced by one draw.

    Returns
    -------
    z : float32 tensor of shape ``shape``
    """
    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return keras.random.normal(shape, seed=seed_generator)
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

    Parameters
    ----------
    metrics : list of keras.metrics.Metric
        The model's trackers.

    Returns
    -------
    logs : dict of str to tensor
    """
    strategy = tf.distribute.get_strategy()
    multi_worker = (
        isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)
        and strategy.extended._in_multi_worker_mode()
    )
    if multi_worker:
        return {metric.name: ops.reshape(metric.result(), (1,)) for metric in metrics}
    return {metric.name: metric.result() for metric in metrics}
