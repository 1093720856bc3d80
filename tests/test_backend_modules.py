"""The backend modules' own pieces: input pipelines, JAX dropout, torch's network plan."""

import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

from pyod_efficientgan.backends import numpy_pipeline


class _Rows:
    def __init__(self, chunks):
        self.chunks = chunks

    def read(self):
        return iter(self.chunks)

    def __len__(self):
        return sum(len(chunk) for chunk in self.chunks)


@pytest.mark.backend_free
@pytest.mark.parametrize("n_rows, batch_size", [(103, 10), (100, 10), (7, 10)])
def test_training_batches_cover_every_row_once_per_pass(n_rows, batch_size):
    x = np.arange(n_rows, dtype=np.float32)[:, None]
    batches, steps = numpy_pipeline.training_batches(x, batch_size, seed=0, passes=2)
    assert steps == 2 * -(-n_rows // batch_size)
    first = [next(batches)[0] for _ in range(steps // 2)]
    second = [next(batches)[0] for _ in range(steps // 2)]
    for one_pass in (first, second):
        assert sorted(np.concatenate(one_pass)[:, 0]) == list(range(n_rows))
        assert all(len(batch) == batch_size for batch in one_pass[:-1])
    if n_rows > batch_size:
        assert not np.array_equal(np.concatenate(first), np.concatenate(second))


@pytest.mark.backend_free
def test_training_batches_are_reproducible():
    x = np.random.default_rng(0).normal(size=(50, 3)).astype(np.float32)
    one, _ = numpy_pipeline.training_batches(x, 8, seed=5)
    two, _ = numpy_pipeline.training_batches(x, 8, seed=5)
    other, _ = numpy_pipeline.training_batches(x, 8, seed=6)
    a = [next(one)[0] for _ in range(7)]
    b = [next(two)[0] for _ in range(7)]
    c = [next(other)[0] for _ in range(7)]
    assert all(np.array_equal(u, v) for u, v in zip(a, b))
    assert not all(np.array_equal(u, v) for u, v in zip(a, c))


@pytest.mark.backend_free
@pytest.mark.parametrize("buffer", [1, 16, 1000])
def test_streamed_batches_mix_within_the_buffer_and_keep_every_row(buffer):
    rows = _Rows([np.arange(i, i + 25, dtype=np.float32)[:, None] for i in range(0, 100, 25)])
    batches, steps = numpy_pipeline.streamed_batches(rows, 8, seed=0, shuffle_buffer=buffer)
    assert steps == 13
    one_pass = [next(batches)[0] for _ in range(steps)]
    assert sorted(np.concatenate(one_pass)[:, 0]) == list(range(100))
    assert all(len(batch) == 8 for batch in one_pass[:-1]) and len(one_pass[-1]) == 4
    order = np.concatenate(one_pass)[:, 0]
    if buffer >= 100:
        assert not np.array_equal(order, np.sort(order))


@pytest.mark.backend_free
def test_stacked_batches_group_full_batches_and_keep_the_short_one_alone():
    x = np.arange(105, dtype=np.float32)[:, None]
    batches, _ = numpy_pipeline.training_batches(x, 10, seed=0)
    blocks, items = numpy_pipeline.stacked_batches(batches, 105, 10, passes=2, block_steps=4)
    assert items == 2 * (3 + 1)  # 10 full batches in blocks of 4, 4, 2; the 5-row batch
    shapes = [next(blocks)[0].shape for _ in range(items)]
    assert shapes[:4] == [(4, 10, 1), (4, 10, 1), (2, 10, 1), (5, 1)]
    assert shapes[4:] == shapes[:4]


def test_the_backend_builds_streamed_batches_without_reading_the_stream():
    # the stream says its columns; building the pipeline must not read (or scale) a chunk
    from pyod_efficientgan import backends

    class CountedRows(_Rows):
        n_features = 1
        reads = 0

        def read(self):
            self.reads += 1
            return super().read()

    rows = CountedRows([np.arange(i, i + 25, dtype=np.float32)[:, None] for i in range(0, 100, 25)])
    data, _ = backends.current().streamed_batches(rows, 8, seed=0, shuffle_buffer=16)
    assert rows.reads == 0
    first = next(iter(data))
    assert np.asarray(first[0] if isinstance(first, tuple) else first).shape[-1] == 1
    assert rows.reads == 1


def _run(backend, code):
    env = {**os.environ, "KERAS_BACKEND": backend}
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.mark.backend_free
@pytest.mark.skipif(importlib.util.find_spec("jax") is None, reason="jax is not installed")
def test_jax_dropout_keeps_its_share_with_independent_reproducible_masks():
    out = _run(
        "jax",
        """
import numpy as np
from pyod_efficientgan.backends.jax import Dropout
x = np.ones((400, 128), "float32")
a, b = Dropout(0.2, seed=3), Dropout(0.2, seed=3)
m1, m2 = np.asarray(a(x, training=True)), np.asarray(a(x, training=True))
same = np.array_equal(m1, np.asarray(b(x, training=True)))
keep = (m1 > 0).mean()
overlap = ((m1 > 0) & (m2 > 0)).mean()
print(same, round(float(keep), 4), round(float(overlap), 4), float(m1.mean()),
      np.array_equal(np.asarray(a(x, training=False)), x))
""",
    )
    same, keep, overlap, mean, identity = out.split()
    assert same == "True" and identity == "True"
    assert abs(float(keep) - 0.8) < 0.01  # 51,200 units: sd of the share 0.002
    assert abs(float(overlap) - 0.64) < 0.01  # independent masks overlap 0.8 * 0.8
    assert abs(float(mean) - 1.0) < 0.02  # inverted dropout keeps the mean


_TORCH_NETWORKS = """
import numpy as np, torch, keras
from pyod_efficientgan.backends.torch import NetworkPlan
from pyod_efficientgan.networks import build_discriminator, build_encoder, build_generator
x = torch.tensor(np.random.default_rng(0).normal(size=(20, 6)).astype("float32"))
z = torch.tensor(np.random.default_rng(1).normal(size=(20, 3)).astype("float32"))
nets = [(build_encoder(6, 3, (8,), seed=0), x), (build_generator(3, 6, (8, 5), seed=1), z),
        (build_discriminator(6, 3, (8, 4), dropout=0.2, seed=2), [x, z])]
"""
"""The torch tests' inputs and their three small networks (encoder, generator, discriminator),
each beside its inputs."""


@pytest.mark.backend_free
@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed")
def test_torch_network_plan_gives_the_keras_call_outputs():
    out = _run(
        "torch",
        _TORCH_NETWORKS
        + """
ok = []
for net, inputs in nets:
    a = net(inputs, training=False); b = NetworkPlan(net)(inputs, False)
    a = a if isinstance(a, (list, tuple)) else [a]; b = b if isinstance(b, (list, tuple)) else [b]
    ok.append(all(np.allclose(keras.ops.convert_to_numpy(u), keras.ops.convert_to_numpy(v),
                              atol=1e-6) for u, v in zip(a, b)))
train = NetworkPlan(nets[2][0])([x, z], True)[1]
print(all(ok), bool((keras.ops.convert_to_numpy(train) == 0).mean() > 0.1))
""",
    )
    assert out.split() == ["True", "True"]


@pytest.mark.backend_free
@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed")
def test_torch_network_plan_reads_a_stateless_scope_and_looks_up_every_node_directly():
    out = _run(
        "torch",
        _TORCH_NETWORKS
        + """
from pyod_efficientgan.backends.torch import _node_inputs
net = nets[0][0]
plan = NetworkPlan(net)
outside = keras.ops.convert_to_numpy(plan(x, False))
mapping = [(v, keras.ops.zeros(v.shape)) for v in net.weights]
with keras.StatelessScope(state_mapping=mapping):
    inside = keras.ops.convert_to_numpy(plan(x, False))
    keras_inside = keras.ops.convert_to_numpy(net(x, training=False))
after = keras.ops.convert_to_numpy(plan(x, False))
direct = all(_node_inputs(node).__name__ == "<lambda>"
             for n, _ in nets for nodes in n._nodes_by_depth.values() for node in nodes
             if node.operation and not node.is_input)
print(np.array_equal(inside, keras_inside), bool(np.abs(outside - inside).max() > 1e-3),
      np.array_equal(outside, after), direct)
""",
    )
    assert out.split() == ["True", "True", "True", "True"]
