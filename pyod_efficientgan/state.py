"""A detector's state: the one schema of what pickling and files keep, and the way back.

A state is a plain dict; pickling stores it (:meth:`EfficientGAN.__getstate__
<pyod_efficientgan.EfficientGAN>`) and :mod:`pyod_efficientgan.persistence`
turns it into a file and back. :func:`to_state` makes it from a detector and
:func:`from_state` is the one place a state becomes a detector again, for
unpickling and :meth:`~pyod_efficientgan.EfficientGAN.load`:

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

An unfitted detector's state holds ``"params"`` only. The value checks
(:func:`check_values`, :func:`check_weight_shapes`) raise ValueError; the
module imports NumPy only, neither Keras nor the detector.
"""

import contextlib
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


def fitted_structure(detector):
    """The values of :data:`STRUCTURE_PARAMS` a model is fitted (or loaded) with."""
    return {name: getattr(detector, name) for name in STRUCTURE_PARAMS}


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


# ------------------------------------------------------------------ detector -> state
def _plain(value):
    """NumPy scalars as Python numbers, object arrays (column names) as strings."""
    if isinstance(value, np.ndarray):
        return value.astype(str) if value.dtype.hasobject else value
    return value.item() if isinstance(value, np.generic) else value


def to_state(detector):
    """The detector as a plain state: JSON-safe values and NumPy arrays.

    Parameters
    ----------
    detector : EfficientGAN
        A fitted or unfitted detector.

    Returns
    -------
    state : dict
        ``{"params": get_params(deep=False)}`` for an unfitted detector; a
        fitted one adds ``"attributes"`` (:data:`ATTRIBUTES`, NumPy scalars as
        Python numbers, ``feature_names_in_`` as strings), ``"scaler"`` (the
        scaler's attributes, or None) and ``"weights"``
        (``model_.get_weights()``). The parameters are as given (only
        ``save`` requires them to be JSON-safe), except that a fitted state
        holds the values of :data:`STRUCTURE_PARAMS` the model was fitted
        with: ``set_params`` of one of them after ``fit`` changes the next
        fit, not the state of the model that scores.
    """
    attributes = vars(detector)
    state = {"params": detector.get_params(deep=False)}
    model = attributes.get("model_")
    if model is None:
        return state
    state["params"].update(attributes.get("_model_params", {}))
    scaler = attributes.get("scaler_")
    state["attributes"] = {name: _plain(attributes[name]) for name in _SCHEMA if name in attributes}
    state["scaler"] = None if scaler is None else {k: _plain(v) for k, v in vars(scaler).items()}
    state["weights"] = [np.asarray(w) for w in model.get_weights()]
    return state


# ------------------------------------------------------------------ state -> detector
def from_state(cls, state):
    """Build a detector from a state of :func:`to_state`.

    Sets the parameters; for a fitted state, validates them, sets the fitted
    attributes and the scaler, checks the weights against the networks the
    parameters describe (:func:`check_weight_shapes`, before any network is
    built), builds the networks (``parameters.build_model(detector, n_features_in_,
    seed=0)``) and sets their weights, cast to the variables' dtypes (a step
    counter saved as int64 fits an int32 variable).

    Parameters
    ----------
    cls : type
        The detector class (``EfficientGAN``).
    state : dict
        A state of :func:`to_state`, or of
        :func:`~pyod_efficientgan.persistence.read_state`.

    Returns
    -------
    detector : EfficientGAN
        An unfitted detector for a state of parameters only, else a fitted one.

    Raises
    ------
    ValueError
        If the state describes no detector of this class: unknown
        parameters; for a fitted state, parameters that do not validate, a
        missing or unknown attribute, missing scaler statistics, or weights
        that do not fit the networks.
    """
    from pyod_efficientgan import parameters  # Keras and scikit-learn, needed only here
    from pyod_efficientgan.rows import make_scaler

    params = dict(state["params"])
    unknown = set(params) - set(cls().get_params(deep=False))
    if unknown:
        raise ValueError(f"unknown parameters {sorted(unknown)}.")
    detector = cls(**params)
    if state.get("weights") is None:
        return detector
    try:
        detector._validate_params()
    except (ValueError, TypeError) as error:
        raise ValueError(f"invalid parameters ({error}).") from error

    attributes = state["attributes"]
    missing = set(_SCHEMA) - set(OPTIONAL_ATTRIBUTES) - set(attributes)
    unknown = set(attributes) - set(_SCHEMA)
    if missing or unknown:
        raise ValueError(f"missing attributes {sorted(missing)}, unknown {sorted(unknown)}.")
    for name in _SCHEMA:
        value = attributes.get(name)
        if name in ("threshold_", "_mu", "_sigma") and isinstance(value, numbers.Real):
            value = np.float64(value)
        elif name == "feature_names_in_":
            if value is None:
                continue
            value = np.asarray(value).astype(object)
        setattr(detector, name, value)

    scaler = make_scaler(detector.preprocessing)
    statistics = state.get("scaler") or {}
    if scaler is None and statistics:
        raise ValueError("scaler attributes but preprocessing=None.")
    if scaler is not None:
        needed = set(SCALER_STATISTICS[detector.preprocessing])
        missing = needed - set(statistics)
        foreign = (set(SCALER_ARRAYS) - needed) & set(statistics)
        if missing or foreign:
            raise ValueError(
                f"preprocessing={detector.preprocessing!r} needs the scaler statistics "
                f"{sorted(needed)}: missing {sorted(missing)}, foreign {sorted(foreign)}."
            )
        for name, value in statistics.items():
            setattr(scaler, name, tuple(value) if isinstance(value, list) else value)
    detector.scaler_ = scaler

    if detector.latent_dim != "auto" and detector.latent_dim != detector.latent_dim_:
        raise ValueError(
            "the stored weights do not fit the network described by the parameters "
            f"(latent_dim={detector.latent_dim!r}, but the code has {detector.latent_dim_})."
        )
    weights = list(state["weights"])
    check_weight_shapes(detector, weights)  # before any network is built
    model = parameters.build_model(detector, detector.n_features_in_, seed=0)
    variables = model.weights
    if [tuple(np.shape(w)) for w in weights] != [tuple(v.shape) for v in variables]:
        raise ValueError("the stored weights do not fit the network described by the parameters.")
    model.set_weights([np.asarray(w, dtype=v.dtype) for w, v in zip(weights, variables)])
    detector.model_ = model
    detector._model_params = fitted_structure(detector)
    return detector


# ------------------------------------------------------------------ checks
def check_weight_shapes(detector, weights):
    """Check that ``weights`` are those of the networks the parameters describe.

    Arithmetic only, so a state whose parameters describe networks larger
    than its weights (a forged file) is refused before anything is
    allocated: first the number of arrays, which bounds ``n_estimators`` and
    the number of layers, then every shape, which bounds the widths,
    ``n_features_in_`` and the code sizes. Keras lists a model's variables in
    an order that depends on the backend, so the shapes are compared as
    sorted lists; :func:`from_state` compares the built model's variables in
    order after that.

    Parameters
    ----------
    detector : EfficientGAN
        A detector with its parameters, ``n_features_in_`` and
        ``latent_dim_`` set (:func:`~pyod_efficientgan.parameters.layer_widths`
        and :func:`~pyod_efficientgan.parameters.detector_latent_dims` give the networks).
    weights : list of numpy.ndarray
        The stored weights.

    Raises
    ------
    ValueError
        If the weights do not fit the networks.
    """
    from pyod_efficientgan import parameters  # Keras, needed only here

    widths = parameters.layer_widths(detector)
    encoder, generator = widths["encoder_units"], widths["generator_units"]
    branch, *joint = widths["discriminator_units"]
    n_layers = len(encoder) + 1 + len(generator) + 1 + 2 + len(joint) + 1
    per_member = 1 + 2 * 2 * n_layers  # the EMA step counter; two copies of every Dense
    expected = int(detector.n_estimators) * per_member
    if expected != len(weights):
        raise ValueError(
            "the stored weights do not fit the network described by the parameters "
            f"({len(weights)} arrays; n_estimators={detector.n_estimators!r} and the layer "
            f"widths need {expected})."
        )
    n_features = int(detector.n_features_in_)

    def dense(widths_in_order):
        for inputs, outputs in zip(widths_in_order, widths_in_order[1:]):
            yield (inputs, outputs)
            yield (outputs,)

    shapes = []
    for latent_dim in parameters.detector_latent_dims(detector):
        latent_dim = int(latent_dim)
        member = [
            *dense((n_features, *encoder, latent_dim)),
            *dense((latent_dim, *generator, n_features)),
            *dense((n_features, branch)),
            *dense((latent_dim, branch)),
            *dense((2 * branch, *joint, 1)),
        ]
        shapes += [()] + member + member
    stored = sorted(tuple(int(n) for n in np.shape(w)) for w in weights)
    if sorted(shapes) != stored:
        raise ValueError(
            "the stored weights do not fit the network described by the parameters "
            f"(n_features_in_={n_features}, layer widths {widths}, code sizes "
            f"{parameters.detector_latent_dims(detector)})."
        )


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


def _check_score_summary(attributes):
    """``threshold_``, ``_mu`` and ``_sigma`` are those of ``decision_scores_`` (as PyOD sets them).

    ``threshold_`` is a percentile of the scores (a saved detector's
    ``contamination`` is a float), so it lies within their range; ``_mu`` and
    ``_sigma`` are their mean and standard deviation, up to rounding.
    """
    scores = attributes["decision_scores_"].astype(np.float64)
    low, high = float(scores.min()), float(scores.max())
    spread = max(high - low, abs(low), abs(high), 1.0) * 1e-9
    problems = []
    if not low - spread <= attributes["threshold_"] <= high + spread:
        problems.append(
            f"threshold_={attributes['threshold_']!r} lies outside the training scores "
            f"[{low!r}, {high!r}]"
        )
    for name, value in (("_mu", scores.mean()), ("_sigma", scores.std())):
        if not math.isclose(attributes[name], float(value), rel_tol=1e-6, abs_tol=spread):
            problems.append(f"{name}={attributes[name]!r} but the training scores give {value!r}")
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
    0); and ``threshold_``, ``_mu`` and ``_sigma`` agree with the training
    scores.

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
    _check_score_summary(attributes)


def pickle_state(detector):
    """The state pickling keeps: :func:`to_state`, plus what a file cannot keep.

    That is the structure parameters set with ``set_params`` since the fit
    (``"params_for_next_fit"``), which a copy applies at its next fit like the
    original; the state itself holds the values the model was fitted with.
    """
    state = to_state(detector)
    fitted = detector.__dict__.get("_model_params") if "weights" in state else None
    pending = {
        k: getattr(detector, k) for k in fitted or {} if getattr(detector, k) is not fitted[k]
    }
    if pending:
        state["params_for_next_fit"] = pending
    return state


def set_pickle_state(detector, state):
    """Make ``detector`` (being unpickled) the detector of a :func:`pickle_state`."""
    state = dict(state)
    pending = state.pop("params_for_next_fit", {})
    detector.__dict__.update(from_state(type(detector), state).__dict__)
    detector.__dict__.update(pending)


@contextlib.contextmanager
def restored_on_failure(detector):
    """Undo every change to the detector's fitted state if the block raises.

    A fit that fails or is interrupted anywhere (validation, training,
    scoring, thresholding) leaves the detector as it was: fitted with its old
    model, or unfitted. The parameters are not touched.
    """
    params = set(detector.get_params(deep=False))
    before = {k: v for k, v in detector.__dict__.items() if k not in params}
    try:
        yield
    except BaseException:
        for name in [k for k in detector.__dict__ if k not in params]:
            del detector.__dict__[name]
        detector.__dict__.update(before)
        raise
