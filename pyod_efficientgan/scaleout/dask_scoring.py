"""Out-of-core scoring of Dask collections on a ``dask.distributed`` cluster.

:func:`decision_function` ships the fitted detector to the workers once and
maps :meth:`EfficientGAN.decision_function
<pyod_efficientgan.EfficientGAN.decision_function>` over the row blocks of a
Dask array or the partitions of a Dask DataFrame. Scoring is row by row, so
the scores equal those of in-memory scoring, in the same order.

The workers must have ``pyod-efficientgan`` installed (the detector is sent
as a pickle, which rebuilds the networks from their weights). Dask is an
optional dependency: ``pip install "pyod-efficientgan[scale]"``.

Examples
--------
>>> from dask.distributed import Client                    # doctest: +SKIP
>>> import dask.dataframe as dd                              # doctest: +SKIP
>>> from pyod_efficientgan.scaleout.dask_scoring import decision_function
>>> client = Client("tcp://scheduler:8786")                 # doctest: +SKIP
>>> frame = dd.read_parquet("s3://bucket/rows/")             # doctest: +SKIP
>>> scores = decision_function(detector, frame, client)     # doctest: +SKIP
>>> scores.to_frame("score").to_parquet("s3://bucket/scores/")  # doctest: +SKIP
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted


def _score_block(block, detector):
    """Score one row block of a Dask array."""
    return detector.decision_function(block)


def _score_partition(partition, detector):
    """Score one partition of a Dask DataFrame, keeping its index."""
    import pandas as pd

    scores = detector.decision_function(partition) if len(partition) else np.empty(0)
    return pd.Series(scores, index=partition.index, name="score", dtype=np.float64)


def _shipped(detector, client):
    """The detector as one object on the cluster, sent to every worker once."""
    if client is not None:
        return client.scatter(detector, broadcast=True, hash=False)
    import dask

    return dask.delayed(detector, pure=False, traverse=False)


def decision_function(detector, X, client=None):
    """Score a Dask array or DataFrame lazily with a fitted detector.

    Parameters
    ----------
    detector : EfficientGAN
        A fitted detector.
    X : dask.array.Array of shape (n_samples, n_features) or dask.dataframe.DataFrame
        Rows to score. An array may be chunked along the rows only; chunks
        along the columns are joined first. A DataFrame needs the columns
        the detector was fitted on.
    client : distributed.Client or None, default=None
        The cluster to ship the detector to (``client.scatter(...,
        broadcast=True)``: once per worker, before any task runs). None uses
        ``dask.delayed``, which puts the detector into the graph once and
        suits Dask's local schedulers.

    Returns
    -------
    scores : dask.array.Array of shape (n_samples,) or dask.dataframe.Series
        Lazy float64 scores, aligned with the rows (a Series keeps the
        DataFrame's index and is named ``"score"``). Call ``.compute()``,
        or write them out with ``to_zarr`` / ``to_parquet``.

    Raises
    ------
    sklearn.exceptions.NotFittedError
        If the detector is not fitted.
    TypeError
        If ``X`` is not a Dask array or DataFrame.
    ValueError
        If ``X`` does not have the detector's number of columns.
    """
    import dask.array as da
    import dask.dataframe as dd

    check_is_fitted(detector, ["model_", "decision_scores_"])
    if isinstance(X, da.Array):
        if X.ndim != 2 or X.shape[1] != detector.n_features_in_:
            raise ValueError(
                f"X has shape {X.shape}; the detector was fitted on "
                f"{detector.n_features_in_} features."
            )
        if len(X.chunks[1]) > 1:
            X = X.rechunk({1: -1})
        return X.map_blocks(
            _score_block,
            _shipped(detector, client),
            drop_axis=1,
            dtype=np.float64,
            meta=np.empty((0,), dtype=np.float64),
        )
    if isinstance(X, dd.DataFrame):
        if len(X.columns) != detector.n_features_in_:
            raise ValueError(
                f"X has {len(X.columns)} columns; the detector was fitted on "
                f"{detector.n_features_in_} features."
            )
        import pandas as pd

        return X.map_partitions(
            _score_partition,
            _shipped(detector, client),
            meta=pd.Series(dtype=np.float64, name="score"),
        )
    raise TypeError(
        f"decision_function takes a dask.array.Array or dask.dataframe.DataFrame; got "
        f"{type(X).__name__}. Use detector.decision_function for in-memory data."
    )
