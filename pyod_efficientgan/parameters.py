"""What the detector's parameters mean: their constraints and their resolved values.

:class:`~pyod_efficientgan.EfficientGAN` stores its constructor parameters as
given (scikit-learn's convention); the functions here turn them into what
fitting uses: the code size of every member, the layer widths, the trimmed
share and the training plan.
"""

import math
import numbers

import numpy as np
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from pyod_efficientgan.networks import build_bigan
from pyod_efficientgan.scoring import SCORE_METHODS
from pyod_efficientgan.training import TrainingPlan

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
    "random_state": ["random_state"],
    "verbose": [Interval(numbers.Integral, 0, 2, closed="both"), "boolean"],
}
"""scikit-learn's constraints of every parameter (``_parameter_constraints``)."""


def check_layer_widths(detector):
    """Refuse layer widths that are not non-empty tuples of positive ints.

    What scikit-learn's constraints cannot express; called after them.

    Raises
    ------
    ValueError
        Naming the parameter and its value.
    """
    for name in LAYER_WIDTHS:
        value = getattr(detector, name)
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


def layer_widths(detector):
    """The three ``*_units`` as tuples of Python ints (Keras refuses NumPy ints)."""
    return {name: tuple(int(width) for width in getattr(detector, name)) for name in LAYER_WIDTHS}


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


def detector_latent_dims(detector):
    """:func:`member_latent_dims` of a detector whose ``latent_dim_`` is set."""
    return member_latent_dims(detector.latent_dim, detector.latent_dim_, detector.n_estimators)


def build_model(detector, n_features, seed):
    """The untrained BiGAN a detector's parameters describe (``latent_dim_`` set).

    Parameters
    ----------
    detector : EfficientGAN
        Its parameters and ``latent_dim_`` give the networks.
    n_features : int
        Width of the rows.
    seed : int
        Seed of the first member (see :func:`~pyod_efficientgan.networks.build_bigan`).

    Returns
    -------
    model : BiGAN
    """
    return build_bigan(
        n_features,
        detector_latent_dims(detector),
        layer_widths(detector),
        detector.dropout,
        detector.ema_decay,
        detector.norm,
        seed,
    )


def resolve_trim_share(trim_share, contamination):
    """``trim_share`` as a float: "auto" is the contamination, or :data:`THRESHOLDER_TRIM_SHARE`."""
    if trim_share != "auto":
        return float(trim_share)
    if isinstance(contamination, numbers.Real):
        return float(contamination)
    return THRESHOLDER_TRIM_SHARE


def training_plan(detector):
    """The detector's training parameters, for :func:`pyod_efficientgan.training.train`."""
    return TrainingPlan(
        epochs=detector.epochs,
        batch_size=detector.batch_size,
        learning_rate=detector.learning_rate,
        n_estimators=detector.n_estimators,
        trim_share=resolve_trim_share(detector.trim_share, detector.contamination),
        patience=detector.patience,
        score_method=detector.score_method,
        norm=int(detector.norm),
        alpha=float(detector.alpha),
        score_batch_size=detector.score_batch_size,
        verbose=int(detector.verbose),
    )
