"""Fitting from chunks: fit_chunks, the streamed scaler and the chunk sources."""

import math

import numpy as np
import pandas as pd
import pytest
from float32 import assert_float32_close
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from pyod_efficientgan import EfficientGAN
from pyod_efficientgan.scaleout.streaming import ChunkFiles

PARAMS = dict(epochs=2, batch_size=32, random_state=0)


def split(X, sizes=(100, 7, 150)):
    bounds = np.cumsum((0,) + sizes[:-1])
    return [X[start:stop] for start, stop in zip(bounds, list(bounds[1:]) + [len(X)])]


@pytest.fixture(scope="module")
def chunked(small_data):
    X = small_data[0]
    return EfficientGAN(**PARAMS).fit_chunks(split(X)), X


def test_scaler_has_the_statistics_of_the_full_data(chunked):
    detector, X = chunked
    full = StandardScaler().fit(X)
    np.testing.assert_allclose(detector.scaler_.mean_, full.mean_, rtol=1e-12)
    np.testing.assert_allclose(detector.scaler_.var_, full.var_, rtol=1e-10)
    np.testing.assert_allclose(detector.scaler_.scale_, full.scale_, rtol=1e-10)
    assert detector.scaler_.n_samples_seen_ == len(X)


@pytest.mark.slow
def test_minmax_scaler_is_exact(small_data):
    X = small_data[0]
    detector = EfficientGAN(preprocessing="minmax", epochs=1, random_state=0).fit_chunks(split(X))
    full = MinMaxScaler().fit(X)
    np.testing.assert_array_equal(detector.scaler_.data_min_, full.data_min_)
    np.testing.assert_array_equal(detector.scaler_.data_max_, full.data_max_)


def test_same_model_as_fit_when_the_buffer_holds_every_row(chunked):
    # A shuffle buffer of all rows draws the permutation that fit draws with the same seed.
    detector, X = chunked
    in_memory = EfficientGAN(**PARAMS).fit(X)
    np.testing.assert_allclose(detector.decision_scores_, in_memory.decision_scores_, rtol=1e-4)
    assert detector.threshold_ == pytest.approx(in_memory.threshold_, rel=1e-4)


def test_fitted_like_fit(chunked):
    detector, X = chunked
    assert detector.n_features_in_ == X.shape[1]
    steps_per_epoch = math.ceil(len(X) / PARAMS["batch_size"])
    for member in detector.model_.members:
        assert int(member.d_optimizer.iterations) == PARAMS["epochs"] * steps_per_epoch
    assert detector.history_["epoch"][-1] == PARAMS["epochs"] == detector.epochs_
    # decision_scores_ come from a streaming pass (in the stream's chunks) and are the scores of
    # the training rows, to float32 rounding (other chunks; see float32.py).
    assert_float32_close(detector.decision_scores_, detector.decision_function(X))
    assert detector.threshold_ == np.percentile(detector.decision_scores_, 90)
    np.testing.assert_array_equal(
        detector.labels_, (detector.decision_scores_ > detector.threshold_).astype(int)
    )
    assert np.std(detector.decision_scores_) > 0


def _sources(X, tmp_path):
    # TensorFlow is a dependency on every backend, and fit_chunks reads a tf.data.Dataset on
    # jax and torch too (as NumPy chunks), so the dataset sources are tested on all three.
    import tensorflow as tf

    np.save(tmp_path / "a.npy", X[:120])
    np.save(tmp_path / "b.npy", X[120:])
    columns = [f"f{i}" for i in range(X.shape[1])]
    parquet = tmp_path / "parquet"
    parquet.mkdir()
    pd.DataFrame(X, columns=columns).to_parquet(parquet / "rows.parquet", row_group_size=64)
    return {
        "npy folder": ChunkFiles(tmp_path, chunk_rows=50),
        "parquet": ChunkFiles(parquet / "rows.parquet", chunk_rows=64),
        "dataset of rows": tf.data.Dataset.from_tensor_slices(X),
        "dataset of batches": tf.data.Dataset.from_tensor_slices(X).batch(70),
        "callable": lambda: (X[i : i + 40] for i in range(0, len(X), 40)),
    }


SOURCES = ["npy folder", "parquet", "dataset of rows", "dataset of batches", "callable"]


@pytest.mark.parametrize("source", SOURCES)
def test_every_source_streams_the_rows_in_order(source, small_data, tmp_path):
    from pyod_efficientgan.scaleout.streaming import _chunk_source

    X = small_data[0]
    read = _chunk_source(_sources(X, tmp_path)[source])
    for _ in range(2):  # read again for every pass
        np.testing.assert_array_equal(np.concatenate([np.asarray(c) for c in read()]), X)


@pytest.mark.parametrize(
    "source",
    ["npy folder", "dataset of rows", pytest.param("parquet", marks=pytest.mark.slow)],
)
def test_sources_give_the_same_model(source, chunked, tmp_path):
    # The chunk boundaries differ, the stream of rows does not: the same seed gives the
    # same training, to the bit (the same batches in the same shapes; which also shows that
    # fit_chunks is reproducible). The training rows are scored in the source's chunks, so
    # the scores agree to float32 rounding (see float32.py).
    detector, X = chunked
    fitted = EfficientGAN(**PARAMS).fit_chunks(_sources(X, tmp_path)[source])
    np.testing.assert_allclose(fitted.scaler_.mean_, detector.scaler_.mean_, rtol=1e-12)
    for a, b in zip(fitted.model_.get_weights(), detector.model_.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert_float32_close(fitted.decision_scores_, detector.decision_scores_)
    if source == "parquet":
        assert list(fitted.feature_names_in_) == [f"f{i}" for i in range(X.shape[1])]


def test_rejects_a_one_shot_generator(small_data):
    chunks = (chunk for chunk in split(small_data[0]))
    with pytest.raises(TypeError, match="read only once"):
        EfficientGAN(epochs=1).fit_chunks(chunks)


def test_rejects_one_array(small_data):
    with pytest.raises(TypeError, match="use fit"):
        EfficientGAN(epochs=1).fit_chunks(small_data[0])


@pytest.mark.parametrize(
    "kwargs, chunks, match",
    [
        ({"validation_size": 0.2}, None, "validation_size=0"),
        ({}, [], "no rows"),
        ({}, "bad columns", "features"),
        ({}, "nan", "NaN"),
    ],
)
def test_bad_input(kwargs, chunks, match, small_data):
    X = small_data[0]
    if chunks is None:
        chunks = split(X)
    elif chunks == "bad columns":
        chunks = [X[:100], X[100:, :-1]]
    elif chunks == "nan":
        bad = X[100:].copy()
        bad[3, 2] = np.nan
        chunks = [X[:100], bad]
    with pytest.raises(ValueError, match=match):
        EfficientGAN(epochs=1, **kwargs).fit_chunks(chunks)


def test_rejects_a_bad_shuffle_buffer(small_data):
    with pytest.raises(ValueError, match="shuffle_buffer"):
        EfficientGAN(epochs=1).fit_chunks(split(small_data[0]), shuffle_buffer=0)


def test_chunk_files_validation(tmp_path):
    with pytest.raises(ValueError, match="no .npy or .parquet"):
        ChunkFiles(tmp_path)
    with pytest.raises(ValueError, match="reads .npy and .parquet"):
        ChunkFiles([tmp_path / "rows.csv"])


@pytest.mark.parametrize("kind", ["list", "callable"])
def test_an_empty_chunk_is_refused_naming_it(small_data, kind):
    X = small_data[0]
    chunks = [X[:100], X[100:100], X[100:]]
    source = chunks if kind == "list" else (lambda: iter(chunks))
    with pytest.raises(ValueError, match="fit_chunks: chunk 1 has no rows"):
        EfficientGAN(epochs=1).fit_chunks(source)


def test_a_chunks_validation_error_names_the_chunk(small_data):
    X = small_data[0]
    with pytest.raises(ValueError, match=r"fit_chunks: chunk 2: .*NaN"):
        bad = X[200:].copy()
        bad[0, 0] = np.nan
        EfficientGAN(epochs=1).fit_chunks([X[:100], X[100:200], bad])


@pytest.mark.parametrize("suffix", [".npy", ".parquet"])
def test_chunk_files_refuse_an_empty_file_naming_it(small_data, tmp_path, suffix):
    X = small_data[0]
    full, empty = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    if suffix == ".npy":
        np.save(full, X)
        np.save(empty, X[:0])
    else:
        columns = [f"f{i}" for i in range(X.shape[1])]
        pd.DataFrame(X, columns=columns).to_parquet(full)
        pd.DataFrame(X[:0], columns=columns).to_parquet(empty)
    with pytest.raises(ValueError, match=f"ChunkFiles: '.*b\\{suffix}' holds no rows"):
        EfficientGAN(epochs=1).fit_chunks(ChunkFiles(tmp_path, chunk_rows=100))
