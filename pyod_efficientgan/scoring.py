"""The EfficientGAN anomaly score of rows: the one forward pass and the compiled scorer.

:func:`member_terms` computes every score term (the formulas of
:mod:`pyod_efficientgan.losses`) from the members' test-time forward pass
(:meth:`BiGANMember.reconstruct <pyod_efficientgan.bigan.BiGANMember.reconstruct>`);
:class:`ScoreFunction` compiles it for a model's members and combines the
terms on the host; :func:`score_rows` scores rows chunk by chunk with a
fitted scaler (:func:`pyod_efficientgan.chunks.map_chunks`), as every caller
that scores rows does. The functions take the members and the scaler, never
the detector.
"""

import numpy as np
from keras import ops

from pyod_efficientgan import backends
from pyod_efficientgan.chunks import map_chunks
from pyod_efficientgan.losses import (
    NORMS,
    SCORE_METHODS,
    TERMS,
    combine_scores,
    discriminator_cross_entropy,
    feature_matching_distance,
    member_standardization,
    reconstruction_error,
    score_terms,
    standardized_mean,
)


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
        z, x_reconstructed = member.reconstruct(x)
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
