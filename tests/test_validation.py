"""Bad input and bad parameters: clear errors, nothing half fitted."""

import copy

import numpy as np
import pandas as pd
import pytest

from pyod_efficientgan import EfficientGAN


@pytest.mark.parametrize(
    "X, error, message",
    [
        (np.array([[0.0, np.nan], [1.0, 2.0]]), ValueError, "NaN"),
        (np.array([[0.0, np.inf], [1.0, 2.0]]), ValueError, "infinity"),
        (np.array([[0.0, -np.inf], [1.0, 2.0]]), ValueError, "infinity"),
        (np.arange(5.0), ValueError, "Expected 2D array"),
        (np.empty((0, 3)), ValueError, "0 sample"),
        (np.empty((3, 0)), ValueError, "0 feature"),
        (np.array([["a", "b"], ["c", "d"]]), ValueError, "could not convert|dtype"),
    ],
    ids=["nan", "inf", "-inf", "1-d", "empty", "no-columns", "strings"],
)
def test_bad_training_input_raises_clear_error(X, error, message):
    detector = EfficientGAN(epochs=1)
    with pytest.raises(error, match=message):
        detector.fit(X)
    assert not hasattr(detector, "model_")
    assert not hasattr(detector, "decision_scores_")


@pytest.mark.parametrize(
    "X, message",
    [
        (np.full((4, 6), np.nan), "NaN"),
        (np.full((4, 6), np.inf), "infinity"),
        (np.ones(6), "Expected 2D array"),
        (np.ones((4, 5)), "has 5 features, but EfficientGAN is expecting 6 features"),
        (np.empty((0, 6)), "0 sample"),
    ],
    ids=["nan", "inf", "1-d", "wrong-width", "empty"],
)
def test_bad_scoring_input_raises_and_detector_stays_usable(quick_fitted, small_data, X, message):
    before = quick_fitted.decision_function(small_data[1])
    with pytest.raises(ValueError, match=message):
        quick_fitted.decision_function(X)
    with pytest.raises(ValueError, match=message):
        quick_fitted.predict(X)
    np.testing.assert_array_equal(quick_fitted.decision_function(small_data[1]), before)


@pytest.mark.parametrize(
    "params, message",
    [
        ({"contamination": 0.7}, "contamination"),
        ({"contamination": 0.0}, "contamination"),
        ({"contamination": "high"}, "contamination"),
        ({"latent_dim": 0}, "latent_dim"),
        ({"epochs": 0}, "epochs"),
        ({"epochs": "forever"}, "epochs"),
        ({"batch_size": 0}, "batch_size"),
        ({"learning_rate": -1.0}, "learning_rate"),
        ({"alpha": 1.5}, "alpha"),
        ({"score_method": "fm"}, "score_method"),
        ({"norm": 3}, "norm"),
        ({"ema_decay": 1.0}, "ema_decay"),
        ({"preprocessing": "log"}, "preprocessing"),
        ({"validation_size": 0.9}, "validation_size"),
        ({"patience": 0}, "patience"),
        ({"dropout": 1.0}, "dropout"),
        ({"encoder_units": ()}, "encoder_units"),
        ({"generator_units": (64, -1)}, "generator_units"),
        ({"discriminator_units": "128"}, "discriminator_units"),
        ({"score_batch_size": 0}, "score_batch_size"),
        ({"random_state": "seed"}, "random_state"),
        ({"verbose": 5}, "verbose"),
    ],
)
def test_invalid_parameters_are_rejected_at_fit(params, message, small_data):
    detector = EfficientGAN(**params)  # construction never validates
    with pytest.raises(ValueError, match=message):
        detector.fit(small_data[0])
    assert not hasattr(detector, "model_")


def test_failed_refit_keeps_previous_fit(quick_fitted, small_data):
    detector = copy.deepcopy(quick_fitted)
    before = detector.decision_function(small_data[1])
    with pytest.raises(ValueError):
        detector.fit(np.full((5, 6), np.nan))
    np.testing.assert_array_equal(detector.decision_function(small_data[1]), before)


@pytest.mark.parametrize("n_rows", [1, 2, 49])
def test_tiny_inputs_train_and_score(n_rows, small_data):
    X = small_data[0][:n_rows]
    detector = EfficientGAN(epochs=2, random_state=0).fit(X)
    assert detector.decision_scores_.shape == (n_rows,)
    assert np.all(np.isfinite(detector.decision_function(small_data[1])))


def test_constant_columns_give_finite_scores(small_data):
    X = small_data[0].copy()
    X[:, 2] = 5.0
    for preprocessing in ("minmax", "standard"):
        detector = EfficientGAN(epochs=1, preprocessing=preprocessing, random_state=0).fit(X)
        assert np.all(np.isfinite(detector.decision_scores_))


def test_input_is_not_modified(small_data):
    X = small_data[0].copy()
    X.setflags(write=False)
    EfficientGAN(epochs=1, random_state=0).fit(X)
    np.testing.assert_array_equal(X, small_data[0])


@pytest.mark.parametrize("dtype", [np.int64, np.float32, np.float64])
def test_numeric_dtypes_are_accepted(dtype, quick_fitted, small_data):
    scores = quick_fitted.decision_function((small_data[1] * 10).astype(dtype))
    assert scores.dtype == np.float64 and scores.shape == (small_data[1].shape[0],)


# ------------------------------------------------------------- column names and types
def _frame(n_rows=60, columns=("a", "b", "c")):
    return pd.DataFrame(np.random.RandomState(0).randn(n_rows, len(columns)), columns=columns)


def test_a_column_name_ending_in_nul_is_refused_at_fit():
    # NumPy strings, as saved files and pickles keep the names, drop a trailing NUL: the
    # copy would refuse the DataFrame the original accepts.
    X = _frame(columns=("a", "b\x00", "c"))
    with pytest.raises(ValueError, match=r"column name\(s\) \['b\\x00'\] end in a NUL"):
        EfficientGAN(epochs=1, n_estimators=1).fit(X)
    with pytest.raises(ValueError, match="end in a NUL"):
        EfficientGAN(epochs=1, n_estimators=1).fit_chunks([X[:30], X[30:]])
    EfficientGAN(epochs=1, n_estimators=1).fit(_frame(columns=("a", "b\x00b", "c")))


def test_date_and_duration_columns_are_refused_naming_them(quick_fitted_frame):
    X = _frame()
    X["when"] = pd.date_range("2020-01-01", periods=len(X), tz="UTC")
    X["how long"] = pd.to_timedelta(np.arange(len(X)), unit="s")
    with pytest.raises(ValueError, match=r"'when' \(datetime64.*'how long' \(timedelta64"):
        EfficientGAN(epochs=1, n_estimators=1).fit(X)
    scored = _frame()
    scored["b"] = pd.date_range("2020-01-01", periods=len(scored))
    with pytest.raises(ValueError, match=r"column\(s\) 'b' \(datetime64"):
        quick_fitted_frame.decision_function(scored)
    dates = np.array(pd.date_range("2020-01-01", periods=9)).reshape(3, 3)
    with pytest.raises(ValueError, match="rows are of dtype datetime64"):
        quick_fitted_frame.decision_function(dates)
    assert np.isfinite(quick_fitted_frame.decision_function(_frame())).all()


@pytest.fixture(scope="module")
def quick_fitted_frame():
    return EfficientGAN(epochs=1, n_estimators=1, random_state=0).fit(_frame())
