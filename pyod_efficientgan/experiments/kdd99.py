"""The KDDCUP99 experiment of Zenati et al. (2018), reproducible with one command.

``pyod-efficientgan kdd99`` loads the 10 % KDD Cup 1999 set with the paper's
protocol (:func:`load_kddcup99`, :func:`split_kddcup99`), trains
:class:`~pyod_efficientgan.EfficientGAN` once per seed on the training split,
labels the top 20 % of test scores as anomalies and reports precision, recall,
F1 and ROC AUC for both discriminator scores next to the paper's row.

The protocol follows the official EGBAD code (``data/kdd.py``):

* 41 columns; ``protocol_type``, ``service``, ``flag``, ``land``,
  ``logged_in``, ``is_host_login`` and ``is_guest_login`` are one-hot encoded,
  which gives 121 features;
* the label is 1 (anomaly) for ``normal.`` rows and 0 for attacks, because
  attacks are the majority (about 80 %);
* a 50 % train/test split with seed 42; training keeps the attacks only,
  testing uses the whole other half.

Column order (fixed, independent of the data source): the 34 numeric columns
in the file's order, then, for each one-hot column in the order above, one
indicator per category, categories sorted as strings (``"0" < "1"``,
``"icmp" < "tcp" < "udp"``). The indicator names are ``"<column>=<value>"``.
"""

import argparse
import csv
import os
import sys
import time

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

DATA_HOME_ENV = "PYOD_EFFICIENTGAN_KDD_DATA_HOME"
"""Environment variable naming the ``fetch_kddcup99`` cache folder."""

RAW_FILE_ENV = "PYOD_EFFICIENTGAN_KDD_FILE"
"""Environment variable naming the raw ``kddcup.data_10_percent(.gz)`` file."""

COLUMN_NAMES = (
    "duration", "protocol_type", "service", "flag", "src_bytes", "dst_bytes", "land",
    "wrong_fragment", "urgent", "hot", "num_failed_logins", "logged_in", "num_compromised",
    "root_shell", "su_attempted", "num_root", "num_file_creations", "num_shells",
    "num_access_files", "num_outbound_cmds", "is_host_login", "is_guest_login", "count",
    "srv_count", "serror_rate", "srv_serror_rate", "rerror_rate", "srv_rerror_rate",
    "same_srv_rate", "diff_srv_rate", "srv_diff_host_rate", "dst_host_count",
    "dst_host_srv_count", "dst_host_same_srv_rate", "dst_host_diff_srv_rate",
    "dst_host_same_src_port_rate", "dst_host_srv_diff_host_rate", "dst_host_serror_rate",
    "dst_host_srv_serror_rate", "dst_host_rerror_rate", "dst_host_srv_rerror_rate",
)  # fmt: skip
"""The 41 feature columns of the KDD Cup 1999 files, in order."""

CATEGORICAL_COLUMNS = (
    "protocol_type", "service", "flag", "land", "logged_in", "is_host_login", "is_guest_login",
)  # fmt: skip
"""Columns one-hot encoded by the official code, in the order of their indicators."""

NORMAL_LABEL = "normal."
"""Label of the rows that are the anomalies (label 1) in this protocol."""

SPLIT_SEED = 42
"""Seed of the 50 % train/test split (the official code's)."""

ANOMALY_PERCENTILE = 80
"""Test rows scoring above this percentile of the test scores are flagged."""

PAPER_F1 = (0.9372, 0.0440)
"""F1 (mean, std) of EGBAD on KDDCUP99 reported by the paper (its best row)."""

WIDE_NETWORKS = dict(
    encoder_units=(128,), generator_units=(128, 256), discriminator_units=(256, 256)
)
"""Layer widths of the ``large``, ``large3`` and ``select`` configurations (twice the paper's)."""

CONFIGS = {
    "paper": {
        "transform": "none",
        "detector": dict(
            epochs=10, batch_size=50, learning_rate=1e-5, latent_dim=32, alpha=0.9, norm=1,
            preprocessing=None, validation_size=0.0, ema_decay=0.999, n_estimators=1,
        ),
    },
    # Min-max scaling, 10 % held out for early stopping, the L1 norm, one BiGAN with the
    # paper's 32-dimensional code, on the raw features ("auto" epochs give KDD's 198,382
    # training rows 3 epochs).
    "minmax-heldout": {
        "transform": "none",
        "detector": dict(
            preprocessing="minmax", validation_size=0.1, norm=1, latent_dim=32, n_estimators=1,
        ),
    },
    "tuned": {
        "transform": "log1p",
        "detector": dict(
            epochs=6, batch_size=50, learning_rate=3e-4, latent_dim=32, alpha=0.9, norm=2,
            preprocessing="minmax", validation_size=0.1, n_estimators=1,
        ),
    },
    "large": {
        "transform": "log1p",
        "detector": dict(
            epochs=4, batch_size=50, learning_rate=3e-4, latent_dim=32, alpha=0.9, norm=1,
            **WIDE_NETWORKS,
            preprocessing="minmax", validation_size=0.1, n_estimators=1,
        ),
    },
    # The wider networks at lr 1e-3 for a fixed 3 epochs, no early stopping,
    # squared-error (norm=2) score; see docs/kdd99.md for the screen.
    "large3": {
        "transform": "log1p",
        "detector": dict(
            epochs=3, batch_size=50, learning_rate=1e-3, latent_dim=32, alpha=0.9, norm=2,
            **WIDE_NETWORKS,
            preprocessing="minmax", validation_size=0.0, n_estimators=1,
        ),
    },
    # The `large3` networks trained longer, keeping the weights that flag the
    # fewest held-out training rows among the test rows' top 20 % (label-free;
    # see `fit_with_selection` and docs/kdd99.md).
    "select": {
        "transform": "log1p",
        "detector": dict(
            epochs=6, batch_size=50, learning_rate=1e-3, latent_dim=32, alpha=0.9, norm=2,
            **WIDE_NETWORKS,
            preprocessing="minmax", validation_size=0.0, n_estimators=1,
        ),
        "selection": dict(held_out=0.1, every_n_steps=1000, reference_rows=50_000),
    },
}  # fmt: skip
"""Named settings for ``--config``: the feature transform, the detector's arguments
and, optionally, a ``selection`` of the weights to keep (:func:`fit_with_selection`).

``paper`` is the official code's settings; ``minmax-heldout`` is min-max scaling with
early stopping on held-out rows, one BiGAN, on the untransformed features; the others
are described in docs/kdd99.md.
"""

TRANSFORMS = ("none", "log1p")
"""Feature transforms applied to train and test rows before the detector."""


def transform_features(X, transform):
    """Apply a fixed, data-independent feature transform.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Encoded rows; all KDD features are non-negative.
    transform : {"none", "log1p"}
        ``"log1p"`` maps every value v to log(1 + v), which tames the heavy
        tails of the byte and count columns and leaves 0/1 indicators 0 and
        log 2 (the detector's min-max scaling maps them back to 0 and 1).

    Returns
    -------
    X_transformed : ndarray of shape (n_samples, n_features), float32
    """
    if transform == "none":
        return X
    if transform == "log1p":
        if np.any(X < 0):
            raise ValueError("transform='log1p' needs non-negative features.")
        return np.log1p(X, dtype=np.float32)
    raise ValueError(f"transform must be one of {TRANSFORMS}, got {transform!r}.")


# ------------------------------------------------------------------- data
def _decode(value):
    return value.decode("ascii") if isinstance(value, bytes) else value


def _frame_from_sklearn(data_home, download_if_missing):
    from sklearn.datasets import fetch_kddcup99

    bunch = fetch_kddcup99(
        data_home=data_home, percent10=True, download_if_missing=download_if_missing
    )
    frame = pd.DataFrame(bunch.data, columns=list(COLUMN_NAMES))
    labels = pd.Series([_decode(value) for value in bunch.target])
    return frame, labels


def _frame_from_file(path):
    frame = pd.read_csv(path, header=None, names=[*COLUMN_NAMES, "label"])
    return frame[list(COLUMN_NAMES)], frame["label"]


def _encode(frame, labels):
    numeric = [name for name in COLUMN_NAMES if name not in CATEGORICAL_COLUMNS]
    blocks = [frame[numeric].to_numpy(dtype=np.float64)]
    names = list(numeric)
    for name in CATEGORICAL_COLUMNS:
        codes, uniques = pd.factorize(frame[name], sort=False)
        unique_values = np.array([str(_decode(value)) for value in uniques], dtype=str)
        categories, position = np.unique(unique_values, return_inverse=True)  # sorted as strings
        blocks.append(np.eye(len(categories), dtype=np.float64)[position.reshape(-1)[codes]])
        names.extend(f"{name}={category}" for category in categories)
    X = np.ascontiguousarray(np.hstack(blocks), dtype=np.float32)
    y = (np.asarray(labels, dtype=object) == NORMAL_LABEL).astype(np.int64)
    return X, y, names


def load_kddcup99(data_home=None, path=None, download_if_missing=False):
    """Load the 10 % KDD Cup 1999 set one-hot encoded, with the paper's labels.

    Exactly one source is read: the raw file ``path`` if given, else the
    :func:`sklearn.datasets.fetch_kddcup99` cache in ``data_home``. Both give
    identical arrays.

    Parameters
    ----------
    data_home : str or path-like, default=None
        Folder of the scikit-learn cache (holds ``kddcup99_10-py3/``). None
        uses scikit-learn's default folder.
    path : str or path-like, default=None
        The raw ``kddcup.data_10_percent`` file (gzip allowed): 41 columns and
        a label, no header.
    download_if_missing : bool, default=False
        Passed to :func:`~sklearn.datasets.fetch_kddcup99`.

    Returns
    -------
    X : ndarray of shape (494021, 121), float32
        34 numeric columns, then the one-hot indicators (see the module notes).
    y : ndarray of shape (494021,), int64
        1 for ``normal.`` rows (the anomalies here), 0 for attacks.
    feature_names : list of str
        Names of the 121 columns.
    """
    if path is not None:
        frame, labels = _frame_from_file(path)
    else:
        frame, labels = _frame_from_sklearn(data_home, download_if_missing)
    return _encode(frame, labels)


def split_kddcup99(X, y, random_state=SPLIT_SEED):
    """Split 50/50 and keep only attacks (label 0) for training.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Encoded rows from :func:`load_kddcup99`.
    y : ndarray of shape (n_samples,)
        Labels, 1 = anomaly (``normal.``).
    random_state : int, default=42
        Seed of :func:`~sklearn.model_selection.train_test_split`.

    Returns
    -------
    X_train : ndarray
        The label-0 rows of the first half.
    X_test, y_test : ndarray
        The whole second half and its labels.
    """
    X_half, X_test, y_half, y_test = train_test_split(
        X, y, test_size=0.5, random_state=random_state
    )
    return X_half[y_half == 0], X_test, y_test


def sample_rows(X, y, sample, random_state=SPLIT_SEED):
    """Keep a random subset of rows, in their original order (for smoke runs).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Rows.
    y : ndarray of shape (n_samples,)
        Labels.
    sample : float in (0, 1] or int >= 1
        Share of the rows (float) or number of rows (int) to keep.
    random_state : int, default=42
        Seed of the draw.

    Returns
    -------
    X_sample, y_sample : ndarray
        The kept rows and labels.
    """
    n_samples = len(X)
    if isinstance(sample, float):
        if not 0 < sample <= 1:
            raise ValueError(f"sample must be a share in (0, 1] or a row count, got {sample!r}.")
        n_keep = max(int(round(sample * n_samples)), 1)
    else:
        if sample < 1:
            raise ValueError(f"sample must be a share in (0, 1] or a row count, got {sample!r}.")
        n_keep = min(int(sample), n_samples)
    keep = np.sort(np.random.RandomState(random_state).permutation(n_samples)[:n_keep])
    return X[keep], y[keep]


# ------------------------------------------------------------- experiment
def variant_scores(detector, X, methods=("cross-entropy", "feature-matching")):
    r"""Score ``X`` with each discriminator score of one fitted detector.

    Training does not depend on ``score_method`` (early stopping watches the
    reconstruction error only), so one fit serves both variants: this gives
    the scores that a detector fitted with the same seed and the other
    ``score_method`` would give. Each variant is the detector's own
    :meth:`~pyod_efficientgan.EfficientGAN.decision_function` after
    ``set_params(score_method=method)``; the detector's ``score_method`` is
    restored in a ``finally`` block, also when scoring raises.

    Parameters
    ----------
    detector : EfficientGAN
        A fitted detector; its ``score_method`` is the same after the call.
    X : ndarray of shape (n_samples, n_features)
        Rows to score (unscaled, like ``decision_function``'s input).
    methods : tuple of str, default=("cross-entropy", "feature-matching")
        The :math:`L_D` variants.

    Returns
    -------
    scores : dict of str to ndarray of shape (n_samples,)
        :math:`A(x) = \alpha L_G(x) + (1 - \alpha) L_D(x)` per method.
    """
    original = detector.score_method
    try:
        scores = {}
        for method in methods:
            detector.set_params(score_method=method)
            scores[method] = detector.decision_function(X)
    finally:
        detector.set_params(score_method=original)
    return scores


def evaluate(y_true, scores, percentile=ANOMALY_PERCENTILE):
    """Precision, recall and F1 of flagging the top scores, and ROC AUC.

    As in the official code, rows with a score at or above the
    ``percentile``-th percentile of ``scores`` are flagged as anomalies.

    Parameters
    ----------
    y_true : ndarray of shape (n_samples,)
        1 for anomalies.
    scores : ndarray of shape (n_samples,)
        Higher is more abnormal.
    percentile : float, default=80
        Percentile of the scores used as the threshold.

    Returns
    -------
    metrics : dict of str to float
        ``precision``, ``recall``, ``f1``, ``roc_auc``.
    """
    from sklearn.metrics import precision_recall_fscore_support, roc_auc_score

    threshold = np.percentile(scores, percentile)
    y_pred = (scores >= threshold).astype(np.int64)
    precision, recall, f1, _ = precision_recall_fscore_support(
        y_true, y_pred, average="binary", zero_division=0
    )
    return {
        "precision": float(precision),
        "recall": float(recall),
        "f1": float(f1),
        "roc_auc": float(roc_auc_score(y_true, scores)),
    }


def fit_with_selection(X_train, X_test, params, selection, seed):
    """Fit on most training rows; keep the weights that flag the fewest of the others.

    A share ``selection["held_out"]`` of the training rows (attacks, the
    model's "normal" class) is held out. During training,
    :class:`~pyod_efficientgan.callbacks.HeldOutFlagSelection` scores them and
    a fixed random sample of ``selection["reference_rows"]`` test rows every
    ``selection["every_n_steps"]`` steps, flags the top 20 % of the test
    sample as the protocol does, and keeps the weights under which the fewest
    held-out rows would be flagged. Held-out and test attacks come from the
    same random split, so that share estimates the share of test attacks
    flagged by mistake, without labels (the test rows are used unlabelled, as
    the protocol's threshold uses them).

    The callback takes the rows unscaled; the detector hands it its fitted
    preprocessing when ``fit`` starts.

    Parameters
    ----------
    X_train : ndarray of shape (n_train, n_features)
        Training rows (attacks only).
    X_test : ndarray of shape (n_test, n_features)
        Test rows, unlabelled here.
    params : dict
        Constructor arguments of :class:`~pyod_efficientgan.EfficientGAN`.
    selection : dict
        ``held_out`` (share in (0, 1)), ``every_n_steps`` (int) and
        ``reference_rows`` (int).
    seed : int
        ``random_state`` of the detector and of the held-out split.

    Returns
    -------
    detector : EfficientGAN
        Fitted, with the selected test-time weights.
    selector : HeldOutFlagSelection
        The callback, with ``probes_`` and ``selected_step_``.
    """
    from pyod_efficientgan import EfficientGAN
    from pyod_efficientgan.callbacks import HeldOutFlagSelection

    X_fit, X_held_out = train_test_split(
        X_train, test_size=selection["held_out"], random_state=seed
    )
    detector = EfficientGAN(**params, random_state=seed)
    reference = np.random.RandomState(SPLIT_SEED).choice(
        len(X_test), min(selection["reference_rows"], len(X_test)), replace=False
    )
    selector = HeldOutFlagSelection(
        X_held_out,
        X_test[np.sort(reference)],
        flagged_share=1 - ANOMALY_PERCENTILE / 100,
        every_n_steps=selection["every_n_steps"],
        score_method=detector.score_method,
        norm=detector.norm,
        alpha=detector.alpha,
        batch_size=detector.score_batch_size,
        preprocessed=False,
    )
    detector.fit(X_fit, callbacks=[selector])
    return detector, selector


def run_experiment(X_train, X_test, y_test, seeds, params, report=None, selection=None):
    """Fit one detector per seed and evaluate both discriminator scores.

    Parameters
    ----------
    X_train : ndarray of shape (n_train, n_features)
        Training rows (attacks only).
    X_test : ndarray of shape (n_test, n_features)
        Test rows.
    y_test : ndarray of shape (n_test,)
        Test labels, 1 = anomaly.
    seeds : iterable of int
        ``random_state`` of each fit.
    params : dict
        Constructor arguments of :class:`~pyod_efficientgan.EfficientGAN`.
    report : callable or None, default=None
        Called with each result row as soon as it is known.
    selection : dict or None, default=None
        Keep the weights chosen by :func:`fit_with_selection` with these
        settings; None trains as the detector does.

    Returns
    -------
    rows : list of dict
        One row per seed and score method: ``seed``, ``score_method``,
        ``precision``, ``recall``, ``f1``, ``roc_auc``, ``epochs_run``,
        ``best_epoch``, ``selected_step`` (None without selection) and
        ``seconds`` (fit plus scoring of both variants).
    """
    from pyod_efficientgan import EfficientGAN

    rows = []
    for seed in seeds:
        start = time.perf_counter()
        selected_step = None
        if selection is None:
            detector = EfficientGAN(**params, random_state=seed).fit(X_train)
        else:
            detector, selector = fit_with_selection(X_train, X_test, params, selection, seed)
            selected_step = selector.selected_step_
        scores = variant_scores(detector, X_test)
        seconds = time.perf_counter() - start
        for method, method_scores in scores.items():
            row = {
                "seed": int(seed),
                "score_method": method,
                **evaluate(y_test, method_scores),
                "epochs_run": detector.history_["epoch"][-1],
                "best_epoch": detector.best_epoch_,
                "selected_step": selected_step,
                "seconds": seconds,
            }
            rows.append(row)
            if report is not None:
                report(row)
    return rows


def summarize(rows):
    """Mean and standard deviation (ddof=0) of each metric per score method.

    Parameters
    ----------
    rows : list of dict
        Output of :func:`run_experiment`.

    Returns
    -------
    summary : dict of str to dict of str to (float, float)
        ``summary[score_method][metric] = (mean, std)`` for ``precision``,
        ``recall``, ``f1``, ``roc_auc`` and ``seconds``.
    """
    summary = {}
    for method in dict.fromkeys(row["score_method"] for row in rows):
        selected = [row for row in rows if row["score_method"] == method]
        summary[method] = {
            metric: (
                float(np.mean([row[metric] for row in selected])),
                float(np.std([row[metric] for row in selected])),
            )
            for metric in ("precision", "recall", "f1", "roc_auc", "seconds")
        }
    return summary


# -------------------------------------------------------------- reporting
METRICS = ("precision", "recall", "f1", "roc_auc")
"""The metrics of the result table, in column order."""

CSV_FIELDS = (
    "seed", "score_method", *METRICS, "epochs_run", "best_epoch", "selected_step", "seconds",
)  # fmt: skip
"""Columns of the per-seed CSV file."""


def format_markdown(rows, params, command=None, data_description=None):
    """Return the result table as Markdown: per-seed rows, mean +- std, the paper.

    Parameters
    ----------
    rows : list of dict
        Output of :func:`run_experiment`.
    params : dict
        Detector settings used, written above the table.
    command : str or None, default=None
        The command line that produced the rows.
    data_description : str or None, default=None
        One line about the data (source, split sizes).

    Returns
    -------
    text : str
    """
    lines = ["# EfficientGAN on KDDCUP99 (10 %)", ""]
    if command:
        lines += ["Command:", "", f"    {command}", ""]
    if data_description:
        lines += [f"Data: {data_description}", ""]
    settings = ", ".join(f"{key}={value!r}" for key, value in sorted(params.items()))
    lines += [f"Detector settings: {settings or 'the defaults'}", ""]
    header = (
        "| score_method | seed | precision | recall | F1 | ROC AUC | epochs run | best epoch "
        "| selected step | s/seed |"
    )
    lines += [header, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        lines.append(
            f"| {row['score_method']} | {row['seed']} | "
            + " | ".join(f"{row[metric]:.4f}" for metric in METRICS)
            + f" | {row['epochs_run']} | {_or_dash(row['best_epoch'])}"
            + f" | {_or_dash(row['selected_step'])} | {row['seconds']:.0f} |"
        )
    lines += ["", "Mean +- std over seeds (std with ddof=0):", ""]
    lines += [
        "| score_method | precision | recall | F1 | ROC AUC | s/seed |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for method, stats in summarize(rows).items():
        cells = [f"{stats[metric][0]:.4f} +- {stats[metric][1]:.4f}" for metric in METRICS]
        lines.append(f"| {method} | " + " | ".join(cells) + f" | {stats['seconds'][0]:.0f} |")
    lines.append(
        f"| paper (EGBAD, feature-matching) | | | {PAPER_F1[0]:.4f} +- {PAPER_F1[1]:.4f} | | |"
    )
    return "\n".join(lines) + "\n"


def _or_dash(value):
    return "-" if value is None else value


def write_results(out, rows, markdown):
    """Write ``results.csv`` (one row per seed and method) and ``results.md`` in ``out``.

    Parameters
    ----------
    out : str or path-like
        Folder, created if missing.
    rows : list of dict
        Output of :func:`run_experiment`.
    markdown : str
        Output of :func:`format_markdown`.

    Returns
    -------
    paths : tuple of str
        The CSV and Markdown paths.
    """
    os.makedirs(out, exist_ok=True)
    csv_path = os.path.join(out, "results.csv")
    markdown_path = os.path.join(out, "results.md")
    with open(csv_path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_FIELDS, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {
                    **row,
                    "best_epoch": row["best_epoch"] or "",
                    "selected_step": row["selected_step"] or "",
                    "seconds": f"{row['seconds']:.1f}",
                }
            )
    with open(markdown_path, "w") as handle:
        handle.write(markdown)
    return csv_path, markdown_path


# --------------------------------------------------------------------- CLI
def _sample_value(text):
    value = float(text)
    if value > 1 and value == int(value) and "." not in text:
        return int(value)
    if value == 1 and "." not in text:
        return 1.0
    return value


def _epochs_value(text):
    return text if text == "auto" else int(text)


def _units_value(text):
    return tuple(int(width) for width in text.split(","))


def _optional_float(text):
    return None if text.lower() == "none" else float(text)


def _optional_str(text):
    return None if text.lower() == "none" else text


DETECTOR_OPTIONS = (
    ("--epochs", "epochs", _epochs_value, "int or 'auto'"),
    ("--batch-size", "batch_size", int, "rows per step (paper: 50)"),
    ("--learning-rate", "learning_rate", float, "Adam learning rate (paper: 1e-5)"),
    ("--latent-dim", "latent_dim", int, "size of z (paper: 32)"),
    ("--encoder-units", "encoder_units", _units_value, "hidden widths of E, e.g. 64"),
    ("--generator-units", "generator_units", _units_value, "hidden widths of G, e.g. 64,128"),
    ("--discriminator-units", "discriminator_units", _units_value, "widths of D, e.g. 128,128"),
    ("--alpha", "alpha", float, "weight of L_G in the score (paper: 0.9)"),
    ("--norm", "norm", int, "1 or 2"),
    ("--dropout", "dropout", float, "dropout of D"),
    ("--ema-decay", "ema_decay", _optional_float, "EMA decay of test-time weights, or 'none'"),
    ("--preprocessing", "preprocessing", _optional_str, "'minmax', 'standard' or 'none'"),
    ("--validation-size", "validation_size", float, "held-out share for early stopping, 0 = off"),
    ("--patience", "patience", int, "early-stopping patience in epochs"),
)
"""Command-line options that override one detector setting: (flag, parameter, type, help)."""


def add_arguments(parser):
    """Add the ``kdd99`` options to ``parser`` (an :class:`argparse.ArgumentParser`).

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The sub-parser of ``pyod-efficientgan kdd99``.
    """
    source = parser.add_argument_group("data")
    source.add_argument(
        "--data-home",
        default=os.environ.get(DATA_HOME_ENV),
        help=f"fetch_kddcup99 cache folder (default: ${DATA_HOME_ENV})",
    )
    source.add_argument(
        "--data-file",
        default=os.environ.get(RAW_FILE_ENV),
        help=f"raw kddcup.data_10_percent(.gz); preferred over --data-home "
        f"(default: ${RAW_FILE_ENV})",
    )
    source.add_argument(
        "--download", action="store_true", help="let fetch_kddcup99 download a missing cache"
    )
    source.add_argument(
        "--sample",
        type=_sample_value,
        default=None,
        help="keep this share (e.g. 0.01) or number (e.g. 5000) of rows before the split",
    )
    experiment = parser.add_argument_group("experiment")
    experiment.add_argument("--seeds", type=int, default=5, help="number of seeds (default: 5)")
    experiment.add_argument("--first-seed", type=int, default=0, help="first seed (default: 0)")
    detector = parser.add_argument_group("detector")
    detector.add_argument(
        "--config",
        choices=sorted(CONFIGS),
        default="select",
        help=(
            f"named settings: {', '.join(sorted(CONFIGS))} ('paper' is the official code's; each "
            "is described in docs/kdd99.md); the options below override them "
            "(default: %(default)s)"
        ),
    )
    detector.add_argument(
        "--transform",
        choices=TRANSFORMS,
        default=argparse.SUPPRESS,
        help="feature transform before the detector (default: the config's)",
    )
    for flag, _, convert, help_text in DETECTOR_OPTIONS:
        detector.add_argument(flag, type=convert, default=argparse.SUPPRESS, help=help_text)
    output = parser.add_argument_group("output")
    output.add_argument(
        "--out", default=None, help="folder for results.csv and results.md (default: none)"
    )


def experiment_settings(args):
    """Return the feature transform and detector settings of ``--config`` and the options.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed ``kdd99`` arguments.

    Returns
    -------
    transform : str
        One of :data:`TRANSFORMS`.
    params : dict
        Constructor arguments of :class:`~pyod_efficientgan.EfficientGAN`.
    """
    config = CONFIGS[args.config]
    transform = getattr(args, "transform", config["transform"])
    params = dict(config["detector"])
    for _, name, _, _ in DETECTOR_OPTIONS:
        if hasattr(args, name):
            params[name] = getattr(args, name)
    return transform, params


def command_line(args):
    """Return a ``pyod-efficientgan kdd99`` command that repeats the run of ``args``.

    The data path, the number of seeds and the configuration are always shown, the other
    options when they differ from their defaults (detector options when given).

    Parameters
    ----------
    args : argparse.Namespace
        Parsed ``kdd99`` arguments.

    Returns
    -------
    command : str
    """
    from pyod_efficientgan.experiments import commandline

    return commandline.command(
        ["pyod-efficientgan", "kdd99"],
        add_arguments,
        args,
        always=("data_file", "data_home", "seeds", "config"),
    )


def _missing_data_message(args, error):
    """Two lines: what could not be read, and the flags that give the data."""
    if args.data_file is not None:
        looked = f"{args.data_file}: {getattr(error, 'strerror', None) or error}"
    else:
        folder = args.data_home or "scikit-learn's default data folder"
        looked = f"no fetch_kddcup99 cache in {folder}"
    return (
        f"pyod-efficientgan kdd99: could not read the KDD Cup 1999 10 % data ({looked}).\n"
        f"Give the raw file kddcup.data_10_percent.gz with --data-file (or ${RAW_FILE_ENV}), a "
        f"scikit-learn cache folder with --data-home (or ${DATA_HOME_ENV}), or add --download."
    )


def run(args):
    """Run ``pyod-efficientgan kdd99``: load, train per seed, print and write the table.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed ``kdd99`` arguments.

    Returns
    -------
    status : int
        0 on success.
    """
    transform, params = experiment_settings(args)
    selection = CONFIGS[args.config].get("selection")
    try:
        X, y, _ = load_kddcup99(
            data_home=args.data_home, path=args.data_file, download_if_missing=args.download
        )
    except OSError as error:
        print(_missing_data_message(args, error), file=sys.stderr)
        return 2
    if args.sample is not None:
        X, y = sample_rows(X, y, args.sample)
    X_train, X_test, y_test = split_kddcup99(X, y)
    X_train = transform_features(X_train, transform)
    X_test = transform_features(X_test, transform)
    source = args.data_file or f"fetch_kddcup99(data_home={args.data_home!r})"
    data_description = (
        f"{source}; {len(X)} rows, {X.shape[1]} features; {len(X_train)} training rows "
        f"(attacks), {len(X_test)} test rows ({int(y_test.sum())} normal = anomalies); "
        f"feature transform: {transform}"
    )
    print(data_description, flush=True)
    print(f"config {args.config}: transform={transform!r}, detector {params}", flush=True)
    if selection is not None:
        print(f"weight selection: {selection}", flush=True)

    def report(row):
        print(
            f"seed {row['seed']} {row['score_method']:>16}: "
            + " ".join(f"{metric}={row[metric]:.4f}" for metric in METRICS)
            + f" epochs_run={row['epochs_run']} best_epoch={row['best_epoch']}"
            + f" selected_step={row['selected_step']}"
            + f" time={row['seconds']:.0f}s",
            flush=True,
        )

    seeds = range(args.first_seed, args.first_seed + args.seeds)
    rows = run_experiment(
        X_train, X_test, y_test, seeds, params, report=report, selection=selection
    )
    command = command_line(args)
    if selection is not None:
        data_description += f"; weight selection {selection}"
    markdown = format_markdown(rows, params, command, data_description)
    print(markdown)
    if args.out:
        for path in write_results(args.out, rows, markdown):
            print(f"wrote {path}")
    return 0


def main(argv=None):
    """Run ``python -m pyod_efficientgan.experiments.kdd99 ...`` (as ``pyod-efficientgan kdd99``).

    Parameters
    ----------
    argv : list of str or None, default=None
        Arguments; None reads ``sys.argv``.

    Returns
    -------
    status : int
    """
    parser = argparse.ArgumentParser(
        prog="python -m pyod_efficientgan.experiments.kdd99", description=__doc__.splitlines()[0]
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
