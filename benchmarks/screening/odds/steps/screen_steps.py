"""Screen EfficientGAN's training step budget (``AUTO_MIN_STEPS``) in the harness's protocol.

Based on ``benchmarks/screening/odds/dev47/screen.py``: the same 47 development sets (PyOD's 17
ODDS sets and the 30 ADBench Classical sets, those above 50,000 rows subsampled to 50,000 rows
with seed 0), the same split of them into ``screen`` (33 sets, where choices are made) and
``held-out`` (the 14 ADBench sets with no ODDS counterpart), and the same skipping of the 12
exact ADBench copies of ODDS sets (their result is copied). Unlike that screen, each set is run
for several repetitions (``--runs``, default 0 1 2): repetition ``r`` calls
``harness.run_task(dataset, r, name, 0, params)``, so it has the split and detector seed of
repetition ``r`` of ``pyod-efficientgan bench --seed 0``.

Two modes:

``efficientgan``
    one candidate: ``--min-steps N`` sets ``AUTO_MIN_STEPS`` in ``pyod_efficientgan.schedule``
    and ``pyod_efficientgan.detector`` (the budget of optimizer steps of ``epochs="auto"``,
    shared by the ``n_estimators`` members), ``--max-epochs`` likewise ``AUTO_MAX_EPOCHS``;
    further ``PARAM=VALUE`` arguments are EfficientGAN constructor arguments.
``peers``
    the PyOD detectors ``--detectors`` (default IForest ECOD KNN MCD) on the same splits.

One process, one thread (``harness.limit_threads(1)``). Records are appended to OUT.csv as
they finish, and a rerun with the same OUT.csv skips the (dataset, detector, run) already
there, so a stopped run can be resumed. Tasks run repetition by repetition (all sets of
repetition 0 first), smallest sets first, so that a partial file is usable.

Usage::

    python screen_steps.py efficientgan GROUP OUT.csv --min-steps N [--runs 0 1 2] [PARAM=VALUE ...]
    python screen_steps.py peers GROUP OUT.csv [--detectors IForest ECOD KNN MCD]

Paths come from PYOD_EFFICIENTGAN_ODDS_DIR and PYOD_EFFICIENTGAN_ADBENCH_DIR.
"""

import argparse
import ast
import csv
import os
import sys
import time
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "dev47"))

from screen import HELD_OUT, exact_twins, load_group  # noqa: E402

FIELDS = (
    "dataset", "detector", "run", "split_seed", "seed", "roc", "prc", "time", "error",
    "copied_from", "candidate", "min_steps", "max_epochs", "params", "finished",
)  # fmt: skip
PEERS = ("IForest", "ECOD", "KNN", "MCD")


def _set_constants(min_steps, max_epochs):
    from pyod_efficientgan import detector
    from pyod_efficientgan import training as schedule  # the epoch schedule (schedule.py before)

    settings = []
    if min_steps is not None:
        settings.append(("AUTO_MIN_STEPS", min_steps))
    if max_epochs is not None:
        settings.append(("AUTO_MAX_EPOCHS", max_epochs))
    for name, value in settings:
        # the epoch schedule's constants live in schedule (detector re-exports them): set both
        for module in (detector, schedule):
            if hasattr(module, name):
                setattr(module, name, value)
    assert min_steps is None or schedule.AUTO_MIN_STEPS == min_steps


def _done(path):
    if not os.path.exists(path):
        return set()
    with open(path, newline="") as handle:
        return {(row["dataset"], row["detector"], int(row["run"])) for row in csv.DictReader(handle)}


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["efficientgan", "peers"])
    parser.add_argument("group", choices=["screen", "held-out", "all"])
    parser.add_argument("out")
    parser.add_argument("--min-steps", type=int, default=None)
    parser.add_argument("--max-epochs", type=int, default=None)
    parser.add_argument("--runs", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--detectors", nargs="+", default=list(PEERS))
    parser.add_argument("--candidate", default=None, help="label written to the records")
    parser.add_argument("--exclude", nargs="+", default=[], help="dataset names not to run")
    parser.add_argument("params", nargs="*")
    args = parser.parse_intermixed_args(argv)
    params = {}
    for item in args.params:
        key, _, value = item.partition("=")
        try:
            params[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            params[key] = value

    from pyod_efficientgan.experiments import harness

    harness.limit_threads(1)
    if args.mode == "efficientgan":
        _set_constants(args.min_steps, args.max_epochs)
        names = ["EfficientGAN"]
        candidate = args.candidate or f"steps{args.min_steps}"
    else:
        names = list(args.detectors)
        candidate = args.candidate or "peers"

    datasets = sorted(load_group(args.group), key=lambda d: d.n_samples * d.n_features)
    twins = exact_twins(datasets)
    done = _done(args.out)
    new_file = not os.path.exists(args.out)
    start = time.time()
    with open(args.out, "a", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=FIELDS, extrasaction="ignore")
        if new_file:
            writer.writeheader()
        for run in args.runs:
            for dataset in datasets:
                if dataset.name in twins or dataset.name in args.exclude:
                    continue
                for name in names:
                    if (dataset.name, name, run) in done:
                        continue
                    record = harness.run_task(dataset, run, name, 0, params if name == "EfficientGAN" else None)
                    extra = {
                        "candidate": candidate, "min_steps": args.min_steps,
                        "max_epochs": args.max_epochs, "params": repr(params),
                        "finished": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
                    }  # fmt: skip
                    rows = [{**record, **extra, "copied_from": ""}]
                    rows += [
                        {**record, **extra, "dataset": twin, "copied_from": dataset.name}
                        for twin, original in twins.items()
                        if original == dataset.name and (twin, name, run) not in done
                    ]
                    writer.writerows(rows)
                    handle.flush()
                    print(f"{time.time() - start:7.0f}s run {run} {name:12s} {dataset.name:22s} "
                          f"roc {record['roc']:.4f} time {record['time']:.1f}"
                          + (f" ERROR {record['error']}" if record["error"] else ""), flush=True)
    print(f"done {args.out}: wall {time.time() - start:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
