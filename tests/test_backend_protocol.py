"""Every backend module provides the :class:`~pyod_efficientgan.backends.protocol.Backend`
protocol, and the active one does what it says.

The conformance tests import each backend module in a fresh interpreter with ``KERAS_BACKEND``
set to that backend (importing one under another backend works too, but would load every
framework into the suite's process); they carry the ``backend_free`` marker. The behaviour tests
run on the session's backend, once per suite. The input pipelines' own details are in
test_backend_modules.py; training through them in test_training.py.
"""

import importlib.util
import inspect
import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
from keras import ops

from pyod_efficientgan import backends
from pyod_efficientgan.backends.protocol import Backend, member_names

EXTRAS = {"tensorflow": {"dataset_chunks"}, "torch": {"NetworkPlan"}}
"""Names a backend exports besides the protocol's, each used by name outside its module."""

DESCRIBE = """
import inspect, json, keras
from pyod_efficientgan.backends import {backend} as module
from pyod_efficientgan.backends.protocol import Backend, member_names

def describe(value):
    if inspect.isclass(value):
        return "class"
    parameters = inspect.signature(value).parameters.values()
    return [[p.name, p.kind.name, repr(p.default)] for p in parameters]

print(json.dumps({{
    "all": list(module.__all__),
    "is_backend": isinstance(module, Backend),
    "members": {{name: describe(getattr(module, name)) for name in member_names()
                if hasattr(module, name)}},
    "dropout_is_keras": issubclass(module.Dropout, keras.layers.Dropout),
    "train_step": callable(getattr(module.TrainStep, "train_step", None)),
}}))
"""


def protocol_signature(name):
    """The protocol member's parameters as a module function has them (without ``self``)."""
    if Backend.__annotations__.get(name) is type:
        return "class"
    parameters = list(inspect.signature(getattr(Backend, name)).parameters.values())[1:]
    return [[p.name, p.kind.name, repr(p.default)] for p in parameters]


@pytest.mark.backend_free
@pytest.mark.parametrize("backend", backends.BACKENDS)
def test_every_backend_module_provides_the_protocol(backend):
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed")
    completed = subprocess.run(
        [sys.executable, "-c", DESCRIBE.format(backend=backend)],
        env={**os.environ, "KERAS_BACKEND": backend},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    found = json.loads(completed.stdout.strip().splitlines()[-1])
    names = member_names()
    assert sorted(set(found["all"]) - EXTRAS.get(backend, set())) == names
    assert len(found["all"]) == len(set(found["all"]))
    assert sorted(found["members"]) == names  # every name present
    for name in names:
        assert found["members"][name] == protocol_signature(name), name
    assert found["is_backend"] and found["dropout_is_keras"] and found["train_step"]


def as_numpy(value):
    return keras.ops.convert_to_numpy(value)


def test_compile_rows_function_gives_the_values_with_the_weights_of_the_call():
    weights = keras.Variable(np.array([1.0, -2.0, 0.5], dtype="float32"))

    def function(x):
        return ops.sum(x * weights, axis=1), ops.max(x, axis=1)

    compiled = backends.current().compile_rows_function(function, [weights], 3)
    x = np.random.default_rng(0).normal(size=(7, 3)).astype("float32")
    weighted, largest = compiled(x)
    np.testing.assert_allclose(as_numpy(weighted), x @ weights.numpy(), rtol=1e-6, atol=1e-6)
    np.testing.assert_array_equal(as_numpy(largest), x.max(axis=1))
    weights.assign(np.array([0.0, 1.0, 3.0], dtype="float32"))
    weighted, _ = compiled(x[:4])  # another row count, the new weights
    np.testing.assert_allclose(as_numpy(weighted), x[:4] @ [0.0, 1.0, 3.0], rtol=1e-6, atol=1e-6)


def keras_epoch(x, batch_size, seed, passes):
    """The rows of one Keras epoch of ``training_batches``, batch by batch (blocks split)."""
    data, steps = backends.current().training_batches(x, batch_size, seed, passes=passes)
    if steps is None:  # a dataset that knows its length
        items = [as_numpy(item) for item in data]
    else:
        iterator = iter(data)
        items = [as_numpy(next(iterator)[0]) for _ in range(steps)]
    return [batch for item in items for batch in (item if item.ndim == 3 else [item])]


def test_training_batches_give_every_row_once_per_pass_and_repeat_with_the_seed():
    x = np.arange(46, dtype="float32").reshape(23, 2)
    batches = keras_epoch(x, 4, seed=1, passes=3)
    assert [len(batch) for batch in batches] == [4, 4, 4, 4, 4, 3] * 3
    for one_pass in range(3):
        rows = np.concatenate(batches[6 * one_pass : 6 * one_pass + 6])
        np.testing.assert_array_equal(rows[np.argsort(rows[:, 0])], x)
    again = keras_epoch(x, 4, seed=1, passes=3)
    assert all(np.array_equal(a, b) for a, b in zip(batches, again))
    other = keras_epoch(x, 4, seed=2, passes=3)
    assert not all(np.array_equal(a, b) for a, b in zip(batches, other))


@pytest.mark.parametrize("steps_per_epoch, max_steps", [(1, 32), (7, 32), (100, 32)])
def test_steps_per_execution_on_one_device(steps_per_epoch, max_steps):
    steps = backends.current().steps_per_execution(steps_per_epoch, max_steps)
    # TensorFlow runs as many steps per call as allowed; JAX a block per call; torch one step
    expected = min(steps_per_epoch, max_steps) if backends.name() == "tensorflow" else 1
    assert steps == expected


def test_the_replica_arithmetic_on_one_device_is_the_identity():
    backend = backends.current()
    share = backend.batch_share(ops.convert_to_tensor(50))
    assert share is None
    loss = ops.convert_to_tensor(0.75)
    assert backend.replica_loss(loss, share) is loss
    tracker = keras.metrics.Mean(name="d_loss")
    for value in (0.5, 1.5, 4.0):
        backend.track_loss(tracker, ops.convert_to_tensor(value), share)
    assert float(as_numpy(tracker.result())) == 2.0
    assert {name: float(as_numpy(v)) for name, v in backend.step_logs([tracker]).items()} == {
        "d_loss": 2.0
    }
    noise = backend.latent_noise((5, 3), keras.random.SeedGenerator(4))
    expected = keras.random.normal((5, 3), seed=keras.random.SeedGenerator(4))
    np.testing.assert_array_equal(as_numpy(noise), as_numpy(expected))


def test_run_network_and_update_averages_do_what_the_protocol_says():
    from pyod_efficientgan.networks import build_encoder

    backend = backends.current()
    trained, averaged = build_encoder(4, 2, (6,), seed=0), build_encoder(4, 2, (6,), seed=1)
    x = np.random.default_rng(0).normal(size=(9, 4)).astype("float32")
    np.testing.assert_allclose(
        as_numpy(backend.run_network(trained, ops.convert_to_tensor(x), False)),
        as_numpy(trained(x, training=False)),
        rtol=1e-6,
        atol=1e-6,
    )
    before = [v.numpy() for v in averaged.weights]
    backend.update_averages(list(zip(trained.weights, averaged.weights)), 0.9)
    for t, a, b in zip(trained.weights, averaged.weights, before):
        np.testing.assert_allclose(a.numpy(), 0.9 * b + 0.1 * t.numpy(), rtol=1e-6, atol=1e-6)
    backend.sync_model_state(trained)  # outside fit: nothing to write back
