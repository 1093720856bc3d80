"""Trimmed training and ensembles of BiGANs: the mechanism, not the benchmark figures."""

import math

import numpy as np
import pytest
from keras import ops

from pyod_efficientgan import EfficientGAN, backends, parameters
from pyod_efficientgan.bigan import BiGAN, BiGANMember, trimmed_row_weights
from pyod_efficientgan.losses import NORMS, SCORE_METHODS, member_standardization
from pyod_efficientgan.networks import build_discriminator, build_encoder, build_generator
from pyod_efficientgan.preprocessing import to_float32
from pyod_efficientgan.scoring import ScoreFunction


def make_member(n_features=4, latent_dim=3, seed=0, **kwargs):
    return BiGANMember(
        build_encoder(n_features, latent_dim, (8,), seed),
        build_generator(latent_dim, n_features, (8,), seed + 1),
        build_discriminator(n_features, latent_dim, (8, 8), 0.0, seed + 2),
        latent_dim,
        seed=seed,
        **kwargs,
    )


def input_gradient(loss_fn, x):
    """The gradient of the scalar ``loss_fn(x)`` with respect to the rows ``x``, as NumPy.

    Written per backend: the test differentiates with respect to an input, which the
    library's ``value_and_gradients`` (with respect to variables) does not do.
    """
    backend = backends.name()
    if backend == "tensorflow":
        import tensorflow as tf

        x = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = loss_fn(x)
        return tape.gradient(loss, x).numpy()
    if backend == "jax":
        import jax

        return np.asarray(jax.grad(loss_fn)(jax.numpy.asarray(x)))
    if backend == "torch":
        import torch

        x = torch.tensor(x, requires_grad=True)
        (gradient,) = torch.autograd.grad(loss_fn(x), [x])
        return gradient.detach().cpu().numpy()
    raise AssertionError(f"no input gradient for backend {backend!r}")


# ------------------------------------------------------------------ trimming
def test_trimmed_row_weights_drop_exactly_the_largest_errors():
    errors = np.array([0.5, 3.0, 0.1, 2.0, 2.0, 0.7], dtype="float32")
    weights = ops.convert_to_numpy(trimmed_row_weights(errors, 3))
    # 3.0 and both 2.0s are the three largest
    np.testing.assert_array_equal(weights, [1, 0, 1, 0, 0, 1])
    np.testing.assert_array_equal(ops.convert_to_numpy(trimmed_row_weights(errors, 0)), np.ones(6))


def test_no_trimming_when_the_share_is_zero():
    model = make_member(trim_share=0.0)
    assert model.real_pair_weights(np.zeros((10, 4), "float32")) is None


def test_trimmed_share_ramps_linearly_to_its_target():
    model = make_member(trim_share=0.2, trim_ramp_steps=100)
    counts = []
    for step in (0, 50, 100, 400):
        model.ema_steps.assign(step)
        counts.append(float(model.trimmed_count(50)))
    assert counts == [0.0, 5.0, 10.0, 10.0]


def test_trimmed_rows_get_no_gradient():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20, 4)).astype("float32")
    x[[3, 11]] *= 20  # the two rows with by far the largest reconstruction error
    model = make_member(trim_share=0.1)
    z = ops.convert_to_tensor(rng.normal(size=(20, 3)).astype("float32"))
    weights = model.real_pair_weights(ops.convert_to_tensor(x))
    np.testing.assert_array_equal(np.flatnonzero(ops.convert_to_numpy(weights) == 0), [3, 11])
    for which in (0, 1):  # d_loss, ge_loss
        gradient = input_gradient(
            lambda rows: model.pair_losses(rows, z, weights, training=False)[which], x
        )
        gradient = np.abs(gradient).sum(axis=1)
        assert np.all(gradient[[3, 11]] == 0)
        assert np.all(np.delete(gradient, [3, 11]) > 0)
    # without weights every row moves the losses
    gradient = input_gradient(lambda rows: model.pair_losses(rows, z, None, training=False)[0], x)
    assert np.all(np.abs(gradient).sum(axis=1) > 0)


def test_auto_trim_share_follows_contamination():
    from pyod_efficientgan.parameters import THRESHOLDER_TRIM_SHARE, resolve_trim_share

    assert resolve_trim_share("auto", 0.05) == 0.05
    assert resolve_trim_share(0.2, 0.1) == 0.2

    class Thresholder:
        def fit(self, X):
            return self

        def predict(self, X):
            return np.zeros(len(X), dtype=int)

    detector = EfficientGAN(contamination=Thresholder(), trim_share="auto")
    assert resolve_trim_share(detector.trim_share, detector.contamination) == THRESHOLDER_TRIM_SHARE


def test_a_fit_with_trimming_trims_the_planned_share(small_data):
    detector = EfficientGAN(epochs=4, trim_share=0.1, n_estimators=1, random_state=0).fit(
        small_data[0]
    )
    steps = int(detector.model_.ema_steps.numpy())
    (member,) = detector.model_.members
    assert member.trim_share == 0.1
    assert member.trim_ramp_steps == steps // 2
    assert float(member.trimmed_count(50)) == 5.0


# ----------------------------------------------------------------- ensembles
@pytest.fixture(scope="module")
def ensemble(small_data):
    return EfficientGAN(epochs=3, n_estimators=3, random_state=0).fit(small_data[0])


def test_ensemble_members_have_their_own_seeds(ensemble):
    assert isinstance(ensemble.model_, BiGAN)
    members = ensemble.model_.members
    assert len(members) == 3
    first = [w.numpy() for w in members[0].encoder.weights]
    for other in members[1:]:
        assert not np.allclose(first[0], other.encoder.weights[0].numpy())
    # every member trained as many steps
    assert {int(m.ema_steps.numpy()) for m in members} == {int(members[0].ema_steps.numpy())}


def test_ensemble_is_reproducible(ensemble, small_data):
    again = EfficientGAN(epochs=3, n_estimators=3, random_state=0).fit(small_data[0])
    np.testing.assert_array_equal(
        again.decision_function(small_data[1]), ensemble.decision_function(small_data[1])
    )


def test_ensemble_score_is_the_mean_of_standardized_member_scores(ensemble, small_data):
    X_train, X_test = small_data[0], small_data[1]

    def member_scores(x):
        x = to_float32(ensemble.scaler_, x)
        return np.stack(
            [
                ScoreFunction([member], ensemble.score_method, ensemble.norm, ensemble.alpha)(x)[0]
                for member in ensemble.model_.members
            ]
        )

    train = member_scores(X_train)
    expected = np.mean(
        (member_scores(X_test) - train.mean(1, keepdims=True)) / train.std(1, keepdims=True),
        axis=0,
    )
    np.testing.assert_allclose(ensemble.decision_function(X_test), expected, rtol=1e-5, atol=1e-5)
    # the training scores are standardised: mean 0
    assert abs(ensemble.decision_scores_.mean()) < 1e-6


def test_ensemble_parts_still_combine_to_the_score(ensemble, small_data):
    generator_loss, discriminator_loss = ensemble.score_components(small_data[1])
    np.testing.assert_allclose(
        ensemble.alpha * generator_loss + (1 - ensemble.alpha) * discriminator_loss,
        ensemble.decision_function(small_data[1]),
        rtol=1e-6,
        atol=1e-9,
    )


def test_member_standardization_matches_direct_statistics():
    rng = np.random.default_rng(1)
    g, d = rng.gamma(2.0, size=(2, 3, 500)), rng.gamma(1.0, size=(2, 3, 500))
    moments = np.zeros((len(SCORE_METHODS), len(NORMS), 3, 6))
    moments[1, 0] = np.stack(
        [np.full(3, 500), g[0].sum(1), d[0].sum(1), (g[0] ** 2).sum(1), (d[0] ** 2).sum(1),
         (g[0] * d[0]).sum(1)],
        axis=1,
    )  # fmt: skip
    for alpha in (0.0, 0.3, 0.9, 1.0):
        centers, scales = member_standardization(moments, "feature-matching", 1, alpha)
        scores = alpha * g[0] + (1 - alpha) * d[0]
        np.testing.assert_allclose(centers, scores.mean(1))
        np.testing.assert_allclose(scales, scores.std(1))


def test_ensemble_alpha_set_after_fit_standardizes_exactly(small_data):
    detector = EfficientGAN(epochs=3, n_estimators=2, random_state=1).fit(small_data[0])
    detector.set_params(alpha=0.3, norm=1, score_method="feature-matching")
    train_scores = detector.decision_function(small_data[0])
    # with the new settings the training rows are again standardised per member,
    # so their mean is 0
    assert abs(train_scores.mean()) < 1e-5


def test_single_member_keeps_the_papers_score(small_data):
    quick_fitted = EfficientGAN(epochs=3, n_estimators=1, random_state=0).fit(small_data[0])
    assert isinstance(quick_fitted.model_, BiGAN)
    assert quick_fitted._member_moments is None
    generator_loss, discriminator_loss = quick_fitted.score_components(small_data[1])
    np.testing.assert_allclose(
        quick_fitted.decision_function(small_data[1]),
        quick_fitted.alpha * generator_loss + (1 - quick_fitted.alpha) * discriminator_loss,
    )
    assert np.all(generator_loss >= 0) and np.all(discriminator_loss >= 0)


# ------------------------------------------------------------ latent size
@pytest.mark.parametrize(
    "n_features, expected", [(1, 1), (2, 2), (3, 2), (6, 2), (16, 4), (21, 6), (200, 32)]
)
def test_auto_latent_dim_is_a_quarter_of_the_features_within_its_range(n_features, expected):
    assert parameters.resolve_latent_dim("auto", n_features) == expected
    assert parameters.resolve_latent_dim(7, n_features) == 7


@pytest.mark.parametrize(
    "n_estimators, first, expected",
    [(1, 4, [4]), (2, 4, [4, 32]), (3, 4, [4, 11, 32]), (3, 32, [32, 32, 32])],
)
def test_auto_member_code_sizes_grow_geometrically_to_32(n_estimators, first, expected):
    assert parameters.member_latent_dims("auto", first, n_estimators) == expected
    assert parameters.member_latent_dims(5, 5, n_estimators) == [5] * n_estimators


def test_auto_step_budget_is_shared_by_the_members():
    # 1000 rows, batch 50: 20 steps per epoch
    from pyod_efficientgan.training import AUTO_MIN_STEPS, resolve_epochs

    one = resolve_epochs(EfficientGAN(n_estimators=1).epochs, 1000, 50, n_estimators=1)
    four = resolve_epochs(EfficientGAN(n_estimators=4).epochs, 1000, 50, n_estimators=4)
    assert one == math.ceil(AUTO_MIN_STEPS / 20)
    assert four == math.ceil(AUTO_MIN_STEPS / 4 / 20)


def test_auto_latent_dim_is_kept_and_restored(small_data, tmp_path):
    import pickle

    detector = EfficientGAN(latent_dim="auto", epochs=2, random_state=0).fit(small_data[0])
    sizes = [member.encoder.output_shape[-1] for member in detector.model_.members]
    assert sizes == parameters.member_latent_dims(
        detector.latent_dim, detector.latent_dim_, detector.n_estimators
    )
    assert sizes[0] == detector.latent_dim_ == 2  # 6 features
    scores = detector.decision_function(small_data[1])
    for copy in (
        pickle.loads(pickle.dumps(detector)),
        (detector.save(tmp_path / "d.egan"), EfficientGAN.load(tmp_path / "d.egan"))[1],
    ):
        assert copy.latent_dim_ == detector.latent_dim_
        np.testing.assert_array_equal(copy.decision_function(small_data[1]), scores)
