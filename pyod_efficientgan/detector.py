"""EfficientGAN (EGBAD) as a PyOD detector."""

# Keras is imported first, and without the backend's start-up lines on stderr, before the
# modules below import it (see pyod_efficientgan.startup).
from pyod_efficientgan import startup

startup.import_keras()

import contextlib
import functools
import threading
import weakref
from numbers import Real

import numpy as np
from pyod.models.base import BaseDetector
from scipy.special import erf
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from pyod_efficientgan import backends, forking, parameters, restore, state, training
from pyod_efficientgan.bigan import build_bigan
from pyod_efficientgan.persistence import DetectorFileError, read_state, write_state
from pyod_efficientgan.preprocessing import (
    VALIDATED_DTYPES,
    check_column_types,
    check_feature_names,
    make_scaler,
    to_float32,
)
from pyod_efficientgan.rows import ArrayRows
from pyod_efficientgan.scaleout.distribute import check_backend
from pyod_efficientgan.scaleout.streaming import ChunkedRows
from pyod_efficientgan.scoring import (
    reconstruction_function,
    reconstruction_terms,
    score_function,
    score_rows,
    score_term_moments,
)

_CONTAMINATION_LOCK = threading.RLock()
"""Held while a NumPy ``contamination`` is swapped for a float (``_contamination_as_float``)."""

_FIT_LOCKS = weakref.WeakKeyDictionary()
"""One re-entrant lock per detector, held by its fits (:func:`_fit_lock`).

Kept outside the detector, so pickling, ``copy.deepcopy``, ``sklearn.clone`` and
``get_params`` never see it; a copy gets a lock of its own at its first fit.
"""

_FIT_LOCKS_LOCK = threading.Lock()
"""Held while a detector's lock is looked up or created."""


_FIT_ATTRIBUTES = frozenset(
    {spec.name for spec in state.ATTRIBUTES}
    | {"model_", "scaler_", "_model_params", "_score_cache", "_reconstruction_cache"}
)
"""The private and public attributes a fit sets (and the caches of its model)."""


def _set_by_fit(name):
    """Whether the attribute ``name`` belongs to a fit (a refit replaces them all)."""
    return name in _FIT_ATTRIBUTES or (name.endswith("_") and not name.startswith("__"))


def _fit_lock(detector):
    """The lock that serialises the fits of ``detector``."""
    with _FIT_LOCKS_LOCK:
        lock = _FIT_LOCKS.get(detector)
        if lock is None:
            lock = _FIT_LOCKS[detector] = threading.RLock()
        return lock


def _unified_probability(scores, training_scores, mean, std):
    """Kriegel et al.'s unified outlier probability of ``scores``.

    ``mean`` and ``std`` are the training scores' (PyOD's ``_mu`` and ``_sigma``). When
    every training score is the same, the limit as the spread goes to 0: 1 above that
    score, else 0 (the computed std is then 0 or a rounding error of the mean).
    """
    if np.ptp(training_scores) == 0:
        return (scores > training_scores[0]).astype(np.float64)
    return np.clip(erf((scores - mean) / (std * np.sqrt(2))), 0.0, 1.0)


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
        Size of the latent code z (the paper: 32). ``"auto"``: the first
        member a quarter of the features (2 to 32), the others sizes growing
        geometrically to 32 (3 members, 16 features: 4, 11, 32); small codes
        learn the rows' structure, large ones see rows far from the bulk.
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
        Full passes over the shuffled training rows. ``"auto"``: enough for
        ``5000 / n_estimators`` optimizer steps (each trains every member)
        and 3 epochs, at most 500 epochs. Early stopping may end sooner.
    batch_size : int, default=50
        Rows per optimizer step (50 in the paper). A dataset smaller than a
        batch trains in one batch.
    learning_rate : float, default=1e-3
        Adam learning rate of both optimizers (``beta_1=0.5``; the paper's
        1e-5 leaves the model almost untrained in a few epochs).
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
        Constant columns are left centred and unscaled. Min-max scaling is
        what the paper's KDD99 experiment intended (the benchmark page
        compares both).
    validation_size : float in [0, 0.5), default=0.0
        Share of the training rows held out for unsupervised early stopping
        on their mean reconstruction error (test-time weights). 0 (the
        default) disables it: on ODDS data it kept near-untrained weights.
        It is also skipped when fewer than 2 rows would be held out. The
        held-out rows are scored like all others in ``decision_scores_``.
    patience : int, default=10
        Epochs without improvement of the validation criterion before
        training stops and restores the best epoch's weights (rounded up to
        whole rounds, see ``history_``).
    score_batch_size : int, default=16384
        Rows per scoring chunk, which bounds the memory of scoring. A row's
        score does not depend on the rows scored with it, to float32
        rounding (:data:`~pyod_efficientgan.chunks.SCORE_ALIGN_ROWS`).
    n_estimators : int, default=3
        Number of BiGANs trained side by side on the same batches, with their
        own seeds (and, with ``latent_dim="auto"``, code sizes). With more than
        one the score is the mean of the members' standardised scores (see
        Notes); with one it is the paper's score.
    trim_share : float in [0, 0.5] or "auto", default=0.0
        Trimmed training: the share of each batch, the rows with the largest
        current reconstruction error, left out of the real-pair losses of D
        and E (no gradient from them), reached linearly over the first half
        of the planned steps. ``"auto"`` is ``contamination`` (0.1 when
        ``contamination`` is a thresholder). 0 is the paper's training.
    reconstruction_weight : float >= 0, default=0.0
        Weight of an explicit reconstruction term
        :math:`\\operatorname{mean}((x - G(E(x)))^2)` added to the E+G loss
        (ALICE, Li et al., 2017), over the rows trimming keeps: E and G then
        learn the inverse that :math:`L_G` measures instead of reaching it
        only at the optimum of the BiGAN game. 0 is the paper's training.
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
        Per round of training (one epoch, or on small datasets several of at
        least 200 steps in all): ``epoch`` (epochs completed), the mean losses
        ``d_loss`` and ``ge_loss`` and, with early stopping,
        ``val_reconstruction_error``.
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
    matching on the last hidden layer f of D). With ``n_estimators = K > 1``
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

    _parameter_constraints = parameters.CONSTRAINTS

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
        reconstruction_weight=0.0,
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
        self.reconstruction_weight = reconstruction_weight
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
            Extra callbacks for the BiGAN's ``fit``, run after the detector's
            own, with the :class:`~pyod_efficientgan.bigan.BiGAN` as
            ``self.model``; rows they score must be preprocessed as the
            detector does. A callback with a ``set_row_transform(transform)``
            method is handed the fitted preprocessing before training
            (``transform(rows)`` gives float32 rows as the networks take them;
            e.g. :class:`~pyod_efficientgan.callbacks.HeldOutFlagSelection`).

        Returns
        -------
        self : EfficientGAN
            The fitted detector.
        """
        return self._fit_rows(ArrayRows(X), y, callbacks)

    def fit_chunks(self, chunks, y=None, *, shuffle_buffer=100_000):
        """Train on rows that come in chunks, e.g. data larger than memory.

        Same model, scaling and scores as :meth:`fit`; only one chunk, a
        shuffle buffer and the training scores are held in memory. The chunks
        are read several times and must come in the same order every time
        (:mod:`pyod_efficientgan.scaleout.streaming`).

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
            stream are mixed (use at least the largest block of similar rows).

        Returns
        -------
        self : EfficientGAN
            The fitted detector.
        """
        return self._fit_rows(ChunkedRows(chunks, shuffle_buffer), y)

    def _fit_rows(self, source, y=None, callbacks=None):
        """Fit on a source of rows (:class:`~pyod_efficientgan.rows.RowSource`): both fits' path.

        The fit fills a new detector with the same parameters, whose fitted
        state replaces this one's at the end (:meth:`_fit_context`).
        """
        with self._fit_context() as detector:
            detector._validate_params()
            forking.check_not_forked(backends.name())
            check_backend(backends.name())
            scaler = make_scaler(detector.preprocessing)
            n_features = source.prepare(detector._validate_rows, scaler, detector.validation_size)
            detector._set_n_classes(y)
            seed = int(check_random_state(detector.random_state).randint(0, 2**31 - 1))
            x_train, x_validation, make_batches = source.training_rows(scaler, seed)
            for callback in callbacks or ():
                if hasattr(callback, "set_row_transform"):
                    callback.set_row_transform(functools.partial(to_float32, scaler))
            params = detector.get_params(deep=False)
            detector.latent_dim_ = parameters.resolve_latent_dim(detector.latent_dim, n_features)
            model = build_bigan(
                parameters.structure(params, n_features, detector.latent_dim_), seed
            )
            try:
                plan = parameters.training_plan(params)
                result = training.train(
                    model, x_train, x_validation, plan, seed, make_batches, callbacks
                )
            except Exception as error:
                if source.failure is None or source.failure is error:
                    raise
                raise source.failure from error  # not the input pipeline's wrapping of it
            moments = None  # a single member's raw score is the detector's
            if len(model.members) > 1:
                moments = score_term_moments(
                    model.members, source.scaled_chunks(scaler), detector.score_batch_size
                )
            detector._set_fitted(model, scaler, result, moments)
            detector.decision_scores_ = np.concatenate(
                [detector._score(chunk) for chunk in source.chunks()]
            )
            detector._process_decision_scores()
        return self

    @contextlib.contextmanager
    def _fit_context(self):
        """The block of a fit: serialised, without retracing warnings, and atomic.

        Yields a new detector with the same parameters (the same objects) for
        the fit to fill. The fits of one detector take turns (a lock per
        detector, outside its attributes). Only when the block ends without
        error is the new fitted state swapped in, in one step (the attribute
        dictionary is replaced, not updated), so until then the old fit keeps
        scoring, from any thread, with its width; and a fit that fails or is
        interrupted anywhere (validation, training, scoring, thresholding)
        leaves the detector as it was: fitted with its old model, or unfitted.
        The parameters are not touched.
        """
        with _fit_lock(self):
            names = set(self.get_params(deep=False))
            detector = type(self)(**self.get_params(deep=False))
            with startup.without_retracing_warnings():
                yield detector
            fitted = {k: v for k, v in vars(detector).items() if k not in names}
            # the old fit's attributes go; the parameters as they are now (set_params may have
            # run meanwhile) and whatever else was set on the detector (a meta-estimator's
            # context) stay
            kept = {k: v for k, v in vars(self).items() if k in names or not _set_by_fit(k)}
            self.__dict__ = {**kept, **fitted}

    def _validate_rows(self, X, reset):
        """``validate_data`` as the detector checks its rows: finite floats, 2-D.

        Date and time columns are refused by name, and at fit, column names that
        a saved copy could not keep.
        """
        check_column_types(X)
        if reset:
            check_feature_names(X)
        return validate_data(self, X, dtype=VALIDATED_DTYPES, ensure_all_finite=True, reset=reset)

    def _set_fitted(self, model, scaler, result, member_moments):
        # All fitted attributes of the model at once, after training succeeded.
        self.model_ = model
        self.scaler_ = scaler
        self.history_ = result.history
        self.epochs_ = result.epochs
        self.best_epoch_ = result.best_epoch
        self._member_moments = member_moments
        self._model_params = state.fitted_structure(self.get_params(deep=False))
        self.__dict__.pop("_score_cache", None)
        self.__dict__.pop("_reconstruction_cache", None)

    def _validate_params(self):
        parameters.validate(self.get_params(deep=False))

    @contextlib.contextmanager
    def _contamination_as_float(self):
        """A NumPy scalar ``contamination`` as the float it is, while PyOD's code runs.

        PyOD tests ``isinstance(contamination, (float, int))`` and takes anything
        else for a thresholder, so ``np.float32(0.1)`` failed with
        ``AttributeError: ... 'fit'``. The parameter is restored after the call
        (under a lock, so threads sharing the detector never see the swap undone
        early); other values run PyOD's code as they are.
        """
        contamination = self.contamination
        if isinstance(contamination, (float, int)) or not isinstance(contamination, Real):
            yield
            return
        with _CONTAMINATION_LOCK:
            self.contamination = float(contamination)
            try:
                yield
            finally:
                self.contamination = contamination

    def _process_decision_scores(self):
        with self._contamination_as_float():
            return super()._process_decision_scores()

    def predict(self, X, return_confidence=False):
        """Labels of ``X``: 1 for a score above ``threshold_``, else 0 (PyOD's ``predict``).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to label.
        return_confidence : bool, default=False
            Also return PyOD's confidence of each label.

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        confidence : ndarray of shape (n_samples,)
            Only with ``return_confidence=True``.
        """
        with self._contamination_as_float():
            return super().predict(X, return_confidence=return_confidence)

    def predict_proba(self, X, method="linear", return_confidence=False):
        """Probability that each row of ``X`` is an outlier (PyOD's ``predict_proba``).

        ``"linear"`` min-max scales the score with the training scores' range;
        ``"unify"`` is Kriegel et al.'s (2011) ``erf((s - mean) / (std sqrt 2))``
        clipped to [0, 1], with the training scores' mean and standard deviation.
        When every training score is the same it takes the limit as their spread
        goes to 0: 1 for a score above the training score, else 0 (PyOD's own
        formula divides by a std of 0 or of rounding errors there: NaN or
        arbitrary values).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score.
        method : {"linear", "unify"}, default="linear"
            How scores become probabilities.
        return_confidence : bool, default=False
            Also return PyOD's confidence of each label.

        Returns
        -------
        probabilities : ndarray of shape (n_samples, 2)
            Per row: probability of an inlier, of an outlier.
        confidence : ndarray of shape (n_samples,)
            Only with ``return_confidence=True``.
        """
        if method != "unify":
            with self._contamination_as_float():
                return super().predict_proba(X, method, return_confidence)
        check_is_fitted(self, ["decision_scores_", "threshold_", "labels_"])
        outlier = _unified_probability(
            self.decision_function(X), self.decision_scores_, self._mu, self._sigma
        )
        probabilities = np.column_stack([1.0 - outlier, outlier])
        if return_confidence:
            return probabilities, self.predict_confidence(X)
        return probabilities

    def predict_confidence(self, X):
        """PyOD's confidence in each label of ``X`` (Perini et al., 2020), in [0, 1].

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to label.

        Returns
        -------
        confidence : ndarray of shape (n_samples,)
        """
        with self._contamination_as_float():
            return super().predict_confidence(X)

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
        With one member the parts are the raw losses; with several they are
        standardised as the score is
        (:func:`~pyod_efficientgan.losses.standardized_mean`) and can be negative.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Rows to score.

        Returns
        -------
        generator_loss : ndarray of shape (n_samples,)
            Reconstruction error :math:`\\lVert x - G(E(x)) \\rVert_p`.
        discriminator_loss : ndarray of shape (n_samples,)
            Cross-entropy or feature-matching distance, per ``score_method``.
        """
        X = self._check_scoring_input(X)
        _, generator_loss, discriminator_loss = self._score(X, components=True)
        return generator_loss, discriminator_loss

    def explain(self, X):
        """Per-feature terms of the reconstruction error :math:`L_G`.

        :math:`|x_j - G(E(x))_j|` (``norm=1``, adding up to :math:`L_G(x)`)
        or its square (``norm=2``, adding up to :math:`L_G(x)^2`), after the
        detector's preprocessing, so features are comparable. With several
        members :math:`G(E(x))` is their mean reconstruction.

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
            If a term is not finite (values far beyond the training range).
        """
        index = getattr(X, "index", None) if hasattr(X, "columns") else None
        X = self._check_scoring_input(X)
        function = self._cached("_reconstruction_cache", None, reconstruction_function)
        terms = reconstruction_terms(function, X, self.score_batch_size, self.scaler_, self.norm)
        if index is not None:
            import pandas as pd

            columns = getattr(self, "feature_names_in_", range(self.n_features_in_))
            return pd.DataFrame(terms, index=index, columns=columns)
        return terms

    def _scorer(self):
        """The compiled scoring of ``model_`` with the current score parameters.

        ``alpha``, ``norm`` and ``score_method`` are read here, at scoring
        time, so ``set_params`` after ``fit`` acts the same on the fitted
        object, its pickled copy and a loaded file.
        """
        key = (self.score_method, int(self.norm), float(self.alpha))
        moments = getattr(self, "_member_moments", None)
        return self._cached("_score_cache", key, lambda model: score_function(model, moments, *key))

    def _cached(self, name, key, make):
        """``make(model_)``, kept as ``self.<name>`` until ``key`` or ``model_`` changes."""
        cached = self.__dict__.get(name)
        if cached is None or cached[0] != key or cached[1] is not self.model_:
            cached = self.__dict__[name] = (key, self.model_, make(self.model_))
        return cached[2]

    def save(self, path):
        """Save the fitted detector to ``path`` without pickle.

        The file holds the state that pickling keeps, as JSON and NumPy
        arrays (:mod:`pyod_efficientgan.persistence`), and loads under any
        Keras backend. Parameters that shape the model are saved with the
        values it was fitted with (:data:`~pyod_efficientgan.state.STRUCTURE_PARAMS`).

        Parameters
        ----------
        path : str or os.PathLike
            Destination file, written atomically.

        Raises
        ------
        sklearn.exceptions.NotFittedError
            If the detector is not fitted.
        TypeError
            If a parameter cannot be stored as JSON (a thresholder object, a
            ``RandomState``; pickle or joblib keep them).
        """
        check_is_fitted(self, ["model_", "decision_scores_"])
        write_state(restore.detector_state(self), path)

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
            damaged, of another version or malformed, or holds no detector
            (checked as :mod:`pyod_efficientgan.persistence` describes, before
            anything is allocated in proportion to what the file claims).
        """
        detector_state = read_state(path)
        forking.check_not_forked(backends.name())  # from_state builds the networks
        try:
            return restore.from_state(cls, detector_state)
        except (ValueError, TypeError) as error:
            raise DetectorFileError(f"{path!s}: {error}") from error

    def _check_scoring_input(self, X):
        """Check the detector is fitted, its score parameters, and X like the training rows."""
        check_is_fitted(self, ["model_", "decision_scores_"])
        forking.check_not_forked(backends.name())
        # they may have been set since fit
        parameters.check_score_params(self.get_params(deep=False))
        return self._validate_rows(X, reset=False)

    def _score(self, X, components=False):
        """Score validated rows chunk by chunk; memory is O(score_batch_size)."""
        with startup.without_retracing_warnings():
            outputs = score_rows(
                self._scorer(), X, self.score_batch_size, self.scaler_, 3 if components else 1
            )
        return outputs if components else outputs[0]

    def __getstate__(self):
        return restore.pickle_state(self)

    def __setstate__(self, pickled):
        if "weights" in pickled:  # a fitted state: from_state builds the networks
            forking.check_not_forked(backends.name())
        restore.set_pickle_state(self, pickled)
