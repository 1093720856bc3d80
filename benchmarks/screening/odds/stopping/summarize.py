"""Score every stopping / snapshot candidate from the traces of ``trace.py``; print the tables.

Usage::

    python summarize.py GROUP TRACES_DIR [--out-dir runs] [--candidates final snapshot-mean ...]

For each trace (one fit of one set and repetition) and each checkpoint c, the ensemble score
of a row is ``S_c(x) = mean_k (A_k,c(x) - m_k,c) / s_k,c`` with ``m, s`` the mean and standard
deviation of member k's scores of the training rows at c (the detector's own standardisation).
The candidates, all ROC AUC of test-row scores against the test labels:

``final``          S at the last checkpoint (= today's default score; checked against the
                   detector's ``decision_function`` and the steps5000 record).
``oracle``         the checkpoint with the best test ROC: a ceiling, not a candidate.
``bimodal-gmm``    the checkpoint whose training rows' ``log(mean_k A_k / m_k)``, standardised,
                   is most bimodal: a 2-component GaussianMixture (at most 5000 rows, seed 0),
                   separation ``|mu1 - mu2| / sqrt(sd1 sd2)``.
``bimodal-otsu``   the checkpoint with the largest Otsu share (best two-class split's
                   between-class variance / total variance) of the training rows' S.
``snapshot-mean``  mean over all checkpoints of S_c.
``snapshot-late``  the same over the checkpoints at or after half the training steps.
``snapshot-rank``  mean over all checkpoints of each test row's percentile among the training
                   rows' S_c (a rank average that needs no scale).
``gmm-weighted``   snapshot mean weighted by each checkpoint's GMM separation.

The two bimodal rules choose among the checkpoints from the end of the first round on; ties go
to the earliest. Per candidate the table gives mean ROC over the sets (each set first averaged
over its repetitions), wins and two-sided paired Wilcoxon p over the distinct sets (the 12
exact copies repeat their original and are left out of p) against IForest and against
``final``, and the mean share of the training steps at the chosen checkpoint (1 for final
and the snapshot averages: they need the whole run).

Writes ``OUT_DIR/checkpoints_<group>.csv`` (one row per checkpoint: step, test and training ROC,
the two bimodality statistics), ``OUT_DIR/candidates_<group>.csv`` (one row per set, run and
candidate) and ``OUT_DIR/tables_<group>.md``.
"""

import argparse
import glob
import os
import sys

import numpy as np
import pandas as pd
from scipy.stats import wilcoxon
from sklearn.metrics import roc_auc_score
from sklearn.mixture import GaussianMixture

HERE = os.path.dirname(os.path.abspath(__file__))
STEPS_RUNS = os.path.join(HERE, "..", "steps", "runs")
CANDIDATES = (
    "final", "oracle", "bimodal-gmm", "bimodal-otsu", "snapshot-mean", "snapshot-late",
    "snapshot-rank", "gmm-weighted",
)  # fmt: skip
GMM_ROWS = 5000
MIN_SPACING = 150
"""Checkpoints used: at least this many optimizer steps apart (plus the final one), so that
every set has about 10 (1500-1667 steps); a set whose rounds are single 10-step epochs (pima:
167 rounds) would otherwise have 167 and the large sets 9."""


def thin(steps, min_spacing):
    """Indices of the checkpoints kept: the first at or after ``min_spacing`` steps, each next
    one at least ``min_spacing`` steps after the last kept, and always the last."""
    kept, last = [], 0
    for i, step in enumerate(steps):
        if step - last >= min_spacing:
            kept.append(i)
            last = step
    if not kept or kept[-1] != len(steps) - 1:
        kept.append(len(steps) - 1)
    return np.asarray(kept)


def standardized(a_train, a_test):
    """S of training and test rows at every checkpoint: (n_checkpoints, n_rows) each."""
    a_train = a_train.astype(np.float64)
    a_test = a_test.astype(np.float64)
    m = a_train.mean(-1, keepdims=True)
    s = a_train.std(-1, keepdims=True)
    s = np.where(s > 0, s, 1.0)
    return ((a_train - m) / s).mean(1), ((a_test - m) / s).mean(1)


def gmm_separation(a_train):
    """Bimodality of log(mean_k A_k / m_k) of the training rows at one checkpoint."""
    a = a_train.astype(np.float64)
    ratio = (a / a.mean(-1, keepdims=True)).mean(0)
    u = np.log(np.maximum(ratio, 1e-12))
    if u.std() == 0:
        return 0.0
    u = (u - u.mean()) / u.std()
    if len(u) > GMM_ROWS:
        u = np.random.default_rng(0).choice(u, GMM_ROWS, replace=False)
    gmm = GaussianMixture(2, random_state=0).fit(u[:, None])
    mu = gmm.means_.ravel()
    sd = np.sqrt(gmm.covariances_.ravel())
    return float(abs(mu[0] - mu[1]) / np.sqrt(sd[0] * sd[1]))


def otsu_share(values):
    """Largest between-class variance share of a split of ``values`` into low and high."""
    v = np.sort(np.asarray(values, dtype=np.float64))
    n = len(v)
    total = v.var()
    if n < 2 or total == 0:
        return 0.0
    cumulative = np.cumsum(v)[:-1]
    n0 = np.arange(1, n)
    m0 = cumulative / n0
    m1 = (v.sum() - cumulative) / (n - n0)
    between = (n0 / n) * (1 - n0 / n) * (m0 - m1) ** 2
    return float(between.max() / total)


def train_percentile(train, test):
    """Share of training scores below each test score."""
    return np.searchsorted(np.sort(train), test, side="left") / len(train)


def analyse(path, min_spacing=MIN_SPACING):
    t = np.load(path)
    kept = thin(t["steps"], min_spacing)
    steps, a_train = t["steps"][kept], t["a_train"][kept]
    y_train, y_test = t["y_train"], t["y_test"]
    s_train, s_test = standardized(a_train, t["a_test"][kept])
    n = len(steps)
    total = int(steps[-1])
    roc_test = np.array([roc_auc_score(y_test, s) for s in s_test])
    roc_train = np.array(
        [roc_auc_score(y_train, s) if 0 < y_train.sum() < len(y_train) else np.nan for s in s_train]
    )
    gmm = np.array([gmm_separation(a_train[c]) for c in range(n)])
    otsu = np.array([otsu_share(s) for s in s_train])
    # from the end of the first round on (with the thinning: the first kept checkpoint, or later)
    first_round = int(t["steps"][np.flatnonzero(t["round_end"])[0]])
    eligible = np.flatnonzero(steps >= first_round)

    def pick(statistic):
        return int(eligible[np.argmax(statistic[eligible])])  # argmax: earliest of ties

    late = steps >= total / 2
    weights = gmm / gmm.sum() if gmm.sum() > 0 else np.full(n, 1.0 / n)
    rank = np.mean([train_percentile(s_train[c], s_test[c]) for c in range(n)], axis=0)
    chosen = {
        "final": (roc_test[-1], total),
        "oracle": (roc_test.max(), int(steps[int(np.argmax(roc_test))])),
        "bimodal-gmm": (roc_test[pick(gmm)], int(steps[pick(gmm)])),
        "bimodal-otsu": (roc_test[pick(otsu)], int(steps[pick(otsu)])),
        "snapshot-mean": (roc_auc_score(y_test, s_test.mean(0)), total),
        "snapshot-late": (roc_auc_score(y_test, s_test[late].mean(0)), total),
        "snapshot-rank": (roc_auc_score(y_test, rank), total),
        "gmm-weighted": (roc_auc_score(y_test, weights @ s_test), total),
    }
    checkpoints = pd.DataFrame(
        {"checkpoint": kept, "step": steps, "round_end": t["round_end"][kept].astype(int),
         "share": steps / total, "roc_test": roc_test, "roc_train": roc_train,
         "gmm_sep": gmm, "otsu": otsu}  # fmt: skip
    )
    check = {
        "roc_detector": float(t["roc_detector"]),
        "roc_final_trace": float(t["roc_final_trace"]),
        "max_abs_diff": float(t["max_abs_diff"]),
        "time": float(t["time"]),
        "trace_seconds": float(t["trace_seconds"]),
    }
    return chosen, checkpoints, check, total


def _p(a, b):
    pair = pd.concat([a, b], axis=1).dropna()
    diff = pair.iloc[:, 0] - pair.iloc[:, 1]
    if len(pair) < 2 or (diff == 0).all():
        return np.nan
    return float(wilcoxon(pair.iloc[:, 0], pair.iloc[:, 1]).pvalue)


def main(argv=None):
    parser = argparse.ArgumentParser()
    parser.add_argument("group", choices=["screen", "held-out"])
    parser.add_argument("traces")
    parser.add_argument("--out-dir", default=os.path.join(HERE, "runs"))
    parser.add_argument("--candidates", nargs="+", default=list(CANDIDATES))
    parser.add_argument("--min-spacing", type=int, default=MIN_SPACING)
    parser.add_argument("--suffix", default="", help="added to the output file names")
    args = parser.parse_args(argv)
    prefix = "screen" if args.group == "screen" else "heldout"
    record_file = os.path.join(STEPS_RUNS, f"{prefix}_steps5000.csv")
    peers_file = os.path.join(STEPS_RUNS, f"{prefix}_peers.csv")
    prefix += args.suffix
    baseline = pd.read_csv(record_file)
    twins = baseline[baseline["copied_from"].notna()][["dataset", "copied_from"]].drop_duplicates()
    twins = dict(zip(twins["dataset"], twins["copied_from"]))

    rows, checkpoint_frames = [], []
    for path in sorted(glob.glob(os.path.join(args.traces, "*__r*.npz"))):
        name, run = os.path.basename(path)[: -len(".npz")].rsplit("__r", 1)
        run = int(run)
        chosen, checkpoints, check, total = analyse(path, args.min_spacing)
        record = baseline[(baseline["dataset"] == name) & (baseline["run"] == run)]
        roc_record = float(record["roc"].iloc[0]) if len(record) else np.nan
        checkpoint_frames.append(checkpoints.assign(dataset=name, run=run))
        for candidate, (roc, step) in chosen.items():
            base = {"dataset": name, "run": run, "candidate": candidate, "roc": roc, "step": step,
                    "total_steps": total, "roc_record": roc_record, **check}  # fmt: skip
            rows.append({**base, "copied_from": ""})
            rows += [{**base, "dataset": twin, "copied_from": name}
                     for twin, original in twins.items() if original == name]  # fmt: skip
    candidates = pd.DataFrame(rows)
    checkpoints = pd.concat(checkpoint_frames, ignore_index=True)
    os.makedirs(args.out_dir, exist_ok=True)
    candidates.to_csv(os.path.join(args.out_dir, f"candidates_{prefix}.csv"), index=False)
    checkpoints.to_csv(
        os.path.join(args.out_dir, f"checkpoints_{prefix}.csv"), index=False, float_format="%.5f"
    )

    # the check: the final checkpoint is the detector's score and the steps5000 record
    finals = candidates[(candidates["candidate"] == "final") & (candidates["copied_from"] == "")]
    lines = [
        f"# {args.group}: stopping / snapshot candidates from one fit per set and run",
        "",
        f"Traces: {len(finals)} fits of {finals['dataset'].nunique()} distinct sets; checkpoints "
        f"at least {args.min_spacing} steps apart ({checkpoints.groupby(['dataset', 'run']).size().mean():.1f} per fit).",
        "Check: max |final-checkpoint score - decision_function| = "
        f"{finals['max_abs_diff'].max():.2e} (float32 storage); max |ROC(final checkpoint) - "
        f"ROC(decision_function)| = {(finals['roc'] - finals['roc_detector']).abs().max():.2e}; "
        f"max |ROC(decision_function) - steps5000 record| = "
        f"{(finals['roc_detector'] - finals['roc_record']).abs().max():.2e} "
        f"({finals['roc_record'].notna().sum()} records found).",
        "",
    ]

    peers = pd.read_csv(peers_file)
    peers = peers[peers["detector"].isin(["IForest", "ECOD"])]
    roc = candidates.pivot_table(index="dataset", columns="candidate", values="roc", aggfunc="mean")
    roc = roc[[c for c in args.candidates if c in roc.columns]]
    peer_roc = peers.pivot_table(index="dataset", columns="detector", values="roc", aggfunc="mean")
    roc = roc.join(peer_roc, how="left")
    share = (candidates["step"] / candidates["total_steps"]).groupby(
        [candidates["dataset"], candidates["candidate"]]
    ).mean().unstack()
    distinct = sorted(set(candidates.loc[candidates["copied_from"] == "", "dataset"]))

    header = ("| candidate | sets | mean ROC | diff vs final | wins vs final | p vs final (distinct) "
              "| wins vs IForest | p vs IForest (distinct) | mean step share |")  # fmt: skip
    lines += [header, "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    order = list(roc.columns)
    for label in sorted(order, key=lambda c: -roc[c].mean()):
        col = roc[label]
        vs_final = "-" if label == "final" else (
            f"{col.mean() - roc['final'].mean():+.4f} | {(col > roc['final']).sum()} | "
            f"{_p(col.loc[distinct], roc['final'].loc[distinct]):.4f}"
        )
        if label == "final":
            vs_final = "- | - | -"
        vs_iforest = "- | -" if label == "IForest" else (
            f"{(col > roc['IForest']).sum()} | {_p(col.loc[distinct], roc['IForest'].loc[distinct]):.4f}"
        )
        step_share = f"{share[label].mean():.3f}" if label in share else "-"
        lines.append(f"| {label} | {col.notna().sum()} | {col.mean():.4f} | {vs_final} | "
                     f"{vs_iforest} | {step_share} |")  # fmt: skip
    lines += ["", f"### {args.group}: ROC AUC per set (mean of the repetitions)", ""]
    lines += ["| dataset | " + " | ".join(order) + " |", "|---|" + "---:|" * len(order)]
    for dataset, values in roc.iterrows():
        lines.append(f"| {dataset} | " + " | ".join(f"{v:.3f}" for v in values) + " |")
    lines.append("| **mean** | " + " | ".join(f"{v:.3f}" for v in roc.mean()) + " |")

    # where on the training curve the test ROC peaks, and what the training rows show
    cp = checkpoints
    best = cp.loc[cp.groupby(["dataset", "run"])["roc_test"].idxmax()]
    bins = pd.cut(best["share"], [0, 1 / 3, 2 / 3, 0.999, 1.0], include_lowest=True,
                  labels=["first third", "middle third", "last third (not final)", "final"])  # fmt: skip
    lines += ["", "### Where the oracle checkpoint lies (distinct fits)", ""]
    lines += [f"* {label}: {count}" for label, count in bins.value_counts(sort=False).items()]
    gain = (best.set_index(["dataset", "run"])["roc_test"]
            - cp[cp["share"] == 1].set_index(["dataset", "run"])["roc_test"])  # fmt: skip
    lines.append(f"* oracle minus final, mean over fits: {gain.mean():+.4f} (median {gain.median():+.4f}); "
                 f"final within 0.005 of the oracle in {(gain <= 0.005).sum()} of {len(gain)} fits, "
                 f"more than 0.02 below it in {(gain > 0.02).sum()}")
    early = cp[cp["share"] <= 1 / 3].groupby(["dataset", "run"])["roc_test"].max()
    late_ = cp[cp["share"] > 1 / 3].groupby(["dataset", "run"])["roc_test"].max()
    lines.append(f"* best checkpoint of the first third beats every later one by more than 0.005 "
                 f"in {(early > late_ + 0.005).sum()} of {len(early)} fits: "
                 + ", ".join(f"{d} r{r}" for (d, r) in early.index[early > late_ + 0.005]))
    corr = cp.groupby(["dataset", "run"]).apply(
        lambda g: g["roc_test"].corr(g["roc_train"]) if g["roc_train"].notna().all() else np.nan,
        include_groups=False,
    )
    lines.append(f"* correlation over checkpoints of test ROC with training-row ROC (labels of "
                 f"the training rows, not usable by a rule), median over fits: {corr.median():.3f}")
    for stat in ("gmm_sep", "otsu"):
        c = cp.groupby(["dataset", "run"]).apply(
            lambda g: g["roc_test"].corr(g[stat]), include_groups=False)  # fmt: skip
        lines.append(f"* correlation over checkpoints of test ROC with {stat}, median over fits: "
                     f"{c.median():.3f} (positive in {(c > 0).sum()} of {c.notna().sum()})")
    curve = cp.assign(bin=pd.cut(cp["share"], np.linspace(0, 1, 6), include_lowest=True))
    mean_curve = curve.groupby("bin", observed=True)[["roc_test", "roc_train"]].mean()
    lines += ["", "Mean ROC by position in training (share of the steps; all checkpoints):", "",
              "| share of steps | test ROC | training-row ROC |", "|---|---:|---:|"]  # fmt: skip
    lines += [f"| {b} | {r.roc_test:.3f} | {r.roc_train:.3f} |" for b, r in mean_curve.iterrows()]
    time_ = finals.groupby("dataset")[["time", "trace_seconds"]].mean()
    lines += ["", f"Fit + score time per distinct set (mean over runs), with the probes: "
              f"{time_['time'].mean():.1f} s, of which probes {time_['trace_seconds'].mean():.1f} s."]  # fmt: skip
    text = "\n".join(lines) + "\n"
    with open(os.path.join(args.out_dir, f"tables_{prefix}.md"), "w") as handle:
        handle.write(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
