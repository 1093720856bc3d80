"""The docstring examples of the package run and print what they show.

Every module of ``pyod_efficientgan`` and of its subpackages whose source
holds a ``>>>`` example is run through :mod:`doctest` (examples marked
``# doctest: +SKIP`` need a cluster or files and are skipped by doctest
itself). A module whose optional dependency is missing is skipped with the
name of the missing module.
"""

import doctest
import importlib
from pathlib import Path

import pytest

import pyod_efficientgan

PACKAGE_DIR = Path(pyod_efficientgan.__file__).parent


def _module_name(path):
    parts = path.relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


# every module, subpackages (backends, experiments, scaleout) included
MODULES_WITH_EXAMPLES = sorted(
    _module_name(path)
    for path in PACKAGE_DIR.rglob("*.py")
    if ">>>" in path.read_text(encoding="utf-8")
)


def test_the_detector_has_examples():
    # the list cannot silently become empty (a moved package, a renamed module)
    assert "pyod_efficientgan.detector" in MODULES_WITH_EXAMPLES


@pytest.mark.parametrize("name", MODULES_WITH_EXAMPLES)
def test_docstring_examples_run(name):
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as error:
        pytest.skip(f"{name} needs {error.name}, which is not installed")
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    examples = 0
    for test in finder.find(module, name):
        examples += len(test.examples)
        runner.run(test, out=lambda text: print(text, end=""))
    result = runner.summarize(verbose=False)
    assert examples > 0
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed (see stdout)"
