"""A detector to its state and a state back to a detector: pickling and files.

:func:`detector_state` reads a detector into the plain state of
:mod:`pyod_efficientgan.state`; :func:`from_state` is the one place a state
becomes a detector again, for unpickling and
:meth:`~pyod_efficientgan.EfficientGAN.load`: it checks the state against the
schema and the weights against the networks its parameters describe
(:func:`checked_structure`, arithmetic only) before any network is built.
"""

import numbers

import numpy as np

from pyod_efficientgan import networks, parameters, state
from pyod_efficientgan.bigan import build_bigan
from pyod_efficientgan.preprocessing import make_scaler


def detector_state(detector):
    """The detector as a plain state (:func:`pyod_efficientgan.state.to_state`).

    Parameters
    ----------
    detector : EfficientGAN
        A fitted or unfitted detector.

    Returns
    -------
    state : dict
        ``{"params": get_params(deep=False)}`` for an unfitted detector; a
        fitted one adds ``"attributes"``, ``"scaler"`` (the scaler's
        attributes, or None) and ``"weights"`` (``model_.get_weights()``).
        The parameters are as given (only ``save`` requires them to be
        JSON-safe), except that a fitted state holds the values of
        :data:`~pyod_efficientgan.state.STRUCTURE_PARAMS` the model was
        fitted with: ``set_params`` of one of them after ``fit`` changes the
        next fit, not the state of the model that scores.
    """
    fitted = vars(detector)
    params = detector.get_params(deep=False)
    model = fitted.get("model_")
    if model is None:
        return state.to_state(params)
    params.update(fitted.get("_model_params", {}))
    scaler = fitted.get("scaler_")
    plain = state.to_state(params, fitted, None if scaler is None else vars(scaler), [])
    try:
        check_fitted_state(plain)
    except ValueError as error:
        raise ValueError(
            f"Cannot save or pickle this fitted EfficientGAN, it could not be loaded again: "
            f"{error} Set a valid value with set_params first."
        ) from error
    plain["weights"] = [np.asarray(w) for w in model.get_weights()]
    return plain


def check_fitted_params(params):
    """Validate the parameters of a fitted state (part of :func:`check_fitted_state`).

    ``set_params(alpha=2.0)`` after ``fit`` is thus refused when the detector
    is saved or pickled, not when the file is loaded.

    Parameters
    ----------
    params : dict
        The state's ``"params"``.

    Raises
    ------
    ValueError
        ``invalid parameters (...)`` with scikit-learn's message naming the
        parameter and its value.
    """
    try:
        parameters.validate(params)
    except (ValueError, TypeError) as error:
        raise ValueError(f"invalid parameters ({error}).") from error


def check_fitted_state(detector_state):
    """Check a fitted state: the one check of every writer and every reader.

    :func:`detector_state` runs it (``save``, pickling) and :func:`from_state`
    runs it (``load``, unpickling), so that what is written can be read back
    and a pickle is checked like a file: the parameters
    (:func:`check_fitted_params`), the names of the attributes
    (:func:`~pyod_efficientgan.state.name_problems`), and their values
    (:func:`~pyod_efficientgan.state.check_values`).

    Parameters
    ----------
    detector_state : dict
        A fitted state whose ``"params"`` are complete (the constructor's).

    Raises
    ------
    ValueError
        Naming the parameter or attribute a fit cannot give.
    """
    check_fitted_params(detector_state["params"])
    attributes = detector_state["attributes"]
    arrays = [name for name in attributes if name in state.ARRAY_ATTRIBUTES]
    problems = state.name_problems(set(attributes) - set(arrays), arrays)
    missing = problems.get("missing attributes", []) + problems.get("missing arrays", [])
    unknown = problems.get("unknown attributes", [])
    if missing or unknown:
        raise ValueError(f"missing attributes {sorted(missing)}, unknown {sorted(unknown)}.")
    state.check_values(detector_state)


def checked_structure(params, n_features, latent_dim, weights):
    """The :class:`~pyod_efficientgan.parameters.Structure` of ``params``, if ``weights`` fit it.

    Arithmetic only, so a state whose parameters describe networks larger
    than its weights (a forged file) is refused before anything is
    allocated: first the number of arrays
    (:func:`~pyod_efficientgan.networks.weight_count`), which bounds
    ``n_estimators`` and the number of layers, then every shape
    (:func:`~pyod_efficientgan.networks.weight_shapes`), which bounds the
    widths, ``n_features`` and the code sizes. The shapes are compared as
    sorted lists; :func:`from_state` compares the built model's variables in
    order after that.

    Parameters
    ----------
    params : dict
        Validated parameters.
    n_features : int
        ``n_features_in_``.
    latent_dim : int
        ``latent_dim_``.
    weights : list of numpy.ndarray
        The stored weights.

    Returns
    -------
    structure : Structure

    Raises
    ------
    ValueError
        If the weights do not fit the networks.
    """
    widths = parameters.layer_widths(params)
    expected = networks.weight_count(params["n_estimators"], **widths)
    if expected != len(weights):
        raise ValueError(
            "the stored weights do not fit the network described by the parameters "
            f"({len(weights)} arrays; n_estimators={params['n_estimators']!r} and the layer "
            f"widths need {expected})."
        )
    structure = parameters.structure(params, n_features, latent_dim)
    stored = sorted(tuple(int(n) for n in np.shape(w)) for w in weights)
    if sorted(networks.weight_shapes(structure)) != stored:
        raise ValueError(
            "the stored weights do not fit the network described by the parameters "
            f"(n_features_in_={int(n_features)}, layer widths {widths}, code sizes "
            f"{list(structure.latent_dims)})."
        )
    return structure


def _restored_scaler(preprocessing, statistics):
    """The fitted scaler of ``preprocessing`` from its stored attributes, or None."""
    scaler = make_scaler(preprocessing)
    statistics = statistics or {}
    if scaler is None and statistics:
        raise ValueError("scaler attributes but preprocessing=None.")
    if scaler is not None:
        needed = set(state.SCALER_STATISTICS[preprocessing])
        missing = needed - set(statistics)
        foreign = (set(state.SCALER_ARRAYS) - needed) & set(statistics)
        if missing or foreign:
            raise ValueError(
                f"preprocessing={preprocessing!r} needs the scaler statistics "
                f"{sorted(needed)}: missing {sorted(missing)}, foreign {sorted(foreign)}."
            )
        for name, value in statistics.items():
            setattr(scaler, name, tuple(value) if isinstance(value, list) else value)
    return scaler


def from_state(cls, detector_state):
    """Build a detector from a state of :func:`detector_state`.

    Sets the parameters; for a fitted state, checks it (:func:`check_fitted_state`,
    as :func:`detector_state` does), sets the fitted
    attributes and the scaler, checks the weights against the networks the
    parameters describe (:func:`checked_structure`, before any network is
    built), builds the networks (:func:`~pyod_efficientgan.bigan.build_bigan`
    with seed 0) and sets their weights, cast to the variables' dtypes (a
    step counter saved as int64 fits an int32 variable).

    Parameters
    ----------
    cls : type
        The detector class (``EfficientGAN``).
    detector_state : dict
        A state of :func:`detector_state`, or of
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
    params = dict(detector_state["params"])
    unknown = set(params) - set(cls().get_params(deep=False))
    if unknown:
        raise ValueError(f"unknown parameters {sorted(unknown)}.")
    detector = cls(**params)
    if detector_state.get("weights") is None:
        return detector
    params = detector.get_params(deep=False)
    check_fitted_state({**detector_state, "params": params})

    attributes = detector_state["attributes"]
    for spec in state.ATTRIBUTES:
        name, value = spec.name, attributes.get(spec.name)
        if name in ("threshold_", "_mu", "_sigma") and isinstance(value, numbers.Real):
            value = np.float64(value)
        elif name == "feature_names_in_":
            if value is None:
                continue
            value = np.asarray(value).astype(object)
        setattr(detector, name, value)
    detector.scaler_ = _restored_scaler(detector.preprocessing, detector_state.get("scaler"))

    if detector.latent_dim != "auto" and detector.latent_dim != detector.latent_dim_:
        raise ValueError(
            "the stored weights do not fit the network described by the parameters "
            f"(latent_dim={detector.latent_dim!r}, but the code has {detector.latent_dim_})."
        )
    weights = list(detector_state["weights"])
    structure = checked_structure(params, detector.n_features_in_, detector.latent_dim_, weights)
    model = build_bigan(structure, seed=0)
    variables = model.weights
    if [tuple(np.shape(w)) for w in weights] != [tuple(v.shape) for v in variables]:
        raise ValueError("the stored weights do not fit the network described by the parameters.")
    model.set_weights([np.asarray(w, dtype=v.dtype) for w, v in zip(weights, variables)])
    detector.model_ = model
    detector._model_params = state.fitted_structure(params)
    return detector


def pickle_state(detector):
    """The state pickling keeps: :func:`detector_state`, plus what a file cannot keep.

    That is the structure parameters set with ``set_params`` since the fit
    (``"params_for_next_fit"``), which a copy applies at its next fit like the
    original; the state itself holds the values the model was fitted with.
    """
    pickled = detector_state(detector)
    fitted = detector.__dict__.get("_model_params") if "weights" in pickled else None
    pending = {
        k: getattr(detector, k) for k in fitted or {} if getattr(detector, k) is not fitted[k]
    }
    if pending:
        pickled["params_for_next_fit"] = pending
    return pickled


def set_pickle_state(detector, pickled):
    """Make ``detector`` (being unpickled) the detector of a :func:`pickle_state`."""
    pickled = dict(pickled)
    pending = pickled.pop("params_for_next_fit", {})
    if not isinstance(pending, dict) or not set(pending) <= set(state.STRUCTURE_PARAMS):
        # only structure parameters wait for the next fit; anything else would set an
        # arbitrary attribute of the detector (``decision_function`` included)
        names = sorted(map(str, pending)) if isinstance(pending, dict) else pending
        raise ValueError(f"params_for_next_fit holds {names!r}, not structure parameters.")
    detector.__dict__.update(from_state(type(detector), pickled).__dict__)
    detector.__dict__.update(pending)
