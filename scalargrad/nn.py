"""Neural networks out of Values: `Neuron`, `Layer`, `MLP`, with micrograd's attributes.

A neuron computes  act(Σᵢ wᵢ·xᵢ + b)  as two nodes: one ``dot`` node for the weighted sum
(∂/∂wᵢ = xᵢ, ∂/∂xᵢ = wᵢ, ∂/∂b = 1) and one node for the activation.

Every parameter is labelled by where it lives, counting from 1 as lecture notes do:
``L2.n3.w1`` is layer 2, neuron 3, the weight of input 1; ``L2.n3.b`` is its bias.
Inputs given as plain numbers become leaves labelled ``x1``, ``x2``, … (once per call), so
charts and walkthroughs show them, with their gradients, like any other node.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Literal

from .engine import Operand, Value, dot
from .errors import _number
from .wording import plural

Activation = Literal["relu", "sigmoid", "tanh", "linear"]
ACTIVATIONS: tuple[str, ...] = ("relu", "sigmoid", "tanh", "linear")
NeuronWeights = tuple[Sequence[float], float]
"""The weights of one neuron as ``(w, b)``: a list of input weights and a bias."""


class Module:
    """Anything with parameters."""

    def parameters(self) -> list[Value]:
        """Every trainable Value, in a fixed order."""
        return []

    def zero_grad(self) -> None:
        """Set the gradient of every parameter to 0."""
        for p in self.parameters():
            p.grad = 0.0

    def set_parameters(self, values: Sequence[float]) -> None:
        """Overwrite every parameter, in ``parameters()`` order, with ``values``."""
        params = self.parameters()
        if len(values) != len(params):
            raise ValueError(
                f"{self!r} has {plural(len(params), 'parameter')}, "
                f"got {plural(len(values), 'value')}"
            )
        for i, (p, v) in enumerate(zip(params, values)):
            p.data = _number(v, "set_parameters", f"values[{i}] must be a number")


def _as_inputs(x: Sequence[Operand]) -> list[Value]:
    """The network's input as nodes: a plain number at position i becomes a leaf ``x{i}``
    (counting from 1); Values are kept as they are."""
    return [v if isinstance(v, Value) else Value(_input_number(v, i), f"x{i}")
            for i, v in enumerate(x, start=1)]


def _input_number(v: object, position: int) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise TypeError(f"network input x{position} must be a number or a Value, "
                        f"got {v!r} ({type(v).__name__})")
    return float(v)


def _check_activation(act: str) -> str:
    if act not in ACTIVATIONS:
        raise ValueError(f"unknown activation {act!r}; choose one of {', '.join(ACTIVATIONS)}")
    return act


class Neuron(Module):
    """One unit: ``act(w · x + b)``. Weights start uniform in [-1, 1], the bias at 0."""

    def __init__(self, nin: int, act: Activation = "relu", *, name: str = "n1",
                 rng: random.Random | None = None) -> None:
        if not isinstance(nin, int) or nin < 1:
            raise ValueError(f"Neuron needs a positive number of inputs, got {nin!r}")
        self.act = _check_activation(act)
        self.name = name
        rng = rng or random.Random()
        self.w = [Value(rng.uniform(-1, 1), f"{name}.w{i + 1}") for i in range(nin)]
        self.b = Value(0.0, f"{name}.b")

    def __call__(self, x: Sequence[Operand]) -> Value:
        if len(x) != len(self.w):
            raise ValueError(f"neuron {self.name} expects {plural(len(self.w), 'input')}, "
                             f"got {len(x)}")
        return self._fire(_as_inputs(x))

    def _fire(self, inputs: list[Value]) -> Value:
        """act(w · x + b) for inputs that are nodes already (a layer converts them once)."""
        z = dot(self.w, inputs, self.b)
        return z if self.act == "linear" else getattr(z, self.act)()

    def set_weights(self, w: Sequence[float], b: float) -> None:
        """Set this neuron's input weights ``w`` and bias ``b``."""
        if len(w) != len(self.w):
            raise ValueError(f"neuron {self.name} has {plural(len(self.w), 'weight')}, "
                             f"got {len(w)}")
        for i, (p, v) in enumerate(zip(self.w, w)):
            p.data = _number(v, "set_weights", f"w[{i}] must be a number")
        self.b.data = _number(b, "set_weights", "b must be a number")

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]

    def __repr__(self) -> str:
        return f"Neuron({len(self.w)}, act={self.act!r})"


class Layer(Module):
    """``nout`` neurons that all see the same input. Returns a list, or one Value if nout=1."""

    def __init__(self, nin: int, nout: int, act: Activation = "relu", *, name: str = "L1",
                 rng: random.Random | None = None) -> None:
        if not isinstance(nout, int) or nout < 1:
            raise ValueError(f"Layer needs a positive number of neurons, got {nout!r}")
        rng = rng or random.Random()
        self.name = name
        self.neurons = [Neuron(nin, act, name=f"{name}.n{j + 1}", rng=rng) for j in range(nout)]

    def __call__(self, x: Sequence[Operand]) -> Value | list[Value]:
        inputs = _as_inputs(x)  # once, so that every neuron sees the same input nodes
        if len(inputs) != len(self.neurons[0].w):
            self.neurons[0](inputs)  # raises the neuron's own error about the length
        out = [n._fire(inputs) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def set_weights(self, weights: Sequence[NeuronWeights]) -> None:
        """Set every neuron from a list of ``(w, b)`` pairs, one per neuron."""
        if len(weights) != len(self.neurons):
            raise ValueError(f"layer {self.name} has {plural(len(self.neurons), 'neuron')}, "
                             f"got {len(weights)} (w, b) pairs")
        for n, (w, b) in zip(self.neurons, weights):
            n.set_weights(w, b)

    def parameters(self) -> list[Value]:
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self) -> str:
        return f"Layer({len(self.neurons[0].w)}, {len(self.neurons)}, act={self.neurons[0].act!r})"


class MLP(Module):
    """A multi-layer perceptron: ``MLP(2, [16, 16, 1])``.

    Hidden layers use ``act`` (ReLU by default), the last layer ``out_act`` (linear by
    default), as in micrograd. ``seed`` makes the initial weights reproducible.
    """

    def __init__(self, nin: int, nouts: Sequence[int], act: Activation = "relu",
                 out_act: Activation = "linear", *, seed: int | None = None) -> None:
        if not isinstance(nin, int) or nin < 1:
            raise ValueError(f"MLP needs a positive number of inputs, got {nin!r}")
        if not nouts:
            raise ValueError("MLP needs at least one layer size in nouts")
        _check_activation(act)
        _check_activation(out_act)
        rng = random.Random(seed)
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.layers = [
            Layer(sizes[i], sizes[i + 1], out_act if i == last else act, name=f"L{i + 1}", rng=rng)
            for i in range(len(nouts))
        ]

    @classmethod
    def from_weights(cls, weights: Sequence[Sequence[NeuronWeights]], act: Activation = "relu",
                     out_act: Activation = "linear") -> MLP:
        """An MLP with given weights: one list per layer of ``(w, b)`` per neuron.

        Seed 001's net (two inputs, three sigmoid units, a linear output)::

            MLP.from_weights([[([0.02, 0.03], 0.01), ([0.01, 0.02], 0.03),
                               ([0.03, 0.01], 0.02)],
                              [([0.02, 0.03, 0.04], 0.01)]], act="sigmoid")
        """
        if not weights or not weights[0]:
            raise ValueError("from_weights needs at least one layer with one neuron")
        nin = len(weights[0][0][0])
        net = cls(nin, [len(layer) for layer in weights], act, out_act)
        for layer, layer_weights in zip(net.layers, weights):
            layer.set_weights(layer_weights)
        return net

    def __call__(self, x: Sequence[Operand]) -> Value | list[Value]:
        nin = len(self.layers[0].neurons[0].w)
        if len(x) != nin:
            raise ValueError(f"{self!r} expects an input of length {nin}, got {len(x)}")
        out: Value | list[Value] = _as_inputs(x)
        for layer in self.layers:
            out = layer([out] if isinstance(out, Value) else out)
        return out  # type: ignore[return-value]

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        nin = len(self.layers[0].neurons[0].w)
        return f"MLP({nin}, {[len(layer.neurons) for layer in self.layers]})"


__all__ = ["ACTIVATIONS", "MLP", "Activation", "Layer", "Module", "Neuron"]


def __dir__() -> list[str]:
    """Tab completion (``sg.nn.``) offers the public names, not the helpers imported here."""
    return __all__
