"""The BiGAN as a :class:`keras.Model` with its own ``train_step``.

One call of :meth:`BiGAN.train_step` is one optimisation step of the paper:

1. the discriminator D takes one Adam step on
   ``BCE(D(x, E(x)), 1) + BCE(D(G(z), z), 0)``;
2. the encoder E and the generator G take one Adam step on the same pairs
   with flipped labels, ``BCE(D(x, E(x)), 0) + BCE(D(G(z), z), 1)``,
   computed with the updated D;
3. the test-time copies of E, G and D move towards the trained weights by an
   exponential moving average (EMA).

``keras.Model.fit`` then gives epochs (one full pass over the shuffled rows),
callbacks, history and progress bars. Scoring always uses the EMA copies
(``ema_encoder``, ``ema_generator``, ``ema_discriminator``): this module is the
one place where the test-time weights are defined.

This is the only module with TensorFlow-specific code (the gradient tapes and
the input pipeline).
"""

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from pyod_efficientgan import distribute
from pyod_efficientgan.scoring import combine_scores, score_components


def _bce_with_logits(logits, label):
    """Mean binary cross-entropy of ``logits`` against a constant 0/1 label."""
    logits = ops.reshape(logits, (-1,))
    if label == 1:
        return ops.mean(ops.softplus(ops.negative(logits)))
    return ops.mean(ops.softplus(logits))


def _frozen_copy(model):
    """Return a non-trainable clone of ``model`` holding the same weights."""
    copy = keras.models.clone_model(model)
    copy.name = f"ema_{model.name}"
    copy.set_weights(model.get_weights())
    copy.trainable = False
    return copy


class BiGAN(keras.Model):
    """Bidirectional GAN trained with the EGBAD losses.

    Parameters
    ----------
    encoder, generator, discriminator : keras.Model
        E, G and D as built by :mod:`pyod_efficientgan.networks`.
    latent_dim : int
        Size of the latent code; the prior is a standard normal.
    ema_decay : float in [0, 1) or None, default=0.999
        Decay of the exponential moving average of the test-time weights.
        The decay used at step ``t`` is ``min(ema_decay, (1 + t) / (10 + t))``
        so that early steps are not dominated by the initial weights. ``None``
        or 0 makes the test-time weights equal the trained ones.
    seed : int or None, default=None
        Seed of the latent noise.
    **kwargs
        Passed to :class:`keras.Model`.
    """

    def __init__(
        self, encoder, generator, discriminator, latent_dim, ema_decay=0.999, seed=None, **kwargs
    ):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = latent_dim
        self.ema_decay = ema_decay
        self.noise_seed = keras.random.SeedGenerator(seed)
        self.ema_encoder = _frozen_copy(encoder)
        self.ema_generator = _frozen_copy(generator)
        self.ema_discriminator = _frozen_copy(discriminator)
        self.ema_steps = keras.Variable(0, dtype="int64", trainable=False, name="ema_steps")
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.ge_loss_tracker = keras.metrics.Mean(name="ge_loss")

    @property
    def metrics(self):
        """The loss trackers, reset by ``fit`` at the start of each epoch."""
        return [self.d_loss_tracker, self.ge_loss_tracker]

    @property
    def averaged_weights(self):
        """The test-time (EMA) variables of E, G and D, in that order."""
        return (
            self.ema_encoder.weights + self.ema_generator.weights + self.ema_discriminator.weights
        )

    @property
    def _trained_and_averaged(self):
        trained = self.encoder.weights + self.generator.weights + self.discriminator.weights
        return list(zip(trained, self.averaged_weights))

    def compile(self, d_optimizer, g_optimizer, **kwargs):
        """Configure the two optimizers.

        Parameters
        ----------
        d_optimizer : keras.optimizers.Optimizer
            Updates the discriminator.
        g_optimizer : keras.optimizers.Optimizer
            Updates the encoder and the generator together.
        **kwargs
            Passed to :meth:`keras.Model.compile` (``steps_per_execution``,
            ``jit_compile``).
        """
        super().compile(**kwargs)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        # Build the optimizer state now, outside the compiled training function:
        # under a tf.distribute strategy it cannot be created inside it.
        d_optimizer.build(self.discriminator.trainable_variables)
        g_optimizer.build(self.encoder.trainable_variables + self.generator.trainable_variables)

    def call(self, x, training=False):
        """Reconstruct ``x`` as ``G(E(x))`` with the test-time weights."""
        return self.ema_generator(self.ema_encoder(x, training=training), training=training)

    def _pair_logits(self, x, z, training):
        z_encoded = self.encoder(x, training=training)
        x_generated = self.generator(z, training=training)
        logits_real, _ = self.discriminator([x, z_encoded], training=training)
        logits_fake, _ = self.discriminator([x_generated, z], training=training)
        return logits_real, logits_fake

    def train_step(self, x):
        """Run one D step, one E+G step and one EMA update on the batch ``x``."""
        x = ops.convert_to_tensor(x, dtype="float32")
        batch_size = ops.shape(x)[0]
        share = distribute.batch_share(batch_size)
        z = distribute.latent_noise((batch_size, self.latent_dim), self.noise_seed)

        with tf.GradientTape() as tape:
            logits_real, logits_fake = self._pair_logits(x, z, training=True)
            d_loss = _bce_with_logits(logits_real, 1) + _bce_with_logits(logits_fake, 0)
            d_objective = distribute.replica_loss(d_loss, share)
        d_variables = self.discriminator.trainable_variables
        self.d_optimizer.apply_gradients(zip(tape.gradient(d_objective, d_variables), d_variables))

        with tf.GradientTape() as tape:
            logits_real, logits_fake = self._pair_logits(x, z, training=True)
            ge_loss = _bce_with_logits(logits_real, 0) + _bce_with_logits(logits_fake, 1)
            ge_objective = distribute.replica_loss(ge_loss, share)
        ge_variables = self.encoder.trainable_variables + self.generator.trainable_variables
        self.g_optimizer.apply_gradients(
            zip(tape.gradient(ge_objective, ge_variables), ge_variables)
        )

        self._update_averages()
        distribute.track_loss(self.d_loss_tracker, d_loss, share)
        distribute.track_loss(self.ge_loss_tracker, ge_loss, share)
        return distribute.step_logs(self.metrics)

    def _update_averages(self):
        self.ema_steps.assign_add(1)
        if not self.ema_decay:
            for trained, averaged in self._trained_and_averaged:
                averaged.assign(trained)
            return
        steps = ops.cast(self.ema_steps, "float32")
        decay = ops.minimum(self.ema_decay, (1.0 + steps) / (10.0 + steps))
        for trained, averaged in self._trained_and_averaged:
            averaged.assign(decay * averaged + (1.0 - decay) * trained)

    def all_finite(self):
        """Return whether every trained and averaged weight is finite."""
        return all(
            np.all(np.isfinite(ops.convert_to_numpy(variable)))
            for pair in self._trained_and_averaged
            for variable in pair
        )

    def score_components(self, x, method="cross-entropy", norm=1):
        """:math:`L_G(x)` and :math:`L_D(x)` with the test-time (EMA) weights.

        See :func:`pyod_efficientgan.scoring.score_components`.
        """
        return score_components(
            self.ema_encoder, self.ema_generator, self.ema_discriminator, x, method, norm
        )


def make_training_dataset(x, batch_size, seed, passes=1):
    """Return a dataset of shuffled batches of ``x`` for ``BiGAN.fit``.

    The rows stay in one constant tensor; each pass draws a new seeded
    permutation of row indices and gathers the batches, so no copy of the
    data is made per pass. The last batch of a pass may be smaller.

    Parameters
    ----------
    x : ndarray of shape (n_samples, n_features), float32
        Preprocessed training rows.
    batch_size : int
        Rows per batch.
    seed : int
        Seed of the shuffling.
    passes : int, default=1
        Full passes over ``x`` (epochs) in one iteration of the dataset, each
        in a new order. One iteration is one Keras epoch: several passes per
        Keras epoch spare small datasets the per-epoch overhead of ``fit``.

    Returns
    -------
    dataset : tf.data.Dataset
        ``passes`` epochs of batches; ``fit`` iterates it again for each
        Keras epoch.
    """
    rows = tf.constant(x)
    n_samples = x.shape[0]
    return (
        tf.data.Dataset.range(n_samples)
        .shuffle(n_samples, seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
        .repeat(passes)
        .map(lambda indices: tf.gather(rows, indices), num_parallel_calls=1, deterministic=True)
        .prefetch(2)
    )


class ScoreFunction:
    """Compiled, batched scoring with the test-time weights.

    Parameters
    ----------
    model : BiGAN
        The trained model.
    method : {"cross-entropy", "feature-matching"}
        Which :math:`L_D`.
    norm : {1, 2}
        Order of the norms.
    alpha : float
        Weight of :math:`L_G` in :math:`A(x)`.

    Notes
    -----
    Calling the object on a float32 chunk returns ``(A, L_G, L_D)`` as NumPy
    arrays. One trace serves every chunk size.
    """

    def __init__(self, model, method, norm, alpha):
        self.model = model
        self.method = method
        self.norm = norm
        self.alpha = alpha
        self._compiled = tf.function(
            self._components,
            input_signature=[tf.TensorSpec((None, model.encoder.input_shape[-1]), tf.float32)],
            jit_compile=False,
            reduce_retracing=True,
        )

    def _components(self, x):
        generator_loss, discriminator_loss = self.model.score_components(x, self.method, self.norm)
        return (
            combine_scores(generator_loss, discriminator_loss, self.alpha),
            generator_loss,
            discriminator_loss,
        )

    def __call__(self, x):
        return tuple(np.asarray(part) for part in self._compiled(x))
