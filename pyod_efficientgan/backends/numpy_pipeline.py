"""The input pipeline of the JAX and PyTorch backends: seeded NumPy batches.

Keras reads a Python generator of NumPy batches the same way on both
backends, so they share this pipeline; TensorFlow uses :mod:`tf.data` (see
:mod:`pyod_efficientgan.backends.tensorflow`). Both generators are endless:
``fit`` takes ``steps_per_epoch`` batches from them per Keras epoch.
"""

import math

import numpy as np


def training_batches(x, batch_size, seed, passes=1):
    """Shuffled batches of the in-memory rows ``x``, pass after pass.

    The member ``training_batches`` of
    :class:`~pyod_efficientgan.backends.protocol.Backend` for NumPy: an
    endless generator of 1-tuples of a batch, every pass a new permutation
    drawn from one :func:`numpy.random.default_rng` seeded with ``seed``, and
    ``steps = passes * ceil(n_samples / batch_size)`` batches per Keras epoch.
    """
    n_samples = len(x)

    def generate():
        rng = np.random.default_rng(seed)
        while True:
            order = rng.permutation(n_samples)
            for start in range(0, n_samples, batch_size):
                yield (x[order[start : start + batch_size]],)

    return generate(), passes * math.ceil(n_samples / batch_size)


def streamed_batches(rows, batch_size, seed, shuffle_buffer, passes=1):
    """Batches of rows read chunk by chunk and shuffled in a bounded buffer.

    The buffer gathers chunks until it holds ``shuffle_buffer`` rows,
    permutes them, hands out the first half in batches and keeps the second
    half to mix with the next chunks; at the end of a pass it is emptied.
    Rows closer than about ``shuffle_buffer`` in the stream are mixed. With
    a buffer that holds every row, a pass is one permutation drawn like
    :func:`training_batches`' (same seed, same batches as ``fit``).

    The member ``streamed_batches`` of
    :class:`~pyod_efficientgan.backends.protocol.Backend` for NumPy: an
    endless generator of 1-tuples of a batch (``rows`` needs only ``read()``
    and ``len()``) and ``steps = passes * ceil(len(rows) / batch_size)``.
    """
    buffer_rows = max(int(shuffle_buffer), batch_size)

    def one_pass(rng):
        buffer = np.empty((0, 0), dtype=np.float32)
        pending = []
        for chunk in rows.read():
            buffer = chunk if buffer.size == 0 else np.concatenate([buffer, chunk])
            if len(buffer) >= buffer_rows:
                buffer = buffer[rng.permutation(len(buffer))]
                cut = len(buffer) - buffer_rows // 2
                pending.append(buffer[:cut])
                buffer = buffer[cut:]
            while pending and sum(len(p) for p in pending) >= batch_size:
                ready = np.concatenate(pending)
                whole = len(ready) - len(ready) % batch_size
                yield from ((batch,) for batch in np.split(ready[:whole], whole // batch_size))
                pending = [ready[whole:]] if whole < len(ready) else []
        rest = [*pending, buffer[rng.permutation(len(buffer))]] if buffer.size else pending
        if rest:
            rest = np.concatenate(rest)
            for start in range(0, len(rest), batch_size):
                yield (rest[start : start + batch_size],)

    def generate():
        rng = np.random.default_rng(seed)
        while True:
            yield from one_pass(rng)

    return generate(), passes * math.ceil(len(rows) / batch_size)


def stacked_batches(batches, n_rows, batch_size, passes, block_steps):
    """Group the full batches of each pass into blocks of up to ``block_steps``.

    The JAX backend trains one block per call of its compiled step (a
    :func:`jax.lax.scan` over the block's batches), so a call runs many steps
    without returning to Python; a block has the shape
    ``(steps, batch_size, n_features)``. The last, smaller batch of a pass, if
    any, comes alone. Every pass gives the same sequence of shapes, so at
    most three shapes are ever compiled.

    Parameters
    ----------
    batches : iterator of 1-tuples of ndarray
        Endless, as from :func:`training_batches`.
    n_rows : int
        Rows in one pass.
    batch_size : int
        Rows per full batch.
    passes : int
        Passes per Keras epoch.
    block_steps : int
        Most batches per block.

    Returns
    -------
    blocks : generator of 1-tuples of ndarray
    items : int
        Blocks (and lone batches) per Keras epoch.
    """
    n_full, n_rest = divmod(n_rows, batch_size)
    items_per_pass = math.ceil(n_full / block_steps) + (1 if n_rest else 0)

    def generate():
        while True:
            for start in range(0, n_full, block_steps):
                count = min(block_steps, n_full - start)
                yield (np.stack([next(batches)[0] for _ in range(count)]),)
            if n_rest:
                yield next(batches)

    return generate(), passes * items_per_pass
