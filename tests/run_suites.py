"""Run the test suites, one per Keras backend plus the slow tests, from one environment.

The suites differ only in ``KERAS_BACKEND`` and the pytest marker expression, so one
virtual environment serves all of them: one environment per suite, each with TensorFlow,
JAX and torch, took four times the disk for the same packages (an environment is 4.2 GB:
``du -sh .tox`` after the CI simulation of commit c874d3e). ``--jobs`` suites
run at a time, each in its own pytest process; a suite's output is printed whole when it
ends, then a summary with each suite's exit code and duration. The exit code is 0 when
every suite passed.

Examples
--------
From tox (``tox -e py311``), or directly in an environment with the test extras::

    python tests/run_suites.py                        # every suite, two at a time
    python tests/run_suites.py --suite jax -- -x -k save
"""

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(TESTS_DIR))
from suite_progress import PROGRESS_FILE_VARIABLE, read_progress  # noqa: E402

PROGRESS_SECONDS = 60.0
"""Seconds between progress lines."""


@dataclass(frozen=True)
class Suite:
    """One pytest run: the backend it selects and the tests it takes."""

    name: str
    backend: str
    markers: str


# Longest first, so that two at a time finish close together (the fast suite on TensorFlow
# runs every backend-free test besides the rest; the others leave those out).
SUITES = (
    Suite("tensorflow", "tensorflow", "not slow"),
    Suite("slow", "tensorflow", "slow"),
    Suite("jax", "jax", "not slow and not backend_free"),
    Suite("torch", "torch", "not slow and not backend_free"),
)


@dataclass(frozen=True)
class SuiteResult:
    suite: Suite
    returncode: int
    seconds: float
    output: str


def log_path(suite, log_dir):
    """The file a suite's pytest output goes to."""
    return Path(log_dir) / f"{suite.name}.log"


def progress_path(suite, log_dir):
    """The file a suite's ``suite_progress`` plugin keeps its counts in."""
    return Path(log_dir) / f"{suite.name}.progress"


def run_suite(suite, pytest_args, log_dir):
    """Run one suite's pytest process to completion; its output goes to a log file."""
    python_path = os.pathsep.join(filter(None, [os.environ.get("PYTHONPATH"), str(TESTS_DIR)]))
    environment = dict(
        os.environ,
        KERAS_BACKEND=suite.backend,
        PYTHONPATH=python_path,
        **{PROGRESS_FILE_VARIABLE: str(progress_path(suite, log_dir))},
    )
    command = [sys.executable, "-m", "pytest", "-m", suite.markers, "--durations=15"]
    command += ["-p", "suite_progress", *pytest_args]
    started = time.perf_counter()
    with open(log_path(suite, log_dir), "w", encoding="utf-8") as log:
        completed = subprocess.run(
            command,
            cwd=TESTS_DIR.parent,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
    seconds = time.perf_counter() - started
    output = log_path(suite, log_dir).read_text(encoding="utf-8", errors="replace")
    return SuiteResult(suite, completed.returncode, seconds, output)


def progress_line(suite, log_dir, seconds):
    """``suite NAME: D/T tests, F failed, S s (log PATH)``, or None before it collected."""
    progress = read_progress(progress_path(suite, log_dir))
    if progress is None:
        return None
    done, total, failed = progress
    return (
        f"  suite {suite.name}: {done}/{total} tests, {failed} failed, {seconds:.0f} s into the run "
        f"(log {log_path(suite, log_dir)})"
    )


def _report_progress(running, log_dir, report, stop, interval):
    """Until ``stop`` is set: every ``interval`` s, a changed progress line per running suite."""
    started = time.perf_counter()
    last = {}
    while not stop.wait(interval):
        for suite, future in running:
            if future.done():
                continue
            line = progress_line(suite, log_dir, time.perf_counter() - started)
            counts = read_progress(progress_path(suite, log_dir))
            if line is not None and counts != last.get(suite.name):
                last[suite.name] = counts
                report(line)


def run_suites(suites, pytest_args=(), jobs=2, log_dir=None, report=print, interval=None):
    """Run ``suites``, ``jobs`` at a time; report progress, and each one's output as it ends.

    Returns the results in the order the suites were given.
    """
    interval = PROGRESS_SECONDS if interval is None else interval
    with tempfile.TemporaryDirectory(prefix="suites-") as temporary_dir:
        logs = log_dir or temporary_dir
        names = ", ".join(suite.name for suite in suites)
        report(f"suites {names}, {jobs} at a time; a progress line every {interval:.0f} s; logs:")
        for suite in suites:
            report(f"  {log_path(suite, logs)}")
        stop = threading.Event()
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = [pool.submit(run_suite, suite, pytest_args, logs) for suite in suites]
            monitor = threading.Thread(
                target=_report_progress,
                args=(list(zip(suites, futures)), logs, report, stop, interval),
                daemon=True,
            )
            monitor.start()
            try:
                for future in as_completed(futures):
                    result = future.result()
                    status = "OK" if result.returncode == 0 else f"FAIL (exit {result.returncode})"
                    report(
                        f"===== suite {result.suite.name} (KERAS_BACKEND={result.suite.backend}, "
                        f"-m {result.suite.markers!r}): {status} in {result.seconds:.0f} s ====="
                    )
                    report(result.output.rstrip())
            finally:
                stop.set()
                monitor.join()
        return [future.result() for future in futures]


def summary_lines(results):
    """One line per suite: name, backend, status, seconds."""
    lines = []
    for result in results:
        status = "OK" if result.returncode == 0 else f"FAIL code {result.returncode}"
        lines.append(
            f"  {result.suite.name}: {status} ({result.seconds:.0f} s, "
            f"KERAS_BACKEND={result.suite.backend})"
        )
    return lines


def parse_arguments(argv):
    names = [suite.name for suite in SUITES]
    parser = argparse.ArgumentParser(
        description="Run the test suites (one per Keras backend, and the slow tests).",
        epilog="Arguments after -- go to every suite's pytest.",
    )
    parser.add_argument(
        "--suite",
        action="append",
        choices=names,
        dest="suites",
        help="a suite to run (repeatable; default: all of " + ", ".join(names) + ")",
    )
    parser.add_argument("--jobs", type=int, default=2, help="suites at a time (default 2)")
    parser.add_argument("pytest_args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if arguments.jobs < 1:
        parser.error(f"--jobs must be at least 1, got {arguments.jobs}")
    pytest_args = arguments.pytest_args
    if pytest_args[:1] == ["--"]:
        pytest_args = pytest_args[1:]
    chosen = arguments.suites or names
    suites = [suite for suite in SUITES if suite.name in chosen]
    return suites, pytest_args, arguments.jobs


def main(argv=None):
    suites, pytest_args, jobs = parse_arguments(sys.argv[1:] if argv is None else argv)
    started = time.perf_counter()
    results = run_suites(
        suites, pytest_args, jobs=jobs, report=lambda line: print(line, flush=True)
    )
    print(f"suites ({jobs} at a time, {time.perf_counter() - started:.0f} s in all):")
    print("\n".join(summary_lines(results)))
    failed = [result.suite.name for result in results if result.returncode != 0]
    print("suites failed: " + ", ".join(failed) if failed else "suites passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
