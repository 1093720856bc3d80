"""Make EfficientGAN known to PyOD's ADEngine (``pyod.utils.ad_engine``).

ADEngine reads its algorithm knowledge base from one directory
(``ADEngine(knowledge_dir=...)``; by default the directory bundled with PyOD).
This package ships its own entry, ``knowledge.json``, as package data.
:func:`merged_knowledge_dir` writes a directory holding PyOD's bundled
knowledge files with that entry added to ``algorithms.json``, and
:func:`make_engine` returns an ADEngine that reads such a directory.

ADEngine's rule-based routing (``plan_detection``) only picks detectors named
by PyOD's routing rules, which are derived from benchmarks that do not include
EfficientGAN, so it will not choose EfficientGAN by itself. Plan it
explicitly with ``engine.make_plan(["EfficientGAN"], params=[{...}])``; it is
also listed by ``list_detectors`` and ``explain_detector`` and offered to
caller- or LLM-driven routing by ``get_kb_for_routing``.

Examples
--------
>>> from pyod_efficientgan.adengine import make_engine
>>> engine = make_engine(random_state=0)
>>> plan = engine.make_plan(["EfficientGAN"], params=[{"epochs": 5}])
>>> detector = engine.build_detector(plan)
>>> type(detector).__name__, detector.epochs, detector.random_state
('EfficientGAN', 5, 0)
"""

import json
import os
import shutil
import tempfile
from importlib import resources

NAME = "EfficientGAN"
"""The detector's name in the knowledge base."""

PAPER = {
    "efficientgan": {
        "title": "Efficient GAN-Based Anomaly Detection",
        "authors": "Zenati, Foo, Lecouat, Manek, Chandrasekhar",
        "venue": "arXiv:1802.06222, 2018",
        "url": "https://arxiv.org/abs/1802.06222",
    }
}


def knowledge_entries():
    """Return this package's knowledge-base entries, keyed by detector name.

    Returns
    -------
    entries : dict of str to dict
        ``{"EfficientGAN": {...}}`` in the schema of PyOD's
        ``algorithms.json``.
    """
    text = resources.files("pyod_efficientgan").joinpath("knowledge.json").read_text("utf-8")
    return json.loads(text)


def _pyod_knowledge_dir():
    from pyod.utils import knowledge

    return os.path.dirname(knowledge.__file__)


def merged_knowledge_dir(path, base_dir=None):
    """Write PyOD's knowledge files with the EfficientGAN entry added.

    Parameters
    ----------
    path : str or os.PathLike
        Directory to write (created if missing); existing knowledge files in
        it are overwritten.
    base_dir : str or None, default=None
        Knowledge directory to start from; PyOD's bundled one when None.

    Returns
    -------
    path : str
        The directory, ready for ``ADEngine(knowledge_dir=path)``.
    """
    base_dir = base_dir or _pyod_knowledge_dir()
    path = os.fspath(path)
    os.makedirs(path, exist_ok=True)
    for name in os.listdir(base_dir):
        if name.endswith(".json"):
            shutil.copyfile(os.path.join(base_dir, name), os.path.join(path, name))
    for filename, extra in (("algorithms.json", knowledge_entries()), ("papers.json", PAPER)):
        target = os.path.join(path, filename)
        content = {}
        if os.path.exists(target):
            with open(target, encoding="utf-8") as stream:
                content = json.load(stream)
        content.update(extra)
        with open(target, "w", encoding="utf-8") as stream:
            json.dump(content, stream, indent=1)
    return path


def make_engine(knowledge_dir=None, **kwargs):
    """Return a ``pyod.utils.ad_engine.ADEngine`` that knows EfficientGAN.

    Parameters
    ----------
    knowledge_dir : str or None, default=None
        A directory written by :func:`merged_knowledge_dir`. When None, a
        merged copy of PyOD's bundled knowledge is written to a temporary
        directory, loaded, and the directory removed.
    **kwargs
        Passed to ``ADEngine`` (e.g. ``random_state``).

    Returns
    -------
    engine : ADEngine
        ``engine.list_detectors()`` includes EfficientGAN, and
        ``engine.build_detector(engine.make_plan(["EfficientGAN"]))`` builds it.
    """
    from pyod.utils.ad_engine import ADEngine

    if knowledge_dir is not None:
        return ADEngine(knowledge_dir=os.fspath(knowledge_dir), **kwargs)
    with tempfile.TemporaryDirectory(prefix="pyod-efficientgan-kb-") as directory:
        engine = ADEngine(knowledge_dir=merged_knowledge_dir(directory), **kwargs)
        knowledge = engine.kb
        # The knowledge base reads its files lazily; read them while they exist.
        for attribute in ("algorithms", "benchmarks", "routing_rules", "papers"):
            getattr(knowledge, attribute)
    return engine
