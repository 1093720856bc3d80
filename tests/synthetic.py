"""Test data on which the trivial baseline and an untrained model fail.

On PyOD's ``generate_data`` the L1 norm of the standardized row already
scores ROC 1.000, so a broken or untrained BiGAN passes any floor there.
Here the inliers lie near a random 2-D plane of the feature space (wide
spread in the plane, little noise off it) and the outliers sit near the
centre of the cloud, a short step off the plane. An outlier's row is then
shorter than most inliers': the L1 norm of the standardized row ranks it
*below* them (ROC about 0.3), and so does the reconstruction error of an
untrained network, which grows with the row's length (ROC about 0.4). A
model that learned the plane reconstructs inliers and not the outliers.
"""

import numpy as np
from sklearn.metrics import roc_auc_score

FAST = dict(
    n_estimators=1,
    latent_dim=4,
    encoder_units=(16,),
    generator_units=(16,),
    discriminator_units=(16, 16),
    learning_rate=5e-3,
    batch_size=32,
    epochs=60,
    random_state=0,
)
"""One BiGAN with small networks that learn the plane of :func:`off_plane_data` (400 rows) in
about 800 steps, a few seconds on one CPU core: test ROC 0.81-0.87 on seed 0
with every score method and norm."""


def off_plane_data(n_train=400, n_test=200, n_features=6, contamination=0.1, random_state=0):
    """Inliers near a 2-D plane, outliers off it inside the inlier cloud.

    Returns ``(X_train, X_test, y_train, y_test)`` like PyOD's
    ``generate_data``; both splits hold ``contamination`` outliers (label 1).
    """
    rng = np.random.default_rng(random_state)
    basis, _ = np.linalg.qr(rng.normal(size=(n_features, n_features)))

    def sample(n_rows):
        n_outliers = int(round(contamination * n_rows))
        n_inliers = n_rows - n_outliers
        inliers = np.column_stack(
            [
                rng.normal(scale=3.0, size=(n_inliers, 2)),
                rng.normal(scale=0.05, size=(n_inliers, n_features - 2)),
            ]
        )
        step = rng.normal(size=(n_outliers, n_features - 2))
        step *= 1.5 / np.linalg.norm(step, axis=1, keepdims=True)
        outliers = np.column_stack([rng.normal(scale=0.3, size=(n_outliers, 2)), step])
        X = np.vstack([inliers, outliers]) @ basis.T + 1.0
        y = np.r_[np.zeros(n_inliers, dtype=int), np.ones(n_outliers, dtype=int)]
        order = rng.permutation(n_rows)
        return X[order], y[order]

    X_train, y_train = sample(n_train)
    X_test, y_test = sample(n_test)
    return X_train, X_test, y_train, y_test


def l1_norm_roc(X_train, X_test, y_test):
    """ROC AUC of the trivial baseline: L1 norm of the row standardized on X_train."""
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    return roc_auc_score(y_test, np.abs((X_test - mean) / std).sum(axis=1))


def untrained_roc(X_train, X_test, y_test, **params):
    """ROC AUC of an EfficientGAN with ``params`` whose training changes nothing
    (one epoch at a learning rate of 1e-12): the architecture without learning."""
    from pyod_efficientgan import EfficientGAN

    params = {**params, "epochs": 1, "learning_rate": 1e-12}
    detector = EfficientGAN(**params).fit(X_train)
    return roc_auc_score(y_test, detector.decision_function(X_test))


MARGIN = 0.25
"""How far a trained detector's ROC must be above both baselines."""
