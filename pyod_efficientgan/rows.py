"""Where the training rows come from: one interface for arrays and streams of chunks.

:meth:`EfficientGAN.fit <pyod_efficientgan.EfficientGAN.fit>` and
:meth:`~pyod_efficientgan.EfficientGAN.fit_chunks` share one path from a
source of rows to a fitted detector; they differ only in the source:
:class:`ArrayRows` here (rows in memory) or
:class:`~pyod_efficientgan.scaleout.streaming.ChunkedRows` (a stream of
chunks read several times). A source (:class:`RowSource`) never sees the
detector: it is handed a validation callable, the scaler and the validation
share, and gives back the width of the rows.
"""

import math
from typing import Protocol

import numpy as np
from sklearn.model_selection import train_test_split

from pyod_efficientgan.preprocessing import check_fitted_scaler, to_float32


class RowSource(Protocol):
    """What ``fit`` needs of its rows; the methods are called in this order.

    Attributes
    ----------
    failure : Exception or None
        None, or the error the source raised while its rows were read inside
        a backend's input pipeline (which wraps it in an error of its own);
        ``fit`` raises that error instead of the backend's.
    """

    failure: object

    def prepare(self, validate, scaler, validation_size):
        """Validate every row and fit ``scaler``; return the rows' width.

        Parameters
        ----------
        validate : callable
            ``validate(rows, reset) -> rows``: the detector's check of its
            rows (``reset=True`` on the first rows, which records their
            width and column names).
        scaler : StandardScaler, MinMaxScaler or None
            The unfitted input scaler; fitted here and checked
            (:func:`~pyod_efficientgan.preprocessing.check_fitted_scaler`).
        validation_size : float
            Share of the rows to hold out for early stopping.

        Returns
        -------
        n_features : int
        """

    def training_rows(self, scaler, seed):
        """The preprocessed rows to train on, held-out rows (or None), how to batch them.

        Returns
        -------
        x_train : ndarray or sized row stream
        x_validation : ndarray or None
        make_batches : callable or None
            ``make_batches(rows, batch_size, seed, passes)``, or None for the
            backend's ``training_batches``.
        """

    def scaled_chunks(self, scaler):
        """The preprocessed rows, chunk by chunk (for the members' score moments)."""

    def chunks(self):
        """The validated raw rows, chunk by chunk (for ``decision_scores_``)."""


class ArrayRows:
    """Training rows held in memory, as ``fit`` gets them.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The rows, not yet validated.
    """

    def __init__(self, X):
        self.X = X
        self.failure = None

    def prepare(self, validate, scaler, validation_size):
        """Validate the rows, fit ``scaler``; return the rows' width."""
        self.X = validate(self.X, reset=True)
        self.validation_size = validation_size
        if scaler is not None:
            with np.errstate(over="ignore", invalid="ignore"):  # check_fitted_scaler says it
                scaler.fit(self.X)
            check_fitted_scaler(scaler)
        self._scaled = None
        return self.X.shape[1]

    def _scaled_rows(self, scaler):
        if self._scaled is None:
            self._scaled = to_float32(scaler, self.X)
        return self._scaled

    def training_rows(self, scaler, seed):
        """The scaled rows, split by ``validation_size`` into training and held-out rows."""
        x_scaled = self._scaled_rows(scaler)
        n_validation = int(math.floor(self.validation_size * len(x_scaled)))
        if n_validation < 2:
            return x_scaled, None, None
        x_train, x_validation = train_test_split(
            x_scaled, test_size=n_validation, random_state=seed
        )
        return x_train, x_validation, None

    def scaled_chunks(self, scaler):
        """All scaled rows, as one chunk."""
        return [self._scaled_rows(scaler)]

    def chunks(self):
        """All validated rows, as one chunk."""
        return [self.X]
