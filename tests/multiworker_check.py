"""By hand: EfficientGAN under MultiWorkerMirroredStrategy, two worker processes on one host.

Not collected by pytest (it needs two processes that wait for each other). Run::

    python tests/multiworker_check.py 0 23456 & python tests/multiworker_check.py 1 23456

Each worker prints one JSON line; both must show 2 replicas, the same number of
optimizer steps as one device (64) and the same scores (``score_sum``).
"""

import json
import os
import sys

INDEX, PORT = int(sys.argv[1]), int(sys.argv[2])
os.environ["TF_CONFIG"] = json.dumps(
    {
        "cluster": {"worker": [f"localhost:{PORT}", f"localhost:{PORT + 1}"]},
        "task": {"type": "worker", "index": INDEX},
    }
)
os.environ["KERAS_BACKEND"] = "tensorflow"  # tf.distribute: the TensorFlow backend only

import tensorflow as tf  # noqa: E402

strategy = tf.distribute.MultiWorkerMirroredStrategy()

import numpy as np  # noqa: E402
from pyod.utils.data import generate_data  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402

from pyod_efficientgan import EfficientGAN  # noqa: E402

X_train, X_test, _, y_test = generate_data(
    n_train=961, n_test=500, n_features=10, contamination=0.1, random_state=3
)
with strategy.scope():
    detector = EfficientGAN(epochs=4, batch_size=64, n_estimators=1, random_state=0).fit(X_train)
scores = detector.decision_function(X_test)
print(
    json.dumps(
        {
            "worker": INDEX,
            "replicas": strategy.num_replicas_in_sync,
            "roc": float(roc_auc_score(y_test, scores)),
            "steps": int(np.asarray(detector.model_.members[0].d_optimizer.iterations)),
            "score_sum": float(scores.sum()),
            "history": detector.history_,
        }
    ),
    flush=True,
)
