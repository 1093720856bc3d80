"""Ensembles: combine EfficientGAN with other PyOD detectors (combination, LSCP, SUOD).

Run: ``python examples/ensembles.py`` (add ``--epochs 3`` for a quick run).

Scores of different detectors live on different scales, so they are
standardized (``pyod.utils.utility.standardizer``, fitted on the training
scores) before ``pyod.models.combination`` merges them. LSCP and SUOD take
EfficientGAN in their detector lists like any PyOD detector.
"""

import argparse

import numpy as np
from pyod.models.combination import aom, average, maximization, median, moa
from pyod.models.hbos import HBOS
from pyod.models.iforest import IForest
from pyod.models.knn import KNN
from pyod.models.lscp import LSCP
from pyod.models.suod import SUOD
from pyod.utils.data import evaluate_print, generate_data
from pyod.utils.utility import standardizer

from pyod_efficientgan import EfficientGAN


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", default="auto", help='int or "auto" (default)')
    args = parser.parse_args(argv)
    epochs = args.epochs if args.epochs == "auto" else int(args.epochs)

    X_train, X_test, y_train, y_test = generate_data(
        n_train=1000, n_test=500, n_features=10, contamination=0.1, random_state=42
    )
    detectors = {
        "EfficientGAN": EfficientGAN(epochs=epochs, random_state=0),
        "IForest": IForest(random_state=0),
        "KNN": KNN(),
        "HBOS": HBOS(),
    }
    train_scores, test_scores = [], []
    for name, detector in detectors.items():
        detector.fit(X_train)
        train_scores.append(detector.decision_scores_)
        test_scores.append(detector.decision_function(X_test))
        evaluate_print(name, y_test, test_scores[-1])

    # Standardize with the training scores' mean and spread, then combine.
    train_norm, test_norm = standardizer(
        np.column_stack(train_scores), np.column_stack(test_scores)
    )
    combined = {
        "Average": average(test_norm),
        "Maximization": maximization(test_norm),
        "Median": median(test_norm),
        "AOM": aom(test_norm, n_buckets=2, random_state=0),
        "MOA": moa(test_norm, n_buckets=2, random_state=0),
    }
    for name, scores in combined.items():
        evaluate_print(name, y_test, scores)

    # LSCP picks, per test row, the detectors that are competent around it.
    lscp = LSCP(
        [EfficientGAN(epochs=epochs, random_state=1), KNN(), IForest(random_state=0)],
        random_state=0,
    ).fit(X_train)
    evaluate_print("LSCP", y_test, lscp.decision_function(X_test))

    # SUOD: n_jobs=1 keeps EfficientGAN in this process (see the user guide for n_jobs > 1).
    suod = SUOD(
        base_estimators=[EfficientGAN(epochs=epochs, random_state=2), IForest(random_state=0),
                         HBOS()],
        n_jobs=1,
        verbose=False,
    ).fit(X_train)
    evaluate_print("SUOD", y_test, suod.decision_function(X_test))


if __name__ == "__main__":
    main()
