"""Keras callbacks used by :class:`~pyod_efficientgan.EfficientGAN` while training.

* :class:`ValidationCriterion` adds the unsupervised early-stopping criterion
  (mean reconstruction error of held-out rows, with the test-time weights) to
  the epoch logs, where :class:`keras.callbacks.EarlyStopping` reads it.
* :class:`DivergenceGuard` stops training at the first non-finite loss or
  weight and restores the weights of the last finite epoch.
* :class:`HeldOutFlagSelection` keeps the test-time weights under which
  held-out training rows are least often flagged among a set of unlabelled
  rows (a label-free estimate of the false-positive share); passed to
  :meth:`EfficientGAN.fit <pyod_efficientgan.EfficientGAN.fit>` by the user.
"""

import math

import keras
import numpy as np

from pyod_efficientgan import backends
from pyod_efficientgan.chunks import map_chunks
from pyod_efficientgan.scoring import ScoreFunction

VALIDATION_MONITOR = "val_reconstruction_error"
"""Name of the early-stopping criterion in the epoch logs and ``history_``."""


class ValidationCriterion(keras.callbacks.Callback):
    """Log the mean :math:`L_G` of held-out rows at the end of every epoch.

    Parameters
    ----------
    score_function : callable
        Maps a float32 array to ``(A, L_G, L_D)`` with the test-time weights
        (:class:`pyod_efficientgan.scoring.ScoreFunction`).
    x_validation : ndarray of shape (n_validation, n_features), float32
        Preprocessed held-out rows.
    batch_size : int
        Rows per scoring chunk.
    """

    def __init__(self, score_function, x_validation, batch_size):
        super().__init__()
        self.score_function = score_function
        self.x_validation = x_validation
        self.batch_size = batch_size

    def on_epoch_end(self, epoch, logs=None):
        _, generator_loss, _ = map_chunks(self.score_function, self.x_validation, self.batch_size)
        if logs is not None:
            logs[VALIDATION_MONITOR] = float(np.mean(generator_loss, dtype=np.float64))


class DivergenceGuard(keras.callbacks.Callback):
    """Stop at the first non-finite loss and restore the last finite weights.

    After training, ``diverged_at_epoch`` is the (0-based) epoch in which a
    non-finite loss or weight appeared, or None; ``last_finite_epoch`` is the
    epoch whose weights were restored, or None when no epoch ended finite.
    """

    def __init__(self):
        super().__init__()
        self.diverged_at_epoch = None
        self.last_finite_epoch = None
        self._epoch = 0
        self._finite_weights = None

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        if logs and not all(math.isfinite(float(value)) for value in logs.values()):
            self._diverge()

    def on_epoch_end(self, epoch, logs=None):
        if self.diverged_at_epoch is not None:
            return
        weights = self.model.get_weights()
        if all(np.all(np.isfinite(array)) for array in weights):
            self._finite_weights = weights
            self.last_finite_epoch = epoch
        else:
            self._diverge()

    def on_train_end(self, logs=None):
        if self.diverged_at_epoch is not None and self._finite_weights is not None:
            self.model.set_weights(self._finite_weights)

    def _diverge(self):
        if self.diverged_at_epoch is None:
            self.diverged_at_epoch = self._epoch
        self.model.stop_training = True


class HeldOutFlagSelection(keras.callbacks.Callback):
    """Keep the test-time weights that flag the fewest held-out training rows.

    Meant for one BiGAN (``n_estimators=1``, as the KDD99 ``select``
    configuration uses): with an ensemble it probes the members' mean
    unstandardised score, not the detector's standardised one.

    Every ``every_n_steps`` optimizer steps, and at the end of every round, the
    callback scores two sets of rows with the test-time (EMA) weights:
    ``x_reference``, unlabelled rows to be screened (e.g. a sample of the test
    set), and ``x_held_out``, rows from the training distribution that
    training did not see. It flags the top ``flagged_share`` of the reference
    scores, as a contamination threshold does, and records the share of
    held-out rows scoring at or above that threshold. Since the held-out rows
    are drawn like the normal rows among the reference rows, that share
    estimates how often a normal reference row is flagged: a false-positive
    rate measured without labels. When training ends, the EMA weights of the
    probe with the lowest share are restored, so the detector scores with
    them.

    Parameters
    ----------
    x_held_out : ndarray of shape (n_held_out, n_features)
        Preprocessed rows of the training distribution, not trained on.
    x_reference : ndarray of shape (n_reference, n_features)
        Preprocessed unlabelled rows whose top scores are flagged.
    flagged_share : float in (0, 1)
        Share of the reference rows flagged (the protocol's contamination).
    every_n_steps : int
        Optimizer steps between probes; probes fall on the first call of the
        compiled training function after each multiple.
    score_method : {"cross-entropy", "feature-matching"}, default="cross-entropy"
        :math:`L_D` of the probed score.
    norm : {1, 2}, default=2
        Norm of the probed score.
    alpha : float, default=0.9
        Weight of :math:`L_G` in the probed score.
    batch_size : int, default=16384
        Rows per scoring chunk.

    Attributes
    ----------
    probes_ : list of dict
        ``{"step": int, "flagged_held_out": float}`` per probe, in order.
    selected_step_ : int or None
        Optimizer step of the restored weights; None before training.
    """

    def __init__(
        self,
        x_held_out,
        x_reference,
        flagged_share,
        every_n_steps,
        *,
        score_method="cross-entropy",
        norm=2,
        alpha=0.9,
        batch_size=16384,
    ):
        super().__init__()
        if not 0 < flagged_share < 1:
            raise ValueError(f"flagged_share must be in (0, 1), got {flagged_share!r}.")
        if every_n_steps < 1:
            raise ValueError(f"every_n_steps must be a positive int, got {every_n_steps!r}.")
        self.x_held_out = np.ascontiguousarray(x_held_out, dtype=np.float32)
        self.x_reference = np.ascontiguousarray(x_reference, dtype=np.float32)
        self.flagged_share = flagged_share
        self.every_n_steps = every_n_steps
        self.score_method = score_method
        self.norm = norm
        self.alpha = alpha
        self.batch_size = batch_size
        self.probes_ = []
        self.selected_step_ = None

    def on_train_begin(self, logs=None):
        self._score_function = ScoreFunction(
            self.model.members, self.score_method, self.norm, self.alpha
        )
        self._ema_weights = self.model.averaged_weights
        self._last_probe_step = 0
        self._best = None
        self.probes_ = []
        self.selected_step_ = None

    def on_train_batch_end(self, batch, logs=None):
        if self._step() - self._last_probe_step >= self.every_n_steps:
            self._probe()

    def on_epoch_end(self, epoch, logs=None):
        if self._step() > self._last_probe_step:
            self._probe()

    def on_train_end(self, logs=None):
        if self._best is None:
            return
        self.selected_step_, _, weights = self._best
        for variable, value in zip(self._ema_weights, weights):
            variable.assign(value)

    def _step(self):
        backends.current().sync_model_state(self.model)
        return int(keras.ops.convert_to_numpy(self.model.ema_steps.value))

    def _scores(self, x):
        return map_chunks(self._score_function, x, self.batch_size)[0]

    def _probe(self):
        step = self._step()
        self._last_probe_step = step
        reference_scores = self._scores(self.x_reference)
        held_out_scores = self._scores(self.x_held_out)
        flagged = math.nan
        if np.all(np.isfinite(reference_scores)) and np.all(np.isfinite(held_out_scores)):
            threshold = np.quantile(reference_scores, 1 - self.flagged_share)
            flagged = float(np.mean(held_out_scores >= threshold))
        self.probes_.append({"step": step, "flagged_held_out": flagged})
        # non-finite weights give a NaN share, which is never selected
        if not math.isnan(flagged) and (self._best is None or flagged < self._best[1]):
            weights = [keras.ops.convert_to_numpy(v.value).copy() for v in self._ema_weights]
            self._best = (step, flagged, weights)
