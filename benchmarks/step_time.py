"""Time per training step of a default fit, on the Keras backend ``KERAS_BACKEND`` selects.

Run ``python benchmarks/step_time.py``: after one warm-up fit, it fits ``EfficientGAN()``
(the default three members) for ``--epochs`` epochs on PyOD's ``generate_data`` 500 x 10 rows
(seed 0) ``--fits`` times and prints, per fit, the wall-clock and the CPU time (this
process's, all threads) divided by the steps trained. CPU time moves less than wall-clock
time when the machine is shared; with ``OMP_NUM_THREADS=1`` the two should agree. To compare
two versions of the package, run it alternately with ``PYTHONPATH`` pointing at each
checkout. Nothing here asserts a time.
"""

import argparse
import statistics
import time


def main(argv=None):
    """Fit, time and print as the module docstring says; return the per-step CPU times (ms)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30, help="epochs per timed fit")
    parser.add_argument("--fits", type=int, default=3, help="timed fits")
    args = parser.parse_args(argv)

    import keras
    from pyod.utils.data import generate_data

    from pyod_efficientgan import EfficientGAN

    X, _ = generate_data(n_train=500, n_features=10, train_only=True, random_state=0)
    X = X.astype("float32")
    EfficientGAN(epochs=2, verbose=0, random_state=0).fit(X)
    cpu_ms = []
    for _ in range(args.fits):
        detector = EfficientGAN(epochs=args.epochs, verbose=0, random_state=0)
        wall, cpu = time.perf_counter(), time.process_time()
        detector.fit(X)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        steps = int(detector.model_.ema_steps.numpy())
        cpu_ms.append(1000 * cpu / steps)
        print(
            f"{keras.backend.backend()}: {steps} steps, {1000 * wall / steps:.2f} ms wall "
            f"and {cpu_ms[-1]:.2f} ms CPU per step of {len(detector.model_.members)} members"
        )
    print(f"median CPU per step: {statistics.median(cpu_ms):.2f} ms")
    return cpu_ms


if __name__ == "__main__":
    main()
