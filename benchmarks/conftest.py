"""What the benchmarks share: how a report is shown and kept."""

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def publish_report():
    """Return ``publish(text, env_var, default_name)``.

    It prints the report and writes it to the path in ``$env_var``, or to
    ``bench-out/<default_name>``, creating the folder; it returns that path.
    """

    def publish(text, env_var, default_name):
        print("\n" + text)
        out = Path(os.environ.get(env_var, f"bench-out/{default_name}"))
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text + "\n")
        return out

    return publish
