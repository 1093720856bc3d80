"""The experiments around the detector: benchmark harness, its datasets, KDD99, plots.

Nothing here is needed to detect outliers: :class:`~pyod_efficientgan.EfficientGAN`
and the library modules beside it never import this subpackage. Its modules
need the ``bench`` extra (pandas, tqdm, joblib, matplotlib, and PyTorch for
PyOD's AutoEncoder)::

    pip install "pyod-efficientgan[bench]"

- :mod:`~pyod_efficientgan.experiments.harness`: PyOD's benchmark protocol
  (seeded 60/40 splits, ROC AUC, Precision @ n, time) over a registry of
  detectors, its tables, report and figure; ``pyod-efficientgan bench``;
- :mod:`~pyod_efficientgan.experiments.datasets`: the harness's data: ODDS
  ``.mat`` files, ``.npz`` files, CSV/Parquet tables and the embedded sets built
  from scikit-learn and PyOD data;
- :mod:`~pyod_efficientgan.experiments.kdd99`: the paper's KDDCUP99 experiment
  (loading, the official split, per-seed fits, the result table);
  ``pyod-efficientgan kdd99``;
- :mod:`~pyod_efficientgan.experiments.commandline`: the command line that repeats
  a run, rebuilt from its parser (for the reports of both commands);
- ``plotting``: the former path of :mod:`pyod_efficientgan.plotting` (warns; goes in the
  next release).

:func:`require` is what the command line calls before importing a module of
this subpackage, so that a missing extra is reported in one line instead of a
traceback.
"""

import importlib.util

BENCH_INSTALL = 'pip install "pyod-efficientgan[bench]"'
"""The command that installs what this subpackage needs."""

REQUIREMENTS = {
    "harness": ("pandas", "joblib", "tqdm", "matplotlib"),
    "datasets": (),
    "kdd99": ("pandas",),
    "plotting": ("matplotlib",),
}
"""Module of this subpackage -> top-level modules it cannot run without.

PyTorch is not listed for the harness: only PyOD's torch-based detectors
(AutoEncoder, DeepSVDD, ...) need it, and a detector that fails to import is
recorded as a failed cell of the table, not a failed run. h5py is needed only
for MATLAB v7.3 files.
"""


class MissingExtraError(ImportError):
    """A module of the ``bench`` extra is not installed; the message says how to install it."""


def require(module):
    """Raise :class:`MissingExtraError` unless every requirement of ``module`` is installed.

    Looks for the packages without importing them, so the check is fast and
    loads nothing.

    Parameters
    ----------
    module : str
        Name of a module of this subpackage, e.g. ``"harness"``.

    Raises
    ------
    MissingExtraError
        Naming the first missing package and :data:`BENCH_INSTALL`.
    """
    missing = missing_packages(module)
    if missing:
        raise MissingExtraError(missing_message(missing[0]), name=missing[0])


def missing_packages(module):
    """The requirements of ``module`` (:data:`REQUIREMENTS`) that are not installed.

    Parameters
    ----------
    module : str
        Name of a module of this subpackage, e.g. ``"harness"``.

    Returns
    -------
    missing : list of str
        Top-level module names, in the order of :data:`REQUIREMENTS`.
    """
    return [name for name in REQUIREMENTS[module] if importlib.util.find_spec(name) is None]


def missing_message(name):
    """One line saying that package ``name`` is missing and how to install the extra.

    Parameters
    ----------
    name : str
        The missing top-level module.

    Returns
    -------
    message : str
    """
    return f"needs {name}, which is not installed; install the bench extra: {BENCH_INSTALL}"
