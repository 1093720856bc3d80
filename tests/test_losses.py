"""The BiGAN's train step: loss labels, which variables each step moves, the EMA update.

``BiGAN.run_train_step`` (bigan.py) is tested here from outside, through
Keras' ``train_on_batch`` on any backend: the latent noise is fixed by patching
the backend's ``latent_noise``, dropout is off, and
the optimizers are plain SGD so that one step is a small move down the loss.
"""

import keras
import numpy as np
import pytest

from pyod_efficientgan import bigan
from pyod_efficientgan.networks import build_discriminator, build_encoder, build_generator

N_FEATURES, LATENT_DIM, BATCH = 3, 2, 16


def make_bigan(ema_decay=0.999):
    member = bigan.BiGANMember(
        build_encoder(N_FEATURES, LATENT_DIM, (8,), seed=0),
        build_generator(LATENT_DIM, N_FEATURES, (8,), seed=1),
        build_discriminator(N_FEATURES, LATENT_DIM, (8, 8), dropout=0.0, seed=2),
        LATENT_DIM,
        ema_decay=ema_decay,
        seed=3,
    )
    return bigan.BiGAN([member])


@pytest.fixture
def batch(monkeypatch):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(BATCH, N_FEATURES)).astype("float32")
    z = rng.normal(size=(BATCH, LATENT_DIM)).astype("float32")
    monkeypatch.setattr(
        bigan._backend, "latent_noise", lambda shape, seed: keras.ops.convert_to_tensor(z)
    )
    return x, z


def mean_logits(model, x, z):
    """Mean D logit on the real pairs (x, E(x)) and on the generated pairs (G(z), z)."""
    x, z = keras.ops.convert_to_tensor(x), keras.ops.convert_to_tensor(z)
    z_encoded = model.members[0].encoder(x, training=False)
    x_generated = model.members[0].generator(z, training=False)
    real, _ = model.members[0].discriminator([x, z_encoded], training=False)
    fake, _ = model.members[0].discriminator([x_generated, z], training=False)
    real, fake = keras.ops.convert_to_numpy(real), keras.ops.convert_to_numpy(fake)
    return float(np.mean(real)), float(np.mean(fake))


def one_step(x, z, d_rate, g_rate):
    """Changes of the two mean logits over one train_step, with the given SGD rates."""
    model = make_bigan()
    model.compile(
        d_optimizer=keras.optimizers.SGD(d_rate), g_optimizer=keras.optimizers.SGD(g_rate)
    )
    before = mean_logits(model, x, z)
    model.train_on_batch(x)
    after = mean_logits(model, x, z)
    return after[0] - before[0], after[1] - before[1]


# Both logits can move the same way in one step (through the shared bias), so the
# tests compare the gap: D's logit on the real pairs relative to the generated ones.


def test_discriminator_step_raises_real_relative_to_generated_logits(batch):
    real, fake = one_step(*batch, d_rate=0.05, g_rate=0.0)
    assert real - fake > 0, (real, fake)


def test_encoder_generator_step_lowers_real_relative_to_generated_logits(batch):
    real, fake = one_step(*batch, d_rate=0.0, g_rate=0.05)
    assert real - fake < 0, (real, fake)


def test_a_swapped_label_fails_the_label_tests(batch, monkeypatch):
    # Labels flipped everywhere (as a bug in train_step would flip them): both
    # tests above would fail, so they check the labels.
    original = bigan.mean_cross_entropy
    monkeypatch.setattr(
        bigan,
        "mean_cross_entropy",
        lambda logits, label, *args: original(logits, 1 - label, *args),
    )
    real, fake = one_step(*batch, d_rate=0.05, g_rate=0.0)
    assert not real - fake > 0
    real, fake = one_step(*batch, d_rate=0.0, g_rate=0.05)
    assert not real - fake < 0


def test_each_step_updates_only_its_own_variables(batch):
    x, _ = batch
    model = make_bigan()
    model.compile(d_optimizer=keras.optimizers.SGD(0.05), g_optimizer=keras.optimizers.SGD(0.05))
    updated = {}
    for name in ("d_optimizer", "g_optimizer"):
        optimizer = getattr(model.members[0], name)
        apply = optimizer.apply

        def spy(gradients, variables=None, _apply=apply, _name=name):
            gradients, variables = list(gradients), list(variables)
            assert len(gradients) == len(variables), _name
            assert all(gradient is not None for gradient in gradients), _name
            updated[_name] = [variable.path for variable in variables]
            return _apply(gradients, variables)

        optimizer.apply = spy
    before = {v.path: np.array(v.numpy()) for v in model.variables}
    model.train_on_batch(x)
    assert updated["d_optimizer"] == [
        v.path for v in model.members[0].discriminator.trainable_variables
    ]
    assert updated["g_optimizer"] == [
        v.path
        for v in model.members[0].encoder.trainable_variables
        + model.members[0].generator.trainable_variables
    ]
    trainable = (
        model.members[0].encoder.trainable_variables
        + model.members[0].generator.trainable_variables
        + model.members[0].discriminator.trainable_variables
    )
    after = {v.path: np.array(v.numpy()) for v in model.variables}
    # every trained weight moved (the EMA copies move too: their update is the third part)
    assert all(not np.array_equal(before[v.path], after[v.path]) for v in trainable)


@pytest.mark.parametrize("ema_decay", [0.999, 0.5])
def test_ema_update_matches_its_closed_form_with_warm_up(ema_decay):
    model = make_bigan(ema_decay=ema_decay)
    pairs = model.members[0]._trained_and_averaged
    trained, averaged = pairs[0]
    expected = np.array(averaged.numpy(), dtype=np.float64)
    rng = np.random.default_rng(1)
    for t in range(1, 31):
        value = rng.normal(size=trained.shape).astype("float32")
        trained.assign(value)
        model.members[0]._update_averages()
        decay = min(ema_decay, (1 + t) / (10 + t))
        expected = decay * expected + (1 - decay) * value
        np.testing.assert_allclose(averaged.numpy(), expected, rtol=1e-5, atol=1e-6)
    assert int(model.ema_steps.numpy()) == 30


def test_ema_warm_up_decays_are_the_documented_ones():
    # at step 1 the average keeps 2/11 of the old weights; 0.999 is reached at step 8991
    model = make_bigan(ema_decay=0.999)
    trained, averaged = model.members[0]._trained_and_averaged[0]
    start = np.array(averaged.numpy())
    trained.assign(start + 1.0)
    model.members[0]._update_averages()
    np.testing.assert_allclose(averaged.numpy(), start + 9 / 11, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("ema_decay", [None, 0.0])
def test_no_ema_copies_the_trained_weights(ema_decay):
    model = make_bigan(ema_decay=ema_decay)
    for trained, _ in model.members[0]._trained_and_averaged:
        trained.assign(trained.numpy() + 1.0)
    model.members[0]._update_averages()
    for trained, averaged in model.members[0]._trained_and_averaged:
        np.testing.assert_array_equal(averaged.numpy(), trained.numpy())


def test_a_train_step_moves_the_ema_copies_by_the_warm_up_decay(batch):
    x, _ = batch
    model = make_bigan()
    model.compile(d_optimizer=keras.optimizers.SGD(0.05), g_optimizer=keras.optimizers.SGD(0.05))
    averaged_before = [np.array(a.numpy()) for _, a in model.members[0]._trained_and_averaged]
    model.train_on_batch(x)
    decay = 2 / 11
    for (trained, averaged), before in zip(model.members[0]._trained_and_averaged, averaged_before):
        np.testing.assert_allclose(
            averaged.numpy(), decay * before + (1 - decay) * trained.numpy(), rtol=1e-5, atol=1e-6
        )
