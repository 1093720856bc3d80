"""Training under tf.distribute with two logical CPU devices (in a subprocess).

tf.distribute trains only on the TensorFlow backend: those checks are skipped on the others,
where ``fit`` inside a strategy's scope must refuse with a clear error instead.
"""

import json
import os
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
import pytest

from pyod_efficientgan import EfficientGAN, backends
from pyod_efficientgan.scaleout.distribute import check_backend

TENSORFLOW_ONLY = pytest.mark.skipif(
    backends.name() != "tensorflow",
    reason="tf.distribute trains with KERAS_BACKEND=tensorflow only",
)
NOT_TENSORFLOW = pytest.mark.skipif(
    backends.name() == "tensorflow", reason="on TensorFlow a strategy's scope trains data-parallel"
)

SCRIPT = Path(__file__).with_name("distributed_check.py")

OFF_PLANE_FIT = """
import json

import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()]
)

from sklearn.metrics import roc_auc_score  # noqa: E402

from pyod_efficientgan import EfficientGAN  # noqa: E402
from synthetic import FAST, l1_norm_roc, off_plane_data, untrained_roc  # noqa: E402

X_train, X_test, _, y_test = off_plane_data()
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
with strategy.scope():
    detector = EfficientGAN(**FAST).fit(X_train)
print(json.dumps({
    "replicas": strategy.num_replicas_in_sync,
    "roc_distributed": float(roc_auc_score(y_test, detector.decision_function(X_test))),
    "roc_l1_norm": float(l1_norm_roc(X_train, X_test, y_test)),
    "roc_untrained": float(untrained_roc(X_train, X_test, y_test, **FAST)),
}))
"""
"""A fit under a 2-replica strategy on :func:`synthetic.off_plane_data`, where the
L1 norm of the row and an untrained model rank the outliers low."""


def run_check(mode):
    return run_python([str(SCRIPT), mode])


def run_python(arguments):
    # The same interpreter and environment: the installed package, as the other tests use.
    # A fresh process: the logical devices must be set before TensorFlow starts.
    environment = dict(os.environ, TF_NUM_INTRAOP_THREADS="1", TF_NUM_INTEROP_THREADS="1")
    completed = subprocess.run(
        [sys.executable, *arguments],
        capture_output=True,
        text=True,
        env=environment,
        timeout=600,
        cwd=SCRIPT.parent,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


@TENSORFLOW_ONLY
def test_replica_gradients_sum_to_the_global_batch_gradient():
    result = run_check("gradients")
    assert result["replicas"] == 2
    # 4 rows: 2 per replica; 3 rows: 2 and 1; 1 row: the second replica gets none.
    for n_rows in (4, 3, 1):
        assert result[f"max_weight_difference_{n_rows}_rows"] < 1e-6, result
    # Without the weighting the summed gradient is twice too large: the check can fail.
    assert result["max_weight_difference_unweighted"] > 1e-4, result
    assert result["noise_differs_between_replicas"]
    assert result["replica_0_noise_is_one_device_noise"]


@TENSORFLOW_ONLY
@pytest.mark.slow
def test_two_replica_training_matches_one_device():
    result = run_check("fit")
    assert result["replicas"] == 2
    assert result["mirrored"] == "MirroredVariable"
    # The global batch is split, not multiplied: as many steps as on one device.
    assert result["optimizer_steps"] == result["single_optimizer_steps"] == result["ema_steps"]
    assert result["replicas_agree"], result["first_disagreeing_variable"]
    assert result["history_finite"]
    # PyOD's generate_data, where even the L1 norm of the row scores ROC 1.0: this floor
    # only says the agreement checks below compare two working fits, not that training
    # learnt anything (test_two_replica_training_learns_off_plane_data checks that).
    assert result["roc_single"] > 0.9
    assert abs(result["roc_distributed"] - result["roc_single"]) < 0.03, result
    # Not the same scores (replica 1 draws other noise), but the same ranking, nearly.
    assert result["score_rank_correlation"] > 0.9, result
    # fit_chunks trains through the same strategy (a tf.data generator pipeline).
    assert result["chunked_optimizer_steps"] == result["single_optimizer_steps"]
    assert abs(result["roc_chunked_distributed"] - result["roc_single"]) < 0.03, result


@TENSORFLOW_ONLY
@pytest.mark.slow
def test_two_replica_training_learns_off_plane_data():
    from synthetic import MARGIN

    result = run_python(["-c", OFF_PLANE_FIT])
    assert result["replicas"] == 2
    baselines = max(result["roc_l1_norm"], result["roc_untrained"])
    assert result["roc_distributed"] >= baselines + MARGIN, result


# ------------------------------------------------------- other backends: a clear refusal
def _fake_tensorflow(in_scope):
    return types.SimpleNamespace(distribute=types.SimpleNamespace(has_strategy=lambda: in_scope))


@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_check_backend_refuses_a_strategy_scope_on_other_backends(backend, monkeypatch):
    monkeypatch.setitem(sys.modules, "tensorflow", _fake_tensorflow(True))
    with pytest.raises(RuntimeError, match=f"'{backend}' backend.*KERAS_BACKEND=tensorflow"):
        check_backend(backend)
    check_backend("tensorflow")  # TensorFlow trains inside the scope
    monkeypatch.setitem(sys.modules, "tensorflow", _fake_tensorflow(False))
    check_backend(backend)  # no scope: nothing to refuse


def test_check_backend_does_not_import_tensorflow(monkeypatch):
    # without TensorFlow loaded no strategy can be active: nothing to check, nothing imported
    monkeypatch.delitem(sys.modules, "tensorflow", raising=False)
    check_backend("jax")
    assert "tensorflow" not in sys.modules


@NOT_TENSORFLOW
@pytest.mark.parametrize("method", ["fit", "fit_chunks"])
def test_fit_in_a_strategy_scope_raises_on_other_backends(method, small_data):
    tf = pytest.importorskip("tensorflow", reason="a tf.distribute strategy needs TensorFlow")
    X = small_data[0]
    rows = X if method == "fit" else [X[:150], X[150:]]
    detector = EfficientGAN(epochs=1, n_estimators=1, random_state=0)
    with tf.distribute.OneDeviceStrategy("/cpu:0").scope():
        with pytest.raises(RuntimeError, match="tf.distribute.*KERAS_BACKEND=tensorflow"):
            getattr(detector, method)(rows)
    assert not hasattr(detector, "model_") and not hasattr(detector, "decision_scores_")
    # outside the scope the same detector fits
    scores = getattr(detector, method)(rows).decision_scores_
    assert scores.shape == (len(X),) and np.all(np.isfinite(scores))
