"""The three network builders."""

import numpy as np
from keras import ops

from pyod_efficientgan.networks import build_discriminator, build_encoder, build_generator


def test_encoder_generator_shapes_and_names():
    encoder = build_encoder(7, 4, (16,), seed=0)
    generator = build_generator(4, 7, (8, 16), seed=0)
    x = np.random.default_rng(0).normal(size=(5, 7)).astype("float32")
    assert encoder.name == "encoder" and generator.name == "generator"
    assert tuple(encoder(x).shape) == (5, 4)
    assert tuple(generator(encoder(x)).shape) == (5, 7)


def test_paper_default_layer_widths():
    encoder = build_encoder(121, 32, seed=0)
    generator = build_generator(32, 121, seed=0)
    discriminator = build_discriminator(121, 32, seed=0)
    dense_widths = lambda model: [layer.units for layer in model.layers if hasattr(layer, "units")]  # noqa: E731
    assert dense_widths(encoder) == [64, 32]
    assert dense_widths(generator) == [64, 128, 121]
    assert dense_widths(discriminator) == [128, 128, 128, 1]


def test_discriminator_outputs_logit_and_features():
    discriminator = build_discriminator(7, 4, (16, 8), dropout=0.5, seed=0)
    x = np.ones((3, 7), "float32")
    z = np.ones((3, 4), "float32")
    logit, features = discriminator([x, z], training=False)
    assert tuple(logit.shape) == (3, 1)
    assert tuple(features.shape) == (3, 8)


def test_dropout_only_in_training():
    discriminator = build_discriminator(7, 4, (16, 8), dropout=0.5, seed=0)
    x = np.ones((64, 7), "float32")
    z = np.ones((64, 4), "float32")
    inference = [ops.convert_to_numpy(discriminator([x, z], training=False)[0]) for _ in range(2)]
    np.testing.assert_array_equal(inference[0], inference[1])
    training = ops.convert_to_numpy(discriminator([x, z], training=True)[0])
    assert not np.allclose(training, inference[0])


def test_same_seed_same_weights_other_seed_other_weights():
    first = build_discriminator(5, 3, seed=11).get_weights()
    again = build_discriminator(5, 3, seed=11).get_weights()
    other = build_discriminator(5, 3, seed=12).get_weights()
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other))
