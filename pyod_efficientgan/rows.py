"""Where the training rows come from: one interface for arrays and streams of chunks.

:meth:`EfficientGAN.fit <pyod_efficientgan.EfficientGAN.fit>` and
:meth:`~pyod_efficientgan.EfficientGAN.fit_chunks` share one path from a
source of rows to a fitted detector; they differ only in the source:
:class:`ArrayRows` here (rows in memory) or
:class:`~pyod_efficientgan.scaleout.streaming.ChunkedRows` (a stream of
chunks read several times). A source has four methods, called in this order:

- ``prepare(detector, scaler)``: validate every row (``validate_data`` with
  ``reset=True`` on the first, which sets ``n_features_in_``), fit the
  input scaler and check it (:func:`check_fitted_scaler`);
- ``training_rows(detector, scaler, seed)``: the preprocessed rows to train on,
  held-out rows for early stopping (or None), and how to batch them
  (``make_batches(rows, batch_size, seed, passes)``, or None for the
  backend's ``training_batches``);
- ``scaled_chunks(detector, scaler)``: the preprocessed rows, chunk by chunk (for
  the members' score moments);
- ``chunks(detector)``: the validated raw rows, chunk by chunk (for
  ``decision_scores_``).

A source also has ``failure``: None, or the error it raised while its rows
were read inside a backend's input pipeline (which wraps it in an error of
its own); ``fit`` raises that error instead of the backend's.
"""

import math
import warnings

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


MINMAX_RESOLUTION = 10 * np.finfo(np.float64).eps
"""``MinMaxScaler`` treats a column whose range is below this as constant."""


def check_fitted_scaler(scaler):
    """Refuse a scaler whose statistics overflowed; warn of columns it cannot resolve.

    Parameters
    ----------
    scaler : StandardScaler, MinMaxScaler or None
        The input scaler, fitted on the training rows.

    Raises
    ------
    ValueError
        If a statistic is not finite: values so large (about 1e154 and more)
        that their variance, or a range spanning both signs, overflows float64.

    Warns
    -----
    UserWarning
        With min-max scaling, for columns that vary by less than
        :data:`MINMAX_RESOLUTION`: the scaler takes them for constant columns
        and their variation is lost.
    """
    if scaler is None:
        return
    if isinstance(scaler, StandardScaler):
        name, statistic, what = "standard", scaler.var_, "variance"
    else:
        name, statistic, what = "minmax", scaler.data_range_, "range (max - min)"
    overflowing = np.flatnonzero(~np.isfinite(statistic))
    if overflowing.size:
        raise ValueError(
            f"preprocessing={name!r} cannot scale the column(s) {overflowing[:10].tolist()}: "
            f"their {what} overflows float64, the values are too large. Divide them by a "
            "constant before fitting."
        )
    if name == "minmax":
        lost = np.flatnonzero((statistic > 0) & (statistic < MINMAX_RESOLUTION))
        if lost.size:
            warnings.warn(
                f"preprocessing='minmax' treats the column(s) {lost[:10].tolist()} as "
                f"constant: their range ({statistic[lost].min():.3g}) is below "
                f"{MINMAX_RESOLUTION:.3g}, so their variation is lost. Multiply them by a "
                "constant before fitting, or use preprocessing='standard'.",
                UserWarning,
                stacklevel=5,
            )


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
        self.failure = None

    def prepare(self, detector, scaler):
        """Validate the rows (sets ``n_features_in_``) and fit ``scaler``."""
        self.X = validate_rows(detector, self.X, reset=True)
        if scaler is not None:
            with np.errstate(over="ignore", invalid="ignore"):  # check_fitted_scaler says it
                scaler.fit(self.X)
            check_fitted_scaler(scaler)
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
