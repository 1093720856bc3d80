"""Builders of the three BiGAN networks: encoder E, generator G, discriminator D.

Each builder is a pure function that returns a named functional
:class:`keras.Model`; :func:`weight_shapes` gives the shapes of the weights
they create, by arithmetic, so that stored weights can be checked before a
network is built. The defaults reproduce the KDD99 networks of the
official EGBAD code (Zenati et al., 2018):

* E: ``Dense 64 + LeakyReLU(0.1) -> Dense latent_dim``;
* G: ``Dense 64 ReLU -> Dense 128 ReLU -> Dense n_features`` (linear);
* D: ``x -> Dense 128 + LeakyReLU(0.1) + Dropout``, ``z -> the same``,
  concatenate, ``Dense 128 + LeakyReLU + Dropout`` (the feature-matching
  layer) ``-> Dense 1`` (a logit).

All kernels use Glorot (Xavier) uniform initialisation, seeded from the
``seed`` argument so that two builds with one seed hold identical weights.
Every input, layer and weight is :data:`DTYPE` (float32), whatever the global
Keras settings (``keras.config.set_floatx``, a mixed-precision policy) say.
The dropout layer is the backend's (Keras' own, except on JAX: see
:class:`pyod_efficientgan.backends.jax.Dropout`).
"""

import keras

from pyod_efficientgan import backends, startup

NEGATIVE_SLOPE = 0.1
"""Slope of the LeakyReLU units of E and D, as in the official code."""

DTYPE = "float32"
"""The dtype of every input, layer, weight and computation of the networks.

Given to each layer explicitly, so a global ``keras.config.set_floatx("float16")`` or a
``"mixed_float16"`` policy changes neither the weights nor the scores; the BiGAN, its
trackers, its latent noise and its optimizers use it too (:mod:`pyod_efficientgan.bigan`,
:mod:`pyod_efficientgan.training`).
"""


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
    inputs = keras.Input(shape=(n_features,), dtype=DTYPE, name="x")
    hidden = inputs
    for index, width in enumerate(units):
        hidden = keras.layers.Dense(
            width,
            kernel_initializer=_seeded_initializer(seed, index),
            dtype=DTYPE,
            name=f"dense_{index}",
        )(hidden)
        hidden = keras.layers.LeakyReLU(NEGATIVE_SLOPE, dtype=DTYPE, name=f"leaky_relu_{index}")(
            hidden
        )
    latent = keras.layers.Dense(
        latent_dim,
        kernel_initializer=_seeded_initializer(seed, len(units)),
        dtype=DTYPE,
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
    inputs = keras.Input(shape=(latent_dim,), dtype=DTYPE, name="z")
    hidden = inputs
    for index, width in enumerate(units):
        hidden = keras.layers.Dense(
            width,
            activation="relu",
            kernel_initializer=_seeded_initializer(seed, index),
            dtype=DTYPE,
            name=f"dense_{index}",
        )(hidden)
    outputs = keras.layers.Dense(
        n_features,
        kernel_initializer=_seeded_initializer(seed, len(units)),
        dtype=DTYPE,
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
    x_input = keras.Input(shape=(n_features,), dtype=DTYPE, name="x")
    z_input = keras.Input(shape=(latent_dim,), dtype=DTYPE, name="z")
    layer_index = 0

    def hidden_block(tensor, width, name):
        nonlocal layer_index
        tensor = keras.layers.Dense(
            width,
            kernel_initializer=_seeded_initializer(seed, layer_index),
            dtype=DTYPE,
            name=f"{name}_dense",
        )(tensor)
        tensor = keras.layers.LeakyReLU(NEGATIVE_SLOPE, dtype=DTYPE, name=f"{name}_leaky_relu")(
            tensor
        )
        tensor = backends.current().Dropout(
            dropout,
            seed=None if seed is None else seed + 100 + layer_index,
            dtype=DTYPE,
            name=f"{name}_dropout",
        )(tensor)
        layer_index += 1
        return tensor

    branch_width, *joint_widths = units
    x_branch = hidden_block(x_input, branch_width, "x_branch")
    z_branch = hidden_block(z_input, branch_width, "z_branch")
    features = keras.layers.Concatenate(dtype=DTYPE, name="concatenate")([x_branch, z_branch])
    for index, width in enumerate(joint_widths):
        features = hidden_block(features, width, f"joint_{index}")
    logit = keras.layers.Dense(
        1, kernel_initializer=_seeded_initializer(seed, layer_index), dtype=DTYPE, name="logit"
    )(features)
    return keras.Model([x_input, z_input], [logit, features], name="discriminator")


def _dense_shapes(widths):
    """The kernel and bias shapes of Dense layers mapping ``widths[0]`` to ``widths[-1]``."""
    for inputs, outputs in zip(widths, widths[1:]):
        yield (inputs, outputs)
        yield (outputs,)


def network_shapes(n_features, latent_dim, encoder_units, generator_units, discriminator_units):
    """The weight shapes of the E, G and D that the builders above make, in no set order.

    Parameters
    ----------
    n_features, latent_dim : int
        Width of the rows and size of the code.
    encoder_units, generator_units, discriminator_units : tuple of int
        As the builders take them.

    Returns
    -------
    shapes : list of tuple of int
        One per variable: the kernel and bias of every Dense layer (LeakyReLU,
        Dropout and Concatenate hold none).
    """
    branch, *joint = discriminator_units
    return [
        *_dense_shapes((n_features, *encoder_units, latent_dim)),
        *_dense_shapes((latent_dim, *generator_units, n_features)),
        *_dense_shapes((n_features, branch)),
        *_dense_shapes((latent_dim, branch)),
        *_dense_shapes((2 * branch, *joint, 1)),
    ]


def weight_shapes(structure):
    """The shapes of every weight of the BiGAN a structure describes, in no set order.

    Per member: the moving average's step counter (a scalar), then the
    networks twice (trained and test-time copies); see
    :func:`~pyod_efficientgan.bigan.build_bigan`. Keras lists a model's
    variables in an order that depends on the backend, so compare the shapes
    as sorted lists.

    Parameters
    ----------
    structure : pyod_efficientgan.parameters.Structure
        The networks.

    Returns
    -------
    shapes : list of tuple of int
    """
    shapes = []
    for latent_dim in structure.latent_dims:
        member = network_shapes(
            structure.n_features,
            int(latent_dim),
            structure.encoder_units,
            structure.generator_units,
            structure.discriminator_units,
        )
        shapes += [()] + member + member
    return shapes


def weight_count(n_estimators, encoder_units, generator_units, discriminator_units):
    """The number of weights of the BiGAN of ``n_estimators`` members of these widths.

    What :func:`weight_shapes` lists, counted without listing them: per
    member the step counter and two copies (trained, test-time) of the
    kernel and bias of every Dense layer of E, G and D.

    Returns
    -------
    count : int
    """
    _, *joint = discriminator_units
    n_dense = len(encoder_units) + 1 + len(generator_units) + 1 + 2 + len(joint) + 1
    return int(n_estimators) * (1 + 2 * 2 * n_dense)
