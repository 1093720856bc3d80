"""Extra Keras callbacks in ``EfficientGAN.fit`` and the held-out weight selection."""

import math

import numpy as np
import pytest

from pyod_efficientgan import EfficientGAN
from pyod_efficientgan.callbacks import HeldOutFlagSelection


def _flagged_share(detector, x_held_out, x_reference, flagged_share):
    threshold = np.quantile(detector.decision_function(x_reference), 1 - flagged_share)
    return float(np.mean(detector.decision_function(x_held_out) >= threshold))


@pytest.fixture(scope="module")
def selection_run(small_data):
    X_train, X_test = small_data[0].astype(np.float32), small_data[1].astype(np.float32)
    x_fit, x_held_out = X_train[:240], X_train[240:]
    selector = HeldOutFlagSelection(x_held_out, X_test, flagged_share=0.1, every_n_steps=15)
    # one BiGAN, as the KDD99 `select` configuration uses (with an ensemble the callback
    # probes the members' mean unstandardised score, not the detector's score)
    detector = EfficientGAN(epochs=40, preprocessing=None, n_estimators=1, random_state=0)
    detector.fit(x_fit, callbacks=[selector])
    return detector, selector, x_held_out, X_test


def test_extra_callbacks_see_the_detectors_model(small_data):
    import keras

    class Record(keras.callbacks.Callback):
        def on_train_begin(self, logs=None):
            self.model_seen = self.model

        def on_epoch_end(self, epoch, logs=None):
            self.epochs_seen = epoch + 1

    record = Record()
    detector = EfficientGAN(epochs=2, random_state=0).fit(small_data[0], callbacks=[record])
    assert record.model_seen is detector.model_
    assert record.epochs_seen == len(detector.history_["epoch"])


def test_selection_probes_every_n_steps_and_at_round_ends(selection_run):
    from pyod_efficientgan.training import MAX_STEPS_PER_EXECUTION

    detector, selector, _, _ = selection_run
    steps = [probe["step"] for probe in selector.probes_]
    total_steps = int(detector.model_.ema_steps.numpy())
    assert total_steps == 200  # 240 rows at batch 50: 5 steps an epoch, 40 epochs
    assert steps[-1] == total_steps  # the round ends with a probe
    # Probes come at the first call of the training function after every 15 steps.
    gaps = np.diff([0, *steps[:-1]])
    assert len(gaps) >= 3 and np.all(gaps >= 15) and np.all(gaps < 15 + MAX_STEPS_PER_EXECUTION)
    assert all(0.0 <= probe["flagged_held_out"] <= 1.0 for probe in selector.probes_)


def test_selection_restores_the_weights_of_the_lowest_share(selection_run):
    detector, selector, x_held_out, x_reference = selection_run
    shares = [probe["flagged_held_out"] for probe in selector.probes_]
    best = int(np.argmin(shares))
    assert selector.selected_step_ == selector.probes_[best]["step"]
    # The detector now scores with the selected weights: recomputing the share from
    # its decision_function gives the recorded minimum.
    assert _flagged_share(detector, x_held_out, x_reference, 0.1) == pytest.approx(shares[best])
    if best != len(shares) - 1:
        assert shares[best] < shares[-1]


def test_selection_never_keeps_non_finite_weights():
    import keras

    selector = HeldOutFlagSelection(np.zeros((4, 2)), np.zeros((10, 2)), 0.2, every_n_steps=1)
    variable = keras.Variable(np.zeros(3, dtype="float32"))
    selector._ema_weights = [variable]
    selector._last_probe_step, selector._best, selector.probes_ = 0, None, []

    class Model:
        # as the BiGAN's counter (an int variable must not be trainable on torch)
        ema_steps = keras.Variable(0, dtype="int32", trainable=False)

    selector.set_model(Model())
    outputs = iter([np.full(10, np.nan), np.full(4, np.nan), np.arange(10.0), np.zeros(4)])
    selector._score_function = lambda x: (next(outputs),)
    Model.ema_steps.assign(5)
    variable.assign(np.full(3, np.nan, dtype="float32"))
    selector._probe()  # NaN scores: share NaN, not kept
    Model.ema_steps.assign(10)
    variable.assign(np.ones(3, dtype="float32"))
    selector._probe()  # finite: every held-out row is below the threshold, share 0
    assert [probe["step"] for probe in selector.probes_] == [5, 10]
    assert math.isnan(selector.probes_[0]["flagged_held_out"])
    assert selector.probes_[1]["flagged_held_out"] == 0.0
    variable.assign(np.full(3, 7.0, dtype="float32"))
    selector.on_train_end()
    assert selector.selected_step_ == 10
    np.testing.assert_array_equal(variable.numpy(), np.ones(3))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(flagged_share=0.0, every_n_steps=10), "flagged_share"),
        (dict(flagged_share=1.0, every_n_steps=10), "flagged_share"),
        (dict(flagged_share=0.2, every_n_steps=0), "every_n_steps"),
    ],
)
def test_selection_rejects_bad_settings(kwargs, message):
    with pytest.raises(ValueError, match=message):
        HeldOutFlagSelection(np.zeros((2, 2)), np.zeros((2, 2)), **kwargs)
