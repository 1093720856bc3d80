"""The package on each Keras backend: reproducible, backend left to the user, no TensorFlow on
JAX or PyTorch, a clear error on a backend it does not support.

The in-process tests run on the backend of the session (``KERAS_BACKEND``); the others start
fresh interpreters with the variable set (or unset) as they need, so they do not depend on the
session's backend and carry the ``backend_free`` marker (tox runs them once, on TensorFlow).
"""

import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from pyod_efficientgan import EfficientGAN, backends

TINY = dict(
    epochs=2,
    n_estimators=2,
    latent_dim=2,
    encoder_units=(8,),
    generator_units=(8,),
    discriminator_units=(8, 8),
    batch_size=32,
)


def rows(n_rows=120, seed=0):
    return np.random.default_rng(seed).normal(size=(n_rows, 5))


def run_python(code, backend, tmp_path):
    """Run ``code`` in a fresh interpreter with ``KERAS_BACKEND=backend`` (None: unset)."""
    environment = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    if backend is not None:
        environment["KERAS_BACKEND"] = backend
    completed = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_same_random_state_gives_identical_scores_on_this_backend():
    X = rows()
    first = EfficientGAN(**TINY, random_state=3).fit(X)
    second = EfficientGAN(**TINY, random_state=3).fit(X)
    np.testing.assert_array_equal(first.decision_scores_, second.decision_scores_)
    # the seed matters: another one trains another model
    other = EfficientGAN(**TINY, random_state=4).fit(X)
    assert not np.array_equal(first.decision_scores_, other.decision_scores_)


@pytest.mark.backend_free
def test_the_package_does_not_set_keras_backend(tmp_path):
    code = (
        "import json, os\n"
        "import pyod_efficientgan\n"
        "after_import = 'KERAS_BACKEND' in os.environ\n"
        "from pyod_efficientgan import EfficientGAN, backends\n"
        "print(json.dumps({'after_import': after_import,\n"
        "                  'after_detector': 'KERAS_BACKEND' in os.environ,\n"
        "                  'backend': backends.name()}))\n"
    )
    result = run_python(code, None, tmp_path)
    assert result["after_import"] is False, result
    assert result["after_detector"] is False, result
    assert result["backend"] in backends.BACKENDS  # Keras' own default (its config file)


FIT_WITHOUT_TENSORFLOW = f"""
import json, pickle, sys
import numpy as np
from pyod_efficientgan import EfficientGAN, backends

X = np.random.default_rng(0).normal(size=(120, 5))
detector = EfficientGAN(**{TINY!r}, random_state=0).fit(X)
scores = detector.decision_function(X[:20])
copy = pickle.loads(pickle.dumps(detector))
print(json.dumps({{
    "backend": backends.name(),
    "finite": bool(np.all(np.isfinite(scores))),
    "pickle_equal": bool(np.array_equal(copy.decision_function(X[:20]), scores)),
    "tensorflow_loaded": "tensorflow" in sys.modules,
}}))
"""


@pytest.mark.backend_free
@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_jax_and_torch_train_without_importing_tensorflow(backend, tmp_path):
    if importlib.util.find_spec(backend) is None:
        pytest.skip(f"{backend} is not installed")
    result = run_python(FIT_WITHOUT_TENSORFLOW, backend, tmp_path)
    assert result["backend"] == backend, result
    assert result["finite"] and result["pickle_equal"], result
    assert result["tensorflow_loaded"] is False, result


def test_an_unsupported_backend_is_refused_clearly(monkeypatch):
    monkeypatch.setattr(backends, "name", lambda: "mlx")
    with pytest.raises(RuntimeError, match=r"tensorflow, jax, torch.*'mlx'.*KERAS_BACKEND"):
        backends.current()
