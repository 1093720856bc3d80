"""A pytest plugin for ``tests/run_suites.py``: the suite's progress in a small file as it runs.

Loaded with ``-p suite_progress`` when ``SUITE_PROGRESS_FILE`` names a file; after collection
and after every test that file holds ``done total failed`` (tests ended, tests collected,
tests failed so far), which the runner reads to print a progress line per suite.
"""

import os

PROGRESS_FILE_VARIABLE = "SUITE_PROGRESS_FILE"

_counts = {"done": 0, "total": 0, "failed": 0}


def _write():
    path = os.environ.get(PROGRESS_FILE_VARIABLE)
    if not path:
        return
    partial = f"{path}.partial"
    with open(partial, "w", encoding="utf-8") as file:
        file.write(f"{_counts['done']} {_counts['total']} {_counts['failed']}\n")
    os.replace(partial, path)


def read_progress(path):
    """``(done, total, failed)`` from a progress file, or None before the suite wrote one."""
    try:
        with open(path, encoding="utf-8") as file:
            done, total, failed = (int(word) for word in file.read().split())
    except (OSError, ValueError):
        return None
    return done, total, failed


def pytest_collection_finish(session):
    _counts["total"] = len(session.items)
    _write()


def pytest_runtest_logreport(report):
    # a test ends with its call, or with a setup that failed or skipped it
    ended = report.when == "call" or (report.when == "setup" and not report.passed)
    if ended:
        _counts["done"] += 1
    if report.failed and (ended or report.when == "teardown"):
        _counts["failed"] += 1
    if ended or report.failed:
        _write()
