"""Benchmark harness: EfficientGAN against PyOD detectors on real datasets.

The protocol is the one of PyOD's ``notebooks/benchmark.py``. For every
dataset and repetition ``i``:

1. ``train_test_split(X, y, test_size=0.4, random_state=split_seed_i)``;
2. in the ``clean`` setting (:data:`SETTINGS`) the training part's outliers
   are dropped (novelty detection: fit on inliers only, the paper's KDD99
   setting); the ``contaminated`` default keeps them (PyOD's protocol);
3. :func:`pyod.utils.utility.standardizer` fitted on the training rows;
4. every detector is built with ``contamination`` = the training part's
   outlier fraction, fitted on the training rows (no labels) and scores the
   test rows;
5. ROC AUC, Precision @ n (:func:`pyod.utils.utility.precision_n_scores`,
   n = number of test outliers) and the fit + score time are recorded.

Unlike PyOD's script, each detector and repetition gets its own seed, derived
from one base seed with :class:`numpy.random.SeedSequence` (see
:func:`split_seed` and :func:`detector_seed`), so adding a detector changes
no other detector's numbers, and all detectors of one repetition see the same
split. A detector that raises is recorded as NaN with its error message.

Detectors come from :data:`DETECTORS` (name -> factory) or, for any other
name, from ``pyod.models`` by class name (:func:`make_detector`). Results are
written by :func:`write_results`: ``roc.csv``, ``prc.csv``, ``time.csv``
(rows = datasets, columns = detectors, mean over runs), ``records.csv`` (one
row per dataset, run and detector, with seeds and errors), ``summary.md`` and
``roc.png``. The command line is ``pyod-efficientgan bench``.
"""

import argparse
import ast
import contextlib
import importlib
import inspect
import json
import os
import pkgutil
import platform
import sys
import time
import warnings
import zlib
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
from pyod.models.base import BaseDetector
from pyod.utils.utility import precision_n_scores, standardizer
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.utils.validation import check_is_fitted, validate_data

from pyod_efficientgan import startup
from pyod_efficientgan.experiments import commandline
from pyod_efficientgan.experiments.datasets import (
    EMBEDDED_DATASETS,
    ODDS_BENCHMARK,
    dataset_files,
    load_dataset,
    odds_dir,
    subsample,
)

TEST_SIZE = 0.4
"""Share of each dataset used for testing (PyOD's benchmark)."""

DEFAULT_DETECTORS = ("EfficientGAN", "IForest", "AutoEncoder", "L1Norm")
"""Detectors of a default run."""

DEFAULT_N_RUNS = 2
"""Repetitions of a default run (PyOD's benchmark uses 10); 2 keeps it to minutes."""

DEFAULT_N_JOBS = 2
"""Worker processes of a default command-line run (one per core of a small machine)."""

DEFAULT_SEED = 0
"""Base seed of a default run."""

SETTINGS = ("contaminated", "clean")
"""What the detectors are fitted on: ``contaminated``, every row of the training
split (PyOD's protocol, the default); ``clean``, the training split's inliers only
(novelty detection, as in the paper's KDD99 experiment and ADBench's
semi-supervised setting). The test split is the same in both."""

METRICS = {"roc": "ROC AUC", "prc": "Precision @ n", "time": "Fit + score time (s)"}
"""Metric key -> title; the keys are the result columns and CSV names."""

AUTOENCODER_PARAMS = {"epoch_num": 10, "batch_size": 32, "lr": 1e-3, "verbose": 0, "device": "cpu"}
"""PyOD AutoEncoder parameters: PyOD's defaults (10 epochs, batch 32), quiet, on CPU."""


class L1Norm(BaseDetector):
    r"""Baseline detector: the score of a row is its L1 norm.

    On standardized rows this is the L1 distance from the training mean. It
    needs no training and is what a BiGAN that has learnt nothing but the mean
    scores (``G(E(x))`` constant), so a trained EfficientGAN must beat it.

    Parameters
    ----------
    contamination : float in (0, 0.5], default=0.1
        Expected share of outliers, used to set ``threshold_``.

    Attributes
    ----------
    decision_scores_ : ndarray of shape (n_samples,)
        L1 norms of the training rows.
    threshold_ : float
        Score above which a row is labelled an outlier.
    labels_ : ndarray of shape (n_samples,)
        0 for inliers and 1 for outliers among the training rows.
    n_features_in_ : int
        Number of features seen in ``fit``.

    Notes
    -----
    .. math::

        s(x) = \lVert x \rVert_1 = \sum_j |x_j|
    """

    def __init__(self, contamination=0.1):
        super().__init__(contamination=contamination)

    def fit(self, X, y=None):
        """Score the training rows; there is nothing to learn.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows (standardized by the harness).
        y : Ignored
            Present for API consistency.

        Returns
        -------
        self : L1Norm
        """
        X = validate_data(self, X, dtype=np.float64)
        self._set_n_classes(y)
        self.decision_scores_ = np.abs(X).sum(axis=1)
        self._process_decision_scores()
        return self

    def decision_function(self, X):
        """Return the L1 norm of every row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
        """
        check_is_fitted(self, ["decision_scores_"])
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return np.abs(X).sum(axis=1)


class StandardizedAverage(BaseDetector):
    """Average of the standardized scores of several detectors.

    How PyOD users combine detectors (``pyod.models.combination.average``):
    every member is fitted on the same rows; its scores are standardized by
    the mean and standard deviation of its training scores
    (:func:`pyod.utils.utility.standardizer`) and the members' standardized
    scores are averaged.

    Parameters
    ----------
    detectors : list of BaseDetector
        Unfitted members.
    contamination : float in (0, 0.5], default=0.1
        Expected share of outliers, used to set ``threshold_``.

    Attributes
    ----------
    detectors_ : list of BaseDetector
        The fitted members.
    decision_scores_ : ndarray of shape (n_samples,)
        Averaged standardized scores of the training rows.
    threshold_ : float
        Score above which a row is labelled an outlier.
    labels_ : ndarray of shape (n_samples,)
        0 for inliers and 1 for outliers among the training rows.
    """

    def __init__(self, detectors, contamination=0.1):
        super().__init__(contamination=contamination)
        self.detectors = detectors

    def fit(self, X, y=None):
        """Fit every member on ``X`` and score the training rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows.
        y : Ignored
            Present for API consistency.

        Returns
        -------
        self : StandardizedAverage
        """
        from sklearn.base import clone

        X = validate_data(self, X, dtype=np.float64)
        self._set_n_classes(y)
        self.detectors_ = [clone(detector).fit(X) for detector in self.detectors]
        self._train_scores = np.column_stack([d.decision_scores_ for d in self.detectors_])
        self.decision_scores_ = self._combine(self._train_scores)
        self._process_decision_scores()
        return self

    def _combine(self, scores):
        from pyod.models.combination import average

        _, standardized = standardizer(self._train_scores, scores)
        return average(standardized)

    def decision_function(self, X):
        """Average standardized score of every row of ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
        """
        check_is_fitted(self, ["detectors_"])
        X = validate_data(self, X, dtype=np.float64, reset=False)
        return self._combine(np.column_stack([d.decision_function(X) for d in self.detectors_]))


# ------------------------------------------------------------- registry
def _efficientgan(contamination, seed, **params):
    from pyod_efficientgan import EfficientGAN

    return EfficientGAN(contamination=contamination, random_state=seed, **params)


def _iforest(contamination, seed, **params):
    from pyod.models.iforest import IForest

    return IForest(contamination=contamination, random_state=seed, **params)


def _autoencoder(contamination, seed, **params):
    from pyod.models.auto_encoder import AutoEncoder

    return AutoEncoder(
        contamination=contamination, random_state=seed, **{**AUTOENCODER_PARAMS, **params}
    )


def _l1norm(contamination, seed, **params):
    return L1Norm(contamination=contamination, **params)


def _efficientgan_iforest(contamination, seed, **params):
    members = [_efficientgan(contamination, seed, **params), _iforest(contamination, seed)]
    return StandardizedAverage(members, contamination=contamination)


DETECTORS = {
    "EfficientGAN": _efficientgan,
    "IForest": _iforest,
    "AutoEncoder": _autoencoder,
    "L1Norm": _l1norm,
    "EfficientGAN+IForest": _efficientgan_iforest,
}
"""Name -> ``factory(contamination, seed, **params)`` returning an unfitted detector."""


def _normalized(name):
    return name.lower().replace("_", "")


def _pyod_class(name):
    """Find the class ``name`` in the ``pyod.models`` module named after it."""
    import pyod.models

    for module_info in pkgutil.iter_modules(pyod.models.__path__):
        if _normalized(module_info.name) != _normalized(name):
            continue
        module = importlib.import_module(f"pyod.models.{module_info.name}")
        if isinstance(getattr(module, name, None), type):
            return getattr(module, name)
    raise KeyError(
        f"Unknown detector {name!r}: not in the harness registry {sorted(DETECTORS)} and no "
        f"class {name!r} in a module pyod.models.{name.lower()}."
    )


def make_detector(name, contamination, seed, **params):
    """Build an unfitted detector by name.

    Names in :data:`DETECTORS` use their factory; any other name is a class
    of ``pyod.models`` (``KNN``, ``ECOD``, ``DeepSVDD``, ...), built with
    ``contamination`` and, when it accepts one, ``random_state=seed``.

    Parameters
    ----------
    name : str
        Detector name.
    contamination : float
        Expected share of outliers.
    seed : int
        Seed of the detector.
    **params
        Further constructor arguments.

    Returns
    -------
    detector : pyod.models.base.BaseDetector
    """
    if name in DETECTORS:
        return DETECTORS[name](contamination, seed, **params)
    cls = _pyod_class(name)
    accepted = inspect.signature(cls.__init__).parameters
    if "random_state" in accepted:
        params.setdefault("random_state", seed)
    if "verbose" in accepted:
        params.setdefault("verbose", 0)
    return cls(contamination=contamination, **params)


# ------------------------------------------------------------- protocol
def split_seed(base_seed, run):
    """Seed of the train/test split of repetition ``run`` (shared by all detectors).

    Parameters
    ----------
    base_seed : int
        Seed of the whole benchmark.
    run : int
        Repetition index.

    Returns
    -------
    seed : int
    """
    return int(np.random.SeedSequence(base_seed, spawn_key=(run,)).generate_state(1)[0] >> 1)


def detector_seed(base_seed, run, name):
    """Seed of detector ``name`` in repetition ``run``.

    Derived from ``(base_seed, run, crc32(name))``, so it does not depend on
    which other detectors take part.

    Parameters
    ----------
    base_seed : int
        Seed of the whole benchmark.
    run : int
        Repetition index.
    name : str
        Detector name.

    Returns
    -------
    seed : int
    """
    key = (run, zlib.crc32(name.encode()))
    return int(np.random.SeedSequence(base_seed, spawn_key=key).generate_state(1)[0] >> 1)


def split_standardize(X, y, seed, setting="contaminated"):
    """Split 60/40 with ``seed`` and standardize both parts on the training rows.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Rows.
    y : ndarray of shape (n_samples,)
        0/1 labels.
    seed : int
        Seed of :func:`~sklearn.model_selection.train_test_split`.
    setting : {"contaminated", "clean"}, default="contaminated"
        ``clean`` drops the training part's outliers before standardizing
        (see :data:`SETTINGS`).

    Returns
    -------
    X_train, X_test, y_train, y_test : ndarray
        ``y_train`` holds the labels of the training part before any row is
        dropped (its outlier share is the detectors' ``contamination``).
    """
    if setting not in SETTINGS:
        raise ValueError(f"setting must be one of {SETTINGS}, got {setting!r}")
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=TEST_SIZE, random_state=seed
    )
    if setting == "clean":
        X_train = X_train[y_train == 0]
    X_train, X_test = standardizer(X_train, X_test)
    return X_train, X_test, y_train, y_test


def evaluate(detector, X_train, X_test, y_test):
    """Fit ``detector`` on ``X_train``, score ``X_test`` and measure it.

    Parameters
    ----------
    detector : BaseDetector
        Unfitted detector.
    X_train, X_test : ndarray
        Standardized rows.
    y_test : ndarray
        0/1 labels of ``X_test``.

    Returns
    -------
    result : dict
        ``roc``, ``prc`` (Precision @ n) and ``time`` (seconds of fit plus
        ``decision_function``).
    """
    if np.unique(y_test).size < 2:
        raise ValueError(
            "the test part holds only one class (no outlier), so ROC AUC is undefined; "
            "this repetition is skipped in the means"
        )
    start = time.perf_counter()
    detector.fit(X_train)
    scores = detector.decision_function(X_test)
    elapsed = time.perf_counter() - start
    scores = np.asarray(scores, dtype=np.float64)
    if not np.all(np.isfinite(scores)):
        raise FloatingPointError("the detector returned non-finite test scores")
    return {
        "roc": float(roc_auc_score(y_test, scores)),
        "prc": float(precision_n_scores(y_test, scores)),
        "time": elapsed,
    }


def _contamination(y_train):
    """Outlier share of the training part, clipped into PyOD's (0, 0.5]."""
    return float(min(max(np.mean(y_train), 1e-3), 0.5))


def run_task(dataset, run, name, base_seed, params=None, setting="contaminated"):
    """Evaluate one detector on one repetition of one dataset; never raises.

    Parameters
    ----------
    dataset : Dataset
        The data.
    run : int
        Repetition index.
    name : str
        Detector name.
    base_seed : int
        Seed of the benchmark.
    params : dict or None, default=None
        Constructor arguments of this detector.
    setting : {"contaminated", "clean"}, default="contaminated"
        What the detector is fitted on (:data:`SETTINGS`).

    Returns
    -------
    record : dict
        ``dataset``, ``detector``, ``run``, ``setting``, ``split_seed``, ``seed``, the
        metrics (NaN on failure) and ``error`` (None or the message).
    """
    seeds = {"split_seed": split_seed(base_seed, run), "seed": detector_seed(base_seed, run, name)}
    record = {"dataset": dataset.name, "detector": name, "run": run, "setting": setting, **seeds}
    try:
        X_train, X_test, y_train, y_test = split_standardize(
            dataset.X, dataset.y, seeds["split_seed"], setting
        )
        detector = make_detector(name, _contamination(y_train), seeds["seed"], **(params or {}))
        record.update(evaluate(detector, X_train, X_test, y_test), error=None)
    except Exception as error:  # recorded, not fatal
        record.update({key: np.nan for key in METRICS}, error=f"{type(error).__name__}: {error}")
    return record


def run_benchmark(
    datasets,
    detectors=DEFAULT_DETECTORS,
    n_runs=DEFAULT_N_RUNS,
    base_seed=DEFAULT_SEED,
    params=None,
    n_jobs=1,
    progress=True,
    on_record=None,
    setting="contaminated",
):
    """Run the protocol on every dataset, repetition and detector.

    Parameters
    ----------
    datasets : list of Dataset
        The data.
    detectors : sequence of str, default=DEFAULT_DETECTORS
        Detector names (see :func:`make_detector`).
    n_runs : int, default=2
        Repetitions per dataset.
    base_seed : int, default=0
        Seed from which every split and detector seed is derived.
    params : dict of str to dict or None, default=None
        Detector name -> constructor arguments.
    n_jobs : int, default=1
        Worker processes (joblib); 1 runs in this process. Each worker gets
        ``cpu_count // n_jobs`` threads (the Keras backend, PyTorch, BLAS) so
        the workers do not oversubscribe the cores; they get this process's
        ``KERAS_BACKEND``. Keras starts without start-up lines on stderr
        (:func:`start_keras`), and on TensorFlow its per-fit "tf.function
        retracing" warnings are dropped while the benchmark runs.
    progress : bool, default=True
        Show a tqdm progress bar over (dataset, detector, run).
    on_record : callable or None, default=None
        Called with each record as soon as it is done (e.g. to save partial
        results of a long run).
    setting : {"contaminated", "clean"}, default="contaminated"
        What the detectors are fitted on (:data:`SETTINGS`).

    Returns
    -------
    records : pandas.DataFrame
        One row per (dataset, run, detector); see :func:`run_task`.
    """
    from tqdm.auto import tqdm

    params = params or {}
    tasks = [
        (dataset, run, name) for dataset in datasets for run in range(n_runs) for name in detectors
    ]
    n_jobs = min(n_jobs, max(len(tasks), 1)) if n_jobs > 0 else n_jobs  # no idle workers
    bar = tqdm(total=len(tasks), disable=not progress, unit="fit", file=sys.stderr)
    records = []
    uses_keras = any(name in KERAS_DETECTORS for name in detectors)
    if n_jobs == 1:
        if uses_keras:
            start_keras()
        for dataset, run, name in tasks:
            bar.set_postfix_str(f"{dataset.name}/{name}/{run}")
            records.append(_quiet_task(dataset, run, name, base_seed, params.get(name), setting))
            if on_record is not None:
                on_record(records[-1])
            bar.update()
    else:
        from joblib import Parallel, delayed

        with _worker_pool(n_jobs, uses_keras):
            results = Parallel(n_jobs=n_jobs, return_as="generator_unordered")(
                delayed(_quiet_task)(dataset, run, name, base_seed, params.get(name), setting)
                for dataset, run, name in tasks
            )
            for record in results:
                bar.set_postfix_str(f"{record['dataset']}/{record['detector']}/{record['run']}")
                records.append(record)
                if on_record is not None:
                    on_record(record)
                bar.update()
    bar.close()
    order = {(d.name, r, n): i for i, (d, r, n) in enumerate(tasks)}
    records.sort(key=lambda rec: order[(rec["dataset"], rec["run"], rec["detector"])])
    return pd.DataFrame.from_records(records)


KERAS_DETECTORS = ("EfficientGAN", "EfficientGAN+IForest")
"""Registry names whose detectors run on Keras (and so start its backend)."""


def _quiet_task(dataset, run, name, base_seed, params, setting="contaminated"):
    """:func:`run_task` without TensorFlow's retracing warnings, in this process or a worker."""
    with startup.without_retracing_warnings(name in KERAS_DETECTORS):
        return run_task(dataset, run, name, base_seed, params, setting)


@contextlib.contextmanager
def _worker_pool(n_jobs, uses_keras):
    """Configure joblib for a parallel run: loky workers with capped threads.

    Each worker gets ``cpu_count // n_jobs`` threads and runs
    :func:`_start_worker` before its first task. loky starts its workers with
    this process's environment (``os.environ``), so ``KERAS_BACKEND`` reaches
    them unchanged and every worker runs Keras on the backend of this process.
    """
    from joblib import parallel_config

    n_threads = max(1, (os.cpu_count() or 1) // n_jobs)
    with (
        parallel_config(
            backend="loky",
            inner_max_num_threads=n_threads,
            initializer=_start_worker,
            initargs=(n_threads, uses_keras),
        ),
        warnings.catch_warnings(),
    ):
        # loky replaces a worker whose memory grew by 300 MB since its first task
        # (a Keras backend keeps some graph memory per fit) and warns that it did; the
        # replacement takes the next task and no result is lost.
        warnings.filterwarnings("ignore", message=_LOKY_REPLACED_WORKER, category=UserWarning)
        yield


def limit_threads(n_threads):
    """Cap the threads of the Keras backend and of PyTorch in this process at ``n_threads``.

    Used by the initializer of the worker processes of a parallel run, so
    that ``n_jobs`` workers do not each start one thread per core. The Keras
    side goes through ``set_threads`` of :func:`pyod_efficientgan.backends.current`;
    TensorFlow and JAX accept the setting only before their runtime starts,
    so a process that has already run them keeps what it had.
    """
    from pyod_efficientgan import backends

    backends.current().set_threads(n_threads)
    _limit_torch_threads(n_threads)


def _limit_torch_threads(n_threads):
    # PyOD's own deep detectors (AutoEncoder, DeepSVDD, ...) run on PyTorch whatever
    # Keras runs on: this is for those peers, not for EfficientGAN's backend.
    try:
        import torch
    except ImportError:
        return
    torch.set_num_threads(n_threads)


_LOKY_REPLACED_WORKER = "A worker stopped while some jobs were given to the executor"
"""Start of loky's warning that it replaced a worker (memory-leak protection)."""


def start_keras(n_threads=None):
    """Import Keras and start its backend without start-up lines on stderr.

    :func:`pyod_efficientgan.startup.import_keras`, then the thread caps of
    :func:`limit_threads` (they must come before the runtime starts), then
    :func:`pyod_efficientgan.startup.start_runtime`. When Keras is already
    imported, only the thread caps are applied.

    Parameters
    ----------
    n_threads : int or None, default=None
        When given, :func:`limit_threads` caps the threads.
    """
    if "keras" in sys.modules:
        if n_threads is not None:
            limit_threads(n_threads)
        return
    startup.import_keras()
    if n_threads is not None:
        limit_threads(n_threads)
    startup.start_runtime()


def _start_worker(n_threads, uses_keras=True):
    """Initializer of a loky worker: thread caps and a quiet Keras start.

    Runs once per worker process, before its first task. Starting Keras here
    (when the run has a Keras detector) and importing PyTorch
    (:func:`limit_threads`) also makes them part of the size loky measures
    after the first task, so its memory-leak protection does not replace a
    worker just because a later task loaded them.
    """
    if uses_keras:
        start_keras(n_threads)
    else:
        _limit_torch_threads(n_threads)


# ---------------------------------------------------------------- tables
def dataset_info(datasets):
    """Return a frame of ``#samples``, ``#dims`` and ``outlier %`` indexed by dataset."""
    return pd.DataFrame(
        {
            "#samples": [d.n_samples for d in datasets],
            "#dims": [d.n_features for d in datasets],
            "outlier %": [round(100 * d.outlier_fraction, 2) for d in datasets],
        },
        index=pd.Index([d.name for d in datasets], name="dataset"),
    )


def metric_table(records, metric, datasets, detectors, statistic="mean"):
    """Pivot one metric: rows = datasets (with their info), columns = detectors.

    Parameters
    ----------
    records : pandas.DataFrame
        Output of :func:`run_benchmark`.
    metric : {"roc", "prc", "time"}
        Which metric.
    datasets : list of Dataset
        Row order and info columns.
    detectors : sequence of str
        Column order.
    statistic : {"mean", "std"}, default="mean"
        Aggregate over runs (NaN runs are skipped; all-NaN gives NaN).

    Returns
    -------
    table : pandas.DataFrame
    """
    values = records.pivot_table(
        index="dataset", columns="detector", values=metric, aggfunc=statistic, dropna=False
    )
    values = values.reindex(index=[d.name for d in datasets], columns=list(detectors))
    values.columns.name = None
    return pd.concat([dataset_info(datasets), values], axis=1)


def average_ranks(means, detectors, higher_is_better=True):
    """Mean over datasets of each detector's rank (1 = best; failures rank last)."""
    ranks = means[list(detectors)].rank(axis=1, ascending=not higher_is_better, na_option="bottom")
    return ranks.mean(axis=0)


def _cell(mean, std, digits):
    if np.isnan(mean):
        return "failed"
    if np.isnan(std):
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ± {std:.{digits}f}"


def markdown_table(records, metric, datasets, detectors):
    """Markdown table of ``mean ± std`` per cell plus mean and average-rank rows."""
    means = metric_table(records, metric, datasets, detectors, "mean")
    stds = metric_table(records, metric, datasets, detectors, "std")
    digits = 2 if metric == "time" else 3
    header = ["dataset", "#samples", "#dims", "outlier %", *detectors]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * 1 + "---:|" * (len(header) - 1)]
    for name, row in means.iterrows():
        cells = [_cell(row[d], stds.loc[name, d], digits) for d in detectors]
        info = [f"{row['#samples']:.0f}", f"{row['#dims']:.0f}", f"{row['outlier %']:.2f}"]
        lines.append("| " + " | ".join([name, *info, *cells]) + " |")
    n_rows = len(means)
    overall = []
    for d in detectors:
        n_ok = int(means[d].notna().sum())
        value = f"**{means[d].mean():.{digits}f}**" if n_ok else "failed"
        overall.append(value if n_ok == n_rows else f"{value} ({n_ok}/{n_rows})")
    lines.append("| " + " | ".join(["**mean**", "", "", "", *overall]) + " |")
    ranks = average_ranks(means, detectors, higher_is_better=metric != "time")
    lines.append(
        "| "
        + " | ".join(["**average rank**", "", "", "", *(f"{ranks[d]:.2f}" for d in detectors)])
        + " |"
    )
    return "\n".join(lines)


def _versions():
    # installed versions, read from the package metadata: importing TensorFlow or PyTorch
    # here would load them (and TensorFlow's start-up logging) into the main process
    from importlib.metadata import PackageNotFoundError, version

    distributions = {
        "numpy": ("numpy",),
        "scipy": ("scipy",),
        "sklearn": ("scikit-learn",),
        "pyod": ("pyod",),
        "keras": ("keras",),
        "tensorflow": ("tensorflow", "tensorflow-cpu"),
        "torch": ("torch",),
        "jax": ("jax",),
        "pandas": ("pandas",),
    }
    found = {"python": platform.python_version()}
    for name, candidates in distributions.items():
        for distribution in candidates:
            try:
                found[name] = version(distribution)
                break
            except PackageNotFoundError:  # not installed: not part of this run
                continue
    from pyod_efficientgan import __version__

    found["pyod_efficientgan"] = __version__
    return found


def _keras_backend():
    # what this process and its workers run Keras on, without importing Keras here
    if "keras" in sys.modules:
        from pyod_efficientgan import backends

        return backends.name()
    return os.environ.get("KERAS_BACKEND") or "Keras' configured default (KERAS_BACKEND unset)"


def summary_markdown(records, datasets, detectors, config):
    """Return the Markdown report of one benchmark run.

    Parameters
    ----------
    records : pandas.DataFrame
        Output of :func:`run_benchmark`.
    datasets : list of Dataset
        The data, in table order.
    detectors : sequence of str
        Detector names, in column order.
    config : dict
        ``command``, ``n_runs``, ``base_seed``, ``params`` (detector ->
        arguments) and optional ``started``/``finished`` timestamps and
        ``note``.

    Returns
    -------
    text : str
    """
    n_runs = config["n_runs"]
    setting = config.get("setting", "contaminated")
    fitted_on = (
        "fitted on the training part's inliers only (the `clean` setting: novelty detection)"
        if setting == "clean"
        else "fitted on every training row (the `contaminated` setting)"
    )
    lines = [
        "# Benchmark results",
        "",
        f"Command: `{config['command']}`",
        "",
        f"Protocol: PyOD's `notebooks/benchmark.py`: {n_runs} repetition(s) per dataset of a "
        f"{int(100 * (1 - TEST_SIZE))}/{int(100 * TEST_SIZE)} train/test split, "
        "`standardizer` fitted on the training rows, contamination = outlier share of the "
        f"training part, detectors {fitted_on} without labels, score the test part. "
        "Cells are mean ± std over "
        "the repetitions; the **mean** row averages the dataset means; the **average rank** "
        "row averages each detector's rank per dataset (1 = best; a failure ranks last).",
        "",
        f"Seeds: base seed {config['base_seed']}; split seed of repetition i = "
        "`SeedSequence(base, spawn_key=(i,))`, detector seed = "
        "`SeedSequence(base, spawn_key=(i, crc32(name)))` (first 32-bit word, halved); every "
        "seed is listed in `records.csv`.",
        "",
    ]
    if "started" in config:
        lines += [f"Run: {config['started']} to {config.get('finished', '?')} (UTC).", ""]
    if config.get("note"):
        lines += [f"Note: {config['note']}", ""]
    lines += [
        "Versions: " + ", ".join(f"{k} {v}" for k, v in _versions().items()) + ".",
        "",
        f"Keras backend: {_keras_backend()}.",
        "",
        "Detector parameters (besides `contamination` and the seed):",
        "",
    ]
    for name in detectors:
        lines.append(f"* {name}: `{_detector_params(name, config['params'].get(name))}`")
    lines.append("")
    for metric, title in METRICS.items():
        lines += [f"## {title}", "", markdown_table(records, metric, datasets, detectors), ""]
    failures = records[records["error"].notna()]
    lines += ["## Failures", ""]
    if failures.empty:
        lines.append("None.")
    else:
        lines.append("| dataset | detector | run | error |")
        lines.append("|---|---|---:|---|")
        for _, row in failures.iterrows():
            message = str(row["error"]).replace("|", "\\|").replace("\n", " ")[:300]
            lines.append(f"| {row['dataset']} | {row['detector']} | {row['run']} | {message} |")
    return "\n".join(lines) + "\n"


def _detector_params(name, params):
    params = dict(params or {})
    if name == "EfficientGAN":
        return params or "defaults"
    if name == "EfficientGAN+IForest":
        gan = params or "defaults"
        return f"average of standardized scores; EfficientGAN {gan}, IForest defaults"
    if name == "AutoEncoder":
        return {**AUTOENCODER_PARAMS, **params}
    return params or "defaults"


# ---------------------------------------------------------------- figure
_MARKERS = ("o", "s", "D", "^", "v", "P", "X", "*", "<", ">")
"""Marker of the i-th detector in :func:`plot_roc` (its colour is ``C{i}``)."""


def plot_roc(records, datasets, detectors, path):
    """Save a dot plot of the test ROC AUC: one row per dataset, one marker per detector.

    The rows are sorted by their mean over the detectors (highest first); a
    grey line spans each row's lowest to highest detector. A panel above it
    gives, per detector, the mean ROC AUC over the datasets (its marker and
    value) and the average rank (1 = best; a failure ranks last), best rank
    first. The legend sits above both panels, outside the data. The figure
    grows with the number of datasets and stays readable from 4 to 50.

    Parameters
    ----------
    records : pandas.DataFrame
        Output of :func:`run_benchmark` (columns ``dataset``, ``detector``,
        ``run`` and ``roc``).
    datasets : list of Dataset
        The datasets; only their ``name`` is used.
    detectors : sequence of str
        Detectors, in legend order (each keeps its colour and marker).
    path : str or path-like
        PNG file to write.

    Returns
    -------
    figure : matplotlib.figure.Figure
        The saved figure: its axes are the detector panel and the dataset panel.
    """
    from matplotlib.figure import Figure  # no pyplot: the user's backend is left alone
    from matplotlib.lines import Line2D

    detectors = list(detectors)
    means = records.pivot_table(
        index="dataset", columns="detector", values="roc", aggfunc="mean", dropna=False
    ).reindex(index=[d.name for d in datasets], columns=detectors)
    order = means.mean(axis=1).sort_values(ascending=False, kind="stable").index
    means = means.loc[order]
    ranks = average_ranks(means, detectors)
    overall = means.mean(axis=0)
    by_rank = sorted(detectors, key=lambda name: (ranks[name], -np.nan_to_num(overall[name])))
    n_sets, n_detectors = len(means), len(detectors)
    n_runs = int(records["run"].nunique()) if len(records) else 0
    style = {
        name: {"color": f"C{i % 10}", "marker": _MARKERS[i % len(_MARKERS)]}
        for i, name in enumerate(detectors)
    }

    values = means.to_numpy(dtype=float)
    finite = values[np.isfinite(values)]
    low = min(0.5, finite.min() if finite.size else 0.5)
    low = np.floor((low - 0.02) * 20) / 20
    row_height = 0.24 if n_sets > 20 else 0.3
    figure = Figure(
        figsize=(8.0, 1.5 + row_height * (n_sets + n_detectors + 2)), layout="constrained"
    )
    top, bottom = figure.subplots(
        2, 1, sharex=True, height_ratios=[n_detectors + 0.8, n_sets + 0.8]
    )

    # per detector: mean ROC AUC over the datasets, labelled with the average rank
    for row, name in enumerate(by_rank):
        n_ok = int(means[name].notna().sum())
        top.scatter(overall[name], row, s=50, zorder=3, **style[name])
        if n_ok:
            top.annotate(
                f"{overall[name]:.3f}",
                (overall[name], row),
                xytext=(7, 0),
                textcoords="offset points",
                va="center",
                fontsize=8,
            )
    labels = []
    for name in by_rank:
        n_ok = int(means[name].notna().sum())
        failed = "" if n_ok == n_sets else f", {n_sets - n_ok} failed"
        labels.append(f"{name}  (rank {ranks[name]:.2f}{failed})")
    top.set_yticks(range(n_detectors), labels, fontsize=8.5)
    top.set_ylim(n_detectors - 0.4, -0.6)
    runs = f"{n_runs} run" + ("s" if n_runs != 1 else "")
    top.set_title(
        f"Mean test ROC AUC over the {n_sets} datasets ({runs} each), by average rank",
        fontsize=9.5,
        loc="left",
    )

    # per dataset: one marker per detector, a grey line from the lowest to the highest
    for row, (_, cells) in enumerate(means.iterrows()):
        if row % 2:
            bottom.axhspan(row - 0.5, row + 0.5, color="0.95", zorder=0, linewidth=0)
        present = cells.dropna()
        if len(present):
            bottom.plot(
                [present.min(), present.max()], [row, row], color="0.7", linewidth=1, zorder=1
            )
        for name, value in present.items():
            bottom.scatter(value, row, s=30, alpha=0.85, zorder=3, linewidths=0, **style[name])
    bottom.set_yticks(range(n_sets), list(means.index), fontsize=8.5 if n_sets <= 30 else 7.5)
    bottom.set_ylim(n_sets - 0.5, -0.5)
    bottom.set_title(
        "Per dataset, by the mean over the detectors (dashed: chance)",
        fontsize=9,
        loc="left",
    )
    bottom.set_xlabel("test ROC AUC")
    if n_sets > 20:  # a tall figure: x labels at the top of the dataset panel too
        bottom.tick_params(labeltop=True)
    for axes in (top, bottom):
        axes.axvline(0.5, color="0.5", linewidth=0.8, linestyle="--", zorder=1)
        axes.grid(axis="x", color="0.88", linewidth=0.6)
        axes.set_axisbelow(True)
        axes.tick_params(axis="y", length=0)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
    bottom.set_xlim(low, 1.0 + 0.01)

    handles = [Line2D([], [], linestyle="", markersize=7, **style[name]) for name in detectors]
    figure.legend(
        handles,
        detectors,
        loc="outside upper center",
        ncols=n_detectors if n_detectors <= 6 else -(-n_detectors // 2),
        fontsize=9,
        frameon=False,
    )
    figure.savefig(path, dpi=120)
    return figure


def write_results(out, records, datasets, detectors, config):
    """Write CSV tables, ``records.csv``, ``summary.md`` and ``roc.png`` into ``out``.

    Parameters
    ----------
    out : str or path-like
        Folder, created if needed.
    records : pandas.DataFrame
        Output of :func:`run_benchmark`.
    datasets : list of Dataset
        Row order.
    detectors : sequence of str
        Column order.
    config : dict
        See :func:`summary_markdown`.

    Returns
    -------
    paths : dict of str to pathlib.Path
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for metric in METRICS:
        paths[metric] = out / f"{metric}.csv"
        metric_table(records, metric, datasets, detectors).to_csv(paths[metric])
    paths["records"] = out / "records.csv"
    records.to_csv(paths["records"], index=False)
    paths["summary"] = out / "summary.md"
    paths["summary"].write_text(summary_markdown(records, datasets, detectors, config))
    paths["figure"] = out / "roc.png"
    plot_roc(records, datasets, detectors, paths["figure"])
    return paths


# ---------------------------------------------------------- command line
ALWAYS_SHOWN = ("detectors", "n_runs", "seed", "out", "n_jobs")
"""Options a report's command line shows even at their defaults (the rest when changed)."""


def _key_value(text):
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    try:
        value = ast.literal_eval(value)
    except (ValueError, SyntaxError):
        pass  # a plain string such as minmax
    return key, value


def add_arguments(parser):
    """Add the options of ``pyod-efficientgan bench`` to ``parser``.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The sub-parser.
    """
    parser.add_argument(
        "--datasets",
        nargs="+",
        default=None,
        metavar="NAME",
        help=(
            "datasets: names of embedded sets (default: all of "
            f"{', '.join(EMBEDDED_DATASETS)}), ODDS names when an ODDS folder is given "
            "('all' = PyOD's 17), .mat/.npz paths, or folders of such files (all of them), "
            "or .csv/.parquet tables (with --label-column)"
        ),
    )
    parser.add_argument(
        "--label-column",
        default=None,
        metavar="NAME",
        help="column of 0/1 outlier labels in .csv/.parquet datasets (required for those)",
    )
    parser.add_argument(
        "--data-dir",
        default=None,
        help="folder of ODDS .mat files (default: $PYOD_EFFICIENTGAN_ODDS_DIR if set)",
    )
    parser.add_argument(
        "--detectors",
        nargs="+",
        default=list(DEFAULT_DETECTORS),
        metavar="NAME",
        help=f"detector names (default: {' '.join(DEFAULT_DETECTORS)}); any pyod.models class",
    )
    parser.add_argument(
        "--n-runs",
        type=int,
        default=DEFAULT_N_RUNS,
        help="repetitions per dataset (default: %(default)s)",
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help="base seed (default: %(default)s)"
    )
    parser.add_argument(
        "--max-samples",
        type=int,
        default=None,
        metavar="N",
        help="subsample larger datasets to N rows (stratified, seed 0) before splitting",
    )
    parser.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="EfficientGAN epochs (default: the detector's, epochs='auto'; e.g. 1 for a smoke run)",
    )
    parser.add_argument(
        "--efficientgan-param",
        type=_key_value,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="EfficientGAN constructor argument (repeatable), e.g. learning_rate=1e-4",
    )
    parser.add_argument(
        "--out", default="bench-results", help="output folder (default: %(default)s)"
    )
    parser.add_argument(
        "--n-jobs",
        type=int,
        default=DEFAULT_N_JOBS,
        help="worker processes (joblib; default: %(default)s)",
    )
    parser.add_argument(
        "--setting",
        choices=SETTINGS,
        default=SETTINGS[0],
        help=(
            "contaminated: fit on every training row (PyOD's protocol); clean: fit on the "
            "training split's inliers only (default: %(default)s)"
        ),
    )
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")


def _dataset_names(args):
    names = args.datasets
    folder = odds_dir(args.data_dir)
    if names is None:
        return list(EMBEDDED_DATASETS) if args.data_dir is None else list(ODDS_BENCHMARK)
    expanded = []
    for name in names:
        if name == "all":
            expanded += list(ODDS_BENCHMARK) if folder is not None else list(EMBEDDED_DATASETS)
        elif Path(name).is_dir():
            expanded += dataset_files(name)
        else:
            expanded.append(name)
    return expanded


def run(args):
    """Run ``pyod-efficientgan bench`` with parsed ``args``; return the exit status.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed options (see :func:`add_arguments`).

    Returns
    -------
    status : int
        0 on success (failed detectors are recorded, not fatal), 1 when no
        run produced a score (one line on stderr says why, and the records
        are written), 2 when a dataset cannot be loaded or the options are
        invalid.
    """
    if args.n_runs < 1:
        print("bench: --n-runs must be at least 1", file=sys.stderr)
        return 2
    problem = _option_problem(args)
    if problem is not None:
        print(f"bench: {problem}", file=sys.stderr)
        return 2
    try:
        datasets = [
            load_dataset(name, args.data_dir, label_column=args.label_column)
            for name in _dataset_names(args)
        ]
    except (OSError, KeyError, ValueError, ImportError) as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    if args.max_samples is not None:
        datasets = [subsample(dataset, args.max_samples) for dataset in datasets]
    names = [dataset.name for dataset in datasets]
    if len(set(names)) != len(names):
        error = f"two datasets share a name: {sorted({n for n in names if names.count(n) > 1})}"
        print(f"bench: {error}", file=sys.stderr)
        return 2
    egan_params = dict(args.efficientgan_param)
    if args.epochs is not None:
        egan_params["epochs"] = args.epochs
    # the EfficientGAN settings also hold for the EfficientGAN member of the pair
    params = {"EfficientGAN": egan_params, "EfficientGAN+IForest": egan_params}
    started = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M")
    out = Path(args.out)
    partial = out / "records.partial.jsonl"
    try:
        out.mkdir(parents=True, exist_ok=True)
        partial.write_text("")
    except OSError as error:
        print(f"bench: cannot write the results to --out {str(out)!r}: {error}", file=sys.stderr)
        return 2

    def save(record):
        with partial.open("a") as handle:
            handle.write(json.dumps(record, default=float) + "\n")

    records = run_benchmark(
        datasets,
        args.detectors,
        args.n_runs,
        args.seed,
        params,
        n_jobs=args.n_jobs,
        progress=not args.no_progress,
        on_record=save,
        setting=args.setting,
    )
    config = {
        "command": commandline.command(
            ["pyod-efficientgan", "bench"], add_arguments, args, always=ALWAYS_SHOWN
        ),
        "n_runs": args.n_runs,
        "base_seed": args.seed,
        "setting": args.setting,
        "params": params,
        "started": started,
        "finished": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M"),
    }
    paths = write_results(out, records, datasets, args.detectors, config)
    partial.unlink()
    failure = no_score_reason(records)
    if failure is not None:
        print(f"bench: {failure} (all records in {paths['summary'].parent})", file=sys.stderr)
        return 1
    means = metric_table(records, "roc", datasets, args.detectors)[list(args.detectors)].mean()
    print("mean ROC AUC: " + ", ".join(f"{k} {v:.3f}" for k, v in means.items()))
    print(f"results in {paths['summary'].parent}")
    failed = failed_detectors(records)
    if failed:
        print(f"bench: {failed}", file=sys.stderr)
        return 1
    return 0


def _option_problem(args):
    """What is wrong with the numeric options of ``bench``, in one line, or None."""
    if args.n_jobs < 1:
        return f"--n-jobs must be at least 1, got {args.n_jobs}"
    if args.max_samples is not None and args.max_samples < 2:
        return f"--max-samples must be at least 2 (a train and a test row), got {args.max_samples}"
    if not 0 <= args.seed < 2**31:
        return f"--seed must be between 0 and 2**31 - 1, got {args.seed}"
    return None


def failed_detectors(records):
    """One line naming the detectors of which no run produced a score, or None.

    A misspelled detector or ``--epochs 0`` fails every run of that detector
    while the others succeed; the command then says so and exits with 1.

    Parameters
    ----------
    records : pandas.DataFrame
        The records of :func:`run_benchmark` (columns ``detector``, ``roc``, ``error``).

    Returns
    -------
    reason : str or None
    """
    scored = np.isfinite(records["roc"].to_numpy(np.float64))
    failed = [
        name
        for name in dict.fromkeys(records["detector"])
        if not scored[records["detector"] == name].any()
    ]
    if not failed:
        return None
    first = {
        name: str(records.loc[records["detector"] == name, "error"].iloc[0]).splitlines()[0][:200]
        for name in failed
    }
    shown = "; ".join(f"{name}: {error}" for name, error in first.items())
    return f"no run of {', '.join(failed)} produced a score ({shown})"


def no_score_reason(records):
    """One line saying why no run produced a score, or None if one did.

    Parameters
    ----------
    records : pandas.DataFrame
        The records of :func:`run_benchmark` (columns ``roc`` and ``error``).

    Returns
    -------
    reason : str or None
        None when some run gave a finite ROC AUC; otherwise how many runs
        failed and the first error of each kind (at most three).
    """
    if np.isfinite(records["roc"].to_numpy(np.float64)).any():
        return None
    errors = list(dict.fromkeys(str(error) for error in records["error"]))
    shown = "; ".join(error.splitlines()[0][:200] for error in errors[:3])
    more = f" (and {len(errors) - 3} other errors)" if len(errors) > 3 else ""
    return f"no run produced a score: all {len(records)} runs failed: {shown}{more}"
