"""``pyod-efficientgan bench``: bad options and data give one line and status 2, failures status 1."""

import numpy as np
import pandas as pd
import pytest

from pyod_efficientgan import cli
from pyod_efficientgan.experiments import harness
from pyod_efficientgan.experiments.datasets import Dataset

pytestmark = pytest.mark.backend_free


@pytest.fixture(autouse=True)
def bench_only_cli(monkeypatch):
    monkeypatch.setattr(cli, "SUBCOMMANDS", {"bench": cli.SUBCOMMANDS["bench"]})


@pytest.fixture
def table(tmp_path):
    rng = np.random.default_rng(0)
    X = np.vstack([rng.normal(size=(45, 3)), rng.normal(8.0, 0.5, size=(5, 3))])
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    frame["outlier"] = np.r_[np.zeros(45, int), np.ones(5, int)]
    return frame


def _bench(tmp_path, *options, data=None, detectors=("L1Norm",)):
    data = data or tmp_path / "t.csv"
    argv = ["bench", "--datasets", str(data), "--label-column", "outlier"]
    argv += ["--detectors", *detectors, "--n-runs", "1", "--no-progress"]
    if "--out" not in options:
        argv += ["--out", str(tmp_path / "out")]
    return cli.main([*argv, *options])


def _one_line(capsys):
    err = capsys.readouterr().err.strip()
    assert err.startswith("bench: ") and "\n" not in err and "Traceback" not in err, err
    return err


@pytest.mark.parametrize(
    "options, message",
    [
        (("--n-jobs", "0"), "--n-jobs must be at least 1"),
        (("--n-jobs", "-3"), "--n-jobs must be at least 1"),
        (("--max-samples", "0"), "--max-samples must be at least 2"),
        (("--max-samples", "1"), "--max-samples must be at least 2"),
        (("--max-samples", "-5"), "--max-samples must be at least 2"),
        (("--seed", "-1"), "--seed must be between 0"),
    ],
)
def test_bad_numeric_options_give_one_line_and_status_2(tmp_path, table, capsys, options, message):
    table.to_csv(tmp_path / "t.csv", index=False)
    assert _bench(tmp_path, *options) == 2
    assert message in _one_line(capsys)


@pytest.mark.parametrize("where", ["a file", "under a file"])
def test_an_out_folder_that_cannot_be_written_gives_one_line(tmp_path, table, capsys, where):
    table.to_csv(tmp_path / "t.csv", index=False)
    (tmp_path / "file").write_text("x")
    out = tmp_path / "file" if where == "a file" else tmp_path / "file" / "out"
    assert _bench(tmp_path, "--out", str(out)) == 2
    assert f"cannot write the results to --out {str(out)!r}" in _one_line(capsys)


def test_a_detector_that_fails_every_run_makes_the_status_1(tmp_path, table, capsys):
    table.to_csv(tmp_path / "t.csv", index=False)
    assert _bench(tmp_path, detectors=("L1Norm", "NoSuchDetector")) == 1
    captured = capsys.readouterr()
    assert "no run of NoSuchDetector produced a score" in captured.err
    assert (tmp_path / "out" / "roc.csv").exists()  # the other results are written


def test_a_pandas_index_column_is_refused(tmp_path, table, capsys):
    table.to_csv(tmp_path / "t.csv")  # index=True: a column named "Unnamed: 0"
    assert _bench(tmp_path) == 2
    assert "'Unnamed: 0' have no name in the header" in _one_line(capsys)


@pytest.mark.parametrize("value", [1e308, -1e308, 1e39])
def test_values_beyond_float32_are_refused_at_load(tmp_path, table, capsys, value):
    table.loc[3, "b"] = value
    table.to_csv(tmp_path / "t.csv", index=False)
    assert _bench(tmp_path) == 2
    assert "beyond float32's range" in _one_line(capsys)


def test_a_header_only_csv_says_it_has_no_rows(tmp_path, capsys):
    (tmp_path / "t.csv").write_text("a,b,outlier\n")
    assert _bench(tmp_path) == 2
    assert "has a header but no rows" in _one_line(capsys)


def test_a_header_line_beyond_the_limit_gives_one_line_and_status_2(
    tmp_path, table, capsys, monkeypatch
):
    from pyod_efficientgan.experiments import datasets

    monkeypatch.setattr(datasets, "MAX_HEADER_BYTES", 1000)
    wide = pd.DataFrame(np.zeros((3, 400)), columns=[f"column{i}" for i in range(400)])
    wide["outlier"] = [0, 0, 1]
    wide.to_csv(tmp_path / "t.csv", index=False)  # a header of about 4,000 bytes
    assert _bench(tmp_path) == 2
    assert "header line is longer than 1,000 bytes" in _one_line(capsys)
    table.to_csv(tmp_path / "t.csv", index=False)  # a short header reads as before
    assert _bench(tmp_path) == 0


def test_n_jobs_is_capped_at_the_number_of_tasks(monkeypatch):
    def no_pool(*args):
        raise AssertionError("a worker pool was started for one task")

    monkeypatch.setattr(harness, "_worker_pool", no_pool)
    X = np.r_[np.zeros((18, 2)), np.ones((2, 2)) * 9]
    y = np.r_[np.zeros(18, int), np.ones(2, int)]
    records = harness.run_benchmark(
        [Dataset("d", X, y, "test")], ["L1Norm"], n_runs=1, n_jobs=8, progress=False
    )
    assert len(records) == 1 and np.isfinite(records["roc"]).all()
