r"""The BiGAN as a :class:`keras.Model` with its own ``train_step``, for 1..K members.

A :class:`BiGAN` holds one or more :class:`BiGANMember` (the paper's model is
one member; the detector's default three), each with its own networks, seeds,
optimizers and test-time weights. One call of :meth:`BiGAN.train_step` runs,
for every member on the same batch, one optimisation step of the paper:

1. the discriminator D takes one Adam step on
   ``BCE(D(x, E(x)), 1) + BCE(D(G(z), z), 0)``;
2. the encoder E and the generator G take one Adam step on the same pairs
   with flipped labels, ``BCE(D(x, E(x)), 0) + BCE(D(G(z), z), 1)``,
   computed with the updated D;
3. the test-time copies of E, G and D move towards the trained weights by an
   exponential moving average (EMA).

With ``trim_share > 0`` (trimmed training, as in RCA, Liu et al. 2021), the
rows of each batch with the largest current reconstruction error
:math:`\lVert x - G(E(x)) \rVert_p` are left out of the real-pair terms of
both losses, so they give no gradient to E or D: a share that ramps linearly
from 0 to ``trim_share`` over the first ``trim_ramp_steps`` steps. On
contaminated training data this keeps the outliers from being learnt as
normal. The fake-pair terms ``(G(z), z)`` do not involve the rows.

``keras.Model.fit`` then gives epochs (one full pass over the shuffled rows),
callbacks, history and progress bars. Scoring always uses the EMA copies
(``ema_encoder``, ``ema_generator``, ``ema_discriminator``): this module is the
one place where the test-time weights are defined.

Nothing here is specific to a backend: the step is written once
(:meth:`BiGANMember.optimizer_steps`, run by :meth:`BiGAN.run_train_step`)
with :mod:`keras.ops`, and the backend's module
(:mod:`pyod_efficientgan.backends`) supplies the gradients, the ``train_step``
signature its Keras trainer calls, and the compiled scoring functions.
"""

import keras
import numpy as np
from keras import ops

from pyod_efficientgan import backends, networks
from pyod_efficientgan.losses import mean_cross_entropy, reconstruction_error, weighted_mean


def _mean_losses(losses):
    """The members' mean D loss and mean E+G loss, of a list of ``(d_loss, ge_loss)``."""
    return tuple(ops.mean(ops.stack(values)) for values in zip(*losses))


def _batch_rows(data):
    """The rows of a batch as Keras hands it to ``train_step`` (possibly a 1-tuple)."""
    if isinstance(data, (tuple, list)):
        data = data[0]
    return ops.convert_to_tensor(data, dtype="float32")


def trimmed_row_weights(errors, n_trimmed):
    """Weights 0 for the ``n_trimmed`` rows with the largest ``errors``, 1 for the rest.

    Ties are broken by position (the earlier row is trimmed first), so exactly
    ``n_trimmed`` rows get weight 0.

    Parameters
    ----------
    errors : tensor of shape (batch,)
        Current per-row losses.
    n_trimmed : int or scalar tensor
        How many rows to leave out; 0 keeps every row.

    Returns
    -------
    weights : tensor of shape (batch,), float32
    """
    # rank 0 = largest error
    ranks = ops.argsort(ops.argsort(ops.negative(errors)))
    return ops.cast(ranks >= ops.cast(n_trimmed, ranks.dtype), "float32")


_backend = backends.current()


class OptimizerGroup(keras.optimizers.Optimizer):
    """The optimizers of a model, shown to Keras' trainer as its one ``optimizer``.

    The BiGAN steps its own optimizers (one for D, one for E and G, per
    member); Keras' trainers only need the variables of all of them, e.g. to
    pass them through the JAX backend's stateless step. The group never
    applies gradients itself.

    Parameters
    ----------
    optimizers : list of keras.optimizers.Optimizer
        Built optimizers.
    """

    def __init__(self, optimizers):
        super().__init__(learning_rate=0.0, name="optimizer_group")
        self.optimizers = list(optimizers)
        self.built = True

    @property
    def variables(self):
        """The variables of every optimizer of the group, in order."""
        return [variable for optimizer in self.optimizers for variable in optimizer.variables]

    def build(self, variables):
        """Nothing to build: the grouped optimizers are built."""
        self.built = True

    def apply(self, grads, trainable_variables=None):
        """Refused: each grouped optimizer applies its own gradients."""
        raise NotImplementedError("OptimizerGroup only groups; step its optimizers.")


def _frozen_copy(model, copy=None):
    """Return a non-trainable copy of ``model`` holding the same weights.

    ``copy`` is a network of the same architecture to use; without one the
    model is cloned from its config (which makes Keras import TensorFlow,
    when it is installed, whatever the backend).
    """
    if copy is None:
        copy = keras.models.clone_model(model)
    copy.name = f"ema_{model.name}"
    copy.set_weights(model.get_weights())
    copy.trainable = False
    return copy


def _new_optimizer(optimizer):
    """A fresh optimizer from a zero-argument factory, or from a template's config."""
    if callable(optimizer) and not isinstance(optimizer, keras.optimizers.Optimizer):
        return optimizer()
    return optimizer.__class__.from_config(optimizer.get_config())


class BiGANMember(keras.layers.Layer):
    """One bidirectional GAN trained with the EGBAD losses: E, G, D and their test-time copies.

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
    trim_share : float in [0, 1), default=0.0
        Largest share of each batch left out of the real-pair losses (the
        rows with the largest reconstruction error); 0 trains on every row.
    trim_ramp_steps : int, default=0
        Steps over which the trimmed share grows linearly from 0 to
        ``trim_share``; 0 trims the full share from the first step.
    trim_norm : {1, 2}, default=2
        Norm of the reconstruction error that ranks the rows for trimming.
    ema_networks : tuple of three keras.Model or None, default=None
        Networks with the architectures of E, G and D to hold the test-time
        weights (their weights are overwritten). None clones E, G and D.
    reconstruction_weight : float, default=0.0
        Weight of the explicit reconstruction term
        ``mean((x - G(E(x)))**2)`` (over the kept rows and the features)
        added to the E+G loss, as in ALICE (Li et al., 2017); 0 trains E and
        G only adversarially, as the paper does.
    **kwargs
        Passed to :class:`keras.layers.Layer`; the dtype is always
        :data:`~pyod_efficientgan.networks.DTYPE`.
    """

    def __init__(
        self,
        encoder,
        generator,
        discriminator,
        latent_dim,
        ema_decay=0.999,
        seed=None,
        trim_share=0.0,
        trim_ramp_steps=0,
        trim_norm=2,
        ema_networks=None,
        reconstruction_weight=0.0,
        **kwargs,
    ):
        super().__init__(dtype=networks.DTYPE, **kwargs)
        self.reconstruction_weight = float(reconstruction_weight)
        self.trim_share = float(trim_share)
        self.trim_ramp_steps = int(trim_ramp_steps)
        self.trim_norm = trim_norm
        self.encoder = encoder
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = latent_dim
        self.ema_decay = ema_decay
        self.noise_seed = keras.random.SeedGenerator(seed)
        ema_encoder, ema_generator, ema_discriminator = ema_networks or (None, None, None)
        self.ema_encoder = _frozen_copy(encoder, ema_encoder)
        self.ema_generator = _frozen_copy(generator, ema_generator)
        self.ema_discriminator = _frozen_copy(discriminator, ema_discriminator)
        self.ema_steps = keras.Variable(0, dtype="int32", trainable=False, name="ema_steps")
        # The networks come built.
        self.built = True

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

    def set_optimizers(self, d_optimizer, g_optimizer):
        """Give the member its two optimizers and build their state.

        Parameters
        ----------
        d_optimizer : keras.optimizers.Optimizer
            Updates the discriminator.
        g_optimizer : keras.optimizers.Optimizer
            Updates the encoder and the generator together.
        """
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        # Built here, outside the compiled training function: under a
        # tf.distribute strategy optimizer state cannot be created inside it.
        d_optimizer.build(self.discriminator.trainable_variables)
        g_optimizer.build(self.encoder.trainable_variables + self.generator.trainable_variables)

    def reconstruct(self, x, training=False):
        """The test-time forward pass: the code ``z = E(x)`` and ``G(z)``, EMA weights.

        The one place the test-time reconstruction is written; scoring
        (:func:`~pyod_efficientgan.scoring.member_terms`) and :meth:`call` use it.

        Parameters
        ----------
        x : tensor of shape (n_samples, n_features)
            Preprocessed rows.
        training : bool, default=False
            Passed to the networks (E and G have no dropout).

        Returns
        -------
        z : tensor of shape (n_samples, latent_dim)
        x_reconstructed : tensor of shape (n_samples, n_features)
        """
        z = self.ema_encoder(x, training=training)
        return z, self.ema_generator(z, training=training)

    def call(self, x, training=False):
        """Reconstruct ``x`` as ``G(E(x))`` with the test-time weights (:meth:`reconstruct`)."""
        return self.reconstruct(x, training=training)[1]

    def _pair_logits(self, x, z, training):
        run = _backend.run_network
        z_encoded = run(self.encoder, x, training)
        x_generated = run(self.generator, z, training)
        logits_real, _ = run(self.discriminator, [x, z_encoded], training)
        logits_fake, _ = run(self.discriminator, [x_generated, z], training)
        return logits_real, logits_fake

    def trimmed_count(self, batch_size):
        """Rows of a batch of ``batch_size`` left out at the current step."""
        steps = ops.cast(self.ema_steps, "float32")
        ramp = 1.0 if self.trim_ramp_steps <= 0 else ops.minimum(1.0, steps / self.trim_ramp_steps)
        return ops.floor(self.trim_share * ramp * ops.cast(batch_size, "float32"))

    def real_pair_weights(self, x):
        """Per-row weights of the real pairs: 0 for the rows trimmed at this step.

        None when ``trim_share`` is 0 (every row counts).
        """
        if self.trim_share <= 0:
            return None
        run = _backend.run_network
        errors = reconstruction_error(
            x, run(self.generator, run(self.encoder, x, False), False), self.trim_norm
        )
        weights = trimmed_row_weights(errors, self.trimmed_count(ops.shape(x)[0]))
        return ops.stop_gradient(weights)

    def pair_losses(self, x, z, weights=None, training=True):
        """The two losses of one step on rows ``x`` and codes ``z``.

        Parameters
        ----------
        x : tensor of shape (batch, n_features)
            Rows.
        z : tensor of shape (batch, latent_dim)
            Codes drawn from the prior.
        weights : tensor of shape (batch,) or None, default=None
            Weights of the real pairs (0 for a trimmed row); None weighs all 1.
        training : bool, default=True
            Dropout on.

        Returns
        -------
        d_loss, ge_loss : scalar tensors
            ``BCE(D(x, E(x)), 1) + BCE(D(G(z), z), 0)`` and the same with the
            labels flipped.
        """
        logits_real, logits_fake = self._pair_logits(x, z, training=training)
        d_loss = mean_cross_entropy(logits_real, 1, weights) + mean_cross_entropy(logits_fake, 0)
        ge_loss = mean_cross_entropy(logits_real, 0, weights) + mean_cross_entropy(logits_fake, 1)
        return d_loss, ge_loss

    def reconstruction_loss(self, x, weights=None):
        """Mean squared reconstruction error of the trained E and G on ``x``.

        .. math::

            L_R = \\frac{1}{|K| d} \\sum_{i \\in K} \\lVert x_i - G(E(x_i)) \\rVert_2^2

        over the kept rows K (``weights`` 1; all rows when None) and the d
        features.
        """
        run = _backend.run_network
        reconstructed = run(self.generator, run(self.encoder, x, True), True)
        return weighted_mean(ops.mean(ops.square(x - reconstructed), axis=-1), weights)

    def optimizer_steps(self, x, share):
        """The D step, the E+G step and the EMA update; returns the batch's two losses."""
        batch_size = ops.shape(x)[0]
        z = _backend.latent_noise((batch_size, self.latent_dim), self.noise_seed)
        weights = self.real_pair_weights(x)

        def d_objective():
            d_loss, _ = self.pair_losses(x, z, weights)
            return _backend.replica_loss(d_loss, share), d_loss

        d_variables = self.discriminator.trainable_variables
        d_loss, gradients = _backend.value_and_gradients(d_objective, d_variables)
        self.d_optimizer.apply(gradients, d_variables)

        def ge_objective():
            _, ge_loss = self.pair_losses(x, z, weights)
            if self.reconstruction_weight > 0:
                ge_loss = ge_loss + self.reconstruction_weight * self.reconstruction_loss(
                    x, weights
                )
            return _backend.replica_loss(ge_loss, share), ge_loss

        ge_variables = self.encoder.trainable_variables + self.generator.trainable_variables
        ge_loss, gradients = _backend.value_and_gradients(ge_objective, ge_variables)
        self.g_optimizer.apply(gradients, ge_variables)

        self._update_averages()
        return d_loss, ge_loss

    def _update_averages(self):
        self.ema_steps.assign_add(1)
        if not self.ema_decay:
            for trained, averaged in self._trained_and_averaged:
                averaged.assign(trained)
            return
        steps = ops.cast(self.ema_steps, "float32")
        decay = ops.minimum(self.ema_decay, (1.0 + steps) / (10.0 + steps))
        _backend.update_averages(self._trained_and_averaged, decay)

    def all_finite(self):
        """Return whether every trained and averaged weight is finite."""
        return all(
            np.all(np.isfinite(ops.convert_to_numpy(variable)))
            for pair in self._trained_and_averaged
            for variable in pair
        )


class BiGAN(_backend.TrainStep, keras.Model):
    """One or more BiGANs trained side by side in one compiled training function.

    One :meth:`train_step` runs each member's step on the same batch (the
    members differ by their initial weights, latent noise, dropout and code
    size); one member is the paper's model. Training the members in one
    function saves the per-fit compilation and the per-step overhead of
    separate fits.

    Parameters
    ----------
    members : list of BiGANMember
        The members, each built with its own seeds.
    **kwargs
        Passed to :class:`keras.Model`; the dtype is always
        :data:`~pyod_efficientgan.networks.DTYPE` (no loss scaling under a
        mixed-precision policy: the networks compute in float32).
    """

    def __init__(self, members, **kwargs):
        super().__init__(dtype=networks.DTYPE, **kwargs)
        if len(members) < 1:
            raise ValueError("BiGAN needs at least one member.")
        self.member_models = list(members)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss", dtype=networks.DTYPE)
        self.ge_loss_tracker = keras.metrics.Mean(name="ge_loss", dtype=networks.DTYPE)
        self.built = True

    @property
    def members(self):
        """The members, in order."""
        return list(self.member_models)

    @property
    def metrics(self):
        """The members' mean losses, reset by ``fit`` at the start of each epoch."""
        return [self.d_loss_tracker, self.ge_loss_tracker]

    @property
    def ema_steps(self):
        """Steps trained (the first member's counter; all members step together)."""
        return self.member_models[0].ema_steps

    @property
    def averaged_weights(self):
        """The test-time variables of every member, member by member."""
        return [w for member in self.member_models for w in member.averaged_weights]

    def compile(self, d_optimizer, g_optimizer, **kwargs):
        """Give every member its own two optimizers.

        Parameters
        ----------
        d_optimizer, g_optimizer : keras.optimizers.Optimizer or callable
            Zero-argument factories of the optimizers, or templates whose
            configs make each member's.
        **kwargs
            Passed to :meth:`keras.Model.compile` (``steps_per_execution``).
        """
        optimizers = []
        for member in self.member_models:
            member.set_optimizers(_new_optimizer(d_optimizer), _new_optimizer(g_optimizer))
            optimizers += [member.d_optimizer, member.g_optimizer]
        super().compile(optimizer=OptimizerGroup(optimizers), **kwargs)

    def call(self, x, training=False):
        """Mean reconstruction ``G(E(x))`` of the members (test-time weights)."""
        reconstructions = [member(x, training=training) for member in self.member_models]
        return ops.mean(ops.stack(reconstructions), axis=0)

    def run_train_step(self, x):
        """One step of every member on the batch ``x``; logs the members' mean losses.

        The backend's ``train_step`` (what Keras' trainer calls) runs this.
        """
        x = _batch_rows(x)
        share = _backend.batch_share(ops.shape(x)[0])
        losses = [member.optimizer_steps(x, share) for member in self.member_models]
        # one member logs its own losses (TensorFlow's mean of one value can round them)
        d_loss, ge_loss = losses[0] if len(losses) == 1 else _mean_losses(losses)
        _backend.track_loss(self.d_loss_tracker, d_loss, share)
        _backend.track_loss(self.ge_loss_tracker, ge_loss, share)
        return _backend.step_logs(self.metrics)

    def all_finite(self):
        """Return whether every member's weights are finite."""
        return all(member.all_finite() for member in self.member_models)


MEMBER_SEED_STRIDE = 10_000
"""Member k of a BiGAN is built from seed ``seed + MEMBER_SEED_STRIDE * k``."""


def build_bigan(structure, seed):
    """Build a :class:`BiGAN` of one member per code size of ``structure``.

    Member k is seeded ``seed + MEMBER_SEED_STRIDE * k``; within it E, G, D
    and the latent noise take the offsets 0, 1000, 2000 and 3000, and the
    test-time copies are built like the trained networks (then overwritten
    with their weights).

    Parameters
    ----------
    structure : pyod_efficientgan.parameters.Structure
        The networks (their shapes are :func:`~pyod_efficientgan.networks.weight_shapes`).
    seed : int
        Seed of the first member.

    Returns
    -------
    model : BiGAN
    """
    n_features = structure.n_features
    members = []
    for k, latent_dim in enumerate(structure.latent_dims):
        member_seed = seed + MEMBER_SEED_STRIDE * k
        latent_dim = int(latent_dim)

        def build_networks(member_seed=member_seed, latent_dim=latent_dim):
            return (
                networks.build_encoder(
                    n_features, latent_dim, structure.encoder_units, member_seed
                ),
                networks.build_generator(
                    latent_dim, n_features, structure.generator_units, member_seed + 1000
                ),
                networks.build_discriminator(
                    n_features,
                    latent_dim,
                    structure.discriminator_units,
                    structure.dropout,
                    member_seed + 2000,
                ),
            )

        members.append(
            BiGANMember(
                *build_networks(),
                latent_dim,
                structure.ema_decay,
                seed=member_seed + 3000,
                trim_norm=structure.norm,
                ema_networks=build_networks(),
            )
        )
    return BiGAN(members)
