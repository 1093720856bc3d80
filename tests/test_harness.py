"""Tests of the benchmark harness: protocol, seeds, tables, failures, command line."""

import argparse
import os
import shlex

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from pyod_efficientgan import cli
from pyod_efficientgan.experiments import commandline, harness
from pyod_efficientgan.experiments.datasets import ODDS_BENCHMARK, Dataset
from pyod_efficientgan.experiments.harness import (
    DETECTORS,
    L1Norm,
    detector_seed,
    make_detector,
    metric_table,
    run_benchmark,
    run_task,
    split_seed,
    split_standardize,
    summary_markdown,
    write_results,
)


def _separable(name="easy", n_inliers=90, n_outliers=10, seed=0):
    """Inliers near 0, outliers far away: L1Norm ranks them perfectly."""
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(size=(n_inliers, 4)), rng.normal(8.0, 0.5, size=(n_outliers, 4))])
    y = np.r_[np.zeros(n_inliers, int), np.ones(n_outliers, int)]
    return Dataset(name, X, y, "test")


class Inverse(L1Norm):
    """The worst possible detector on separable data: minus the L1 norm."""

    def decision_function(self, X):
        return -super().decision_function(X)


@pytest.fixture
def extra_detectors(monkeypatch):
    def broken(contamination, seed, **params):
        raise RuntimeError("boom on purpose")

    monkeypatch.setitem(DETECTORS, "Inverse", lambda c, s, **p: Inverse(contamination=c))
    monkeypatch.setitem(DETECTORS, "Broken", broken)


@pytest.fixture(scope="module")
def datasets():
    return [_separable("easy", seed=0), _separable("small", 45, 5, seed=1)]


@pytest.fixture
def records(datasets, extra_detectors):
    return run_benchmark(
        datasets, ["Inverse", "L1Norm", "Broken", "IForest"], n_runs=2, progress=False
    )


def test_l1norm_scores_are_row_l1_norms():
    X = np.array([[1.0, -2.0], [0.0, 0.5], [-3.0, 3.0]])
    detector = L1Norm(contamination=0.34).fit(X)
    np.testing.assert_allclose(detector.decision_scores_, [3.0, 0.5, 6.0])
    np.testing.assert_allclose(detector.decision_function(X[:1] * 2), [6.0])
    np.testing.assert_array_equal(detector.labels_, [0, 0, 1])


def test_split_standardize_follows_pyod_protocol():
    dataset = _separable()
    X_train, X_test, y_train, y_test = split_standardize(dataset.X, dataset.y, seed=3)
    assert len(X_train) == 60 and len(X_test) == 40
    np.testing.assert_allclose(X_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(X_train.std(axis=0), 1, atol=1e-12)
    again = split_standardize(dataset.X, dataset.y, seed=3)
    np.testing.assert_array_equal(X_test, again[1])
    other = split_standardize(dataset.X, dataset.y, seed=4)
    assert not np.array_equal(X_test, other[1])


def test_seeds_are_per_run_and_per_detector():
    assert split_seed(0, 0) == split_seed(0, 0)
    assert len({split_seed(0, run) for run in range(10)}) == 10
    seeds = {(run, name): detector_seed(0, run, name) for run in range(3) for name in "ABC"}
    assert len(set(seeds.values())) == 9
    assert detector_seed(1, 0, "A") != detector_seed(0, 0, "A")
    assert all(0 <= seed < 2**31 for seed in seeds.values())


def test_records_share_the_split_and_not_the_detector_seed(records):
    assert len(records) == 2 * 2 * 4
    one_run = records[(records["dataset"] == "easy") & (records["run"] == 1)]
    assert one_run["split_seed"].nunique() == 1
    assert one_run["seed"].nunique() == 4
    # a detector's seed does not depend on the other detectors of the run
    alone = run_task(_separable(), 1, "IForest", 0)
    assert alone["seed"] == one_run.loc[one_run["detector"] == "IForest", "seed"].item()
    assert alone["roc"] == one_run.loc[one_run["detector"] == "IForest", "roc"].item()


def test_metric_values_match_a_manual_run():
    dataset = _separable(seed=5)
    record = run_task(dataset, 0, "L1Norm", base_seed=7)
    X_train, X_test, y_train, y_test = split_standardize(dataset.X, dataset.y, split_seed(7, 0))
    expected = roc_auc_score(y_test, np.abs(X_test).sum(axis=1))
    assert record["roc"] == pytest.approx(expected)
    assert record["prc"] == pytest.approx(1.0)
    assert record["time"] >= 0
    assert record["error"] is None


def test_tables_are_aligned_with_detectors_and_datasets(records, datasets):
    roc = metric_table(records, "roc", datasets, ["L1Norm", "Inverse", "Broken", "IForest"])
    assert list(roc.columns) == [
        "#samples",
        "#dims",
        "outlier %",
        "L1Norm",
        "Inverse",
        "Broken",
        "IForest",
    ]
    assert list(roc.index) == ["easy", "small"]
    np.testing.assert_allclose(roc["L1Norm"], 1.0)
    np.testing.assert_allclose(roc["Inverse"], 0.0)
    assert roc["Broken"].isna().all()
    assert roc.loc["small", "#samples"] == 50 and roc.loc["easy", "#dims"] == 4
    assert roc.loc["easy", "outlier %"] == pytest.approx(10.0)
    means = records.groupby(["dataset", "detector"])["roc"].mean()
    assert roc.loc["easy", "IForest"] == pytest.approx(means["easy", "IForest"])
    time_table = metric_table(records, "time", datasets, ["IForest", "L1Norm"])
    assert list(time_table.columns[-2:]) == ["IForest", "L1Norm"]


def test_failures_are_recorded_not_raised(records):
    failed = records[records["detector"] == "Broken"]
    assert len(failed) == 4
    assert failed["roc"].isna().all() and failed["time"].isna().all()
    assert failed["error"].str.contains("RuntimeError: boom on purpose").all()
    assert records.loc[records["detector"] != "Broken", "error"].isna().all()


def test_summary_reports_means_ranks_failures_and_command(records, datasets):
    detectors = ["Inverse", "L1Norm", "Broken", "IForest"]
    config = {"command": "pyod-efficientgan bench --x", "n_runs": 2, "base_seed": 0, "params": {}}
    text = summary_markdown(records, datasets, detectors, config)
    assert "`pyod-efficientgan bench --x`" in text
    assert "| easy | 100 | 4 | 10.00 | 0.000 ± 0.000 | 1.000 ± 0.000 | failed |" in text
    assert "**average rank**" in text and "**mean**" in text
    assert "boom on purpose" in text
    assert "failed (0/2)" in text
    for section in ("## ROC AUC", "## Precision @ n", "## Fit + score time (s)", "## Failures"):
        assert section in text


def test_average_ranks():
    means = pd.DataFrame({"A": [0.9, 0.5], "B": [0.8, 0.7], "C": [np.nan, 0.1]})
    ranks = harness.average_ranks(means, ["A", "B", "C"])
    assert ranks.to_dict() == {"A": 1.5, "B": 1.5, "C": 3.0}


def test_write_results_files(records, datasets, tmp_path):
    detectors = ["Inverse", "L1Norm", "Broken", "IForest"]
    config = {"command": "c", "n_runs": 2, "base_seed": 0, "params": {}}
    paths = write_results(tmp_path / "out", records, datasets, detectors, config)
    for name in ("roc.csv", "prc.csv", "time.csv", "records.csv", "summary.md", "roc.png"):
        assert (tmp_path / "out" / name).is_file()
    table = pd.read_csv(paths["roc"], index_col="dataset")
    assert list(table.columns[3:]) == detectors
    assert (tmp_path / "out" / "roc.png").read_bytes()[:4] == b"\x89PNG"


def test_make_detector_registry_and_pyod_names():
    assert isinstance(make_detector("L1Norm", 0.1, 0), L1Norm)
    gan = make_detector("EfficientGAN", 0.2, 5, epochs=3)
    assert (gan.contamination, gan.random_state, gan.epochs) == (0.2, 5, 3)
    forest = make_detector("IForest", 0.1, 11)
    assert forest.random_state == 11
    knn = make_detector("KNN", 0.05, 1)
    assert type(knn).__name__ == "KNN" and knn.contamination == 0.05
    assert type(make_detector("ECOD", 0.1, 1)).__name__ == "ECOD"
    with pytest.raises(KeyError, match="Unknown detector 'NoSuchDetector'"):
        make_detector("NoSuchDetector", 0.1, 0)


def test_parallel_run_gives_the_same_records(datasets):
    serial = run_benchmark(datasets[:1], ["IForest", "L1Norm"], n_runs=2, progress=False)
    parallel = run_benchmark(
        datasets[:1], ["IForest", "L1Norm"], n_runs=2, n_jobs=2, progress=False
    )
    columns = ["dataset", "detector", "run", "split_seed", "seed", "roc", "prc"]
    pd.testing.assert_frame_equal(serial[columns], parallel[columns])


# ------------------------------------------------------------ command line
def _parse(argv):
    parser = argparse.ArgumentParser()
    harness.add_arguments(parser)
    return parser.parse_args(argv)


def test_argument_defaults():
    args = _parse([])
    assert args.datasets is None and args.data_dir is None
    assert args.detectors == ["EfficientGAN", "IForest", "AutoEncoder", "L1Norm"]
    assert args.n_runs == harness.DEFAULT_N_RUNS and args.epochs is None
    assert args.n_jobs == harness.DEFAULT_N_JOBS
    assert harness._dataset_names(args) == ["wine", "breast_cancer", "digits", "synthetic"]


def test_argument_parsing(tmp_path):
    args = _parse(
        [
            "--data-dir",
            str(tmp_path),
            "--datasets",
            "all",
            "--detectors",
            "KNN",
            "LOF",
            "--n-runs",
            "4",
            "--epochs",
            "2",
            "--out",
            "x",
            "--efficientgan-param",
            "learning_rate=1e-4",
            "--efficientgan-param",
            "preprocessing=None",
            "--efficientgan-param",
            "score_method=feature-matching",
        ]
    )
    assert harness._dataset_names(args) == list(ODDS_BENCHMARK)
    assert args.detectors == ["KNN", "LOF"] and args.n_runs == 4 and args.epochs == 2
    assert dict(args.efficientgan_param) == {
        "learning_rate": 1e-4,
        "preprocessing": None,
        "score_method": "feature-matching",
    }
    with pytest.raises(SystemExit):
        _parse(["--efficientgan-param", "no_equals_sign"])


@pytest.fixture
def bench_only_cli(monkeypatch):
    """The CLI with only the bench subcommand (other subcommands live in other modules)."""
    monkeypatch.setattr(cli, "SUBCOMMANDS", {"bench": cli.SUBCOMMANDS["bench"]})


def test_cli_rejects_unknown_dataset(bench_only_cli, tmp_path, capsys):
    status = cli.main(["bench", "--datasets", "nope", "--out", str(tmp_path), "--no-progress"])
    assert status == 2
    assert "nope" in capsys.readouterr().err


def test_cli_smoke_run_on_embedded_data(bench_only_cli, tmp_path, capsys):
    out = tmp_path / "bench"
    status = cli.main(
        [
            "bench",
            "--datasets",
            "wine",
            "synthetic",
            "--n-runs",
            "1",
            "--epochs",
            "2",
            "--out",
            str(out),
            "--no-progress",
            "--n-jobs",
            "1",
        ]
    )
    assert status == 0
    assert "mean ROC AUC: EfficientGAN" in capsys.readouterr().out
    roc = pd.read_csv(out / "roc.csv", index_col="dataset")
    assert list(roc.index) == ["wine", "synthetic"]
    assert list(roc.columns[3:]) == list(harness.DEFAULT_DETECTORS)
    records = pd.read_csv(out / "records.csv")
    assert records["error"].isna().all(), records["error"].dropna().tolist()
    assert roc[list(harness.DEFAULT_DETECTORS)].notna().all().all()
    summary = (out / "summary.md").read_text()
    assert "--epochs 2" in summary and "'epochs': 2" in summary


def test_test_part_without_outliers_is_recorded_as_undefined():
    X = np.random.default_rng(0).normal(size=(30, 3))
    with pytest.raises(ValueError, match="only one class"):
        harness.evaluate(L1Norm(), X[:20], X[20:], np.zeros(10, dtype=int))
    one_outlier = Dataset("one", X, np.r_[np.zeros(29, int), 1], "test")
    records = [run_task(one_outlier, run, "L1Norm", 0) for run in range(6)]
    undefined = [r for r in records if r["error"] is not None]
    assert undefined, "with one outlier, some 60/40 split leaves none in the test part"
    assert all(np.isnan(r["roc"]) and "only one class" in r["error"] for r in undefined)


def test_limit_threads_caps_tensorflow_and_torch_in_a_fresh_process():
    import subprocess
    import sys

    # the Keras side through backends.current().set_threads; torch for PyOD's peers
    code = (
        "from pyod_efficientgan.experiments.harness import limit_threads\n"
        "limit_threads(1)\n"
        "import tensorflow as tf, torch\n"
        "print(tf.config.threading.get_intra_op_parallelism_threads(),"
        " tf.config.threading.get_inter_op_parallelism_threads(), torch.get_num_threads())\n"
    )
    environment = {**os.environ, "KERAS_BACKEND": "tensorflow"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=environment
    )
    assert out.stdout.split() == ["1", "1", "1"]


def test_harness_imports_no_backend_library_itself():
    # TensorFlow, JAX and torch come in through Keras and pyod_efficientgan.backends only
    # (torch also for PyOD's own detectors, inside a function)
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(harness))
    imported = {alias.name.split(".")[0] for node in ast.walk(tree) if isinstance(node, ast.Import)
                for alias in node.names}  # fmt: skip
    imported |= {
        (node.module or "").split(".")[0] for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    }  # fmt: skip
    assert not imported & {"tensorflow", "jax"}
    torch_imports = [
        node for node in ast.walk(tree) if isinstance(node, ast.Import)
        and any(alias.name == "torch" for alias in node.names)
    ]  # fmt: skip
    assert len(torch_imports) == 1  # _limit_torch_threads, for PyOD's peers


def test_workers_run_on_the_keras_backend_of_the_parent_process(tmp_path):
    """loky workers inherit ``KERAS_BACKEND`` unchanged and start Keras on it.

    In a fresh interpreter (a fresh loky executor) whose backend is not the
    package's default, so a worker that fell back to TensorFlow would show.
    """
    import subprocess
    import sys

    code = (
        "import os\n"
        "from joblib import Parallel, delayed\n"
        "from pyod_efficientgan.experiments import harness\n"
        "def task():\n"
        "    import keras, torch\n"
        "    return os.environ['KERAS_BACKEND'], keras.backend.backend(), torch.get_num_threads()\n"
        "with harness._worker_pool(2, uses_keras=True):\n"
        "    for result in Parallel(n_jobs=2)(delayed(task)() for _ in range(2)):\n"
        "        print(*result)\n"
    )
    environment = {**os.environ, "KERAS_BACKEND": "torch"}
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment,
        cwd=tmp_path, timeout=300,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-3000:]
    n_threads = str(max(1, (os.cpu_count() or 1) // 2))
    assert completed.stdout.splitlines() == [f"torch torch {n_threads}"] * 2


@pytest.mark.parametrize(("command", "package"), [("bench", "tqdm"), ("kdd99", "pandas")])
def test_cli_without_the_bench_extra_says_what_to_install_in_one_line(tmp_path, command, package):
    import subprocess
    import sys

    code = (
        "import sys\n"
        f"sys.modules[{package!r}] = None  # as if it were not installed\n"
        "from pyod_efficientgan.cli import main\n"
        f"sys.exit(main([{command!r}, '--out', 'unused']))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert completed.returncode == 1
    assert completed.stdout == ""
    assert completed.stderr.splitlines() == [
        f"pyod-efficientgan {command}: needs {package}, which is not installed; "
        'install the bench extra: pip install "pyod-efficientgan[bench]"'
    ]
    assert not list(tmp_path.iterdir())  # nothing was run


# ------------------------------------------------------------------ output
@pytest.mark.slow
def test_cli_run_writes_only_the_bar_and_the_result_lines(tmp_path):
    """A parallel CLI run: progress bar on stderr, two lines on stdout, nothing else.

    Checked at the file-descriptor level in a fresh interpreter, since TensorFlow's
    start-up lines come from C++. Six EfficientGAN fits per worker are enough for
    TensorFlow's retracing warning (it warns from the fifth trace of a function).
    ``TF_CPP_MIN_LOG_LEVEL`` is dropped so that the package's behaviour is tested.
    """
    import os
    import re
    import subprocess
    import sys

    environment = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    out = tmp_path / "bench"
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pyod_efficientgan.cli",
            "bench",
            "--datasets",
            "wine",
            "synthetic",
            "--detectors",
            "EfficientGAN",
            "AutoEncoder",
            "L1Norm",
            "--n-runs",
            "6",
            "--epochs",
            "1",
            "--n-jobs",
            "2",
            "--out",
            str(out),
        ],
        capture_output=True,
        cwd=tmp_path,
        env=environment,
        timeout=600,
    )
    stderr = completed.stderr.decode(errors="replace")
    assert completed.returncode == 0, stderr[-3000:]
    assert completed.stdout.decode().splitlines() == [
        completed.stdout.decode().splitlines()[0],
        f"results in {out}",
    ]
    assert completed.stdout.decode().startswith("mean ROC AUC: EfficientGAN ")
    bar = re.compile(r"^\s*\d+%\|.*\| \d+/36 \[")
    others = [line for line in re.split(r"[\r\n]+", stderr) if line.strip() and not bar.match(line)]
    assert not others, "\n".join(others[:20])
    for noise in (
        "absl::InitializeLog",
        "oneDNN",
        "cuda",
        "cuInit",
        "retracing",
        "A worker stopped",
    ):
        assert noise not in stderr
    assert pd.read_csv(out / "records.csv")["error"].isna().all()


# ------------------------------------------------------------------ figure
def _synthetic_records(n_datasets, detectors, n_runs=2, seed=0):
    rng = np.random.default_rng(seed)
    rows = []
    for index in range(n_datasets):
        level = rng.uniform(0.4, 1.0)
        for run in range(n_runs):
            for name in detectors:
                roc = float(np.clip(level + rng.normal(0, 0.05), 0, 1))
                rows.append(
                    {"dataset": f"set{index:02d}", "detector": name, "run": run, "roc": roc}
                )
    return pd.DataFrame(rows)


@pytest.mark.parametrize("n_datasets", [4, 47])
def test_roc_figure_rows_sorted_by_mean_and_ranks_panel(tmp_path, n_datasets):
    detectors = ["EfficientGAN", "IForest", "AutoEncoder", "L1Norm", "KNN", "Broken"]
    records = _synthetic_records(n_datasets, detectors)
    records.loc[records["detector"] == "Broken", "roc"] = np.nan
    datasets = [
        Dataset(name, np.zeros((2, 1)), np.array([0, 1])) for name in records["dataset"].unique()
    ]
    path = tmp_path / "roc.png"
    figure = harness.plot_roc(records, datasets, detectors, path)
    assert path.read_bytes()[:4] == b"\x89PNG"
    top, bottom = figure.axes
    means = records.groupby(["dataset", "detector"])["roc"].mean().unstack()[detectors]
    expected = means.mean(axis=1).sort_values(ascending=False, kind="stable").index
    assert [t.get_text() for t in bottom.get_yticklabels()] == list(expected)
    ranks = harness.average_ranks(means, detectors)
    labels = [t.get_text() for t in top.get_yticklabels()]
    assert labels[-1] == f"Broken  (rank {ranks['Broken']:.2f}, {n_datasets} failed)"
    by_rank = sorted(detectors, key=lambda d: (ranks[d], -np.nan_to_num(means[d].mean())))
    assert [label.split()[0] for label in labels] == by_rank  # ties: higher mean first
    assert [t.get_text() for t in figure.legends[0].get_texts()] == detectors
    assert figure.get_figheight() > 0.2 * n_datasets  # rows keep their height


# ------------------------------------------------------------ your own data
def test_cli_reads_a_csv_table_with_its_label_column(bench_only_cli, tmp_path, capsys):
    dataset = _separable("own", seed=3)
    frame = pd.DataFrame(dataset.X, columns=[f"f{i}" for i in range(4)])
    frame.insert(2, "outlier", dataset.y)
    frame.to_csv(tmp_path / "own.csv", index=False)
    argv = ["bench", "--datasets", str(tmp_path / "own.csv"), "--detectors", "L1Norm", "IForest"]
    argv += ["--n-runs", "1", "--n-jobs", "1", "--no-progress", "--out", str(tmp_path / "out")]
    assert cli.main(argv) == 2
    assert "name the column of 0/1 outlier labels (--label-column NAME" in capsys.readouterr().err
    assert cli.main([*argv, "--label-column", "nope"]) == 2
    assert "no label column 'nope'" in capsys.readouterr().err
    assert cli.main([*argv, "--label-column", "outlier"]) == 0
    roc = pd.read_csv(tmp_path / "out" / "roc.csv", index_col="dataset")
    assert list(roc.index) == ["own"] and roc.loc["own", "#dims"] == 4
    assert roc.loc["own", "L1Norm"] == pytest.approx(1.0)
    assert "--label-column outlier" in (tmp_path / "out" / "summary.md").read_text()


@pytest.mark.parametrize(("command", "option"), [("bench", "--n-runs"), ("kdd99", "--seeds")])
def test_cli_help_works_without_the_bench_extra_and_names_it(tmp_path, command, option):
    import subprocess
    import sys

    code = (
        "import sys\n"
        "sys.modules['tqdm'] = None  # as if the bench extra were not installed\n"
        "sys.modules['matplotlib'] = None\n"
        "from pyod_efficientgan.cli import main\n"
        f"sys.exit(main([{command!r}, '--help']))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert completed.stderr == ""
    help_text = " ".join(completed.stdout.split())
    assert help_text.startswith(f"usage: pyod-efficientgan {command}")
    assert option in help_text and "(default: " in help_text
    assert 'Needs the bench extra (pip install "pyod-efficientgan[bench]")' in help_text
    if command == "bench":
        assert "not installed here: tqdm, matplotlib" in help_text
    assert "``" not in help_text and "CONFIGS" not in help_text


def test_cli_help_shows_no_markup_and_the_defaults():
    from pyod_efficientgan.cli import build_parser

    parser = build_parser()
    top = parser.format_help()
    assert "``" not in top and "bench extra" in top
    bench = parser._subparsers._group_actions[0].choices["bench"].format_help()
    bench = bench.split("options:", 1)[1]  # after the usage lines
    for option in ("--n-runs", "--seed", "--out", "--n-jobs"):
        line = " ".join(bench.split(option, 1)[1].split("--", 1)[0].split())
        assert "default: " in line, (option, line)


@pytest.mark.parametrize("source", ["missing file", "empty cache folder"])
def test_kdd99_without_data_says_where_to_get_it_in_two_lines(tmp_path, source):
    import subprocess
    import sys

    arguments = ["kdd99", "--seeds", "1"]
    if source == "missing file":
        arguments += ["--data-file", str(tmp_path / "kddcup.data_10_percent.gz")]
    else:
        arguments += ["--data-home", str(tmp_path)]
    code = f"import sys\nfrom pyod_efficientgan.cli import main\nsys.exit(main({arguments!r}))\n"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("PYOD_EFFICIENTGAN_KDD")}
    completed = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment,
        timeout=300,
    )
    assert completed.returncode == 2
    lines = completed.stderr.splitlines()
    assert len(lines) == 2, completed.stderr[-3000:]
    assert lines[0].startswith("pyod-efficientgan kdd99: could not read the KDD Cup 1999 10 % data")
    assert str(tmp_path) in lines[0]
    for flag in ("--data-file", "--data-home", "--download"):
        assert flag in lines[1]


def test_cli_exits_non_zero_with_the_reason_when_no_run_produced_a_score(
    bench_only_cli, tmp_path, capsys
):
    dataset = _separable("inliers", seed=4)
    frame = pd.DataFrame(dataset.X, columns=[f"f{i}" for i in range(4)])
    frame["outlier"] = 0  # only inliers: no ROC AUC exists for any run
    frame.to_csv(tmp_path / "inliers.csv", index=False)
    argv = ["bench", "--datasets", str(tmp_path / "inliers.csv"), "--label-column", "outlier"]
    argv += ["--detectors", "L1Norm", "IForest", "--n-runs", "2", "--n-jobs", "1"]
    argv += ["--no-progress", "--out", str(tmp_path / "out")]
    assert cli.main(argv) == 1
    captured = capsys.readouterr()
    assert "mean ROC AUC" not in captured.out
    (line,) = captured.err.strip().splitlines()
    assert line.startswith("bench: no run produced a score: all 4 runs failed: ValueError")
    assert (tmp_path / "out" / "records.csv").exists()  # the records are still written


def test_no_score_reason_is_none_when_one_run_scored():
    records = pd.DataFrame({"roc": [np.nan, 0.7], "error": ["ValueError: x", None]})
    assert harness.no_score_reason(records) is None
    assert "ValueError: x" in harness.no_score_reason(records.iloc[:1])


def test_clean_setting_fits_on_the_training_inliers_and_keeps_the_test_part():
    dataset = _separable(n_inliers=180, n_outliers=20)
    contaminated = split_standardize(dataset.X, dataset.y, seed=3)
    clean = split_standardize(dataset.X, dataset.y, seed=3, setting="clean")
    y_train = contaminated[2]
    assert 0 < y_train.sum() and len(clean[0]) == int((y_train == 0).sum())
    np.testing.assert_array_equal(clean[2], y_train)  # the labels of the whole training part
    np.testing.assert_array_equal(clean[3], contaminated[3])
    # standardized on the inliers: the outliers are far from their scale
    np.testing.assert_allclose(clean[0].mean(axis=0), 0, atol=1e-12)
    assert np.abs(clean[1][clean[3] == 1]).mean() > 2 * np.abs(contaminated[1][clean[3] == 1]).mean()
    with pytest.raises(ValueError, match="setting must be one of"):
        split_standardize(dataset.X, dataset.y, seed=3, setting="novelty")


def test_clean_setting_is_recorded_and_reported(datasets):
    records = run_benchmark(datasets, ["L1Norm"], n_runs=1, progress=False, setting="clean")
    assert set(records["setting"]) == {"clean"}
    default = run_benchmark(datasets, ["L1Norm"], n_runs=1, progress=False)
    assert set(default["setting"]) == {"contaminated"}
    config = {"command": "x", "n_runs": 1, "base_seed": 0, "params": {}, "setting": "clean"}
    assert "training part's inliers only" in summary_markdown(records, datasets, ["L1Norm"], config)
    args = _parse(["--setting", "clean", "--detectors", "L1Norm"])
    line = commandline.command(["b"], harness.add_arguments, args, harness.ALWAYS_SHOWN)
    assert args.setting == "clean" and "--setting clean" in line
    assert _parse([]).setting == "contaminated"
    with pytest.raises(SystemExit):
        _parse(["--setting", "novelty"])


# ------------------------------------------------ a run's command line
def _parser_of(add_arguments):
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser


@pytest.mark.parametrize(
    ("module", "argv"),
    [
        ("harness", []),
        (
            "harness",
            ["--datasets", "a", "b c", "--detectors", "KNN", "--n-runs", "3", "--setting", "clean",
             "--efficientgan-param", "alpha=0.5", "--efficientgan-param", "preprocessing=None",
             "--max-samples", "100", "--no-progress", "--data-dir", "x y"],
        ),
        ("kdd99", ["--data-file", "k.gz"]),
        (
            "kdd99",
            ["--data-file", "k.gz", "--seeds", "2", "--config", "paper", "--transform", "log1p",
             "--learning-rate", "0.0003", "--ema-decay", "none", "--encoder-units", "32,16",
             "--first-seed", "3", "--sample", "0.5", "--out", "o", "--download"],
        ),
    ],
)  # fmt: skip
def test_a_runs_command_line_parses_back_to_the_same_options(module, argv):
    from pyod_efficientgan.experiments import kdd99

    add_arguments = {"harness": harness.add_arguments, "kdd99": kdd99.add_arguments}[module]
    args = _parser_of(add_arguments).parse_args(argv)
    if module == "harness":
        line = commandline.command(["pyod-efficientgan", "bench"], add_arguments, args)
    else:
        line = kdd99.command_line(args)
    words = shlex.split(line)
    assert _parser_of(add_arguments).parse_args(words[2:]) == args


def test_a_runs_command_line_shows_what_repeats_it_and_hides_unchanged_defaults():
    from pyod_efficientgan.experiments import kdd99

    args = _parser_of(kdd99.add_arguments).parse_args(
        ["--data-file", "k.gz", "--sample", "2000", "--seeds", "2", "--epochs", "1", "--out", "o"]
    )
    line = kdd99.command_line(args)
    # the seeds and configuration in the order typed, the data path, the default first seed hidden
    assert line.startswith("pyod-efficientgan kdd99 ")
    assert "--data-file k.gz" in line
    assert "--sample 2000 --seeds 2 --config select --epochs 1" in line
    assert line.endswith("--out o")
    assert "--first-seed" not in line and "--download" not in line
    bench = harness.add_arguments
    args = _parser_of(bench).parse_args(["--epochs", "1"])
    line = commandline.command(["pyod-efficientgan", "bench"], bench, args, harness.ALWAYS_SHOWN)
    for option in ("--detectors", "--n-runs", "--seed", "--out", "--n-jobs", "--epochs 1"):
        assert option in line
    for hidden in ("--setting", "--no-progress", "--datasets", "--efficientgan-param"):
        assert hidden not in line
    with pytest.raises(ValueError, match="lacks"):
        commandline.rebuild_argv(_parser_of(bench), args, always=("sedd",))
