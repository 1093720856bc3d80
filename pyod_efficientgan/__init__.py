"""EfficientGAN (EGBAD, Zenati et al. 2018) as a PyOD detector, built on Keras 3.

Importing the package selects the TensorFlow backend of Keras unless
``KERAS_BACKEND`` is already set; training needs TensorFlow.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from pyod_efficientgan.detector import EfficientGAN, TrainingDivergedError  # noqa: E402

__all__ = ["EfficientGAN", "TrainingDivergedError", "__version__"]
__version__ = "0.1.0"
