"""A forked child of a process that ran TensorFlow or JAX gets a clear error, not a hang.

Each case runs in a fresh interpreter under a timeout, so a hang fails the
test instead of blocking the suite.
"""

import json
import os
import subprocess
import sys
import textwrap

import pytest

from pyod_efficientgan import backends

SCRIPT = textwrap.dedent(
    """
    import json, multiprocessing, pickle, sys
    import numpy as np
    from pyod_efficientgan import EfficientGAN

    X = np.random.RandomState(0).randn(60, 4)

    def tiny():
        return EfficientGAN(epochs=1, latent_dim=2, encoder_units=(8,), generator_units=(8,),
                            discriminator_units=(8, 8), n_estimators=1, random_state=0)

    def attempt(queue, job, payload):
        try:
            if job == "score":
                result = pickle.loads(payload).decision_function(X).tolist()
            elif job == "fit":
                result = tiny().fit(X).decision_scores_.tolist()
            else:  # the detector inherited from the parent, as a forked child sees it
                result = DETECTOR.decision_function(X).tolist()
            queue.put(["ok", result])
        except BaseException as error:
            queue.put(["error", f"{type(error).__name__}: {error}"])

    def in_child(method, job, payload=None):
        context = multiprocessing.get_context(method)
        queue = context.Queue()
        child = context.Process(target=attempt, args=(queue, job, payload))
        child.start()
        child.join(90)
        if child.is_alive():
            child.kill()
            return ["hang", None]
        return queue.get(timeout=10)

    if __name__ == "__main__":
        out = {"before_use": in_child("fork", "fit")}  # nothing ran here yet: works
        DETECTOR = tiny().fit(X)
        out["scores"] = DETECTOR.decision_function(X).tolist()
        for job in ("inherited", "score", "fit"):
            out[job] = in_child("fork", job, pickle.dumps(DETECTOR))
        out["spawn"] = in_child(sys.argv[1], "score", pickle.dumps(DETECTOR))
        print("RESULT" + json.dumps(out))
    """
)


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    script = tmp_path_factory.mktemp("fork") / "fork_case.py"
    script.write_text(SCRIPT)
    env = {**os.environ, "KERAS_BACKEND": backends.name(), "OMP_NUM_THREADS": "1"}
    completed = subprocess.run(
        [sys.executable, str(script), "spawn"],
        capture_output=True,
        text=True,
        timeout=500,
        env=env,
    )
    lines = [line for line in completed.stdout.splitlines() if line.startswith("RESULT")]
    assert completed.returncode == 0 and lines, completed.stderr[-3000:]
    return json.loads(lines[-1][len("RESULT") :])


def test_a_child_forked_before_any_computation_works(outcomes):
    assert outcomes["before_use"][0] == "ok", outcomes["before_use"]


@pytest.mark.parametrize("job", ["inherited", "score", "fit"])
def test_a_child_forked_after_use_raises_or_works_never_hangs(outcomes, job):
    status, result = outcomes[job]
    if backends.name() in ("tensorflow", "jax"):
        assert status == "error", outcomes[job]
        assert result.startswith("RuntimeError") and "'spawn'" in result
        assert "'forkserver'" in result and backends.name() in result
    else:  # PyTorch's runtime works in a forked child
        assert status == "ok", outcomes[job]
        if job != "fit":
            assert result == pytest.approx(outcomes["scores"], rel=1e-6, abs=1e-6)


def test_spawn_works_as_the_error_says(outcomes):
    status, result = outcomes["spawn"]
    assert status == "ok", outcomes["spawn"]
    assert result == pytest.approx(outcomes["scores"], rel=1e-6, abs=1e-6)
