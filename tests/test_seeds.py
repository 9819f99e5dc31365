"""The five seed notes' networks: scalargrad's gradients against the notes' own formulas.

Each test writes the note's forward pass and its hand-derived backward formulas in numpy
(matrix form, as on paper) and compares them with what backprop through scalargrad's
graph gives, on the notes' weights (seed 001) or on random weights and data.
"""

from __future__ import annotations

import numpy as np
import pytest

import scalargrad as sg
from scalargrad.examples import SEED001_EXAMPLES, SEED001_V, SEED001_W, seed001
from scalargrad.nn import MLP, Layer


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def set_layer(layer: Layer, weights: np.ndarray, bias: np.ndarray) -> None:
    """Neuron j of ``layer`` gets row j of ``weights`` (out × in) and ``bias[j]``."""
    layer.set_weights([(list(row), float(b)) for row, b in zip(weights, bias)])


def layer_grads(layer: Layer) -> tuple[np.ndarray, np.ndarray]:
    """∂L/∂W (out × in) and ∂L/∂b of a layer after backward."""
    return (np.array([[w.grad for w in n.w] for n in layer.neurons]),
            np.array([n.b.grad for n in layer.neurons]))


def assert_close(actual, expected) -> None:
    np.testing.assert_allclose(actual, expected, rtol=1e-10, atol=1e-13)


# --- seed 001: the notes' weights and three examples -----------------------------------

# W rows are (w_j0, w_j1, w_j2), bias first; V = (v0, v1, v2, v3), bias first; as written
# in the notes.
W = np.array([[0.01, 0.02, 0.03], [0.03, 0.01, 0.02], [0.02, 0.03, 0.01]])
V = np.array([0.01, 0.02, 0.03, 0.04])
EXAMPLES = [((1.0, 2.0), 8.0), ((1.0, 3.0), 11.0), ((2.0, 2.0), 10.0)]


def seed001_reference(x, y):
    """Part 1c in numpy: ŷ = v·[1, f], f = σ(W·[1, x]);  with L = (ŷ − y)²

    ∂L/∂v = 2(ŷ − y)·[1, f1, f2, f3],   ∂L/∂w_j = 2(ŷ − y)·v_j·f_j(1 − f_j)·[1, x1, x2].
    """
    x_aug = np.array([1.0, *x])
    e = W @ x_aug
    f = sigmoid(e)
    y_hat = V @ np.concatenate([[1.0], f])
    dl_dy = 2 * (y_hat - y)
    return {
        "e": e, "f": f, "y_hat": y_hat, "dL/dŷ": dl_dy,
        "dL/dv": dl_dy * np.concatenate([[1.0], f]),
        "dL/dw": dl_dy * (V[1:] * f * (1 - f))[:, None] * x_aug[None, :],
    }


def seed001_net(out_act: str = "linear") -> MLP:
    """Seed 001's net as an MLP: neuron j has w = (w_j1, w_j2), b = w_j0."""
    return MLP.from_weights([[(list(row[1:]), row[0]) for row in W],
                             [(list(V[1:]), V[0])]], act="sigmoid", out_act=out_act)


def mlp_grads_seed001_order(net: MLP) -> tuple[np.ndarray, np.ndarray]:
    """The MLP's grads rearranged as the notes' ∂L/∂W (bias first) and ∂L/∂v (bias first)."""
    hidden_w, hidden_b = layer_grads(net.layers[0])
    out_w, out_b = layer_grads(net.layers[1])
    return (np.column_stack([hidden_b, hidden_w]), np.concatenate([out_b, out_w[0]]))


def test_example_module_holds_the_notes_weights():
    assert np.array_equal(np.array(SEED001_W), W)
    assert np.array_equal(np.array(SEED001_V), V)
    assert [(tuple(x), y) for x, y in SEED001_EXAMPLES] == EXAMPLES


@pytest.mark.parametrize(("x", "y"), EXAMPLES)
def test_seed001_named_graph(x, y):
    """The a..h graph of the notes: every named node's value and the loss's gradients."""
    nodes = seed001(x, y)
    nodes["L"].backward()
    ref = seed001_reference(x, y)
    assert nodes["ŷ"].data == pytest.approx(ref["y_hat"], rel=1e-12)
    assert nodes["L"].data == pytest.approx((ref["y_hat"] - y) ** 2, rel=1e-12)
    assert nodes["ŷ"].grad == pytest.approx(ref["dL/dŷ"], rel=1e-12)
    for j in (1, 2, 3):
        w_j = W[j - 1]
        assert nodes[f"a{j}"].data == pytest.approx(x[1] * w_j[2])
        assert nodes[f"b{j}"].data == pytest.approx(x[0] * w_j[1])
        assert nodes[f"c{j}"].data == pytest.approx(w_j[0])
        assert nodes[f"e{j}"].data == pytest.approx(ref["e"][j - 1], rel=1e-12)
        assert nodes[f"f{j}"].data == pytest.approx(ref["f"][j - 1], rel=1e-12)
        # ∂L/∂e_j = 2(ŷ − y)·v_j·f_j(1 − f_j): the factor the notes reuse for every w_jk
        f_j = ref["f"][j - 1]
        assert nodes[f"e{j}"].grad == pytest.approx(ref["dL/dŷ"] * V[j] * f_j * (1 - f_j))
    assert_close([nodes[f"v{k}"].grad for k in range(4)], ref["dL/dv"])
    assert_close([[nodes[f"w{j}{k}"].grad for k in range(3)] for j in (1, 2, 3)], ref["dL/dw"])


@pytest.mark.parametrize(("x", "y"), EXAMPLES)
def test_seed001_as_mlp_from_weights(x, y):
    net = seed001_net()
    y_hat = net(list(x))
    ((y_hat - y) ** 2).backward()
    ref = seed001_reference(x, y)
    assert y_hat.data == pytest.approx(ref["y_hat"], rel=1e-12)
    dw, dv = mlp_grads_seed001_order(net)
    assert_close(dw, ref["dL/dw"])
    assert_close(dv, ref["dL/dv"])


def test_seed001_part_1d_sum_over_the_three_examples():
    """Part 1d, summed over examples i:

    Δv = Σᵢ 2(ŷ⁽ⁱ⁾ − y⁽ⁱ⁾)·[1, z⁽ⁱ⁾],   Δw_j = Σᵢ 2(ŷ⁽ⁱ⁾ − y⁽ⁱ⁾)·v_j·z_j(1 − z_j)·[1, x⁽ⁱ⁾].
    """
    net = seed001_net()
    loss = sg.sum_values([(net(list(x)) - y) ** 2 for x, y in EXAMPLES])
    loss.backward()
    refs = [seed001_reference(x, y) for x, y in EXAMPLES]
    dw, dv = mlp_grads_seed001_order(net)
    assert_close(dv, sum(r["dL/dv"] for r in refs))
    assert_close(dw, sum(r["dL/dw"] for r in refs))


def test_seed001_agrees_with_the_notes_where_they_are_exact_to_their_digits():
    """The notes' ∂L/∂ŷ = −15.888, −21.886, −19.886 and ŷ₂ = ŷ₃ = 0.057 hold when rounded."""
    grads = []
    for x, y in EXAMPLES:
        nodes = seed001(x, y)
        nodes["L"].backward()
        grads.append(nodes["ŷ"].grad)
    assert grads == pytest.approx([-15.888, -21.886, -19.886], abs=0.003)
    assert [round(seed001(x, y)["ŷ"].data, 3) for x, y in EXAMPLES[1:]] == [0.057, 0.057]
    # The notes' ŷ₁ = 0.0561 is a slip: h₂ = 0.52·0.03 = 0.0156 was carried as 0.015, and
    # 0.0104 + 0.0156 + 0.0207 + 0.01 = 0.0567 (exactly 0.056749...).
    assert seed001(*EXAMPLES[0])["ŷ"].data == pytest.approx(0.056749, abs=1e-6)


def test_seed001_part_3_sigmoid_output_half_squared_error():
    """Part 3: ŷ = σ(v·[1, z]), E = ½ Σᵢ (ŷᵢ − yᵢ)²:

    ∂E/∂v = Σᵢ (ŷᵢ − yᵢ)·ŷᵢ(1 − ŷᵢ)·[1, zᵢ],
    ∂E/∂w_j = Σᵢ (ŷᵢ − yᵢ)·ŷᵢ(1 − ŷᵢ)·v_j·z_j(1 − z_j)·[1, xᵢ]   (the same chain one step on).
    """
    net = seed001_net(out_act="sigmoid")
    sg.losses.half_sse([net(list(x)) for x, _ in EXAMPLES], [y for _, y in EXAMPLES]).backward()
    dv_ref = np.zeros(4)
    dw_ref = np.zeros((3, 3))
    for x, y in EXAMPLES:
        x_aug = np.array([1.0, *x])
        z = sigmoid(W @ x_aug)
        y_hat = sigmoid(V @ np.concatenate([[1.0], z]))
        common = (y_hat - y) * y_hat * (1 - y_hat)
        dv_ref += common * np.concatenate([[1.0], z])
        dw_ref += common * (V[1:] * z * (1 - z))[:, None] * x_aug[None, :]
    dw, dv = mlp_grads_seed001_order(net)
    assert_close(dv, dv_ref)
    assert_close(dw, dw_ref)


# --- seed 000: 2-hidden-layer sigmoid regression, MSE over M examples -------------------


@pytest.mark.parametrize(("d", "k1", "k2", "m"), [(3, 4, 3, 5), (2, 2, 2, 1), (5, 3, 4, 8)])
def test_seed000_deltas(rng, d, k1, k2, m):
    """z₁ = W₁x + b₁, h₁ = σ(z₁), z₂ = W₂h₁ + b₂, h₂ = σ(z₂), ŷ = w₃h₂ + b₃, L = (1/M)Σ(ŷ − y)².

    δ₁ = (2/M)(ŷ − y);  ∂L/∂b₃ = Σδ₁,  ∂L/∂w₃ = δ₁h₂ᵀ
    δ₂ = w₃ᵀδ₁ ⊙ σ'(z₂); ∂L/∂b₂ = Σδ₂,  ∂L/∂W₂ = δ₂h₁ᵀ
    δ₃ = W₂ᵀδ₂ ⊙ σ'(z₁); ∂L/∂b₁ = Σδ₃,  ∂L/∂W₁ = δ₃Xᵀ      (one column per example)
    """
    x = rng.normal(size=(d, m))
    y = rng.normal(size=(1, m))
    w1, b1 = rng.normal(size=(k1, d)), rng.normal(size=(k1, 1))
    w2, b2 = rng.normal(size=(k2, k1)), rng.normal(size=(k2, 1))
    w3, b3 = rng.normal(size=(1, k2)), rng.normal(size=(1, 1))

    z1 = w1 @ x + b1
    h1 = sigmoid(z1)
    z2 = w2 @ h1 + b2
    h2 = sigmoid(z2)
    y_hat = w3 @ h2 + b3
    delta1 = 2 / m * (y_hat - y)
    delta2 = (w3.T @ delta1) * h2 * (1 - h2)
    delta3 = (w2.T @ delta2) * h1 * (1 - h1)

    net = MLP(d, [k1, k2, 1], act="sigmoid", out_act="linear")
    for layer, (w, b) in zip(net.layers, [(w1, b1), (w2, b2), (w3, b3)]):
        set_layer(layer, w, b[:, 0])
    preds = [net(list(x[:, i])) for i in range(m)]
    loss = sg.losses.mse(preds, list(y[0]))
    loss.backward()

    assert loss.data == pytest.approx(np.mean((y_hat - y) ** 2), rel=1e-12)
    expected = [(delta3 @ x.T, delta3.sum(axis=1)), (delta2 @ h1.T, delta2.sum(axis=1)),
                (delta1 @ h2.T, delta1.sum(axis=1))]
    for layer, (dw, db) in zip(net.layers, expected):
        got_w, got_b = layer_grads(layer)
        assert_close(got_w, dw)
        assert_close(got_b, db)


# --- seed 002: 2-3-1, sigmoid on both layers, ½(out − y)², all 13 partials -------------


@pytest.mark.parametrize("trial", range(4))
def test_seed002_thirteen_partials_and_sgd_update(rng, trial):
    """out = σ(z), z = w₄·σ(z_h) + b₄, z_h = Wx + b;  with c = (out − y)·out(1 − out):

    ∂L/∂w₄ⱼ = c·σ(z_hj),  ∂L/∂b₄ = c,
    ∂L/∂wⱼₖ = c·w₄ⱼ·σ(z_hj)(1 − σ(z_hj))·xₖ,  ∂L/∂bⱼ = c·w₄ⱼ·σ(z_hj)(1 − σ(z_hj)),
    then one SGD step  W ← W − η·∂L/∂W.
    """
    x = rng.normal(size=2)
    y = rng.uniform(0, 1)
    w, b = rng.normal(size=(3, 2)), rng.normal(size=3)
    w4, b4 = rng.normal(size=3), rng.normal()
    eta = 0.5

    g = sigmoid(w @ x + b)
    out = sigmoid(w4 @ g + b4)
    c = (out - y) * out * (1 - out)
    d_w4, d_b4 = c * g, c
    d_w = (c * w4 * g * (1 - g))[:, None] * x[None, :]
    d_b = c * w4 * g * (1 - g)

    net = MLP(2, [3, 1], act="sigmoid", out_act="sigmoid")
    set_layer(net.layers[0], w, b)
    set_layer(net.layers[1], w4[None, :], [b4])
    prediction = net(list(x))
    loss = sg.losses.half_sse([prediction], [y])
    loss.backward()

    assert prediction.data == pytest.approx(out, rel=1e-12)
    grads = np.concatenate([*layer_grads(net.layers[0])[0], layer_grads(net.layers[0])[1],
                            layer_grads(net.layers[1])[0][0], layer_grads(net.layers[1])[1]])
    expected = np.concatenate([*d_w, d_b, d_w4, [d_b4]])
    assert grads.shape == (13,)
    assert_close(grads, expected)

    sg.optim.SGD(net.parameters(), lr=eta).step()
    new = np.array([p.data for p in net.parameters()])
    before = np.concatenate([np.column_stack([w, b]).ravel(), w4, [b4]])
    after = before - eta * np.concatenate(
        [np.column_stack([d_w, d_b]).ravel(), d_w4, [d_b4]])
    assert_close(new, after)


# --- seed 003: 784-K-10 MNIST-shaped net (here 16-6-10), ½Σ(x_k − y_k)² ----------------


@pytest.mark.parametrize(("d", "k"), [(16, 6), (4, 3)])
def test_seed003_vector_backward(rng, d, k):
    """Forward: z⁽¹⁾ = W⁽¹⁾ᵀx⁽⁰⁾ + b⁽¹⁾, x⁽¹⁾ = φ(z⁽¹⁾), z⁽²⁾ = W⁽²⁾ᵀx⁽¹⁾ + b⁽²⁾, x⁽²⁾ = φ(z⁽²⁾).

    Backward: δ⁽²⁾ = (x⁽²⁾ − y) ⊙ φ'(z⁽²⁾),  δ⁽¹⁾ = W⁽²⁾δ⁽²⁾ ⊙ φ'(z⁽¹⁾),
    ∂L/∂W⁽ˡ⁾ = x⁽ˡ⁻¹⁾(δ⁽ˡ⁾)ᵀ,  ∂L/∂b⁽ˡ⁾ = δ⁽ˡ⁾;  W⁽¹⁾ is D×K, W⁽²⁾ is K×10, φ = σ.
    """
    x0 = rng.uniform(0, 1, size=d)  # pixel intensities
    y = np.eye(10)[rng.integers(10)]  # one-hot digit
    w1, b1 = rng.normal(size=(d, k)), rng.normal(size=k)
    w2, b2 = rng.normal(size=(k, 10)), rng.normal(size=10)

    x1 = sigmoid(w1.T @ x0 + b1)
    x2 = sigmoid(w2.T @ x1 + b2)
    delta2 = (x2 - y) * x2 * (1 - x2)
    delta1 = (w2 @ delta2) * x1 * (1 - x1)

    net = MLP(d, [k, 10], act="sigmoid", out_act="sigmoid")
    set_layer(net.layers[0], w1.T, b1)  # neuron j reads column j of W⁽¹⁾
    set_layer(net.layers[1], w2.T, b2)
    outputs = net(list(x0))
    loss = sg.losses.half_sse(outputs, list(y))
    loss.backward()

    assert_close([o.data for o in outputs], x2)
    assert loss.data == pytest.approx(0.5 * np.sum((x2 - y) ** 2), rel=1e-12)
    for layer, x_in, delta in [(net.layers[0], x0, delta1), (net.layers[1], x1, delta2)]:
        dw, db = layer_grads(layer)
        assert_close(dw.T, np.outer(x_in, delta))
        assert_close(db, delta)


# --- seed 004: X·W1 + b1 → ReLU → ·W2 + b2 → softmax cross-entropy ----------------------


@pytest.mark.parametrize(("n", "d", "h", "c"), [(4, 3, 5, 3), (1, 2, 4, 2), (6, 4, 3, 5)])
def test_seed004_softmax_cross_entropy(rng, n, d, h, c):
    """S₁ = XW₁ + b₁, X₂ = max(0, S₁), S = X₂W₂ + b₂, L = (1/N) Σᵢ −ln p_{yᵢ}:

    dL/dS = (P − onehot(y))/N,  dW₂ = X₂ᵀ dS,  db₂ = Σᵢ dS,
    dS₁ = dS W₂ᵀ ⊙ [S₁ > 0],   dW₁ = Xᵀ dS₁,  db₁ = Σᵢ dS₁.
    """
    x = rng.normal(size=(n, d))
    labels = rng.integers(c, size=n)
    w1, b1 = rng.normal(size=(d, h)), rng.normal(size=h)
    w2, b2 = rng.normal(size=(h, c)), rng.normal(size=c)

    s1 = x @ w1 + b1
    x2 = np.maximum(0, s1)
    s = x2 @ w2 + b2
    p = np.exp(s - s.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    d_s = (p - np.eye(c)[labels]) / n
    d_s1 = (d_s @ w2.T) * (s1 > 0)

    hidden = Layer(d, h, act="relu", name="L1")
    scores = Layer(h, c, act="linear", name="L2")
    set_layer(hidden, w1.T, b1)
    set_layer(scores, w2.T, b2)
    logits = [scores(hidden(list(row))) for row in x]
    per_example = [sg.losses.cross_entropy(s_i, int(y_i)) for s_i, y_i in zip(logits, labels)]
    loss = sg.sum_values(per_example) / n
    loss.backward()

    expected_loss = -np.mean(np.log(p[np.arange(n), labels]))
    assert loss.data == pytest.approx(expected_loss, rel=1e-12)
    assert_close([[s_ij.grad for s_ij in s_i] for s_i in logits], d_s)  # dL/ds = (p − onehot)/N
    for layer, x_in, delta in [(hidden, x, d_s1), (scores, x2, d_s)]:
        dw, db = layer_grads(layer)
        assert_close(dw.T, x_in.T @ delta)
        assert_close(db, delta.sum(axis=0))
