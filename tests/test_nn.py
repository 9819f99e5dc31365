"""sg.nn: structure, labels, seeds, explicit weights, clear errors, and forward/backward
of random MLPs against a numpy implementation of the same network.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import scalargrad as sg
from scalargrad import Value
from scalargrad.nn import MLP, Layer, Module, Neuron

# activation: (φ(z), φ'(z)) in numpy
NUMPY_ACTS = {
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float)),
    "sigmoid": (lambda z: 1 / (1 + np.exp(-z)), lambda z: np.exp(-z) / (1 + np.exp(-z)) ** 2),
    "tanh": (np.tanh, lambda z: 1 / np.cosh(z) ** 2),
    "linear": (lambda z: z, np.ones_like),
}


def numpy_mlp(weights, x, acts, upstream):
    """Forward and backward of an MLP in matrix form; L = upstream · output.

    zˡ = Wˡaˡ⁻¹ + bˡ, aˡ = φ(zˡ);  δˡ = (Wˡ⁺¹ᵀδˡ⁺¹) ⊙ φ'(zˡ) (δ at the top: upstream ⊙ φ'),
    ∂L/∂Wˡ = δˡ(aˡ⁻¹)ᵀ,  ∂L/∂bˡ = δˡ,  ∂L/∂x = W¹ᵀδ¹.
    """
    activations, pre = [x], []
    for (w, b), act in zip(weights, acts):
        pre.append(w @ activations[-1] + b)
        activations.append(NUMPY_ACTS[act][0](pre[-1]))
    grads = []
    delta = upstream * NUMPY_ACTS[acts[-1]][1](pre[-1])
    for layer in reversed(range(len(weights))):
        grads.append((np.outer(delta, activations[layer]), delta))
        d_input = weights[layer][0].T @ delta
        if layer:
            delta = d_input * NUMPY_ACTS[acts[layer - 1]][1](pre[layer - 1])
    return activations[-1], grads[::-1], d_input


@pytest.mark.parametrize(("sizes", "act", "out_act"), [
    ([3, 4, 2], "relu", "linear"),
    ([2, 5, 5, 1], "tanh", "sigmoid"),
    ([4, 3, 3], "sigmoid", "tanh"),
    ([3, 6, 2], "linear", "relu"),
])
def test_random_mlp_forward_and_backward_match_numpy(rng, sizes, act, out_act):
    nin, nouts = sizes[0], sizes[1:]
    weights = [(rng.normal(size=(o, i)), rng.normal(size=o)) for i, o in zip(sizes, nouts)]
    x = rng.normal(size=nin)
    upstream = rng.normal(size=nouts[-1])
    acts = [act] * (len(nouts) - 1) + [out_act]
    out, grads, d_x = numpy_mlp(weights, x, acts, upstream)

    net = MLP.from_weights([[(list(w[j]), b[j]) for j in range(len(b))] for w, b in weights],
                           act=act, out_act=out_act)
    inputs = [Value(v) for v in x]
    result = net(inputs)
    outputs = result if isinstance(result, list) else [result]
    sg.dot(outputs, list(upstream)).backward()  # L = upstream · output

    np.testing.assert_allclose([o.data for o in outputs], out, rtol=1e-12)
    for layer, (d_w, d_b) in zip(net.layers, grads):
        np.testing.assert_allclose([[w.grad for w in n.w] for n in layer.neurons], d_w,
                                   rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose([n.b.grad for n in layer.neurons], d_b,
                                   rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose([v.grad for v in inputs], d_x, rtol=1e-10, atol=1e-14)


def test_defaults_are_micrographs_relu_hidden_and_linear_output():
    net = MLP(2, [16, 16, 1])
    assert [layer.neurons[0].act for layer in net.layers] == ["relu", "relu", "linear"]
    assert Neuron(3).act == "relu" and Layer(3, 2).neurons[1].act == "relu"
    assert len(net.parameters()) == (2 * 16 + 16) + (16 * 16 + 16) + (16 + 1)


def test_micrograd_attribute_names():
    net = MLP(3, [2, 1])
    neuron = net.layers[0].neurons[1]
    assert len(neuron.w) == 3 and isinstance(neuron.b, Value)
    assert neuron.parameters() == [*neuron.w, neuron.b]
    assert isinstance(net, Module) and isinstance(net.layers[0], Module)


def test_every_parameter_is_labelled_by_where_it_lives():
    net = MLP(2, [3, 2])
    labels = [p.label for p in net.parameters()]
    assert len(set(labels)) == len(labels)
    assert all(re.fullmatch(r"L\d\.n\d\.(w\d|b)", label) for label in labels)
    assert net.layers[1].neurons[1].w[2].label == "L2.n2.w3"
    assert net.layers[0].neurons[2].b.label == "L1.n3.b"
    assert [p.label for p in Neuron(2).parameters()] == ["n1.w1", "n1.w2", "n1.b"]


def test_seed_makes_initialisation_reproducible():
    def data(net):
        return [p.data for p in net.parameters()]

    assert data(MLP(3, [4, 2], seed=7)) == data(MLP(3, [4, 2], seed=7))
    assert data(MLP(3, [4, 2], seed=7)) != data(MLP(3, [4, 2], seed=8))
    net = MLP(3, [4, 2], seed=7)
    weights = [w.data for layer in net.layers for n in layer.neurons for w in n.w]
    assert all(-1 <= w <= 1 for w in weights) and len(set(weights)) == len(weights)
    assert all(n.b.data == 0.0 for layer in net.layers for n in layer.neurons)


def test_output_is_a_value_for_one_neuron_and_a_list_otherwise():
    assert isinstance(MLP(2, [3, 1])([1.0, 2.0]), Value)
    out = MLP(2, [3, 2])([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 2


def test_input_may_be_a_list_a_tuple_or_a_numpy_array():
    net = MLP(2, [3, 2], seed=1)
    expected = [o.data for o in net([0.5, -1.5])]
    assert [o.data for o in net((0.5, -1.5))] == expected
    assert [o.data for o in net(np.array([0.5, -1.5]))] == expected


def test_from_weights_and_set_parameters():
    net = MLP.from_weights([[([0.02, 0.03], 0.01), ([0.01, 0.02], 0.03)],
                            [([0.5, -0.5], 0.25)]], act="sigmoid")
    assert [p.data for p in net.parameters()] == [0.02, 0.03, 0.01, 0.01, 0.02, 0.03,
                                                  0.5, -0.5, 0.25]
    assert [layer.neurons[0].act for layer in net.layers] == ["sigmoid", "linear"]
    net.set_parameters(range(9))
    assert [p.data for p in net.parameters()] == [float(i) for i in range(9)]


def test_module_zero_grad():
    net = MLP(2, [3, 1], seed=0)
    net([1.0, -1.0]).backward()
    assert any(p.grad for p in net.parameters())
    net.zero_grad()
    assert all(p.grad == 0.0 for p in net.parameters())


@pytest.mark.parametrize(("call", "message"), [
    (lambda: MLP(3, [2, 1])([1.0, 2.0]), r"MLP\(3, \[2, 1\]\) expects an input of length 3, got 2"),
    (lambda: MLP(1, [1])([]), "expects an input of length 1, got 0"),
    (lambda: Layer(2, 3, name="L1")([1.0]), "neuron L1.n1 expects 2 inputs, got 1"),
    (lambda: Neuron(2)([1.0, 2.0, 3.0]), "neuron n1 expects 2 inputs, got 3"),
])
def test_wrong_input_length_is_a_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()


@pytest.mark.parametrize(("call", "message"), [
    (lambda: MLP(2, [3], act="softmax"), "unknown activation 'softmax'; choose one of relu"),
    (lambda: MLP(2, [3], out_act="gelu"), "unknown activation 'gelu'"),
    (lambda: MLP(0, [3]), "positive number of inputs, got 0"),
    (lambda: MLP(2, []), "at least one layer size"),
    (lambda: Layer(2, 0), "positive number of neurons, got 0"),
    (lambda: Neuron(2.5), "positive number of inputs, got 2.5"),
    (lambda: MLP(2, [2]).set_parameters([1.0]), "has 6 parameters, got 1 value"),
    (lambda: Layer(2, 2, name="L3").set_weights([([1, 2], 0)]), "layer L3 has 2 neurons, got 1"),
    (lambda: Neuron(2).set_weights([1.0], 0.0), "neuron n1 has 2 weights, got 1"),
    (lambda: MLP.from_weights([]), "at least one layer"),
])
def test_bad_construction_is_a_clear_value_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
