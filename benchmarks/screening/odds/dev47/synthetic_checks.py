"""What the former defaults' BiGAN scores: the two synthetic checks quoted in docs/benchmark.md.

Usage: ``python synthetic_checks.py`` from the repository root (needs ``tests/`` on the path;
the script adds it). Prints test ROC AUC on the off-plane data of ``tests/synthetic.py`` (1000
training rows, 10 % outliers inside the cloud) and on a 2-D ring with 5 % outliers at its
centre, for the L1 norm, the former defaults (one BiGAN, 32-d code, 5000 steps), the former
defaults with trimming, one BiGAN with a 2-d code, and the current defaults.
"""

import sys
from pathlib import Path

import numpy as np
from sklearn.metrics import roc_auc_score

sys.path.insert(0, str(Path(__file__).resolve().parents[4] / "tests"))
from synthetic import off_plane_data  # noqa: E402

from pyod_efficientgan import EfficientGAN  # noqa: E402

FORMER = dict(latent_dim=32, n_estimators=1)


def ring(n_samples, random_state):
    rng = np.random.default_rng(random_state)
    n_outliers = int(0.05 * n_samples)
    angle = rng.uniform(0, 2 * np.pi, n_samples - n_outliers)
    radius = 3.0 + 0.15 * rng.normal(size=angle.size)
    X = np.vstack([np.column_stack([radius * np.cos(angle), radius * np.sin(angle)]),
                   0.3 * rng.normal(size=(n_outliers, 2))])  # fmt: skip
    return X, np.r_[np.zeros(angle.size, int), np.ones(n_outliers, int)]


def standardized(X_train, X_test):
    mean, std = X_train.mean(0), X_train.std(0)
    return (X_train - mean) / std, (X_test - mean) / std


def main():
    X_train, X_test, _, y_test = off_plane_data(n_train=1000, n_test=500)
    sets = {"off-plane": (*standardized(X_train, X_test), y_test)}
    (R_train, _), (R_test, r_test) = ring(1000, 0), ring(600, 1)
    sets["ring"] = (*standardized(R_train, R_test), r_test)
    variants = {
        "former defaults": FORMER,
        "former defaults, trim_share='auto'": {**FORMER, "trim_share": "auto"},
        "one BiGAN, latent_dim=2": {"latent_dim": 2, "n_estimators": 1},
        "current defaults": {},
    }
    for name, (train, test, y) in sets.items():
        print(f"{name}: L1 norm {roc_auc_score(y, np.abs(test).sum(1)):.3f}")
        for label, params in variants.items():
            detector = EfficientGAN(random_state=0, **params).fit(train)
            print(f"  {label}: {roc_auc_score(y, detector.decision_function(test)):.3f}", flush=True)


if __name__ == "__main__":
    main()
