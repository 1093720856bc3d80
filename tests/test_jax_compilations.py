"""On JAX, fits of the same parameters and shapes share the compiled training step and scoring."""

import logging

import keras
import numpy as np
import pytest
from tiny import tiny

pytestmark = pytest.mark.skipif(keras.backend.backend() != "jax", reason="JAX's compilations")


class _Messages(logging.Handler):
    def __init__(self):
        super().__init__()
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def _xla_compilations(action):
    """The names of the XLA compilations ``action()`` ran (from ``jax.log_compiles``)."""
    import jax

    handler = _Messages()
    logger = logging.getLogger("jax")
    logger.addHandler(handler)
    try:
        with jax.log_compiles():
            action()
    finally:
        logger.removeHandler(handler)
    return [m for m in handler.messages if m.startswith("Finished XLA compilation")]


def _rows(n_features, seed=0):
    return np.random.default_rng(seed).normal(size=(120, n_features))


def test_a_fit_of_the_same_shapes_compiles_nothing():
    X = _rows(5)
    tiny(random_state=0).fit(X).decision_function(X[:3])

    def another_seed():
        tiny(random_state=1).fit(_rows(5, seed=1)).decision_function(X[:3])

    assert _xla_compilations(another_seed) == []
    compiled = _xla_compilations(lambda: tiny(random_state=1).fit(_rows(6)))
    assert any("train_step" in message for message in compiled)


def test_a_reused_compilation_scores_as_a_new_one():
    from pyod_efficientgan.backends import jax_compilations

    X, X_test = _rows(5), _rows(5, seed=2)
    tiny(random_state=0).fit(X)
    reused = tiny(random_state=3).fit(X)
    assert jax_compilations.cached_programs() > 0
    jax_compilations.clear()
    assert jax_compilations.cached_programs() == 0
    new = tiny(random_state=3).fit(X)
    np.testing.assert_array_equal(reused.decision_scores_, new.decision_scores_)
    np.testing.assert_array_equal(reused.decision_function(X_test), new.decision_function(X_test))


def test_the_table_keeps_the_programs_used_last(monkeypatch):
    from pyod_efficientgan.backends import jax_compilations

    monkeypatch.setattr(jax_compilations, "MAX_PROGRAMS", 2)
    jax_compilations.clear()
    for n_features in (3, 4, 5):
        tiny(random_state=0).fit(_rows(n_features))
    assert jax_compilations.cached_programs() == 2
