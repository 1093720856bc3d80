"""Shared fixtures. Environment first: Keras reads it at import.

The Keras backend is whatever the environment selects (``KERAS_BACKEND``, or
``~/.keras/keras.json``; ``tests/run_suites.py`` sets it per suite) and is
printed in the pytest header; neither this file nor the package sets it. Tests
that do not depend on the backend carry the ``backend_free`` marker
(``pytestmark`` in backend-free modules, :data:`BACKEND_FREE_TESTS` for single
tests of mixed modules): they run in the TensorFlow suite only.
"""

import os
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("OMP_NUM_THREADS", "2")
# JAX compiles every fit's training step anew (a new model is a new function); its persistent
# cache, keyed by the compiled program, turns the repeats into cache hits: a fit of 200 x 5
# rows with epochs=2 took 10 s without it and 2 s with it (a development timing on the 2-core
# machine, not a committed run). Only JAX reads these.
os.environ.setdefault(
    "JAX_COMPILATION_CACHE_DIR",
    os.path.join(tempfile.gettempdir(), f"pyod-efficientgan-jax-cache-{os.getuid()}"),
)
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES", "0")

import pytest  # noqa: E402
from pyod.utils.data import generate_data  # noqa: E402

from pyod_efficientgan import EfficientGAN  # noqa: E402

BACKEND_FREE_TESTS = {
    # module: tests (function names, parameters aside) that train no EfficientGAN and run no
    # Keras computation, in modules that also hold tests that do; whole backend-free
    # modules carry ``pytestmark = pytest.mark.backend_free`` instead
    "test_harness.py": (
        "test_l1norm_scores_are_row_l1_norms",
        "test_split_standardize_follows_pyod_protocol",
        "test_seeds_are_per_run_and_per_detector",
        "test_records_share_the_split_and_not_the_detector_seed",
        "test_metric_values_match_a_manual_run",
        "test_tables_are_aligned_with_detectors_and_datasets",
        "test_failures_are_recorded_not_raised",
        "test_summary_reports_means_ranks_failures_and_command",
        "test_average_ranks",
        "test_write_results_files",
        "test_make_detector_registry_and_pyod_names",
        "test_parallel_run_gives_the_same_records",
        "test_argument_defaults",
        "test_argument_parsing",
        "test_cli_rejects_unknown_dataset",
        "test_test_part_without_outliers_is_recorded_as_undefined",
        "test_limit_threads_caps_tensorflow_and_torch_in_a_fresh_process",
        "test_roc_figure_rows_sorted_by_mean_and_ranks_panel",
        "test_cli_reads_a_csv_table_with_its_label_column",
        "test_cli_help_works_without_the_bench_extra_and_names_it",
        "test_cli_help_shows_no_markup_and_the_defaults",
        "test_kdd99_without_data_says_where_to_get_it_in_two_lines",
    ),
    "test_kdd99.py": (
        "test_shape_dtype_and_feature_names",
        "test_one_hot_blocks_have_one_indicator_per_row",
        "test_class_balance",
        "test_labels_mark_normal_rows",
        "test_raw_file_and_sklearn_cache_give_identical_arrays",
        "test_split_sizes_and_training_has_attacks_only",
        "test_split_is_deterministic",
        "test_one_hot_order_does_not_depend_on_row_order",
        "test_evaluate_flags_top_20_percent",
        "test_sample_rows",
        "test_sample_rows_rejects_bad_values",
        "test_config_and_options_give_experiment_settings",
        "test_log1p_transform",
    ),
    "test_validation.py": (
        "test_bad_training_input_raises_clear_error",
        "test_invalid_parameters_are_rejected_at_fit",
    ),
    "test_plotting.py": ("test_plotting_imports_matplotlib_lazily",),
}
"""Backend-free tests of mixed modules, marked ``backend_free`` at collection."""


def pytest_report_header(config):
    """The Keras backend the suite runs on, and where it came from."""
    from pyod_efficientgan import backends

    source = os.environ.get("KERAS_BACKEND")
    origin = f"KERAS_BACKEND={source}" if source else "KERAS_BACKEND unset: Keras' config"
    return f"keras backend: {backends.name()} ({origin})"


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects by marker
def pytest_collection_modifyitems(config, items):
    """Mark the tests of :data:`BACKEND_FREE_TESTS`; a name its module lacks is an error."""
    checked = set()
    for item in items:
        names = BACKEND_FREE_TESTS.get(item.path.name)
        module = getattr(item, "module", None)
        if names is None or module is None:
            continue
        if item.path.name not in checked:
            checked.add(item.path.name)
            stale = [name for name in names if not callable(getattr(module, name, None))]
            if stale:
                raise pytest.UsageError(
                    f"tests/conftest.py BACKEND_FREE_TESTS names tests that "
                    f"{item.path.name} lacks: {stale}"
                )
        if getattr(item, "originalname", None) in names:
            item.add_marker(pytest.mark.backend_free)


@pytest.fixture(scope="session")
def data():
    """PyOD's synthetic benchmark data: (X_train, X_test, y_train, y_test)."""
    return generate_data(
        n_train=2000, n_test=1000, n_features=20, contamination=0.1, random_state=42
    )


@pytest.fixture(scope="session")
def small_data():
    """A small split for tests that fit several models."""
    return generate_data(n_train=300, n_test=100, n_features=6, contamination=0.1, random_state=7)


@pytest.fixture(scope="session")
def fitted(data):
    """EfficientGAN with its default settings, fitted once for the session."""
    X_train = data[0]
    return EfficientGAN(contamination=0.1, random_state=0).fit(X_train)


@pytest.fixture(scope="session")
def quick_fitted(small_data):
    """A fast-to-fit detector on the small split (3 epochs)."""
    return EfficientGAN(epochs=3, random_state=0).fit(small_data[0])
