"""Persistence: save a fitted EfficientGAN to one file and load it back, without pickle.

Run: ``python examples/persistence.py`` (add ``--epochs 3`` for a quick run).

``save`` writes a zip of JSON and NumPy arrays with a SHA-256 digest of its
contents; ``load`` refuses modified, truncated or incompatible files and runs
no code from the file. pickle and joblib work too, for trusted files: they keep
the same state (parameters, fitted attributes, weights as arrays). The weights
are NumPy arrays, so a file saved under one Keras backend (``KERAS_BACKEND``)
loads under any other.
"""

import argparse
import os
import pickle
import tempfile

import numpy as np
from pyod.utils.data import evaluate_print, generate_data

from pyod_efficientgan import EfficientGAN


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", default="auto", help='int or "auto" (default)')
    args = parser.parse_args(argv)
    epochs = args.epochs if args.epochs == "auto" else int(args.epochs)

    X_train, X_test, y_train, y_test = generate_data(
        n_train=1000, n_test=500, n_features=10, contamination=0.1, random_state=42
    )
    clf = EfficientGAN(epochs=epochs, random_state=0).fit(X_train)

    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "efficientgan.egan")
        clf.save(path)
        print(f"saved {os.path.getsize(path)} bytes to {path}")
        restored = EfficientGAN.load(path)

    unpickled = pickle.loads(pickle.dumps(clf))  # for files you trust only

    scores, restored_scores = clf.decision_function(X_test), restored.decision_function(X_test)
    print(f"identical scores after loading: {np.array_equal(scores, restored_scores)}")
    unpickled_scores = unpickled.decision_function(X_test)
    print(f"identical scores after unpickling: {np.array_equal(scores, unpickled_scores)}")
    evaluate_print("EfficientGAN (loaded)", y_test, restored_scores)


if __name__ == "__main__":
    main()
