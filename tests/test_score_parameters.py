"""Score parameters set after fit are checked where scoring reads them."""

import copy

import numpy as np
import pytest
from tiny import tiny


@pytest.fixture(scope="module")
def fitted(small_data):
    return tiny(epochs=2).fit(small_data[0])


SCORING = {
    "decision_function": lambda d, X: d.decision_function(X),
    "predict": lambda d, X: d.predict(X),
    "predict_proba": lambda d, X: d.predict_proba(X),
    "score_components": lambda d, X: d.score_components(X),
    "explain": lambda d, X: d.explain(X),
}


@pytest.mark.parametrize("call", list(SCORING), ids=list(SCORING))
@pytest.mark.parametrize(
    "name, value, expected",
    [
        ("score_batch_size", -5, "an int in the range"),
        ("score_batch_size", 0, "an int in the range"),
        ("score_batch_size", 2.5, "an int in the range"),
        ("norm", 1.5, "an int in the range"),
        ("norm", 3, "an int in the range"),
        ("score_method", "x", "a str among"),
        ("alpha", 2.0, "a float in the range"),
        ("alpha", "0.5", "a float in the range"),
    ],
)
def test_bad_score_parameter_after_fit_is_refused_where_it_acts(
    fitted, small_data, call, name, value, expected
):
    detector = copy.deepcopy(fitted)
    detector.set_params(**{name: value})
    message = f"The '{name}' parameter of EfficientGAN must be {expected}.*Got {value!r}"
    with pytest.raises(ValueError, match=message):
        SCORING[call](detector, small_data[1])


def test_valid_score_parameters_after_fit_still_score(fitted, small_data):
    detector = copy.deepcopy(fitted)
    detector.set_params(score_batch_size=np.int64(7), norm=1, alpha=np.float32(0.5))
    scores = detector.decision_function(small_data[1])
    assert scores.shape == (len(small_data[1]),) and np.all(np.isfinite(scores))
