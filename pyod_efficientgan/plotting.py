"""Plots of a fitted :class:`~pyod_efficientgan.EfficientGAN`: training history and scores.

matplotlib is an optional dependency (in the ``test``, ``bench`` and ``docs``
extras, or ``pip install matplotlib``); it is imported when a function is
called, not with the package. The functions draw on the given or the current Axes and return it;
they never call ``plt.show()``.
"""

import numbers

import numpy as np
from sklearn.utils.validation import check_is_fitted

from pyod_efficientgan.training import VALIDATION_MONITOR


def _axes(ax):
    if ax is not None:
        return ax
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError("Plotting needs matplotlib: pip install matplotlib.") from error
    return plt.gca()


def plot_history(detector, ax=None):
    """Plot the per-epoch losses of D and E+G, and the validation criterion.

    Parameters
    ----------
    detector : EfficientGAN
        A fitted detector (uses ``history_`` and ``best_epoch_``).
    ax : matplotlib.axes.Axes or None, default=None
        Where to draw; the current Axes when None.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The Axes with the loss lines labelled ``"D loss"`` and ``"E+G loss"``.
        With early stopping, the validation criterion (mean reconstruction
        error of the held-out rows) is drawn on a twin y-axis, labelled
        ``"validation L_G"``, and the kept epoch is marked by a dotted
        vertical line labelled ``"best epoch"``.
    """
    check_is_fitted(detector, ["history_"])
    ax = _axes(ax)
    history = detector.history_
    epochs = np.asarray(history.get("epoch", np.arange(1, len(history["d_loss"]) + 1)))
    ax.plot(epochs, history["d_loss"], label="D loss", color="C0")
    ax.plot(epochs, history["ge_loss"], label="E+G loss", color="C1")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    handles, labels = ax.get_legend_handles_labels()
    if VALIDATION_MONITOR in history:
        twin = ax.twinx()
        twin.plot(epochs, history[VALIDATION_MONITOR], label="validation L_G", color="C2")
        twin.set_ylabel("validation L_G")
        more_handles, more_labels = twin.get_legend_handles_labels()
        handles, labels = handles + more_handles, labels + more_labels
    best_epoch = getattr(detector, "best_epoch_", None)
    if best_epoch is not None:
        line = ax.axvline(best_epoch, color="k", linestyle=":", label="best epoch")
        handles.append(line)
        labels.append("best epoch")
    ax.legend(handles, labels, loc="best")
    ax.set_title("EfficientGAN training")
    return ax


def score_threshold(detector):
    """The threshold of a fitted detector on the scale of its scores.

    Parameters
    ----------
    detector : EfficientGAN
        A fitted detector.

    Returns
    -------
    threshold : float
        ``threshold_`` when ``contamination`` is a number; with a thresholder
        object, the lowest training score labelled an outlier (or the highest
        score when no row is labelled an outlier).
    """
    if isinstance(detector.contamination, numbers.Real):
        return float(detector.threshold_)
    scores = detector.decision_scores_
    flagged = scores[np.asarray(detector.labels_) == 1]
    return float(flagged.min()) if flagged.size else float(scores.max())


def plot_scores(detector, X=None, y=None, ax=None, bins=50):
    """Histogram of the outlier scores with the threshold.

    Parameters
    ----------
    detector : EfficientGAN
        A fitted detector.
    X : array-like of shape (n_samples, n_features) or None, default=None
        Rows to score; the training scores ``decision_scores_`` when None.
    y : array-like of shape (n_samples,) or None, default=None
        Ground truth (0 inlier, 1 outlier); when given, inliers and outliers
        get separate histograms (labelled ``"inliers"`` and ``"outliers"``).
    ax : matplotlib.axes.Axes or None, default=None
        Where to draw; the current Axes when None.
    bins : int, default=50
        Number of bins shared by the histograms.

    Returns
    -------
    ax : matplotlib.axes.Axes
        The Axes; the threshold is a dashed vertical line labelled
        ``"threshold"``, at ``threshold_`` when ``contamination`` is a number.

    Notes
    -----
    With a PyThresh thresholder as ``contamination``, ``threshold_`` is on the
    thresholder's normalized scale, not on the score scale; the line is then
    drawn at the lowest training score labelled an outlier.
    """
    check_is_fitted(detector, ["decision_scores_", "threshold_"])
    ax = _axes(ax)
    scores = detector.decision_scores_ if X is None else detector.decision_function(X)
    threshold = score_threshold(detector)
    edges = np.histogram_bin_edges(np.append(scores, threshold), bins=bins)
    if y is None:
        ax.hist(scores, bins=edges, color="C0", alpha=0.8, label="scores")
    else:
        y = np.asarray(y).ravel()
        if y.shape != scores.shape:
            raise ValueError(f"y has {y.shape[0]} labels for {scores.shape[0]} scored rows.")
        ax.hist(scores[y == 0], bins=edges, color="C0", alpha=0.6, label="inliers")
        ax.hist(scores[y == 1], bins=edges, color="C3", alpha=0.6, label="outliers")
    ax.axvline(threshold, color="k", linestyle="--", label="threshold")
    ax.set_xlabel("outlier score A(x)")
    ax.set_ylabel("rows")
    ax.legend(loc="best")
    return ax
