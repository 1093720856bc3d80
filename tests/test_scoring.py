"""Score functions against values computed by hand."""

import numpy as np
import pytest
from keras import ops

from pyod_efficientgan.losses import (
    combine_scores,
    discriminator_cross_entropy,
    feature_matching_distance,
    reconstruction_error,
    row_norm,
)


def as_numpy(tensor):
    return np.asarray(ops.convert_to_numpy(tensor))


def test_row_norm_l1_and_l2():
    difference = np.array([[3.0, -4.0], [0.0, 0.0], [-1.0, 1.0]], dtype=np.float32)
    np.testing.assert_allclose(as_numpy(row_norm(difference, 1)), [7.0, 0.0, 2.0])
    np.testing.assert_allclose(
        as_numpy(row_norm(difference, 2)), [5.0, 0.0, np.sqrt(2.0)], rtol=1e-6
    )


def test_row_norm_rejects_other_orders():
    with pytest.raises(ValueError, match="norm must be 1 or 2"):
        row_norm(np.ones((2, 2)), 3)


def test_reconstruction_error_is_norm_of_difference():
    x = np.array([[1.0, 2.0, 3.0]], dtype=np.float32)
    x_reconstructed = np.array([[0.0, 2.5, 3.0]], dtype=np.float32)
    np.testing.assert_allclose(as_numpy(reconstruction_error(x, x_reconstructed, 1)), [1.5])
    np.testing.assert_allclose(
        as_numpy(reconstruction_error(x, x_reconstructed, 2)), [np.sqrt(1.25)], rtol=1e-6
    )


def test_cross_entropy_against_label_one():
    logits = np.array([[0.0], [2.0], [-3.0]], dtype=np.float32)
    expected = -np.log(1.0 / (1.0 + np.exp(-logits.ravel())))
    np.testing.assert_allclose(as_numpy(discriminator_cross_entropy(logits)), expected, rtol=1e-6)
    assert as_numpy(discriminator_cross_entropy(logits))[0] == pytest.approx(np.log(2.0))


def test_cross_entropy_is_stable_for_large_logits():
    values = as_numpy(discriminator_cross_entropy(np.array([-200.0, 200.0], dtype=np.float32)))
    np.testing.assert_allclose(values, [200.0, 0.0], atol=1e-6)


def test_feature_matching_distance():
    real = np.array([[1.0, 1.0], [0.0, 2.0]], dtype=np.float32)
    reconstructed = np.array([[1.0, 0.0], [3.0, -2.0]], dtype=np.float32)
    np.testing.assert_allclose(
        as_numpy(feature_matching_distance(real, reconstructed, 1)), [1.0, 7.0]
    )
    np.testing.assert_allclose(
        as_numpy(feature_matching_distance(real, reconstructed, 2)), [1.0, 5.0]
    )


@pytest.mark.parametrize(
    "alpha, expected", [(0.9, [0.9 * 2 + 0.1 * 10]), (0.0, [10.0]), (1.0, [2.0])]
)
def test_combine_scores(alpha, expected):
    combined = combine_scores(np.array([2.0]), np.array([10.0]), alpha)
    np.testing.assert_allclose(as_numpy(combined), expected, rtol=1e-6)
