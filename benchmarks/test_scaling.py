"""Scores per second: a 2-worker Dask LocalCluster against in-process scoring.

Run with ``tox -e scaling`` (or ``pytest benchmarks/test_scaling.py -s``). One
detector (default networks, one epoch on 10,000 rows) scores the same
``SCALE_ROWS`` rows (default 10,000,000) x 20 float32 features twice:

* in process: ``detector.decision_function(X)`` on a NumPy array, TensorFlow
  with ``TF_NUM_INTRAOP_THREADS`` threads (default: all cores);
* on a ``LocalCluster`` of 2 worker processes with 1 TensorFlow thread each:
  :func:`pyod_efficientgan.scaleout.dask_scoring.decision_function` on the same rows,
  held by the workers beforehand (``persist``), so only scoring and returning
  the scores to the client are timed.

Both use the same cores, so the ratio shows the cost (or gain) of the Dask
path, not of more hardware. The scores of both paths must be equal. Nothing
here asserts a time; the figures are printed and written to
``$SCALING_OUT`` (default ``bench-out/scaling.md``).
"""

import datetime
import os
import platform
import time

import numpy as np
import pytest

N_ROWS = int(float(os.environ.get("SCALE_ROWS", "10000000")))
N_FEATURES = 20
CHUNK_ROWS = 500_000
SEED = 0

pytest.importorskip("distributed")


def rows():
    import dask.array as da

    chunks = (min(CHUNK_ROWS, N_ROWS), N_FEATURES)
    return da.random.default_rng(SEED).standard_normal(
        (N_ROWS, N_FEATURES), chunks=chunks, dtype=np.float32
    )


def test_scores_per_second(publish_report):
    import distributed

    from pyod_efficientgan import EfficientGAN
    from pyod_efficientgan.scaleout.dask_scoring import decision_function

    load_before = os.getloadavg()
    training = np.random.default_rng(SEED + 1).standard_normal((10_000, N_FEATURES))
    detector = EfficientGAN(epochs=1, random_state=SEED).fit(training)

    X = rows().compute()
    detector.decision_function(X[:1000])  # trace the scoring function
    start = time.perf_counter()
    in_process = detector.decision_function(X)
    in_process_s = time.perf_counter() - start
    del X

    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",
            env={"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"},
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        X_dask = client.persist(rows())
        distributed.wait(X_dask)
        # Warm-up: ship the detector and trace its scoring function on every worker.
        decision_function(detector, X_dask[: 2 * 1000].rechunk(1000), client).compute()
        start = time.perf_counter()
        on_cluster = decision_function(detector, X_dask, client).compute()
        cluster_s = time.perf_counter() - start

    np.testing.assert_array_equal(on_cluster, in_process)
    figures = {
        "in process": N_ROWS / in_process_s,
        "2-worker LocalCluster": N_ROWS / cluster_s,
    }
    lines = [
        f"# Scoring {N_ROWS:,} rows x {N_FEATURES} features",
        "",
        f"{datetime.date.today()}, {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} cores, load average before {load_before[0]:.2f}, "
        f"in-process TF_NUM_INTRAOP_THREADS={os.environ.get('TF_NUM_INTRAOP_THREADS', 'all')}",
        "",
        "| path | seconds | rows per second | ratio to in process |",
        "|---|---:|---:|---:|",
        f"| in process | {in_process_s:.1f} | {figures['in process']:,.0f} | 1.00 |",
        f"| 2-worker LocalCluster | {cluster_s:.1f} | {figures['2-worker LocalCluster']:,.0f} | "
        f"{figures['2-worker LocalCluster'] / figures['in process']:.2f} |",
    ]
    publish_report("\n".join(lines), "SCALING_OUT", "scaling.md")
