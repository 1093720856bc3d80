"""A quiet start: no backend start-up lines and no retracing warnings, real errors still shown."""

import logging
import os
import subprocess
import sys

import pytest

from pyod_efficientgan import startup

TENSORFLOW_START_UP = (
    "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n"
    "I0000 00:00:1796415950.138472    4435 port.cc:153] oneDNN custom operations are on. You may "
    "see slightly different numerical results due to floating-point round-off errors.\n"
    "I0000 00:00:1796415950.138810    4435 cudart_stub.cc:31] Could not find cuda drivers on your "
    "machine, GPU will not be used.\n"
    "I0000 00:00:1796415950.350468    4435 cpu_feature_guard.cc:227] This TensorFlow binary is "
    "optimized to use available CPU instructions in performance-critical operations.\n"
    "To enable the following instructions: AVX2 AVX512F FMA, in other operations, rebuild "
    "TensorFlow with the appropriate compiler flags.\n"
    "E0000 00:00:1796415963.902247    4435 cuda_platform.cc:52] failed call to cuInit: INTERNAL: "
    "CUDA error: Failed call to cuInit: UNKNOWN ERROR (303)\n"
)
"""TensorFlow 2.21's start-up lines on a machine without a GPU, as it writes them."""


def record(message):
    return logging.LogRecord("tensorflow", logging.WARNING, __file__, 1, message, (), None)


@pytest.mark.backend_free
def test_start_up_notices_are_recognised_and_errors_are_not():
    assert all(startup.is_start_up_notice(line) for line in TENSORFLOW_START_UP.splitlines())
    for line in (
        "E0000 00:00:1796415963.902247    4435 op_kernel.cc:1840] OP_REQUIRES failed: OOM",
        "Traceback (most recent call last):",
        "ValueError: bad input",
        "UserWarning: something the user should see",
    ):
        assert not startup.is_start_up_notice(line), line


@pytest.mark.backend_free
def test_notices_are_dropped_and_other_lines_written_back(capfd):
    with startup.native_start_up_notices_dropped():
        os.write(2, TENSORFLOW_START_UP.encode())
        os.write(2, b"E0000 00:00:1.0 1 kernel.cc:1] a real error\n")
        os.write(2, b"UserWarning: a warning from Python code\n")
    err = capfd.readouterr().err
    assert (
        err
        == "E0000 00:00:1.0 1 kernel.cc:1] a real error\nUserWarning: a warning from Python code\n"
    )


@pytest.mark.backend_free
def test_lines_are_written_back_when_the_block_raises(capfd):
    with pytest.raises(RuntimeError, match="boom"):
        with startup.native_start_up_notices_dropped():
            os.write(2, b"I0000 00:00:1.0    1 port.cc:1] a notice\nkept\n")
            raise RuntimeError("boom")
    assert capfd.readouterr().err == "kept\n"


@pytest.mark.backend_free
def test_retracing_filter_drops_only_retracing_warnings():
    retracing = record(
        "5 out of the last 5 calls to <function f at 0x1> triggered tf.function retracing. ..."
    )
    assert not startup.RetracingFilter().filter(retracing)
    assert startup.RetracingFilter().filter(record("some other TensorFlow warning"))


@pytest.mark.parametrize("active", [True, False])
def test_retracing_filter_is_held_only_on_tensorflow_and_only_in_the_block(active):
    from pyod_efficientgan import backends

    held = active and backends.name() == "tensorflow"
    logger = logging.getLogger("tensorflow")
    with startup.without_retracing_warnings(active):
        with startup.without_retracing_warnings(active):  # nested: still held after the inner
            pass
        assert (startup.RETRACING_FILTER in logger.filters) == held
    assert startup.RETRACING_FILTER not in logger.filters


SEVEN_FITS = """
import numpy as np
from pyod_efficientgan import EfficientGAN
X = np.random.default_rng(0).normal(size=(120, 4))
for seed in range(7):
    detector = EfficientGAN(epochs=1, batch_size=32, random_state=seed).fit(X)
    detector.decision_function(X[:50])
    detector.predict(X[:50])
print("done")
"""


def test_importing_fitting_seven_detectors_and_scoring_writes_nothing_to_stderr(tmp_path):
    # the session's backend; TF_CPP_MIN_LOG_LEVEL dropped: the package's behaviour, not tox's
    environment = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    completed = subprocess.run(
        [sys.executable, "-c", SEVEN_FITS],
        capture_output=True,
        cwd=tmp_path,
        env=environment,
        timeout=600,
    )
    stderr = completed.stderr.decode(errors="replace")
    assert completed.returncode == 0, stderr
    assert completed.stdout.decode().strip() == "done"
    assert stderr == ""
