"""Print the table of screened candidates (docs/benchmark.md) from the committed records.

Usage: ``python candidates.py`` in this folder. Peers (IForest, L1Norm) and the former defaults
come from ``../../dev47/baseline-8b56dc7/records.csv``; each candidate from ``runs/*.csv``
(``screen.py`` output; ``heldout_*`` files are the same candidate on the held-out sets).
"""

from pathlib import Path

import pandas as pd

from screen import HELD_OUT

HERE = Path(__file__).parent
CANDIDATES = {
    "former defaults (K=1, z 32, 5000 steps)": None,
    "trimmed, K=1, z 32, 5000 steps": "k1_s5000_trim",
    "short ensemble, K=5, z 32, 1000 steps, trimmed": "k5_s1000_trim",
    "K=1, z = principal components (90 %), 5000 steps": "latent_pca90",
    "K=1, z = a quarter of the features, 5000 steps": "latent_quarter",
    "K=1, z quarter, trimmed": "quarter_trim",
    "K=2, z {quarter, 32}, 2500 steps": "spread2_s2500",
    "K=3, z {quarter, ..., 32}, 1700 steps": "spread3_s1700",
}


def main():
    base = pd.read_csv(HERE / "../../dev47/baseline-8b56dc7/records.csv")
    roc = base.pivot(index="dataset", columns="detector", values="roc")
    time = base.pivot(index="dataset", columns="detector", values="time")
    rows = []
    for label, stem in CANDIDATES.items():
        parts = {}
        for group, prefix in (("screen", ""), ("held-out", "heldout_")):
            if stem is None:
                values, seconds = roc["EfficientGAN"], time["EfficientGAN"]
            else:
                path = HERE / "runs" / f"{prefix}{stem}.csv"
                if not path.exists():
                    continue
                frame = pd.read_csv(path).set_index("dataset")
                values, seconds = frame["roc"], frame["time"]
            names = [d for d in values.dropna().index if (d in HELD_OUT) == (group == "held-out")]
            if not names:
                continue
            peers = roc.loc[names, ["IForest", "L1Norm"]]
            parts[group] = (values[names], seconds[names], peers)
        screen_values, screen_seconds, peers = parts["screen"]
        row = {
            "candidate": label,
            "screen ROC (33)": f"{screen_values.mean():.3f}",
            "wins vs IForest": int((screen_values > peers["IForest"]).sum()),
            "wins vs L1Norm": int((screen_values > peers["L1Norm"]).sum()),
            "time (s)": f"{screen_seconds.mean():.1f}",
            "held-out ROC (14)": f"{parts['held-out'][0].mean():.3f}" if "held-out" in parts else "-",
        }
        rows.append(row)
    frame = pd.DataFrame(rows)
    header = "| " + " | ".join(frame.columns) + " |"
    print(header)
    print("|---|" + "---:|" * (len(frame.columns) - 1))
    for _, row in frame.iterrows():
        print("| " + " | ".join(str(v) for v in row) + " |")
    print(f"\nIForest on the same splits: screen {roc.loc[[d for d in roc.index if d not in HELD_OUT], 'IForest'].mean():.3f}, held-out {roc.loc[list(HELD_OUT), 'IForest'].mean():.3f}")


if __name__ == "__main__":
    main()
