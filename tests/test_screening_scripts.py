"""The screening records under benchmarks/screening: what runs today imports, the rest is frozen.

Each script is listed once, in RUNS_TODAY or FROZEN (benchmarks/screening/README.md says why and
at which commit it ran); a script added without a status fails here.
"""

import ast
import importlib
import importlib.util
import sys
from pathlib import Path

import pytest

SCREENING = Path(__file__).resolve().parent.parent / "benchmarks" / "screening"

RUNS_TODAY = (
    "odds/dev47/candidates.py",
    "odds/dev47/compare.py",
    "odds/dev47/synthetic_checks.py",
    "odds/steps/summarize.py",
    "odds/stopping/selection.py",
    "odds/stopping/summarize.py",
    "odds/stopping/summarize_synthetic.py",
    "kdd99-defaults-vs-iforest/run.py",
    "recon/screen.py",
    "recon/summarize.py",
)
"""Scripts that still run against the package: imported here, every package import resolved."""

FROZEN = (
    "odds/dev47/screen.py",
    "odds/odds17/compare.py",
    "odds/odds17/third_screen_table.py",
    "odds/odds17/variant.py",
    "odds/screen.py",
    "odds/screen2.py",
    "odds/steps/epochs.py",
    "odds/steps/screen_steps.py",
    "odds/stopping/trace.py",
    "odds/stopping/trace_synthetic.py",
    "kdd99/lr_schedule.py",
    "kdd99/selection_trace.py",
    "performance/score_chunk_memory.py",
)
"""Records only: they use what the package no longer has, or run on import."""


def test_every_screening_script_has_one_status():
    scripts = sorted(str(p.relative_to(SCREENING)) for p in SCREENING.rglob("*.py"))
    assert sorted(RUNS_TODAY + FROZEN) == scripts
    readme = (SCREENING / "README.md").read_text()
    assert all(f"`{script}`" in readme for script in scripts)


def _package_imports(path):
    """Every ``pyod_efficientgan`` import of a script, function-level ones included."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pyod_efficientgan"):
            yield from ((node.module, alias.name) for alias in node.names)
        elif isinstance(node, ast.Import):
            yield from (
                (a.name, None) for a in node.names if a.name.startswith("pyod_efficientgan")
            )


@pytest.mark.parametrize("script", RUNS_TODAY)
def test_a_script_that_runs_today_imports(script, monkeypatch):
    path = SCREENING / script
    for module_name, name in _package_imports(path):
        module = importlib.import_module(module_name)
        if name is not None and not hasattr(module, name):
            importlib.import_module(f"{module_name}.{name}")
    monkeypatch.syspath_prepend(str(path.parent))
    spec = importlib.util.spec_from_file_location(f"screening_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)


def test_no_file_under_docs_imports_the_package():
    docs = SCREENING.parent.parent / "docs"
    importing = [str(p.relative_to(docs)) for p in docs.rglob("*.py") if any(_package_imports(p))]
    assert importing == []
    assert "conf.py" in {p.name for p in docs.rglob("*.py")}  # the check sees the Sphinx config
