"""EfficientGAN (EGBAD) as a PyOD detector."""

# Keras is imported first, and without the backend's start-up lines on stderr, before the
# modules below import it (see pyod_efficientgan.startup).
from pyod_efficientgan import startup

startup.import_keras()

import contextlib
import math
import numbers

import numpy as np
from keras import ops
from pyod.models.base import BaseDetector
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from pyod_efficientgan import backends, schedule
from pyod_efficientgan.networks import build_discriminator, build_encoder, build_generator
from pyod_efficientgan.persistence import DetectorFileError, read_state, write_state
from pyod_efficientgan.rows import ArrayRows, make_scaler, to_float32, validate_rows
from pyod_efficientgan.scaleout.distribute import check_backend
from pyod_efficientgan.schedule import (  # noqa: F401 (the detector's documented constants)
    AUTO_MAX_EPOCHS,
    AUTO_MIN_EPOCHS,
    AUTO_MIN_STEPS,
    MAX_STEPS_PER_EXECUTION,
    MIN_STEPS_PER_ROUND,
    TRIM_RAMP_FRACTION,
    TrainingDivergedError,
)
from pyod_efficientgan.scorer import (  # noqa: F401
    SCORE_ALIGN_ROWS,
    ScoreFunction,
    map_chunks,
    score_part_moments,
)
from pyod_efficientgan.scoring import SCORE_METHODS, member_standardization
from pyod_efficientgan.state import STRUCTURE_PARAMS, from_state, to_state
from pyod_efficientgan.training import BiGAN, BiGANEnsemble

THRESHOLDER_TRIM_SHARE = 0.1
"""``trim_share="auto"`` when ``contamination`` is a thresholder object (no
outlier share is known): PyOD's default contamination."""

AUTO_LATENT_FRACTION = 0.25
"""With ``latent_dim="auto"`` the smallest code has this share of the
features (rounded up): a bottleneck that makes E and G learn the rows'
structure instead of copying them."""

AUTO_LATENT_RANGE = (2, 32)
"""``latent_dim="auto"`` sizes lie within these (32 is the paper's)."""

MEMBER_SEED_STRIDE = 10_000
"""Member k of an ensemble is built from seed ``seed + MEMBER_SEED_STRIDE * k``."""


def _is_tuple_of_positive_ints(value):
    return (
        isinstance(value, (tuple, list))
        and len(value) > 0
        and all(
            isinstance(v, numbers.Integral) and not isinstance(v, bool) and v > 0 for v in value
        )
    )


def _check_finite(values):
    """Raise FloatingPointError if a score (or a term of ``explain``) is not finite."""
    if not np.all(np.isfinite(values)):
        raise FloatingPointError(
            "EfficientGAN produced non-finite scores; the input values are probably far "
            "outside the range seen in fit."
        )


class EfficientGAN(BaseDetector):
    """EfficientGAN (EGBAD): BiGAN-based anomaly detection.

    A bidirectional GAN learns an encoder E from rows to latent codes, a
    generator G from codes to rows and a discriminator D of pairs (x, z). A
    row is anomalous when G cannot reconstruct it from E(x) and D does not
    take (x, E(x)) for a training pair.

    Parameters
    ----------
    contamination : float in (0, 0.5] or object with ``fit`` and ``predict``, default=0.1
        Expected share of outliers, used to set ``threshold_``; or a PyThresh
        thresholder, which then decides the labels.
    latent_dim : int or "auto", default="auto"
        Size of the latent code z (the paper: 32). ``"auto"`` gives the
        first BiGAN a bottleneck of a quarter of the features (at least 2,
        at most 32) and the others of ``n_estimators`` sizes growing
        geometrically to 32 (with 3 members and 16 features: 4, 11, 32).
        Small codes make E and G learn the structure of the rows; large ones
        score rows far from their bulk. Chosen on PyOD's ODDS sets and
        ADBench sets, and checked on others (see the benchmark page).
    encoder_units : tuple of int, default=(64,)
        Hidden layer widths of E (LeakyReLU 0.1).
    generator_units : tuple of int, default=(64, 128)
        Hidden layer widths of G (ReLU).
    discriminator_units : tuple of int, default=(128, 128)
        Width of the x and z branches of D, then the widths of the joint
        layers; the last hidden layer is the feature-matching layer.
    dropout : float in [0, 1), default=0.2
        Dropout of D while training. Scoring never uses dropout.
    epochs : int or "auto", default="auto"
        Number of full passes over the (shuffled) training rows. ``"auto"``
        picks enough epochs for at least ``5000 / n_estimators`` optimizer
        steps (each step trains every member, so the total arithmetic is
        that of 5000 steps of one BiGAN) and 3 epochs, but at most 500
        epochs: a set of 100 rows and one member trains 1,000 steps. Early
        stopping may end training sooner.
    batch_size : int, default=50
        Rows per optimizer step (50 in the paper). A dataset smaller than a
        batch trains in one batch.
    learning_rate : float, default=1e-3
        Adam learning rate of both optimizers (``beta_1=0.5``). The paper's
        value, 1e-5, leaves the model almost untrained in a few epochs.
    alpha : float in [0, 1], default=0.9
        Weight of the generator loss in the score (paper: 0.9).
    score_method : {"cross-entropy", "feature-matching"}, default="cross-entropy"
        The discriminator part of the score.
    norm : {1, 2}, default=2
        Order of the norms in the reconstruction error and the feature
        matching distance. The paper uses 1; 2 ranked outliers better on
        PyOD's 17 ODDS sets (see the benchmark page).
    ema_decay : float in [0, 1) or None, default=0.999
        Decay of the moving average that gives the test-time weights; None
        or 0 scores with the last trained weights.
    preprocessing : {"standard", "minmax"} or None, default="standard"
        Scaling fitted on the training rows and applied before the networks.
        Constant columns are left centred and unscaled. Standard scaling won
        the screen on ODDS data (see the benchmark page); min-max scaling is
        what the paper's KDD99 experiment intended.
    validation_size : float in [0, 0.5), default=0.0
        Share of the training rows held out for unsupervised early stopping
        on their mean reconstruction error (test-time weights). 0 (the
        default) disables it: on ODDS data it kept near-untrained weights.
        It is also skipped when fewer than 2 rows would be held out. The
        held-out rows are scored like all others in ``decision_scores_``.
    patience : int, default=10
        Epochs without improvement of the validation criterion before
        training stops; the best epoch's weights are restored. The criterion
        is evaluated once per round (see ``history_``), so on small datasets
        patience is rounded up to whole rounds.
    score_batch_size : int, default=16384
        Rows per scoring chunk; bounds the memory of ``decision_function``
        (77-104 MiB added for 2,000,000 x 121 rows at the default, which
        was also the fastest chunk size measured; see the performance
        page). Every chunk is padded to a multiple of 1024 rows (or of
        ``score_batch_size``, if smaller). A row's score does not depend on
        the rows scored with it, to float32 rounding (the CPU's kernels
        can round a row differently at another position or batch shape).
    n_estimators : int, default=3
        Number of BiGANs trained side by side (one compiled training
        function) on the same batches, with different seeds (and, with
        ``latent_dim="auto"``, code sizes). With more than one, the score is
        the mean of the members' scores, each standardised by the mean and
        standard deviation of its scores of the training rows; with one, it
        is the paper's score.
    trim_share : float in [0, 0.5] or "auto", default=0.0
        Trimmed training: the share of each batch, the rows with the largest
        current reconstruction error, left out of the real-pair losses of D
        and E (no gradient from them), reached linearly over the first half
        of the planned steps. ``"auto"`` is ``contamination`` (0.1 when
        ``contamination`` is a thresholder). 0 is the paper's training.
    random_state : int, RandomState instance or None, default=None
        Seeds the weights, dropout, latent noise, shuffling and the
        validation split. An int gives identical scores on every fit.
    verbose : {0, 1, 2}, default=0
        0 is silent, 1 shows a progress bar, 2 prints one line per epoch.

    Attributes
    ----------
    model_ : BiGAN
        The trained Keras model; scoring uses its test-time (EMA) networks.
    scaler_ : MinMaxScaler, StandardScaler or None
        The fitted input scaling.
    history_ : dict of str to list
        One entry per round of training: ``epoch`` (epochs completed at the
        end of the round), the round's mean losses ``d_loss`` and ``ge_loss``
        and, with early stopping, ``val_reconstruction_error``. A round is one
        epoch, or on small datasets several epochs of at least 200 steps in
        all (the largest divisor of ``epochs_`` that gets there), which spares
        them Keras' per-epoch overhead.
    epochs_ : int
        Number of epochs that were planned (``epochs`` resolved).
    latent_dim_ : int
        Size of the first member's code (``latent_dim`` resolved); the
        members' sizes are ``[m.latent_dim for m in model_.members]``.
    best_epoch_ : int or None
        1-based epoch whose weights were kept by early stopping, or None.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of str
        Column names, when ``X`` had string column names.
    decision_scores_ : ndarray of shape (n_samples,)
        Outlier scores of the training rows; higher is more abnormal.
    threshold_ : float
        Score above which a row is labelled an outlier.
    labels_ : ndarray of shape (n_samples,)
        0 for inliers and 1 for outliers among the training rows.

    See Also
    --------
    pyod.models.alad.ALAD : Adversarially learned anomaly detection.
    pyod.models.anogan.AnoGAN : GAN with a per-sample latent search.

    Notes
    -----
    The score of a row x is

    .. math::

        A(x) = \\alpha \\lVert x - G(E(x)) \\rVert_p + (1 - \\alpha) L_D(x),

    where :math:`L_D(x)` is :math:`\\sigma(D(x, E(x)), 1)` (cross-entropy) or
    :math:`\\lVert f(x, E(x)) - f(G(E(x)), E(x)) \\rVert_p` (feature
    matching on the last hidden layer f of D). One epoch is one pass over all
    training rows in batches of ``batch_size``. With ``n_estimators = K > 1``
    the score is

    .. math::

        \\bar A(x) = \\frac{1}{K} \\sum_{k=1}^{K} \\frac{A_k(x) - c_k}{s_k},

    with :math:`c_k, s_k` the mean and standard deviation of member k's
    scores of the training rows. The paper's model is
    ``EfficientGAN(latent_dim=32, n_estimators=1)`` (with ``norm=1``).

    References
    ----------
    .. [1] Zenati, H., Foo, C. S., Lecouat, B., Manek, G., and
       Chandrasekhar, V. R. (2018). Efficient GAN-Based Anomaly Detection.
       arXiv:1802.06222.

    Examples
    --------
    >>> from pyod.utils.data import generate_data
    >>> from pyod_efficientgan import EfficientGAN
    >>> X_train, X_test, y_train, y_test = generate_data(
    ...     n_train=200, n_test=100, n_features=5, contamination=0.1, random_state=1)
    >>> detector = EfficientGAN(epochs=5, random_state=0).fit(X_train)
    >>> detector.decision_function(X_test).shape
    (100,)
    """

    _parameter_constraints = {
        "contamination": [
            Interval(numbers.Real, 0, 0.5, closed="right"),
            HasMethods(["fit", "predict"]),
        ],
        "latent_dim": [Interval(numbers.Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "encoder_units": [tuple, list],
        "generator_units": [tuple, list],
        "discriminator_units": [tuple, list],
        "dropout": [Interval(numbers.Real, 0, 1, closed="left")],
        "epochs": [Interval(numbers.Integral, 1, None, closed="left"), StrOptions({"auto"})],
        "batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "learning_rate": [Interval(numbers.Real, 0, None, closed="neither")],
        "alpha": [Interval(numbers.Real, 0, 1, closed="both")],
        "score_method": [StrOptions(set(SCORE_METHODS))],
        "norm": [Interval(numbers.Integral, 1, 2, closed="both")],
        "ema_decay": [Interval(numbers.Real, 0, 1, closed="left"), None],
        "preprocessing": [StrOptions({"minmax", "standard"}), None],
        "validation_size": [Interval(numbers.Real, 0, 0.5, closed="left")],
        "patience": [Interval(numbers.Integral, 1, None, closed="left")],
        "score_batch_size": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_estimators": [Interval(numbers.Integral, 1, None, closed="left")],
        "trim_share": [Interval(numbers.Real, 0, 0.5, closed="both"), StrOptions({"auto"})],
        "random_state": ["random_state"],
        "verbose": [Interval(numbers.Integral, 0, 2, closed="both"), "boolean"],
    }

    def __init__(
        self,
        *,
        contamination=0.1,
        latent_dim="auto",
        encoder_units=(64,),
        generator_units=(64, 128),
        discriminator_units=(128, 128),
        dropout=0.2,
        epochs="auto",
        batch_size=50,
        learning_rate=1e-3,
        alpha=0.9,
        score_method="cross-entropy",
        norm=2,
        ema_decay=0.999,
        preprocessing="standard",
        validation_size=0.0,
        patience=10,
        score_batch_size=16384,
        n_estimators=3,
        trim_share=0.0,
        random_state=None,
        verbose=0,
    ):
        self.contamination = contamination
        self.latent_dim = latent_dim
        self.encoder_units = encoder_units
        self.generator_units = generator_units
        self.discriminator_units = discriminator_units
        self.dropout = dropout
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.alpha = alpha
        self.score_method = score_method
        self.norm = norm
        self.ema_decay = ema_decay
        self.preprocessing = preprocessing
        self.validation_size = validation_size
        self.patience = patience
        self.score_batch_size = score_batch_size
        self.n_estimators = n_estimators
        self.trim_share = trim_share
        self.random_state = random_state
        self.verbose = verbose

    # ------------------------------------------------------------------ fit
    def fit(self, X, y=None, *, callbacks=None):
        """Train the BiGAN on ``X`` and score the training rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training rows. Labels are not used.
        y : Ignored
            Present for API consistency.
        callbacks : list of keras.callbacks.Callback, default=None
            Extra callbacks for the BiGAN's ``fit``; they see the
            :class:`~pyod_efficientgan.training.BiGAN` as ``self.model`` and
            run after the detector's own. Rows they score themselves must be
            preprocessed as the detector does (simplest with
            ``preprocessing=None`` and rows scaled beforehand). See
            :class:`~pyod_efficientgan.callbacks.HeldOutFlagSelection`.

        Returns
        -------
        self : EfficientGAN
            The fitted detector.
        """
        return self._fit_rows(ArrayRows(X), y, callbacks)

    def fit_chunks(self, chunks, y=None, *, shuffle_buffer=100_000):
        """Train on rows that come in chunks, e.g. data larger than memory.

        Same model, scaling and scores as :meth:`fit`, but only one chunk, a
        shuffle buffer and the training scores are held in memory. The chunks
        are read once to validate them and fit the scaler, once per epoch to
        train, and once to compute ``decision_scores_``; they must come in the
        same order every time. See :mod:`pyod_efficientgan.scaleout.streaming`.

        Parameters
        ----------
        chunks : list of array-like, tf.data.Dataset, ChunkFiles or callable
            2-D chunks of rows with the same columns: a re-iterable (list,
            :class:`~pyod_efficientgan.scaleout.streaming.ChunkFiles`), a
            :class:`tf.data.Dataset` of rows or 2-D batches, or a callable
            that returns a new iterable of chunks on every call.
        y : Ignored
            Present for API consistency.
        shuffle_buffer : int, default=100_000
            Rows in the training shuffle buffer: rows closer than this in the
            stream are mixed. Use at least the size of the largest block of
            similar rows (e.g. a file per day), memory permitting.

        Returns
        -------
        self : EfficientGAN
            The fitted detector.
        """
        from pyod_efficientgan.scaleout.streaming import ChunkedRows

        return self._fit_rows(ChunkedRows(chunks, shuffle_buffer), y)

    def _fit_rows(self, source, y=None, callbacks=None):
        """Fit on a source of rows (:mod:`pyod_efficientgan.rows`): the one path of both fits.

        On failure anywhere the detector is left as it was.
        """
        with self._restored_on_failure(), startup.without_retracing_warnings():
            self._validate_params()
            check_backend(backends.name())
            scaler = make_scaler(self.preprocessing)
            source.prepare(self, scaler)
            self._set_n_classes(y)
            seed = int(check_random_state(self.random_state).randint(0, 2**31 - 1))
            x_train, x_validation, make_batches = source.training_rows(self, scaler, seed)
            self.latent_dim_ = self._resolve_latent_dim(self.n_features_in_)
            model = self._build_model(self.n_features_in_, seed)
            try:
                training = schedule.train(
                    model,
                    x_train,
                    x_validation,
                    self._training_plan(),
                    seed,
                    make_batches,
                    callbacks,
                )
            except Exception as error:
                if source.failure is None or source.failure is error:
                    raise
                raise source.failure from error  # not the input pipeline's wrapping of it
            moments = self._compute_member_moments(model, source.scaled_chunks(self, scaler))
            self._set_fitted(model, scaler, training, moments)
            self.decision_scores_ = np.concatenate(
                [self._score(chunk) for chunk in source.chunks(self)]
            )
            self._process_decision_scores()
        return self

    @contextlib.contextmanager
    def _restored_on_failure(self):
        """Undo every change to the fitted state if the block raises.

        A fit that fails or is interrupted anywhere (validation, training,
        scoring, thresholding) leaves the detector as it was: fitted with its
        old model, or unfitted.
        """
        params = set(self.get_params(deep=False))
        before = {k: v for k, v in self.__dict__.items() if k not in params}
        try:
            yield
        except BaseException:
            for name in [k for k in self.__dict__ if k not in params]:
                del self.__dict__[name]
            self.__dict__.update(before)
            raise

    def _set_fitted(self, model, scaler, training, member_moments):
        # All fitted attributes of the model at once, after training succeeded.
        self.model_ = model
        self.scaler_ = scaler
        self.history_ = training.history
        self.epochs_ = training.epochs
        self.best_epoch_ = training.best_epoch
        self._member_moments = member_moments
        self._model_params = {name: getattr(self, name) for name in STRUCTURE_PARAMS}
        self.__dict__.pop("_score_cache", None)
        self.__dict__.pop("_reconstruction_cache", None)

    def _layer_widths(self):
        """The three ``*_units`` as tuples of Python ints (Keras refuses NumPy ints)."""
        return {
            name: tuple(int(width) for width in getattr(self, name))
            for name in ("encoder_units", "generator_units", "discriminator_units")
        }

    def _validate_params(self):
        # scikit-learn's constraints, then what they cannot express: tuples of
        # positive ints for the layer widths.
        super()._validate_params()
        for name in ("encoder_units", "generator_units", "discriminator_units"):
            value = getattr(self, name)
            if not _is_tuple_of_positive_ints(value):
                raise ValueError(
                    f"The '{name}' parameter of EfficientGAN must be a non-empty tuple of "
                    f"positive ints. Got {value!r} instead."
                )

    def _training_plan(self):
        """The training parameters, for :func:`pyod_efficientgan.schedule.train`."""
        return schedule.TrainingPlan(
            epochs=self.epochs,
            batch_size=self.batch_size,
            learning_rate=self.learning_rate,
            n_estimators=self.n_estimators,
            trim_share=self._resolve_trim_share(),
            patience=self.patience,
            score_method=self.score_method,
            norm=int(self.norm),
            alpha=float(self.alpha),
            score_batch_size=self.score_batch_size,
            verbose=int(self.verbose),
        )

    def _scorer(self):
        """The compiled scoring of ``model_`` with the current score parameters.

        ``alpha``, ``norm`` and ``score_method`` are read here, at scoring
        time, so ``set_params`` after ``fit`` acts the same on the fitted
        object, its pickled copy and a loaded file. The compiled function is
        kept until one of them changes.
        """
        key = (self.score_method, int(self.norm), float(self.alpha))
        cached = self.__dict__.get("_score_cache")
        if cached is not None and cached[0] == key and cached[1] is self.model_:
            return cached[2]
        centers = scales = None
        moments = getattr(self, "_member_moments", None)
        if moments is not None:
            centers, scales = member_standardization(moments, *key)
        function = ScoreFunction(self.model_, *key, centers=centers, scales=scales)
        self._score_cache = (key, self.model_, function)
        return function

    def _compute_member_moments(self, model, scaled_chunks):
        """Moments of every member's score parts over the training rows.

        None for a single member, whose raw score is the detector's. For an
        ensemble, the means and (co)variances of :math:`L_G` and :math:`L_D`
        of each member under every score method and norm, from which any
        ``alpha`` gives each member's score mean and standard deviation (see
        :func:`member_standardization`).
        """
        if len(model.members) == 1:
            return None
        return score_part_moments(model, scaled_chunks, self.score_batch_size)

    def _build_model(self, n_features, seed):
        """One BiGAN, or an ensemble of ``n_estimators`` (member k seeded ``seed + 10000 k``)."""
        members = [
            self._build_member(n_features, seed + MEMBER_SEED_STRIDE * k, latent_dim)
            for k, latent_dim in enumerate(self._member_latent_dims())
        ]
        return members[0] if len(members) == 1 else BiGANEnsemble(members)

    def _member_latent_dims(self):
        """The code size of each member.

        ``latent_dim_`` for every member, except with ``latent_dim="auto"`` and
        several members: then the sizes grow geometrically from ``latent_dim_``
        (the bottleneck) to 32, the paper's size, a hyper-ensemble over the
        code size (small codes learn the rows' structure, large ones score
        rows far from the bulk).
        """
        if self.latent_dim != "auto" or self.n_estimators == 1:
            return [self.latent_dim_] * self.n_estimators
        high = max(AUTO_LATENT_RANGE[1], self.latent_dim_)
        sizes = np.geomspace(self.latent_dim_, high, self.n_estimators)
        return [int(round(size)) for size in sizes]

    def _build_member(self, n_features, seed, latent_dim):
        units = self._layer_widths()
        latent_dim = int(latent_dim)

        def networks():
            return (
                build_encoder(n_features, latent_dim, units["encoder_units"], seed),
                build_generator(latent_dim, n_features, units["generator_units"], seed + 1000),
                build_discriminator(
                    n_features,
                    latent_dim,
                    units["discriminator_units"],
                    self.dropout,
                    seed + 2000,
                ),
            )

        return BiGAN(
            *networks(),
            latent_dim,
            self.ema_decay,
            seed=seed + 3000,
            trim_norm=self.norm,
            ema_networks=networks(),
        )

    def _resolve_latent_dim(self, n_features):
        """The size of z (of the first member): ``latent_dim``, or the "auto" bottleneck."""
        if self.latent_dim != "auto":
            return int(self.latent_dim)
        low, high = AUTO_LATENT_RANGE
        wanted = math.ceil(AUTO_LATENT_FRACTION * n_features)
        return int(min(max(wanted, low), high, n_features))

    def _resolve_trim_share(self):
        if self.trim_share != "auto":
            return float(self.trim_share)
        if isinstance(self.contamination, numbers.Real):
            return float(self.contamination)
        return THRESHOLDER_TRIM_SHARE

    # -------------------------------------------------------------- scoring
    def decision_function(self, X):
        """Anomaly scores :math:`A(x)` of ``X``; higher is more abnormal.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        scores : ndarray of shape (n_samples,)
            Outlier scores (float64).
        """
        X = self._check_scoring_input(X)
        return self._score(X)

    def score_components(self, X):
        """The two parts of the score: :math:`L_G(x)` and :math:`L_D(x)`.

        ``decision_function(X)`` equals ``alpha * L_G + (1 - alpha) * L_D``.
        With one member (``n_estimators=1``) the parts are the raw losses.
        With several, each is the mean over the members of the member's part
        less the mean of its training scores :math:`A_k`, divided by their
        standard deviation (:func:`~pyod_efficientgan.scoring.standardized_mean`),
        as the score itself is: such a part is relative to the training rows
        and can be negative.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        generator_loss : ndarray of shape (n_samples,)
            Reconstruction error :math:`\\lVert x - G(E(x)) \\rVert_p` in the
            preprocessed space (standardised with several members).
        discriminator_loss : ndarray of shape (n_samples,)
            Cross-entropy or feature-matching distance, per ``score_method``
            (standardised with several members).
        """
        X = self._check_scoring_input(X)
        _, generator_loss, discriminator_loss = self._score(X, components=True)
        return generator_loss, discriminator_loss

    def explain(self, X):
        """Per-feature terms of the reconstruction error :math:`L_G`.

        For ``norm=1`` the terms are :math:`|x_j - G(E(x))_j|` and add up to
        :math:`L_G(x)`; for ``norm=2`` they are the squared differences and
        add up to :math:`L_G(x)^2`. With several members (``n_estimators >
        1``, the default) :math:`G(E(x))` is the members' mean
        reconstruction, and the terms do not add up to the ensemble's
        standardised :math:`L_G`. Large terms name the features the
        generator failed to reconstruct. Differences are measured after the
        detector's preprocessing, so features are comparable.

        Parameters
        ----------
        X : array-like or pandas.DataFrame of shape (n_samples, n_features)
            Rows to explain.

        Returns
        -------
        terms : ndarray or pandas.DataFrame of shape (n_samples, n_features)
            Aligned with the columns of ``X``; a DataFrame with the same
            index and columns when ``X`` is a DataFrame.

        Raises
        ------
        FloatingPointError
            If a term is not finite (values far beyond the training range), as
            :meth:`decision_function` raises for such rows.
        """
        index = getattr(X, "index", None) if hasattr(X, "columns") else None
        X = self._check_scoring_input(X)
        reconstruct = self._reconstruction()

        def terms_of(x):
            difference = np.abs(x - ops.convert_to_numpy(reconstruct(x)))
            return difference if self.norm == 1 else np.square(difference)

        (terms,) = map_chunks(terms_of, X, self.score_batch_size, self._preprocess)
        _check_finite(terms)
        terms = terms.astype(np.float64)
        if index is not None:
            import pandas as pd

            columns = getattr(self, "feature_names_in_", range(self.n_features_in_))
            return pd.DataFrame(terms, index=index, columns=columns)
        return terms

    def _reconstruction(self):
        """:math:`G(E(x))` of ``model_`` (the members' mean), compiled once per fitted model."""
        cached = self.__dict__.get("_reconstruction_cache")
        if cached is not None and cached[0] is self.model_:
            return cached[1]
        model = self.model_
        function = backends.current().compile_rows_function(
            lambda x: model(x, training=False), model.variables, self.n_features_in_
        )
        self._reconstruction_cache = (model, function)
        return function

    def save(self, path):
        """Save the fitted detector to ``path`` without pickle.

        The file holds the state that pickling keeps, as JSON and NumPy
        arrays (see :mod:`pyod_efficientgan.persistence`); it loads under any
        Keras backend. It describes the model that scores: the parameters
        that shape it (``latent_dim``, the ``*_units``, ``dropout``,
        ``ema_decay``, ``n_estimators``, ``preprocessing``) are saved with the
        values the model was fitted with, also when ``set_params`` changed
        them since (the new values act at the next fit).

        Parameters
        ----------
        path : str or os.PathLike
            Destination file, written atomically.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the detector is not fitted.
        TypeError
            If a parameter cannot be stored as JSON: a thresholder object as
            ``contamination`` or a ``RandomState`` as ``random_state`` (pickle
            or joblib keep them).
        """
        check_is_fitted(self, ["model_", "decision_scores_"])
        write_state(to_state(self), path)

    @classmethod
    def load(cls, path):
        """Load a detector saved by :meth:`save`; no code from the file runs.

        Parameters
        ----------
        path : str or os.PathLike
            A file written by :meth:`save`, under any Keras backend.

        Returns
        -------
        detector : EfficientGAN
            The fitted detector; it gives the same scores as the one saved.

        Raises
        ------
        pyod_efficientgan.persistence.DetectorFileError
            If the path is not a regular file, or the file is too large,
            damaged, of another format version or malformed
            (:func:`~pyod_efficientgan.persistence.read_state`), or what it
            holds is no detector: parameters that do not validate, a missing
            scaler statistic, weights that do not fit the networks the
            parameters describe (checked before any network is built).

        Notes
        -----
        The file's digests are no signature; a file from elsewhere is checked
        as described in :mod:`pyod_efficientgan.persistence` and refused
        before anything is allocated in proportion to what it claims.
        """
        state = read_state(path)
        try:
            return from_state(cls, state)
        except (ValueError, TypeError) as error:
            raise DetectorFileError(f"{path!s}: {error}") from error

    def _check_scoring_input(self, X):
        """Check the detector is fitted and validate X like the training rows."""
        check_is_fitted(self, ["model_", "decision_scores_"])
        return validate_rows(self, X, reset=False)

    def _preprocess(self, rows):
        """Scale a chunk of rows as in ``fit``, as contiguous float32."""
        return to_float32(self.scaler_, rows)

    def _score(self, X, components=False):
        """Score validated rows chunk by chunk; memory is O(score_batch_size)."""
        n_outputs = 3 if components else 1
        with startup.without_retracing_warnings():
            parts = map_chunks(
                self._scorer(), X, self.score_batch_size, self._preprocess, n_outputs=n_outputs
            )
        if not parts:
            parts = tuple(np.empty(0) for _ in range(n_outputs))
        _check_finite(parts[0])
        parts = tuple(np.asarray(part, dtype=np.float64) for part in parts)
        return parts if components else parts[0]

    # ---------------------------------------------------------- persistence
    def __getstate__(self):
        # The state, plus what a file cannot keep: structure parameters set since fit,
        # which a copy applies at its next fit like the original.
        state = to_state(self)
        fitted = self.__dict__.get("_model_params") if "weights" in state else None
        if fitted:
            pending = {k: getattr(self, k) for k in fitted if getattr(self, k) is not fitted[k]}
            if pending:
                state["params_for_next_fit"] = pending
        return state

    def __setstate__(self, state):
        state = dict(state)
        pending = state.pop("params_for_next_fit", {})
        self.__dict__.update(from_state(type(self), state).__dict__)
        self.__dict__.update(pending)
