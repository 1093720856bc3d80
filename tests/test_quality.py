"""A quality floor that can fail, for the detector's defaults.

On :func:`synthetic.off_plane_data` (inliers near a 2-D plane, outliers off it inside the inlier
cloud, 10 % of the unlabelled training rows) the L1 norm of the standardized row and an
untrained BiGAN rank the outliers *below* the inliers. The defaults must rank them on top, by
a wide margin. The detector's former defaults (one BiGAN with the paper's 32-dimensional code,
5000 steps) reached ROC 0.56 here: this test fails for them.
"""

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score
from synthetic import off_plane_data

from pyod_efficientgan import EfficientGAN


@pytest.fixture(scope="module")
def plane():
    X_train, X_test, y_train, y_test = off_plane_data(n_train=1000, n_test=500)
    mean, std = X_train.mean(0), X_train.std(0)
    return (X_train - mean) / std, (X_test - mean) / std, y_train, y_test


def test_defaults_beat_the_l1_norm_and_an_untrained_bigan(plane):
    X_train, X_test, _, y_test = plane
    l1_roc = roc_auc_score(y_test, np.abs(X_test).sum(1))
    untrained = EfficientGAN(epochs=1, learning_rate=1e-12, random_state=0).fit(X_train)
    untrained_roc = roc_auc_score(y_test, untrained.decision_function(X_test))
    trained = EfficientGAN(random_state=0).fit(X_train)
    trained_roc = roc_auc_score(y_test, trained.decision_function(X_test))
    assert max(l1_roc, untrained_roc) < 0.5
    # measured: L1 0.28, untrained 0.3-0.4, defaults 0.89 (seed 0); on PyTorch with one thread
    # 0.842 (its kernels round otherwise, and 5000 steps of training carry that into another
    # model): the floor leaves room for that, and still fails the former defaults' 0.56
    assert trained_roc > 0.8
    assert trained_roc > max(l1_roc, untrained_roc) + 0.35
