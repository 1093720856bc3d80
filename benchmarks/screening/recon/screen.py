"""Screen EfficientGAN with an explicit reconstruction term, in both benchmark settings.

Usage::

    python screen.py GROUP OUT.csv [--n-jobs 2] [--runs 3] [--detectors NAME ...]

GROUP is ``screen`` (the 33 development sets the defaults were chosen on: PyOD's 17 ODDS sets
and their ADBench twins) or ``held-out`` (the 14 ADBench development sets with no ODDS
counterpart); see ``dev47/screen.py``'s ``HELD_OUT``. Exact twins (same rows and labels) run
once; the distinct sets are what the summaries count. Every set is first subsampled to at most
5,000 rows (stratified, seed 0).

For every set, repetition ``run`` (0..runs-1) and setting:

* ``contaminated``: PyOD's protocol, as ``harness.run_task``: 60/40 split with
  ``harness.split_seed(0, run)``, standardised on the training part, every detector fitted on
  all training rows;
* ``clean``: the same split, the training part's outliers dropped, standardised on the rest,
  every detector fitted on the training inliers (the paper's KDD99 setting, ADBench's
  semi-supervised one); the whole test part is scored.

Detectors are :data:`CANDIDATES` (EfficientGAN variants, all seeded
``harness.detector_seed(0, run, "EfficientGAN")``) and PyOD's peers by harness name.
Records (one per set, run, setting and detector) are appended to OUT.csv as they finish.
Paths come from PYOD_EFFICIENTGAN_ODDS_DIR and PYOD_EFFICIENTGAN_ADBENCH_DIR.
"""

import argparse
import csv
import hashlib
import os
import sys
import time

import numpy as np

HELD_OUT = (
    "1_ALOI", "2_annthyroid", "4_breastw", "5_campaign", "8_celeba", "10_cover", "11_donors",
    "16_http", "17_InternetAds", "22_magic.gamma", "23_mammography", "33_skin", "34_smtp",
    "38_thyroid",
)  # fmt: skip
"""ADBench development sets with no counterpart among PyOD's 17 ODDS sets."""

MAX_ROWS = 5000
"""Rows kept of each set (stratified subsample, seed 0)."""

CANDIDATES = {
    # today's defaults: three members, 5000 shared steps, no reconstruction term
    "EGAN-default": ({}, {}),
    # one member ("auto": the bottleneck code), an explicit MSE cycle term, a short budget
    "EGAN-R1-1500": ({"n_estimators": 1, "reconstruction_weight": 1.0}, {"AUTO_MIN_STEPS": 1500}),
    "EGAN-R1-3000": ({"n_estimators": 1, "reconstruction_weight": 1.0}, {"AUTO_MIN_STEPS": 3000}),
    # the same with trimmed training (the reconstruction of outliers left out)
    "EGAN-R1-1500-trim": (
        {"n_estimators": 1, "reconstruction_weight": 1.0, "trim_share": "auto"},
        {"AUTO_MIN_STEPS": 1500},
    ),
}
"""Name -> (EfficientGAN parameters, constants of pyod_efficientgan.training)."""

SETTINGS = ("contaminated", "clean")

FIELDS = ("group", "dataset", "run", "setting", "detector", "roc", "prc", "time", "n_train",
          "error")  # fmt: skip


def load_group(group):
    from pyod_efficientgan.experiments.datasets import (
        ODDS_BENCHMARK,
        dataset_files,
        load_dataset,
        subsample,
    )  # fmt: skip

    datasets = [load_dataset(name, os.environ["PYOD_EFFICIENTGAN_ODDS_DIR"]) for name in ODDS_BENCHMARK]
    datasets += [load_dataset(p) for p in dataset_files(os.environ["PYOD_EFFICIENTGAN_ADBENCH_DIR"])]
    datasets = [subsample(d, MAX_ROWS) for d in datasets]
    held_out = [d for d in datasets if d.name in HELD_OUT]
    chosen = held_out if group == "held-out" else [d for d in datasets if d.name not in HELD_OUT]
    seen, distinct = set(), []
    for dataset in chosen:
        digest = hashlib.sha256(dataset.X.tobytes() + dataset.y.tobytes()).hexdigest()
        if digest not in seen:
            seen.add(digest)
            distinct.append(dataset)
    return distinct


def split(dataset, run, setting):
    """The training rows, test rows and test labels of one repetition and setting."""
    from pyod.utils.utility import standardizer
    from sklearn.model_selection import train_test_split

    from pyod_efficientgan.experiments import harness

    X_train, X_test, y_train, y_test = train_test_split(
        dataset.X, dataset.y, test_size=harness.TEST_SIZE, random_state=harness.split_seed(0, run)
    )
    contamination = harness._contamination(y_train)
    if setting == "clean":
        X_train = X_train[y_train == 0]
    X_train, X_test = standardizer(X_train, X_test)
    return X_train, X_test, y_test, contamination


def task(group, dataset, run, setting, name):
    from pyod_efficientgan import training
    from pyod_efficientgan.experiments import harness

    harness.limit_threads(1)
    harness.start_keras()
    record = {"group": group, "dataset": dataset.name, "run": run, "setting": setting,
              "detector": name, "error": ""}  # fmt: skip
    try:
        X_train, X_test, y_test, contamination = split(dataset, run, setting)
        record["n_train"] = len(X_train)
        if name in CANDIDATES:
            params, constants = CANDIDATES[name]
            saved = {key: getattr(training, key) for key in constants}
            for key, value in constants.items():
                setattr(training, key, value)
            try:
                seed = harness.detector_seed(0, run, "EfficientGAN")
                detector = harness.make_detector("EfficientGAN", contamination, seed, **params)
                result = harness.evaluate(detector, X_train, X_test, y_test)
            finally:
                for key, value in saved.items():
                    setattr(training, key, value)
        else:
            seed = harness.detector_seed(0, run, name)
            detector = harness.make_detector(name, contamination, seed)
            result = harness.evaluate(detector, X_train, X_test, y_test)
        record.update(result)
    except Exception as error:  # recorded
        record.update(roc=np.nan, prc=np.nan, time=np.nan, error=f"{type(error).__name__}: {error}")
    return record


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("group", choices=["screen", "held-out"])
    parser.add_argument("out")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--detectors", nargs="+", default=list(CANDIDATES) + ["AutoEncoder", "IForest", "KNN"])
    args = parser.parse_args(argv)
    from joblib import Parallel, delayed

    datasets = sorted(load_group(args.group), key=lambda d: -d.n_samples * d.n_features)
    done = set()
    if os.path.exists(args.out):
        with open(args.out) as handle:
            done = {(r["dataset"], int(r["run"]), r["setting"], r["detector"]) for r in csv.DictReader(handle)}
    tasks = [(args.group, d, run, setting, name) for d in datasets for run in range(args.runs)
             for setting in SETTINGS for name in args.detectors
             if (d.name, run, setting, name) not in done]  # fmt: skip
    new_file = not os.path.exists(args.out)
    start = time.time()
    with open(args.out, "a", newline="") as handle:
        writer = csv.DictWriter(handle, FIELDS)
        if new_file:
            writer.writeheader()
        for record in Parallel(n_jobs=args.n_jobs, return_as="generator_unordered")(
            delayed(task)(*t) for t in tasks
        ):
            writer.writerow({key: record.get(key, "") for key in FIELDS})
            handle.flush()
    print(f"{args.out}: {len(tasks)} tasks in {time.time() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
