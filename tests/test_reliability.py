"""Reliability: unusual inputs, determinism, concurrency, bounded memory, interruption."""

import os
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
import scipy.sparse
from float32 import assert_float32_close
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tiny import tiny as tiny_detector

from pyod_efficientgan import EfficientGAN, TrainingDivergedError


def tiny(**params):
    """A quick detector (tests/tiny.py) of two epochs and the default three members."""
    return tiny_detector(**{"epochs": 2, "n_estimators": 3, **params})


# ---------------------------------------------------------------- input matrix
@pytest.mark.parametrize(
    "make_X",
    [
        lambda X: X[:, :1],  # one column
        lambda X: X[:1],  # one row
        lambda X: X.astype(np.int64),
        lambda X: X.astype(np.float32),
        lambda X: np.asfortranarray(X),
        lambda X: X[::2, ::-1],  # non-contiguous
        lambda X: np.where(np.arange(X.shape[1]) == 0, 1e30, X),  # near float32 overflow
        lambda X: np.where(np.arange(X.shape[1]) == 1, 3.0, X),  # constant column
    ],
    ids=[
        "one-column",
        "one-row",
        "int64",
        "float32",
        "fortran",
        "non-contiguous",
        "1e30",
        "constant",
    ],
)
def test_unusual_but_valid_inputs_give_finite_scores(make_X, small_data):
    X = make_X(small_data[0])
    detector = tiny().fit(X)
    assert detector.decision_scores_.shape == (X.shape[0],)
    assert np.all(np.isfinite(detector.decision_scores_))
    assert np.all(np.isfinite(detector.decision_function(X)))


@pytest.mark.parametrize("column_value", [1e30, 3.0], ids=["1e30", "constant"])
def test_standard_scaling_of_extreme_and_constant_columns(column_value, small_data):
    X = small_data[0].copy()
    X[:, 0] = column_value
    X[::7, 1] = 1e30
    detector = tiny(preprocessing="standard").fit(X)
    assert np.all(np.isfinite(detector.decision_scores_))


def test_read_only_input(small_data):
    X = small_data[0].copy()
    X.setflags(write=False)
    detector = tiny().fit(X)
    assert np.all(np.isfinite(detector.decision_function(X)))


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_sparse_input_is_refused_clearly(fmt, small_data, quick_fitted):
    X = scipy.sparse.random(20, small_data[0].shape[1], density=0.3, format=fmt, random_state=0)
    with pytest.raises(TypeError, match="[Ss]parse"):
        tiny().fit(X)
    with pytest.raises(TypeError, match="[Ss]parse"):
        quick_fitted.decision_function(X)


def test_object_columns_are_refused_clearly():
    X = np.array([[1.0, "a"], [2.0, "b"]], dtype=object)
    with pytest.raises(ValueError, match="could not convert|dtype"):
        tiny().fit(X)


def test_values_beyond_float32_at_score_time_raise_clearly(quick_fitted, small_data):
    X = small_data[1].copy()
    X[0, 0] = 1e300
    with pytest.raises(FloatingPointError, match="outside the range seen in fit"):
        quick_fitted.decision_function(X)
    assert np.all(np.isfinite(quick_fitted.decision_function(small_data[1])))


# ------------------------------------------------------------- property based
@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n_rows=st.integers(1, 40),
    n_columns=st.integers(1, 4),
    log_scale=st.floats(-3, 8),
    seed=st.integers(0, 2**16),
)
def test_fit_and_score_are_finite_for_any_shape_and_magnitude(n_rows, n_columns, log_scale, seed):
    X = np.random.default_rng(seed).normal(size=(n_rows, n_columns)) * 10.0**log_scale
    # standard scaling brings every magnitude to unit scale: training must not diverge
    detector = tiny(epochs=1).fit(X)
    scores = detector.decision_function(X)
    assert scores.shape == (n_rows,)
    assert np.all(np.isfinite(scores))
    assert np.all(np.isfinite(detector.decision_scores_))


def test_divergence_without_a_finite_epoch_raises_and_fits_nothing(small_data):
    detector = tiny(learning_rate=1e12, preprocessing=None)
    X = small_data[0] * 1e6
    with pytest.raises(TrainingDivergedError, match="learning_rate"):
        detector.fit(X)
    assert not hasattr(detector, "model_") and not hasattr(detector, "decision_scores_")


# ----------------------------------------------------------------- determinism
SCORE_IN_SUBPROCESS = """
import sys, numpy as np
from pyod.utils.data import generate_data
from pyod_efficientgan import EfficientGAN
X_train, X_test, _, _ = generate_data(n_train=300, n_test=100, n_features=5, random_state=3)
detector = EfficientGAN(epochs=3, random_state=11).fit(X_train)
np.save(sys.argv[1], detector.decision_function(X_test))
"""


@pytest.mark.slow
def test_same_random_state_is_bit_identical_across_processes(tmp_path):
    outputs = []
    for index in range(2):
        path = tmp_path / f"scores_{index}.npy"
        subprocess.run(
            [sys.executable, "-c", SCORE_IN_SUBPROCESS, str(path)],
            check=True,
            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
        )
        outputs.append(np.load(path))
    assert outputs[0].tobytes() == outputs[1].tobytes()


# ----------------------------------------------------------------- concurrency
@pytest.mark.slow
def test_fits_in_two_threads_match_sequential_fits(small_data):
    X = small_data[0]
    sequential = [tiny(random_state=seed).fit(X).decision_function(X) for seed in (1, 2)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [
            pool.submit(lambda s: tiny(random_state=s).fit(X).decision_function(X), s)
            for s in (1, 2)
        ]
        threaded = [future.result() for future in futures]
    for expected, got in zip(sequential, threaded):
        np.testing.assert_array_equal(got, expected)


def test_fit_neither_seeds_nor_reads_the_global_generators(small_data):
    import random

    scores = []
    for global_seed in (1, 2):
        np.random.seed(global_seed)
        random.seed(global_seed)
        numpy_state, python_state = np.random.get_state(), random.getstate()
        detector = tiny(random_state=0).fit(small_data[0])
        scores.append(detector.decision_function(small_data[1]))
        after = np.random.get_state()
        assert all(np.array_equal(a, b) for a, b in zip(after, numpy_state))
        assert random.getstate() == python_state
    np.testing.assert_array_equal(scores[0], scores[1])


def test_one_detector_scored_from_several_threads(quick_fitted, small_data):
    X = small_data[1]
    expected = quick_fitted.decision_function(X)
    barrier = threading.Barrier(4)

    def score():
        barrier.wait()
        return quick_fitted.decision_function(X)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: score(), range(4)))
    for result in results:
        np.testing.assert_array_equal(result, expected)


def test_a_rows_score_does_not_depend_on_the_rows_scored_with_it(quick_fitted, small_data):
    import copy

    X = np.concatenate([small_data[1] + 0.01 * k for k in range(25)])  # 2,500 distinct rows
    expected = quick_fitted.decision_function(X)
    order = np.random.default_rng(0).permutation(len(X))
    # in another order, in a subset of another size, one row alone: the same score to float32
    # rounding (another position in another chunk can round differently; see float32.py)
    assert_float32_close(quick_fitted.decision_function(X[order]), expected[order])
    assert_float32_close(quick_fitted.decision_function(X[17:1100]), expected[17:1100])
    assert_float32_close(quick_fitted.decision_function(X[5:6]), expected[5:6])
    # the same rows in the same chunks: the same arithmetic, the same bits
    np.testing.assert_array_equal(quick_fitted.decision_function(X), expected)
    other = copy.deepcopy(quick_fitted)
    for score_batch_size in (2048, 100, 7):
        other.score_batch_size = score_batch_size
        assert_float32_close(other.decision_function(X), expected)


@pytest.mark.slow
def test_detectors_fit_and_score_in_loky_workers(small_data):
    from joblib import Parallel, delayed

    X_train, X_test = small_data[0], small_data[1]

    def fit_and_score(seed):
        return tiny(random_state=seed).fit(X_train).decision_function(X_test)

    parallel = Parallel(n_jobs=2, backend="loky")(delayed(fit_and_score)(seed) for seed in (1, 2))
    for seed, scores in zip((1, 2), parallel):
        np.testing.assert_array_equal(scores, fit_and_score(seed))
    # A fitted detector travels to workers and back.
    fitted = tiny(random_state=1).fit(X_train)
    remote = Parallel(n_jobs=2, backend="loky")(
        delayed(lambda d, x: d.decision_function(x))(fitted, X_test) for _ in range(2)
    )
    for scores in remote:
        np.testing.assert_array_equal(scores, fitted.decision_function(X_test))


# ---------------------------------------------------------------------- memory
SCORE_MANY_ROWS = """
import sys, numpy as np
from pyod_efficientgan import EfficientGAN

def rss():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096

X_train = np.random.default_rng(0).normal(size=(300, 6))
detector = EfficientGAN(epochs=1, latent_dim=2, encoder_units=(8,), generator_units=(8,),
                        discriminator_units=(8, 8), random_state=0).fit(X_train)
n_rows = int(sys.argv[1])
X = np.random.default_rng(1).normal(size=(n_rows, 6)).astype(np.float32)
detector.decision_function(X[:100_000])  # trace and warm up before measuring
before = rss()
peak = before
scores = np.empty(0)
import threading
done = threading.Event()

def watch():
    global peak
    while not done.is_set():
        peak = max(peak, rss())
        done.wait(0.01)

watcher = threading.Thread(target=watch)
watcher.start()
scores = detector.decision_function(X)
done.set()
watcher.join()
peak = max(peak, rss())
assert scores.shape == (n_rows,) and np.all(np.isfinite(scores))
print(peak - before, X.nbytes, detector.score_batch_size)
"""


@pytest.mark.slow
@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="reads /proc (Linux)")
def test_scoring_five_million_rows_runs_in_bounded_memory(tmp_path):
    # Resident memory of a fresh process, sampled while it scores: tracemalloc would not
    # see the backend's allocator (TensorFlow's, XLA's, PyTorch's).
    completed = subprocess.run(
        [sys.executable, "-c", SCORE_MANY_ROWS, "5000000"],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
        env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    added, input_bytes, batch_size = map(int, completed.stdout.split())
    # the output (8 bytes a row) plus a few chunks of score_batch_size rows, never a copy
    # of X (120 MB of float32 here)
    assert added < 5_000_000 * 8 + 64 * batch_size * 6 * 8 + 64 * 2**20, added
    assert added < input_bytes, (added, input_bytes)


# ---------------------------------------------------------------- interruption
def test_keyboard_interrupt_leaves_detector_unfitted_then_refit_works(small_data, monkeypatch):
    from pyod_efficientgan import training

    original = training.DivergenceGuard.on_epoch_end

    def interrupt(self, epoch, logs=None):
        if epoch == 0:  # end of the first round (all 4 epochs of these few rows)
            raise KeyboardInterrupt
        original(self, epoch, logs)

    detector = tiny(epochs=4)
    monkeypatch.setattr(training.DivergenceGuard, "on_epoch_end", interrupt)
    with pytest.raises(KeyboardInterrupt):
        detector.fit(small_data[0])
    assert not hasattr(detector, "model_") and not hasattr(detector, "decision_scores_")
    monkeypatch.setattr(training.DivergenceGuard, "on_epoch_end", original)
    detector.fit(small_data[0])
    assert np.all(np.isfinite(detector.decision_function(small_data[1])))


def test_keyboard_interrupt_keeps_previous_fit(small_data, quick_fitted, monkeypatch):
    import copy

    from pyod_efficientgan import training

    detector = copy.deepcopy(quick_fitted)
    before = detector.decision_function(small_data[1])

    def interrupt(self, epoch, logs=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(training.DivergenceGuard, "on_epoch_end", interrupt)
    with pytest.raises(KeyboardInterrupt):
        detector.fit(small_data[0][:100])
    np.testing.assert_array_equal(detector.decision_function(small_data[1]), before)


# ------------------------------------------------- failed fits leave the state as it was
def fitted_state(detector):
    """Every attribute that fit sets (public ``*_`` and private), by value where possible."""
    params = set(detector.get_params(deep=False))
    return {k: v for k, v in vars(detector).items() if k not in params}


def assert_same_state(before, after):
    assert set(after) == set(before), set(after) ^ set(before)
    for name, value in before.items():
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(after[name], value, err_msg=name)
        else:
            assert after[name] is value or after[name] == value, name


@pytest.fixture
def five_column_fit(small_data):
    return tiny().fit(small_data[0][:, :5])


def test_diverging_refit_on_another_width_keeps_the_previous_fit(five_column_fit, small_data):
    detector = five_column_fit
    X_test = small_data[1][:, :5]
    scores = detector.decision_function(X_test)
    before = fitted_state(detector)
    detector.set_params(learning_rate=1e12, preprocessing=None)
    with pytest.raises(FloatingPointError):
        detector.fit(np.hstack([small_data[0], small_data[0][:, :1]]) * 1e6)
    assert_same_state(before, fitted_state(detector))
    assert detector.n_features_in_ == 5
    np.testing.assert_array_equal(detector.decision_function(X_test), scores)


def test_failure_after_training_keeps_the_previous_fit(five_column_fit, small_data, monkeypatch):
    detector = five_column_fit
    before = fitted_state(detector)

    def fail(self):
        raise FloatingPointError("while thresholding")

    # fails after the new model was trained and the training rows scored
    monkeypatch.setattr(EfficientGAN, "_process_decision_scores", fail)
    with pytest.raises(FloatingPointError, match="while thresholding"):
        detector.fit(small_data[0][:, :4])
    assert_same_state(before, fitted_state(detector))


def test_failed_first_fit_leaves_no_fitted_attribute(small_data):
    detector = tiny(learning_rate=1e12, preprocessing=None)
    with pytest.raises(FloatingPointError):
        detector.fit(small_data[0] * 1e6)
    assert fitted_state(detector) == {}


def test_fit_chunks_interrupted_while_training_keeps_the_previous_fit(five_column_fit, small_data):
    detector = five_column_fit
    before = fitted_state(detector)
    X = small_data[0][:, :4]
    calls = []

    def chunks():
        # read once for validation and scaling, then once per epoch: stop in the second epoch
        calls.append(None)
        if len(calls) == 3:
            raise OSError("the chunk files went away")
        return [X[:150], X[150:]]

    # raised inside the input pipeline: TensorFlow's tf.data wraps the error, the NumPy
    # pipeline of JAX and torch passes it on; either way its message reaches fit_chunks
    with pytest.raises(Exception, match="the chunk files went away"):
        detector.fit_chunks(chunks)
    assert len(calls) == 3
    assert_same_state(before, fitted_state(detector))


# -------------------------------------- score parameters act the same way on every path
@pytest.fixture(scope="module")
def score_fit(small_data):
    return tiny(epochs=3).fit(small_data[0])


@pytest.mark.parametrize(
    "params", [{"alpha": 0.0}, {"alpha": 1.0}, {"norm": 1}, {"score_method": "feature-matching"}]
)
def test_score_parameters_set_after_fit_act_on_every_path(score_fit, small_data, tmp_path, params):
    import copy
    import pickle

    X_test = small_data[1]
    detector = copy.deepcopy(score_fit)
    default = detector.decision_function(X_test)
    detector.set_params(**params)
    direct = detector.decision_function(X_test)
    assert not np.allclose(direct, default)
    np.testing.assert_array_equal(
        pickle.loads(pickle.dumps(detector)).decision_function(X_test), direct
    )
    detector.save(tmp_path / "d.egan")
    np.testing.assert_array_equal(
        EfficientGAN.load(tmp_path / "d.egan").decision_function(X_test), direct
    )
    generator_loss, discriminator_loss = detector.score_components(X_test)
    np.testing.assert_allclose(
        direct,
        detector.alpha * generator_loss + (1 - detector.alpha) * discriminator_loss,
        rtol=1e-5,
        atol=1e-6,
    )
    # the same parameters given before fit give the same scores
    refit = tiny(epochs=3, **params).fit(small_data[0])
    np.testing.assert_allclose(refit.decision_function(X_test), direct, rtol=1e-5, atol=1e-6)
