"""The suite runner behind ``tox -e py311``: backends, exit codes and arguments."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run_suites  # noqa: E402

pytestmark = pytest.mark.backend_free


def test_each_suite_runs_with_its_backend_and_reports_its_exit_code(tmp_path):
    (tmp_path / "test_backend.py").write_text(
        "import os\n\ndef test_backend():\n    assert os.environ['KERAS_BACKEND'] == 'jax'\n"
    )
    suites = [
        run_suites.Suite("on-jax", "jax", "not slow"),
        run_suites.Suite("on-torch", "torch", "not slow"),
    ]
    reported = []
    results = run_suites.run_suites(
        suites, [str(tmp_path), "-p", "no:cacheprovider"], jobs=2, report=reported.append
    )
    assert [result.suite.name for result in results] == ["on-jax", "on-torch"]
    assert [result.returncode for result in results] == [0, 1]
    assert "1 passed" in results[0].output
    assert "1 failed" in results[1].output
    assert any("suite on-torch" in line and "FAIL (exit 1)" in line for line in reported)
    summary = run_suites.summary_lines(results)
    assert "on-jax: OK" in summary[0]
    assert "on-torch: FAIL code 1" in summary[1]


def test_arguments_choose_suites_and_pass_the_rest_to_pytest():
    suites, pytest_args, jobs = run_suites.parse_arguments(
        ["--suite", "torch", "--suite", "jax", "--jobs", "1", "--", "-x", "-k", "save"]
    )
    assert [suite.name for suite in suites] == ["jax", "torch"]
    assert pytest_args == ["-x", "-k", "save"]
    assert jobs == 1
    suites, pytest_args, jobs = run_suites.parse_arguments([])
    assert [suite.name for suite in suites] == ["tensorflow", "slow", "jax", "torch"]
    assert (pytest_args, jobs) == ([], 2)
    with pytest.raises(SystemExit):
        run_suites.parse_arguments(["--jobs", "0"])
    with pytest.raises(SystemExit):
        run_suites.parse_arguments(["--suite", "mxnet"])


def test_the_suites_split_the_tests_by_marker():
    by_name = {suite.name: suite for suite in run_suites.SUITES}
    # backend-free tests run once, on TensorFlow; the slow tests once, on TensorFlow
    assert by_name["tensorflow"].markers == "not slow"
    assert by_name["slow"] == run_suites.Suite("slow", "tensorflow", "slow")
    for name in ("jax", "torch"):
        assert by_name[name].backend == name
        assert "not backend_free" in by_name[name].markers
        assert "not slow" in by_name[name].markers


def test_progress_lines_count_the_tests_and_name_the_log(tmp_path):
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_slowly.py").write_text(
        "import time\n\n"
        "def test_passes():\n    time.sleep(1.0)\n\n"
        "def test_fails():\n    time.sleep(1.0)\n    assert False\n\n"
        "def test_passes_too():\n    time.sleep(1.0)\n"
    )
    logs = tmp_path / "logs"
    logs.mkdir()
    suite = run_suites.Suite("slowly", "jax", "not slow")
    reported = []
    run_suites.run_suites(
        [suite],
        [str(tests), "-p", "no:cacheprovider"],
        jobs=1,
        log_dir=str(logs),
        report=reported.append,
        interval=0.2,
    )
    assert f"  {logs / 'slowly.log'}" in reported  # the log is named before the suite runs
    progress = [line for line in reported if line.startswith("  suite slowly:")]
    assert progress, reported
    assert all(str(logs / "slowly.log") in line for line in progress)
    assert any("/3 tests" in line for line in progress)
    # the plugin's last counts: 3 ended of 3, 1 failed
    assert run_suites.read_progress(run_suites.progress_path(suite, logs)) == (3, 3, 1)
