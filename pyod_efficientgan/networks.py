"""Builders of the three BiGAN networks: encoder E, generator G, discriminator D.

Each builder is a pure function that returns a named functional
:class:`keras.Model`. The defaults reproduce the KDD99 networks of the
official EGBAD code (Zenati et al., 2018):

* E: ``Dense 64 + LeakyReLU(0.1) -> Dense latent_dim``;
* G: ``Dense 64 ReLU -> Dense 128 ReLU -> Dense n_features`` (linear);
* D: ``x -> Dense 128 + LeakyReLU(0.1) + Dropout``, ``z -> the same``,
  concatenate, ``Dense 128 + LeakyReLU + Dropout`` (the feature-matching
  layer) ``-> Dense 1`` (a logit).

All kernels use Glorot (Xavier) uniform initialisation, seeded from the
``seed`` argument so that two builds with one seed hold identical weights.
The dropout layer is the backend's (Keras' own, except on JAX: see
:class:`pyod_efficientgan.backends.jax.Dropout`).
"""

import keras

from pyod_efficientgan import backends, startup
from pyod_efficientgan.bigan import BiGAN, BiGANMember

NEGATIVE_SLOPE = 0.1
"""Slope of the LeakyReLU units of E and D, as in the official code."""


def _seeded_initializer(seed, offset):
    """Return a Glorot-uniform initializer whose seed is ``seed + offset``."""
    return keras.initializers.GlorotUniform(seed=None if seed is None else seed + offset)


def build_encoder(n_features, latent_dim, units=(64,), seed=None):
    """Build the encoder E that maps a row x to a latent code z.

    Parameters
    ----------
    n_features : int
        Width of the input rows.
    latent_dim : int
        Size of the latent code.
    units : tuple of int, default=(64,)
        Widths of the hidden layers, each followed by LeakyReLU(0.1).
    seed : int or None, default=None
        Seed of the kernel initializers.

    Returns
    -------
    encoder : keras.Model
        Model named ``"encoder"`` from ``(batch, n_features)`` to
        ``(batch, latent_dim)``.
    """
    startup.start_runtime()  # the backend's first computation, without its start-up lines
    inputs = keras.Input(shape=(n_features,), name="x")
    hidden = inputs
    for index, width in enumerate(units):
        hidden = keras.layers.Dense(
            width,
            kernel_initializer=_seeded_initializer(seed, index),
            name=f"dense_{index}",
        )(hidden)
        hidden = keras.layers.LeakyReLU(NEGATIVE_SLOPE, name=f"leaky_relu_{index}")(hidden)
    latent = keras.layers.Dense(
        latent_dim,
        kernel_initializer=_seeded_initializer(seed, len(units)),
        name="z",
    )(hidden)
    return keras.Model(inputs, latent, name="encoder")


def build_generator(latent_dim, n_features, units=(64, 128), seed=None):
    """Build the generator G that maps a latent code z to a row x.

    Parameters
    ----------
    latent_dim : int
        Size of the latent code.
    n_features : int
        Width of the generated rows.
    units : tuple of int, default=(64, 128)
        Widths of the hidden ReLU layers.
    seed : int or None, default=None
        Seed of the kernel initializers.

    Returns
    -------
    generator : keras.Model
        Model named ``"generator"`` from ``(batch, latent_dim)`` to
        ``(batch, n_features)`` with a linear output.
    """
    startup.start_runtime()  # the backend's first computation, without its start-up lines
    inputs = keras.Input(shape=(latent_dim,), name="z")
    hidden = inputs
    for index, width in enumerate(units):
        hidden = keras.layers.Dense(
            width,
            activation="relu",
            kernel_initializer=_seeded_initializer(seed, index),
            name=f"dense_{index}",
        )(hidden)
    outputs = keras.layers.Dense(
        n_features,
        kernel_initializer=_seeded_initializer(seed, len(units)),
        name="x",
    )(hidden)
    return keras.Model(inputs, outputs, name="generator")


def build_discriminator(n_features, latent_dim, units=(128, 128), dropout=0.2, seed=None):
    """Build the discriminator D on pairs (x, z).

    Parameters
    ----------
    n_features : int
        Width of the rows x.
    latent_dim : int
        Size of the latent codes z.
    units : tuple of int, default=(128, 128)
        ``units[0]`` is the width of each of the two branches (one on x,
        one on z); ``units[1:]`` are the joint hidden layers after the
        concatenation. The last joint layer is the feature-matching layer.
        With a single value there is no joint hidden layer and the
        concatenated branches are the features.
    dropout : float, default=0.2
        Dropout rate after every hidden layer; active only when the model
        is called with ``training=True``.
    seed : int or None, default=None
        Seed of the kernel initializers and of the dropout masks.

    Returns
    -------
    discriminator : keras.Model
        Model named ``"discriminator"`` with inputs ``[x, z]`` and outputs
        ``[logit, features]``: the logit of "this pair came from (x, E(x))"
        of shape ``(batch, 1)``, and the activations of the last hidden
        layer used by the feature-matching score.
    """
    startup.start_runtime()  # the backend's first computation, without its start-up lines
    x_input = keras.Input(shape=(n_features,), name="x")
    z_input = keras.Input(shape=(latent_dim,), name="z")
    layer_index = 0

    def hidden_block(tensor, width, name):
        nonlocal layer_index
        tensor = keras.layers.Dense(
            width, kernel_initializer=_seeded_initializer(seed, layer_index), name=f"{name}_dense"
        )(tensor)
        tensor = keras.layers.LeakyReLU(NEGATIVE_SLOPE, name=f"{name}_leaky_relu")(tensor)
        tensor = backends.current().Dropout(
            dropout, seed=None if seed is None else seed + 100 + layer_index, name=f"{name}_dropout"
        )(tensor)
        layer_index += 1
        return tensor

    branch_width, *joint_widths = units
    x_branch = hidden_block(x_input, branch_width, "x_branch")
    z_branch = hidden_block(z_input, branch_width, "z_branch")
    features = keras.layers.Concatenate(name="concatenate")([x_branch, z_branch])
    for index, width in enumerate(joint_widths):
        features = hidden_block(features, width, f"joint_{index}")
    logit = keras.layers.Dense(
        1, kernel_initializer=_seeded_initializer(seed, layer_index), name="logit"
    )(features)
    return keras.Model([x_input, z_input], [logit, features], name="discriminator")


MEMBER_SEED_STRIDE = 10_000
"""Member k of a BiGAN is built from seed ``seed + MEMBER_SEED_STRIDE * k``."""


def build_bigan(n_features, latent_dims, widths, dropout, ema_decay, trim_norm, seed):
    """Build a :class:`~pyod_efficientgan.bigan.BiGAN` of one member per code size.

    Member k is seeded ``seed + MEMBER_SEED_STRIDE * k``; within it E, G, D
    and the latent noise take the offsets 0, 1000, 2000 and 3000, and the
    test-time copies are built like the trained networks (then overwritten
    with their weights).

    Parameters
    ----------
    n_features : int
        Width of the rows.
    latent_dims : list of int
        The code size of each member.
    widths : dict
        ``encoder_units``, ``generator_units`` and ``discriminator_units``
        as tuples of ints.
    dropout : float
        Dropout rate of D.
    ema_decay : float or None
        Decay of the test-time weights' moving average.
    trim_norm : {1, 2}
        Norm of the reconstruction error that ranks rows for trimming.
    seed : int
        Seed of the first member.

    Returns
    -------
    model : BiGAN
    """
    members = []
    for k, latent_dim in enumerate(latent_dims):
        member_seed = seed + MEMBER_SEED_STRIDE * k
        latent_dim = int(latent_dim)

        def networks(member_seed=member_seed, latent_dim=latent_dim):
            return (
                build_encoder(n_features, latent_dim, widths["encoder_units"], member_seed),
                build_generator(
                    latent_dim, n_features, widths["generator_units"], member_seed + 1000
                ),
                build_discriminator(
                    n_features,
                    latent_dim,
                    widths["discriminator_units"],
                    dropout,
                    member_seed + 2000,
                ),
            )

        members.append(
            BiGANMember(
                *networks(),
                latent_dim,
                ema_decay,
                seed=member_seed + 3000,
                trim_norm=trim_norm,
                ema_networks=networks(),
            )
        )
    return BiGAN(members)
