"""How a BiGAN is trained: epochs, rounds, optimizers, callbacks, history.

:func:`train` takes a built :class:`~pyod_efficientgan.bigan.BiGAN`, the preprocessed
training rows and a :class:`~pyod_efficientgan.parameters.TrainingPlan` (what the
detector's parameters ask for), and runs :meth:`keras.Model.fit`:

- ``epochs="auto"`` becomes at least :data:`AUTO_MIN_STEPS` optimizer steps
  (shared by the members of an ensemble), :data:`AUTO_MIN_EPOCHS` and at
  most :data:`AUTO_MAX_EPOCHS` epochs (:func:`resolve_epochs`);
- small datasets train several epochs per Keras epoch, a *round* of at least
  :data:`MIN_STEPS_PER_ROUND` steps (:func:`passes_per_round`); losses,
  validation and divergence checks are per round;
- two Adam optimizers per BiGAN (``beta_1=0.5``, a float32 learning rate:
  :class:`ConstantLearningRate`); the trimmed share ramps over
  :data:`TRIM_RAMP_FRACTION` of the planned steps;
- callbacks: the divergence guard (:class:`DivergenceGuard`), optional early
  stopping on held-out rows (:class:`ValidationCriterion` logs the criterion
  that :class:`keras.callbacks.EarlyStopping` reads), then the user's.

The input pipeline is the backend's (see :mod:`pyod_efficientgan.backends`).
"""

import dataclasses
import math
import warnings

import keras
import numpy as np
from keras import ops

from pyod_efficientgan import backends, networks
from pyod_efficientgan.chunks import map_chunks
from pyod_efficientgan.scoring import ScoreFunction

AUTO_MIN_STEPS = 5000
"""With ``epochs="auto"``: train for at least this many optimizer steps of one
BiGAN, shared among the ``n_estimators`` members (each member trains
``AUTO_MIN_STEPS / n_estimators`` steps, so the arithmetic is the same)..."""

AUTO_MIN_EPOCHS = 3
"""...and at least this many epochs..."""

AUTO_MAX_EPOCHS = 500
"""...but never more than this many epochs."""

TRIM_RAMP_FRACTION = 0.5
"""With trimming, the trimmed share grows from 0 to ``trim_share`` over this
fraction of the planned steps (the model first learns the bulk of the rows)."""

MAX_STEPS_PER_EXECUTION = 32
"""Training steps run per call of the compiled training function."""

MIN_STEPS_PER_ROUND = 200
"""Small datasets train several epochs per Keras epoch (a "round") of at least
this many steps, when the number of epochs allows it; the losses, validation
and divergence checks are per round."""


class TrainingDivergedError(FloatingPointError):
    """Training produced non-finite losses before any epoch ended finite."""


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


@dataclasses.dataclass(frozen=True)
class TrainingResult:
    """What training produced besides the weights.

    Attributes
    ----------
    history : dict of str to list of float
        Per round: ``epoch`` (epochs completed), ``d_loss``, ``ge_loss`` and,
        with early stopping, the validation criterion.
    epochs : int
        Planned epochs.
    best_epoch : int or None
        Epoch whose weights early stopping kept.
    """

    history: dict
    epochs: int
    best_epoch: object


def resolve_epochs(epochs, n_train, batch_size, n_estimators):
    """Epochs to train: ``epochs``, or the "auto" budget for ``n_train`` rows.

    Parameters
    ----------
    epochs : int or "auto"
        The detector's parameter.
    n_train : int
        Training rows.
    batch_size : int
        Rows per step.
    n_estimators : int
        Members sharing :data:`AUTO_MIN_STEPS`.

    Returns
    -------
    epochs : int
    """
    if epochs != "auto":
        return int(epochs)
    steps_per_epoch = math.ceil(n_train / batch_size)
    member_steps = AUTO_MIN_STEPS / n_estimators
    wanted = max(math.ceil(member_steps / steps_per_epoch), AUTO_MIN_EPOCHS)
    return min(wanted, AUTO_MAX_EPOCHS)


def passes_per_round(epochs, steps_per_epoch):
    """The largest divisor of ``epochs`` that keeps a round near :data:`MIN_STEPS_PER_ROUND`."""
    wanted = max(1, math.ceil(MIN_STEPS_PER_ROUND / steps_per_epoch))
    return max(k for k in range(1, min(wanted, epochs) + 1) if epochs % k == 0)


class ConstantLearningRate(keras.optimizers.schedules.LearningRateSchedule):
    """A constant float32 learning rate, whatever ``keras.config.floatx()`` is.

    An optimizer given a float keeps it in a variable of the global floatx,
    so under ``set_floatx("float16")`` a rate of 1e-3 became 0.0010004; this
    schedule gives the rate as a float32 tensor at every step.

    Parameters
    ----------
    learning_rate : float
        The rate.
    """

    def __init__(self, learning_rate):
        self.learning_rate = float(learning_rate)

    def __call__(self, step):
        return ops.convert_to_tensor(self.learning_rate, dtype=networks.DTYPE)

    def get_config(self):
        return {"learning_rate": self.learning_rate}


def _compile(model, plan, steps_per_call):
    def adam():
        return keras.optimizers.Adam(ConstantLearningRate(plan.learning_rate), beta_1=0.5)

    model.compile(d_optimizer=adam, g_optimizer=adam, steps_per_execution=steps_per_call)


def train(model, x_train, x_validation, plan, seed, make_batches=None, extra_callbacks=None):
    """Train ``model`` on ``x_train`` as ``plan`` says.

    Parameters
    ----------
    model : BiGAN
        Built, not compiled.
    x_train : ndarray of shape (n_train, n_features) or sized row stream
        Preprocessed training rows (``len()`` gives their number).
    x_validation : ndarray or None
        Preprocessed held-out rows for early stopping, or None.
    plan : pyod_efficientgan.parameters.TrainingPlan
        The training parameters.
    seed : int
        Seed of the shuffling.
    make_batches : callable or None, default=None
        ``make_batches(rows, batch_size, seed, passes)`` returning
        ``(data, steps_per_epoch)`` for ``fit``; None uses the backend's
        ``training_batches``.
    extra_callbacks : list of keras.callbacks.Callback or None
        Run after the schedule's own.

    Returns
    -------
    result : TrainingResult

    Raises
    ------
    TrainingDivergedError
        No epoch ended with finite weights.
    """
    backend = backends.current()
    make_batches = make_batches or backend.training_batches
    batch_size = min(plan.batch_size, len(x_train))
    steps_per_epoch = math.ceil(len(x_train) / batch_size)
    epochs = resolve_epochs(plan.epochs, len(x_train), batch_size, plan.n_estimators)
    passes = passes_per_round(epochs, steps_per_epoch)
    for member in model.members:
        member.trim_share = plan.trim_share
        member.reconstruction_weight = plan.reconstruction_weight
        member.trim_ramp_steps = int(TRIM_RAMP_FRACTION * epochs * steps_per_epoch)
    _compile(
        model,
        plan,
        backend.steps_per_execution(passes * steps_per_epoch, MAX_STEPS_PER_EXECUTION),
    )
    guard = DivergenceGuard()
    callbacks = [guard]
    early_stopping = None
    if x_validation is not None:
        early_stopping = keras.callbacks.EarlyStopping(
            monitor=VALIDATION_MONITOR,
            mode="min",
            patience=math.ceil(plan.patience / passes),
            restore_best_weights=True,
        )
        score_function = ScoreFunction(model.members, plan.score_method, plan.norm, plan.alpha)
        callbacks = [
            ValidationCriterion(score_function, x_validation, plan.score_batch_size),
            guard,
            early_stopping,
        ]
    data, steps = make_batches(x_train, batch_size, seed, passes=passes)
    keras_history = model.fit(
        data,
        epochs=epochs // passes,
        steps_per_epoch=steps,
        callbacks=callbacks + list(extra_callbacks or []),
        verbose=int(plan.verbose),
        shuffle=False,
    )
    history = {
        key: [float(value) for value in values] for key, values in keras_history.history.items()
    }
    history["epoch"] = [passes * (i + 1) for i in range(len(keras_history.epoch))]
    if not model.all_finite():
        raise TrainingDivergedError(
            "Training diverged in the first epoch (non-finite loss); no finite weights to "
            f"restore. Lower learning_rate (now {plan.learning_rate!r}), or bring the inputs "
            "to a moderate range (preprocessing='standard' or 'minmax', or rows divided by a "
            "constant if they are scaled already)."
        )
    if guard.diverged_at_epoch is not None:
        warnings.warn(
            f"Training diverged after epoch {guard.diverged_at_epoch * passes} (non-finite "
            f"loss); kept the weights of epoch {(guard.last_finite_epoch + 1) * passes}. "
            f"Lower learning_rate (now {plan.learning_rate!r}) to train further.",
            RuntimeWarning,
            stacklevel=4,
        )
    best_epoch = None
    if early_stopping is not None and early_stopping.best_weights is not None:
        best_epoch = (early_stopping.best_epoch + 1) * passes
    return TrainingResult(history, epochs, best_epoch)
