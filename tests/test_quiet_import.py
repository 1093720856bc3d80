"""Importing the package and ``pyod-efficientgan --help`` write nothing but the help.

Checked in a fresh interpreter at the file-descriptor level: TensorFlow writes
its start-up lines (oneDNN, CUDA stubs) from C++ straight to file descriptor 2,
which ``capsys`` would not see. The environment drops ``TF_CPP_MIN_LOG_LEVEL``
so that the package's own behaviour is tested, not tox's setting.
"""

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.backend_free


def run_python(tmp_path, *args):
    environment = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    # run outside the source tree, so the installed package is the one imported
    return subprocess.run(
        [sys.executable, *args], capture_output=True, cwd=tmp_path, env=environment, timeout=300
    )


@pytest.mark.parametrize(
    "code",
    [
        "import pyod_efficientgan",
        "import pyod_efficientgan.cli",
        "import pyod_efficientgan.persistence",
    ],
)
def test_import_writes_nothing(tmp_path, code):
    completed = run_python(tmp_path, "-c", code)
    assert completed.returncode == 0, completed.stderr.decode(errors="replace")
    assert completed.stdout == b""
    assert completed.stderr == b""


def test_import_loads_neither_keras_nor_tensorflow(tmp_path):
    code = (
        "import sys, pyod_efficientgan\n"
        "print(sorted(m for m in ('keras', 'tensorflow') if m in sys.modules))"
    )
    completed = run_python(tmp_path, "-c", code)
    assert completed.stdout.decode().strip() == "[]", completed.stderr.decode(errors="replace")


def test_detector_is_still_importable_from_the_package(tmp_path):
    code = (
        "from pyod_efficientgan import EfficientGAN, TrainingDivergedError\n"
        "import pyod_efficientgan\n"
        "print(EfficientGAN.__module__, TrainingDivergedError.__name__, "
        "'EfficientGAN' in dir(pyod_efficientgan))"
    )
    completed = run_python(tmp_path, "-c", code)
    assert completed.returncode == 0, completed.stderr.decode(errors="replace")
    assert completed.stdout.decode().split() == [
        "pyod_efficientgan.detector", "TrainingDivergedError", "True"]


def test_unknown_attribute_still_raises():
    import pyod_efficientgan

    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        pyod_efficientgan.nope  # noqa: B018


@pytest.mark.parametrize("args", [["--help"], []], ids=["help", "no-arguments"])
def test_cli_help_writes_only_the_usage(tmp_path, args):
    completed = run_python(tmp_path, "-m", "pyod_efficientgan.cli", *args)
    usage = completed.stdout if args else completed.stderr
    assert usage.startswith(b"usage: pyod-efficientgan"), completed.stderr[-2000:]
    if args:
        assert completed.returncode == 0 and completed.stderr == b""
    else:  # argparse's error for a missing subcommand, and nothing else
        assert completed.returncode == 2 and completed.stdout == b""
        assert completed.stderr.count(b"\n") == 2, completed.stderr
    # bench and kdd99 are listed without importing them (and TensorFlow with them)
    assert b"bench" in usage and b"kdd99" in usage
