"""A detector's state: the one schema of what pickling and files keep, and its checks.

A state is a plain dict; pickling stores it (:meth:`EfficientGAN.__getstate__
<pyod_efficientgan.EfficientGAN>`), :mod:`pyod_efficientgan.persistence`
turns it into a file and back, and :mod:`pyod_efficientgan.restore` makes it
from a detector and a detector from it. :func:`to_state` assembles it from
plain values:

``"params"``
    The constructor parameters (``get_params(deep=False)``); in a fitted
    state, the values of :data:`STRUCTURE_PARAMS` are those the model was
    fitted with.
``"attributes"``
    The fitted attributes of :data:`ATTRIBUTES`: JSON-safe scalars
    (:class:`Scalar`) and NumPy arrays (:class:`Array`, ``feature_names_in_``
    as strings); an optional one may be None or absent.
``"scaler"``
    The input scaler's attributes: the scalars of :data:`SCALER_SCALARS` and
    the statistics :data:`SCALER_STATISTICS` names for the ``preprocessing``,
    or None.
``"weights"``
    ``model_.get_weights()``: a list of NumPy arrays, in order.

An unfitted detector's state holds ``"params"`` only. :func:`name_problems`
is the one check of a state's names against the schema (the writer, the
reader and the restore use it); :func:`check_values` checks the values and
raises ValueError. The module imports NumPy only, neither Keras nor the
detector, and takes plain values, never the detector.
"""

import math
import numbers
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

STRUCTURE_PARAMS = (
    "latent_dim",
    "encoder_units",
    "generator_units",
    "discriminator_units",
    "dropout",
    "ema_decay",
    "n_estimators",
    "preprocessing",
)
"""The parameters that decide the fitted model's networks and scaler. Set after
``fit``, they act at the next fit; a state keeps the fitted values, so that it
always describes the model that scores."""


def fitted_structure(params):
    """The values of :data:`STRUCTURE_PARAMS` in ``params`` (those a model is fitted with)."""
    return {name: params[name] for name in STRUCTURE_PARAMS}


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def _is_real(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_finite(value):
    return _is_real(value) and math.isfinite(value)


def _is_positive_int(value):
    return _is_int(value) and value > 0


def _is_history(value):
    if not isinstance(value, dict) or "epoch" not in value:
        return False
    lengths = {len(v) for v in value.values() if isinstance(v, list)}
    return (
        all(isinstance(k, str) and isinstance(v, list) for k, v in value.items())
        and len(lengths) == 1
        and all(_is_int(v) for v in value["epoch"])
        and all(_is_real(v) for k, values in value.items() if k != "epoch" for v in values)
    )


class Scalar(NamedTuple):
    """A fitted attribute kept as a JSON value.

    Attributes
    ----------
    name : str
        The attribute's name.
    check : callable
        ``check(value) -> bool``: whether a value is one a fit gives.
    expected : str
        What ``check`` accepts, in words (for the error message).
    optional : bool, default=False
        Whether a state may lack the attribute.
    """

    name: str
    check: Callable[[object], bool]
    expected: str
    optional: bool = False


class Array(NamedTuple):
    """A fitted attribute kept as a NumPy array.

    Attributes
    ----------
    name : str
        The attribute's name.
    kinds : str
        The NumPy dtype kinds it may have (``"f"``, ``"iu"``, ``"U"``).
    ndim : int, default=1
        Its number of dimensions.
    optional : bool, default=False
        Whether a state may lack the attribute (or hold it as None).
    """

    name: str
    kinds: str
    ndim: int = 1
    optional: bool = False


ATTRIBUTES = (
    Scalar("n_features_in_", _is_positive_int, "a positive int"),
    Array("feature_names_in_", "U", optional=True),
    Scalar("_classes", _is_int, "an int"),
    Scalar("latent_dim_", _is_positive_int, "a positive int"),
    Scalar("epochs_", _is_positive_int, "a positive int"),
    Scalar("best_epoch_", lambda v: v is None or _is_positive_int(v), "a positive int or null"),
    Scalar("history_", _is_history, "a dict of equally long lists with an int 'epoch' list"),
    Array("_member_moments", "f", ndim=4, optional=True),
    Array("decision_scores_", "f"),
    Scalar("threshold_", _is_finite, "a finite number"),
    Array("labels_", "iu"),
    Scalar("_mu", _is_finite, "a finite number"),
    Scalar("_sigma", lambda v: _is_finite(v) and v >= 0, "a finite number >= 0"),
)
"""Every fitted attribute of a state besides the scaler and the weights, with its kind and check."""

SCALAR_ATTRIBUTES = tuple(a.name for a in ATTRIBUTES if isinstance(a, Scalar))
"""The names of the :class:`Scalar` attributes."""

ARRAY_ATTRIBUTES = tuple(a.name for a in ATTRIBUTES if isinstance(a, Array))
"""The names of the :class:`Array` attributes."""

OPTIONAL_ATTRIBUTES = tuple(a.name for a in ATTRIBUTES if a.optional)
"""The attributes a fitted state may lack: no column names, the moments of a single member."""

SCALER_STATISTICS = {
    "standard": ("mean_", "var_", "scale_"),
    "minmax": ("min_", "scale_", "data_min_", "data_max_", "data_range_"),
}
"""The fitted arrays of the scaler of each ``preprocessing``: 1-D, float, one value per
feature."""

SCALER_ARRAYS = tuple(dict.fromkeys(n for names in SCALER_STATISTICS.values() for n in names))
"""Every scaler statistic of :data:`SCALER_STATISTICS`."""

SCALER_SCALARS = (
    "copy",
    "with_mean",
    "with_std",
    "clip",
    "feature_range",
    "n_features_in_",
    "n_samples_seen_",
)
"""The scalar attributes of the scaler (``StandardScaler`` or ``MinMaxScaler``)."""

_SCALER_POSITIVE = ("scale_", "var_", "data_range_")
"""Scaler statistics that are never negative (``scale_`` never 0 either)."""

_SCHEMA = {a.name: a for a in ATTRIBUTES}


# ------------------------------------------------------------------ names
def name_problems(scalars, arrays, scaler_scalars=()):
    """The names of a state that its schema refuses: the one allow-list.

    Parameters
    ----------
    scalars : iterable of str
        Names of the scalar attributes.
    arrays : iterable of str
        Names of the array attributes, the scaler's statistics as ``scaler.<name>``.
    scaler_scalars : iterable of str, default=()
        Names of the scaler's scalar attributes.

    Returns
    -------
    problems : dict of str to list of str
        In the order checked, only those that occur: ``"unknown attributes"``,
        ``"missing attributes"`` (of the required :data:`ATTRIBUTES`),
        ``"unknown scaler attributes"``, ``"unknown arrays"`` and
        ``"missing arrays"``, each with its sorted names.
    """
    scalars, arrays = set(scalars), set(arrays)
    required = set(_SCHEMA) - set(OPTIONAL_ATTRIBUTES)
    allowed_arrays = set(ARRAY_ATTRIBUTES) | {f"scaler.{name}" for name in SCALER_ARRAYS}
    problems = {
        "unknown attributes": scalars - set(SCALAR_ATTRIBUTES),
        "missing attributes": (required & set(SCALAR_ATTRIBUTES)) - scalars,
        "unknown scaler attributes": set(scaler_scalars) - set(SCALER_SCALARS),
        "unknown arrays": arrays - allowed_arrays,
        "missing arrays": (required & set(ARRAY_ATTRIBUTES)) - arrays,
    }
    return {what: sorted(names) for what, names in problems.items() if names}


# ------------------------------------------------------------------ plain values -> state
def _plain(value):
    """NumPy scalars as Python numbers, object arrays (column names) as strings."""
    if isinstance(value, np.ndarray):
        return value.astype(str) if value.dtype.hasobject else value
    return value.item() if isinstance(value, np.generic) else value


def to_state(params, attributes=None, scaler=None, weights=None):
    """A state of plain values: JSON-safe values and NumPy arrays.

    Parameters
    ----------
    params : dict
        The constructor parameters (``get_params(deep=False)``); for a
        fitted state, with the values of :data:`STRUCTURE_PARAMS` the model
        was fitted with.
    attributes : dict or None, default=None
        The fitted attributes (those of :data:`ATTRIBUTES` are kept, NumPy
        scalars as Python numbers, ``feature_names_in_`` as strings); None
        for an unfitted detector.
    scaler : dict or None, default=None
        The fitted scaler's attributes, or None.
    weights : list of array-like or None, default=None
        The model's weights, in order.

    Returns
    -------
    state : dict
        ``{"params": params}`` when ``attributes`` is None, else also
        ``"attributes"``, ``"scaler"`` and ``"weights"``.
    """
    state = {"params": dict(params)}
    if attributes is None:
        return state
    state["attributes"] = {name: _plain(attributes[name]) for name in _SCHEMA if name in attributes}
    state["scaler"] = None if scaler is None else {k: _plain(v) for k, v in scaler.items()}
    state["weights"] = [np.asarray(w) for w in weights]
    return state


# ------------------------------------------------------------------ checks
def _check_scalars(attributes, scaler):
    """Every scalar attribute against its :class:`Scalar` check; the scaler's are numbers."""
    for name, value in attributes.items():
        spec = _SCHEMA[name]
        if isinstance(spec, Scalar) and not spec.check(value):
            raise ValueError(f"attribute {name} must be {spec.expected}, got {value!r}.")
    for name, value in scaler.items():
        if name in SCALER_SCALARS and not (
            value is None
            or isinstance(value, (bool, int, float))
            or (isinstance(value, (list, tuple)) and all(_is_real(v) for v in value))
        ):
            raise ValueError(f"scaler attribute {name} is {value!r}.")


def _check_arrays(attributes, scaler):
    """Dimensions, dtypes and lengths of the arrays (the scaler's named ``scaler.<name>``)."""
    arrays = {
        name: value
        for name, value in attributes.items()
        if isinstance(_SCHEMA[name], Array) and value is not None
    }
    statistics = {f"scaler.{name}": v for name, v in scaler.items() if name in SCALER_ARRAYS}
    for name, value in arrays.items():
        spec = _SCHEMA[name]
        if value.ndim != spec.ndim or (spec.ndim > 1 and value.dtype.kind not in spec.kinds):
            raise ValueError(f"array {name} must be {spec.ndim}-D, got shape {value.shape}.")
    for name, value in statistics.items():
        if value.ndim != 1:
            raise ValueError(f"array {name} must be 1-D, got shape {value.shape}.")
    problems = [
        name
        for name in ("decision_scores_", "labels_")
        if arrays[name].dtype.kind not in _SCHEMA[name].kinds
    ]
    if len(arrays["decision_scores_"]) != len(arrays["labels_"]):
        problems.append("decision_scores_ and labels_ differ in length")
    n_features = attributes["n_features_in_"]
    names = arrays.get("feature_names_in_")
    if names is not None and (names.dtype.kind != "U" or len(names) != n_features):
        problems.append("feature_names_in_")
    problems += [
        name
        for name, value in statistics.items()
        if value.dtype.kind != "f" or len(value) != n_features
    ]
    if problems:
        raise ValueError(f"arrays of the wrong type or length: {problems}.")


def _check_statistics(attributes, scaler):
    """The training scores, labels and scaler statistics hold values a fit can give."""
    scores, labels = attributes["decision_scores_"], attributes["labels_"]
    problems = []
    if len(scores) == 0 or not np.all(np.isfinite(scores)):
        problems.append("decision_scores_ must be finite, at least one")
    if not np.all((labels == 0) | (labels == 1)):
        problems.append("labels_ must be 0 or 1")
    moments = attributes.get("_member_moments")
    if moments is not None and not np.all(np.isfinite(moments)):
        problems.append("_member_moments must be finite")
    for name, value in scaler.items():
        if name not in SCALER_ARRAYS:
            continue
        if not np.all(np.isfinite(value)):
            problems.append(f"scaler.{name} must be finite")
        elif name in _SCALER_POSITIVE and not np.all(value >= 0):
            problems.append(f"scaler.{name} must be >= 0")
        elif name == "scale_" and not np.all(value != 0):
            problems.append("scaler.scale_ must not be 0")
    if problems:
        raise ValueError(f"{'; '.join(problems)}.")


def _check_score_summary(attributes, thresholder=False):
    """``threshold_``, ``_mu`` and ``_sigma`` are those of ``decision_scores_`` (as PyOD sets them).

    ``threshold_`` is a percentile of the scores (when ``contamination`` is a
    float: a saved detector's always is), so it lies within their range;
    ``_mu`` and ``_sigma`` are their mean and standard deviation, up to
    rounding. A thresholder's ``threshold_`` (a pickled detector's) is on its
    own scale and not compared.
    """
    scores = attributes["decision_scores_"].astype(np.float64)
    low, high = float(scores.min()), float(scores.max())
    spread = max(high - low, abs(low), abs(high), 1.0) * 1e-9
    problems = []
    if not thresholder and not low - spread <= attributes["threshold_"] <= high + spread:
        problems.append(
            f"threshold_={attributes['threshold_']!r} lies outside the training scores "
            f"[{low!r}, {high!r}]"
        )
    for name, value in (("_mu", scores.mean()), ("_sigma", scores.std())):
        if not math.isclose(attributes[name], float(value), rel_tol=1e-6, abs_tol=spread):
            problems.append(f"{name}={attributes[name]!r} but the training scores give {value!r}")
    if problems:
        raise ValueError(f"{'; '.join(problems)}.")


def _check_consistency(attributes, scaler, contamination):
    """What one fit gives together: labels, threshold, scaler width, distinct column names.

    With a float ``contamination`` PyOD sets ``threshold_`` to the
    ``100 * (1 - contamination)`` percentile of the training scores and
    ``labels_`` to ``decision_scores_ > threshold_``; the scaler is fitted on
    the detector's columns, and the columns' names are distinct.
    """
    problems = []
    scores, labels = attributes["decision_scores_"], attributes["labels_"]
    threshold = attributes["threshold_"]
    if isinstance(contamination, numbers.Real) and not isinstance(contamination, bool):
        expected = float(np.percentile(scores.astype(np.float64), 100 * (1 - float(contamination))))
        spread = max(float(np.ptp(scores)), abs(expected), 1.0) * 1e-9
        if not math.isclose(threshold, expected, rel_tol=0, abs_tol=spread):
            problems.append(
                f"threshold_={threshold!r} but contamination={contamination!r} gives {expected!r}"
            )
        elif not np.array_equal(labels, scores > threshold):
            problems.append("labels_ are not decision_scores_ > threshold_")
    if "n_features_in_" in scaler and scaler["n_features_in_"] != attributes["n_features_in_"]:
        problems.append(
            f"scaler.n_features_in_={scaler['n_features_in_']!r} but "
            f"n_features_in_={attributes['n_features_in_']!r}"
        )
    names = attributes.get("feature_names_in_")
    if names is not None and len(set(names.tolist())) != len(names):
        problems.append("feature_names_in_ holds a name more than once")
    if problems:
        raise ValueError(f"{'; '.join(problems)}.")


def check_values(state):
    """Check that a fitted state's attributes and scaler hold values a fit can give.

    For a state from elsewhere (a file): each scalar attribute is of its
    :class:`Scalar` kind and the scaler's scalars are numbers; every array
    has its dimensions and dtype, the training scores and labels one length,
    the column names and scaler statistics one value per feature; the scores,
    the members' moments and the scaler statistics are finite, labels 0 or
    1, ``scale_``, ``var_`` and ``data_range_`` not negative (``scale_`` not
    0); ``threshold_``, ``_mu`` and ``_sigma`` agree with the training
    scores; ``threshold_`` and ``labels_`` with a float ``contamination``;
    the scaler's ``n_features_in_`` with the detector's; and the column names
    are distinct.

    Parameters
    ----------
    state : dict
        A fitted state whose attribute names are those of :data:`ATTRIBUTES`
        (every required one present) and whose scaler's names are in
        :data:`SCALER_SCALARS` and :data:`SCALER_ARRAYS`. JSON lists may
        stand for tuples.

    Raises
    ------
    ValueError
        Naming the first attribute (or the problems of a group) that a fit
        cannot give.
    """
    attributes, scaler = state["attributes"], state["scaler"] or {}
    _check_scalars(attributes, scaler)
    _check_arrays(attributes, scaler)
    _check_statistics(attributes, scaler)
    contamination = state.get("params", {}).get("contamination", 0.1)
    _check_score_summary(attributes, thresholder=not isinstance(contamination, numbers.Real))
    _check_consistency(attributes, scaler, contamination)
