"""Every script in examples/ runs (small epochs)."""

import runpy
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.mark.parametrize("script", sorted(p.name for p in EXAMPLES.glob("*.py")))
def test_example_runs(script, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", [script, "--epochs", "2"])
    runpy.run_path(str(EXAMPLES / script), run_name="__main__")
    assert "ROC" in capsys.readouterr().out
