"""Benchmark datasets: ODDS ``.mat`` files, ``.npz`` files and embedded sets.

Every loader returns a :class:`Dataset` of rows ``X`` (float64) and labels
``y`` (int, 1 for an outlier). Loaders take paths; nothing is downloaded.

* :func:`load_odds` reads one ODDS file (``X`` and ``y`` in a MATLAB file,
  Rayana 2016) from a folder given as an argument or by the environment
  variable ``PYOD_EFFICIENTGAN_ODDS_DIR``. :data:`ODDS_BENCHMARK` names the 17
  files of PyOD's ``notebooks/benchmark.py``.
* :func:`load_npz` reads any ``.npz`` file holding ``X`` and ``y``.
* :func:`load_table` reads your own table, a CSV or Parquet file with one
  column of 0/1 labels named by ``label_column`` and numeric features.
* :func:`load_embedded` builds the default datasets from data that ships with
  scikit-learn and PyOD, following the ODDS / ADBench recipes (one class,
  down-sampled, is the outlier class). :data:`EMBEDDED_DATASETS` lists them;
  each builder's docstring states its recipe.
"""

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.utils import check_random_state

ODDS_DIR_ENV = "PYOD_EFFICIENTGAN_ODDS_DIR"
"""Environment variable naming the folder of ODDS ``.mat`` files."""

ODDS_BENCHMARK = (
    "arrhythmia",
    "cardio",
    "glass",
    "ionosphere",
    "letter",
    "lympho",
    "mnist",
    "musk",
    "optdigits",
    "pendigits",
    "pima",
    "satellite",
    "satimage-2",
    "shuttle",
    "vertebral",
    "vowels",
    "wbc",
)
"""The 17 ODDS datasets of PyOD's ``notebooks/benchmark.py``."""

EMBEDDED_SEED = 0
"""Seed of the down-sampling in the embedded recipes (fixed: the data are fixed)."""


@dataclass(frozen=True)
class Dataset:
    """Rows and outlier labels of one benchmark dataset.

    Parameters
    ----------
    name : str
        Short name used in tables.
    X : ndarray of shape (n_samples, n_features)
        Rows, float64.
    y : ndarray of shape (n_samples,)
        Labels, int: 1 for an outlier, 0 for an inlier.
    source : str
        Where the rows come from (a path or a recipe).
    """

    name: str
    X: np.ndarray
    y: np.ndarray
    source: str = ""

    @property
    def n_samples(self):
        """Number of rows."""
        return self.X.shape[0]

    @property
    def n_features(self):
        """Number of columns."""
        return self.X.shape[1]

    @property
    def outlier_fraction(self):
        """Share of rows labelled 1."""
        return float(np.mean(self.y))


def _checked(name, X, y, source):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y).ravel().astype(int)
    if X.ndim != 2:
        raise ValueError(f"Dataset {name!r}: X must be 2-D, got shape {X.shape}.")
    if X.shape[0] != y.shape[0]:
        raise ValueError(
            f"Dataset {name!r}: X has {X.shape[0]} rows but y has {y.shape[0]} labels."
        )
    if not set(np.unique(y)) <= {0, 1}:
        raise ValueError(f"Dataset {name!r}: y must hold 0/1 labels, got {np.unique(y)}.")
    with np.errstate(invalid="ignore"):
        huge = np.abs(X) > np.finfo(np.float32).max
    if huge.any():
        raise ValueError(
            f"Dataset {name!r}: {int(huge.sum())} value(s) lie beyond float32's range "
            f"(|x| > {np.finfo(np.float32).max:.3g}; first in column "
            f"{int(np.argwhere(huge)[0][1])}), which the detectors cannot compute with; "
            "rescale those columns first."
        )
    return Dataset(name=name, X=X, y=y, source=str(source))


# ------------------------------------------------------------------ files
def odds_dir(data_dir=None):
    """Return the ODDS folder: ``data_dir``, else ``$PYOD_EFFICIENTGAN_ODDS_DIR``, else None.

    Parameters
    ----------
    data_dir : str or path-like or None, default=None
        Folder given explicitly.

    Returns
    -------
    folder : pathlib.Path or None
    """
    if data_dir is not None:
        return Path(data_dir)
    value = os.environ.get(ODDS_DIR_ENV)
    return Path(value) if value else None


def load_mat(path, name=None):
    """Load a MATLAB file with variables ``X`` and ``y`` (ODDS layout).

    MATLAB v5 files are read with :func:`scipy.io.loadmat`; v7.3 (HDF5)
    files need :mod:`h5py`.

    Parameters
    ----------
    path : str or path-like
        The ``.mat`` file.
    name : str or None, default=None
        Name of the dataset; defaults to the file name without suffix.

    Returns
    -------
    dataset : Dataset
    """
    import scipy.io

    path = Path(path)
    name = name or path.stem
    try:
        content = scipy.io.loadmat(path)
        X, y = content["X"], content["y"]
    except NotImplementedError:  # MATLAB v7.3 is HDF5
        import h5py

        with h5py.File(path, "r") as handle:
            X, y = np.array(handle["X"]).T, np.array(handle["y"]).T
    return _checked(name, X, y, path)


def load_odds(name, data_dir=None):
    """Load the ODDS dataset ``name`` from ``<data_dir>/<name>.mat``.

    Parameters
    ----------
    name : str
        File name without ``.mat``, e.g. ``"cardio"``.
    data_dir : str or path-like or None, default=None
        Folder of the files; defaults to ``$PYOD_EFFICIENTGAN_ODDS_DIR``.

    Returns
    -------
    dataset : Dataset

    Raises
    ------
    FileNotFoundError
        When no folder is given or the file is missing.
    """
    folder = odds_dir(data_dir)
    if folder is None:
        raise FileNotFoundError(
            f"No ODDS folder: pass data_dir or set the environment variable {ODDS_DIR_ENV}."
        )
    path = folder / f"{name}.mat"
    if not path.is_file():
        raise FileNotFoundError(f"ODDS file {str(path)!r} does not exist.")
    return load_mat(path, name)


def load_npz(path, name=None):
    """Load a NumPy ``.npz`` file holding arrays ``X`` and ``y``.

    Parameters
    ----------
    path : str or path-like
        The ``.npz`` file.
    name : str or None, default=None
        Name of the dataset; defaults to the file name without suffix.

    Returns
    -------
    dataset : Dataset
    """
    path = Path(path)
    with np.load(path, allow_pickle=False) as content:
        missing = {"X", "y"} - set(content.files)
        if missing:
            raise KeyError(f"{str(path)!r} lacks the arrays {sorted(missing)}.")
        return _checked(name or path.stem, content["X"], content["y"], path)


TABLE_SUFFIXES = (".csv", ".parquet")
"""File suffixes read by :func:`load_table` (and by :func:`load_dataset` as tables)."""


def _listed(names, limit=12):
    names = list(names)
    more = f", ... ({len(names)} in all)" if len(names) > limit else ""
    return ", ".join(repr(n) if isinstance(n, str) else str(n) for n in names[:limit]) + more


MAX_HEADER_BYTES = 16 * 2**20
"""The longest CSV header line :func:`load_table` reads (16 MiB: about a million columns)."""


def _check_header_length(path):
    """Refuse a CSV whose first line is longer than :data:`MAX_HEADER_BYTES`, reading no more."""
    with open(path, "rb") as handle:
        first_line = handle.readline(MAX_HEADER_BYTES + 1)
    if len(first_line) > MAX_HEADER_BYTES:
        raise ValueError(
            f"{str(path)!r}: its header line is longer than {MAX_HEADER_BYTES:,} bytes; "
            "is it a CSV table with one header row and a line per row?"
        )


def load_table(path, label_column, name=None):
    """Load a CSV or Parquet table: one column of 0/1 labels, the others numeric features.

    CSV files are read with :func:`pandas.read_csv` (a header row is
    expected), Parquet files with :func:`pandas.read_parquet` (needs
    :mod:`pyarrow`, in the ``scale`` extra). There is no default label
    column: PyOD's ``notebooks/benchmark.py`` reads ODDS ``.mat`` files
    (``X`` and ``y``), not tables, so no convention is borrowed from it.

    Parameters
    ----------
    path : str or path-like
        A ``.csv`` or ``.parquet`` file.
    label_column : str
        Name of the column of labels: 1 (or True) for an outlier, 0 (or False)
        for an inlier. Every other column is a feature.
    name : str or None, default=None
        Name of the dataset; defaults to the file name without suffix.

    Returns
    -------
    dataset : Dataset

    Raises
    ------
    ValueError
        When the file is empty or no CSV text, its header line is longer than
        :data:`MAX_HEADER_BYTES`, ``label_column`` is not given
        or not a column, a label is missing or not 0/1, or a feature column
        is not numeric or holds a missing or infinite value; the message
        names the file.
    """
    import pandas as pd

    path = Path(path)
    if path.suffix not in TABLE_SUFFIXES:
        raise ValueError(f"{str(path)!r} is not a table: expected one of {TABLE_SUFFIXES}.")
    if path.suffix == ".parquet":
        try:
            frame = pd.read_parquet(path)
        except ImportError as error:
            raise ImportError(
                f"Reading {str(path)!r} needs pyarrow: pip install pyarrow (or the 'scale' extra)."
            ) from error
    else:
        _check_header_length(path)
        try:
            frame = pd.read_csv(path)
        except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError) as error:
            raise ValueError(
                f"{str(path)!r} is not a readable CSV table with a header row "
                f"({type(error).__name__}: {error})."
            ) from error
    if len(frame) == 0:
        raise ValueError(f"{str(path)!r} has a header but no rows.")
    unnamed = [c for c in frame.columns if str(c).startswith("Unnamed: ")]
    if unnamed:
        # pandas' to_csv writes the index as a column with no name: used as a feature it
        # may encode the row order (rows sorted by label leak the label)
        raise ValueError(
            f"{str(path)!r}: the column(s) {_listed(unnamed)} have no name in the header "
            "(a pandas index written by to_csv?); write the table with index=False or give "
            "them names."
        )
    if label_column is None:
        raise ValueError(
            f"{str(path)!r}: name the column of 0/1 outlier labels (--label-column NAME, or "
            f"label_column=); its columns are {_listed(frame.columns)}."
        )
    if label_column not in frame.columns:
        raise ValueError(
            f"{str(path)!r} has no label column {label_column!r}; its columns are "
            f"{_listed(frame.columns)}."
        )
    labels = frame[label_column]
    if labels.isna().any():
        raise ValueError(
            f"{str(path)!r}: the label column {label_column!r} has {int(labels.isna().sum())} "
            "missing value(s); every row needs a 0/1 label."
        )
    values = pd.unique(labels)
    binary = labels.dtype == bool or (
        pd.api.types.is_numeric_dtype(labels) and set(values.tolist()) <= {0, 1}
    )
    if not binary:
        raise ValueError(
            f"{str(path)!r}: the label column {label_column!r} must hold 0 (inlier) and 1 "
            f"(outlier), got the values {_listed(sorted(values.tolist(), key=str))}."
        )
    features = frame.drop(columns=[label_column])
    if features.shape[1] == 0:
        raise ValueError(f"{str(path)!r} has no feature column besides {label_column!r}.")
    text = [c for c in features.columns if not pd.api.types.is_numeric_dtype(features[c])]
    if text:
        raise ValueError(
            f"{str(path)!r}: the feature column(s) {_listed(text)} are not numeric; encode "
            "them as numbers or drop them first."
        )
    gaps = features.columns[features.isna().any()].tolist()
    if gaps:
        raise ValueError(
            f"{str(path)!r}: the feature column(s) {_listed(gaps)} hold missing values; "
            "impute or drop those rows first."
        )
    infinite = features.columns[np.isinf(features.to_numpy(np.float64)).any(axis=0)].tolist()
    if infinite:
        raise ValueError(
            f"{str(path)!r}: the feature column(s) {_listed(infinite)} hold infinite values; "
            "replace or drop those rows first."
        )
    source = f"{path} (label column {label_column!r})"
    return _checked(name or path.stem, features.to_numpy(np.float64), labels.astype(int), source)


def subsample(dataset, max_samples, random_state=0):
    """Return ``dataset`` with at most ``max_samples`` rows, stratified by label.

    Large sets (ADBench's cover, donors, http, ...) are subsampled for
    benchmark runs so that every detector finishes in minutes; the outlier
    share is kept. A set with at most ``max_samples`` rows is returned as it is.

    Parameters
    ----------
    dataset : Dataset
        The data.
    max_samples : int
        Largest number of rows to keep.
    random_state : int, default=0
        Seed of the draw (fixed, so that every run sees the same rows).

    Returns
    -------
    dataset : Dataset
        The same object, or a new one whose ``source`` says it was subsampled.
    """
    if dataset.n_samples <= max_samples:
        return dataset
    from sklearn.model_selection import train_test_split

    keep, _ = train_test_split(
        np.arange(dataset.n_samples),
        train_size=max_samples,
        stratify=dataset.y,
        random_state=random_state,
    )
    keep = np.sort(keep)
    source = (
        f"{dataset.source} (stratified subsample of {max_samples} of {dataset.n_samples} "
        f"rows, seed {random_state})"
    )
    return Dataset(dataset.name, dataset.X[keep], dataset.y[keep], source)


def dataset_files(folder):
    """Return the ``.npz`` and ``.mat`` files of ``folder``, sorted by name.

    Parameters
    ----------
    folder : str or path-like
        A folder of benchmark files (e.g. ADBench's ``Classical`` sets).

    Returns
    -------
    paths : list of str
    """
    folder = Path(folder)
    paths = sorted(p for p in folder.iterdir() if p.suffix in (".npz", ".mat"))
    if not paths:
        raise FileNotFoundError(f"{str(folder)!r} holds no .npz or .mat file.")
    return [str(p) for p in paths]


# --------------------------------------------------------------- embedded
def _downsample_outliers(X, is_outlier, n_outliers, random_state):
    """Keep every inlier and ``n_outliers`` outliers drawn without replacement."""
    rng = check_random_state(random_state)
    inliers = np.flatnonzero(~is_outlier)
    outliers = rng.choice(np.flatnonzero(is_outlier), size=n_outliers, replace=False)
    keep = np.sort(np.concatenate([inliers, outliers]))
    return X[keep], is_outlier[keep].astype(int)


def make_wine(random_state=EMBEDDED_SEED):
    """Wine (ODDS recipe): classes 2 and 3 are inliers, 10 rows of class 1 are outliers.

    From :func:`sklearn.datasets.load_wine` (178 rows, 13 features): the 119
    rows of classes 2 and 3 (sklearn targets 1 and 2) are inliers; 10 of the
    59 rows of class 1 (target 0), drawn with ``random_state``, are the
    outliers. 129 rows, 7.8 % outliers, as ODDS ``wine``.

    Parameters
    ----------
    random_state : int, default=0
        Seed of the down-sampling.

    Returns
    -------
    dataset : Dataset
    """
    from sklearn.datasets import load_wine

    X, target = load_wine(return_X_y=True)
    X, y = _downsample_outliers(X, target == 0, 10, random_state)
    return _checked("wine", X, y, "sklearn load_wine: classes 2,3 inliers; 10 of class 1")


def make_breast_cancer(random_state=EMBEDDED_SEED):
    """Breast cancer (ODDS ``wbc`` recipe, ~10 %): benign inliers, 40 malignant outliers.

    From :func:`sklearn.datasets.load_breast_cancer` (Wisconsin diagnostic,
    569 rows, 30 features): the 357 benign rows are inliers and 40 of the 212
    malignant rows, drawn with ``random_state``, are outliers. 397 rows,
    10.1 % outliers (ODDS ``wbc`` keeps 21 malignant rows, 5.6 %).

    Parameters
    ----------
    random_state : int, default=0
        Seed of the down-sampling.

    Returns
    -------
    dataset : Dataset
    """
    from sklearn.datasets import load_breast_cancer

    X, target = load_breast_cancer(return_X_y=True)
    X, y = _downsample_outliers(X, target == 0, 40, random_state)  # sklearn: 0 = malignant
    return _checked(
        "breast_cancer", X, y, "sklearn load_breast_cancer: benign inliers; 40 malignant"
    )


def make_digits(random_state=EMBEDDED_SEED):
    """Digits (ODDS ``optdigits`` recipe): digits 1-9 are inliers, 50 zeros are outliers.

    From :func:`sklearn.datasets.load_digits` (1797 rows of 8x8 images, 64
    features): the 1619 rows of digits 1 to 9 are inliers and 50 of the 178
    zeros, drawn with ``random_state``, are outliers. 1669 rows, 3.0 %
    outliers (ODDS ``optdigits``: 2.9 %).

    Parameters
    ----------
    random_state : int, default=0
        Seed of the down-sampling.

    Returns
    -------
    dataset : Dataset
    """
    from sklearn.datasets import load_digits

    X, target = load_digits(return_X_y=True)
    X, y = _downsample_outliers(X, target == 0, 50, random_state)
    return _checked("digits", X, y, "sklearn load_digits: digits 1-9 inliers; 50 zeros")


def make_synthetic(random_state=EMBEDDED_SEED):
    """PyOD's :func:`~pyod.utils.data.generate_data`: 1000 rows, 10 features, 10 % outliers.

    Inliers are Gaussian around 2 or -2 per column, outliers uniform over the
    inliers' range (PyOD's default ``behaviour="new"``). The train and test
    parts (600 and 400 rows) are stacked; the harness splits them again.

    Parameters
    ----------
    random_state : int, default=0
        Seed of :func:`~pyod.utils.data.generate_data`.

    Returns
    -------
    dataset : Dataset
    """
    from pyod.utils.data import generate_data

    X_train, X_test, y_train, y_test = generate_data(
        n_train=600, n_test=400, n_features=10, contamination=0.1, random_state=random_state
    )
    return _checked(
        "synthetic",
        np.vstack([X_train, X_test]),
        np.concatenate([y_train, y_test]),
        "pyod generate_data(n_train=600, n_test=400, n_features=10, contamination=0.1)",
    )


EMBEDDED_DATASETS = {
    "wine": make_wine,
    "breast_cancer": make_breast_cancer,
    "digits": make_digits,
    "synthetic": make_synthetic,
}
"""Name -> builder of the datasets that need no files (the harness's default)."""


def load_embedded(name, random_state=EMBEDDED_SEED):
    """Build the embedded dataset ``name`` (one of :data:`EMBEDDED_DATASETS`).

    Parameters
    ----------
    name : str
        Dataset name.
    random_state : int, default=0
        Seed of its recipe.

    Returns
    -------
    dataset : Dataset
    """
    if name not in EMBEDDED_DATASETS:
        raise KeyError(
            f"Unknown embedded dataset {name!r}; choose from {sorted(EMBEDDED_DATASETS)}."
        )
    return EMBEDDED_DATASETS[name](random_state)


def load_dataset(name, data_dir=None, label_column=None):
    """Load a dataset by name or path.

    A name ending in ``.npz``, ``.mat``, ``.csv`` or ``.parquet`` is a file
    path (tables are read by :func:`load_table`, with ``label_column``);
    otherwise, with an ODDS folder (``data_dir`` or the environment variable)
    the name is an ODDS file in it, else an embedded dataset.

    Parameters
    ----------
    name : str
        Dataset name or file path.
    data_dir : str or path-like or None, default=None
        ODDS folder.
    label_column : str or None, default=None
        Label column of a CSV or Parquet file (required for those).

    Returns
    -------
    dataset : Dataset
    """
    if name.endswith(".npz"):
        return load_npz(name)
    if name.endswith(".mat"):
        return load_mat(name)
    if name.endswith(TABLE_SUFFIXES):
        return load_table(name, label_column)
    if data_dir is not None:
        return load_odds(name, data_dir)
    if name in EMBEDDED_DATASETS:
        return load_embedded(name)
    if odds_dir() is None:
        raise FileNotFoundError(
            f"Unknown dataset {name!r}: not one of the embedded datasets "
            f"{sorted(EMBEDDED_DATASETS)}, not a .mat/.npz/.csv/.parquet path, and no ODDS "
            f"folder (pass data_dir or set {ODDS_DIR_ENV})."
        )
    return load_odds(name)
