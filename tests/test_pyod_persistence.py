"""PyOD's own persistence (``pyod.utils.persistence.save``/``load``) round-trips EfficientGAN.

PyOD's persistence sweep leaves out its torch detectors; EfficientGAN pickles its
plain state (``restore.detector_state``: parameters, fitted attributes, NumPy weights) and
rebuilds from it on unpickling (``restore.from_state``, as ``EfficientGAN.load`` does),
so PyOD's joblib envelope works for it. The module came with PyOD 3.5; ``load``
asks for ``trusted=True`` in later releases.
"""

import inspect

import numpy as np
import pytest

from pyod_efficientgan import EfficientGAN
from pyod_efficientgan.restore import detector_state as to_state

persistence = pytest.importorskip("pyod.utils.persistence", reason="PyOD < 3.5 has no persistence")

SMALL = dict(
    latent_dim=4,
    encoder_units=(16,),
    generator_units=(16,),
    discriminator_units=(16, 16),
    epochs=3,
    random_state=0,
)


def _load(path):
    if "trusted" in inspect.signature(persistence.load).parameters:
        return persistence.load(path, trusted=True)
    return persistence.load(path)


@pytest.fixture(scope="module")
def small_detector(small_data):
    X_train, _, _, _ = small_data
    return EfficientGAN(**SMALL).fit(X_train)


def test_pyod_save_and_trusted_load_give_identical_scores(small_detector, small_data, tmp_path):
    _, X_test, _, _ = small_data
    path = tmp_path / "egan.joblib"
    persistence.save(small_detector, path)
    loaded = _load(path)
    assert type(loaded) is EfficientGAN
    np.testing.assert_array_equal(
        loaded.decision_function(X_test), small_detector.decision_function(X_test)
    )
    np.testing.assert_array_equal(loaded.predict(X_test), small_detector.predict(X_test))
    assert loaded.threshold_ == small_detector.threshold_
    assert loaded.get_params() == small_detector.get_params()
    assert to_state(loaded).keys() == to_state(small_detector).keys()
    for a, b in zip(loaded.model_.get_weights(), small_detector.model_.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_pyod_load_refuses_without_trusted(small_detector, tmp_path):
    if "trusted" not in inspect.signature(persistence.load).parameters:
        pytest.skip("this PyOD's load() has no trusted= argument")
    path = tmp_path / "egan.joblib"
    persistence.save(small_detector, path)
    with pytest.raises(Exception, match="trusted"):
        persistence.load(path)
