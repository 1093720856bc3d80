"""Speed and memory of EfficientGAN next to PyOD's AutoEncoder, ALAD and IForest.

Run with ``tox -e perf`` (or ``pytest benchmarks -s``). Every figure is measured in
this one run on the same data; the summary printed at the end gives each figure and
the ratio EfficientGAN / peer, and is also written to ``$PERF_OUT`` (default
``bench-out/perf.md``). Absolute times drift on a shared machine; ratios are the
point. Nothing here asserts a time.

Sizes can be scaled down for a smoke run with ``PERF_SCALE`` (default 1.0).
"""

import math
import os
import platform
import threading
import time

import numpy as np
import psutil
import pytest

SCALE = float(os.environ.get("PERF_SCALE", "1.0"))
N_TRAIN = int(100_000 * SCALE)
N_FEATURES = 121
N_SCORE = int(1_000_000 * SCALE)
N_MEMORY = int(2_000_000 * SCALE)
RESULTS = {}


def record(key, value, unit):
    RESULTS[key] = (value, unit)
    print(f"\n{key}: {value:,.1f} {unit}")


@pytest.fixture(scope="module")
def kdd_shaped():
    """KDD-shaped float32 data: min-max-like values in [0, 1)."""
    return np.random.default_rng(0).random((N_TRAIN, N_FEATURES), dtype=np.float32)


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


# -------------------------------------------------------------------- training
def efficientgan_epoch_function(X, batch_size):
    """A compiled BiGAN and a function that trains it for one epoch on X."""
    import keras

    from pyod_efficientgan import EfficientGAN
    from pyod_efficientgan.backends.tensorflow import training_batches as make_training_dataset

    detector = EfficientGAN(batch_size=batch_size, random_state=0)
    model = detector._build_model(X.shape[1], seed=0)
    steps = math.ceil(len(X) / batch_size)
    model.compile(
        d_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        g_optimizer=keras.optimizers.Adam(1e-3, beta_1=0.5),
        steps_per_execution=min(steps, 32),
    )
    dataset, _ = make_training_dataset(X, batch_size, seed=0)
    return lambda: model.fit(dataset, epochs=1, verbose=0, shuffle=False)


def autoencoder_epoch_function(X, batch_size):
    """PyOD's AutoEncoder (defaults) and a function that trains it for one epoch."""
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
    return lambda: detector.train(loader)


@pytest.mark.parametrize("batch_size", [50, 256, 512])
def test_training_throughput(benchmark, kdd_shaped, batch_size):
    epoch = efficientgan_epoch_function(kdd_shaped, batch_size)
    benchmark.pedantic(epoch, rounds=3, warmup_rounds=1)
    record(
        f"EfficientGAN train b{batch_size}",
        len(kdd_shaped) / benchmark.stats.stats.min,
        "samples/s",
    )


@pytest.mark.parametrize("batch_size", [50, 256])
def test_autoencoder_training_throughput(benchmark, kdd_shaped, batch_size):
    epoch = autoencoder_epoch_function(kdd_shaped, batch_size)
    benchmark.pedantic(epoch, rounds=3, warmup_rounds=1)
    trained = (len(kdd_shaped) // batch_size) * batch_size
    record(f"AutoEncoder train b{batch_size}", trained / benchmark.stats.stats.min, "samples/s")


def test_alad_training_throughput(benchmark, kdd_shaped):
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

    benchmark.pedantic(steps, rounds=3, warmup_rounds=1)
    record("ALAD train b50", n_steps * 50 / benchmark.stats.stats.min, "samples/s")


# --------------------------------------------------------------------- scoring
@pytest.fixture(scope="module")
def fitted_pair(kdd_shaped):
    from pyod.models.iforest import IForest

    from pyod_efficientgan import EfficientGAN

    subset = kdd_shaped[:20_000]
    gan = EfficientGAN(epochs=1, validation_size=0.0, random_state=0).fit(subset)
    forest = IForest(random_state=0).fit(subset)
    return gan, forest


@pytest.fixture(scope="module")
def score_rows():
    return np.random.default_rng(1).random((N_SCORE, N_FEATURES), dtype=np.float32)


def test_scoring_throughput(benchmark, fitted_pair, score_rows):
    benchmark.pedantic(
        fitted_pair[0].decision_function, args=(score_rows,), rounds=3, warmup_rounds=1
    )
    record("EfficientGAN score", len(score_rows) / benchmark.stats.stats.min, "samples/s")


def test_iforest_scoring_throughput(benchmark, fitted_pair, score_rows):
    benchmark.pedantic(
        fitted_pair[1].decision_function, args=(score_rows,), rounds=2, warmup_rounds=0
    )
    record("IForest score", len(score_rows) / benchmark.stats.stats.min, "samples/s")


def peak_rss_increase(function, *args):
    """Peak resident memory above the level before the call, sampled every 2 ms."""
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


def test_scoring_memory(fitted_pair):
    rows = np.random.default_rng(2).random((N_MEMORY, N_FEATURES), dtype=np.float32)
    gan = fitted_pair[0]
    gan.decision_function(rows[:1000])  # trace outside the measurement
    added = peak_rss_increase(gan.decision_function, rows)
    record(f"EfficientGAN score memory added ({N_MEMORY:,} rows)", added / 2**20, "MiB")
    record("input array", rows.nbytes / 2**20, "MiB")


# ------------------------------------------------------------------ small data
def test_small_data_fixed_cost(benchmark):
    from pyod_efficientgan import EfficientGAN

    X = np.random.default_rng(3).normal(size=(500, 10))

    def fit_and_score():
        EfficientGAN(random_state=0).fit(X).decision_function(X)

    benchmark.pedantic(fit_and_score, rounds=2, warmup_rounds=1)
    record("EfficientGAN default fit+score 500x10", benchmark.stats.stats.min, "s")


def test_autoencoder_small_data_fixed_cost(benchmark):
    from pyod.models.auto_encoder import AutoEncoder

    X = np.random.default_rng(3).normal(size=(500, 10))

    def fit_and_score():
        AutoEncoder(verbose=0).fit(X).decision_function(X)

    benchmark.pedantic(fit_and_score, rounds=2, warmup_rounds=1)
    record("AutoEncoder default fit+score 500x10", benchmark.stats.stats.min, "s")


# --------------------------------------------------------------------- summary
def ratio(numerator, denominator):
    if numerator in RESULTS and denominator in RESULTS:
        return RESULTS[numerator][0] / RESULTS[denominator][0]
    return float("nan")


def test_zz_summary(publish_report):
    """Print and write every figure and the ratios (runs last in this module)."""
    gemm = gemm_flops_per_second()
    flops = training_flops_per_sample(N_FEATURES)
    record("numpy float32 GEMM", gemm / 1e9, "GFLOP/s")
    record("model training FLOPs per sample", flops / 1e6, "MFLOP")
    limit = gemm / flops

    def ceiling(peer):
        """The ratio EfficientGAN would reach at 100 % of the GEMM limit."""
        return limit / RESULTS[peer][0] if peer in RESULTS else float("nan")

    lines = [
        "| figure | value | unit |",
        "|---|---:|---|",
        *(f"| {key} | {value:,.2f} | {unit} |" for key, (value, unit) in RESULTS.items()),
        "",
        "| ratio | value | target | ceiling: at 100 % of the GEMM limit |",
        "|---|---:|---|---:|",
        f"| train b50: EfficientGAN / AutoEncoder | {ratio('EfficientGAN train b50', 'AutoEncoder train b50'):.2f} | >= 10 | {ceiling('AutoEncoder train b50'):.2f} |",
        f"| train b50: EfficientGAN / ALAD | {ratio('EfficientGAN train b50', 'ALAD train b50'):.2f} | >= 20 | {ceiling('ALAD train b50'):.2f} |",
        f"| train b256: EfficientGAN / AutoEncoder | {ratio('EfficientGAN train b256', 'AutoEncoder train b256'):.2f} | >= 3 | {ceiling('AutoEncoder train b256'):.2f} |",
        f"| train b512: share of GEMM limit ({limit:,.0f} samples/s) | "
        f"{RESULTS.get('EfficientGAN train b512', (float('nan'),))[0] / limit:.3f} | >= 0.25 | 1 |",
        f"| score: EfficientGAN / IForest | {ratio('EfficientGAN score', 'IForest score'):.2f} | >= 1.5 | |",
        f"| small data: AutoEncoder time / EfficientGAN time | "
        f"{ratio('AutoEncoder default fit+score 500x10', 'EfficientGAN default fit+score 500x10'):.2f} | >= 1 | |",
        "",
        "The ceiling column is the GEMM limit (this machine's numpy float32 matrix-multiply rate "
        "divided by the model's training FLOPs per sample) over the peer's measured rate: no "
        "implementation of the paper's networks can pass it on this machine.",
        "",
        f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}; "
        f"N_TRAIN={N_TRAIN:,}, N_SCORE={N_SCORE:,}, N_MEMORY={N_MEMORY:,} (PERF_SCALE={SCALE}).",
    ]
    out = publish_report("\n".join(lines), "PERF_OUT", "perf.md")
    assert out.exists()
