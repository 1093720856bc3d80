"""EfficientGAN called exactly as PyOD's ``notebooks/benchmark.py`` calls its detectors.

That script builds its classifier dict inside the repetition loop with
``contamination=outliers_fraction`` (a Python float from the labels) and
``random_state=np.random.RandomState(i)`` shared with ``train_test_split``, fits on
``standardizer`` output and scores the test split. This test replays that loop body
with EfficientGAN added to the dict, beside the trivial baseline (L1 norm of the
standardized row) and an untrained EfficientGAN.

The data are tests/synthetic.py's off-plane rows, on which both baselines rank the
outliers below chance; on breast-cancer rows (used here before) the L1 norm already
scored 0.96 and one epoch of EfficientGAN 0.97, so a floor there meant nothing. The
script passes only ``contamination`` and ``random_state``; the fast settings are added
so that the two repetitions train in seconds.
"""

import numpy as np
from pyod.models.iforest import IForest
from pyod.utils.utility import precision_n_scores, standardizer
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from synthetic import FAST, MARGIN, off_plane_data

from pyod_efficientgan import EfficientGAN

SETTINGS = {**{k: v for k, v in FAST.items() if k != "random_state"}, "epochs": 100}


def test_benchmark_loop_body_runs_with_efficientgan():
    X_train, X_test, y_train, y_test = off_plane_data(n_train=360, n_test=240)
    X, y = np.vstack([X_train, X_test]), np.r_[y_train, y_test]
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
                contamination=outliers_fraction, random_state=random_state, **SETTINGS
            ),
            "untrained EfficientGAN": EfficientGAN(
                contamination=outliers_fraction,
                random_state=random_state,
                **{**SETTINGS, "epochs": 1, "learning_rate": 1e-12},
            ),
        }
        for clf_name, clf in classifiers.items():
            clf.fit(X_train_norm)
            test_scores = clf.decision_function(X_test_norm)
            roc = round(roc_auc_score(y_test, test_scores), ndigits=4)
            prn = round(precision_n_scores(y_test, test_scores), ndigits=4)
            rocs.setdefault(clf_name, []).append(roc)
            rocs.setdefault(f"{clf_name} precision@n", []).append(prn)
        rocs.setdefault("L1 norm", []).append(roc_auc_score(y_test, np.abs(X_test_norm).sum(1)))
    baseline = max(np.mean(rocs["L1 norm"]), np.mean(rocs["untrained EfficientGAN"]))
    assert baseline < 0.5, rocs
    assert np.mean(rocs["EfficientGAN"]) >= max(0.7, baseline + MARGIN), rocs
