"""EfficientGAN called exactly as PyOD's ``notebooks/benchmark.py`` calls its detectors.

That script builds its classifier dict inside the repetition loop with
``contamination=outliers_fraction`` (a Python float from the labels) and
``random_state=np.random.RandomState(i)`` shared with ``train_test_split``, fits on
``standardizer`` output and scores the test split. This test replays that loop body
with EfficientGAN added to the dict, on real data that ships with scikit-learn.
"""

import numpy as np
from pyod.models.iforest import IForest
from pyod.utils.utility import precision_n_scores, standardizer
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

from pyod_efficientgan import EfficientGAN


def breast_cancer_outliers():
    """Benign rows plus 20 malignant rows (the ODDS/ADBench style recipe)."""
    X, y = load_breast_cancer(return_X_y=True)
    y = 1 - y  # malignant (0 in scikit-learn) is the outlier class
    rng = np.random.default_rng(0)
    keep = np.concatenate(
        [np.flatnonzero(y == 0), rng.choice(np.flatnonzero(y == 1), 20, replace=False)]
    )
    return X[keep], y[keep]


def test_benchmark_loop_body_runs_with_efficientgan():
    X, y = breast_cancer_outliers()
    outliers_fraction = np.count_nonzero(y) / len(y)
    rocs = {}
    for i in range(2):
        random_state = np.random.RandomState(i)
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.4, random_state=random_state
        )
        X_train_norm, X_test_norm = standardizer(X_train, X_test)
        classifiers = {
            "Isolation Forest": IForest(contamination=outliers_fraction, random_state=random_state),
            "EfficientGAN": EfficientGAN(
                contamination=outliers_fraction, random_state=random_state
            ),
        }
        for clf_name, clf in classifiers.items():
            clf.fit(X_train_norm)
            test_scores = clf.decision_function(X_test_norm)
            roc = round(roc_auc_score(y_test, test_scores), ndigits=4)
            prn = round(precision_n_scores(y_test, test_scores), ndigits=4)
            assert 0 <= prn <= 1
            rocs.setdefault(clf_name, []).append(roc)
    # Both detectors find the malignant rows; EfficientGAN is not below chance.
    assert np.mean(rocs["EfficientGAN"]) >= 0.8
