"""The rows' preprocessing: the dtypes they are validated to, the input scaler, float32.

Plain functions of rows and a scaler, shared by the row sources
(:mod:`pyod_efficientgan.rows`, :mod:`pyod_efficientgan.scaleout.streaming`),
scoring (:func:`~pyod_efficientgan.chunks.map_chunks`) and the restore of a
saved scaler.
"""

import warnings

import numpy as np
from sklearn.preprocessing import MinMaxScaler, StandardScaler

VALIDATED_DTYPES = [np.float64, np.float32]
"""Rows are validated to one of these dtypes (float32 stays float32)."""


def check_column_types(X):
    """Refuse date and time columns, naming them (NumPy cannot make them floats).

    Parameters
    ----------
    X : array-like
        Rows as given to ``fit`` or to scoring; a DataFrame's columns are
        checked one by one.

    Raises
    ------
    ValueError
        For ``datetime64`` (time zone or not) and ``timedelta64`` columns, or
        an array of such values.
    """
    dtypes = getattr(X, "dtypes", None)
    if dtypes is not None and hasattr(dtypes, "items"):
        named = [(name, dtype) for name, dtype in dtypes.items()]
    else:
        named = [(None, getattr(X, "dtype", None))]
    dated = [(name, dtype) for name, dtype in named if getattr(dtype, "kind", None) in ("M", "m")]
    if not dated:
        return
    if dated[0][0] is None:
        what = f"the rows are of dtype {dated[0][1]}"
    else:
        what = "the column(s) " + ", ".join(f"{name!r} ({dtype})" for name, dtype in dated[:10])
        what += " hold dates or durations"
    raise ValueError(
        f"{what}, which are not numbers the detector can scale. Convert them to numbers "
        "first (e.g. seconds since a reference time, or a duration in seconds) or drop them."
    )


def check_feature_names(X):
    """Refuse column names that saved files and pickles could not keep.

    A name that ends in a NUL character loses it in a NumPy string array, as
    ``save`` and pickling store the names, so the copy would refuse the
    DataFrame the original accepts.

    Parameters
    ----------
    X : array-like
        The training rows; only a DataFrame's column names are checked.

    Raises
    ------
    ValueError
        Naming the first such columns.
    """
    columns = getattr(X, "columns", None)
    if columns is None:
        return
    bad = [name for name in columns if isinstance(name, str) and name.endswith("\x00")]
    if bad:
        raise ValueError(
            f"the column name(s) {bad[:10]!r} end in a NUL character, which saved files and "
            "pickles cannot keep (NumPy strings drop it); rename the column(s)."
        )


def make_scaler(preprocessing):
    """The unfitted input scaler for the ``preprocessing`` parameter, or None."""
    if preprocessing == "minmax":
        return MinMaxScaler()
    if preprocessing == "standard":
        return StandardScaler()
    return None


MINMAX_RESOLUTION = 10 * np.finfo(np.float64).eps
"""``MinMaxScaler`` treats a column whose range is below this as constant."""

SQUARE_UNDERFLOW = float(np.sqrt(np.finfo(np.float64).tiny))
"""Values below this (about 1.5e-154) have squares below float64's normal range: a column of
them has a variance of 0 to ``StandardScaler``, which takes it for a constant column."""


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
        :data:`MINMAX_RESOLUTION`; with standard scaling, for columns of a
        variance of 0 whose mean is not 0 but below :data:`SQUARE_UNDERFLOW` in
        magnitude (their variance underflowed). The scaler takes them for
        constant columns and their variation is lost.
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
        cause = (
            f"their range ({statistic[lost].min() if lost.size else 0:.3g}) is below "
            f"{MINMAX_RESOLUTION:.3g}"
        )
        remedy = "Multiply them by a constant before fitting, or use preprocessing='standard'."
    else:
        magnitude = np.abs(scaler.mean_)
        lost = np.flatnonzero((statistic == 0) & (magnitude > 0) & (magnitude < SQUARE_UNDERFLOW))
        cause = (
            f"their values (about {magnitude[lost].max() if lost.size else 0:.3g}) are so "
            "small that their variance underflows float64"
        )
        remedy = "Multiply them by a constant before fitting."
    if lost.size:
        warnings.warn(
            f"preprocessing={name!r} treats the column(s) {lost[:10].tolist()} as constant: "
            f"{cause}, so their variation is lost. {remedy}",
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
