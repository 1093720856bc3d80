"""Global Keras dtype settings change neither fits nor scores: the detector computes in float32.

``keras.config.set_floatx("float16")`` and the ``"mixed_float16"`` policy are process-wide; a
detector fitted or loaded under them must score as one fitted under the defaults (the networks,
their inputs, trackers, latent noise and learning rate are float32 explicitly). Each case sets
the global value and restores it afterwards, also when the test fails.
"""

import keras
import numpy as np
import pytest
from float32 import assert_float32_close

from pyod_efficientgan import EfficientGAN


def detector():
    return EfficientGAN(epochs=2, random_state=0)


@pytest.fixture(scope="module")
def float32_fit(small_data, tmp_path_factory):
    """Training scores, test scores and a saved file of a fit under the default settings."""
    assert keras.config.floatx() == "float32"
    assert keras.config.dtype_policy().name == "float32"
    fitted = detector().fit(small_data[0])
    path = tmp_path_factory.mktemp("dtype") / "float32.zip"
    fitted.save(path)
    return fitted.decision_scores_, fitted.decision_function(small_data[1]), path


def set_floatx_float16():
    keras.config.set_floatx("float16")
    return lambda: keras.config.floatx() == "float16"


def set_mixed_float16():
    keras.mixed_precision.set_global_policy("mixed_float16")
    return lambda: keras.config.dtype_policy().name == "mixed_float16"


@pytest.fixture(params=[set_floatx_float16, set_mixed_float16], ids=["floatx", "mixed"])
def global_dtype(request):
    """A global dtype setting in effect for the test, restored after it whatever happens.

    Yields a callable telling whether the setting is still the one made.
    """
    floatx, policy = keras.config.floatx(), keras.config.dtype_policy().name
    try:
        yield request.param()
    finally:
        keras.config.set_floatx(floatx)
        keras.mixed_precision.set_global_policy(policy)


def test_a_fit_under_a_global_dtype_setting_scores_as_in_float32(
    float32_fit, global_dtype, small_data
):
    train_scores, test_scores, _ = float32_fit
    fitted = detector().fit(small_data[0])
    assert global_dtype()  # the detector left the global setting alone
    assert {variable.dtype for variable in fitted.model_.weights} <= {"float32", "int32"}
    assert_float32_close(fitted.decision_scores_, train_scores)
    assert_float32_close(fitted.decision_function(small_data[1]), test_scores)
    assert all(np.isfinite(fitted.history_["d_loss"]))


def test_a_file_loaded_under_a_global_dtype_setting_scores_as_in_float32(
    float32_fit, global_dtype, small_data
):
    _, test_scores, path = float32_fit
    loaded = EfficientGAN.load(path)
    assert global_dtype()
    assert_float32_close(loaded.decision_function(small_data[1]), test_scores)
    generator_loss, discriminator_loss = loaded.score_components(small_data[1])
    assert_float32_close(
        loaded.alpha * generator_loss + (1 - loaded.alpha) * discriminator_loss, test_scores
    )
