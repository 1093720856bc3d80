"""predict_proba: PyOD's two methods, and "unify" finite when every training score is the same."""

import numpy as np
import pytest
from pyod.models.base import BaseDetector

from pyod_efficientgan import EfficientGAN


@pytest.mark.parametrize("method", ["linear", "unify"])
def test_probabilities_are_pyods_when_training_scores_differ(quick_fitted, small_data, method):
    X_test = small_data[1]
    probabilities, confidence = quick_fitted.predict_proba(X_test, method, return_confidence=True)
    expected, expected_confidence = BaseDetector.predict_proba(
        quick_fitted, X_test, method, return_confidence=True
    )
    np.testing.assert_array_equal(probabilities, expected)
    np.testing.assert_array_equal(confidence, expected_confidence)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)


def test_unify_is_finite_when_every_training_score_is_the_same():
    X = np.ones((60, 3))
    detector = EfficientGAN(epochs=1, n_estimators=1, random_state=0).fit(X)
    assert np.ptp(detector.decision_scores_) == 0  # PyOD's formula divides by this std
    above = 10 * np.ones((1, 3))
    assert detector.decision_function(above)[0] > detector.decision_scores_[0]
    probabilities = detector.predict_proba(np.vstack([X[:2], above]), method="unify")
    assert np.isfinite(probabilities).all()
    np.testing.assert_array_equal(probabilities[:, 1], [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(probabilities[:, 0], [1.0, 1.0, 0.0])


def test_an_unknown_method_is_refused(quick_fitted, small_data):
    with pytest.raises(ValueError, match="not a valid probability conversion method"):
        quick_fitted.predict_proba(small_data[1], method="softmax")
