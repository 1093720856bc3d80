"""The EfficientGAN anomaly score: its formulas, the one forward pass, the compiled scorer.

The formulas take arrays or tensors of one batch and return one value per
row; they use :mod:`keras.ops`, so they accept NumPy arrays as well as backend
tensors and run inside a compiled function. :func:`member_terms` is the one
forward pass of the test-time networks that every score is computed from;
:class:`ScoreFunction` compiles it for a model's members and combines the
terms on the host; :func:`score_rows` scores rows chunk by chunk with a
fitted scaler (:func:`pyod_efficientgan.chunks.map_chunks`), as every caller
that scores rows does.

The score of Zenati et al. (2018) is

.. math::

    A(x) = \\alpha L_G(x) + (1 - \\alpha) L_D(x),

with :math:`L_G(x) = \\lVert x - G(E(x)) \\rVert_p` and :math:`L_D` either
the discriminator cross-entropy :math:`\\sigma(D(x, E(x)), 1)` or the
feature-matching distance :math:`\\lVert f(x, E(x)) - f(G(E(x)), E(x))
\\rVert_p`, where :math:`f` is the last hidden layer of D.
"""

import numpy as np
from keras import ops

from pyod_efficientgan import backends
from pyod_efficientgan.chunks import map_chunks

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
    logits = ops.reshape(logits, (-1,))
    return ops.softplus(ops.negative(logits))


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


def member_terms(members, x, terms=TERMS):
    """The score terms of every member with the test-time (EMA) networks: the one forward pass.

    The networks run with ``training=False`` (no dropout); D runs on the
    reconstructed pairs only when a feature-matching term is asked for.

    Parameters
    ----------
    members : sequence of BiGANMember
        The members of a trained :class:`~pyod_efficientgan.bigan.BiGAN`.
    x : tensor of shape (n_samples, n_features), float32
        Preprocessed rows.
    terms : sequence of str, default=TERMS
        Names from :data:`TERMS`.

    Returns
    -------
    values : tuple of tensors of shape (n_members, n_samples)
        One per name of ``terms``, in order.
    """
    unknown = set(terms) - set(TERMS)
    if unknown:
        raise ValueError(f"unknown score terms {sorted(unknown)}; known: {TERMS}.")
    per_member = []
    for member in members:
        z = member.ema_encoder(x, training=False)
        x_reconstructed = member.ema_generator(z, training=False)
        logits_real, features_real = member.ema_discriminator([x, z], training=False)
        values = {}
        for norm in NORMS:
            if f"generator/{norm}" in terms:
                values[f"generator/{norm}"] = reconstruction_error(x, x_reconstructed, norm)
        if "cross-entropy" in terms:
            values["cross-entropy"] = discriminator_cross_entropy(logits_real)
        if any(term.startswith("feature-matching") for term in terms):
            _, features_reconstructed = member.ema_discriminator(
                [x_reconstructed, z], training=False
            )
            for norm in NORMS:
                if f"feature-matching/{norm}" in terms:
                    values[f"feature-matching/{norm}"] = feature_matching_distance(
                        features_real, features_reconstructed, norm
                    )
        per_member.append(values)
    return tuple(ops.stack([values[term] for values in per_member]) for term in terms)


def _compile_rows(function, members, variables):
    """``function`` of the members' input rows, compiled by the backend for any row count."""
    n_features = members[0].encoder.input_shape[-1]
    return backends.current().compile_rows_function(function, variables, n_features)


def _compile_terms(members, terms):
    """:func:`member_terms` of ``members`` compiled by the backend, for any row count."""
    members = list(members)
    variables = [variable for member in members for variable in member.variables]
    return _compile_rows(lambda x: member_terms(members, x, terms), members, variables)


class ScoreFunction:
    """Compiled, batched scoring with the test-time weights.

    Parameters
    ----------
    members : sequence of BiGANMember
        The members of a trained BiGAN (``model.members``).
    method : {"cross-entropy", "feature-matching"}
        Which :math:`L_D`.
    norm : {1, 2}
        Order of the norms.
    alpha : float
        Weight of :math:`L_G` in :math:`A(x)`.
    centers, scales : array-like of shape (n_members,) or None, default=None
        Standardisation of each member's score (mean and standard deviation
        of its scores of the training rows). None: the members' mean raw
        score (the raw score of a single member).

    Notes
    -----
    Calling the object on a float32 chunk returns ``(A, L_G, L_D)`` as NumPy
    arrays. With one member and no standardisation these are the paper's
    score and its parts. Otherwise (see :func:`standardized_mean`)
    ``A = mean_k (A_k - c_k) / s_k`` and the parts are standardised alike,
    so that ``A = alpha L_G + (1 - alpha) L_D`` still holds. One trace serves
    every chunk size.
    """

    def __init__(self, members, method, norm, alpha, centers=None, scales=None):
        self.members = list(members)
        self.method = method
        self.norm = norm
        self.alpha = alpha
        self.centers = None if centers is None else np.asarray(centers, dtype=np.float64)
        self.scales = None if scales is None else np.asarray(scales, dtype=np.float64)
        self._compiled = _compile_terms(self.members, score_terms(method, norm))

    def member_components(self, x):
        """:math:`L_{G,k}` and :math:`L_{D,k}` of every member, shape (n_members, n_samples)."""
        return tuple(ops.convert_to_numpy(part).astype(np.float64) for part in self._compiled(x))

    def __call__(self, x):
        generator_loss, discriminator_loss = self.member_components(x)
        if self.centers is None:
            generator_loss = generator_loss.mean(axis=0)
            discriminator_loss = discriminator_loss.mean(axis=0)
        else:
            generator_loss = standardized_mean(generator_loss, self.centers, self.scales)
            discriminator_loss = standardized_mean(discriminator_loss, self.centers, self.scales)
        scores = combine_scores(generator_loss, discriminator_loss, self.alpha)
        return scores, generator_loss, discriminator_loss


def score_function(model, moments, method, norm, alpha):
    """The compiled score of a trained BiGAN, its members standardised by ``moments``.

    Parameters
    ----------
    model : BiGAN
        The trained model.
    moments : ndarray or None
        The members' score-term moments over the training rows
        (:func:`score_term_moments`); None for a single member's raw score.
    method, norm, alpha
        The score (see :class:`ScoreFunction`).

    Returns
    -------
    function : ScoreFunction
    """
    centers = scales = None
    if moments is not None:
        centers, scales = member_standardization(moments, method, norm, alpha)
    return ScoreFunction(model.members, method, norm, alpha, centers=centers, scales=scales)


def score_rows(function, rows, batch_size, scaler, n_outputs=1):
    """Score validated rows chunk by chunk: scaled, padded, compiled; float64 out.

    Parameters
    ----------
    function : ScoreFunction
        The compiled scoring.
    rows : array-like of shape (n_samples, n_features)
        Validated rows, not yet scaled.
    batch_size : int
        Rows per chunk; memory is O(batch_size) besides the outputs.
    scaler : fitted scaler or None
        The detector's input scaling.
    n_outputs : {1, 3}, default=1
        1: the scores; 3: the scores, :math:`L_G` and :math:`L_D`.

    Returns
    -------
    outputs : tuple of ndarray of shape (n_samples,)
        ``n_outputs`` arrays of float64.

    Raises
    ------
    FloatingPointError
        If a score is not finite.
    """
    outputs = map_chunks(function, rows, batch_size, scaler, n_outputs=n_outputs)
    if not outputs:
        outputs = tuple(np.empty(0) for _ in range(n_outputs))
    check_finite(outputs[0])
    return tuple(np.asarray(output, dtype=np.float64) for output in outputs)


def check_finite(values):
    """Raise FloatingPointError if a score (or a term of ``explain``) is not finite."""
    if not np.all(np.isfinite(values)):
        raise FloatingPointError(
            "EfficientGAN produced non-finite scores; the input values are probably far "
            "outside the range seen in fit."
        )


def reconstruction_function(model):
    """:math:`G(E(x))` of a BiGAN (the members' mean), compiled by the backend."""
    return _compile_rows(lambda x: model(x, training=False), model.members, model.variables)


def reconstruction_terms(function, rows, batch_size, scaler, norm):
    """Per-feature terms of :math:`L_G`: ``|x - G(E(x))|``, squared for ``norm=2``.

    Parameters
    ----------
    function : callable
        :func:`reconstruction_function` of the model.
    rows : array-like of shape (n_samples, n_features)
        Validated rows, not yet scaled.
    batch_size : int
        Rows per chunk.
    scaler : fitted scaler or None
        The detector's input scaling; the terms are in the scaled space.
    norm : {1, 2}
        Order of :math:`L_G`.

    Returns
    -------
    terms : ndarray of shape (n_samples, n_features), float64

    Raises
    ------
    FloatingPointError
        If a term is not finite.
    """

    def terms_of(x):
        difference = np.abs(x - ops.convert_to_numpy(function(x)))
        return difference if norm == 1 else np.square(difference)

    (terms,) = map_chunks(terms_of, rows, batch_size, scaler)
    check_finite(terms)
    return terms.astype(np.float64)


def score_term_moments(members, scaled_chunks, batch_size):
    """Sums over the rows of every member's score terms, for standardising its score.

    Parameters
    ----------
    members : sequence of BiGANMember
        The members of a trained BiGAN.
    scaled_chunks : iterable of ndarray of shape (n, n_features), float32
        The training rows, preprocessed, read once.
    batch_size : int
        Rows per compiled call (see :func:`~pyod_efficientgan.chunks.map_chunks`).

    Returns
    -------
    moments : ndarray of shape (2, 2, n_members, 6)
        See :func:`member_standardization`: for each score method and norm,
        per member the row count and the sums of :math:`L_G`, :math:`L_D`,
        :math:`L_G^2`, :math:`L_D^2` and :math:`L_G L_D`.
    """
    members = list(members)
    compiled = _compile_terms(members, TERMS)

    def rows_first(x):
        # (n_terms, n_members, n) -> (n, n_terms, n_members), so that map_chunks cuts the padding
        values = np.stack([ops.convert_to_numpy(term) for term in compiled(x)])
        return np.moveaxis(values.astype(np.float64), -1, 0)

    moments = np.zeros((len(SCORE_METHODS), len(NORMS), len(members), 6))
    for x in scaled_chunks:
        if not len(x):
            continue
        (values,) = map_chunks(rows_first, x, batch_size)
        values = dict(zip(TERMS, np.moveaxis(values, 0, -1)))  # term -> (n_members, n)
        for i, method in enumerate(SCORE_METHODS):
            for j, norm in enumerate(NORMS):
                generator_term, discriminator_term = score_terms(method, norm)
                g, d = values[generator_term], values[discriminator_term]
                moments[i, j] += np.stack(
                    [
                        np.full(len(g), g.shape[1]),
                        g.sum(1),
                        d.sum(1),
                        (g * g).sum(1),
                        (d * d).sum(1),
                        (g * d).sum(1),
                    ],
                    axis=1,
                )
    return moments
