"""The detector's defaults and IForest on the paper's KDDCUP99 protocol, in one run.

Neither detector gets a KDD-specific setting: ``EfficientGAN(random_state=seed)`` and
``IForest(random_state=seed)``, fitted on the attack rows of the paper's 50 % training half
(split seed 42) and judged on the test half by flagging its top 20 % of scores
(:func:`pyod_efficientgan.experiments.kdd99.evaluate`), as the paper does.

Usage::

    python run.py KDD_FILE OUT_DIR [N_SEEDS]
"""

import sys
import time
from pathlib import Path

import pandas as pd


def main(argv):
    from pyod.models.iforest import IForest

    from pyod_efficientgan import EfficientGAN
    from pyod_efficientgan.experiments.kdd99 import evaluate, load_kddcup99, split_kddcup99

    path, out = argv[0], Path(argv[1])
    n_seeds = int(argv[2]) if len(argv) > 2 else 3
    X, y, _ = load_kddcup99(path=path)
    X_train, X_test, y_test = split_kddcup99(X, y)
    rows = []
    for seed in range(n_seeds):
        for name, make in [("EfficientGAN", EfficientGAN), ("IForest", IForest)]:
            start = time.perf_counter()
            detector = make(random_state=seed).fit(X_train)
            scores = detector.decision_function(X_test)
            row = {"detector": name, "seed": seed, **evaluate(y_test, scores)}
            row["seconds"] = time.perf_counter() - start
            rows.append(row)
            print(row, flush=True)
    frame = pd.DataFrame(rows)
    out.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out / "results.csv", index=False)
    metrics = ["precision", "recall", "f1", "roc_auc", "seconds"]
    summary = frame.groupby("detector")[metrics]
    means, stds = summary.mean(), summary.std()
    lines = ["| detector | " + " | ".join(metrics) + " |", "|---|" + "---:|" * len(metrics)]
    for name in means.index:
        cells = [f"{means.loc[name, m]:.4f} ± {stds.loc[name, m]:.4f}" for m in metrics]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    (out / "results.md").write_text(
        f"`python benchmarks/screening/kdd99-defaults-vs-iforest/run.py {path} {out} {n_seeds}`: "
        f"{len(X_train)} training rows (attacks), {len(X_test)} test rows; seeds 0-{n_seeds - 1}; "
        "mean ± std over the seeds.\n\n" + "\n".join(lines) + "\n"
    )
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
