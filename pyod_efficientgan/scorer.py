"""How rows are scored: one chunked, compiled scorer of a trained BiGAN.

Every caller that scores rows (``decision_function``, ``score_components``,
``explain``, the callbacks, the standardisation of an ensemble's members, the
experiments through the detector) goes through :func:`map_chunks`: rows are
cut into chunks of ``batch_size``, each chunk is preprocessed, padded with
zero rows to a multiple of ``align`` rows (:func:`pad_rows`) and passed to a
function compiled once by the backend (:class:`ScoreFunction`); the padding is
cut off again. The formulas themselves are in :mod:`pyod_efficientgan.scoring`.
"""

import numpy as np
from keras import ops

from pyod_efficientgan import backends
from pyod_efficientgan.scoring import (
    NORMS,
    SCORE_METHODS,
    discriminator_cross_entropy,
    row_norm,
    standardized_mean,
)

SCORE_ALIGN_ROWS = 1024
"""Scoring pads every chunk to a multiple of this many rows (or of
``score_batch_size``, if smaller).

Matrix kernels choose their blocking by the batch's shape (and the thread
count and processor), so a row's float32 score can change in its last bits
with the number of rows scored beside it and with its position among them.
Padding keeps the shapes the kernels see few: with ``score_batch_size`` a
multiple of this (the default is), every chunk holds a multiple of 1024 rows
and only the last chunk of a call is padded. A row's score is the same
however the rows are ordered, subset or split, to float32 rounding; on some
backends and processors to the bit, which is not promised.
"""


def map_chunks(function, rows, batch_size, transform=None, n_outputs=None):
    """Apply ``function`` to ``rows`` chunk by chunk, padded; gather its outputs.

    Parameters
    ----------
    function : callable
        Maps a float32 array of shape (n, n_features) to a tuple of arrays
        whose first axis is the row (or a single such array).
    rows : array-like of shape (n_samples, n_features)
        The rows.
    batch_size : int
        Rows per chunk.
    transform : callable or None, default=None
        Maps a chunk of ``rows`` to preprocessed contiguous float32 rows;
        None takes the rows as they are.
    n_outputs : int or None, default=None
        Keep only the first ``n_outputs`` outputs; None keeps all.

    Returns
    -------
    outputs : tuple of ndarray
        Each kept output for all rows, in order. Besides them, memory is
        O(batch_size): every chunk's values are written into arrays
        allocated once.
    """
    align = min(SCORE_ALIGN_ROWS, batch_size)
    n_rows = len(rows)
    outputs = None
    for start in range(0, n_rows, batch_size):
        chunk = rows[start : start + batch_size]
        chunk = transform(chunk) if transform is not None else np.asarray(chunk, np.float32)
        values = function(pad_rows(chunk, align))
        values = values if isinstance(values, tuple) else (values,)
        values = [np.asarray(value) for value in values[:n_outputs]]
        if outputs is None:
            outputs = tuple(
                np.empty((n_rows, *value.shape[1:]), dtype=value.dtype) for value in values
            )
        for output, value in zip(outputs, values):
            output[start : start + len(chunk)] = value[: len(chunk)]
    return outputs if outputs is not None else ()


def member_score_components(model, x, method="cross-entropy", norm=1):
    """:math:`L_G` and :math:`L_D` of every member of ``model``, stacked.

    Parameters
    ----------
    model : BiGAN or BiGANEnsemble
        The trained model.
    x : tensor of shape (n_samples, n_features)
        Preprocessed rows.
    method : {"cross-entropy", "feature-matching"}, default="cross-entropy"
        Which :math:`L_D`.
    norm : {1, 2}, default=1
        Order of the norms.

    Returns
    -------
    generator_loss, discriminator_loss : tensors of shape (n_members, n_samples)
    """
    parts = [member.score_components(x, method, norm) for member in model.members]
    return ops.stack([p[0] for p in parts]), ops.stack([p[1] for p in parts])


def pad_rows(x, multiple):
    """Append zero rows to ``x`` up to a multiple of ``multiple`` rows.

    Scoring pads every chunk this way (see :data:`SCORE_ALIGN_ROWS`), so
    that a row's float32 score does not depend on how many rows share its chunk.
    """
    missing = -len(x) % multiple
    if not missing:
        return x
    return np.concatenate([x, np.zeros((missing, x.shape[1]), dtype=x.dtype)])


def member_score_parts(model, x):
    """Every variant of :math:`L_G` and :math:`L_D` of every member, in one pass.

    Parameters
    ----------
    model : BiGAN or BiGANEnsemble
        The trained model (test-time weights).
    x : tensor of shape (n_samples, n_features)
        Preprocessed rows.

    Returns
    -------
    parts : tensor of shape (n_members, 5, n_samples)
        Per member: :math:`L_G` with norm 1 and 2, the cross-entropy, and the
        feature-matching distance with norm 1 and 2.
    """
    stacked = []
    for member in model.members:
        z = member.ema_encoder(x, training=False)
        x_reconstructed = member.ema_generator(z, training=False)
        logits_real, features_real = member.ema_discriminator([x, z], training=False)
        _, features_reconstructed = member.ema_discriminator([x_reconstructed, z], training=False)
        difference = ops.subtract(x, x_reconstructed)
        feature_difference = ops.subtract(features_real, features_reconstructed)
        stacked.append(
            ops.stack(
                [
                    row_norm(difference, 1),
                    row_norm(difference, 2),
                    discriminator_cross_entropy(logits_real),
                    row_norm(feature_difference, 1),
                    row_norm(feature_difference, 2),
                ]
            )
        )
    return ops.stack(stacked)


def score_part_moments(model, scaled_chunks, batch_size):
    """Sums over the rows of every member's score parts, for standardising its score.

    Parameters
    ----------
    model : BiGAN or BiGANEnsemble
        The trained model.
    scaled_chunks : iterable of ndarray of shape (n, n_features), float32
        The training rows, preprocessed, read once.
    batch_size : int
        Rows per compiled call (see :func:`map_chunks`).

    Returns
    -------
    moments : ndarray of shape (2, 2, n_members, 6)
        See :func:`~pyod_efficientgan.scoring.member_standardization`: for
        each score method and norm, per member the row count and the sums of
        :math:`L_G`, :math:`L_D`, :math:`L_G^2`, :math:`L_D^2` and
        :math:`L_G L_D`.
    """
    n_features = model.members[0].encoder.input_shape[-1]
    compiled = backends.current().compile_rows_function(
        lambda x: member_score_parts(model, x), model.variables, n_features
    )

    def rows_first(x):
        # (n_members, 5, n) -> (n, n_members, 5), so that map_chunks cuts the padding
        return np.moveaxis(ops.convert_to_numpy(compiled(x)).astype(np.float64), -1, 0)

    moments = np.zeros((len(SCORE_METHODS), len(NORMS), len(model.members), 6))
    for x in scaled_chunks:
        if not len(x):
            continue
        (parts,) = map_chunks(rows_first, x, batch_size)
        parts = np.moveaxis(parts, 0, -1)
        # parts[:, j] is L_G with norm NORMS[j]; parts[:, 2] the cross-entropy;
        # parts[:, 3 + j] the feature-matching distance with norm NORMS[j]
        for i, method in enumerate(SCORE_METHODS):
            for j in range(len(NORMS)):
                g = parts[:, j]
                d = parts[:, 2] if method == "cross-entropy" else parts[:, 3 + j]
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


class ScoreFunction:
    """Compiled, batched scoring with the test-time weights.

    Parameters
    ----------
    model : BiGAN or BiGANEnsemble
        The trained model.
    method : {"cross-entropy", "feature-matching"}
        Which :math:`L_D`.
    norm : {1, 2}
        Order of the norms.
    alpha : float
        Weight of :math:`L_G` in :math:`A(x)`.
    centers, scales : array-like of shape (n_members,) or None, default=None
        Standardisation of each member's score (mean and standard deviation
        of its scores of the training rows). None: the raw score of the
        single member.

    Notes
    -----
    Calling the object on a float32 chunk returns ``(A, L_G, L_D)`` as NumPy
    arrays. With one member and no standardisation these are the paper's
    score and its parts. Otherwise (see
    :func:`~pyod_efficientgan.scoring.standardized_mean`)
    ``A = mean_k (A_k - c_k) / s_k`` and the parts are standardised alike,
    so that ``A = alpha L_G + (1 - alpha) L_D`` still holds. One trace serves
    every chunk size.
    """

    def __init__(self, model, method, norm, alpha, centers=None, scales=None):
        self.model = model
        self.method = method
        self.norm = norm
        self.alpha = alpha
        self.centers = None if centers is None else np.asarray(centers, dtype=np.float64)
        self.scales = None if scales is None else np.asarray(scales, dtype=np.float64)
        n_features = model.members[0].encoder.input_shape[-1]
        self._compiled = backends.current().compile_rows_function(
            self._member_components, model.variables, n_features
        )

    def _member_components(self, x):
        return member_score_components(self.model, x, self.method, self.norm)

    def member_components(self, x):
        """:math:`L_{G,k}` and :math:`L_{D,k}` of every member, shape (n_members, n_samples)."""
        return tuple(ops.convert_to_numpy(part).astype(np.float64) for part in self._compiled(x))

    def __call__(self, x):
        generator_loss, discriminator_loss = self.member_components(x)
        if self.centers is None:
            # one member: its own parts; unstandardised members (during
            # training, for validation): their mean
            generator_loss = generator_loss.mean(axis=0)
            discriminator_loss = discriminator_loss.mean(axis=0)
        else:
            generator_loss = standardized_mean(generator_loss, self.centers, self.scales)
            discriminator_loss = standardized_mean(discriminator_loss, self.centers, self.scales)
        # NumPy float64 arithmetic (keras.ops would cast to float32 on JAX without x64)
        scores = self.alpha * generator_loss + (1.0 - self.alpha) * discriminator_loss
        return scores, generator_loss, discriminator_loss
