"""EfficientGAN (EGBAD, Zenati et al. 2018) as a PyOD detector, built on Keras 3.

The detector runs on any Keras 3 backend: TensorFlow (the default
dependency), JAX or PyTorch, whichever Keras uses (``KERAS_BACKEND``, or
``~/.keras/keras.json``; TensorFlow when neither says). Importing the package
sets no environment variable and imports neither Keras nor a backend: they
load on first use of :class:`EfficientGAN` (or of a module that needs them).
"""

__all__ = ["EfficientGAN", "TrainingDivergedError", "__version__"]
__version__ = "0.1.0"

_LAZY = {
    "EfficientGAN": "pyod_efficientgan.detector",
    "TrainingDivergedError": "pyod_efficientgan.training",
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
