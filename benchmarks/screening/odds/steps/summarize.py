"""Summarize the step-budget screen: one table per group of sets, and a per-set table.

Usage::

    python summarize.py GROUP RECORDS.csv [RECORDS.csv ...] [--baseline steps5000] [--per-set]

GROUP is ``screen`` (the 33 sets choices are made on) or ``held-out`` (the 14 others). Each
file holds records of ``screen_steps.py`` (an EfficientGAN candidate, labelled by its
``candidate`` column, or the peers, labelled by detector name). Per candidate and peer:

* mean ROC AUC over the sets, each set's ROC first averaged over its repetitions (a repetition
  whose test part has no outlier is NaN and left out, as in the harness);
* wins vs IForest: sets where the set's mean ROC is above IForest's (ties not counted);
* a two-sided paired Wilcoxon signed-rank p-value against IForest (``scipy.stats.wilcoxon``)
  over the sets, once over all sets of the group and once over the distinct sets only (the
  12 exact ADBench copies of ODDS sets repeat their original's result: counting them twice
  is pseudo-replication, so the distinct-set p is the one to read);
* the same against the baseline candidate (``--baseline``): mean difference and p;
* mean fit + score time per set (seconds, each set's time averaged over its repetitions;
  copies carry their original's time, as in the dev47 tables).
"""

import argparse
import os
import sys

import numpy as np
import pandas as pd
from scipy.stats import wilcoxon

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "dev47"))

from screen import HELD_OUT  # noqa: E402


def load(paths, group):
    frames = []
    for path in paths:
        frame = pd.read_csv(path)
        label = np.where(frame["detector"] == "EfficientGAN", frame["candidate"], frame["detector"])
        frames.append(frame.assign(label=label))
    records = pd.concat(frames, ignore_index=True)
    held = records["dataset"].isin(HELD_OUT)
    records = records[held] if group == "held-out" else records[~held]
    return records


def _p(a, b):
    pair = pd.concat([a, b], axis=1).dropna()
    diff = pair.iloc[:, 0] - pair.iloc[:, 1]
    if len(pair) < 2 or (diff == 0).all():
        return np.nan
    return float(wilcoxon(pair.iloc[:, 0], pair.iloc[:, 1]).pvalue)


def tables(records, baseline):
    roc = records.pivot_table(index="dataset", columns="label", values="roc", aggfunc="mean")
    prc = records.pivot_table(index="dataset", columns="label", values="prc", aggfunc="mean")
    seconds = records.pivot_table(index="dataset", columns="label", values="time", aggfunc="mean")
    n_runs = records.dropna(subset=["roc"]).pivot_table(
        index="dataset", columns="label", values="roc", aggfunc="count"
    )
    copies = records.loc[records["copied_from"].notna() & (records["copied_from"] != ""), "dataset"]
    distinct = [name for name in roc.index if name not in set(copies)]
    rows = []
    for label in roc.columns:
        row = {
            "candidate": label,
            "sets": int(roc[label].notna().sum()),
            "fits": int(n_runs[label].sum()),
            "mean ROC": roc[label].mean(),
            "mean P@n": prc[label].mean(),
        }
        if "IForest" in roc and label != "IForest":
            row["wins vs IForest"] = int((roc[label] > roc["IForest"]).sum())
            row["p vs IForest (all sets)"] = _p(roc[label], roc["IForest"])
            row["p vs IForest (distinct)"] = _p(roc.loc[distinct, label], roc.loc[distinct, "IForest"])
        if baseline in roc and label != baseline:
            row[f"diff vs {baseline}"] = (roc[label] - roc[baseline]).mean()
            row[f"wins vs {baseline}"] = int((roc[label] > roc[baseline]).sum())
            row[f"p vs {baseline} (distinct)"] = _p(roc.loc[distinct, label], roc.loc[distinct, baseline])
        row["mean time per set (s)"] = seconds[label].mean()
        rows.append(row)
    summary = pd.DataFrame(rows).set_index("candidate")
    return summary, roc, n_runs


def to_markdown(frame, digits=4):
    def cell(value):
        if isinstance(value, (float, np.floating)) and not np.isnan(value) and value == int(value) and abs(value) > 1:
            return str(int(value))
        if isinstance(value, (float, np.floating)):
            return "-" if np.isnan(value) else f"{value:.{digits}f}"
        return str(value)

    head = [frame.index.name or ""] + [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" + "---:|" * len(frame.columns)]
    for index, row in frame.iterrows():
        lines.append("| " + " | ".join([str(index)] + [cell(v) for v in row]) + " |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("group", choices=["screen", "held-out"])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--baseline", default="steps5000")
    parser.add_argument("--per-set", action="store_true")
    args = parser.parse_args(argv)
    records = load(args.paths, args.group)
    summary, roc, n_runs = tables(records, args.baseline)
    summary = summary.sort_values("mean ROC", ascending=False)
    summary["sets"] = summary["sets"].astype(int)
    print(f"## {args.group}: {len(roc)} sets\n")
    print(to_markdown(summary.astype(object), 4))
    if args.per_set:
        order = [c for c in roc.columns if c.startswith("steps")]
        order = sorted(order, key=lambda c: -int(c[5:]) if c[5:].isdigit() else 0)
        order += [c for c in ("IForest", "ECOD", "KNN", "MCD") if c in roc.columns]
        order += [c for c in roc.columns if c not in order]
        table = roc[order].copy()
        table.loc["**mean**"] = table.mean()
        table.index.name = "dataset"
        print(f"\n### {args.group}: ROC AUC per set (mean of the repetitions)\n")
        print(to_markdown(table.astype(object), 3))
        incomplete = n_runs[order].lt(n_runs[order].max(axis=None))
        if incomplete.any(axis=None):
            print("\nSets with fewer defined repetitions than the others:")
            for name, row in n_runs[order].iterrows():
                print(f"  {name}: " + ", ".join(f"{c} {int(v)}" for c, v in row.items() if not np.isnan(v)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
