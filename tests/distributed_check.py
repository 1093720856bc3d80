"""Checks that need two logical CPU devices; run as a script by test_distribute.py.

TensorFlow's device configuration must be set before it initialises, so these
checks run in a fresh interpreter: ``python distributed_check.py MODE`` prints
one JSON object on its last line.

Modes
-----
gradients
    One SGD step of a small dense model under a 2-replica MirroredStrategy,
    with the loss weighted by :func:`pyod_efficientgan.backends.tensorflow.replica_loss`,
    against the same step on one device, for an even, an uneven and a
    one-row global batch; plus the per-replica latent noise.
fit
    EfficientGAN fitted under the 2-replica strategy and on one device on
    PyOD's synthetic data: test ROC AUC of both, and whether every mirrored
    variable (trained, test-time, optimizer and seed state) is the same on
    both replicas; and ``fit_chunks`` under the strategy.
"""

import json
import os
import sys

os.environ["KERAS_BACKEND"] = "tensorflow"  # tf.distribute: the TensorFlow backend only
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import tensorflow as tf  # noqa: E402

_cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    _cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()]
)

import keras  # noqa: E402
import numpy as np  # noqa: E402

from pyod_efficientgan.backends import tensorflow as distribute  # noqa: E402

DEVICES = ["/cpu:0", "/cpu:1"]


def _model():
    return keras.Sequential(
        [
            keras.Input((3,)),
            keras.layers.Dense(
                4, activation="tanh", kernel_initializer=keras.initializers.GlorotUniform(0)
            ),
            keras.layers.Dense(1, kernel_initializer=keras.initializers.GlorotUniform(1)),
        ]
    )


def _mean_loss(model, x):
    return keras.ops.mean(keras.ops.square(model(x)))


def _one_step(x, strategy, weighted=True):
    with strategy.scope():
        model = _model()
        optimizer = keras.optimizers.SGD(0.1)
        optimizer.build(model.trainable_variables)

    def step(batch):
        share = distribute.batch_share(keras.ops.shape(batch)[0])
        with tf.GradientTape() as tape:
            loss = _mean_loss(model, batch)
            if weighted:
                loss = distribute.replica_loss(loss, share)
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))

    dataset = tf.data.Dataset.from_tensor_slices(x).batch(len(x))
    batch = next(iter(strategy.experimental_distribute_dataset(dataset)))
    tf.function(lambda b: strategy.run(step, args=(b,)))(batch)
    return [np.asarray(w) for w in model.get_weights()]


def gradients():
    mirrored = tf.distribute.MirroredStrategy(DEVICES)
    one = tf.distribute.OneDeviceStrategy("/cpu:0")
    rng = np.random.default_rng(0)
    result = {"replicas": mirrored.num_replicas_in_sync}
    for n_rows in (4, 3, 1):
        x = rng.normal(size=(n_rows, 3)).astype("float32")
        a, b = _one_step(x, mirrored), _one_step(x, one)
        result[f"max_weight_difference_{n_rows}_rows"] = max(
            float(np.max(np.abs(u - v))) for u, v in zip(a, b)
        )
    x = rng.normal(size=(4, 3)).astype("float32")
    a, b = _one_step(x, mirrored, weighted=False), _one_step(x, one)
    result["max_weight_difference_unweighted"] = max(
        float(np.max(np.abs(u - v))) for u, v in zip(a, b)
    )

    with mirrored.scope():
        seed_generator = keras.random.SeedGenerator(7)
    noise = mirrored.run(tf.function(lambda: distribute.latent_noise((4, 2), seed_generator)))
    first, second = (np.asarray(v) for v in mirrored.experimental_local_results(noise))
    single = np.asarray(keras.random.normal((4, 2), seed=keras.random.SeedGenerator(7)))
    result["noise_differs_between_replicas"] = bool(not np.allclose(first, second))
    result["replica_0_noise_is_one_device_noise"] = bool(np.array_equal(first, single))
    return result


def _replicas_agree(model):
    for variable in model.variables + model.optimizer.variables:
        value = getattr(variable, "value", variable)
        components = getattr(value, "values", None)
        if components is None or len(components) < 2:
            continue
        if not all(np.array_equal(np.asarray(components[0]), np.asarray(c)) for c in components):
            return False, variable.path
    return True, None


def fit():
    from pyod.utils.data import generate_data
    from scipy.stats import spearmanr
    from sklearn.metrics import roc_auc_score

    from pyod_efficientgan import EfficientGAN

    X_train, X_test, _, y_test = generate_data(
        n_train=961, n_test=500, n_features=10, contamination=0.1, random_state=3, offset=1
    )
    # 961 = 15 * 64 + 1: the last batch of every epoch leaves the second replica empty.
    params = dict(epochs=2, batch_size=64, n_estimators=1, random_state=0)
    strategy = tf.distribute.MirroredStrategy(DEVICES)
    with strategy.scope():
        distributed = EfficientGAN(**params).fit(X_train)
    single = EfficientGAN(**params).fit(X_train)
    with strategy.scope():
        chunked = EfficientGAN(**params).fit_chunks([X_train[:500], X_train[500:]])
    agree, disagreeing = _replicas_agree(distributed.model_)
    steps = int(np.asarray(distributed.model_.members[0].d_optimizer.iterations))
    return {
        "replicas": strategy.num_replicas_in_sync,
        "roc_distributed": float(roc_auc_score(y_test, distributed.decision_function(X_test))),
        "score_rank_correlation": float(
            spearmanr(distributed.decision_function(X_test), single.decision_function(X_test))[0]
        ),
        "roc_single": float(roc_auc_score(y_test, single.decision_function(X_test))),
        "optimizer_steps": steps,
        "single_optimizer_steps": int(single.model_.members[0].d_optimizer.iterations),
        "ema_steps": int(np.asarray(distributed.model_.ema_steps)),
        "replicas_agree": agree,
        "first_disagreeing_variable": disagreeing,
        "history_finite": bool(
            all(np.isfinite(v) for values in distributed.history_.values() for v in values)
        ),
        "mirrored": type(distributed.model_.members[0].encoder.weights[0].value).__name__,
        "roc_chunked_distributed": float(roc_auc_score(y_test, chunked.decision_function(X_test))),
        "chunked_optimizer_steps": int(np.asarray(chunked.model_.members[0].d_optimizer.iterations)),
    }


if __name__ == "__main__":
    print(json.dumps({"gradients": gradients, "fit": fit}[sys.argv[1]]()))
