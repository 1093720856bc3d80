"""Keras callbacks used by :class:`~pyod_efficientgan.EfficientGAN` while training.

* :class:`ValidationCriterion` adds the unsupervised early-stopping criterion
  (mean reconstruction error of held-out rows, with the test-time weights) to
  the epoch logs, where :class:`keras.callbacks.EarlyStopping` reads it.
* :class:`DivergenceGuard` stops training at the first non-finite loss or
  weight and restores the weights of the last finite epoch.
"""

import math

import keras
import numpy as np

VALIDATION_MONITOR = "val_reconstruction_error"
"""Name of the early-stopping criterion in the epoch logs and ``history_``."""


class ValidationCriterion(keras.callbacks.Callback):
    """Log the mean :math:`L_G` of held-out rows at the end of every epoch.

    Parameters
    ----------
    score_function : callable
        Maps a float32 array to ``(A, L_G, L_D)`` with the test-time weights
        (:class:`pyod_efficientgan.training.ScoreFunction`).
    x_validation : ndarray of shape (n_validation, n_features), float32
        Preprocessed held-out rows.
    batch_size : int
        Rows per scoring chunk.
    """

    def __init__(self, score_function, x_validation, batch_size):
        super().__init__()
        self.score_function = score_function
        self.x_validation = x_validation
        self.batch_size = batch_size

    def on_epoch_end(self, epoch, logs=None):
        total = 0.0
        for start in range(0, len(self.x_validation), self.batch_size):
            _, generator_loss, _ = self.score_function(
                self.x_validation[start : start + self.batch_size]
            )
            total += float(np.sum(generator_loss, dtype=np.float64))
        if logs is not None:
            logs[VALIDATION_MONITOR] = total / len(self.x_validation)


class DivergenceGuard(keras.callbacks.Callback):
    """Stop at the first non-finite loss and restore the last finite weights.

    After training, ``diverged_at_epoch`` is the (0-based) epoch in which a
    non-finite loss or weight appeared, or None; ``last_finite_epoch`` is the
    epoch whose weights were restored, or None when no epoch ended finite.
    """

    def __init__(self):
        super().__init__()
        self.diverged_at_epoch = None
        self.last_finite_epoch = None
        self._epoch = 0
        self._finite_weights = None

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if logs and not all(math.isfinite(float(value)) for value in logs.values()):
            self._diverge()

    def on_epoch_end(self, epoch, logs=None):
        if self.diverged_at_epoch is not None:
            return
        weights = self.model.get_weights()
        if all(np.all(np.isfinite(array)) for array in weights):
            self._finite_weights = weights
            self.last_finite_epoch = epoch
        else:
            self._diverge()

    def on_train_end(self, logs=None):
        if self.diverged_at_epoch is not None and self._finite_weights is not None:
            self.model.set_weights(self._finite_weights)

    def _diverge(self):
        if self.diverged_at_epoch is None:
            self.diverged_at_epoch = self._epoch
        self.model.stop_training = True
