"""Shared fixtures. Environment first: Keras reads it at import."""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("OMP_NUM_THREADS", "2")

import pytest  # noqa: E402
from pyod.utils.data import generate_data  # noqa: E402

from pyod_efficientgan import EfficientGAN  # noqa: E402


@pytest.fixture(scope="session")
def data():
    """PyOD's synthetic benchmark data: (X_train, X_test, y_train, y_test)."""
    return generate_data(
        n_train=2000, n_test=1000, n_features=20, contamination=0.1, random_state=42
    )


@pytest.fixture(scope="session")
def small_data():
    """A small split for tests that fit several models."""
    return generate_data(n_train=300, n_test=100, n_features=6, contamination=0.1, random_state=7)


@pytest.fixture(scope="session")
def fitted(data):
    """EfficientGAN with its default settings, fitted once for the session."""
    X_train = data[0]
    return EfficientGAN(contamination=0.1, random_state=0).fit(X_train)


@pytest.fixture(scope="session")
def quick_fitted(small_data):
    """A fast-to-fit detector on the small split (3 epochs)."""
    return EfficientGAN(epochs=3, random_state=0).fit(small_data[0])
