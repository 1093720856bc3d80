"""EfficientGAN (EGBAD, Zenati et al. 2018) as a PyOD detector, built on Keras 3.

Importing the package selects the TensorFlow backend of Keras unless
``KERAS_BACKEND`` is already set; training needs TensorFlow. Keras and
TensorFlow are imported on first use of :class:`EfficientGAN` (or of a module
that needs them), not by ``import pyod_efficientgan``: TensorFlow writes
start-up lines to stderr when it loads, whatever ``TF_CPP_MIN_LOG_LEVEL`` says.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

__all__ = ["EfficientGAN", "TrainingDivergedError", "__version__"]
__version__ = "0.1.0"

_LAZY = {
    "EfficientGAN": "pyod_efficientgan.detector",
    "TrainingDivergedError": "pyod_efficientgan.detector",
}


def __getattr__(name):
    # PEP 562: the detector (and with it Keras and TensorFlow) loads when first asked for.
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
