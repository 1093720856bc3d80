"""Fitting on data larger than memory: training from a stream of chunks.

:meth:`EfficientGAN.fit_chunks <pyod_efficientgan.EfficientGAN.fit_chunks>`
takes the training rows as chunks and never holds more than one chunk, a
shuffle buffer and the per-row scores in memory. It makes three kinds of
passes over the chunks, in the order they come:

1. one pass that validates every chunk and fits the input scaler with
   ``partial_fit`` (:class:`~sklearn.preprocessing.StandardScaler` and
   :class:`~sklearn.preprocessing.MinMaxScaler` give the statistics of the
   full data);
2. one pass per epoch through the backend's input pipeline: scaled chunks,
   split into rows, shuffled in a seeded buffer of ``shuffle_buffer`` rows,
   batched (``streamed_batches`` of :mod:`pyod_efficientgan.backends`);
3. one pass that scores every row for ``decision_scores_``, so that
   ``threshold_`` and ``labels_`` mean what they mean after ``fit``.

The chunks can be a list of arrays or DataFrames, a :class:`tf.data.Dataset`
of rows or of 2-D batches, a callable that returns a fresh iterable each time
it is called, or the files of :class:`ChunkFiles` (``.npy`` and Parquet). A
plain generator can be read only once, so it is refused.
"""

import os
import sys
from collections.abc import Iterable

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils.validation import validate_data

from pyod_efficientgan import backends


class ChunkFiles:
    """Chunks read from ``.npy`` or Parquet files, one part at a time.

    Re-iterable: every ``iter()`` reads the files again, in the given order.
    ``.npy`` files are memory-mapped and cut into ``chunk_rows`` rows;
    Parquet files are read in record batches of ``chunk_rows`` rows (with
    :mod:`pyarrow`, installed by the ``scale`` extra).

    Parameters
    ----------
    paths : str, os.PathLike or iterable of them
        A folder (its ``*.npy`` and ``*.parquet`` files, sorted by name), or
        files.
    chunk_rows : int, default=65536
        Rows per chunk.
    columns : list of str or None, default=None
        Parquet columns to read; None reads all. Ignored for ``.npy`` files.

    Examples
    --------
    >>> chunks = ChunkFiles("data/")                  # doctest: +SKIP
    >>> detector = EfficientGAN().fit_chunks(chunks)  # doctest: +SKIP
    """

    def __init__(self, paths, chunk_rows=65536, columns=None):
        if isinstance(paths, (str, os.PathLike)) and os.path.isdir(paths):
            paths = sorted(
                os.path.join(paths, name)
                for name in os.listdir(paths)
                if name.endswith((".npy", ".parquet"))
            )
        elif isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        self.paths = [os.fspath(path) for path in paths]
        if not self.paths:
            raise ValueError("ChunkFiles found no .npy or .parquet files.")
        for path in self.paths:
            if not path.endswith((".npy", ".parquet")):
                raise ValueError(f"ChunkFiles reads .npy and .parquet files; got {path!r}.")
        if not isinstance(chunk_rows, int) or chunk_rows < 1:
            raise ValueError(f"chunk_rows must be a positive int; got {chunk_rows!r}.")
        self.chunk_rows = chunk_rows
        self.columns = columns

    def __iter__(self):
        for path in self.paths:
            if path.endswith(".npy"):
                rows = np.load(path, mmap_mode="r")
                for start in range(0, len(rows), self.chunk_rows):
                    yield np.asarray(rows[start : start + self.chunk_rows])
            else:
                import pyarrow.parquet as pq

                with pq.ParquetFile(path) as parquet:
                    for batch in parquet.iter_batches(
                        batch_size=self.chunk_rows, columns=self.columns
                    ):
                        yield batch.to_pandas()

    def __repr__(self):
        return f"ChunkFiles({len(self.paths)} files, chunk_rows={self.chunk_rows})"


def _chunk_source(chunks):
    """Return a callable that gives a fresh iterator over the chunks."""
    tf = sys.modules.get("tensorflow")  # a tf.data.Dataset means TensorFlow is loaded
    if tf is not None and isinstance(chunks, tf.data.Dataset):
        from pyod_efficientgan.backends import tensorflow

        return tensorflow.dataset_chunks(chunks)
    if callable(chunks):
        return lambda: iter(chunks())
    if isinstance(chunks, np.ndarray) or hasattr(chunks, "iloc"):
        raise TypeError("fit_chunks takes chunks of rows; for one array or DataFrame use fit(X).")
    if not isinstance(chunks, Iterable) or iter(chunks) is chunks:
        raise TypeError(
            "fit_chunks reads the chunks several times, so it needs a re-iterable (a list, a "
            "tf.data.Dataset, ChunkFiles) or a callable returning a new iterable; got "
            f"{type(chunks).__name__}, which can be read only once."
        )
    return lambda: iter(chunks)


class _StreamedRows:
    """The training rows as a stream: their number and how to read them."""

    def __init__(self, read, n_rows):
        self.read = read
        self.n_rows = n_rows

    def __len__(self):
        return self.n_rows


def fit_chunks(detector, chunks, shuffle_buffer):
    """Fit ``detector`` on a stream of chunks; see ``EfficientGAN.fit_chunks``."""
    detector._validate_params()
    if not isinstance(shuffle_buffer, int) or shuffle_buffer < 1:
        raise ValueError(f"shuffle_buffer must be a positive int; got {shuffle_buffer!r}.")
    if detector.validation_size > 0:
        raise ValueError(
            "fit_chunks does not hold out validation rows; set validation_size=0 (got "
            f"{detector.validation_size!r})."
        )
    source = _chunk_source(chunks)
    detector._set_n_classes(None)
    seed = int(check_random_state(detector.random_state).randint(0, 2**31 - 1))

    def validated(reset=False):
        for chunk in source():
            chunk = validate_data(
                detector, chunk, dtype=[np.float64, np.float32], ensure_all_finite=True, reset=reset
            )
            reset = False
            yield chunk

    scaler = detector._make_scaler()
    n_rows = 0
    for chunk in validated(reset=True):
        if scaler is not None:
            scaler.partial_fit(chunk)
        n_rows += chunk.shape[0]
    if n_rows == 0:
        raise ValueError("fit_chunks got no rows.")

    rows = _StreamedRows(
        lambda: (detector._transform(scaler, chunk) for chunk in validated()), n_rows
    )
    detector.latent_dim_ = detector._resolve_latent_dim(detector.n_features_in_)
    model = detector._build_model(detector.n_features_in_, seed)
    training = detector._train(
        model,
        rows,
        None,
        seed,
        make_dataset=lambda rows, batch_size, seed, passes: backends.current().streamed_batches(
            rows, batch_size, seed, shuffle_buffer, passes
        ),
    )
    moments = detector._compute_member_moments(
        model, (detector._transform(scaler, chunk) for chunk in validated())
    )
    detector._set_fitted(model, scaler, training, moments)
    detector.decision_scores_ = np.concatenate([detector._score(chunk) for chunk in validated()])
    detector._process_decision_scores()
    return detector
