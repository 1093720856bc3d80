"""Keras' start without the backend's start-up lines, and fits without retracing warnings.

TensorFlow writes lines from C++ straight to file descriptor 2 when it is imported and when its
runtime starts: absl's "All log messages before absl::InitializeLog()", oneDNN's and the CUDA
stubs' notices, the ``cpu_feature_guard`` pair and, on a machine without a GPU, an ``E`` line
"failed call to cuInit". ``TF_CPP_MIN_LOG_LEVEL`` does not reach the first of them, and Python's
``sys.stderr`` does not see any. So the first import of Keras (:func:`import_keras`) and the
first computation (:func:`start_runtime`) run with descriptor 2 sent to a temporary file; when
they end, every line that is not one of the known start-up notices (:data:`START_UP_NOTICES`)
is written back to descriptor 2, so a real error still shows. Exceptions propagate unchanged.

Each fit builds a new model and with it new compiled functions (Keras' training function, the
scoring function: they hold that model's variables), so a process that fits several detectors
traces functions of the same code several times, which TensorFlow reports as "triggered
tf.function retracing". :func:`without_retracing_warnings` drops that warning, and only that
one, from the ``tensorflow`` logger while the package fits or scores; the logger is as before
outside those calls.
"""

import contextlib
import logging
import os
import re
import sys
import tempfile
import threading

START_UP_NOTICES = tuple(
    re.compile(pattern)
    for pattern in (
        r"^WARNING: All log messages before absl::InitializeLog\(\) is called",
        r"^[IW]\d{4} [\d:.]+\s+\d+ [\w.]+:\d+\] ",  # absl's INFO and WARNING lines
        r"^E\d{4} .*failed call to cuInit",  # no GPU (driver) on this machine
        r"^E\d{4} .*Unable to register cu(DNN|FFT|BLAS) factory",
        r"^To enable the following instructions: .* rebuild TensorFlow",
        r"^\s*$",
    )
)
"""Lines of a backend's start that :func:`native_start_up_notices_dropped` does not write back."""

_LOCK = threading.Lock()
_runtime_started = False


def is_start_up_notice(line):
    """Whether ``line`` is one of :data:`START_UP_NOTICES`."""
    return any(pattern.search(line) for pattern in START_UP_NOTICES)


@contextlib.contextmanager
def native_start_up_notices_dropped():
    """Send file descriptor 2 to a temporary file for the block; then write back all but notices.

    Lines that are not :data:`START_UP_NOTICES` (a real error, a warning from Python code) are
    written to descriptor 2 in their order when the block ends, also when it raises.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no descriptor 2, or a closed sys.stderr: nothing to filter
        yield
        return
    with tempfile.TemporaryFile() as captured:
        try:
            os.dup2(captured.fileno(), 2)
            yield
        finally:
            with contextlib.suppress(OSError, ValueError):
                sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            kept = [
                line
                for line in captured.read().decode(errors="replace").splitlines(keepends=True)
                if not is_start_up_notice(line)
            ]
            if kept:
                os.write(2, "".join(kept).encode())


def import_keras():
    """Import Keras (and with it its backend) without the start-up notices; return it."""
    if "keras" not in sys.modules:
        with _LOCK, native_start_up_notices_dropped():
            import keras  # noqa: F401
    return sys.modules["keras"]


def start_runtime():
    """Run one tiny computation, once per process, without the start-up notices.

    The first computation starts the backend's runtime (TensorFlow looks for devices then).
    Thread limits (``set_threads`` of a backend module) must come before it.
    """
    global _runtime_started
    if _runtime_started:
        return
    keras = import_keras()
    with _LOCK:
        if not _runtime_started:
            with native_start_up_notices_dropped():
                keras.ops.convert_to_numpy(keras.ops.zeros((1,)))
            _runtime_started = True


class RetracingFilter(logging.Filter):
    """Drop TensorFlow's "... triggered tf.function retracing" warnings; let the rest pass."""

    def filter(self, record):
        return "triggered tf.function retracing" not in record.getMessage()


RETRACING_FILTER = RetracingFilter()


def on_tensorflow():
    """Whether Keras is loaded and runs on TensorFlow (never imports Keras itself)."""
    keras = sys.modules.get("keras")
    return keras is not None and keras.backend.backend() == "tensorflow"


_retracing_blocks = 0


@contextlib.contextmanager
def without_retracing_warnings(active=True):
    """Hold :data:`RETRACING_FILTER` on the ``tensorflow`` logger for the block.

    Only when ``active`` and Keras runs on TensorFlow. Blocks may nest and run in several
    threads: the filter leaves the logger when the last block ends.
    """
    global _retracing_blocks
    if not (active and on_tensorflow()):
        yield
        return
    logger = logging.getLogger("tensorflow")
    with _LOCK:
        if _retracing_blocks == 0:
            logger.addFilter(RETRACING_FILTER)
        _retracing_blocks += 1
    try:
        yield
    finally:
        with _LOCK:
            _retracing_blocks -= 1
            if _retracing_blocks == 0:
                logger.removeFilter(RETRACING_FILTER)
