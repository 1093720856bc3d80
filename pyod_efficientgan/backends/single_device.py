"""The per-replica arithmetic of a training step on one device.

The JAX and PyTorch backends train on one device: a replica's share of the
batch is all of it, so these are identities. The TensorFlow backend replaces
them with the :mod:`tf.distribute` versions (see
:mod:`pyod_efficientgan.backends.tensorflow`).
"""

import keras


def steps_per_execution(steps_per_epoch, max_steps):
    """Training steps per call of the compiled training function."""
    return min(steps_per_epoch, max_steps)


def batch_share(batch_size):
    """None: one replica holds the whole batch."""
    return None


def replica_loss(loss, share):
    """The loss itself (one replica)."""
    return loss


def track_loss(tracker, loss, share):
    """Add a step's mean loss to a :class:`keras.metrics.Mean` tracker."""
    tracker.update_state(loss)


def latent_noise(shape, seed_generator):
    """Standard normal latent noise drawn with the model's seed generator."""
    return keras.random.normal(shape, seed=seed_generator)


def step_logs(metrics):
    """The logs of one training step: every metric's current result."""
    return {metric.name: metric.result() for metric in metrics}


def in_strategy_scope():
    """False: only TensorFlow has distribution strategies."""
    return False


def run_network(network, inputs, training):
    """Call ``network`` on ``inputs`` (Keras' own call)."""
    return network(inputs, training=training)


def update_averages(pairs, decay):
    """Move each averaged variable towards its trained one: ``a <- decay a + (1 - decay) t``."""
    for trained, averaged in pairs:
        averaged.assign(decay * averaged + (1.0 - decay) * trained)
