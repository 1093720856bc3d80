"""The fits whose scores tests/test_reference_fits.py compares with the files of this folder.

``<backend>.npz`` were written at commit 72ae1c2 (before the BiGAN of 1..K members, the one
forward pass and the state module), one thread, on the development machine::

    git archive 72ae1c2 | tar -x -C /tmp/old
    for b in tensorflow jax torch; do
        KERAS_BACKEND=$b OMP_NUM_THREADS=1 PYTHONPATH=/tmp/old:tests/data/reference_fits \\
            python -c "import fits; fits.write('tests/data/reference_fits/$b.npz')"
    done

On that machine the current code gives the same arrays to the bit.
"""

import numpy as np
from pyod.utils.data import generate_data

CONFIGS = {
    "single": dict(
        n_estimators=1,
        latent_dim=4,
        epochs=3,
        norm=1,
        score_method="feature-matching",
        random_state=0,
    ),
    "ensemble": dict(epochs=2, trim_share=0.1, validation_size=0.2, random_state=1),
    "auto": dict(random_state=2, epochs=4, ema_decay=0.0, preprocessing="minmax"),
}
"""One BiGAN with feature matching; the default three members with trimming and early
stopping; three members with min-max scaling and no moving average."""


def run():
    """Fit every configuration (and one ``fit_chunks``); return the arrays to compare."""
    from pyod_efficientgan import EfficientGAN

    X, X_test, _, _ = generate_data(
        n_train=240, n_test=120, n_features=6, contamination=0.1, random_state=3
    )
    record = {}
    for name, params in CONFIGS.items():
        detector = EfficientGAN(**params).fit(X)
        record[f"{name}/train"] = detector.decision_scores_
        record[f"{name}/test"] = detector.decision_function(X_test)
        record[f"{name}/g"], record[f"{name}/d"] = detector.score_components(X_test)
        record[f"{name}/explain"] = detector.explain(X_test)
        record[f"{name}/dloss"] = np.asarray(detector.history_["d_loss"])
        detector.set_params(alpha=0.5, score_method="cross-entropy", norm=2)
        record[f"{name}/rescored"] = detector.decision_function(X_test)
    detector = EfficientGAN(epochs=2, random_state=4)
    detector.fit_chunks([X[:100], X[100:]], shuffle_buffer=1000)
    record["chunks/train"] = detector.decision_scores_
    record["chunks/test"] = detector.decision_function(X_test)
    return record


def write(path):
    """Write :func:`run`'s arrays to ``path`` (``.npz``)."""
    np.savez(path, **run())
