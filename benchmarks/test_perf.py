"""Speed and memory of EfficientGAN on each Keras backend, next to PyOD's peers.

Run with ``tox -e perf``, which runs ``python benchmarks/test_perf.py``: a
Keras backend is fixed per process, so the script runs this file under pytest
once for the peers (tests ``test_peer_*``: PyOD's AutoEncoder, ALAD and
IForest, and the machine's matrix-multiply rate, none of which uses Keras) and
once per backend with ``KERAS_BACKEND`` set (tests ``test_backend_*``), each
process writing its figures to a JSON file; it then merges them into one
markdown table with a column per backend and the ratios to TensorFlow and to
the peers, prints it and writes it to ``$PERF_OUT`` (default
``bench-out/perf.md``; the JSON files lie beside it).

Every figure is measured on this machine in the same run, one process after
the other. Absolute times drift on a shared machine; ratios within one run are
the point. Nothing here asserts a time.

``PERF_SCALE`` (default 1.0) scales the row counts and, below 1, times one
round per figure instead of three: ``PERF_SCALE=0.05`` is a smoke run of a few
minutes. ``PERF_BACKENDS`` (default ``tensorflow,jax,torch``) picks the
backends. Running ``pytest benchmarks/test_perf.py -s`` directly measures the
backend Keras picks and the peers in one process and writes a one-column table.
"""

import argparse
import datetime
import json
import math
import os
import platform
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

SCALE = float(os.environ.get("PERF_SCALE", "1.0"))
FULL = SCALE >= 1
N_TRAIN = max(int(100_000 * SCALE), 1_000)
N_FEATURES = 121
N_SCORE = max(int(1_000_000 * SCALE), 10_000)
N_MEMORY = max(int(2_000_000 * SCALE), 20_000)
N_FIT_SUBSET = min(20_000, N_TRAIN)
SMALL_SHAPE = (500, 10)
TRAIN_BATCH_SIZES = (50, 512)
ROUNDS, WARMUP_ROUNDS = (3, 1) if FULL else (1, 1)
SMALL_ROUNDS, SMALL_WARMUP_ROUNDS = (2, 1) if FULL else (1, 0)
BACKENDS = ("tensorflow", "jax", "torch")
PAPER_BIGAN = {"latent_dim": 32, "n_estimators": 1}
"""The paper's single BiGAN (its KDD networks are the detector's default widths)."""

RESULTS = {}


def record(key, value, unit):
    RESULTS[key] = {"value": float(value), "unit": unit}
    print(f"\n{key}: {value:,.2f} {unit}")


def rate(benchmark, n_rows):
    """Rows per second of the fastest timed round."""
    return n_rows / benchmark.stats.stats.min


@pytest.fixture(scope="module", autouse=True)
def results_file(publish_report):
    """After the module: write the figures to ``$PERF_JSON``, or publish a one-process table."""
    yield
    part = os.environ.get("PERF_PART") or _keras_backend_if_imported()
    payload = {"part": part, "results": dict(RESULTS), "versions": _versions(), **_sizes()}
    target = os.environ.get("PERF_JSON")
    if target:
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        Path(target).write_text(json.dumps(payload, indent=1) + "\n")
        return
    if RESULTS:  # run by pytest directly: the backend Keras picked, and the peers
        peers = {k: v for k, v in RESULTS.items() if k.startswith("peer ")}
        mine = {k: v for k, v in RESULTS.items() if k not in peers}
        parts = {"peers": {**payload, "results": peers}}
        if part and mine:
            parts[part] = {**payload, "results": mine}
        publish_report(render(parts, [part] if mine else []), "PERF_OUT", "perf.md")


def _keras_backend_if_imported():
    keras = sys.modules.get("keras")
    return keras.backend.backend() if keras is not None else None


def _versions():
    """Versions of Keras and the backend library in use (peers: torch), pyod and numpy."""
    keras = sys.modules.get("keras")
    names = ["keras", keras.backend.backend()] if keras is not None else ["torch"]
    versions = {}
    for name in [*names, "pyod", "numpy"]:
        module = sys.modules.get(name)
        if module is not None:
            versions[name] = getattr(module, "__version__", "?")
    return versions


def _sizes():
    return {
        "scale": SCALE,
        "n_train": N_TRAIN,
        "n_score": N_SCORE,
        "n_memory": N_MEMORY,
        "rounds": ROUNDS,
    }


@pytest.fixture(scope="module")
def kdd_shaped():
    """KDD-shaped float32 data: min-max-like values in [0, 1)."""
    return np.random.default_rng(0).random((N_TRAIN, N_FEATURES), dtype=np.float32)


@pytest.fixture(scope="module")
def score_rows():
    return np.random.default_rng(1).random((N_SCORE, N_FEATURES), dtype=np.float32)


@pytest.fixture(scope="module")
def small_rows():
    return np.random.default_rng(3).normal(size=SMALL_SHAPE)


# ------------------------------------------------------------------ model FLOPs
def dense_macs(widths):
    """Multiply-accumulates of a chain of dense layers with the given widths."""
    return sum(a * b for a, b in zip(widths[:-1], widths[1:]))


def training_flops_per_sample(
    n_features, latent_dim=32, encoder=(64,), generator=(64, 128), disc=(128, 128)
):
    """FLOPs of one trained sample in one BiGAN train step (2 FLOPs per MAC).

    Step 1 (D update): forward E, G and D twice, backward through D twice (weight
    and activation gradients: 2x forward). Step 2 (E+G update): the same forward,
    activation gradients through D twice (1x), weight and activation gradients of
    E and G (2x).
    """
    e = dense_macs([n_features, *encoder, latent_dim])
    g = dense_macs([latent_dim, *generator, n_features])
    branch, *joint = disc
    d = n_features * branch + latent_dim * branch + dense_macs([2 * branch, *joint, 1])
    forward = e + g + 2 * d
    d_step = forward + 2 * (2 * d)
    ge_step = forward + 2 * d + 2 * (e + g)
    return 2 * (d_step + ge_step)


def gemm_flops_per_second(size=2048, repeats=5):
    """This machine's float32 matrix-multiply rate, measured with numpy."""
    a = np.random.default_rng(0).random((size, size), dtype=np.float32)
    b = np.random.default_rng(1).random((size, size), dtype=np.float32)
    a @ b
    best = math.inf
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - start)
    return 2 * size**3 / best


def peak_rss_increase(function, *args):
    """Peak resident memory above the level before the call, sampled every 2 ms."""
    import psutil

    process = psutil.Process()
    baseline = process.memory_info().rss
    peak = baseline
    done = threading.Event()

    def sample():
        nonlocal peak
        while not done.is_set():
            peak = max(peak, process.memory_info().rss)
            time.sleep(0.002)

    sampler = threading.Thread(target=sample)
    sampler.start()
    try:
        function(*args)
    finally:
        done.set()
        sampler.join()
    return max(peak, process.memory_info().rss) - baseline


# ============================================================ EfficientGAN, per backend
def efficientgan_epoch_function(X, batch_size, passes=1):
    """The paper's BiGAN, compiled as ``fit`` compiles it, and one epoch of training on X.

    The detector is fitted for one epoch on two batches, which builds its
    networks exactly as ``fit`` does; its model is then compiled again with
    fresh optimizers and trained on the backend's own input pipeline. One
    epoch is ``passes`` passes over X (``ceil(len(X) / batch_size)`` steps each).
    """
    import keras

    from pyod_efficientgan import EfficientGAN, backends

    backend = backends.current()
    detector = EfficientGAN(**PAPER_BIGAN, epochs=1, batch_size=batch_size, random_state=0)
    model = detector.fit(X[: 2 * batch_size]).model_
    data, steps = backend.training_batches(X, batch_size, seed=0, passes=passes)
    batches = passes * math.ceil(len(X) / batch_size)
    model.compile(
        d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        steps_per_execution=backend.steps_per_execution(batches, 32),
    )
    return lambda: model.fit(data, epochs=1, steps_per_epoch=steps, verbose=0, shuffle=False)


@pytest.mark.parametrize("batch_size", TRAIN_BATCH_SIZES)
def test_backend_training_throughput(benchmark, kdd_shaped, batch_size):
    epoch = efficientgan_epoch_function(kdd_shaped, batch_size)
    benchmark.pedantic(epoch, rounds=ROUNDS, warmup_rounds=WARMUP_ROUNDS)
    record(f"train b{batch_size}", rate(benchmark, len(kdd_shaped)), "samples/s")


def fit_default_detector(X):
    """The default detector (an ensemble of three BiGANs), fitted for one epoch on X."""
    from pyod_efficientgan import EfficientGAN

    return EfficientGAN(epochs=1, random_state=0).fit(X)


@pytest.fixture(scope="module")
def fitted_default(kdd_shaped):
    """The default detector, one epoch on 20,000 rows."""
    return fit_default_detector(kdd_shaped[:N_FIT_SUBSET])


def test_backend_scoring_throughput(benchmark, fitted_default, score_rows):
    benchmark.pedantic(
        fitted_default.decision_function,
        args=(score_rows,),
        rounds=ROUNDS,
        warmup_rounds=WARMUP_ROUNDS,
    )
    record("score", rate(benchmark, len(score_rows)), "rows/s")


def test_backend_scoring_memory(fitted_default):
    rows = np.random.default_rng(2).random((N_MEMORY, N_FEATURES), dtype=np.float32)
    fitted_default.decision_function(rows[:1000])  # compile outside the measurement
    added = peak_rss_increase(fitted_default.decision_function, rows)
    record("score memory added", added / 2**20, "MiB")


def test_backend_small_data_fixed_cost(benchmark, small_rows):
    from pyod_efficientgan import EfficientGAN

    def fit_and_score():
        EfficientGAN(random_state=0).fit(small_rows).decision_function(small_rows)

    benchmark.pedantic(fit_and_score, rounds=SMALL_ROUNDS, warmup_rounds=SMALL_WARMUP_ROUNDS)
    record("default fit+score", benchmark.stats.stats.min, "s")


# ==================================================================== the peers, once
def autoencoder_epoch_function(X, batch_size, passes=1):
    """PyOD's AutoEncoder (defaults) and a function that trains it for ``passes`` epochs.

    Each epoch is ``len(X) // batch_size`` steps (the loader drops the last,
    smaller batch).
    """
    import torch
    from pyod.models.auto_encoder import AutoEncoder
    from pyod.utils.torch_utility import TorchDataset

    detector = AutoEncoder(epoch_num=1, batch_size=batch_size, verbose=0)
    detector.fit(X[: batch_size * 2])  # builds the model and optimizer
    loader = torch.utils.data.DataLoader(
        TorchDataset(X=X, y=None, mean=X.mean(axis=0), std=X.std(axis=0) + 1e-8),
        batch_size=batch_size,
        shuffle=True,
        drop_last=True,
    )
    detector.model.train()
    detector.epoch_num = passes  # AutoEncoder.train runs epoch_num passes over the loader
    return lambda: detector.train(loader)


@pytest.mark.parametrize("batch_size", TRAIN_BATCH_SIZES)
def test_peer_autoencoder_training_throughput(benchmark, kdd_shaped, batch_size):
    epoch = autoencoder_epoch_function(kdd_shaped, batch_size)
    benchmark.pedantic(epoch, rounds=ROUNDS, warmup_rounds=WARMUP_ROUNDS)
    trained = (len(kdd_shaped) // batch_size) * batch_size
    record(f"peer AutoEncoder train b{batch_size}", rate(benchmark, trained), "samples/s")


def test_peer_alad_training_throughput(benchmark, kdd_shaped):
    from pyod.models.alad import ALAD

    n_steps = 200
    detector = ALAD(epochs=1, batch_size=50, verbose=0)
    detector.fit(kdd_shaped[:1000])
    starts = [(i * 50) % (len(kdd_shaped) - 50) for i in range(n_steps)]
    batches = [kdd_shaped[start : start + 50] for start in starts]
    noise = np.random.default_rng(0).normal(size=(50, detector.latent_dim)).astype(np.float32)

    def steps():  # ALAD's own loop body: one batch per "epoch"
        for batch in batches:
            detector.train_step((batch, noise))

    benchmark.pedantic(steps, rounds=ROUNDS, warmup_rounds=WARMUP_ROUNDS)
    record("peer ALAD train b50", rate(benchmark, n_steps * 50), "samples/s")


def fit_autoencoder(X):
    """PyOD's AutoEncoder (defaults), fitted for one epoch on X."""
    from pyod.models.auto_encoder import AutoEncoder

    return AutoEncoder(epoch_num=1, verbose=0).fit(X)


@pytest.fixture(scope="module")
def fitted_peers(kdd_shaped):
    from pyod.models.iforest import IForest

    subset = kdd_shaped[:N_FIT_SUBSET]
    return {
        "AutoEncoder": fit_autoencoder(subset),
        "IForest": IForest(random_state=0).fit(subset),
    }


@pytest.mark.parametrize("peer", ["AutoEncoder", "IForest"])
def test_peer_scoring_throughput(benchmark, fitted_peers, score_rows, peer):
    benchmark.pedantic(
        fitted_peers[peer].decision_function, args=(score_rows,), rounds=2, warmup_rounds=0
    )
    record(f"peer {peer} score", rate(benchmark, len(score_rows)), "rows/s")


def test_peer_autoencoder_small_data_fixed_cost(benchmark, small_rows):
    from pyod.models.auto_encoder import AutoEncoder

    def fit_and_score():
        AutoEncoder(verbose=0).fit(small_rows).decision_function(small_rows)

    benchmark.pedantic(fit_and_score, rounds=SMALL_ROUNDS, warmup_rounds=SMALL_WARMUP_ROUNDS)
    record("peer AutoEncoder default fit+score", benchmark.stats.stats.min, "s")


def test_peer_machine():
    record("peer numpy float32 GEMM", gemm_flops_per_second() / 1e9, "GFLOP/s")
    record(
        "peer model training FLOPs per sample", training_flops_per_sample(N_FEATURES) / 1e6, "MFLOP"
    )
    record("peer input array for the memory figure", N_MEMORY * N_FEATURES * 4 / 2**20, "MiB")


# ======================================================================= the table
def _value(parts, part, key):
    entry = parts.get(part, {}).get("results", {}).get(key)
    return entry["value"] if entry else math.nan


def _number(value, digits=2):
    if value is None or not math.isfinite(value):
        return "n/a"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.2g}" if 0 < abs(value) < 0.1 else f"{value:,.{digits}f}"


def render(parts, backends, meta=None):
    """The markdown report: one column per backend, ratios, then the peers.

    Parameters
    ----------
    parts : dict
        ``part -> {"results": {key: {"value", "unit"}}, "versions": ...}`` for
        ``"peers"`` and each backend that ran; a missing backend shows "n/a".
    backends : list of str
        The backend columns, in order.
    meta : dict or None
        ``command``, ``commit``, ``started``, ``durations`` (seconds per part)
        and ``failed`` (parts whose process failed), written under the tables.
    """
    meta = meta or {}
    peers = parts.get("peers", {})
    sizes = next((parts[p] for p in [*backends, "peers"] if p in parts), {})
    n_train, n_score = sizes.get("n_train", N_TRAIN), sizes.get("n_score", N_SCORE)
    n_memory = sizes.get("n_memory", N_MEMORY)

    def peer(key):
        return _value(parts, "peers", f"peer {key}")

    gemm, flops = peer("numpy float32 GEMM") * 1e9, peer("model training FLOPs per sample") * 1e6
    limit = gemm / flops if flops else math.nan
    header = ["figure", *backends, "unit", "best"]
    lines = ["| " + " | ".join(header) + " |", "|---|" + "---:|" * len(backends) + "---|---|"]

    def row(label, values, unit, higher_is_better=None):
        best = ""
        finite = {b: v for b, v in zip(backends, values) if math.isfinite(v)}
        if higher_is_better is not None and len(finite) > 1:
            pick = max if higher_is_better else min
            best = pick(finite, key=finite.get)
        cells = [_number(v) for v in values]
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {unit} | {best} |")

    def speed_rows(key, label, unit, higher_is_better, references):
        values = [_value(parts, b, key) for b in backends]
        row(label, values, unit, higher_is_better)
        tensorflow = _value(parts, "tensorflow", key)
        ratios = [
            (v / tensorflow if higher_is_better else tensorflow / v) if v else math.nan
            for v in values
        ]
        row("&nbsp;&nbsp;speed / TensorFlow's", ratios, "x")
        for name, reference in references:
            ratios = [
                (v / reference if higher_is_better else reference / v) if v else math.nan
                for v in values
            ]
            row(f"&nbsp;&nbsp;speed / {name} ({_number(reference)} {unit})", ratios, "x")

    for batch in TRAIN_BATCH_SIZES:
        speed_rows(
            f"train b{batch}",
            f"train, batch {batch} ({n_train:,} x {N_FEATURES}, the paper's BiGAN)",
            "samples/s",
            True,
            [(f"AutoEncoder b{batch}", peer(f"AutoEncoder train b{batch}"))]
            + ([("ALAD b50", peer("ALAD train b50"))] if batch == 50 else []),
        )
    row(
        "&nbsp;&nbsp;share of the GEMM limit at batch 512",
        [_value(parts, b, "train b512") / limit for b in backends],
        "",
    )
    speed_rows(
        "default fit+score",
        f"default fit + score, {SMALL_SHAPE[0]} x {SMALL_SHAPE[1]} (time)",
        "s",
        False,
        [("AutoEncoder's defaults", peer("AutoEncoder default fit+score"))],
    )
    speed_rows(
        "score",
        f"decision_function, {n_score:,} x {N_FEATURES} (default detector)",
        "rows/s",
        True,
        [("AutoEncoder", peer("AutoEncoder score")), ("IForest", peer("IForest score"))],
    )
    values = [_value(parts, b, "score memory added") for b in backends]
    row(f"memory added by decision_function, {n_memory:,} rows", values, "MiB", False)

    peer_lines = ["| peer figure (measured once) | value | unit |", "|---|---:|---|"]
    for key, entry in peers.get("results", {}).items():
        name = key.removeprefix("peer ")
        peer_lines.append(f"| {name} | {_number(entry['value'])} | {entry['unit']} |")

    versions = "; ".join(
        f"{part}: " + ", ".join(f"{k} {v}" for k, v in parts[part].get("versions", {}).items())
        for part in [*backends, "peers"]
        if part in parts
    )
    durations = ", ".join(f"{p} {s:.0f} s" for p, s in meta.get("durations", {}).items())
    notes = [
        "",
        *peer_lines,
        "",
        "Ratios are speeds (higher: this backend is faster); for the fit + score time they are "
        "the inverse ratio of the times. Best: the fastest backend, or the one adding the least "
        "memory. The GEMM limit is this machine's numpy float32 "
        f"matrix-multiply rate over the model's training FLOPs per sample ({_number(limit)} "
        "samples/s): no implementation of the paper's networks passes it on this machine. "
        "Training: the paper's single BiGAN (`EfficientGAN(latent_dim=32, n_estimators=1)`), "
        "one epoch timed after a warm-up epoch, on the backend's own input pipeline; scoring: "
        f"the default detector fitted for one epoch on {N_FIT_SUBSET:,} rows.",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}. PERF_SCALE={sizes.get('scale', SCALE)} "
        f"({sizes.get('rounds', ROUNDS)} timed round(s) per figure). Versions: {versions}.",
    ]
    if meta:
        notes += [
            "",
            f"Command: `{meta.get('command', '')}`; commit {meta.get('commit', '?')}; "
            f"started {meta.get('started', '?')}; processes: {durations}.",
        ]
    if meta.get("failed"):
        notes += ["", f"**Failed processes** (their figures are n/a): {', '.join(meta['failed'])}."]
    return "\n".join(lines + notes)


# ======================================================================= the script
def _git(*args):
    root = Path(__file__).resolve().parent.parent
    completed = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    return completed.stdout.strip() if completed.returncode == 0 else None


def _commit():
    """The commit of the working tree, marked when tracked files differ from it."""
    commit = _git("rev-parse", "--short", "HEAD")
    if commit is None:
        return "?"
    return commit + (" (modified)" if _git("status", "--porcelain", "--untracked-files=no") else "")


def main(argv=None):
    """Run the peers and every backend in its own pytest process, then merge the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--backends",
        default=os.environ.get("PERF_BACKENDS", ",".join(BACKENDS)),
        help="comma-separated Keras backends (default: %(default)s)",
    )
    parser.add_argument("--out", default=os.environ.get("PERF_OUT", "bench-out/perf.md"))
    parser.add_argument("pytest_args", nargs="*", help="passed to each pytest process")
    args = parser.parse_args(argv)
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "command": " ".join(["python benchmarks/test_perf.py", *(argv or sys.argv[1:])]),
        "commit": _commit(),
        "started": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "durations": {},
        "failed": [],
    }
    parts = {}
    for part in ["peers", *backends]:
        json_path = out.with_name(f"{out.stem}-{part}.json")
        json_path.unlink(missing_ok=True)
        # -P semantics: the installed package, not the source tree in the working folder
        env = {**os.environ, "PERF_JSON": str(json_path), "PERF_PART": part, "PYTHONSAFEPATH": "1"}
        if part != "peers":
            env["KERAS_BACKEND"] = part
        selection = "test_peer_" if part == "peers" else "test_backend_"
        command = [sys.executable, "-m", "pytest", str(Path(__file__).resolve()), "-q", "-s"]
        command += ["-p", "no:cacheprovider", "-k", selection, "--benchmark-columns=min,mean,max"]
        print(f"\n=== {part}: {' '.join(command[2:])}", flush=True)
        started = time.perf_counter()
        completed = subprocess.run([*command, *args.pytest_args], env=env)
        meta["durations"][part] = time.perf_counter() - started
        if completed.returncode != 0:
            meta["failed"].append(part)
        if json_path.exists():
            parts[part] = json.loads(json_path.read_text())
    text = render(parts, backends, meta)
    print("\n" + text)
    out.write_text(text + "\n")
    print(f"\nwritten to {out}")
    return 1 if meta["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
