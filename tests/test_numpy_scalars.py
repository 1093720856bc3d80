"""NumPy scalars work wherever the Python number does; bools are refused for int parameters."""

import pickle

import numpy as np
import pytest
from tiny import TINY

from pyod_efficientgan import EfficientGAN
from pyod_efficientgan.scaleout.streaming import ChunkFiles


@pytest.fixture(scope="module")
def numpy_fit(small_data):
    return EfficientGAN(
        **{
            **TINY,
            "contamination": np.float32(0.1),
            "learning_rate": np.float32(1e-3),
            "verbose": np.False_,
            "batch_size": np.int64(32),
            "epochs": np.int64(1),
            "patience": np.int32(3),
            "score_batch_size": np.int64(64),
            "n_estimators": np.int64(1),
        }
    ).fit(small_data[0])


def test_numpy_scalar_parameters_fit_like_python_numbers(numpy_fit, small_data):
    python_fit = EfficientGAN(**{**TINY, "batch_size": 32}).fit(small_data[0])
    np.testing.assert_allclose(
        numpy_fit.decision_scores_, python_fit.decision_scores_, rtol=1e-5, atol=1e-6
    )
    # contamination=np.float32(0.1) is a share, not a thresholder
    assert numpy_fit.labels_.mean() == pytest.approx(0.1, abs=0.01)
    # float(np.float32(1e-3)) is not 1e-3: equal to float32 rounding, not bit-identical
    assert numpy_fit.threshold_ == pytest.approx(python_fit.threshold_, rel=1e-5)
    scores = numpy_fit.decision_function(small_data[1])
    np.testing.assert_array_equal(numpy_fit.predict(small_data[1]), scores > numpy_fit.threshold_)
    confidence = numpy_fit.predict_confidence(small_data[1])
    assert np.all((confidence >= 0) & (confidence <= 1))
    assert type(numpy_fit.contamination) is np.float32  # the parameter is as given


def test_numpy_scalar_parameters_save_load_and_pickle(numpy_fit, small_data, tmp_path):
    numpy_fit.set_params(verbose=np.True_)
    try:
        numpy_fit.save(tmp_path / "d.egan")
        loaded = EfficientGAN.load(tmp_path / "d.egan")
        assert loaded.verbose is True and type(loaded.contamination) is float
        copied = pickle.loads(pickle.dumps(numpy_fit))
    finally:
        numpy_fit.set_params(verbose=np.False_)
    expected = numpy_fit.decision_function(small_data[1])
    np.testing.assert_array_equal(loaded.decision_function(small_data[1]), expected)
    np.testing.assert_array_equal(copied.decision_function(small_data[1]), expected)


def test_chunk_files_take_a_numpy_int(tmp_path, small_data):
    np.save(tmp_path / "rows.npy", small_data[0])
    files = ChunkFiles(tmp_path / "rows.npy", chunk_rows=np.int64(100))
    assert [len(chunk) for chunk in files] == [100, 100, 100]
    with pytest.raises(ValueError, match="chunk_rows must be a positive int"):
        ChunkFiles(tmp_path / "rows.npy", chunk_rows=True)
    detector = EfficientGAN(**TINY).fit_chunks(files, shuffle_buffer=np.int64(50))
    assert detector.decision_scores_.shape == (300,)


@pytest.mark.parametrize(
    "name", ["batch_size", "latent_dim", "n_estimators", "epochs", "patience", "score_batch_size"]
)
@pytest.mark.parametrize("value", [True, np.True_])
def test_bools_are_refused_for_int_parameters(small_data, name, value):
    with pytest.raises(ValueError, match=f"The '{name}' parameter of EfficientGAN must be an int"):
        EfficientGAN(**{**TINY, name: value}).fit(small_data[0])


def test_bool_score_parameter_after_fit_is_refused(numpy_fit, small_data):
    numpy_fit.set_params(norm=True)
    try:
        with pytest.raises(ValueError, match="The 'norm' parameter of EfficientGAN must be an int"):
            numpy_fit.decision_function(small_data[1])
    finally:
        numpy_fit.set_params(norm=2)
