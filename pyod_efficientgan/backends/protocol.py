"""What a backend module provides: the :class:`Backend` protocol.

A backend module (:mod:`~pyod_efficientgan.backends.tensorflow`,
:mod:`~pyod_efficientgan.backends.jax`, :mod:`~pyod_efficientgan.backends.torch`)
satisfies :class:`Backend` as a module, the way PEP 544 lets a module implement a
protocol: every member below is a module-level name with the signature given here
(without ``self``), and the module's ``__all__`` names exactly these (plus, in a few
modules, a backend's own piece that other code imports from it by name).
``tests/test_backend_protocol.py`` checks every backend against this class, and the
behaviour of the active one.

What the backends share is written once: the one-device arithmetic and the eager
``train_step`` in :mod:`~pyod_efficientgan.backends.single_device`, the NumPy input
pipeline of JAX and PyTorch in :mod:`~pyod_efficientgan.backends.numpy_pipeline`.
"""

from typing import Protocol, runtime_checkable

__all__ = ["Backend", "member_names"]


@runtime_checkable
class Backend(Protocol):
    """The names a backend module provides, with what each must do.

    The rest of the package reaches a backend only through
    :func:`pyod_efficientgan.backends.current` and these names.
    """

    TrainStep: type
    """Mixin giving :class:`keras.Model` the ``train_step`` that Keras' trainer of this
    backend calls, adapting its calling convention to the model's backend-free
    ``run_train_step(rows)`` (which returns the step's logs). Eager trainers (TensorFlow,
    PyTorch) call ``train_step(data)``; JAX calls ``train_step(state, data)`` and expects
    ``(logs, state)``. It comes first among the model's bases."""

    Dropout: type
    """A :class:`keras.layers.Dropout` subclass (or Keras' own) with its arguments: same
    ``seed``, same masks; the identity when ``training`` is false."""

    def value_and_gradients(self, loss_fn, variables):
        """Evaluate ``loss_fn()`` and the gradients of its objective with respect to ``variables``.

        Called inside ``run_train_step``, once per optimizer step.

        Parameters
        ----------
        loss_fn : callable
            Returns ``(objective, aux)``: the scalar to differentiate, computed from the
            current values of the variables, and a tensor to report (e.g. the unweighted
            loss). What it assigns besides ``variables`` (seed generators) must persist.
        variables : list of keras.Variable
            What to differentiate with respect to; gradients of other variables are not
            computed.

        Returns
        -------
        aux : tensor
            ``loss_fn``'s second value, without a gradient attached.
        gradients : list of tensors
            Aligned with ``variables``, ready for ``optimizer.apply``.
        """

    def compile_rows_function(self, function, variables, n_features):
        """Compile ``function`` of a (rows, n_features) float32 tensor, for any row count.

        Parameters
        ----------
        function : callable
            Takes a tensor of rows and returns a tensor or a tuple of tensors; reads the
            current values of ``variables``.
        variables : list of keras.Variable
            The state ``function`` reads. Each call of the result must use their values at
            the time of that call (scoring during training depends on it).
        n_features : int
            Columns of the rows.

        Returns
        -------
        compiled : callable
            Takes a float32 NumPy array and returns ``function``'s values (tensors or
            NumPy arrays, each convertible with :func:`keras.ops.convert_to_numpy`).
        """

    def training_batches(self, x, batch_size, seed, passes=1):
        """The input of ``keras.Model.fit``: shuffled batches of the in-memory rows ``x``.

        Parameters
        ----------
        x : ndarray of shape (n_samples, n_features), float32
            Preprocessed training rows.
        batch_size : int
            Rows per batch; only the last batch of a pass may be smaller.
        seed : int
            Seed of the shuffling: the same seed gives the same batches; every pass is a
            new permutation.
        passes : int, default=1
            Passes over ``x`` in one Keras epoch; every row comes once per pass.

        Returns
        -------
        data : tf.data.Dataset or generator
            What ``fit`` takes as ``x``. A generator is endless and yields 1-tuples of a
            batch, or of a block of batches of shape ``(steps, batch_size, n_features)``
            that one call of the compiled step trains on.
        steps : int or None
            Items of ``data`` per Keras epoch (``fit``'s ``steps_per_epoch``); None when
            ``data`` knows its length.
        """

    def streamed_batches(self, rows, batch_size, seed, shuffle_buffer, passes=1):
        """The input of ``keras.Model.fit`` for rows read chunk by chunk.

        Building it must not read the stream.

        Parameters
        ----------
        rows : object with ``read()``, ``len()`` and ``n_features``
            ``read()`` returns a new iterator of preprocessed float32 chunks of
            ``n_features`` columns.
        batch_size : int
            Rows per batch.
        seed : int
            Seed of the shuffling (each pass shuffles differently).
        shuffle_buffer : int
            Rows in the shuffle buffer; rows are mixed only within about this distance.
        passes : int, default=1
            Passes over the chunks in one Keras epoch.

        Returns
        -------
        data, steps
            As :meth:`training_batches` returns them.
        """

    def steps_per_execution(self, steps_per_epoch, max_steps):
        """Training steps per call of the compiled training function (``keras.Model.compile``).

        Parameters
        ----------
        steps_per_epoch : int
            Items of the input per Keras epoch.
        max_steps : int
            The most steps a call may run.

        Returns
        -------
        steps : int
            From 1 to ``min(steps_per_epoch, max_steps)``.
        """

    def batch_share(self, batch_size):
        """Return this replica's share of the global batch; None on one replica.

        Called in ``run_train_step``, whose losses go through :meth:`replica_loss` and
        :meth:`track_loss` with the share.

        Parameters
        ----------
        batch_size : scalar tensor
            Rows of the batch this replica got.

        Returns
        -------
        share : scalar float32 tensor in [0, 1], or None
            The shares of all replicas add up to 1; None where there is one replica.
        """

    def replica_loss(self, loss, share):
        """Weight a replica's mean loss by its share of the global batch.

        What the replica differentiates: the summed gradients of all replicas are then the
        one-device gradient of the global batch's mean loss.

        Parameters
        ----------
        loss : scalar tensor
            Mean loss over this replica's rows.
        share : scalar tensor or None
            From :meth:`batch_share`; None gives ``loss`` itself.

        Returns
        -------
        loss : scalar tensor
        """

    def track_loss(self, tracker, loss, share):
        """Add a step's mean loss to a :class:`keras.metrics.Mean` tracker.

        The tracker's result over an epoch is the mean over steps of the global batch's
        mean loss, however many replicas there are; on one (``share`` None) it is
        ``tracker.update_state(loss)``.

        Parameters
        ----------
        tracker : keras.metrics.Mean
        loss : scalar tensor
            Mean loss over this replica's rows.
        share : scalar tensor or None
            From :meth:`batch_share`.
        """

    def latent_noise(self, shape, seed_generator):
        """Standard normal latent noise drawn with the model's seed generator.

        On one replica ``keras.random.normal(shape, seed=seed_generator)``; with several,
        replica 0 draws what one device would and the others draw independent noise.

        Parameters
        ----------
        shape : tuple
            ``(batch_size, latent_dim)``.
        seed_generator : keras.random.SeedGenerator
            Advanced by one draw.

        Returns
        -------
        z : float32 tensor of shape ``shape``
        """

    def step_logs(self, metrics):
        """The logs a training step returns: every metric's current result by its name.

        Parameters
        ----------
        metrics : list of keras.metrics.Metric

        Returns
        -------
        logs : dict of str to tensor
            Values Keras' trainer of this backend can reduce across replicas.
        """

    def run_network(self, network, inputs, training):
        """The outputs of the functional Keras model ``network`` on ``inputs``.

        Equal to ``network(inputs, training=training)`` (a backend may take a faster path
        on the same variables).

        Parameters
        ----------
        network : keras.Model
        inputs : tensor or list of tensors
        training : bool

        Returns
        -------
        outputs : tensor or list of tensors
        """

    def update_averages(self, pairs, decay):
        """Move each averaged variable towards its trained one: ``a <- decay a + (1 - decay) t``.

        Parameters
        ----------
        pairs : list of (keras.Variable, keras.Variable)
            ``(trained, averaged)`` pairs of the same shape; only ``averaged`` changes.
        decay : float or scalar tensor
        """

    def sync_model_state(self, model):
        """Make ``model``'s variables hold the values of training so far (inside ``fit``).

        A callback that reads weights between steps calls it first; where the variables
        always hold their values it does nothing.

        Parameters
        ----------
        model : keras.Model
        """

    def set_threads(self, n_threads):
        """Limit the backend's CPU threads to ``n_threads``, as far as it still can.

        Parameters
        ----------
        n_threads : int
        """


def member_names():
    """The names of :class:`Backend`'s members, sorted: what each backend's ``__all__`` lists."""
    functions = [name for name, value in vars(Backend).items() if callable(value)]
    return sorted(name for name in {*Backend.__annotations__, *functions} if name[0] != "_")
