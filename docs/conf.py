"""Sphinx configuration for pyod-efficientgan.

Build: ``sphinx-build -W --keep-going -b html docs docs/_build/html`` (``tox -e docs``).
Intersphinx links to scikit-learn, PyOD, Keras, NumPy and Python need the
network; they are enabled only when ``PYOD_EFFICIENTGAN_DOCS_INTERSPHINX=1``,
so an offline build with ``-W`` passes (references then render as plain text).
"""

import os
import re
import sys
from pathlib import Path

sys.path.insert(0, os.path.abspath(".."))
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

project = "pyod-efficientgan"
author = "pyod-efficientgan developers"
copyright = "2026, pyod-efficientgan developers"
# read, not imported: autodoc imports the package, this file does not
release = re.search(
    r'^__version__ = "([^"]+)"',
    (Path(__file__).resolve().parent.parent / "pyod_efficientgan" / "__init__.py").read_text(),
    re.M,
).group(1)
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "numpydoc",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "benchmark/**", "kdd99/**", "**/.ipynb_checkpoints"]

templates_path = ["_templates"]
autosummary_generate = True
# Own members only: the methods inherited from PyOD's BaseDetector and from Keras carry their
# docstrings' markup (PyOD's :cite: role, Keras' Markdown), which is not valid here.
# scikit-learn's generated metadata-routing methods (set_*_request) are skipped too: their
# docstrings point into scikit-learn's own glossary.
autodoc_default_options = {"members": True}
autodoc_inherit_docstrings = False
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
myst_enable_extensions = ["dollarmath", "colon_fence"]
myst_heading_anchors = 3

if os.environ.get("PYOD_EFFICIENTGAN_DOCS_INTERSPHINX") == "1":
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "numpy": ("https://numpy.org/doc/stable", None),
        "sklearn": ("https://scikit-learn.org/stable", None),
        "pyod": ("https://pyod.readthedocs.io/en/latest", None),
        "keras": ("https://keras.io/api", None),
    }
else:
    intersphinx_mapping = {}
intersphinx_timeout = 10

html_theme = "pydata_sphinx_theme"
html_title = f"pyod-efficientgan {release}"
html_theme_options = {"navigation_with_keys": False}


def _skip_metadata_requests(app, what, name, obj, skip, options):
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return None


def setup(app):
    """Register the hook that hides scikit-learn's metadata-routing methods."""
    app.connect("autodoc-skip-member", _skip_metadata_requests)
