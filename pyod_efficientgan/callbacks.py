"""Keras callbacks a user passes to :meth:`EfficientGAN.fit <pyod_efficientgan.EfficientGAN.fit>`.

:class:`HeldOutFlagSelection` keeps the test-time weights under which
held-out training rows are least often flagged among a set of unlabelled rows
(a label-free estimate of the false-positive share). The callbacks training
always runs (the divergence guard, the early-stopping criterion) are
:mod:`pyod_efficientgan.training`'s own.
"""

import math

import keras
import numpy as np

from pyod_efficientgan import backends
from pyod_efficientgan.chunks import map_chunks
from pyod_efficientgan.scoring import ScoreFunction


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
    preprocessed : bool, default=True
        Whether ``x_held_out`` and ``x_reference`` are preprocessed already.
        False: they are rows as :meth:`EfficientGAN.fit
        <pyod_efficientgan.EfficientGAN.fit>` takes them, and the detector
        hands the callback its fitted preprocessing
        (:meth:`set_row_transform`) before training.

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
        preprocessed=True,
    ):
        super().__init__()
        if not 0 < flagged_share < 1:
            raise ValueError(f"flagged_share must be in (0, 1), got {flagged_share!r}.")
        if every_n_steps < 1:
            raise ValueError(f"every_n_steps must be a positive int, got {every_n_steps!r}.")
        self.preprocessed = preprocessed
        self._rows = (x_held_out, x_reference)
        if preprocessed:
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

    def set_row_transform(self, transform):
        """Preprocess the two sets of rows with ``transform`` (the detector's, at fit).

        Parameters
        ----------
        transform : callable
            ``transform(rows) -> float32 rows``, the fitted preprocessing.
        """
        if not self.preprocessed:  # rows given preprocessed keep their own preprocessing
            self.x_held_out, self.x_reference = (transform(rows) for rows in self._rows)

    def on_train_begin(self, logs=None):
        if not hasattr(self, "x_held_out"):
            raise RuntimeError(
                "HeldOutFlagSelection(preprocessed=False) scores rows only once fit hands it "
                "the detector's preprocessing; pass it to EfficientGAN.fit."
            )
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
