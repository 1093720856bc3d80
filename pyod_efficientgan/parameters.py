"""What the detector's parameters mean: their constraints, and the plain records they give.

:class:`~pyod_efficientgan.EfficientGAN` stores its constructor parameters as
given (scikit-learn's convention). Here they are turned, once per fit or
load, into two plain records that the modules below take instead of the
detector: the :class:`Structure` of the networks (:func:`structure`) and the
:class:`TrainingPlan` (:func:`training_plan`). The functions take the
parameters as a mapping (``get_params(deep=False)``), never the detector.
"""

import dataclasses
import math
import numbers

import numpy as np
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    StrOptions,
    validate_parameter_constraints,
)

from pyod_efficientgan.losses import SCORE_METHODS

THRESHOLDER_TRIM_SHARE = 0.1
"""``trim_share="auto"`` when ``contamination`` is a thresholder object (no
outlier share is known): PyOD's default contamination."""

AUTO_LATENT_FRACTION = 0.25
"""With ``latent_dim="auto"`` the smallest code has this share of the
features (rounded up): a bottleneck that makes E and G learn the rows'
structure instead of copying them."""

AUTO_LATENT_RANGE = (2, 32)
"""``latent_dim="auto"`` sizes lie within these (32 is the paper's)."""

LAYER_WIDTHS = ("encoder_units", "generator_units", "discriminator_units")
"""The parameters that hold layer widths."""

CONSTRAINTS = {
    "contamination": [
        Interval(numbers.Real, 0, 0.5, closed="right"),
        HasMethods(["fit", "predict"]),
    ],
    "latent_dim": [Interval(numbers.Integral, 1, None, closed="left"), StrOptions({"auto"})],
    "encoder_units": [tuple, list],
    "generator_units": [tuple, list],
    "discriminator_units": [tuple, list],
    "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
    "epochs": [Interval(numbers.Integral, 1, None, closed="left"), StrOptions({"auto"})],
    "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
    "learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
    "alpha": [Interval(numbers.Real, 0, 1, closed="both")],
    "score_method": [StrOptions(set(SCORE_METHODS))],
    "norm": [Interval(numbers.Integral, 1, 2, closed="both")],
    "ema_decay": [Interval(numbers.Real, 0, 1, closed="left"), None],
    "preprocessing": [StrOptions({"minmax", "standard"}), None],
    "validation_size": [Interval(numbers.Real, 0, 0.5, closed="left")],
    "patience": [Interval(numbers.Integral, 1, None, closed="left")],
    "score_batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
    "n_estimators": [Interval(numbers.Integral, 1, None, closed="left")],
    "trim_share": [Interval(numbers.Real, 0, 0.5, closed="both"), StrOptions({"auto"})],
    "reconstruction_weight": [Interval(numbers.Real, 0, None, closed="left")],
    "random_state": ["random_state"],
    "verbose": [Interval(numbers.Integral, 0, 2, closed="both"), "boolean"],
}
"""scikit-learn's constraints of every parameter (``_parameter_constraints``)."""


SCORE_PARAMS = ("alpha", "norm", "score_method", "score_batch_size")
"""The parameters scoring reads when it runs, so that ``set_params`` after ``fit`` acts."""


def check_score_params(params):
    """Refuse score parameters that scoring cannot use, where scoring reads them.

    ``fit`` checks every parameter; these are read again by every scoring
    call (``decision_function``, ``predict``, ``score_components``,
    ``explain``), and may have been set since.

    Parameters
    ----------
    params : dict
        The detector's parameters (``get_params(deep=False)``).

    Raises
    ------
    sklearn.utils._param_validation.InvalidParameterError
        A ValueError naming the parameter and its value, as ``fit`` raises.
    """
    validate_parameter_constraints(
        {name: CONSTRAINTS[name] for name in SCORE_PARAMS},
        {name: params[name] for name in SCORE_PARAMS},
        caller_name="EfficientGAN",
    )
    check_no_bools(params, [name for name in SCORE_PARAMS if name in INTEGER_PARAMS])


INTEGER_PARAMS = tuple(
    name
    for name, constraints in CONSTRAINTS.items()
    if "boolean" not in constraints
    and any(isinstance(c, Interval) and c.type is numbers.Integral for c in constraints)
)
"""The parameters that take an int, and not a bool (``verbose`` takes both)."""


def check_no_bools(params, names=INTEGER_PARAMS):
    """Refuse ``True`` and ``False`` for int parameters, which scikit-learn's ``Interval`` takes.

    ``batch_size=True`` would otherwise train with batches of one row.

    Parameters
    ----------
    params : dict
        The detector's parameters (``get_params(deep=False)``).
    names : sequence of str, default=INTEGER_PARAMS
        The parameters to check.

    Raises
    ------
    ValueError
        Naming the parameter and its value.
    """
    for name in names:
        value = params[name]
        if isinstance(value, (bool, np.bool_)):
            raise ValueError(
                f"The '{name}' parameter of EfficientGAN must be an int, not a bool. "
                f"Got {value!r} instead."
            )


def check_layer_widths(params):
    """Refuse layer widths that are not non-empty tuples of positive ints.

    What scikit-learn's constraints cannot express; called after them.

    Parameters
    ----------
    params : dict
        The detector's parameters (``get_params(deep=False)``).

    Raises
    ------
    ValueError
        Naming the parameter and its value.
    """
    for name in LAYER_WIDTHS:
        value = params[name]
        if not (
            isinstance(value, (tuple, list))
            and len(value) > 0
            and all(
                isinstance(v, numbers.Integral) and not isinstance(v, bool) and v > 0 for v in value
            )
        ):
            raise ValueError(
                f"The '{name}' parameter of EfficientGAN must be a non-empty tuple of "
                f"positive ints. Got {value!r} instead."
            )


def validate(params):
    """Check the parameters: scikit-learn's :data:`CONSTRAINTS`, the layer widths, no bools.

    What ``EfficientGAN._validate_params`` runs at ``fit``, and
    :func:`~pyod_efficientgan.restore.from_state` on a stored state.

    Parameters
    ----------
    params : dict
        The detector's parameters (``get_params(deep=False)``).

    Raises
    ------
    ValueError or TypeError
        Naming the first parameter whose value is refused.
    """
    validate_parameter_constraints(CONSTRAINTS, params, caller_name="EfficientGAN")
    check_layer_widths(params)
    check_no_bools(params)


def layer_widths(params):
    """The three ``*_units`` of ``params`` as tuples of Python ints (Keras refuses NumPy ints)."""
    return {name: tuple(int(width) for width in params[name]) for name in LAYER_WIDTHS}


def resolve_latent_dim(latent_dim, n_features):
    """The size of z of the first member: ``latent_dim``, or the "auto" bottleneck."""
    if latent_dim != "auto":
        return int(latent_dim)
    low, high = AUTO_LATENT_RANGE
    wanted = math.ceil(AUTO_LATENT_FRACTION * n_features)
    return int(min(max(wanted, low), high, n_features))


def member_latent_dims(latent_dim, first_latent_dim, n_estimators):
    """The code size of each member.

    ``first_latent_dim`` (``latent_dim_``) for every member, except with
    ``latent_dim="auto"`` and several members: then the sizes grow
    geometrically from the bottleneck to 32, the paper's size, a
    hyper-ensemble over the code size (small codes learn the rows' structure,
    large ones score rows far from the bulk).
    """
    if latent_dim != "auto" or n_estimators == 1:
        return [first_latent_dim] * n_estimators
    high = max(AUTO_LATENT_RANGE[1], first_latent_dim)
    sizes = np.geomspace(first_latent_dim, high, n_estimators)
    return [int(round(size)) for size in sizes]


@dataclasses.dataclass(frozen=True)
class Structure:
    """The networks a detector's parameters describe, for rows of one width.

    Everything that decides the shapes of the weights and the scaling; the
    builders (:func:`pyod_efficientgan.bigan.build_bigan`) and the weight
    shapes (:func:`pyod_efficientgan.networks.weight_shapes`) take it.

    Attributes
    ----------
    n_features : int
        Width of the rows.
    latent_dims : tuple of int
        The code size of each member (:func:`member_latent_dims`).
    encoder_units, generator_units, discriminator_units : tuple of int
        The layer widths (:func:`layer_widths`).
    dropout : float
        Dropout rate of D while training.
    ema_decay : float or None
        Decay of the test-time weights' moving average.
    norm : {1, 2}
        Norm of the reconstruction error that ranks rows for trimming.
    """

    n_features: int
    latent_dims: tuple
    encoder_units: tuple
    generator_units: tuple
    discriminator_units: tuple
    dropout: float
    ema_decay: object
    norm: int


def structure(params, n_features, latent_dim):
    """The :class:`Structure` of ``params`` for rows of ``n_features``.

    Parameters
    ----------
    params : dict
        The detector's parameters (``get_params(deep=False)``), validated.
    n_features : int
        Width of the rows (``n_features_in_``).
    latent_dim : int
        Size of the first member's code (``latent_dim_``, see :func:`resolve_latent_dim`).

    Returns
    -------
    structure : Structure
    """
    latent_dims = member_latent_dims(params["latent_dim"], latent_dim, params["n_estimators"])
    return Structure(
        n_features=int(n_features),
        latent_dims=tuple(int(size) for size in latent_dims),
        **layer_widths(params),
        dropout=params["dropout"],
        ema_decay=params["ema_decay"],
        norm=params["norm"],
    )


def resolve_trim_share(trim_share, contamination):
    """``trim_share`` as a float: "auto" is the contamination, or :data:`THRESHOLDER_TRIM_SHARE`."""
    if trim_share != "auto":
        return float(trim_share)
    if isinstance(contamination, numbers.Real):
        return float(contamination)
    return THRESHOLDER_TRIM_SHARE


@dataclasses.dataclass(frozen=True)
class TrainingPlan:
    """What to train: the detector's training parameters, resolved.

    Attributes
    ----------
    epochs : int or "auto"
        Passes over the rows; see :func:`~pyod_efficientgan.training.resolve_epochs`.
    batch_size : int
        Rows per optimizer step.
    learning_rate : float
        Adam learning rate of both optimizers.
    n_estimators : int
        Members sharing the "auto" step budget.
    trim_share : float
        Share of each batch left out of the real-pair losses, once ramped up.
    reconstruction_weight : float
        Weight of the explicit reconstruction term of the E+G loss.
    patience : int
        Epochs without improvement before early stopping.
    score_method, norm, alpha
        The score whose :math:`L_G` early stopping watches.
    score_batch_size : int
        Rows per scoring chunk of the validation rows.
    verbose : int
        Keras' ``verbose``.
    """

    epochs: object
    batch_size: int
    learning_rate: float
    n_estimators: int
    trim_share: float
    patience: int
    score_method: str
    norm: int
    alpha: float
    score_batch_size: int
    verbose: int
    reconstruction_weight: float = 0.0


def training_plan(params):
    """The :class:`TrainingPlan` of the detector's parameters (``get_params(deep=False)``)."""
    return TrainingPlan(
        epochs=params["epochs"] if params["epochs"] == "auto" else int(params["epochs"]),
        batch_size=int(params["batch_size"]),
        learning_rate=float(params["learning_rate"]),  # Keras refuses NumPy scalars
        n_estimators=int(params["n_estimators"]),
        trim_share=resolve_trim_share(params["trim_share"], params["contamination"]),
        patience=int(params["patience"]),
        score_method=params["score_method"],
        norm=int(params["norm"]),
        alpha=float(params["alpha"]),
        score_batch_size=int(params["score_batch_size"]),
        verbose=int(params["verbose"]),
        reconstruction_weight=float(params["reconstruction_weight"]),
    )
