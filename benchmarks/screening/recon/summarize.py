"""Tables of the reconstruction screen: per setting, each detector's mean ROC over distinct sets.

Usage::

    python summarize.py RECORDS.csv [RECORDS.csv ...] [--per-set]

Each set's figure is its mean over the repetitions; a detector's figure is the mean over the
sets where every detector listed has a result. Wilcoxon signed-rank tests (two-sided, scipy)
compare each EfficientGAN variant with AutoEncoder, IForest and KNN over the distinct sets.
"""

import argparse
import sys

import numpy as np
import pandas as pd
from scipy.stats import wilcoxon

PEERS = ("AutoEncoder", "IForest", "KNN")


def per_set(records):
    """ROC and time per (group, setting, dataset, detector), mean over repetitions."""
    return records.groupby(["group", "setting", "dataset", "detector"])[["roc", "time"]].mean()


def table(records, group, setting):
    """Rows: detectors; columns: mean ROC, wins vs AutoEncoder, Wilcoxon p-values, mean time."""
    means = per_set(records).loc[(group, setting)]
    roc = means["roc"].unstack("detector").dropna()
    time = means["time"].unstack("detector").loc[roc.index]
    rows = []
    for name in roc.columns:
        row = {"detector": name, "sets": len(roc), "mean ROC": roc[name].mean(),
               "median ROC": roc[name].median(), "mean time (s)": time[name].mean()}  # fmt: skip
        for peer in PEERS:
            if peer in roc.columns and peer != name:
                diff = roc[name] - roc[peer]
                row[f"wins vs {peer}"] = f"{int((diff > 0).sum())}/{int((diff != 0).sum())}"
                row[f"p vs {peer}"] = wilcoxon(diff).pvalue if (diff != 0).any() else np.nan
        rows.append(row)
    return pd.DataFrame(rows).sort_values("mean ROC", ascending=False).set_index("detector")


def markdown(frame):
    """``frame`` as a Markdown table (floats to 3 decimals), without optional packages."""
    def cell(value):
        return f"{value:.3f}" if isinstance(value, float) else str(value)

    header = [frame.index.name or ""] + [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for index, row in frame.iterrows():
        lines.append("| " + " | ".join([str(index)] + [cell(v) for v in row]) + " |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("records", nargs="+")
    parser.add_argument("--per-set", action="store_true")
    args = parser.parse_args(argv)
    records = pd.concat([pd.read_csv(path) for path in args.records], ignore_index=True)
    for (group, setting), _ in records.groupby(["group", "setting"]):
        print(f"\n## {group} sets, {setting} training\n")
        print(markdown(table(records, group, setting)))
        if args.per_set:
            means = per_set(records).loc[(group, setting)]["roc"].unstack("detector")
            print()
            print(markdown(means))
    return 0


if __name__ == "__main__":
    sys.exit(main())
