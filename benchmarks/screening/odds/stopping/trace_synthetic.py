"""``trace.py`` plus synthetic anomalies scored at every checkpoint (issue 23, third look).

Same sets, splits, detector seeds, checkpoints, preprocessing and check as ``trace.py`` (this
file copies its callback and ``trace_one`` and extends them); in addition, once per fit, two
sets of SYNTHETIC rows are made from the TRAINING rows only, in the space of the rows handed
to ``fit`` (after the harness's standardisation, before the detector's own ``StandardScaler``),
never trained on, and scored at every checkpoint like the test rows (member ``A_k``):

``uniform``   ``n_syn`` rows uniform in the training rows' per-feature [min, max], widened by
              10 % of the range on each side.
``shuffled``  copies of ``n_syn`` random training rows in which a random half of the features
              (``max(1, d // 2)`` of the d features) take the value of that feature in another
              random training row (an independent donor per replaced feature, never the row
              itself): local anomalies that break the dependencies between features.

``n_syn = min(max(100, n_train // 10), 2000)`` for each. Random numbers:
``np.random.default_rng([split_seed, 23])`` (the harness's split seed of the fit), uniform
rows drawn first, then the shuffled ones. The synthetic rows go through the same scaler and
``to_float32`` as the test rows.

Stored per fit (``TRACES/<set>__r<run>.npz``): everything ``trace.py`` stores, plus ``a_uniform``
and ``a_shuffled`` (n_checkpoints, n_members, n_syn), ``x_uniform``/``x_shuffled`` are not
stored (reproducible from the seed). Usage::

    python trace_synthetic.py GROUP TRACES_DIR [--runs 0 1 2] [--only NAME ...] [--exclude NAME ...]
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
SYN_SEED_TAG = 23


def n_synthetic(n_train):
    return int(min(max(100, n_train // 10), 2000))


def synthetic_rows(X_train, split_seed):
    """The two synthetic sets from the training rows (harness-standardised space)."""
    X = np.asarray(X_train, dtype=np.float64)
    n, d = X.shape
    n_syn = n_synthetic(n)
    rng = np.random.default_rng([split_seed, SYN_SEED_TAG])
    lo, hi = X.min(0), X.max(0)
    width = hi - lo
    uniform = rng.uniform(lo - 0.1 * width, hi + 0.1 * width, size=(n_syn, d))
    base = rng.integers(n, size=n_syn)
    k = max(1, d // 2)
    ranks = np.argsort(rng.random((n_syn, d)), axis=1).argsort(axis=1)
    replace = ranks < k  # k random features per row
    donors = rng.integers(n - 1, size=(n_syn, d))
    donors += donors >= base[:, None]  # another row than the base row
    shuffled = X[base].copy()
    donor_values = X[donors, np.arange(d)[None, :]]
    shuffled[replace] = donor_values[replace]
    return uniform, shuffled


def make_trace_callback(x_train, x_test, extra, batch_size):
    import keras
    from keras import ops

    from pyod_efficientgan import backends
    from pyod_efficientgan.scorer import ScoreFunction, map_chunks

    class Trace(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.steps, self.round_end, self.a_train, self.a_test = [], [], [], []
            self.a_extra = {name: [] for name in extra}
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
            for name, x in extra.items():
                self.a_extra[name].append(self._members(x).astype(np.float32))
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
    uniform, shuffled = synthetic_rows(X_train, split_seed)
    detector = harness.make_detector(name, harness._contamination(y_train), seed)
    scaler = make_scaler(detector.preprocessing).fit(np.asarray(X_train, dtype=np.float64))
    x_train, x_test = to_float32(scaler, X_train), to_float32(scaler, X_test)
    extra = {"uniform": to_float32(scaler, uniform), "shuffled": to_float32(scaler, shuffled)}
    callback = make_trace_callback(x_train, x_test, extra, detector.score_batch_size)
    start = time.perf_counter()
    detector.fit(X_train, callbacks=[callback])
    scores = np.asarray(detector.decision_function(X_test), dtype=np.float64)
    elapsed = time.perf_counter() - start
    a_train = np.stack(callback.a_train)  # (n_checkpoints, n_members, n_train)
    a_test = np.stack(callback.a_test)
    last_train = a_train[-1].astype(np.float64)
    last_test = a_test[-1].astype(np.float64)
    final = ((last_test - last_train.mean(1, keepdims=True)) / last_train.std(1, keepdims=True)).mean(0)
    return {
        "steps": np.asarray(callback.steps),
        "round_end": np.asarray(callback.round_end),
        "a_train": a_train,
        "a_test": a_test,
        "a_uniform": np.stack(callback.a_extra["uniform"]),
        "a_shuffled": np.stack(callback.a_extra["shuffled"]),
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
        "n_syn": len(uniform),
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
                f"steps {result['steps'][-1]} n_syn {result['n_syn']} time {result['time']:.1f} "
                f"(probes {result['trace_seconds']:.1f})",
                flush=True,
            )
    print(f"done: wall {time.time() - start:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
