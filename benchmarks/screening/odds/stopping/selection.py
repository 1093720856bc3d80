"""Label-free checkpoint choices from consensus and tail shape, scored from ``trace.py``'s traces.

A second look at the same traces as ``summarize.py`` (same checkpoints: ``thin`` at
``MIN_SPACING``; same ensemble score ``S_c``), with choices that the literature on
unsupervised model selection suggests rather than bimodality:

``centrality``        the checkpoint whose training-row scores agree most with the other
                      checkpoints' (mean Spearman correlation; "model centrality", Ma et al. 2021).
``member-agreement``  the checkpoint where the members' standardised training-row scores agree
                      most with each other (mean pairwise Spearman correlation).
``skew``              the checkpoint whose training-row scores are most right-skewed.
``kurtosis``          the checkpoint whose training-row scores have the heaviest tails.

Eligible checkpoints start at the end of the first round, as in ``summarize.py``; ties go to
the earliest. Usage::

    python selection.py GROUP TRACES_DIR

Prints, per candidate, the mean ROC over the sets (each set first averaged over its runs;
the 12 exact ADBench copies of ODDS sets are not traced and take their original's value, as
in ``summarize.py``), the difference to ``final``, wins against ``final`` and against IForest,
and the paired Wilcoxon p against both over the distinct sets.
"""

import glob
import os
import sys

import numpy as np
import pandas as pd
from scipy.stats import kurtosis, skew, spearmanr, wilcoxon
from sklearn.metrics import roc_auc_score

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from summarize import MIN_SPACING, STEPS_RUNS, standardized, thin  # noqa: E402

CANDIDATES = ("final", "oracle", "centrality", "member-agreement", "skew", "kurtosis")


def _rank_correlations(rows):
    """Spearman correlations between the rows of a 2-D array (one row per score vector)."""
    if len(rows) < 2:
        return np.ones((1, 1))
    return np.atleast_2d(spearmanr(rows, axis=1).statistic)


def analyse(path):
    t = np.load(path)
    kept = thin(t["steps"], MIN_SPACING)
    steps = t["steps"][kept]
    a_train = t["a_train"][kept].astype(np.float64)
    s_train, s_test = standardized(t["a_train"][kept], t["a_test"][kept])
    y_test = t["y_test"]
    roc = np.array([roc_auc_score(y_test, s) for s in s_test])
    first_round = int(t["steps"][np.flatnonzero(t["round_end"])[0]])
    eligible = np.flatnonzero(steps >= first_round)
    n = len(steps)

    correlations = _rank_correlations(s_train)
    centrality = (correlations.sum(1) - 1) / max(n - 1, 1)
    member = []
    for c in range(n):
        z = (a_train[c] - a_train[c].mean(-1, keepdims=True)) / np.maximum(
            a_train[c].std(-1, keepdims=True), 1e-12
        )
        r = _rank_correlations(z)
        k = len(z)
        member.append((r.sum() - k) / max(k * (k - 1), 1))
    member = np.array(member)
    skews = np.array([skew(s) for s in s_train])
    kurts = np.array([kurtosis(s) for s in s_train])

    def pick(statistic):
        return roc[int(eligible[np.argmax(statistic[eligible])])]

    return {
        "final": roc[-1],
        "oracle": roc.max(),
        "centrality": pick(centrality),
        "member-agreement": pick(member),
        "skew": pick(skews),
        "kurtosis": pick(kurts),
    }


def _p(a, b):
    d = (a - b).dropna()
    return np.nan if len(d) < 2 or (d == 0).all() else float(wilcoxon(d).pvalue)


def main(group, traces):
    prefix = "screen" if group == "screen" else "heldout"
    baseline = pd.read_csv(os.path.join(STEPS_RUNS, f"{prefix}_steps5000.csv"))
    peers = pd.read_csv(os.path.join(STEPS_RUNS, f"{prefix}_peers.csv"))
    twins = baseline[baseline["copied_from"].notna()][["dataset", "copied_from"]]
    twins = dict(zip(twins["dataset"], twins["copied_from"]))
    rows = []
    for path in sorted(glob.glob(os.path.join(traces, "*__r*.npz"))):
        name, run = os.path.basename(path)[: -len(".npz")].rsplit("__r", 1)
        for candidate, value in analyse(path).items():
            rows.append((name, int(run), candidate, value))
    frame = pd.DataFrame(rows, columns=["dataset", "run", "candidate", "roc"])
    per_set = frame.groupby(["dataset", "candidate"])["roc"].mean().unstack()
    for twin, original in twins.items():
        if original in per_set.index:
            per_set.loc[twin] = per_set.loc[original]
    iforest = peers[peers["detector"] == "IForest"].groupby("dataset")["roc"].mean()
    per_set["IForest"] = iforest.reindex(per_set.index)
    distinct = [d for d in per_set.index if d not in twins]
    print(f"{group}: {len(per_set)} sets ({len(distinct)} distinct), {len(frame) // len(CANDIDATES)} fits")
    print("| candidate | mean ROC | vs final | wins vs final | p vs final | wins vs IForest | p vs IForest |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for candidate in [*CANDIDATES, "IForest"]:
        values = per_set[candidate]
        d = per_set.loc[distinct]
        print(
            f"| {candidate} | {values.mean():.4f} | {values.mean() - per_set['final'].mean():+.4f} "
            f"| {int((values > per_set['final']).sum())} | {_p(d[candidate], d['final']):.3f} "
            f"| {int((values > per_set['IForest']).sum())} | {_p(d[candidate], d['IForest']):.3f} |"
        )
    print()
    print(per_set.round(3).to_string())


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
