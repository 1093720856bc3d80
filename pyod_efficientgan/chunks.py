"""Rows through a compiled function in padded chunks, with bounded memory.

:func:`map_chunks` cuts rows into chunks of ``batch_size``, scales each chunk
with a fitted scaler (or takes it as float32), pads it with zero rows to one
of a few row counts (:func:`padded_length`, :func:`pad_rows`), passes it to a
function the backend compiled once, and cuts the padding off again. Scoring
(:mod:`pyod_efficientgan.scoring`) and the callbacks score rows through it.
"""

import numpy as np

from pyod_efficientgan.preprocessing import to_float32

SCORE_ALIGN_ROWS = 1024
"""Scoring pads a chunk of this many rows or more to a multiple of it (or of
``score_batch_size``, if smaller); a smaller chunk of wide rows to a power of
two (:data:`PAD_VALUES`).

Matrix kernels choose their blocking by the batch's shape (and the thread
count and processor), so a row's float32 score can change in its last bits
with the number of rows scored beside it and with its position among them.
Padding keeps the shapes the kernels see few (:func:`padded_length`): with
``score_batch_size`` a multiple of this (the default is), every chunk holds a
multiple of 1024 rows, or a power of two below that, and only the last chunk
of a call is padded. A row's score is the same however the rows are ordered,
subset or split, to float32 rounding; on some backends and processors to the
bit, which is not promised.
"""

PAD_VALUES = 2**20
"""At most this many float32 values (4 MiB) of a chunk are padding, beyond a power of two.

A chunk of fewer than :data:`SCORE_ALIGN_ROWS` rows is padded to the next
power of two of its rows, but to no fewer than the largest power of two of
rows whose values fit in this budget (and not beyond the alignment): rows of
up to 1024 columns are padded to 1024 rows, as the kernels saw them before,
while one row of 100,000 columns is padded to 8 rows, not to 1024 (which cost
782 MB). Wide rows thus cost memory in proportion to the rows scored, and
the row counts the backends compile for stay few: powers of two below the
alignment, multiples of it above.
"""


def map_chunks(function, rows, batch_size, scaler=None, n_outputs=None):
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
    scaler : fitted scaler or None, default=None
        Scales each chunk (:func:`~pyod_efficientgan.preprocessing.to_float32`); None
        takes the rows as they are, as contiguous float32.
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
        chunk = to_float32(scaler, rows[start : start + batch_size])
        values = function(pad_rows(chunk, padded_length(len(chunk), align, chunk.shape[1])))
        values = values if isinstance(values, tuple) else (values,)
        values = [np.asarray(value) for value in values[:n_outputs]]
        if outputs is None:
            outputs = tuple(
                np.empty((n_rows, *value.shape[1:]), dtype=value.dtype) for value in values
            )
        for output, value in zip(outputs, values):
            output[start : start + len(chunk)] = value[: len(chunk)]
    return outputs if outputs is not None else ()


def padded_length(n_rows, align, n_features):
    r"""The row count a chunk of ``n_rows`` rows is padded to: few counts, bounded padding.

    .. math::

        p(n) = \begin{cases}
            q & \text{if } q < a, \\
            a \lceil n / a \rceil & \text{otherwise,}
        \end{cases}
        \qquad q = \max\left(2^{\lceil \log_2 n \rceil}, m\right),

    with :math:`a` = ``align`` and :math:`m` the largest power of two with
    :math:`m \cdot` ``n_features`` at most :data:`PAD_VALUES` (at least 1).
    Below the alignment a chunk takes one of :math:`\lceil \log_2 a \rceil`
    powers of two; above it a multiple of ``align`` (see :data:`SCORE_ALIGN_ROWS`).

    Parameters
    ----------
    n_rows : int
        Rows of the chunk, at least 1.
    align : int
        Row count of a full alignment block, at least 1.
    n_features : int
        Columns of the chunk.

    Returns
    -------
    length : int
        At least ``n_rows``.
    """
    n_rows = int(n_rows)
    floor = 1 << max(PAD_VALUES // max(int(n_features), 1), 1).bit_length() - 1
    power = max(1 << max(n_rows - 1, 0).bit_length(), floor)
    if power < align:
        return power
    return align * -(-n_rows // align)


def pad_rows(x, length):
    """Append zero rows to ``x`` up to ``length`` rows (none if it has as many).

    Scoring pads every chunk this way to :func:`padded_length` rows, so
    that a row's float32 score does not depend on how many rows share its chunk.
    """
    missing = length - len(x)
    if missing <= 0:
        return x
    return np.concatenate([x, np.zeros((missing, x.shape[1]), dtype=x.dtype)])
