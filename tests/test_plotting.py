"""plot_history and plot_scores draw the right artists (Agg backend, no display)."""

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from pyod_efficientgan import EfficientGAN  # noqa: E402
from pyod_efficientgan.plotting import plot_history, plot_scores, score_threshold  # noqa: E402

SMALL = dict(latent_dim=4, encoder_units=(16,), generator_units=(16,),
             discriminator_units=(16, 16), random_state=0)


@pytest.fixture(scope="module")
def detector(small_data):
    return EfficientGAN(epochs=4, validation_size=0.2, **SMALL).fit(small_data[0])


@pytest.fixture
def ax():
    figure, axes = plt.subplots()
    yield axes
    plt.close(figure)


def _line(ax, label):
    return next(line for line in ax.get_lines() if line.get_label() == label)


def test_plotting_imports_matplotlib_lazily():
    # Keras itself imports matplotlib when it is installed; the plots import it only when drawing.
    import pyod_efficientgan.plotting as plotting

    assert "matplotlib" not in vars(plotting) and "plt" not in vars(plotting)


@pytest.fixture(autouse=True)
def _no_show(monkeypatch):
    def show(*args, **kwargs):
        raise AssertionError("library code called plt.show()")

    monkeypatch.setattr(plt, "show", show)


def test_plot_history_draws_losses_validation_and_best_epoch(detector, ax):
    assert plot_history(detector, ax=ax) is ax
    for label, key in (("D loss", "d_loss"), ("E+G loss", "ge_loss")):
        line = _line(ax, label)
        np.testing.assert_array_equal(line.get_xdata(), detector.history_["epoch"])
        np.testing.assert_allclose(line.get_ydata(), detector.history_[key])
    twin = next(other for other in ax.figure.axes if other is not ax)
    np.testing.assert_allclose(_line(twin, "validation L_G").get_ydata(),
                               detector.history_["val_reconstruction_error"])
    assert detector.best_epoch_ is not None
    assert _line(ax, "best epoch").get_xdata()[0] == detector.best_epoch_
    legend = [text.get_text() for text in ax.get_legend().get_texts()]
    assert legend == ["D loss", "E+G loss", "validation L_G", "best epoch"]


def test_plot_history_without_validation(detector, ax):
    import copy

    no_validation = copy.copy(detector)
    no_validation.history_ = {k: v for k, v in detector.history_.items() if k != "val_reconstruction_error"}
    no_validation.best_epoch_ = None
    plot_history(no_validation, ax=ax)
    assert len(ax.figure.axes) == 1
    assert [line.get_label() for line in ax.get_lines()] == ["D loss", "E+G loss"]


def test_plot_scores_training_scores_and_threshold(detector, ax):
    assert plot_scores(detector, ax=ax) is ax
    threshold = _line(ax, "threshold")
    assert threshold.get_xdata()[0] == pytest.approx(detector.threshold_)
    counts = sum(patch.get_height() for patch in ax.patches)
    assert counts == len(detector.decision_scores_)


def test_plot_scores_colours_inliers_and_outliers(detector, small_data, ax):
    _, X_test, _, y_test = small_data
    plot_scores(detector, X_test, y_test, ax=ax)
    assert len(ax.containers) == 2
    containers = dict(zip(["inliers", "outliers"], ax.containers))
    for label, container in containers.items():
        assert container[0].get_label() == label
    legend = {text.get_text() for text in ax.get_legend().get_texts()}
    assert legend == {"inliers", "outliers", "threshold"}
    assert sum(p.get_height() for p in containers["inliers"]) == (y_test == 0).sum()
    assert sum(p.get_height() for p in containers["outliers"]) == (y_test == 1).sum()
    inlier_colour = containers["inliers"][0].get_facecolor()
    assert inlier_colour != containers["outliers"][0].get_facecolor()
    assert _line(ax, "threshold").get_xdata()[0] == pytest.approx(detector.threshold_)


def test_plot_scores_uses_current_axes_and_checks_y(detector, small_data):
    figure = plt.figure()
    try:
        assert plot_scores(detector) is plt.gca()
        with pytest.raises(ValueError, match="labels"):
            plot_scores(detector, small_data[1], small_data[3][:5])
    finally:
        plt.close(figure)


class _TopFive:
    """A thresholder-like object: flags the five highest scores, threshold on a 0-1 scale."""

    def fit(self, scores):
        self.labels_ = (scores >= np.sort(scores)[-5]).astype(int)
        self.thresh_ = 0.97
        return self

    def predict(self, scores):
        return (scores >= np.sort(scores)[-5]).astype(int)


def test_plot_scores_with_a_thresholder_draws_the_line_on_the_score_scale(detector, ax):
    import copy

    thresholded = copy.copy(detector)
    thresholded.contamination = _TopFive()
    thresholded._process_decision_scores()
    assert thresholded.threshold_ == 0.97  # PyOD keeps the thresholder's own scale
    plot_scores(thresholded, ax=ax)
    position = _line(ax, "threshold").get_xdata()[0]
    scores = thresholded.decision_scores_
    assert position == pytest.approx(np.sort(scores)[-5])
    assert score_threshold(thresholded) == pytest.approx(position)


def test_score_threshold_when_the_thresholder_flags_nothing(detector):
    import copy

    from pythresh.thresholds.iqr import IQR

    thresholded = copy.copy(detector)
    thresholded.contamination = IQR()
    thresholded._process_decision_scores()
    scores, labels = thresholded.decision_scores_, thresholded.labels_
    if labels.any():
        assert score_threshold(thresholded) == pytest.approx(scores[labels == 1].min())
        assert np.all(scores[labels == 0] <= score_threshold(thresholded))
    else:
        assert score_threshold(thresholded) == pytest.approx(scores.max())
    assert score_threshold(detector) == detector.threshold_


def test_the_former_path_warns_and_gives_the_same_plots():
    import importlib
    import sys

    sys.modules.pop("pyod_efficientgan.experiments.plotting", None)
    with pytest.warns(FutureWarning, match="moved to pyod_efficientgan.plotting"):
        former = importlib.import_module("pyod_efficientgan.experiments.plotting")
    assert (former.plot_history, former.plot_scores, former.score_threshold) == (
        plot_history,
        plot_scores,
        score_threshold,
    )
