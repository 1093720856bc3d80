"""Explanation: which features make a row anomalous, with pandas in and out.

Run: ``python examples/explanation.py`` (add ``--epochs 3`` for a quick run).

``explain`` splits the reconstruction error :math:`L_G` of each row into one
term per feature (after the detector's scaling). Rows are made anomalous in a
single known feature here, and the explanation should point at it.
"""

import argparse

import numpy as np
import pandas as pd
from pyod.utils.data import evaluate_print

from pyod_efficientgan import EfficientGAN


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", default="auto", help='int or "auto" (default)')
    args = parser.parse_args(argv)
    epochs = args.epochs if args.epochs == "auto" else int(args.epochs)

    # Six correlated sensor readings driven by two hidden factors.
    rng = np.random.default_rng(42)
    mixing = rng.normal(size=(2, 6))
    X_train, X_test = (
        rng.normal(size=(n, 2)) @ mixing + 0.1 * rng.normal(size=(n, 6)) for n in (1000, 200)
    )
    columns = ["temperature", "pressure", "flow", "voltage", "current", "speed"]
    train = pd.DataFrame(X_train, columns=columns)
    test = pd.DataFrame(X_test, columns=columns)
    # Corrupt one feature of the last 20 test rows.
    y_test = np.zeros(len(test), dtype=int)
    y_test[-20:] = 1
    test.loc[test.index[-20:], "pressure"] += 3 * train["pressure"].std()

    clf = EfficientGAN(epochs=epochs, random_state=0).fit(train)
    evaluate_print("EfficientGAN (test)", y_test, clf.decision_function(test))

    terms = clf.explain(test)  # a DataFrame with the same index and columns
    # Compare each feature's terms in the corrupted rows with its terms in the clean rows:
    # some features are reconstructed worse than others even when nothing is wrong.
    clean, corrupted = terms[y_test == 0], terms[y_test == 1]
    ratio = (corrupted.mean() / clean.mean()).sort_values(ascending=False)
    print("mean term in corrupted rows / mean term in clean rows, per feature:")
    print(ratio.round(2).to_string())
    print(f"most affected feature: {ratio.index[0]} (corrupted: pressure)")

if __name__ == "__main__":
    main()
