"""Table of screened EfficientGAN variants against the peers of one harness run.

Usage::

    python compare.py BASELINE_RECORDS.csv VARIANT.csv [VARIANT.csv ...]

BASELINE_RECORDS is the ``records.csv`` of ``pyod-efficientgan bench ... --n-runs 1 --seed 0``
on the 47 development sets (its EfficientGAN column is the detector's defaults at that commit);
each VARIANT is the output of ``screen.py``. Per group (``screen``: the sets choices were made
on; ``held-out``: the ADBench sets with no ODDS counterpart), it prints mean ROC AUC, the
average rank among all columns, wins against IForest and L1Norm, and the mean fit + score time.
"""

import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from screen import HELD_OUT  # noqa: E402


def load(baseline, variants):
    base = pd.read_csv(baseline)
    roc = base.pivot(index="dataset", columns="detector", values="roc")
    time = base.pivot(index="dataset", columns="detector", values="time")
    for path in variants:
        frame = pd.read_csv(path).set_index("dataset")
        roc[Path(path).stem] = frame["roc"]
        time[Path(path).stem] = frame["time"]
    return roc, time


def table(roc, time, datasets):
    roc, time = roc.loc[datasets], time.loc[datasets]
    ranks = roc.rank(axis=1, ascending=False).mean()
    rows = []
    for name in roc.columns:
        rows.append(
            {
                "detector": name,
                "n": int(roc[name].notna().sum()),
                "mean ROC": roc[name].mean(),
                "avg rank": ranks[name],
                "wins vs IForest": int((roc[name] > roc["IForest"]).sum()),
                "wins vs L1Norm": int((roc[name] > roc["L1Norm"]).sum()),
                "mean time (s)": time[name].mean(),
            }
        )
    return pd.DataFrame(rows).set_index("detector").sort_values("mean ROC", ascending=False)


def main(argv):
    roc, time = load(argv[0], argv[1:])
    pd.set_option("display.width", 200)
    groups = {
        "screen": [d for d in roc.index if d not in HELD_OUT],
        "held-out": [d for d in roc.index if d in HELD_OUT],
        "all": list(roc.index),
    }
    for group, datasets in groups.items():
        print(f"\n## {group} ({len(datasets)} sets)\n")
        print(table(roc, time, datasets).round(3).to_string())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
