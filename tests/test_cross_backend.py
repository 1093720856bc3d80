"""A detector saved or pickled under one Keras backend loads and scores under every other.

Each backend runs in its own process (Keras picks its backend once, at import):
one process per backend fits ``EfficientGAN(epochs=2, random_state=0)``, saves it
with ``save``, pickles it and scores fixed rows; then one process per backend
loads every other backend's file and pickle and scores the same rows. The
weights are NumPy arrays, so the scores agree to float32 rounding. Under JAX and
PyTorch nothing may import TensorFlow.
"""

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from pyod.utils.data import generate_data

NAMES = ("tensorflow", "jax", "torch")
INSTALLED = [name for name in NAMES if importlib.util.find_spec(name) is not None]


def _needs(*names):
    missing = [name for name in names if name not in INSTALLED]
    return pytest.mark.skipif(bool(missing), reason=f"not installed: {missing}")


PAIRS = [
    pytest.param(source, target, marks=_needs(source, target), id=f"{source}-to-{target}")
    for source in NAMES
    for target in NAMES
    if source != target
]
REPO = Path(__file__).resolve().parent.parent

CHILD = """
import json, pickle, sys
import numpy as np
from pyod_efficientgan import EfficientGAN

mode, folder, backend = sys.argv[1:4]
x_test = np.load(f"{folder}/x_test.npy")
if mode == "fit":
    detector = EfficientGAN(epochs=2, random_state=0).fit(np.load(f"{folder}/x_train.npy"))
    detector.save(f"{folder}/{backend}.egan")
    with open(f"{folder}/{backend}.pkl", "wb") as stream:
        pickle.dump(detector, stream)
    np.save(f"{folder}/{backend}.scores.npy", detector.decision_function(x_test))
else:
    for source in sys.argv[4:]:
        detector = EfficientGAN.load(f"{folder}/{source}.egan")
        with open(f"{folder}/{source}.pkl", "rb") as stream:
            unpickled = pickle.load(stream)
        np.save(f"{folder}/{source}.egan.in-{backend}.npy", detector.decision_function(x_test))
        np.save(f"{folder}/{source}.pkl.in-{backend}.npy", unpickled.decision_function(x_test))
import keras
print(json.dumps({"backend": keras.backend.backend(), "tensorflow": "tensorflow" in sys.modules}))
"""


def _run(mode, folder, backend, *sources):
    env = {
        **os.environ,
        "KERAS_BACKEND": backend,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    result = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(folder), backend, *sources],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["backend"] == backend
    return report


@pytest.fixture(scope="module")
def fitted(tmp_path_factory):
    """The folder with every installed backend's file, pickle and scores, and its reports."""
    folder = tmp_path_factory.mktemp("cross_backend")
    X_train, X_test, _, _ = generate_data(
        n_train=200, n_test=50, n_features=5, contamination=0.1, random_state=0
    )
    np.save(folder / "x_train.npy", X_train)
    np.save(folder / "x_test.npy", X_test)
    reports = {backend: _run("fit", folder, backend) for backend in INSTALLED}
    return folder, reports


@pytest.fixture(scope="module")
def loaded(fitted):
    """Every backend loads every other backend's file and pickle."""
    folder, _ = fitted
    return {
        backend: _run("load", folder, backend, *[b for b in INSTALLED if b != backend])
        for backend in INSTALLED
    }


@pytest.mark.slow
@pytest.mark.parametrize("source, target", PAIRS)
@pytest.mark.parametrize("how", ["egan", "pkl"], ids=["save-load", "pickle"])
def test_saved_and_pickled_detectors_score_alike_under_another_backend(
    fitted, loaded, source, target, how
):
    folder, _ = fitted
    expected = np.load(folder / f"{source}.scores.npy")
    actual = np.load(folder / f"{source}.{how}.in-{target}.npy")
    np.testing.assert_allclose(actual, expected, rtol=1e-4, atol=1e-5)


@pytest.mark.slow
@pytest.mark.parametrize("backend", [pytest.param(b, marks=_needs(b)) for b in ("jax", "torch")])
def test_jax_and_torch_never_import_tensorflow(fitted, loaded, backend):
    _, reports = fitted
    assert not reports[backend]["tensorflow"], "fit, save or scoring imported TensorFlow"
    assert not loaded[backend]["tensorflow"], "load, unpickling or scoring imported TensorFlow"
