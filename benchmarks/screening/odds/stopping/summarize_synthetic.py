"""Checkpoint choice by synthetic anomalies, from the traces of ``trace_synthetic.py``.

Usage::

    python summarize_synthetic.py GROUP TRACES_DIR [--out-dir runs]

Per trace (one fit) and kept checkpoint c (``summarize.thin``: at least ``MIN_SPACING`` steps
apart, plus the final one), ``S_c`` as in ``summarize.py`` (members standardised by the
training rows' mean and sd at c, averaged; test and synthetic rows with the same mean and sd).
Per checkpoint: ``roc_test`` (test rows vs their labels), ``roc_train`` (training rows vs their
labels; reference only), ``roc_uniform`` / ``roc_shuffled`` (that synthetic set, label 1,
against all training rows, label 0) and ``roc_both`` (their mean). Candidates:

``final``         S at the last checkpoint (today's default).
``oracle``        the best test ROC (a ceiling, not a candidate).
``syn-uniform``   the checkpoint with the highest ``roc_uniform``;
``syn-shuffled``  ... ``roc_shuffled``; ``syn-both`` ... ``roc_both``. Eligible: the checkpoints
                  from the end of the first round on; ties to the earliest.

Tables as ``summarize.py`` (mean ROC over sets, each averaged over its runs, exact copies take
their original's value; wins and two-sided paired Wilcoxon p over the distinct sets vs
``final`` and IForest; mean step share), plus the median over fits of the correlation across
checkpoints of each synthetic ROC with the test ROC. Writes
``OUT_DIR/{checkpoints,candidates,tables}_synthetic_<group>.{csv,md}``.
"""

import argparse
import glob
import os
import sys

import numpy as np
import pandas as pd
from sklearn.metrics import roc_auc_score

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from summarize import MIN_SPACING, STEPS_RUNS, _p, standardized, thin  # noqa: E402

CANDIDATES = ("final", "oracle", "syn-uniform", "syn-shuffled", "syn-both")
SYNTHETIC = ("uniform", "shuffled")


def synthetic_roc(s_train, s_syn):
    y = np.r_[np.zeros(len(s_train)), np.ones(len(s_syn))]
    return roc_auc_score(y, np.r_[s_train, s_syn])


def analyse(path, min_spacing=MIN_SPACING):
    t = np.load(path)
    kept = thin(t["steps"], min_spacing)
    steps = t["steps"][kept]
    a_train = t["a_train"][kept].astype(np.float64)
    y_train, y_test = t["y_train"], t["y_test"]
    s_train, s_test = standardized(a_train, t["a_test"][kept])
    total = int(steps[-1])
    columns = {
        "roc_test": np.array([roc_auc_score(y_test, s) for s in s_test]),
        "roc_train": np.array(
            [roc_auc_score(y_train, s) if 0 < y_train.sum() < len(y_train) else np.nan
             for s in s_train]  # fmt: skip
        ),
    }
    for name in SYNTHETIC:
        _, s_syn = standardized(a_train, t[f"a_{name}"][kept])
        columns[f"roc_{name}"] = np.array([synthetic_roc(a, b) for a, b in zip(s_train, s_syn)])
    columns["roc_both"] = (columns["roc_uniform"] + columns["roc_shuffled"]) / 2
    first_round = int(t["steps"][np.flatnonzero(t["round_end"])[0]])
    eligible = np.flatnonzero(steps >= first_round)

    def pick(statistic):
        return int(eligible[np.argmax(statistic[eligible])])  # argmax: earliest of ties

    roc_test = columns["roc_test"]
    best = int(np.argmax(roc_test))
    chosen = {"final": (roc_test[-1], total), "oracle": (roc_test[best], int(steps[best]))}
    for name in ("uniform", "shuffled", "both"):
        c = pick(columns[f"roc_{name}"])
        chosen[f"syn-{name}"] = (roc_test[c], int(steps[c]))
    checkpoints = pd.DataFrame(
        {"checkpoint": kept, "step": steps, "round_end": t["round_end"][kept].astype(int),
         "share": steps / total, **columns}  # fmt: skip
    )
    check = {
        "roc_detector": float(t["roc_detector"]),
        "roc_final_trace": float(t["roc_final_trace"]),
        "max_abs_diff": float(t["max_abs_diff"]),
        "time": float(t["time"]),
        "trace_seconds": float(t["trace_seconds"]),
        "n_syn": int(t["n_syn"]),
    }
    return chosen, checkpoints, check, total


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("group", choices=["screen", "held-out"])
    parser.add_argument("traces")
    parser.add_argument("--out-dir", default=os.path.join(HERE, "runs"))
    args = parser.parse_args(argv)
    prefix = "screen" if args.group == "screen" else "heldout"
    baseline = pd.read_csv(os.path.join(STEPS_RUNS, f"{prefix}_steps5000.csv"))
    peers = pd.read_csv(os.path.join(STEPS_RUNS, f"{prefix}_peers.csv"))
    twins = baseline[baseline["copied_from"].notna()][["dataset", "copied_from"]].drop_duplicates()
    twins = dict(zip(twins["dataset"], twins["copied_from"]))

    rows, frames = [], []
    for path in sorted(glob.glob(os.path.join(args.traces, "*__r*.npz"))):
        name, run = os.path.basename(path)[: -len(".npz")].rsplit("__r", 1)
        run = int(run)
        chosen, checkpoints, check, total = analyse(path)
        record = baseline[(baseline["dataset"] == name) & (baseline["run"] == run)]
        roc_record = float(record["roc"].iloc[0]) if len(record) else np.nan
        frames.append(checkpoints.assign(dataset=name, run=run))
        for candidate, (roc, step) in chosen.items():
            base = {"dataset": name, "run": run, "candidate": candidate, "roc": roc, "step": step,
                    "total_steps": total, "roc_record": roc_record, **check}  # fmt: skip
            rows.append({**base, "copied_from": ""})
            rows += [{**base, "dataset": twin, "copied_from": name}
                     for twin, original in twins.items() if original == name]  # fmt: skip
    candidates = pd.DataFrame(rows)
    cp = pd.concat(frames, ignore_index=True)
    os.makedirs(args.out_dir, exist_ok=True)
    candidates.to_csv(os.path.join(args.out_dir, f"candidates_synthetic_{prefix}.csv"), index=False)
    cp.to_csv(os.path.join(args.out_dir, f"checkpoints_synthetic_{prefix}.csv"), index=False,
              float_format="%.5f")  # fmt: skip

    finals = candidates[(candidates["candidate"] == "final") & (candidates["copied_from"] == "")]
    lines = [
        f"# {args.group}: checkpoint chosen by synthetic anomalies, one fit per set and run",
        "",
        f"Traces: {len(finals)} fits of {finals['dataset'].nunique()} distinct sets; "
        f"{cp.groupby(['dataset', 'run']).size().mean():.1f} checkpoints per fit (>= "
        f"{MIN_SPACING} steps apart); n_syn {finals['n_syn'].min()}-{finals['n_syn'].max()} per set.",
        "Check: max |final-checkpoint score - decision_function| = "
        f"{finals['max_abs_diff'].max():.2e}; max |ROC(final checkpoint) - ROC(decision_function)| = "
        f"{(finals['roc'] - finals['roc_detector']).abs().max():.2e}; max |ROC(decision_function) - "
        f"steps5000 record| = {(finals['roc_detector'] - finals['roc_record']).abs().max():.2e} "
        f"({finals['roc_record'].notna().sum()} records found).",
        "",
    ]
    peers = peers[peers["detector"].isin(["IForest", "ECOD"])]
    roc = candidates.pivot_table(index="dataset", columns="candidate", values="roc", aggfunc="mean")
    roc = roc[list(CANDIDATES)].join(
        peers.pivot_table(index="dataset", columns="detector", values="roc", aggfunc="mean"),
        how="left",
    )
    share = (candidates["step"] / candidates["total_steps"]).groupby(
        [candidates["dataset"], candidates["candidate"]]
    ).mean().unstack()
    distinct = sorted(set(candidates.loc[candidates["copied_from"] == "", "dataset"]))
    lines += [
        "| candidate | sets | mean ROC | diff vs final | wins vs final | p vs final (distinct) "
        "| wins vs IForest | p vs IForest (distinct) | mean step share |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label in sorted(roc.columns, key=lambda c: -roc[c].mean()):
        col = roc[label]
        if label == "final":
            vs_final = "- | - | -"
        else:
            vs_final = (f"{col.mean() - roc['final'].mean():+.4f} | {(col > roc['final']).sum()} | "
                        f"{_p(col.loc[distinct], roc['final'].loc[distinct]):.4f}")  # fmt: skip
        vs_iforest = "- | -" if label == "IForest" else (
            f"{(col > roc['IForest']).sum()} | "
            f"{_p(col.loc[distinct], roc['IForest'].loc[distinct]):.4f}"
        )
        step_share = f"{share[label].mean():.3f}" if label in share else "-"
        lines.append(f"| {label} | {col.notna().sum()} | {col.mean():.4f} | {vs_final} | "
                     f"{vs_iforest} | {step_share} |")  # fmt: skip

    lines += ["", "Correlation over checkpoints (per fit) with the test ROC, and the level of "
              "each synthetic ROC:", "",
              "| statistic | median corr | mean corr | positive | fits | mean at final | "
              "mean over checkpoints |", "|---|---:|---:|---:|---:|---:|---:|"]  # fmt: skip
    for stat in ("roc_uniform", "roc_shuffled", "roc_both", "roc_train"):
        corr = cp.groupby(["dataset", "run"]).apply(
            lambda g: g["roc_test"].corr(g[stat]), include_groups=False
        )
        at_final = cp[cp["share"] == 1][stat].mean()
        lines.append(f"| {stat} | {corr.median():.3f} | {corr.mean():.3f} | {(corr > 0).sum()} | "
                     f"{corr.notna().sum()} | {at_final:.3f} | {cp[stat].mean():.3f} |")  # fmt: skip
    per_set_corr = cp.groupby(["dataset", "run"]).apply(
        lambda g: pd.Series({s: g["roc_test"].corr(g[f"roc_{s}"]) for s in ("uniform", "shuffled")}),
        include_groups=False,
    ).groupby("dataset").mean()
    level = cp[cp["share"] == 1].groupby("dataset")[["roc_uniform", "roc_shuffled"]].mean()

    lines += ["", f"### {args.group}: ROC AUC per set (mean of the repetitions); corr = "
              "mean over runs of the per-fit correlation with the test ROC; uni/shuf@final = synthetic ROC at the final checkpoint", ""]
    order = list(roc.columns)
    lines += ["| dataset | " + " | ".join(order) + " | corr uni | corr shuf | uni@final | shuf@final |",
              "|---|" + "---:|" * (len(order) + 4)]  # fmt: skip
    for dataset, values in roc.iterrows():
        source = twins.get(dataset, dataset)
        extra = [per_set_corr.loc[source, "uniform"], per_set_corr.loc[source, "shuffled"],
                 level.loc[source, "roc_uniform"], level.loc[source, "roc_shuffled"]]  # fmt: skip
        lines.append(f"| {dataset} | " + " | ".join(f"{v:.3f}" for v in list(values) + extra) + " |")
    lines.append("| **mean** | " + " | ".join(f"{v:.3f}" for v in roc.mean()) + " | | | | |")
    time_ = finals.groupby("dataset")[["time", "trace_seconds"]].mean()
    lines += ["", f"Fit + score time per distinct set (mean over runs), with the probes: "
              f"{time_['time'].mean():.1f} s, of which probes {time_['trace_seconds'].mean():.1f} s."]  # fmt: skip
    text = "\n".join(lines) + "\n"
    with open(os.path.join(args.out_dir, f"tables_synthetic_{prefix}.md"), "w") as handle:
        handle.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
