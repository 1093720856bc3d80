"""How scoring pads its chunks: few row counts, and little padding for few wide rows.

Scoring one row of 100,000 columns once padded it to 1,024 rows (782 MB); a small chunk is
now padded to a power of two of rows, no fewer than :data:`chunks.PAD_VALUES` allow, and a
row's score does not depend on the padding, to float32 rounding.
"""

import numpy as np
import pytest
from float32 import assert_float32_close

from pyod_efficientgan import EfficientGAN, chunks


def recording(shapes):
    """A function of a chunk that records its padded shape and returns each row's sum."""

    def function(x):
        shapes.append(x.shape)
        return x.sum(axis=1, dtype=np.float64)

    return function


@pytest.mark.parametrize(
    ("n_rows", "n_features", "batch_size", "expected"),
    [
        (1, 100_000, 16384, [8]),  # 8 rows of 100,000 float32 values are PAD_VALUES
        (3, 100_000, 16384, [8]),
        (9, 100_000, 16384, [16]),
        (700, 100_000 // 200, 16384, [1024]),  # more rows than a power of two below 1024
        (1, 6, 16384, [1024]),  # narrow rows: as many as before
        (1500, 6, 16384, [2048]),
        (250, 6, 100, [100, 100, 100]),  # score_batch_size below the alignment
        (2500, 6, 1024, [1024, 1024, 1024]),
    ],
)
def test_chunks_are_padded_to_few_row_counts(n_rows, n_features, batch_size, expected):
    rows = np.random.default_rng(0).normal(size=(n_rows, n_features)).astype(np.float32)
    shapes = []
    (sums,) = chunks.map_chunks(recording(shapes), rows, batch_size)
    assert shapes == [(length, n_features) for length in expected]
    np.testing.assert_array_equal(sums, rows.sum(axis=1, dtype=np.float64))


def test_one_wide_row_is_scored_in_a_small_batch(monkeypatch):
    n_features = 100_000
    X = np.random.default_rng(1).normal(size=(20, n_features))
    detector = EfficientGAN(
        epochs=1,
        n_estimators=1,
        latent_dim=2,
        encoder_units=(4,),
        generator_units=(4,),
        discriminator_units=(4, 4),
        random_state=0,
    ).fit(X)
    shapes = []
    pad_rows = chunks.pad_rows

    def recorded(x, length):
        padded = pad_rows(x, length)
        shapes.append(padded.shape)
        return padded

    monkeypatch.setattr(chunks, "pad_rows", recorded)
    one = detector.decision_function(X[3:4])
    assert shapes == [(8, n_features)]
    assert one.shape == (1,) and np.isfinite(one).all()


def test_a_rows_score_does_not_depend_on_the_padding(quick_fitted, small_data, monkeypatch):
    # without the floor every chunk below 1024 rows is padded to a power of two of its rows
    monkeypatch.setattr(chunks, "PAD_VALUES", 1, raising=False)
    X = np.concatenate([small_data[1] + 0.01 * k for k in range(25)])  # 2,500 distinct rows
    shapes = []
    pad_rows = chunks.pad_rows

    def recorded(x, length):
        padded = pad_rows(x, length)
        shapes.append(padded.shape[0])
        return padded

    monkeypatch.setattr(chunks, "pad_rows", recorded)
    expected = quick_fitted.decision_function(X)
    assert shapes == [3072]
    for start, stop, padded in [(5, 6, 1), (40, 43, 4), (1000, 2000, 1024)]:
        shapes.clear()
        assert_float32_close(quick_fitted.decision_function(X[start:stop]), expected[start:stop])
        assert shapes == [padded]
