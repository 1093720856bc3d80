"""Trace EfficientGAN's per-row scores along training: one fit per (set, repetition).

For every set of GROUP (``screen``: the 33 sets choices are made on; ``held-out``: the 14
others; from ``benchmarks/screening/odds/dev47/screen.py``) and repetition ``r`` (``--runs``,
default 0 1 2), this reproduces the split, standardisation and detector seed of
``harness.run_task(dataset, r, "EfficientGAN", 0, {})`` step by step (``harness.split_seed``,
``harness.split_standardize``, ``harness._contamination``, ``harness.make_detector``), fits the
default EfficientGAN with a Keras callback (``EfficientGAN.fit(..., callbacks=[...])``) and
stores, at every *checkpoint*, member k's score ``A_k = 0.9 L_G + 0.1 L_D`` (test-time EMA
weights; ``ScoreFunction(model, "cross-entropy", 2, 0.9).member_components``) of every
training row and every test row.

Checkpoints: the end of every round (Keras epoch; ``history_``), and in between every 200
optimizer steps (first call of the compiled training function after each multiple of 200
steps; with 32 steps per call a probe lands within 31 steps after it). The last checkpoint is
the end of training: the final weights.

Rows are preprocessed as the detector does: the detector fits a ``StandardScaler`` on its
training rows (``rows.make_scaler("standard")``) and casts them to float32
(``rows.to_float32``); the callback uses its own scaler fitted the same way on the same rows,
and ``scorer.map_chunks`` with the detector's ``score_batch_size`` (the same chunking and
padding as ``decision_function``).

Check of every trace (stored in it and printed): the final checkpoint's score (members
standardised by their training-row mean and standard deviation, averaged) against
``detector.decision_function(X_test)`` (max absolute difference), and both ROC AUCs.
``summarize.py`` compares that ROC with the ``screen_steps5000.csv`` /
``heldout_steps5000.csv`` record of the same set and run.

One file per (set, run): ``TRACES/<set>__r<run>.npz`` (float32 scores, not committed). The 12
exact ADBench copies of ODDS sets are not run (``summarize.py`` copies their original).
Sets run smallest first, repetition by repetition; an existing file is skipped (resumable).

Usage::

    python trace.py GROUP TRACES_DIR [--runs 0 1 2] [--only NAME ...] [--exclude NAME ...]
"""

import argparse
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "dev47"))

from screen import exact_twins, load_group  # noqa: E402

PROBE_EVERY = 200
ALPHA = 0.9


def make_trace_callback(x_train, x_test, batch_size):
    import keras
    from keras import ops

    from pyod_efficientgan import backends
    from pyod_efficientgan.scorer import ScoreFunction, map_chunks

    class Trace(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.steps, self.round_end, self.a_train, self.a_test = [], [], [], []
            self.seconds = 0.0

        def on_train_begin(self, logs=None):
            self._function = ScoreFunction(self.model, "cross-entropy", 2, ALPHA)
            self._last = 0

        def _step(self):
            backends.current().sync_model_state(self.model)
            return int(ops.convert_to_numpy(self.model.ema_steps.value))

        def _members(self, x):
            def rows_first(chunk):
                g, d = self._function.member_components(chunk)
                return (ALPHA * g + (1.0 - ALPHA) * d).T  # (n, n_members)

            (a,) = map_chunks(rows_first, x, batch_size)
            return a.T  # (n_members, n)

        def _probe(self, round_end):
            start = time.perf_counter()
            step = self._step()
            self._last = step
            self.steps.append(step)
            self.round_end.append(round_end)
            self.a_train.append(self._members(x_train).astype(np.float32))
            self.a_test.append(self._members(x_test).astype(np.float32))
            self.seconds += time.perf_counter() - start

        def on_train_batch_end(self, batch, logs=None):
            if self._step() - self._last >= PROBE_EVERY:
                self._probe(False)

        def on_epoch_end(self, epoch, logs=None):
            if self._step() > self._last:
                self._probe(True)
            elif self.round_end:
                self.round_end[-1] = True

    return Trace()


def trace_one(dataset, run):
    from sklearn.metrics import roc_auc_score

    from pyod_efficientgan.experiments import harness
    from pyod_efficientgan.rows import make_scaler, to_float32

    name = "EfficientGAN"
    split_seed = harness.split_seed(0, run)
    seed = harness.detector_seed(0, run, name)
    X_train, X_test, y_train, y_test = harness.split_standardize(dataset.X, dataset.y, split_seed)
    if np.unique(y_test).size < 2:
        return None
    detector = harness.make_detector(name, harness._contamination(y_train), seed)
    scaler = make_scaler(detector.preprocessing).fit(np.asarray(X_train, dtype=np.float64))
    x_train, x_test = to_float32(scaler, X_train), to_float32(scaler, X_test)
    callback = make_trace_callback(x_train, x_test, detector.score_batch_size)
    start = time.perf_counter()
    detector.fit(X_train, callbacks=[callback])
    scores = np.asarray(detector.decision_function(X_test), dtype=np.float64)
    elapsed = time.perf_counter() - start
    a_train = np.stack(callback.a_train)  # (n_checkpoints, n_members, n_train)
    a_test = np.stack(callback.a_test)
    # the final checkpoint as the detector scores it: members standardised on the training rows
    last_train = a_train[-1].astype(np.float64)
    last_test = a_test[-1].astype(np.float64)
    final = ((last_test - last_train.mean(1, keepdims=True)) / last_train.std(1, keepdims=True)).mean(0)
    return {
        "steps": np.asarray(callback.steps),
        "round_end": np.asarray(callback.round_end),
        "a_train": a_train,
        "a_test": a_test,
        "y_train": y_train.astype(np.int8),
        "y_test": y_test.astype(np.int8),
        "detector_scores": scores,
        "roc_detector": roc_auc_score(y_test, scores),
        "roc_final_trace": roc_auc_score(y_test, final),
        "max_abs_diff": float(np.max(np.abs(final - scores))),
        "time": elapsed,
        "trace_seconds": callback.seconds,
        "epochs": detector.epochs_,
        "history_epoch": np.asarray(detector.history_["epoch"]),
        "split_seed": split_seed,
        "seed": seed,
    }


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("group", choices=["screen", "held-out", "all"])
    parser.add_argument("traces")
    parser.add_argument("--runs", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--only", nargs="+", default=None)
    parser.add_argument("--exclude", nargs="+", default=[])
    args = parser.parse_args(argv)

    from pyod_efficientgan import startup
    from pyod_efficientgan.experiments import harness

    harness.limit_threads(1)
    os.makedirs(args.traces, exist_ok=True)
    datasets = sorted(load_group(args.group), key=lambda d: d.n_samples * d.n_features)
    twins = exact_twins(datasets)
    start = time.time()
    for run in args.runs:
        for dataset in datasets:
            if dataset.name in twins or dataset.name in args.exclude:
                continue
            if args.only and dataset.name not in args.only:
                continue
            path = os.path.join(args.traces, f"{dataset.name}__r{run}.npz")
            if os.path.exists(path):
                continue
            with startup.without_retracing_warnings():
                result = trace_one(dataset, run)
            if result is None:
                print(f"run {run} {dataset.name}: no outlier in the test part, skipped", flush=True)
                continue
            np.savez_compressed(path + ".tmp.npz", **result)
            os.replace(path + ".tmp.npz", path)
            print(
                f"{time.time() - start:7.0f}s run {run} {dataset.name:22s} "
                f"roc {result['roc_detector']:.5f} trace-final {result['roc_final_trace']:.5f} "
                f"maxdiff {result['max_abs_diff']:.1e} checkpoints {len(result['steps'])} "
                f"steps {result['steps'][-1]} time {result['time']:.1f} "
                f"(probes {result['trace_seconds']:.1f})",
                flush=True,
            )
    print(f"done: wall {time.time() - start:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
