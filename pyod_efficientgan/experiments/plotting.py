"""Former home of the plots of a fitted detector: now :mod:`pyod_efficientgan.plotting`.

Importing this module warns (``FutureWarning``) and gives the same functions; it goes in the
next release.
"""

import warnings

from pyod_efficientgan.plotting import plot_history, plot_scores, score_threshold

__all__ = ["plot_history", "plot_scores", "score_threshold"]

warnings.warn(
    "pyod_efficientgan.experiments.plotting moved to pyod_efficientgan.plotting; import the "
    "plots from there (this path goes in the next release).",
    FutureWarning,
    stacklevel=2,
)
