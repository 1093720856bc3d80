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

import numbers
import os
import sys
from collections.abc import Iterable

import numpy as np

from pyod_efficientgan import backends
from pyod_efficientgan.preprocessing import check_fitted_scaler, to_float32


class ChunkFiles:
    """Chunks read from ``.npy`` or Parquet files, one part at a time.

    Re-iterable: every ``iter()`` reads the files again, in the given order.
    ``.npy`` files are memory-mapped and cut into ``chunk_rows`` rows;
    Parquet files are read in record batches of ``chunk_rows`` rows (with
    :mod:`pyarrow`, installed by the ``scale`` extra). A file without rows is
    refused when read (a ``ValueError`` naming it), as ``fit_chunks`` refuses an
    empty chunk, naming its place in the stream.

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
        if not _is_positive_int(chunk_rows):
            raise ValueError(f"chunk_rows must be a positive int; got {chunk_rows!r}.")
        self.chunk_rows = int(chunk_rows)
        self.columns = columns

    def __iter__(self):
        for path in self.paths:
            n_rows = 0
            for chunk in self._read(path):
                n_rows += len(chunk)
                if len(chunk):
                    yield chunk
            if n_rows == 0:
                # The rule of fit_chunks: an empty chunk is refused, named (here by its file).
                raise ValueError(f"ChunkFiles: {path!r} holds no rows.")

    def _read(self, path):
        if path.endswith(".npy"):
            rows = np.load(path, mmap_mode="r")
            for start in range(0, len(rows), self.chunk_rows):
                yield np.asarray(rows[start : start + self.chunk_rows])
        else:
            import pyarrow.parquet as pq

            with pq.ParquetFile(path) as parquet:
                for batch in parquet.iter_batches(batch_size=self.chunk_rows, columns=self.columns):
                    yield batch.to_pandas()

    def __repr__(self):
        return f"ChunkFiles({len(self.paths)} files, chunk_rows={self.chunk_rows})"


def _is_positive_int(value):
    """An int or NumPy integer, not a bool, of at least 1."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 1


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
    """The training rows as a stream: their number, their columns and how to read them."""

    def __init__(self, read, n_rows, n_features):
        self.read = read
        self.n_rows = n_rows
        self.n_features = n_features

    def __len__(self):
        return self.n_rows


class ChunkedRows:
    """Training rows from a stream of chunks, for ``fit_chunks``.

    A row source (:class:`~pyod_efficientgan.rows.RowSource`): the chunks are read once
    to validate them and fit the scaler with ``partial_fit``, once per epoch
    to train (the backend's ``streamed_batches``), once for the members' score
    moments and once for ``decision_scores_``.

    Parameters
    ----------
    chunks : list of array-like, tf.data.Dataset, ChunkFiles or callable
        See :meth:`EfficientGAN.fit_chunks
        <pyod_efficientgan.EfficientGAN.fit_chunks>`.
    shuffle_buffer : int
        Rows in the training shuffle buffer.
    """

    def __init__(self, chunks, shuffle_buffer):
        self.chunks_given = chunks
        self.shuffle_buffer = shuffle_buffer
        self.n_rows = None
        self.failure = None

    def prepare(self, validate, scaler, validation_size):
        """Check the settings, validate every chunk, fit ``scaler``; return the rows' width."""
        if not _is_positive_int(self.shuffle_buffer):
            raise ValueError(f"shuffle_buffer must be a positive int; got {self.shuffle_buffer!r}.")
        if validation_size > 0:
            raise ValueError(
                "fit_chunks does not hold out validation rows; set validation_size=0 (got "
                f"{validation_size!r})."
            )
        self._read = _chunk_source(self.chunks_given)
        self._validate = validate
        n_rows = n_features = 0
        for chunk in self._validated(reset=True):
            if scaler is not None:
                with np.errstate(over="ignore", invalid="ignore"):  # check_fitted_scaler says it
                    scaler.partial_fit(chunk)
            n_rows += chunk.shape[0]
            n_features = chunk.shape[1]
        if n_rows == 0:
            raise ValueError("fit_chunks got no rows.")
        check_fitted_scaler(scaler)
        self.n_rows = n_rows
        self.n_features = n_features
        return n_features

    def _validated(self, reset=False):
        """Every chunk validated; a later pass must give as many rows as the first.

        An error is also kept as ``failure``: raised inside a backend's input
        pipeline, it reaches the caller wrapped in that backend's error.
        """
        n_rows = 0
        try:
            for index, chunk in enumerate(self._read()):
                chunk = self._validated_chunk(chunk, index, reset)
                reset = False
                n_rows += chunk.shape[0]
                if self.n_rows is not None and n_rows > self.n_rows:
                    raise ValueError(
                        f"fit_chunks: the chunks gave more than the {self.n_rows} rows of their "
                        "first pass on a later one; they must give the same rows in the same "
                        "order on every pass."
                    )
                yield chunk
            if self.n_rows is not None and n_rows < self.n_rows:
                raise ValueError(
                    f"fit_chunks: the chunks gave {n_rows} rows on a later pass, {self.n_rows} on "
                    "the first; they must give the same rows in the same order on every pass."
                )
        except Exception as error:
            if self.failure is None:
                self.failure = error
            raise

    def _validated_chunk(self, chunk, index, reset):
        """One chunk validated; an error names the chunk (0-based, in the order read)."""
        if np.ndim(chunk) >= 1 and len(chunk) == 0:
            raise ValueError(
                f"fit_chunks: chunk {index} has no rows; every chunk must hold at least one row."
            )
        try:
            return self._validate(chunk, reset=reset)
        except ValueError as error:
            raise ValueError(f"fit_chunks: chunk {index}: {error}") from error

    def training_rows(self, scaler, seed):
        """The scaled rows as a stream, no held-out rows, and the streamed batches."""
        rows = _StreamedRows(lambda: self.scaled_chunks(scaler), self.n_rows, self.n_features)
        shuffle_buffer = int(self.shuffle_buffer)

        def make_batches(rows, batch_size, seed, passes):
            return backends.current().streamed_batches(
                rows, batch_size, seed, shuffle_buffer, passes
            )

        return rows, None, make_batches

    def scaled_chunks(self, scaler):
        """The scaled chunks, read again."""
        return (to_float32(scaler, chunk) for chunk in self._validated())

    def chunks(self):
        """The validated chunks, read again."""
        return self._validated()
