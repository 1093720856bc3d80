"""Tests of the dataset loaders (ODDS .mat, .npz, CSV/Parquet tables, embedded recipes)."""

import numpy as np
import pandas as pd
import pytest
import scipy.io

from pyod_efficientgan.experiments import datasets
from pyod_efficientgan.experiments.datasets import (
    EMBEDDED_DATASETS,
    ODDS_BENCHMARK,
    ODDS_DIR_ENV,
    load_dataset,
    load_embedded,
    load_mat,
    load_npz,
    load_odds,
    load_table,
    odds_dir,
)

pytestmark = pytest.mark.backend_free


@pytest.fixture
def odds_folder(tmp_path):
    """A folder with one tiny ODDS-like file, y stored as (n, 1) uint8 as in ODDS."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 3))
    y = np.zeros((20, 1), dtype=np.uint8)
    y[:4] = 1
    scipy.io.savemat(tmp_path / "tiny.mat", {"X": X, "y": y})
    return tmp_path


def test_load_mat_reads_x_and_flat_int_labels(odds_folder):
    dataset = load_mat(odds_folder / "tiny.mat")
    assert dataset.name == "tiny"
    assert dataset.X.shape == (20, 3) and dataset.X.dtype == np.float64
    assert dataset.y.shape == (20,) and dataset.y.dtype.kind == "i"
    assert dataset.y.sum() == 4
    assert dataset.outlier_fraction == pytest.approx(0.2)
    assert (dataset.n_samples, dataset.n_features) == (20, 3)


def test_load_odds_from_argument_and_environment(odds_folder, monkeypatch):
    from_argument = load_odds("tiny", odds_folder)
    monkeypatch.setenv(ODDS_DIR_ENV, str(odds_folder))
    from_environment = load_odds("tiny")
    np.testing.assert_array_equal(from_argument.X, from_environment.X)
    assert odds_dir() == odds_folder


def test_load_odds_errors(odds_folder, monkeypatch):
    monkeypatch.delenv(ODDS_DIR_ENV, raising=False)
    with pytest.raises(FileNotFoundError, match=ODDS_DIR_ENV):
        load_odds("tiny")
    with pytest.raises(FileNotFoundError, match="missing.mat"):
        load_odds("missing", odds_folder)


def test_load_npz_round_trip_and_missing_array(tmp_path):
    X = np.arange(12.0).reshape(6, 2)
    y = np.array([0, 0, 1, 0, 0, 1])
    np.savez(tmp_path / "data.npz", X=X, y=y)
    dataset = load_npz(tmp_path / "data.npz")
    np.testing.assert_array_equal(dataset.X, X)
    np.testing.assert_array_equal(dataset.y, y)
    np.savez(tmp_path / "bad.npz", X=X)
    with pytest.raises(KeyError, match="'y'"):
        load_npz(tmp_path / "bad.npz")


@pytest.mark.parametrize(
    ("X", "y", "match"),
    [
        (np.zeros((3, 2)), [0, 1], "3 rows but y has 2"),
        (np.zeros((3, 2)), [0, 1, 2], "0/1 labels"),
        (np.zeros(3), [0, 1, 0], "2-D"),
    ],
)
def test_invalid_arrays_are_rejected(tmp_path, X, y, match):
    np.savez(tmp_path / "bad.npz", X=X, y=np.asarray(y))
    with pytest.raises(ValueError, match=match):
        load_npz(tmp_path / "bad.npz")


@pytest.mark.parametrize(
    ("name", "n_samples", "n_features", "n_outliers"),
    [
        ("wine", 129, 13, 10),
        ("breast_cancer", 397, 30, 40),
        ("digits", 1669, 64, 50),
        ("synthetic", 1000, 10, 100),
    ],
)
def test_embedded_recipes(name, n_samples, n_features, n_outliers):
    dataset = load_embedded(name)
    assert dataset.X.shape == (n_samples, n_features)
    assert dataset.y.sum() == n_outliers
    again = load_embedded(name)
    np.testing.assert_array_equal(dataset.X, again.X)  # the recipe is seeded
    assert dataset.source


def test_embedded_outliers_are_the_downsampled_class():
    from sklearn.datasets import load_wine

    X, target = load_wine(return_X_y=True)
    dataset = load_embedded("wine")
    class_one = {tuple(row) for row in X[target == 0]}
    assert all(tuple(row) in class_one for row in dataset.X[dataset.y == 1])
    assert not any(tuple(row) in class_one for row in dataset.X[dataset.y == 0])
    other = datasets.make_wine(random_state=1)
    assert not np.array_equal(other.X, dataset.X)  # the seed picks the outliers


def test_unknown_embedded_name():
    with pytest.raises(KeyError, match="Unknown embedded dataset 'nope'"):
        load_embedded("nope")


def test_load_dataset_dispatch(odds_folder, tmp_path, monkeypatch):
    monkeypatch.delenv(ODDS_DIR_ENV, raising=False)
    assert load_dataset("wine").name == "wine"
    assert load_dataset("tiny", odds_folder).n_samples == 20
    assert load_dataset(str(odds_folder / "tiny.mat")).name == "tiny"
    np.savez(tmp_path / "z.npz", X=np.zeros((4, 2)), y=np.array([0, 0, 0, 1]))
    assert load_dataset(str(tmp_path / "z.npz")).name == "z"
    with pytest.raises(FileNotFoundError):
        load_dataset("not_embedded_and_no_folder")
    assert set(EMBEDDED_DATASETS) == {"wine", "breast_cancer", "digits", "synthetic"}


def test_real_odds_folder():
    folder = odds_dir()
    if folder is None or not folder.is_dir():
        pytest.skip(f"set {ODDS_DIR_ENV} to the ODDS folder to run this test")
    missing = [name for name in ODDS_BENCHMARK if not (folder / f"{name}.mat").is_file()]
    assert not missing
    cardio = load_odds("cardio")
    assert cardio.X.shape == (1831, 21)
    assert cardio.y.sum() == 176


# ------------------------------------------------------------------ tables
@pytest.fixture
def table():
    """Six rows: two numeric features, an int 0/1 label column named 'is_outlier'."""
    return pd.DataFrame(
        {
            "a": [0.0, 1.0, 2.0, 3.0, 4.0, 50.0],
            "is_outlier": [0, 0, 0, 0, 0, 1],
            "b": [1, 2, 3, 4, 5, 60],
        }
    )


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_load_table_reads_features_and_the_named_label(tmp_path, table, suffix):
    path = tmp_path / f"mine{suffix}"
    table.to_csv(path, index=False) if suffix == ".csv" else table.to_parquet(path)
    for dataset in (load_table(path, "is_outlier"), load_dataset(str(path), label_column="is_outlier")):
        assert dataset.name == "mine"
        np.testing.assert_array_equal(dataset.X, table[["a", "b"]].to_numpy(float))
        np.testing.assert_array_equal(dataset.y, [0, 0, 0, 0, 0, 1])
        assert "is_outlier" in dataset.source


def test_load_table_accepts_boolean_labels(tmp_path, table):
    table["is_outlier"] = table["is_outlier"].astype(bool)
    table.to_parquet(tmp_path / "flags.parquet")
    assert load_table(tmp_path / "flags.parquet", "is_outlier").y.tolist() == [0, 0, 0, 0, 0, 1]


@pytest.mark.parametrize(
    ("change", "label_column", "match"),
    [
        (None, None, r"name the column of 0/1 outlier labels.*'a', 'is_outlier', 'b'"),
        (None, "label", r"no label column 'label'; its columns are 'a', 'is_outlier', 'b'"),
        ({"is_outlier": [0, 0, 1, 2, 0, 1]}, "is_outlier", r"must hold 0 \(inlier\) and 1.*0, 1, 2"),
        ({"is_outlier": [1, 1, -1, 1, 1, -1]}, "is_outlier", r"must hold 0 \(inlier\) and 1.*-1, 1"),
        ({"is_outlier": list("nnnnna")}, "is_outlier", r"must hold 0 \(inlier\) and 1.*'a', 'n'"),
        ({"is_outlier": [0, 0, None, 0, 0, 1]}, "is_outlier", r"has 1 missing value"),
        ({"b": list("xyzxyz")}, "is_outlier", r"feature column\(s\) 'b' are not numeric"),
        ({"a": [0.0, None, 2.0, 3.0, 4.0, 5.0]}, "is_outlier", r"feature column\(s\) 'a' hold missing"),
    ],
    ids=["no-label-column", "missing-column", "three-values", "minus-one", "strings", "missing-label",
         "text-feature", "missing-feature"],
)
def test_load_table_errors(tmp_path, table, change, label_column, match):
    for column, values in (change or {}).items():
        table[column] = values
    table.to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(ValueError, match=match):
        load_table(tmp_path / "bad.csv", label_column)


def test_load_table_refuses_infinite_features(tmp_path, table):
    table["b"] = table["b"].astype(float)
    table.loc[2, "b"] = np.inf
    table.to_csv(tmp_path / "inf.csv", index=False)
    with pytest.raises(ValueError, match=r"inf.csv'.*feature column\(s\) 'b' hold infinite"):
        load_table(tmp_path / "inf.csv", "is_outlier")


@pytest.mark.parametrize(
    "data", [b"", b"\x00\xff\xfe\x89PNG\r\n\x1a\n" * 50], ids=["empty", "binary"]
)
def test_load_table_names_a_file_that_is_no_csv(tmp_path, data):
    path = tmp_path / "broken.csv"
    path.write_bytes(data)
    with pytest.raises(ValueError, match=r"broken.csv' is not a readable CSV table"):
        load_table(path, "is_outlier")


def test_load_table_needs_a_feature_and_a_table_suffix(tmp_path):
    pd.DataFrame({"y": [0, 1]}).to_csv(tmp_path / "only.csv", index=False)
    with pytest.raises(ValueError, match="no feature column besides 'y'"):
        load_table(tmp_path / "only.csv", "y")
    with pytest.raises(ValueError, match="is not a table"):
        load_table(tmp_path / "x.txt", "y")
