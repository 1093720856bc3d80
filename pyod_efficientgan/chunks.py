"""Rows through a compiled function in padded chunks, with bounded memory.

:func:`map_chunks` cuts rows into chunks of ``batch_size``, scales each chunk
with a fitted scaler (or takes it as float32), pads it with zero rows to a
multiple of ``align`` rows (:func:`pad_rows`), passes it to a function the
backend compiled once, and cuts the padding off again. Scoring
(:mod:`pyod_efficientgan.scoring`) and the callbacks score rows through it.
"""

import numpy as np

from pyod_efficientgan.preprocessing import to_float32

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


def pad_rows(x, multiple):
    """Append zero rows to ``x`` up to a multiple of ``multiple`` rows.

    Scoring pads every chunk this way (see :data:`SCORE_ALIGN_ROWS`), so
    that a row's float32 score does not depend on how many rows share its chunk.
    """
    missing = -len(x) % multiple
    if not missing:
        return x
    return np.concatenate([x, np.zeros((missing, x.shape[1]), dtype=x.dtype)])
