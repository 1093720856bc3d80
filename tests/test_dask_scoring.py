"""Scoring Dask arrays and DataFrames on a LocalCluster: the in-memory scores, to float32 rounding.

Dask partitions put a row at another position in another chunk, so the scores agree to float32
rounding (``float32.py``), not to the bit.
"""

import dask.array as da
import dask.dataframe as dd
import distributed
import numpy as np
import pandas as pd
import pytest
from float32 import assert_float32_close

from pyod_efficientgan import EfficientGAN
from pyod_efficientgan.scaleout.dask_scoring import decision_function


@pytest.fixture(scope="module")
def scored(quick_fitted, small_data):
    X = np.concatenate([small_data[1]] * 20)  # 2000 rows
    return quick_fitted, X, quick_fitted.decision_function(X)


@pytest.fixture(scope="module")
def client():
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


@pytest.mark.parametrize("chunks", [(2000, 6), (333, 6), (500, 2)])
def test_array_scores_equal_in_memory_scores(chunks, scored, client):
    detector, X, expected = scored
    scores = decision_function(detector, da.from_array(X, chunks=chunks), client)
    assert scores.shape == (len(X),)
    assert_float32_close(scores.compute(), expected)


def test_dataframe_scores_keep_the_index(scored, client):
    detector, X, expected = scored
    frame = pd.DataFrame(X, index=np.arange(len(X)) * 10 + 5)
    scores = decision_function(detector, dd.from_pandas(frame, npartitions=7), client).compute()
    assert scores.name == "score"
    np.testing.assert_array_equal(scores.index, frame.index)
    assert_float32_close(scores.to_numpy(), expected)


def test_without_a_client_uses_the_local_scheduler(scored):
    detector, X, expected = scored
    scores = decision_function(detector, da.from_array(X, chunks=700)).compute(scheduler="threads")
    assert_float32_close(scores, expected)


def test_bad_input(scored):
    detector, X, _ = scored
    with pytest.raises(ValueError, match="fitted on 6 features"):
        decision_function(detector, da.from_array(X[:, :5]))
    with pytest.raises(TypeError, match="dask.array.Array or dask.dataframe.DataFrame"):
        decision_function(detector, X)
    with pytest.raises(Exception, match="not fitted"):
        decision_function(EfficientGAN(), da.from_array(X))


@pytest.mark.slow
def test_worker_processes_get_the_pickled_detector(scored):
    # Separate worker processes: the detector travels as a pickle and is rebuilt there.
    detector, X, expected = scored
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        scores = decision_function(detector, da.from_array(X, chunks=250), client).compute()
        frame = dd.from_pandas(pd.DataFrame(X), npartitions=3)
        frame_scores = decision_function(detector, frame, client).compute()
    assert_float32_close(scores, expected)
    assert_float32_close(frame_scores.to_numpy(), expected)
