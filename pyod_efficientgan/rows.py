"""Where the training rows come from: one interface for arrays and streams of chunks.

:meth:`EfficientGAN.fit <pyod_efficientgan.EfficientGAN.fit>` and
:meth:`~pyod_efficientgan.EfficientGAN.fit_chunks` share one path from a
source of rows to a fitted detector; they differ only in the source:
:class:`ArrayRows` here (rows in memory) or
:class:`~pyod_efficientgan.scaleout.streaming.ChunkedRows` (a stream of
chunks read several times). A source has four methods, called in this order:

- ``prepare(detector, scaler)``: validate every row (``validate_data`` with
  ``reset=True`` on the first, which sets ``n_features_in_``) and fit the
  input scaler;
- ``training_rows(detector, scaler, seed)``: the preprocessed rows to train on,
  held-out rows for early stopping (or None), and how to batch them
  (``make_batches(rows, batch_size, seed, passes)``, or None for the
  backend's ``training_batches``);
- ``scaled_chunks(detector, scaler)``: the preprocessed rows, chunk by chunk (for
  the members' score moments);
- ``chunks(detector)``: the validated raw rows, chunk by chunk (for
  ``decision_scores_``).
"""

import math

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.utils.validation import validate_data

VALIDATED_DTYPES = [np.float64, np.float32]
"""Rows are validated to one of these dtypes (float32 stays float32)."""


def make_scaler(preprocessing):
    """The unfitted input scaler for the ``preprocessing`` parameter, or None."""
    if preprocessing == "minmax":
        return MinMaxScaler()
    if preprocessing == "standard":
        return StandardScaler()
    return None


def to_float32(scaler, rows):
    """Scale rows with a fitted scaler (or not, if None), as contiguous float32.

    Values beyond float32 become inf here; scoring reports them clearly.
    """
    if scaler is not None:
        rows = scaler.transform(rows)
    with np.errstate(over="ignore"):
        return np.ascontiguousarray(rows, dtype=np.float32)


def validate_rows(detector, rows, reset):
    """``validate_data`` as the detector checks its rows: finite floats, 2-D."""
    return validate_data(
        detector, rows, dtype=VALIDATED_DTYPES, ensure_all_finite=True, reset=reset
    )


class ArrayRows:
    """Training rows held in memory, as ``fit`` gets them.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The rows, not yet validated.
    """

    def __init__(self, X):
        self.X = X

    def prepare(self, detector, scaler):
        """Validate the rows (sets ``n_features_in_``) and fit ``scaler``."""
        self.X = validate_rows(detector, self.X, reset=True)
        if scaler is not None:
            scaler.fit(self.X)
        self._scaled = None

    def _scaled_rows(self, scaler):
        if self._scaled is None:
            self._scaled = to_float32(scaler, self.X)
        return self._scaled

    def training_rows(self, detector, scaler, seed):
        """The scaled rows, split by ``validation_size`` into training and held-out rows."""
        x_scaled = self._scaled_rows(scaler)
        n_validation = int(math.floor(detector.validation_size * len(x_scaled)))
        if n_validation < 2:
            return x_scaled, None, None
        x_train, x_validation = train_test_split(
            x_scaled, test_size=n_validation, random_state=seed
        )
        return x_train, x_validation, None

    def scaled_chunks(self, detector, scaler):
        """All scaled rows, as one chunk."""
        return [self._scaled_rows(scaler)]

    def chunks(self, detector):
        """All validated rows, as one chunk."""
        return [self.X]
