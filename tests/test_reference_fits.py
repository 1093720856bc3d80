"""Fits reproduce the scores of the files in tests/data/reference_fits, written before the
BiGAN of 1..K members, the one forward pass and the state module (see fits.py there).

The same seeds must give the same model: same member order and seeds, same batches, same
losses, same score terms. On the machine that wrote the files the arrays are equal to the
bit; elsewhere float32 training rounds differently (other kernels and thread counts), so
the comparison allows 1e-3 of the values' scale, far below what a changed seed, member
order or loss gives (differences of order 1).
"""

import sys
from pathlib import Path

import numpy as np
import pytest

from pyod_efficientgan import backends

HERE = Path(__file__).resolve().parent / "data" / "reference_fits"


@pytest.fixture(scope="module")
def fitted():
    sys.path.insert(0, str(HERE))
    try:
        import fits
    finally:
        sys.path.remove(str(HERE))
    return fits.run()


def test_fits_reproduce_the_reference_scores(fitted):
    reference = np.load(HERE / f"{backends.name()}.npz")
    assert sorted(fitted) == sorted(reference.files)
    for name in reference.files:
        expected = reference[name]
        scale = max(float(np.max(np.abs(expected))), 1.0)
        np.testing.assert_allclose(fitted[name], expected, rtol=0, atol=1e-3 * scale, err_msg=name)


def test_the_comparison_sees_another_seed(fitted):
    # the tolerance above is far below what a different model gives
    reference = np.load(HERE / f"{backends.name()}.npz")
    expected, other = reference["single/test"], reference["ensemble/test"]
    assert np.max(np.abs(other - expected)) > 1e-3 * max(float(np.max(np.abs(expected))), 1.0)
