"""A clear error, not a hang, in a forked child of a process that ran TensorFlow or JAX.

TensorFlow's and JAX's runtimes start thread pools on their first computation;
a child made by ``os.fork`` (``multiprocessing``'s "fork" context, Python
3.11's default on Linux) inherits their locks but not their threads and waits
on them forever, whether it scores or fits. PyTorch's CPU runtime works in such
a child. :func:`check_not_forked` runs before the detector computes: the first
call in a process registers an ``os.register_at_fork`` hook, so a child forked
after that raises instead; a child forked before any computation works, as it
does (the runtime starts anew in it).
"""

import os

HANGING_BACKENDS = ("tensorflow", "jax")
"""The Keras backends whose runtime hangs in a forked child once it has run."""

_forked_after_use = False
_hooked = False


def _mark_child():
    global _forked_after_use
    _forked_after_use = True


def check_not_forked(backend):
    """Refuse to compute in a forked child of a process that used ``backend``.

    Parameters
    ----------
    backend : str
        The Keras backend's name.

    Raises
    ------
    RuntimeError
        In a process forked (``os.fork``) after TensorFlow or JAX computed
        for a detector in its parent, naming the start methods that work.
    """
    global _hooked
    if backend not in HANGING_BACKENDS:
        return
    if _forked_after_use:
        raise RuntimeError(
            f"EfficientGAN cannot compute with the {backend} backend in a process forked "
            f"after {backend} ran in its parent: {backend}'s runtime would wait forever on "
            "threads the fork did not copy. Start workers with the 'spawn' or 'forkserver' "
            "method (multiprocessing.get_context('spawn'), joblib's default loky backend), "
            "or use the torch backend."
        )
    if not _hooked:
        os.register_at_fork(after_in_child=_mark_child)
        _hooked = True
