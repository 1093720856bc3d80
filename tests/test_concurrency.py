"""Fits of one detector from several threads: serialised, and swapped in at their end.

A refit builds its fitted state on the side, so until it ends the old fit keeps scoring with its
width; two fits of one instance take turns, so the detector is always one fit's, whole. The
threads are ordered with events (a callback that blocks a fit mid-training), never by timing.
"""

import copy
import pickle
import threading

import keras
import numpy as np
import pytest
from sklearn.base import clone
from tiny import tiny

WAIT = 120
"""Seconds a thread waits for an event that must come; only a hang reaches it."""


def two_epochs(**params):
    """A quick detector that trains two rounds, so a fit can be held after its first."""
    return tiny(epochs=2, **params)


class AtEpochEnd(keras.callbacks.Callback):
    """Calls ``action`` at the end of the first round of training."""

    def __init__(self, action):
        super().__init__()
        self.action = action
        self.done = False

    def on_epoch_end(self, epoch, logs=None):
        if not self.done:
            self.done = True
            self.action()


def in_thread(function, errors):
    def run():
        try:
            function()
        except BaseException as error:  # re-raised by the test
            errors.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def assert_consistent(detector, rows_by_width):
    """The fitted attributes are those of one fit: width, scaler, model and training scores."""
    n = detector.n_features_in_
    assert detector.scaler_.n_features_in_ == n
    assert all(member.encoder.input_shape[-1] == n for member in detector.model_.members)
    assert len(detector.decision_scores_) == len(rows_by_width[n]) == len(detector.labels_)


def test_the_old_fit_scores_with_its_width_until_a_refit_ends(small_data):
    X5, X5_test = small_data[0][:, :5], small_data[1][:, :5]
    X4, X4_test = small_data[0][:200, :4], small_data[1][:, :4]
    detector = two_epochs().fit(X5)
    before = detector.decision_function(X5_test)
    training, release, errors = threading.Event(), threading.Event(), []

    def block():
        training.set()
        release.wait(WAIT)

    refit = in_thread(lambda: detector.fit(X4, callbacks=[AtEpochEnd(block)]), errors)
    try:
        assert training.wait(WAIT), errors
        # the refit is training on 4 columns: the old fit still scores 5, and refuses 4
        np.testing.assert_array_equal(detector.decision_function(X5_test), before)
        assert detector.n_features_in_ == 5 and len(detector.decision_scores_) == 300
        with pytest.raises(ValueError, match="5 features"):
            detector.decision_function(X4_test)
    finally:
        release.set()
        refit.join(WAIT)
    assert not errors, errors
    assert_consistent(detector, {5: X5, 4: X4})
    assert detector.n_features_in_ == 4
    assert np.isfinite(detector.decision_function(X4_test)).all()
    with pytest.raises(ValueError, match="4 features"):
        detector.decision_function(X5_test)


def test_two_fits_of_one_detector_on_different_widths_take_turns(small_data):
    X5, X4 = small_data[0][:, :5], small_data[0][:200, :4]
    rows_by_width = {5: X5, 4: X4}
    detector = tiny(epochs=4)
    first_training, second_training, first_done = (threading.Event() for _ in range(3))
    errors, seen_after_first = [], []

    def first_waits():
        first_training.set()
        # unserialised, the second fit would train now (and set its width); serialised, it
        # waits for this one, and so this wait ends without it
        second_training.wait(5)

    def second_waits():
        second_training.set()
        first_done.wait(WAIT)

    def first():
        try:
            detector.fit(X5, callbacks=[AtEpochEnd(first_waits)])
            seen_after_first.append(
                (
                    detector.n_features_in_,
                    detector.scaler_.n_features_in_,
                    detector.model_.members[0].encoder.input_shape[-1],
                    len(detector.decision_scores_),
                )
            )
        finally:
            first_done.set()

    def second():
        assert first_training.wait(WAIT)
        detector.fit(X4, callbacks=[AtEpochEnd(second_waits)])

    threads = [in_thread(first, errors), in_thread(second, errors)]
    for thread in threads:
        thread.join(WAIT)
    assert not errors, errors
    # when the first fit returned, the detector was its fit, whole
    assert seen_after_first == [(5, 5, 5, 300)]
    # the second fit ran after it, and the detector is now that fit, whole
    assert_consistent(detector, rows_by_width)
    assert detector.n_features_in_ == 4
    assert np.isfinite(detector.decision_function(small_data[1][:, :4])).all()


def test_the_fit_lock_is_no_attribute(small_data):
    detector = two_epochs().fit(small_data[0])
    expected = detector.decision_function(small_data[1])
    assert not any("lock" in name.lower() for name in vars(detector))
    assert set(detector.get_params()) == set(tiny().get_params())
    for other in (
        pickle.loads(pickle.dumps(detector)),
        copy.deepcopy(detector),
    ):
        np.testing.assert_array_equal(other.decision_function(small_data[1]), expected)
        other.fit(small_data[0][:100])  # a copy fits with a lock of its own
    assert clone(detector).get_params() == detector.get_params()
    np.testing.assert_array_equal(detector.decision_function(small_data[1]), expected)
