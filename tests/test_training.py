"""The BiGAN training step, epochs, early stopping and divergence handling.

The detectors here are one BiGAN (``n_estimators=1``), whose optimizers and weights the tests
read; the ensemble's mechanism is tested in test_robust_training.py.
"""

import math

import keras
import numpy as np
import pytest

from pyod_efficientgan import EfficientGAN, TrainingDivergedError, backends
from pyod_efficientgan.bigan import BiGAN, BiGANMember
from pyod_efficientgan.networks import build_discriminator, build_encoder, build_generator


def make_bigan(n_features=5, latent_dim=3, ema_decay=0.999, seed=0):
    member = BiGANMember(
        build_encoder(n_features, latent_dim, (8,), seed),
        build_generator(latent_dim, n_features, (8,), seed + 1),
        build_discriminator(n_features, latent_dim, (8, 8), 0.2, seed + 2),
        latent_dim,
        ema_decay=ema_decay,
        seed=seed,
    )
    return BiGAN([member])


def one_keras_epoch(x, batch_size, seed, passes):
    """The batches of one Keras epoch from the backend's input pipeline, as NumPy arrays.

    TensorFlow gives a dataset that knows its length; JAX and PyTorch an endless
    generator and the number of items in an epoch (JAX items are blocks of batches).
    """
    data, steps = backends.current().training_batches(x, batch_size, seed, passes=passes)
    if steps is None:
        items = [keras.ops.convert_to_numpy(item) for item in data]
    else:
        iterator = iter(data)
        items = [np.asarray(next(iterator)[0]) for _ in range(steps)]
    return [batch for item in items for batch in (item if item.ndim == 3 else [item])]


def test_train_step_updates_every_network_and_the_averages(small_data):
    model = make_bigan(n_features=small_data[0].shape[1])
    model.compile(keras.optimizers.Adam(1e-3, beta_1=0.5), keras.optimizers.Adam(1e-3, beta_1=0.5))
    before = {
        name: [w.copy() for w in getattr(model.members[0], name).get_weights()]
        for name in ("encoder", "generator", "discriminator", "ema_encoder")
    }
    logs = model.train_on_batch(small_data[0][:50].astype("float32"), return_dict=True)
    assert set(logs) == {"d_loss", "ge_loss"}
    assert all(np.isfinite(float(value)) for value in logs.values())
    for name, weights in before.items():
        after = getattr(model.members[0], name).get_weights()
        assert not all(np.array_equal(a, b) for a, b in zip(weights, after)), name


def test_without_averaging_test_time_weights_equal_trained(small_data):
    model = make_bigan(n_features=small_data[0].shape[1], ema_decay=None)
    model.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3))
    model.train_on_batch(small_data[0][:50].astype("float32"))
    for trained, averaged in zip(
        model.members[0].encoder.get_weights(), model.members[0].ema_encoder.get_weights()
    ):
        np.testing.assert_array_equal(trained, averaged)


@pytest.mark.parametrize("n_rows, batch_size, epochs", [(130, 50, 2), (30, 50, 3), (1, 50, 2)])
def test_an_epoch_is_one_full_pass(n_rows, batch_size, epochs, small_data):
    detector = EfficientGAN(
        n_estimators=1, epochs=epochs, batch_size=batch_size, validation_size=0.0, random_state=0
    ).fit(small_data[0][:n_rows])
    steps_per_epoch = math.ceil(n_rows / min(batch_size, n_rows))
    assert int(detector.model_.members[0].d_optimizer.iterations) == epochs * steps_per_epoch
    assert int(detector.model_.members[0].g_optimizer.iterations) == epochs * steps_per_epoch
    assert detector.history_["epoch"][-1] == epochs


@pytest.mark.parametrize(
    "epochs, steps_per_epoch, expected",
    [(200, 10, 20), (500, 2, 100), (7, 10, 7), (23, 10, 1), (3, 4000, 1), (12, 30, 6)],
)
def test_small_datasets_train_several_epochs_per_round(epochs, steps_per_epoch, expected):
    from pyod_efficientgan.training import MIN_STEPS_PER_ROUND, passes_per_round

    passes = passes_per_round(epochs, steps_per_epoch)
    assert passes == expected
    assert epochs % passes == 0
    # never more passes than it takes to reach the round's step budget
    assert passes == 1 or (passes - 1) * steps_per_epoch < MIN_STEPS_PER_ROUND


def test_rounds_keep_epochs_exact_and_reshuffle_every_pass(small_data):
    x = np.arange(12, dtype="float32").reshape(6, 2)
    batches = one_keras_epoch(x, 4, seed=0, passes=3)
    assert [len(batch) for batch in batches] == [4, 2] * 3
    passes = [np.concatenate(batches[i : i + 2])[:, 0] for i in (0, 2, 4)]
    for rows in passes:  # every pass is a permutation of all rows
        np.testing.assert_array_equal(np.sort(rows), x[:, 0])
    assert len({tuple(rows) for rows in passes}) > 1

    detector = EfficientGAN(n_estimators=1, epochs=40, batch_size=50, random_state=0).fit(
        small_data[0]
    )
    steps_per_epoch = math.ceil(len(small_data[0]) / 50)
    assert detector.history_["epoch"] == [20, 40]
    assert int(detector.model_.members[0].d_optimizer.iterations) == 40 * steps_per_epoch


def test_auto_epochs_give_small_data_a_step_budget():
    from pyod_efficientgan.training import (
        AUTO_MAX_EPOCHS,
        AUTO_MIN_EPOCHS,
        AUTO_MIN_STEPS,
        resolve_epochs,
    )

    assert resolve_epochs("auto", n_train=100, batch_size=50, n_estimators=1) == min(
        AUTO_MIN_STEPS // 2, AUTO_MAX_EPOCHS
    )
    assert resolve_epochs("auto", 50 * AUTO_MIN_STEPS // 10, 50, n_estimators=1) == 10
    assert resolve_epochs("auto", 1_000_000, 50, n_estimators=1) == AUTO_MIN_EPOCHS
    assert resolve_epochs(7, n_train=10, batch_size=50, n_estimators=1) == 7


class RecordTestTimeState(keras.callbacks.Callback):
    """At every round end: a copy of the test-time (EMA) weights and the scores they give."""

    def __init__(self, x):
        super().__init__()
        self.x = x
        self.weights = []
        self.scores = []
        self._scorer = None

    def on_epoch_end(self, epoch, logs=None):
        from pyod_efficientgan.scoring import ScoreFunction

        if self._scorer is None:
            self._scorer = ScoreFunction(self.model.members, "cross-entropy", 2, 0.9)
        self.weights.append(
            [keras.ops.convert_to_numpy(w).copy() for w in self.model.averaged_weights]
        )
        self.scores.append(self._scorer(self.x)[0])


EARLY_STOPPING = dict(
    # 240 training rows in batches of 50: 5 steps an epoch. 41 epochs (a prime) make
    # every round one epoch, so `patience` counts epochs. At this learning rate the
    # held-out reconstruction error turns up after a few epochs.
    epochs=41,
    batch_size=50,
    learning_rate=1e-2,
    patience=3,
    validation_size=0.2,
    latent_dim=2,
    encoder_units=(8,),
    generator_units=(8,),
    discriminator_units=(8, 8),
    preprocessing=None,
    random_state=0,
)


@pytest.fixture(scope="module")
def stopped_early(small_data):
    X = small_data[0]
    X = ((X - X.mean(axis=0)) / X.std(axis=0)).astype("float32")  # scaled as the detector would
    recorder = RecordTestTimeState(X)
    detector = EfficientGAN(n_estimators=1, **EARLY_STOPPING).fit(X, callbacks=[recorder])
    return detector, recorder, X


def test_early_stopping_stops_early_at_the_lowest_criterion(stopped_early):
    detector, recorder, _ = stopped_early
    criterion = detector.history_["val_reconstruction_error"]
    rounds = detector.history_["epoch"]
    assert rounds == list(range(1, len(rounds) + 1))  # one epoch a round
    assert len(criterion) == len(detector.history_["d_loss"]) == len(recorder.weights)
    assert rounds[-1] < EARLY_STOPPING["epochs"], "training did not stop early"
    best = int(np.argmin(criterion))
    assert detector.best_epoch_ == rounds[best] < rounds[-1]
    # it stopped once `patience` epochs passed without improvement
    assert len(criterion) == best + 1 + EARLY_STOPPING["patience"]
    assert int(detector.model_.members[0].d_optimizer.iterations) == rounds[-1] * 5


def test_early_stopping_restores_the_test_time_weights_of_the_best_epoch(stopped_early):
    detector, recorder, X = stopped_early
    best = detector.best_epoch_ - 1
    restored = [keras.ops.convert_to_numpy(w) for w in detector.model_.averaged_weights]
    for kept, saved in zip(restored, recorder.weights[best]):
        np.testing.assert_array_equal(kept, saved)
    assert not all(np.array_equal(k, s) for k, s in zip(restored, recorder.weights[-1]))
    # the scores after fit are those of the best epoch's weights, not the last epoch's
    scores = detector.decision_function(X)
    np.testing.assert_allclose(scores, recorder.scores[best], rtol=1e-6)
    np.testing.assert_allclose(detector.decision_scores_, recorder.scores[best], rtol=1e-6)
    assert np.max(np.abs(scores - recorder.scores[-1])) > 1e-3


def test_divergence_in_first_epoch_raises_and_leaves_detector_untouched(small_data, quick_fitted):
    import copy

    detector = copy.deepcopy(quick_fitted)
    scores_before = detector.decision_function(small_data[1])
    detector.set_params(learning_rate=1e8, preprocessing=None, validation_size=0.0, epochs=2)
    with pytest.raises(TrainingDivergedError, match="learning_rate"):
        detector.fit(small_data[0] * 1e6)
    # The failed refit left the previous fitted state in place.
    np.testing.assert_array_equal(detector.decision_function(small_data[1]), scores_before)


def test_divergence_guard_restores_last_finite_epoch(small_data):
    from pyod_efficientgan.training import DivergenceGuard

    class PoisonAtEpoch(keras.callbacks.Callback):
        def __init__(self, epoch):
            super().__init__()
            self.epoch = epoch

        def on_epoch_begin(self, epoch, logs=None):
            if epoch == self.epoch:
                kernel = self.model.members[0].discriminator.weights[0]
                kernel.assign(np.full(kernel.shape, np.nan, dtype="float32"))

    x = small_data[0].astype("float32")
    model = make_bigan(n_features=x.shape[1])
    model.compile(keras.optimizers.Adam(1e-3), keras.optimizers.Adam(1e-3))
    guard = DivergenceGuard()
    snapshot = {}

    class Snapshot(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                snapshot["weights"] = self.model.get_weights()

    data, steps = backends.current().training_batches(x, 50, seed=0)
    model.fit(
        data,
        epochs=5,
        steps_per_epoch=steps,
        callbacks=[Snapshot(), PoisonAtEpoch(2), guard],
        verbose=0,
        shuffle=False,  # the pipeline shuffles, as in the detector's fit
    )
    assert guard.diverged_at_epoch == 2
    assert guard.last_finite_epoch == 1
    assert model.all_finite()
    for restored, expected in zip(model.get_weights(), snapshot["weights"]):
        np.testing.assert_array_equal(restored, expected)


def test_divergence_after_finite_epochs_warns_and_scores_with_their_weights(small_data):
    class PoisonAtEpoch(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            if epoch == 2:
                kernel = self.model.members[0].discriminator.weights[0]
                kernel.assign(np.full(kernel.shape, np.nan, dtype="float32"))

    X = small_data[0]
    # 300 rows in batches of 50 and a prime number of epochs: one epoch a round
    detector = EfficientGAN(
        n_estimators=1, epochs=41, latent_dim=2, encoder_units=(8,), random_state=0
    )
    with pytest.warns(
        RuntimeWarning, match="diverged after epoch 2.*weights of epoch 2.*learning_rate"
    ):
        detector.fit(X, callbacks=[PoisonAtEpoch()])
    assert detector.model_.all_finite()
    assert np.all(np.isfinite(detector.decision_scores_))
    np.testing.assert_array_equal(detector.decision_function(X), detector.decision_scores_)
