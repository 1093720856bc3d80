"""The KDDCUP99 loader against the real data, and a smoke run of ``pyod-efficientgan kdd99``.

The data tests need ``PYOD_EFFICIENTGAN_KDD_DATA_HOME`` (the ``fetch_kddcup99``
cache folder) and ``PYOD_EFFICIENTGAN_KDD_FILE`` (the raw 10 % file); each is
skipped with the reason when its variable is unset or its path is missing.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import csv  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from pyod_efficientgan import EfficientGAN, cli  # noqa: E402
from pyod_efficientgan.experiments import kdd99  # noqa: E402

N_ROWS = 494_021
N_NORMAL = 97_278
N_FEATURES = 121
N_NUMERIC = 34


def _path_from_env(name):
    value = os.environ.get(name)
    if not value:
        pytest.skip(f"${name} is not set: the KDDCUP99 data tests need it")
    if not os.path.exists(value):
        pytest.skip(f"${name}={value!r} does not exist")
    return value


@pytest.fixture(scope="module")
def raw_file():
    return _path_from_env(kdd99.RAW_FILE_ENV)


@pytest.fixture(scope="module")
def from_file(raw_file):
    """(X, y, names) read from the raw 10 % file."""
    return kdd99.load_kddcup99(path=raw_file)


@pytest.fixture(scope="module")
def from_sklearn():
    """(X, y, names) read through ``fetch_kddcup99`` from the cache."""
    data_home = _path_from_env(kdd99.DATA_HOME_ENV)
    return kdd99.load_kddcup99(data_home=data_home)


# ------------------------------------------------------------------ loader
def test_shape_dtype_and_feature_names(from_file):
    X, y, names = from_file
    assert X.shape == (N_ROWS, N_FEATURES)
    assert X.dtype == np.float32 and y.shape == (N_ROWS,)
    assert len(names) == N_FEATURES and len(set(names)) == N_FEATURES
    numeric = [name for name in kdd99.COLUMN_NAMES if name not in kdd99.CATEGORICAL_COLUMNS]
    assert names[:N_NUMERIC] == numeric
    assert names[N_NUMERIC : N_NUMERIC + 3] == [
        "protocol_type=icmp",
        "protocol_type=tcp",
        "protocol_type=udp",
    ]
    # 3 protocols, 66 services, 11 flags, 2 + 2 + 1 + 2 binary indicators.
    counts = [
        sum(name.startswith(f"{column}=") for name in names) for column in kdd99.CATEGORICAL_COLUMNS
    ]
    assert counts == [3, 66, 11, 2, 2, 1, 2]


def test_one_hot_blocks_have_one_indicator_per_row(from_file):
    X, _, names = from_file
    for column in kdd99.CATEGORICAL_COLUMNS:
        block = [index for index, name in enumerate(names) if name.startswith(f"{column}=")]
        assert set(np.unique(X[:, block])) <= {0.0, 1.0}
        np.testing.assert_array_equal(X[:, block].sum(axis=1), 1.0)


def test_class_balance(from_file):
    _, y, _ = from_file
    assert set(np.unique(y)) == {0, 1}
    assert int(y.sum()) == N_NORMAL


def test_labels_mark_normal_rows(raw_file, from_file):
    _, y, _ = from_file
    labels = pd.read_csv(raw_file, header=None, usecols=[41])[41].to_numpy()
    np.testing.assert_array_equal(y, (labels == "normal.").astype(int))


def test_raw_file_and_sklearn_cache_give_identical_arrays(from_file, from_sklearn):
    X_file, y_file, names_file = from_file
    X_sklearn, y_sklearn, names_sklearn = from_sklearn
    assert names_file == names_sklearn
    np.testing.assert_array_equal(y_file, y_sklearn)
    np.testing.assert_array_equal(X_file, X_sklearn)


# ------------------------------------------------------------------- split
def test_split_sizes_and_training_has_attacks_only(from_file):
    X, y, _ = from_file
    row_ids = np.arange(N_ROWS, dtype=np.int64)[:, None]
    train_ids, test_ids, y_test = kdd99.split_kddcup99(row_ids, y)
    train_ids, test_ids = train_ids[:, 0], test_ids[:, 0]
    assert len(test_ids) == 247_011
    assert np.all(y[train_ids] == 0)
    np.testing.assert_array_equal(y[test_ids], y_test)
    assert np.intersect1d(train_ids, test_ids).size == 0
    # The first half holds 247,010 rows; all its attacks are kept for training.
    first_half = np.setdiff1d(np.arange(N_ROWS), test_ids)
    assert len(first_half) == 247_010
    assert len(train_ids) == int(np.sum(y[first_half] == 0))
    # The test half keeps its share of normal rows (about 20 %).
    assert 0.18 < y_test.mean() < 0.22

    X_train, X_test, _ = kdd99.split_kddcup99(X, y)
    np.testing.assert_array_equal(X_train, X[train_ids])
    np.testing.assert_array_equal(X_test, X[test_ids])


def test_split_is_deterministic(from_file):
    X, y, _ = from_file
    first = kdd99.split_kddcup99(X[:5000], y[:5000])
    second = kdd99.split_kddcup99(X[:5000], y[:5000])
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)


def test_one_hot_order_does_not_depend_on_row_order():
    frame = pd.DataFrame(
        [[0, "udp", "http", "SF", *[0] * 37], [1, "icmp", "ecr_i", "REJ", *[1] * 37]],
        columns=list(kdd99.COLUMN_NAMES),
    )
    labels = pd.Series(["normal.", "smurf."])
    X, y, names = kdd99._encode(frame, labels)
    X_reversed, y_reversed, names_reversed = kdd99._encode(
        frame.iloc[::-1].reset_index(drop=True), labels.iloc[::-1].reset_index(drop=True)
    )
    assert names == names_reversed
    np.testing.assert_array_equal(X, X_reversed[::-1])
    np.testing.assert_array_equal(y, [1, 0])
    assert names[N_NUMERIC:][:2] == ["protocol_type=icmp", "protocol_type=udp"]


# ------------------------------------------------------ helpers, no data
def test_evaluate_flags_top_20_percent():
    y_true = np.array([0] * 8 + [1] * 2)
    scores = np.array([0, 1, 2, 3, 4, 5, 6, 9, 8, 7], dtype=float)
    metrics = kdd99.evaluate(y_true, scores)
    # The 80th percentile is 7.2: rows scoring 8 and 9 are flagged, one is normal.
    assert metrics["precision"] == pytest.approx(0.5)
    assert metrics["recall"] == pytest.approx(0.5)
    assert metrics["f1"] == pytest.approx(0.5)
    assert metrics["roc_auc"] == pytest.approx(14 / 16)


@pytest.mark.parametrize(("sample", "expected"), [(0.25, 25), (10, 10), (1.0, 100), (500, 100)])
def test_sample_rows(sample, expected):
    X = np.arange(100)[:, None]
    X_sample, y_sample = kdd99.sample_rows(X, np.arange(100), sample)
    assert len(X_sample) == expected
    assert np.all(np.diff(X_sample[:, 0]) > 0)
    np.testing.assert_array_equal(X_sample[:, 0], y_sample)
    np.testing.assert_array_equal(X_sample, kdd99.sample_rows(X, np.arange(100), sample)[0])


@pytest.mark.parametrize("sample", [0.0, 1.5, 0])
def test_sample_rows_rejects_bad_values(sample):
    with pytest.raises(ValueError, match="sample must be"):
        kdd99.sample_rows(np.zeros((10, 1)), np.zeros(10), sample)


def test_config_and_options_give_experiment_settings():
    parser = argparse.ArgumentParser()
    kdd99.add_arguments(parser)
    args = parser.parse_args(
        ["--config", "paper", "--learning-rate", "0.01", "--ema-decay", "none", "--epochs", "auto"]
    )
    transform, params = kdd99.experiment_settings(args)
    assert transform == kdd99.CONFIGS["paper"]["transform"]
    assert params == {
        **kdd99.CONFIGS["paper"]["detector"],
        "learning_rate": 0.01,
        "ema_decay": None,
        "epochs": "auto",
    }
    assert kdd99.experiment_settings(parser.parse_args([])) == (
        kdd99.CONFIGS["select"]["transform"],
        kdd99.CONFIGS["select"]["detector"],
    )
    assert kdd99.experiment_settings(parser.parse_args(["--transform", "none"]))[0] == "none"
    for config in kdd99.CONFIGS.values():
        assert config["transform"] in kdd99.TRANSFORMS
        EfficientGAN(**config["detector"])._validate_params()  # every named config is valid
        assert set(config) <= {"transform", "detector", "selection"}
        if "selection" in config:
            assert set(config["selection"]) == {"held_out", "every_n_steps", "reference_rows"}


def test_log1p_transform():
    X = np.array([[0.0, 1.0, np.e - 1.0]], dtype=np.float32)
    np.testing.assert_allclose(kdd99.transform_features(X, "log1p"), [[0.0, np.log(2.0), 1.0]])
    assert kdd99.transform_features(X, "none") is X
    with pytest.raises(ValueError, match="non-negative"):
        kdd99.transform_features(-X, "log1p")


class _ScoreMethodStub:
    """Reads ``score_method`` when it scores, like EfficientGAN; fails on feature-matching."""

    score_method = "cross-entropy"

    def set_params(self, **params):
        vars(self).update(params)
        return self

    def decision_function(self, X):
        if self.score_method == "feature-matching":
            raise RuntimeError("scoring failed")
        return np.full(len(X), 1.0)


def test_variant_scores_restores_the_callers_score_method_even_when_scoring_fails():
    detector = _ScoreMethodStub()
    scores = kdd99.variant_scores(detector, np.zeros((3, 2)), methods=("cross-entropy",))
    assert list(scores) == ["cross-entropy"]
    np.testing.assert_array_equal(scores["cross-entropy"], [1.0, 1.0, 1.0])
    detector.set_params(score_method="original")
    with pytest.raises(RuntimeError, match="scoring failed"):
        kdd99.variant_scores(detector, np.zeros((3, 2)))
    assert detector.score_method == "original"


# ------------------------------------------------- experiment, small data
@pytest.fixture(scope="module")
def small_split(from_file):
    X, y, _ = from_file
    return kdd99.split_kddcup99(*kdd99.sample_rows(X, y, 2000))


def test_variant_scores_match_a_detector_fitted_with_each_method(small_split):
    X_train, X_test, _ = small_split
    params = dict(epochs=1, random_state=3)
    cross_entropy = EfficientGAN(score_method="cross-entropy", **params).fit(X_train)
    feature_matching = EfficientGAN(score_method="feature-matching", **params).fit(X_train)
    scores = kdd99.variant_scores(cross_entropy, X_test)
    np.testing.assert_allclose(
        scores["cross-entropy"], cross_entropy.decision_function(X_test), rtol=1e-5
    )
    np.testing.assert_allclose(
        scores["feature-matching"], feature_matching.decision_function(X_test), rtol=1e-5
    )
    assert not np.allclose(scores["cross-entropy"], scores["feature-matching"])


def test_run_experiment_with_selection_holds_out_rows_and_keeps_probed_weights(small_split):
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import MinMaxScaler

    X_train, X_test, y_test = small_split
    selection = dict(held_out=0.2, every_n_steps=10, reference_rows=300)
    params = dict(epochs=3, preprocessing="minmax")
    detector, selector = kdd99.fit_with_selection(X_train, X_test, params, selection, seed=1)
    X_fit, X_held_out = train_test_split(X_train, test_size=0.2, random_state=1)
    scaler = MinMaxScaler().fit(X_fit)
    # the callback scores with the detector's own fitted preprocessing
    assert detector.preprocessing == "minmax" and detector.random_state == 1
    assert len(detector.decision_scores_) == len(X_fit)
    np.testing.assert_allclose(detector.scaler_.data_range_, scaler.data_range_)
    np.testing.assert_allclose(selector.x_held_out, scaler.transform(X_held_out), rtol=1e-6)
    assert selector.x_reference.shape == (300, X_test.shape[1])
    assert selector.selected_step_ in [probe["step"] for probe in selector.probes_]
    assert selector.flagged_share == pytest.approx(0.2)

    rows = kdd99.run_experiment(X_train, X_test, y_test, [1], params, selection=selection)
    assert [row["selected_step"] for row in rows] == [selector.selected_step_] * 2
    assert rows[0]["f1"] == pytest.approx(
        kdd99.evaluate(y_test, detector.decision_function(X_test))["f1"]
    )


def test_command_smoke_run(raw_file, tmp_path, monkeypatch, capsys):
    # Dispatch through the real CLI, with only this subcommand registered.
    monkeypatch.setattr(cli, "SUBCOMMANDS", {"kdd99": cli.SUBCOMMANDS["kdd99"]})
    out = tmp_path / "out"
    status = cli.main(
        [
            "kdd99",
            "--data-file", raw_file,
            "--sample", "2000",
            "--seeds", "2",
            "--epochs", "1",
            "--out", str(out),
        ]
    )  # fmt: skip
    assert status == 0
    with open(out / "results.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(row["seed"], row["score_method"]) for row in rows] == [
        ("0", "cross-entropy"),
        ("0", "feature-matching"),
        ("1", "cross-entropy"),
        ("1", "feature-matching"),
    ]
    n_test, n_normal = 1000, None
    printed = capsys.readouterr().out
    assert f"{n_test} test rows" in printed
    n_normal = int(printed.split(f"{n_test} test rows (")[1].split(" normal")[0])
    for row in rows:
        precision, recall, f1 = (float(row[name]) for name in ("precision", "recall", "f1"))
        assert 0.0 < precision <= 1.0 and 0.0 < recall <= 1.0
        assert f1 == pytest.approx(2 * precision * recall / (precision + recall), abs=1e-3)
        # At least the top 20 % of the test rows are flagged (recall * n_normal / precision
        # of them); more when rows tie at the threshold, as KDD's many duplicate rows do.
        assert recall * n_normal / precision >= 0.2 * n_test - 1
        assert 0.0 <= float(row["roc_auc"]) <= 1.0
        assert row["epochs_run"] == "1"
        assert int(row["selected_step"]) >= 1  # the default config selects weights
    # One fit per seed serves both score methods.
    assert rows[0]["seconds"] == rows[1]["seconds"]
    markdown = (out / "results.md").read_text()
    assert "0.9372 +- 0.0440" in markdown
    assert "--sample 2000 --seeds 2 --config select --epochs 1" in markdown
    assert "feature transform: log1p" in markdown
    assert "seed 1 feature-matching" in printed
