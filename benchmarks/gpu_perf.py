"""Throughput of EfficientGAN per Keras backend on a GPU, beside PyOD's AutoEncoder.

For each backend in ``--backends`` (default ``jax,torch,tensorflow``), in a
process of its own (Keras fixes its backend per process): trained samples per
second of the paper's single BiGAN on random N x 121 rows at batch 50, 512 and
4096, and ``decision_function`` rows per second of the default detector (three
BiGANs) on M x 121 rows; in one more process, which uses no Keras: PyOD's
AutoEncoder (torch) trained at batch 50 and 512 and its scoring rate, on the
same device. A backend whose import fails (TensorFlow is absent on the lent
H200) is reported as skipped. The models, their compilation and the
AutoEncoder's loop are ``benchmarks/test_perf.py``'s (its helpers are imported,
not copied), so a figure here means what the CPU table's figure of that name
means; only the sizes differ.

Each figure is a fixed number of steps (or rows), timed after a warm-up round
of the same call that compiles everything: the best of two timed rounds at
``--scale 1`` (one below). ``--scale`` sizes the steps (512 per batch size at
1, 8 at least) and the scored rows (1,000,000 at 1). Sized from the issue's
H200 figures: PyTorch at batch 50 runs about 3,800 samples/s (13 ms a step),
so three batch sizes of 3 x 512 steps take about 60 s, the default detector's
fit and three scoring rounds some 20 s more; JAX at batch 4096 runs about
2,000,000 samples/s (2 ms a step), so its training takes seconds and its
compilation most of its share. ``--budget-seconds`` (default 420) is the time
of all processes together: each process gets the time left over the processes
left, and one that outlasts it is stopped and reported as timed out with the
figures it had written (each process writes its JSON after every figure).
``--scale 0.01`` is a CPU smoke run of a minute or two per backend.

The parent prints one markdown table and writes it to ``--out`` (default
``$OUT/gpu_perf.md`` where ``$OUT`` is set, else ``bench-out/gpu_perf.md``),
the merged JSON beside it (``gpu_perf.json``) and the processes' output to
``gpu_perf.log``: three files, within what the device tool brings back. The
device names, versions, commit (``git rev-parse``; ``unknown`` where the tree
travels without ``.git``: pass ``--commit``) and date go under the table.

On the lent H200 (python3 3.12 with jax and torch for CUDA, numpy, scipy,
scikit-learn, pandas, numba, matplotlib, absl-py, rich, h5py, ml-dtypes,
pytest), only Keras, PyOD and two of Keras' needs are missing. Fetch their
wheels once, here, in the repository root (``/work/.library/device/README.md``)::

    echo /.whl/ >> .git/info/exclude
    python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 \\
      --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 \\
      --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \\
      -d .whl keras==3.15.1 pyod==3.6.7 namex==0.1.0 optree==0.20.0

(3.3 MB; keras needs absl-py, numpy, rich, namex, h5py, optree, ml-dtypes and
packaging, pyod needs joblib, matplotlib, numpy, numba, scipy and
scikit-learn, optree typing-extensions: the image has all the others). Then
one call of the device tool's ``run``, with ``carry=[".whl"]`` and
``timeout_s=600``; the package itself comes from the working tree that
travels, so the repository root goes on ``PYTHONPATH``::

    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \\
      --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site:$PWD || exit; \\
    export PYTHONUNBUFFERED=1; \\
    python3 benchmarks/gpu_perf.py --scale 1 --out $OUT/gpu_perf.md --commit HASH

with ``HASH`` the commit that travels (``git rev-parse --short HEAD`` here).
Commit the three files under ``docs/performance/`` (as
``gpu_perf-<commit>-h200.md`` and so on).
"""

import argparse
import datetime
import importlib
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))  # also under PYTHONSAFEPATH
import test_perf as perf  # noqa: E402

BACKENDS = ("jax", "torch", "tensorflow")
TRAIN_BATCH_SIZES = (50, 512, 4096)
PEER_BATCH_SIZES = (50, 512)
N_FEATURES = perf.N_FEATURES
ROWS_PER_PASS = 262_144
"""Most rows of one pass over the training array; more steps are more passes over it."""
REFERENCE_B4096 = 10_000_000
"""Samples per second at batch 4096 that the issue "Fast where PyOD users run" sets beside JAX."""
PEERS = "peers"


def sizes_for(scale):
    """Steps, rows and rounds of every figure at ``scale``."""
    return {
        "scale": scale,
        "steps": 8 * max(1, round(64 * scale)),
        "n_score": max(int(1_000_000 * scale), 10_000),
        "n_fit": max(int(20_000 * scale), 1_000),
        "rounds": 2 if scale >= 1 else 1,
    }


def steps_and_passes(steps, batch_size, block=32):
    """Batches per pass and passes for about ``steps`` steps.

    A pass is a whole number of full batches: all the steps when they are
    fewer than ``block`` (the JAX backend's steps per compiled call), else a
    multiple of ``block`` of at most :data:`ROWS_PER_PASS` rows.
    """
    per_pass = max(block, (ROWS_PER_PASS // batch_size) // block * block)
    per_pass = min(per_pass, steps)
    return per_pass, math.ceil(steps / per_pass)


def best_seconds(function, rounds):
    """The fastest of ``rounds`` timed calls, after one untimed warm-up call."""
    synced(function)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        synced(function)
        times.append(time.perf_counter() - start)
    return min(times)


def synced(function):
    """Call ``function``; a Keras History is read back, which waits for the device."""
    result = function()
    for values in getattr(result, "history", {}).values():
        float(values[-1])
    return result


# ============================================================ one process: a part
class Part:
    """The figures of one process, written to JSON after each one."""

    def __init__(self, name, json_path, sizes):
        self.path = Path(json_path)
        self.payload = {"part": name, "status": "running", "sizes": sizes, "results": {}}
        self.save()

    def save(self):
        self.path.write_text(json.dumps(self.payload, indent=1) + "\n")

    def set(self, **fields):
        self.payload.update(fields)
        self.save()

    def record(self, key, value, unit, **details):
        self.payload["results"][key] = {"value": float(value), "unit": unit, **details}
        self.save()
        print(f"{self.payload['part']}: {key}: {value:,.2f} {unit} {details}", flush=True)


def _random_rows(n_rows, seed):
    return np.random.default_rng(seed).random((n_rows, N_FEATURES), dtype=np.float32)


def _torch_device():
    import torch

    if torch.cuda.is_available():
        return f"cuda: {torch.cuda.get_device_name(0)} (CUDA {torch.version.cuda})"
    return "cpu"


def _versions(names):
    return {name: getattr(importlib.import_module(name), "__version__", "?") for name in names}


def measure_backend(part, sizes):
    """The paper's BiGAN at each batch size, then the default detector's scoring."""
    try:
        import keras
    except Exception as error:  # a backend that is absent: TensorFlow on the H200
        part.set(status="skipped", reason=f"{type(error).__name__}: {error}")
        return
    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        device = ", ".join(f"{d.platform}: {d.device_kind}" for d in jax.devices())
        names = ["keras", "jax", "jaxlib"]
    elif backend == "torch":
        device = _torch_device()
        names = ["keras", "torch"]
    else:
        import tensorflow as tf

        gpus = tf.config.list_physical_devices("GPU")
        details = [tf.config.experimental.get_device_details(g).get("device_name") for g in gpus]
        device = ", ".join(f"gpu: {d}" for d in details) if gpus else "cpu"
        names = ["keras", "tensorflow"]
    part.set(device=device, versions=_versions([*names, "pyod", "numpy"]))
    rounds = sizes["rounds"]
    record_training(part, sizes, TRAIN_BATCH_SIZES, perf.efficientgan_epoch_function, "train")
    detector = perf.fit_default_detector(_random_rows(sizes["n_fit"], seed=2))
    rows = _random_rows(sizes["n_score"], seed=1)
    seconds = best_seconds(lambda: detector.decision_function(rows), rounds)
    part.record("score", len(rows) / seconds, "rows/s", rows=len(rows))


def record_training(part, sizes, batch_sizes, make_epoch, label):
    """Time ``make_epoch(X, batch_size, passes=...)`` at each batch size; record samples/s."""
    for batch_size in batch_sizes:
        per_pass, passes = steps_and_passes(sizes["steps"], batch_size)
        X = _random_rows(per_pass * batch_size, seed=0)
        epoch = make_epoch(X, batch_size, passes=passes)
        seconds = best_seconds(epoch, sizes["rounds"])
        trained = per_pass * passes
        part.record(
            f"{label} b{batch_size}",
            trained * batch_size / seconds,
            "samples/s",
            steps=trained,
            rows=len(X),
            ms_per_step=1e3 * seconds / trained,
        )


def measure_peers(part, sizes):
    """PyOD's AutoEncoder, trained at each batch size and scoring, on torch's device."""
    part.set(device=_torch_device(), versions=_versions(["pyod", "torch", "numpy"]))
    rounds = sizes["rounds"]
    record_training(
        part, sizes, PEER_BATCH_SIZES, perf.autoencoder_epoch_function, "AutoEncoder train"
    )
    detector = perf.fit_autoencoder(_random_rows(sizes["n_fit"], seed=2))
    part.set(device=f"{part.payload['device']}; AutoEncoder on {detector.device}")
    rows = _random_rows(sizes["n_score"], seed=1)
    seconds = best_seconds(lambda: detector.decision_function(rows), rounds)
    part.record("AutoEncoder score", len(rows) / seconds, "rows/s", rows=len(rows))


def run_part(name, json_path, scale):
    """Measure one part in this process (``KERAS_BACKEND`` set by the parent)."""
    part = Part(name, json_path, sizes_for(scale))
    try:
        (measure_peers if name == PEERS else measure_backend)(part, part.payload["sizes"])
    except Exception:
        part.set(status="failed", reason=traceback.format_exc(limit=3).strip().splitlines()[-1])
        raise
    if part.payload["status"] == "running":
        part.set(status="ok")
    return 0


# ======================================================================= the table
def _value(parts, name, key):
    entry = parts.get(name, {}).get("results", {}).get(key)
    return entry["value"] if entry else math.nan


def _status(payload, seconds):
    status = payload.get("status", "no output")
    if status == "timed out":
        return f"timed out after {seconds:.0f} s"
    if status in ("skipped", "failed"):
        return f"{status}: {payload.get('reason', '?')}"
    return status


def render(parts, backends, meta):
    """One markdown table: a column per backend and one for PyOD's AutoEncoder."""
    sizes = meta["sizes"]
    flops = perf.training_flops_per_sample(N_FEATURES)
    header = ["figure", *backends, "PyOD AutoEncoder", "unit"]
    lines = ["| " + " | ".join(header) + " |", "|---|" + "---:|" * (len(backends) + 1) + "---|"]

    def row(label, values, peer, unit):
        cells = [perf._number(v) for v in [*values, peer]]
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {unit} |")

    durations = meta["durations"]
    statuses = [_status(parts.get(b, {}), durations.get(b, 0)) for b in [*backends, PEERS]]
    lines.append("| status | " + " | ".join(statuses) + " |  |")
    devices = [parts.get(b, {}).get("device", "") for b in [*backends, PEERS]]
    lines.append("| device | " + " | ".join(devices) + " |  |")
    for batch in TRAIN_BATCH_SIZES:
        key = f"train b{batch}"
        values = [_value(parts, b, key) for b in backends]
        peer = _value(parts, PEERS, f"AutoEncoder {key}")
        steps = next(
            (parts[b]["results"][key]["steps"] for b in backends if key in _results(parts, b)),
            sizes["steps"],
        )
        row(f"train, batch {batch} ({steps} steps, the paper's BiGAN)", values, peer, "samples/s")
        ms = [_detail(parts, b, key, "ms_per_step") for b in [*backends, PEERS]]
        if batch in PEER_BATCH_SIZES:
            ms[-1] = _detail(parts, PEERS, f"AutoEncoder {key}", "ms_per_step")
        row("&nbsp;&nbsp;ms per step", ms[:-1], ms[-1], "ms")
        if math.isfinite(peer):
            row(f"&nbsp;&nbsp;speed / AutoEncoder b{batch}", [v / peer for v in values], 1, "x")
        if batch == 4096:
            reference = f"&nbsp;&nbsp;speed / {REFERENCE_B4096:,} samples/s"
            row(reference, [v / REFERENCE_B4096 for v in values], math.nan, "x")
            row("&nbsp;&nbsp;model TFLOP/s", [v * flops / 1e12 for v in values], math.nan, "")
    values = [_value(parts, b, "score") for b in backends]
    peer = _value(parts, PEERS, "AutoEncoder score")
    row(
        f"decision_function, {sizes['n_score']:,} x {N_FEATURES} (default detector)",
        values,
        peer,
        "rows/s",
    )
    if math.isfinite(peer):
        row("&nbsp;&nbsp;speed / AutoEncoder", [v / peer for v in values], 1, "x")

    versions = "; ".join(
        f"{name}: " + ", ".join(f"{k} {v}" for k, v in parts[name].get("versions", {}).items())
        for name in [*backends, PEERS]
        if name in parts
    )
    spent = ", ".join(f"{name} {seconds:.0f} s" for name, seconds in durations.items())
    notes = [
        "",
        "Training: the paper's single BiGAN (`EfficientGAN(latent_dim=32, n_estimators=1)`, "
        "compiled as `fit` compiles it, on the backend's own input pipeline) on random "
        f"rows x {N_FEATURES} (at most {ROWS_PER_PASS:,} rows, more steps being more passes); "
        "PyOD's AutoEncoder with its defaults, its own loop (`AutoEncoder.train`) over a "
        "shuffled `DataLoader`, at batch 50 and 512 only. Scoring: the default detector (three BiGANs) and the "
        f"AutoEncoder, each fitted for one epoch on {sizes['n_fit']:,} rows. Each figure is "
        f"the best of {sizes['rounds']} timed round(s) after a warm-up round. Model TFLOP/s: "
        f"samples/s x {flops / 1e6:.2f} MFLOP, the paper's networks' training FLOPs per sample "
        f"counted from the layer sizes; {REFERENCE_B4096:,} samples/s at batch 4096: the "
        'figure the issue "Fast where PyOD users run" sets beside JAX.',
        "",
        f"Host: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}. --scale {sizes['scale']}. Versions: {versions}.",
        "",
        f"Command: `{meta['command']}`; commit {meta['commit']}; started {meta['started']}; "
        f"budget {meta['budget']:.0f} s; processes: {spent}.",
    ]
    return "\n".join(lines + notes)


def _results(parts, name):
    return parts.get(name, {}).get("results", {})


def _detail(parts, name, key, field):
    return _results(parts, name).get(key, {}).get(field, math.nan)


# ======================================================================= the script
def default_out():
    folder = os.environ.get("OUT")
    return str(Path(folder) / "gpu_perf.md") if folder else "bench-out/gpu_perf.md"


def run_all(args, argv):
    """Run the peers and each backend in its own process within the budget; merge the table."""
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    log = out.with_suffix(".log")
    log.write_text("")
    commit = args.commit or perf._commit()
    meta = {
        "command": " ".join(["python benchmarks/gpu_perf.py", *argv]),
        "commit": "unknown" if commit == "?" else commit,
        "started": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "budget": args.budget_seconds,
        "sizes": sizes_for(args.scale),
        "durations": {},
    }
    parts = {}
    names = [PEERS, *backends]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        for index, name in enumerate(names):
            left = args.budget_seconds - (time.perf_counter() - started)
            share = max(left / (len(names) - index), 1.0)
            json_path = Path(folder) / f"{name}.json"
            env = {k: v for k, v in os.environ.items() if k != "PYTHONSAFEPATH"}
            if name != PEERS:
                env["KERAS_BACKEND"] = name
            command = [sys.executable, str(Path(__file__).resolve()), "--part", name]
            command += ["--json", str(json_path), "--scale", str(args.scale)]
            print(f"=== {name}: up to {share:.0f} s", flush=True)
            part_start = time.perf_counter()
            with log.open("a") as stream:
                stream.write(f"=== {name}\n")
                stream.flush()
                try:
                    completed = subprocess.run(
                        command, env=env, stdout=stream, stderr=subprocess.STDOUT, timeout=share
                    )
                    returncode = completed.returncode
                except subprocess.TimeoutExpired:
                    returncode = None
            meta["durations"][name] = time.perf_counter() - part_start
            payload = json.loads(json_path.read_text()) if json_path.exists() else {}
            if returncode is None:
                payload["status"] = "timed out"
            elif returncode != 0 and payload.get("status") in (None, "running", "ok"):
                payload.update(status="failed", reason=f"exit status {returncode}")
            parts[name] = payload
            status = _status(payload, meta["durations"][name])
            print(f"    {status} ({meta['durations'][name]:.0f} s)", flush=True)
            for key, entry in payload.get("results", {}).items():
                print(f"    {key}: {entry['value']:,.1f} {entry['unit']}", flush=True)
            if payload.get("status") == "failed":
                print("    (see " + str(log) + ")", flush=True)
    text = render(parts, backends, meta)
    print("\n" + text)
    out.write_text(text + "\n")
    out.with_suffix(".json").write_text(json.dumps({**meta, "parts": parts}, indent=1) + "\n")
    print(f"\nwritten to {out} (and {out.with_suffix('.json').name}, {log.name})")
    return 0 if all(parts[n].get("status") in ("ok", "skipped") for n in names) else 1


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--backends",
        default=",".join(BACKENDS),
        help="comma-separated Keras backends (default: %(default)s)",
    )
    parser.add_argument(
        "--scale", type=float, default=1.0, help="steps and rows; 1 fits 8 minutes on an H200"
    )
    parser.add_argument(
        "--budget-seconds",
        type=float,
        default=420.0,
        help="time of all processes together (default: %(default)s)",
    )
    parser.add_argument("--out", default=default_out(), help="default: %(default)s")
    parser.add_argument("--commit", help="the commit to name (default: git rev-parse)")
    parser.add_argument("--part", help=argparse.SUPPRESS)
    parser.add_argument("--json", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.part:
        return run_part(args.part, args.json, args.scale)
    return run_all(args, argv)


if __name__ == "__main__":
    sys.exit(main())
