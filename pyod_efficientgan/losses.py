r"""The EfficientGAN losses: formulas of one batch, one value per row (or one mean).

Pure functions of arrays or tensors, written with :mod:`keras.ops`, so they take
NumPy arrays as well as backend tensors and run inside a compiled function; the
combinations of the score are NumPy, in float64. Training
(:mod:`pyod_efficientgan.bigan`) and scoring (:mod:`pyod_efficientgan.scoring`)
both compute from these.

The score of Zenati et al. (2018) is

.. math::

    A(x) = \alpha L_G(x) + (1 - \alpha) L_D(x),

with :math:`L_G(x) = \lVert x - G(E(x)) \rVert_p` and :math:`L_D` either
the discriminator cross-entropy :math:`\sigma(D(x, E(x)), 1)` or the
feature-matching distance :math:`\lVert f(x, E(x)) - f(G(E(x)), E(x))
\rVert_p`, where :math:`f` is the last hidden layer of D.
"""

import numpy as np
from keras import ops

SCORE_METHODS = ("cross-entropy", "feature-matching")
"""The two variants of :math:`L_D`."""

NORMS = (1, 2)
"""The norms p allowed in :math:`L_G` and the feature-matching distance."""

TERMS = (
    "generator/1",
    "generator/2",
    "cross-entropy",
    "feature-matching/1",
    "feature-matching/2",
)
"""The names of the score terms :func:`member_terms` computes: :math:`L_G` with
norm 1 and 2, the cross-entropy, and the feature-matching distance with norm 1 and 2."""


def score_terms(method, norm):
    """The names of :math:`L_G` and :math:`L_D` (in :data:`TERMS`) of one score.

    Parameters
    ----------
    method : {"cross-entropy", "feature-matching"}
        Which :math:`L_D`.
    norm : {1, 2}
        Order of the norms.

    Returns
    -------
    generator_term, discriminator_term : str
    """
    if method not in SCORE_METHODS:
        raise ValueError(f"method must be one of {SCORE_METHODS}, got {method!r}.")
    if norm not in NORMS:
        raise ValueError(f"norm must be 1 or 2, got {norm!r}.")
    discriminator_term = method if method == "cross-entropy" else f"{method}/{norm}"
    return f"generator/{norm}", discriminator_term


def row_norm(difference, norm=1):
    """Return the p-norm of every row of ``difference``.

    .. math::

        \\lVert d \\rVert_p = \\Big(\\sum_j |d_j|^p\\Big)^{1/p}, \\quad p \\in \\{1, 2\\}

    Parameters
    ----------
    difference : array-like of shape (n_samples, n_columns)
        Rows whose norm is taken.
    norm : {1, 2}, default=1
        The order p.

    Returns
    -------
    norms : tensor of shape (n_samples,)
    """
    if norm == 1:
        return ops.sum(ops.abs(difference), axis=-1)
    if norm == 2:
        return ops.sqrt(ops.sum(ops.square(difference), axis=-1))
    raise ValueError(f"norm must be 1 or 2, got {norm!r}.")


def reconstruction_error(x, x_reconstructed, norm=1):
    """Generator loss :math:`L_G(x) = \\lVert x - G(E(x)) \\rVert_p`.

    Parameters
    ----------
    x : array-like of shape (n_samples, n_features)
        Input rows (after the detector's preprocessing).
    x_reconstructed : array-like of shape (n_samples, n_features)
        ``G(E(x))``.
    norm : {1, 2}, default=1
        The order p.

    Returns
    -------
    errors : tensor of shape (n_samples,)
    """
    return row_norm(ops.subtract(x, x_reconstructed), norm)


def cross_entropy(logits, label):
    """Per-row binary cross-entropy of ``logits`` against a constant 0/1 label.

    .. math::

        \\sigma(l, 1) = \\log(1 + e^{-l}), \\quad \\sigma(l, 0) = \\log(1 + e^{l})

    Parameters
    ----------
    logits : array-like of shape (n_samples,) or (n_samples, 1)
        Logits of D.
    label : {0, 1}
        1 for "a real pair (x, E(x))", 0 for "a generated pair (G(z), z)".

    Returns
    -------
    losses : tensor of shape (n_samples,)
    """
    logits = ops.reshape(logits, (-1,))
    return ops.softplus(ops.negative(logits)) if label == 1 else ops.softplus(logits)


def mean_cross_entropy(logits, label, weights=None):
    """Mean :func:`cross_entropy` of ``logits`` against ``label``: a training loss.

    Parameters
    ----------
    logits : tensor of shape (batch,) or (batch, 1)
        Logits of D.
    label : {0, 1}
        The label every row is compared with.
    weights : tensor of shape (batch,) or None, default=None
        0 or 1 per row; the mean is over the rows of weight 1 (None: all rows).

    Returns
    -------
    loss : scalar tensor
    """
    return weighted_mean(cross_entropy(logits, label), weights)


def weighted_mean(values, weights=None):
    """Mean of per-row ``values`` over the rows of weight 1: the training losses' mean.

    Parameters
    ----------
    values : tensor of shape (batch,)
        One value per row.
    weights : tensor of shape (batch,) or None, default=None
        0 or 1 per row (None: every row counts). With every weight 0 the mean is 0.

    Returns
    -------
    mean : scalar tensor
    """
    if weights is None:
        return ops.mean(values)
    return ops.sum(values * weights) / ops.maximum(ops.sum(weights), 1.0)


def discriminator_cross_entropy(logits):
    """Discriminator loss :math:`L_D(x) = \\sigma(D(x, E(x)), 1)`.

    The binary cross-entropy of the logit against the label "real pair":

    .. math::

        \\sigma(l, 1) = -\\log \\operatorname{sigmoid}(l) = \\log(1 + e^{-l})

    It is large when D finds the pair (x, E(x)) unlike the training pairs.

    Parameters
    ----------
    logits : array-like of shape (n_samples,) or (n_samples, 1)
        Logits ``D(x, E(x))``.

    Returns
    -------
    losses : tensor of shape (n_samples,)
    """
    return cross_entropy(logits, 1)


def feature_matching_distance(features_real, features_reconstructed, norm=1):
    """Discriminator loss :math:`L_D(x) = \\lVert f(x, E(x)) - f(G(E(x)), E(x)) \\rVert_p`.

    Parameters
    ----------
    features_real : array-like of shape (n_samples, n_units)
        Last hidden layer of D on ``(x, E(x))``.
    features_reconstructed : array-like of shape (n_samples, n_units)
        Last hidden layer of D on ``(G(E(x)), E(x))``.
    norm : {1, 2}, default=1
        The order p.

    Returns
    -------
    distances : tensor of shape (n_samples,)
    """
    return row_norm(ops.subtract(features_real, features_reconstructed), norm)


def combine_scores(generator_loss, discriminator_loss, alpha=0.9):
    """Anomaly score :math:`A(x) = \\alpha L_G(x) + (1 - \\alpha) L_D(x)`, in float64.

    The arithmetic is NumPy's in float64 (``keras.ops`` would compute in
    float32 on JAX without x64).

    Parameters
    ----------
    generator_loss : array-like of shape (n_samples,)
        :math:`L_G(x)`.
    discriminator_loss : array-like of shape (n_samples,)
        :math:`L_D(x)`.
    alpha : float in [0, 1], default=0.9
        Weight of the generator loss (0.9 in the paper).

    Returns
    -------
    scores : ndarray of shape (n_samples,)
    """
    generator_loss = np.asarray(generator_loss, dtype=np.float64)
    discriminator_loss = np.asarray(discriminator_loss, dtype=np.float64)
    return alpha * generator_loss + (1.0 - alpha) * discriminator_loss


def standardized_mean(member_values, centers, scales):
    r"""Mean over ensemble members of standardised per-row values.

    .. math::

        \bar v(x) = \frac{1}{K} \sum_{k=1}^{K} \frac{v_k(x) - c_k}{s_k}

    With :math:`v_k = A_k` this is the ensemble's score; applied to
    :math:`L_{G,k}` and :math:`L_{D,k}` with the same :math:`c_k, s_k`, the
    results combine as :math:`\alpha \bar L_G + (1 - \alpha) \bar L_D =
    \bar A`, because :math:`\alpha c + (1 - \alpha) c = c`.

    Parameters
    ----------
    member_values : ndarray of shape (n_members, n_samples)
        One row of values per member.
    centers, scales : ndarray of shape (n_members,)
        Mean and standard deviation of each member's training scores.

    Returns
    -------
    values : ndarray of shape (n_samples,)
    """
    member_values = np.asarray(member_values, dtype=np.float64)
    centers = np.asarray(centers, dtype=np.float64)[:, None]
    scales = np.asarray(scales, dtype=np.float64)[:, None]
    return np.mean((member_values - centers) / scales, axis=0)


def member_standardization(moments, method, norm, alpha):
    r"""Mean and standard deviation of each member's training scores :math:`A_k`.

    ``moments[i, j, k]`` holds, for score method ``SCORE_METHODS[i]`` and
    norm ``NORMS[j]``, member k's sums over the training rows: the row count
    :math:`n`, :math:`\sum L_G`, :math:`\sum L_D`, :math:`\sum L_G^2`,
    :math:`\sum L_D^2` and :math:`\sum L_G L_D`. Then

    .. math::

        c_k = \alpha \bar L_G + (1 - \alpha) \bar L_D, \quad
        s_k^2 = \alpha^2 \operatorname{var} L_G + (1 - \alpha)^2
        \operatorname{var} L_D + 2 \alpha (1 - \alpha) \operatorname{cov}(L_G, L_D),

    so any ``alpha`` set after fit standardises exactly.

    Parameters
    ----------
    moments : ndarray of shape (n_methods, n_norms, n_members, 6)
        The sums above.
    method : str
        One of :data:`SCORE_METHODS`.
    norm : {1, 2}
        One of :data:`NORMS`.
    alpha : float
        Weight of :math:`L_G`.

    Returns
    -------
    centers, scales : ndarray of shape (n_members,)
        A standard deviation of 0 (constant scores) is replaced by 1.
    """
    n, sum_g, sum_d, sum_gg, sum_dd, sum_gd = np.moveaxis(
        np.asarray(moments, dtype=np.float64)[SCORE_METHODS.index(method), NORMS.index(norm)],
        -1,
        0,
    )
    mean_g, mean_d = sum_g / n, sum_d / n
    var_g = np.maximum(sum_gg / n - mean_g**2, 0.0)
    var_d = np.maximum(sum_dd / n - mean_d**2, 0.0)
    cov = sum_gd / n - mean_g * mean_d
    centers = alpha * mean_g + (1 - alpha) * mean_d
    variances = alpha**2 * var_g + (1 - alpha) ** 2 * var_d + 2 * alpha * (1 - alpha) * cov
    scales = np.sqrt(np.maximum(variances, 0.0))
    return centers, np.where(scales > 0, scales, 1.0)
