"""Thresholding: let a PyThresh thresholder decide the outliers instead of a contamination.

Run: ``python examples/thresholding.py`` (add ``--epochs 3`` for a quick run).

``contamination`` accepts a thresholder object (anything with ``fit`` and
``predict``, e.g. from ``pythresh.thresholds``): PyOD's ``BaseDetector``
then labels the training rows with it and sets ``threshold_`` accordingly,
so no share of outliers has to be guessed.
"""

import argparse

from pyod.utils.data import evaluate_print, generate_data
from pythresh.thresholds.iqr import IQR
from pythresh.thresholds.karch import KARCH
from pythresh.thresholds.mad import MAD
from sklearn.metrics import f1_score

from pyod_efficientgan import EfficientGAN


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", default="auto", help='int or "auto" (default)')
    args = parser.parse_args(argv)
    epochs = args.epochs if args.epochs == "auto" else int(args.epochs)

    X_train, X_test, y_train, y_test = generate_data(
        n_train=1000, n_test=500, n_features=10, contamination=0.1, random_state=42
    )
    clf = EfficientGAN(contamination=IQR(), epochs=epochs, random_state=0).fit(X_train)
    print(f"IQR flagged {clf.labels_.sum()} of {len(clf.labels_)} training rows "
          f"(true outliers: {int(y_train.sum())}); threshold_ = {clf.threshold_:.4f}")
    labels = clf.predict(X_test)
    print(f"test F1 of the IQR labels: {f1_score(y_test, labels):.3f}")
    evaluate_print("EfficientGAN (test)", y_test, clf.decision_function(X_test))

    # Other thresholders can be compared on the same training scores.
    for thresholder in (MAD(), KARCH()):
        flagged = thresholder.eval(clf.decision_scores_)
        print(f"{type(thresholder).__name__}: {int(flagged.sum())} training rows flagged, "
              f"F1 {f1_score(y_train, flagged):.3f}")


if __name__ == "__main__":
    main()
