"""EfficientGAN (EGBAD) as a PyOD detector."""

# Keras is imported first, and without the backend's start-up lines on stderr, before the
# modules below import it (see pyod_efficientgan.startup).
from pyod_efficientgan import startup

startup.import_keras()

import contextlib
import numbers

import numpy as np
from pyod.models.base import BaseDetector
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from pyod_efficientgan import backends, parameters, training
from pyod_efficientgan.networks import build_bigan
from pyod_efficientgan.rows import ArrayRows, make_scaler, validate_rows
from pyod_efficientgan.scaleout.distribute import check_backend
from pyod_efficientgan.scoring import (
    reconstruction_function,
    reconstruction_terms,
    score_function,
    score_rows,
    score_term_moments,
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
        score rows far from their bulk (the benchmark page shows the choice).
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
        training stops; the best epoch's weights are restored. The criterion
        is evaluated once per round (see ``history_``), so on small datasets
        patience is rounded up to whole rounds.
    score_batch_size : int, default=16384
        Rows per scoring chunk; bounds the memory of ``decision_function``
        (the performance page measures memory and speed). Every chunk is padded to a multiple of 1024 rows (or of
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
            :class:`~pyod_efficientgan.bigan.BiGAN` as ``self.model`` and
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
            self.latent_dim_ = parameters.resolve_latent_dim(self.latent_dim, self.n_features_in_)
            model = self._build_model(self.n_features_in_, seed)
            try:
                result = training.train(
                    model,
                    x_train,
                    x_validation,
                    parameters.training_plan(self),
                    seed,
                    make_batches,
                    callbacks,
                )
            except Exception as error:
                if source.failure is None or source.failure is error:
                    raise
                raise source.failure from error  # not the input pipeline's wrapping of it
            moments = None  # a single member's raw score is the detector's
            if len(model.members) > 1:
                moments = score_term_moments(
                    model.members, source.scaled_chunks(self, scaler), self.score_batch_size
                )
            self._set_fitted(model, scaler, result, moments)
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

    def _set_fitted(self, model, scaler, result, member_moments):
        # All fitted attributes of the model at once, after training succeeded.
        self.model_ = model
        self.scaler_ = scaler
        self.history_ = result.history
        self.epochs_ = result.epochs
        self.best_epoch_ = result.best_epoch
        self._member_moments = member_moments
        self._model_params = {name: getattr(self, name) for name in self._STRUCTURE_PARAMS}
        self.__dict__.pop("_score_cache", None)
        self.__dict__.pop("_reconstruction_cache", None)

    _STRUCTURE_PARAMS = (
        "latent_dim",
        "encoder_units",
        "generator_units",
        "discriminator_units",
        "dropout",
        "ema_decay",
        "n_estimators",
        "preprocessing",
    )
    """The parameters that decide the fitted model's networks and scaler. Set after
    ``fit``, they act at the next fit; a state (pickle, :meth:`save`) keeps the fitted
    values, so that it always describes the model that scores."""

    def _validate_params(self):
        super()._validate_params()  # scikit-learn's constraints, then the layer widths
        parameters.check_layer_widths(self)

    def _layer_widths(self):
        return parameters.layer_widths(self)

    def _member_latent_dims(self):
        return parameters.member_latent_dims(self.latent_dim, self.latent_dim_, self.n_estimators)

    def _build_model(self, n_features, seed):
        """The BiGAN the parameters describe, of ``n_estimators`` members."""
        widths, latent_dims = self._layer_widths(), self._member_latent_dims()
        return build_bigan(
            n_features, latent_dims, widths, self.dropout, self.ema_decay, self.norm, seed
        )

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
        from pyod_efficientgan.persistence import write_state

        check_is_fitted(self, ["model_", "decision_scores_"])
        write_state(self._to_state(), path)

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
        from pyod_efficientgan.persistence import DetectorFileError, read_state

        state = read_state(path)
        try:
            return cls._from_state(state)
        except (ValueError, TypeError) as error:
            raise DetectorFileError(f"{path!s}: {error}") from error

    def _check_scoring_input(self, X):
        """Check the detector is fitted and validate X like the training rows."""
        check_is_fitted(self, ["model_", "decision_scores_"])
        return validate_rows(self, X, reset=False)

    def _score(self, X, components=False):
        """Score validated rows chunk by chunk; memory is O(score_batch_size)."""
        with startup.without_retracing_warnings():
            outputs = score_rows(
                self._scorer(), X, self.score_batch_size, self.scaler_, 3 if components else 1
            )
        return outputs if components else outputs[0]

    # ---------------------------------------------------------- persistence
    _STATE_ATTRIBUTES = (
        "n_features_in_",
        "feature_names_in_",
        "_classes",
        "latent_dim_",
        "epochs_",
        "best_epoch_",
        "history_",
        "_member_moments",
        "decision_scores_",
        "threshold_",
        "labels_",
        "_mu",
        "_sigma",
    )
    """The fitted attributes of a state, besides ``scaler_`` and ``model_`` (its weights)."""

    _OPTIONAL_STATE_ATTRIBUTES = ("feature_names_in_", "_member_moments")
    """The attributes of :attr:`_STATE_ATTRIBUTES` a state may lack: a file stores no None
    (no column names; the moments of a single member). ``persistence`` checks files
    against its own copy of this list, since it never imports the detector."""

    _SCALER_STATISTICS = {
        "standard": ("mean_", "var_", "scale_"),
        "minmax": ("min_", "scale_", "data_min_", "data_max_", "data_range_"),
    }
    """The fitted arrays of the scaler of each ``preprocessing``."""

    def __getstate__(self):
        # The state, plus what a file cannot keep: structure parameters set since fit,
        # which a copy applies at its next fit like the original.
        state = self._to_state()
        fitted = self.__dict__.get("_model_params") if "weights" in state else None
        if fitted:
            pending = {k: getattr(self, k) for k in fitted if getattr(self, k) is not fitted[k]}
            if pending:
                state["params_for_next_fit"] = pending
        return state

    def __setstate__(self, state):
        if "params" not in state:  # pickled before _to_state: the instance's __dict__
            state = self._state_of_dict(state, state.get("_model_weights"))
        state = dict(state)
        pending = state.pop("params_for_next_fit", {})
        self.__dict__.update(type(self)._from_state(state).__dict__)
        self.__dict__.update(pending)

    def _to_state(self):
        """The detector as a plain state: JSON-safe values and NumPy arrays.

        ``{"params": get_params(deep=False)}`` for an unfitted detector; a
        fitted one adds ``"attributes"`` (:attr:`_STATE_ATTRIBUTES`, NumPy
        scalars as Python numbers, ``feature_names_in_`` as strings),
        ``"scaler"`` (the scaler's attributes, or None) and ``"weights"``
        (``model_.get_weights()``). Pickling and :meth:`save` store it,
        :meth:`_from_state` rebuilds the detector from it. The parameters are
        as given (only :meth:`save` requires them to be JSON-safe), except that
        a fitted state holds the values of :attr:`_STRUCTURE_PARAMS` the model
        was fitted with: ``set_params`` of one of them after ``fit`` changes
        the next fit, not the state of the model that scores.
        """
        model = self.__dict__.get("model_")
        return self._state_of_dict(self.__dict__, None if model is None else model.get_weights())

    @classmethod
    def _state_of_dict(cls, attributes, weights):
        """The state of an instance ``__dict__`` and the model's weights (None if unfitted)."""
        names = cls().get_params(deep=False)  # PyOD's _get_param_names is no classmethod
        state = {"params": {k: attributes[k] for k in names if k in attributes}}
        if weights is None:
            return state
        # the structure the model was fitted with, not a set_params waiting for the next fit
        state["params"].update(attributes.get("_model_params", {}))

        def plain(value):
            if isinstance(value, np.ndarray):
                return value.astype(str) if value.dtype.hasobject else value
            return value.item() if isinstance(value, np.generic) else value

        scaler = attributes.get("scaler_")
        state["attributes"] = {
            name: plain(attributes[name]) for name in cls._STATE_ATTRIBUTES if name in attributes
        }
        state["scaler"] = None if scaler is None else {k: plain(v) for k, v in vars(scaler).items()}
        state["weights"] = [np.asarray(w) for w in weights]
        return state

    @classmethod
    def _from_state(cls, state):
        """Build a detector from a state of :meth:`_to_state` (or ``persistence.read_state``).

        Sets the parameters; for a fitted state, validates them, sets the
        fitted attributes and the scaler, rebuilds the networks and sets their
        weights, cast to the variables' dtypes (a step counter saved as int64
        fits an int32 variable). Unpickling and :meth:`load` both use it.

        Raises
        ------
        ValueError
            If the state describes no detector of this class: unknown
            parameters; for a fitted state, parameters that do not validate,
            a missing or unknown attribute, missing scaler statistics, or
            weights that do not fit the networks.
        """
        params = dict(state["params"])
        unknown = set(params) - set(cls().get_params(deep=False))
        if unknown:
            raise ValueError(f"unknown parameters {sorted(unknown)}.")
        detector = cls(**params)
        if state.get("weights") is None:
            return detector
        try:
            detector._validate_params()
        except (ValueError, TypeError) as error:
            raise ValueError(f"invalid parameters ({error}).") from error

        attributes = state["attributes"]
        missing = set(cls._STATE_ATTRIBUTES) - set(cls._OPTIONAL_STATE_ATTRIBUTES) - set(attributes)
        unknown = set(attributes) - set(cls._STATE_ATTRIBUTES)
        if missing or unknown:
            raise ValueError(f"missing attributes {sorted(missing)}, unknown {sorted(unknown)}.")
        for name in cls._STATE_ATTRIBUTES:
            value = attributes.get(name)
            if name in ("threshold_", "_mu", "_sigma") and isinstance(value, numbers.Real):
                value = np.float64(value)
            elif name == "feature_names_in_":
                if value is None:
                    continue
                value = np.asarray(value).astype(object)
            setattr(detector, name, value)

        scaler = make_scaler(detector.preprocessing)
        statistics = state.get("scaler") or {}
        if scaler is None and statistics:
            raise ValueError("scaler attributes but preprocessing=None.")
        if scaler is not None:
            needed = set(cls._SCALER_STATISTICS[detector.preprocessing])
            foreign = {n for names in cls._SCALER_STATISTICS.values() for n in names} - needed
            missing, foreign = needed - set(statistics), foreign & set(statistics)
            if missing or foreign:
                raise ValueError(
                    f"preprocessing={detector.preprocessing!r} needs the scaler statistics "
                    f"{sorted(needed)}: missing {sorted(missing)}, foreign {sorted(foreign)}."
                )
            for name, value in statistics.items():
                setattr(scaler, name, tuple(value) if isinstance(value, list) else value)
        detector.scaler_ = scaler

        if detector.latent_dim != "auto" and detector.latent_dim != detector.latent_dim_:
            raise ValueError(
                "the stored weights do not fit the network described by the parameters "
                f"(latent_dim={detector.latent_dim!r}, but the code has {detector.latent_dim_})."
            )
        weights = list(state["weights"])
        detector._check_weight_shapes(weights)  # before any network is built
        model = detector._build_model(detector.n_features_in_, seed=0)
        variables = model.weights
        if [tuple(np.shape(w)) for w in weights] != [tuple(v.shape) for v in variables]:
            raise ValueError(
                "the stored weights do not fit the network described by the parameters."
            )
        model.set_weights([np.asarray(w, dtype=v.dtype) for w, v in zip(weights, variables)])
        detector.model_ = model
        detector._model_params = {name: getattr(detector, name) for name in cls._STRUCTURE_PARAMS}
        return detector

    def _check_weight_shapes(self, weights):
        """Check that ``weights`` are those of the networks the parameters describe.

        Arithmetic only, so a state whose parameters describe networks larger
        than its weights (a forged file) is refused before anything is
        allocated: first the number of arrays, which bounds ``n_estimators``
        and the number of layers, then every shape, which bounds the widths,
        ``n_features_in_`` and the code sizes. Keras lists a model's variables
        in an order that depends on the backend, so the shapes are compared
        as sorted lists; the built model's variables are compared in order
        after that.

        Raises
        ------
        ValueError
            If the weights do not fit the networks.
        """
        widths = self._layer_widths()
        encoder, generator = widths["encoder_units"], widths["generator_units"]
        branch, *joint = widths["discriminator_units"]
        n_layers = len(encoder) + 1 + len(generator) + 1 + 2 + len(joint) + 1
        per_member = 1 + 2 * 2 * n_layers  # the EMA step counter; two copies of every Dense
        expected = int(self.n_estimators) * per_member
        if expected != len(weights):
            raise ValueError(
                "the stored weights do not fit the network described by the parameters "
                f"({len(weights)} arrays; n_estimators={self.n_estimators!r} and the layer "
                f"widths need {expected})."
            )
        n_features = int(self.n_features_in_)

        def dense(widths_in_order):
            for inputs, outputs in zip(widths_in_order, widths_in_order[1:]):
                yield (inputs, outputs)
                yield (outputs,)

        shapes = []
        for latent_dim in self._member_latent_dims():
            latent_dim = int(latent_dim)
            member = [
                *dense((n_features, *encoder, latent_dim)),
                *dense((latent_dim, *generator, n_features)),
                *dense((n_features, branch)),
                *dense((latent_dim, branch)),
                *dense((2 * branch, *joint, 1)),
            ]
            shapes += [()] + member + member
        stored = sorted(tuple(int(n) for n in np.shape(w)) for w in weights)
        if sorted(shapes) != stored:
            raise ValueError(
                "the stored weights do not fit the network described by the parameters "
                f"(n_features_in_={n_features}, layer widths {widths}, code sizes "
                f"{self._member_latent_dims()})."
            )
