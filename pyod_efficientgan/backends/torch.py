"""The PyTorch backend: autograd and eager training steps.

Keras' torch trainer calls ``train_step(data)`` eagerly for every batch;
:class:`TrainStep` runs the model's backend-free step (``run_train_step``).
Gradients come from :func:`torch.autograd.grad` on the variables being trained
(:func:`value_and_gradients`), so each optimizer step differentiates only its
own networks. Scoring runs under :func:`torch.no_grad`. The input pipeline is
:mod:`pyod_efficientgan.backends.numpy_pipeline`.

What each name must do: :class:`~pyod_efficientgan.backends.protocol.Backend`.
"""

import inspect

import keras
import torch
from keras import KerasTensor, ops
from keras.src.backend.common.stateless_scope import in_stateless_scope
from keras.src.backend.common.variables import get_autocast_scope

from pyod_efficientgan.backends.numpy_pipeline import streamed_batches, training_batches
from pyod_efficientgan.backends.single_device import (
    TrainStep,
    batch_share,
    latent_noise,
    replica_loss,
    step_logs,
    sync_model_state,
    track_loss,
)

__all__ = [
    "Dropout",
    "NetworkPlan",  # torch's own: tests compare it with the Keras call
    "TrainStep",
    "batch_share",
    "compile_rows_function",
    "latent_noise",
    "replica_loss",
    "run_network",
    "set_threads",
    "step_logs",
    "steps_per_execution",
    "streamed_batches",
    "sync_model_state",
    "track_loss",
    "training_batches",
    "update_averages",
    "value_and_gradients",
]


class Dropout(keras.layers.Dropout):
    """:class:`keras.layers.Dropout` drawing its masks from its own :class:`torch.Generator`.

    Keras' torch dropout advances the layer's seed generator (a Keras
    variable) and seeds a new torch generator on every call, and each of the
    discriminator's dropout layers runs four times per training step (see
    docs/performance.md). Here the layer seeds one torch generator from its
    seed generator on the first training call and draws every later mask
    from it: the same seed gives the same masks, fit after fit.
    """

    def call(self, inputs, training=False):
        """Drop units with probability ``rate`` while training; identity otherwise."""
        if not training or self.rate <= 0:
            return inputs
        generator = self.__dict__.get("_torch_generator")
        if generator is None:
            seed = ops.convert_to_numpy(self.seed_generator.next()).astype("int64")
            generator = torch.Generator(device=inputs.device)
            generator.manual_seed(int(seed[0]) * 2**31 + int(seed[1]))
            object.__setattr__(self, "_torch_generator", generator)
        noise = torch.rand(inputs.shape, generator=generator, device=inputs.device)
        return (inputs / (1.0 - self.rate)).masked_fill_(noise < self.rate, 0.0)


def update_averages(pairs, decay):
    """Move each averaged variable towards its trained one: ``a <- decay a + (1 - decay) t``.

    One fused :func:`torch._foreach_lerp_` over all pairs instead of an
    assignment per variable.
    """
    weight = 1.0 - float(decay)
    with torch.no_grad():
        torch._foreach_lerp_(
            [averaged.value for _, averaged in pairs],
            [trained.value for trained, _ in pairs],
            weight,
        )


def _plain_weights(layer):
    """The (kernel, bias) variables a Dense layer computes with, or None.

    None where the layer's ``kernel`` property computes something else than
    its variable (a quantized or LoRA layer): those read ``layer.kernel``.
    """
    kernel = getattr(layer, "_kernel", None)
    if kernel is None or getattr(layer, "quantization_mode", None) is not None:
        return None
    if getattr(layer, "lora_enabled", False):
        return None
    return kernel, layer.bias


def _layer_function(layer, training, raw):
    """A torch function computing ``layer`` eagerly, without Keras' ``__call__`` machinery.

    With ``raw``, a Dense layer reads its variables' torch tensors directly
    (what ``Variable.value`` returns outside a stateless or autocast scope).
    """
    if isinstance(layer, keras.layers.Dense):
        activation = layer.activation
        relu = activation is keras.activations.relu
        linear = activation is keras.activations.linear
        plain = _plain_weights(layer) if raw else None
        if plain is not None:
            kernel, bias = plain

            def weights():
                return kernel._value, None if bias is None else bias._value

        else:

            def weights():
                return layer.kernel.value, layer.bias.value if layer.use_bias else None

        def dense(x):
            kernel_value, bias_value = weights()
            if bias_value is not None:
                out = torch.addmm(bias_value, x, kernel_value)
            else:
                out = x @ kernel_value
            if relu:
                return torch.relu(out)
            return out if linear else activation(out)

        return dense
    if isinstance(layer, keras.layers.LeakyReLU):
        slope = float(layer.negative_slope)
        return lambda x: torch.nn.functional.leaky_relu(x, slope)
    if isinstance(layer, keras.layers.Concatenate):
        axis = layer.axis
        return lambda xs: torch.cat(list(xs), dim=axis)
    if "training" in inspect.signature(layer.call).parameters:

        def call(*a, **k):
            k["training"] = training
            return layer.call(*a, **k)

        return call
    return layer.call


class NetworkPlan:
    """A functional Keras network run node by node as plain torch calls.

    Keras' ``Layer.__call__`` (autocasting, masks, name scopes, argument
    checks) runs in Python on every layer call, which dominates an eager
    training step of networks this small; calling the three networks through
    their nodes' own functions skips it (see docs/performance.md). Dense and
    LeakyReLU layers become ``torch.addmm`` and
    ``torch.nn.functional.leaky_relu`` on the layers' own variables;
    Concatenate becomes ``torch.cat``; every other layer (dropout, with its
    seed generator) runs its own ``call``. Each node's inputs are looked up
    by a function made once per plan, not by Keras' tree mapping on every
    call, and outside a stateless or autocast scope the Dense layers read
    their variables' torch tensors directly. Same weights, same results
    (``tests/test_backend_modules.py`` compares it with the Keras call).

    Parameters
    ----------
    network : keras.Model
        A functional model (built by :mod:`pyod_efficientgan.networks`).
    """

    def __init__(self, network):
        self.network = network
        self.steps = {}

    def _build(self, training, raw):
        steps = []
        depths = sorted(self.network._nodes_by_depth, reverse=True)
        for depth in depths:
            for node in self.network._nodes_by_depth[depth]:
                if not node.operation or node.is_input:
                    continue
                steps.append(
                    (
                        _node_inputs(node),
                        _layer_function(node.operation, training, raw),
                        [id(x) for x in node.outputs],
                    )
                )
        return steps

    def __call__(self, inputs, training):
        """The network's outputs for ``inputs`` (a tensor or a list), as a Keras call gives them."""
        raw = not in_stateless_scope() and get_autocast_scope() is None
        steps = self.steps.get((training, raw))
        if steps is None:
            steps = self.steps[(training, raw)] = self._build(training, raw)
        given = inputs if isinstance(inputs, (list, tuple)) else [inputs]
        values = {id(x): y for x, y in zip(self.network.inputs, given)}
        for node_inputs, function, output_ids in steps:
            args, kwargs = node_inputs(values)
            outputs = function(*args, **kwargs)
            outs = outputs if isinstance(outputs, (list, tuple)) else [outputs]
            for key, y in zip(output_ids, outs):
                values[key] = y
        result = [values[id(x)] for x in self.network.outputs]
        return result[0] if len(result) == 1 else result


def _node_inputs(node):
    """A function of the computed values (by KerasTensor id) giving ``node``'s call arguments.

    One tensor, or one list of tensors, with keyword arguments that hold no
    tensor (a dropout layer's ``training``), is looked up directly; any other
    argument structure goes through Keras' own ``fill_in``.
    """
    arguments = node.arguments
    args, kwargs = arguments.args, arguments.kwargs
    plain_kwargs = not any(
        isinstance(value, (KerasTensor, list, tuple, dict)) for value in kwargs.values()
    )
    if plain_kwargs and len(args) == 1:
        (arg,) = args
        if isinstance(arg, KerasTensor):
            key = id(arg)
            return lambda values: ((values[key],), dict(kwargs))
        if isinstance(arg, (list, tuple)) and all(isinstance(x, KerasTensor) for x in arg):
            keys = [id(x) for x in arg]
            return lambda values: (([values[key] for key in keys],), dict(kwargs))
    return arguments.fill_in


def run_network(network, inputs, training):
    """Call ``network`` on ``inputs`` through its cached :class:`NetworkPlan`."""
    plan = network.__dict__.get("_torch_plan")
    if plan is None:
        plan = NetworkPlan(network)
        object.__setattr__(network, "_torch_plan", plan)
    return plan(inputs, training)


def value_and_gradients(loss_fn, variables):
    """Evaluate ``loss_fn()`` eagerly and differentiate it with :func:`torch.autograd.grad`.

    Only ``variables`` get gradients; ``aux`` comes back detached.
    """
    objective, aux = loss_fn()
    gradients = torch.autograd.grad(objective, [variable.value for variable in variables])
    return aux.detach(), list(gradients)


def compile_rows_function(function, variables, n_features):
    """``function`` of a (rows, n_features) float32 array, run eagerly without autograd.

    Eager calls read the weights themselves, so ``variables`` and ``n_features``
    are unused; the outputs come back as NumPy arrays.
    """

    def to_numpy(value):
        # torch's own conversion: NumPy 2 warns on np.array(tensor), which Keras uses
        if isinstance(value, (tuple, list)):
            return type(value)(to_numpy(item) for item in value)
        return value.detach().cpu().numpy() if isinstance(value, torch.Tensor) else value

    def call(x):
        with torch.no_grad():
            return to_numpy(function(ops.convert_to_tensor(x, dtype="float32")))

    return call


def steps_per_execution(steps_per_epoch, max_steps):
    """1: Keras' torch trainer runs one step per call."""
    return 1


def set_threads(n_threads):
    """Limit PyTorch's intra-op thread pool."""
    torch.set_num_threads(int(n_threads))
