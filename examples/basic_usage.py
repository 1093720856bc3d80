"""Basic use: fit EfficientGAN on PyOD's synthetic data and evaluate it.

Run: ``python examples/basic_usage.py`` (add ``--epochs 3`` for a quick run).
"""

import argparse

from pyod.utils.data import evaluate_print, generate_data

from pyod_efficientgan import EfficientGAN


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", default="auto", help='int or "auto" (default)')
    args = parser.parse_args(argv)
    epochs = args.epochs if args.epochs == "auto" else int(args.epochs)

    X_train, X_test, y_train, y_test = generate_data(
        n_train=2000, n_test=1000, n_features=20, contamination=0.1, random_state=42
    )
    clf = EfficientGAN(contamination=0.1, epochs=epochs, random_state=0).fit(X_train)

    print(f"threshold: {clf.threshold_:.4f}; training outliers: {clf.labels_.sum()}")
    test_scores = clf.decision_function(X_test)
    labels = clf.predict(X_test)
    proba = clf.predict_proba(X_test, method="unify")
    labels, confidence = clf.predict(X_test, return_confidence=True)
    print(
        f"first test rows: labels {labels[:5]}, P(outlier) {proba[:5, 1].round(3)}, "
        f"confidence {confidence[:5].round(3)}"
    )
    generator_loss, discriminator_loss = clf.score_components(X_test)
    # the default ensemble standardises each part by its members' training scores, so the parts
    # are relative to the training rows (about 0 on average there) and can be negative
    print(
        f"test rows' mean standardised L_G {generator_loss.mean():.4f}, "
        f"L_D {discriminator_loss.mean():.4f} (0 = the training rows' mean)"
    )
    evaluate_print("EfficientGAN (train)", y_train, clf.decision_scores_)
    evaluate_print("EfficientGAN (test)", y_test, test_scores)


if __name__ == "__main__":
    main()
