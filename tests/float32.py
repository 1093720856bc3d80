"""How close two scores of the same rows must be when they took different float32 paths.

The networks compute in float32. Two paths that do the same arithmetic on other batch shapes or
row positions (another order, subset or chunking of the rows, another chunk source, Dask
partitions) can round differently: the CPU's matrix kernels choose their blocking by shape,
thread count and processor (seen on PyTorch: 2.7e-7 apart on scores of about 3.5 with one
thread, identical with two). Such scores agree to float32 rounding of the score's scale, not to
the bit; :func:`assert_float32_close` asserts that. Bit identity is asserted only where the
arithmetic is the same by construction: one process, one backend, the same inputs in the same
shapes.
"""

import numpy as np

FLOAT32_EPS = float(np.finfo(np.float32).eps)
ROUNDINGS = 64
"""Roundings of the scores' scale allowed: the standardised ensemble score divides float32
network outputs by the spread of the training scores, which magnifies their rounding; a row given
another row's score is off by orders of magnitude more."""


def float32_tolerance(expected, roundings=ROUNDINGS):
    """Absolute tolerance: ``roundings`` float32 epsilons of the largest magnitude (at least 1)."""
    scale = max(1.0, float(np.max(np.abs(np.asarray(expected, dtype=np.float64)), initial=0.0)))
    return roundings * FLOAT32_EPS * scale


def assert_float32_close(actual, expected, roundings=ROUNDINGS):
    """Assert that ``actual`` equals ``expected`` to float32 rounding of their scale."""
    np.testing.assert_allclose(
        np.asarray(actual, dtype=np.float64),
        np.asarray(expected, dtype=np.float64),
        rtol=0,
        atol=float32_tolerance(expected, roundings),
    )
