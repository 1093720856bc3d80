"""Where a user's first default fit spends its time, per Keras backend.

Run ``python benchmarks/fit_profile.py`` (``tox -e perf`` runs it after ``test_perf.py``). For
each backend a fresh interpreter imports the package, fits ``EfficientGAN()`` with its
defaults on PyOD's ``generate_data`` 500 x 10 rows (seed 0) and scores them, then fits the
same shapes a second time, and reports the parts of the first fit:

- ``import``: importing Keras and the package;
- ``prepare``: ``fit`` up to Keras' ``fit``: validation, scaling, building the networks (on
  JAX this includes compiling each weight initializer once per shape);
- ``first call``: the first call of the compiled training function (tracing and compiling it,
  and its own steps);
- ``steps``: every later call of the training function (the optimizer steps);
- ``rounds``: the rest of Keras' ``fit``: its per-round loop, the input pipeline's iterator,
  the callbacks (divergence checks, history);
- ``after``: ``fit`` after training: scoring the training rows, the threshold;
- ``score``: ``decision_function`` on the 500 rows;
- on JAX, ``XLA compile``: the seconds XLA spent compiling, inside the parts above;
- ``second fit``: the same fit again in the same process (compiled shapes cached where the
  backend caches them).

Nothing here asserts a time. The table goes to stdout and to ``$PERF_PROFILE_OUT`` (default
``bench-out/fit-profile.md``); ``PERF_BACKENDS`` picks the backends.
"""

import inspect
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

BACKENDS = tuple(os.environ.get("PERF_BACKENDS", "tensorflow,jax,torch").split(","))
PARTS = (
    ("import", "import"),
    ("prepare", "prepare"),
    ("first_call", "first call (trace + compile + its steps)"),
    ("steps", "steps (later calls)"),
    ("rounds", "rounds (Keras' loop, iterator, callbacks)"),
    ("after", "after training (score training rows)"),
    ("score", "decision_function, 500 rows"),
    ("first_total", "first fit + score (fresh process)"),
    ("xla_compile", "of which XLA compiling (JAX)"),
    ("second_fit", "second fit, same shapes"),
)


def _profile_this_process():
    """Fit and score as described in the module docstring; return the parts in seconds."""
    started = time.perf_counter()
    import keras
    from pyod.utils.data import generate_data

    from pyod_efficientgan import EfficientGAN, training

    parts = {"import": time.perf_counter() - started}
    compile_seconds = []
    if keras.backend.backend() == "jax":
        import jax.monitoring

        compile_seconds.append(0.0)

        def on_duration(event, duration, **kwargs):
            if event.endswith("backend_compile_duration"):
                compile_seconds[0] += duration

        jax.monitoring.register_event_duration_secs_listener(on_duration)

    calls = []

    class CallTimes(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            calls.append([time.perf_counter(), None])

        def on_train_batch_end(self, batch, logs=None):
            calls[-1][1] = time.perf_counter()

    marks = {}
    train = training.train

    def timed_train(*args, **kwargs):
        marks["train_begin"] = time.perf_counter()
        bound = inspect.signature(train).bind(*args, **kwargs)
        bound.arguments["extra_callbacks"] = [
            *(bound.arguments.get("extra_callbacks") or []),
            CallTimes(),
        ]
        result = train(*bound.args, **bound.kwargs)
        marks["train_end"] = time.perf_counter()
        return result

    training.train = timed_train
    X, _, _, _ = generate_data(
        n_train=500, n_test=10, n_features=10, contamination=0.1, random_state=0
    )
    fit_begin = time.perf_counter()
    detector = EfficientGAN().fit(X)
    fit_end = time.perf_counter()
    detector.decision_function(X)
    score_end = time.perf_counter()
    durations = [end - begin for begin, end in calls]
    parts.update(
        prepare=marks["train_begin"] - fit_begin,
        first_call=durations[0],
        steps=sum(durations[1:]),
        rounds=(marks["train_end"] - marks["train_begin"]) - sum(durations),
        after=fit_end - marks["train_end"],
        score=score_end - fit_end,
        first_total=score_end - started,
        calls=len(durations),
        rounds_run=len(detector.history_["epoch"]),
    )
    parts["xla_compile"] = compile_seconds[0] if compile_seconds else float("nan")
    again = time.perf_counter()
    EfficientGAN().fit(X)
    parts["second_fit"] = time.perf_counter() - again
    return parts


def _run_backend(backend):
    env = dict(os.environ, KERAS_BACKEND=backend, PYTHONWARNINGS="ignore")
    completed = subprocess.run(
        [sys.executable, __file__, "--one"], env=env, capture_output=True, text=True, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"{backend}: {completed.stderr.strip().splitlines()[-1:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def render(results):
    """The markdown table: one column per backend."""
    lines = [
        "| part of a first default fit, 500 x 10 | " + " | ".join(results) + " | unit |",
        "|---|" + "---:|" * len(results) + "---|",
    ]
    for key, label in PARTS:
        values = " | ".join(f"{results[b][key]:.2f}" for b in results)
        lines.append(f"| {label} | {values} | s |")
    counts = " | ".join(f"{results[b]['calls']} / {results[b]['rounds_run']}" for b in results)
    lines.append(f"| training-function calls / rounds | {counts} |  |")
    return "\n".join(lines)


def main():
    if sys.argv[1:] == ["--one"]:
        print(json.dumps(_profile_this_process()))
        return 0
    results = {backend: _run_backend(backend) for backend in BACKENDS}
    table = render(results)
    header = (
        f"fit profile, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
        f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    text = f"{header}\n\n{table}\n"
    print(text)
    out = Path(os.environ.get("PERF_PROFILE_OUT", "bench-out/fit-profile.md"))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
