"""Screen one EfficientGAN variant on the development data, in the harness's protocol.

The data are the 47 development sets of ``pyod-efficientgan bench --data-dir ODDS --datasets all
ADBENCH_DEV --max-samples 50000`` (PyOD's 17 ODDS sets and the 30 ADBench Classical sets, those
above 50,000 rows subsampled with seed 0). Each variant is run through ``harness.run_task`` with
the detector name ``EfficientGAN``, base seed 0 and repetition 0, so it sees the same split and
seed as the ``EfficientGAN`` column of a harness run with ``--seed 0 --n-runs 1``.

GROUP selects the sets: ``screen`` (ODDS 17 and their ADBench twins, 33 sets: the ones choices
are made on), ``held-out`` (the 14 ADBench sets with no counterpart among the ODDS 17, looked at
only to check a choice) or ``all``.

Usage::

    python screen.py GROUP OUT.csv [--min-steps N] [--max-epochs N] [--n-jobs 2] [PARAM=VALUE ...]

``--min-steps`` and ``--max-epochs`` set ``detector.AUTO_MIN_STEPS`` and
``detector.AUTO_MAX_EPOCHS`` (the step budget and epoch cap of ``epochs="auto"``) in the
workers. Paths come from PYOD_EFFICIENTGAN_ODDS_DIR and PYOD_EFFICIENTGAN_ADBENCH_DIR.
"""

import argparse
import ast
import os
import sys
import time

import pandas as pd

HELD_OUT = (
    "1_ALOI", "2_annthyroid", "4_breastw", "5_campaign", "8_celeba", "10_cover", "11_donors",
    "16_http", "17_InternetAds", "22_magic.gamma", "23_mammography", "33_skin", "34_smtp",
    "38_thyroid",
)  # fmt: skip
"""ADBench development sets with no counterpart among PyOD's 17 ODDS sets."""


def load_group(group):
    from pyod_efficientgan.experiments.datasets import ODDS_BENCHMARK, dataset_files, load_dataset, subsample

    odds = os.environ["PYOD_EFFICIENTGAN_ODDS_DIR"]
    adbench = os.environ["PYOD_EFFICIENTGAN_ADBENCH_DIR"]
    datasets = [load_dataset(name, odds) for name in ODDS_BENCHMARK]
    datasets += [load_dataset(path) for path in dataset_files(adbench)]
    datasets = [subsample(d, 50_000) for d in datasets]
    if group == "screen":
        return [d for d in datasets if d.name not in HELD_OUT]
    if group == "held-out":
        return [d for d in datasets if d.name in HELD_OUT]
    return datasets


def exact_twins(datasets):
    """Map the name of every dataset whose rows and labels equal an earlier one's to that name.

    Twelve ADBench sets are byte-for-byte copies of ODDS sets (same rows, labels and order), so
    the harness's protocol gives them the same split, seed and result; a screen runs one of
    each pair and copies the result to the other.
    """
    import hashlib

    seen, twins = {}, {}
    for dataset in datasets:
        digest = hashlib.sha256(dataset.X.tobytes() + dataset.y.tobytes()).hexdigest()
        if digest in seen:
            twins[dataset.name] = seen[digest]
        else:
            seen[digest] = dataset.name
    return twins


def _task(dataset, params, min_steps, max_epochs, constants=()):
    from pyod_efficientgan import detector
    from pyod_efficientgan import training as schedule  # the epoch schedule (schedule.py before)
    from pyod_efficientgan.experiments import harness

    harness.limit_threads(1)
    settings = list(constants)
    if min_steps is not None:
        settings.append(("AUTO_MIN_STEPS", min_steps))
    if max_epochs is not None:
        settings.append(("AUTO_MAX_EPOCHS", max_epochs))
    for name, value in settings:
        # the epoch schedule's constants live in schedule (detector re-exports them): set both
        for module in (detector, schedule):
            if hasattr(module, name):
                setattr(module, name, value)
    return harness.run_task(dataset, 0, "EfficientGAN", 0, params)


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("group", choices=["screen", "held-out", "all"])
    parser.add_argument("out")
    parser.add_argument("--min-steps", type=int, default=None)
    parser.add_argument("--max-epochs", type=int, default=None)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--set", action="append", default=[], metavar="CONSTANT=VALUE",
                        help="a module constant of pyod_efficientgan.detector or .schedule")
    parser.add_argument("params", nargs="*")
    args = parser.parse_intermixed_args(argv)
    params = {}
    for item in args.params:
        key, _, value = item.partition("=")
        try:
            params[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            params[key] = value
    constants = []
    for item in args.set:
        key, _, value = item.partition("=")
        constants.append((key, ast.literal_eval(value)))
    from joblib import Parallel, delayed

    datasets = sorted(load_group(args.group), key=lambda d: -d.n_samples * d.n_features)
    twins = exact_twins(datasets)
    start = time.time()
    records = Parallel(n_jobs=args.n_jobs)(
        delayed(_task)(d, params, args.min_steps, args.max_epochs, constants)
        for d in datasets
        if d.name not in twins
    )
    by_name = {record["dataset"]: record for record in records}
    records += [{**by_name[twin], "dataset": name, "copied_from": twin} for name, twin in twins.items()]
    frame = pd.DataFrame.from_records(records)
    frame["params"] = repr(params)
    frame["min_steps"] = args.min_steps
    frame["max_epochs"] = args.max_epochs
    frame["constants"] = repr(constants)
    frame.to_csv(args.out, index=False)
    print(f"{args.out}: mean ROC {frame['roc'].mean():.4f} on {frame['roc'].notna().sum()} sets, "
          f"mean time {frame['time'].mean():.1f} s, wall {time.time() - start:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
