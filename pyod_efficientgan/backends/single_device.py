"""What a training step does on one device: the backends' shared defaults.

The JAX and PyTorch backends train on one device: a replica's share of the
batch is all of it, so the per-replica arithmetic is the identity. The
TensorFlow backend adds the :mod:`tf.distribute` cases and falls back to these
on one replica (see :mod:`pyod_efficientgan.backends.tensorflow`). Each
function is the member of the same name of
:class:`~pyod_efficientgan.backends.protocol.Backend`, which says what it
must do.
"""

import keras


class Dropout(keras.layers.Dropout):
    """Keras' own dropout layer, unchanged (the backends without a faster one use it)."""


class TrainStep:
    """``train_step`` as Keras' eager trainers (TensorFlow, PyTorch) call it: batch in, logs out."""

    def train_step(self, data):
        """One training step on the batch ``data`` (see ``run_train_step``)."""
        return self.run_train_step(data)


def steps_per_execution(steps_per_epoch, max_steps):
    """Training steps per call of the compiled training function: as many as allowed."""
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
    """Standard normal float32 latent noise drawn with the model's seed generator."""
    return keras.random.normal(shape, dtype="float32", seed=seed_generator)


def step_logs(metrics):
    """The logs of one training step: every metric's current result."""
    return {metric.name: metric.result() for metric in metrics}


def run_network(network, inputs, training):
    """Call ``network`` on ``inputs`` (Keras' own call)."""
    return network(inputs, training=training)


def update_averages(pairs, decay):
    """Move each averaged variable towards its trained one: ``a <- decay a + (1 - decay) t``."""
    for trained, averaged in pairs:
        averaged.assign(decay * averaged + (1.0 - decay) * trained)


def sync_model_state(model):
    """Nothing to do: the model's variables always hold their values."""
