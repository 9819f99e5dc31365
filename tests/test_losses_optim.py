"""sg.losses and sg.optim against numpy: loss values, their gradients written as formulas,
argument errors, and SGD / momentum / Adam updates replayed step by step.
"""

from __future__ import annotations

import numpy as np
import pytest

import scalargrad as sg
from scalargrad import Value
from scalargrad.losses import bce, cross_entropy, half_sse, hinge, mse
from scalargrad.optim import SGD, Adam


def loss_and_grads(loss_fn, preds, *rest):
    """The loss on fresh Values for ``preds`` and ∂loss/∂predᵢ after backward."""
    values = [Value(p) for p in preds]
    loss = loss_fn(values, *rest)
    loss.backward()
    return loss.data, np.array([v.grad for v in values])


def test_mse(rng):
    """(1/n) Σ (ŷ − y)²;  ∂/∂ŷᵢ = 2(ŷᵢ − yᵢ)/n."""
    p, t = rng.normal(size=5), rng.normal(size=5)
    value, grads = loss_and_grads(mse, list(p), list(t))
    assert value == pytest.approx(np.mean((p - t) ** 2), rel=1e-12)
    np.testing.assert_allclose(grads, 2 * (p - t) / 5, rtol=1e-12)


def test_half_sse(rng):
    """½ Σ (ŷ − y)²;  ∂/∂ŷᵢ = ŷᵢ − yᵢ."""
    p, t = rng.normal(size=4), rng.normal(size=4)
    value, grads = loss_and_grads(half_sse, list(p), list(t))
    assert value == pytest.approx(0.5 * np.sum((p - t) ** 2), rel=1e-12)
    np.testing.assert_allclose(grads, p - t, rtol=1e-12)


def test_mse_targets_may_be_values_too():
    p, t = Value(2.0), Value(0.5)
    mse([p], [t]).backward()
    assert (p.grad, t.grad) == (3.0, -3.0)


@pytest.mark.parametrize("target", [0, 2, 3])
def test_cross_entropy(rng, target):
    """−log pₜ, p = softmax(s);  ∂/∂sⱼ = pⱼ − [j = t]."""
    s = rng.normal(size=4) * 3
    p = np.exp(s) / np.exp(s).sum()
    value, grads = loss_and_grads(cross_entropy, list(s), target)
    assert value == pytest.approx(-np.log(p[target]), rel=1e-12)
    np.testing.assert_allclose(grads, p - np.eye(4)[target], rtol=1e-10, atol=1e-15)


@pytest.mark.parametrize(("target", "expected"), [(0, 0.0), (1, 1000.0), (2, 2000.0)])
def test_cross_entropy_is_stable_for_huge_logits(target, expected):
    value, grads = loss_and_grads(cross_entropy, [1000.0, 0.0, -1000.0], target)
    assert value == pytest.approx(expected, abs=1e-12)
    np.testing.assert_allclose(grads, np.array([1.0, 0.0, 0.0]) - np.eye(3)[target], atol=1e-12)


def test_hinge(rng):
    """(1/n) Σ max(0, 1 − yᵢsᵢ);  ∂/∂sᵢ = −yᵢ/n where the margin is violated, else 0."""
    s = np.array([2.0, 0.3, -0.4, -1.7, 0.9, -0.2])
    y = np.array([1, 1, 1, -1, -1, -1])
    value, grads = loss_and_grads(hinge, list(s), list(y))
    margins = 1 - y * s
    assert value == pytest.approx(np.mean(np.maximum(0, margins)), rel=1e-12)
    np.testing.assert_allclose(grads, np.where(margins > 0, -y / 6, 0.0), rtol=1e-12)


def test_bce(rng):
    """−(1/n) Σ [y log p + (1 − y) log(1 − p)];  ∂/∂pᵢ = (pᵢ − yᵢ) / (n·pᵢ(1 − pᵢ))."""
    p = rng.uniform(0.05, 0.95, size=5)
    y = np.array([1.0, 0.0, 1.0, 0.0, 0.3])
    value, grads = loss_and_grads(bce, list(p), list(y))
    assert value == pytest.approx(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)), rel=1e-12)
    np.testing.assert_allclose(grads, (p - y) / (5 * p * (1 - p)), rtol=1e-10)


@pytest.mark.parametrize(("call", "message"), [
    (lambda: mse([1.0, 2.0], [1.0]), "mse: 2 predictions but 1 targets"),
    (lambda: half_sse([], []), "half_sse: needs at least one prediction"),
    (lambda: hinge([0.5], [1, -1]), "hinge: 1 predictions but 2 targets"),
    (lambda: hinge([0.5, 0.2], [1, 0]), "labels must be -1 or \\+1, got 0 at position 1"),
    (lambda: cross_entropy([], 0), "needs at least one logit"),
    (lambda: cross_entropy([1.0, 2.0, 3.0], 3), r"target_index must be an int in 0\.\.2, got 3"),
    (lambda: cross_entropy([1.0, 2.0], -1), "got -1"),
    (lambda: cross_entropy([1.0, 2.0], 1.0), "got 1.0"),
    (lambda: cross_entropy([1.0, 2.0], True), "got True"),
    (lambda: bce([0.5], [1.0, 0.0]), "bce: 1 predictions but 2 targets"),
    (lambda: bce([0.5, 1.0], [1, 1]), "probability at position 1 is 1; it must be strictly"),
    (lambda: bce([0.0], [0]), "probability at position 0 is 0"),
    (lambda: bce([Value(1.5)], [1]), "is 1.5"),
    (lambda: bce([-0.2], [0]), "is -0.2"),
])
def test_loss_argument_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# --- optimisers --------------------------------------------------------------------------


def quadratic(params, a, b):
    """L = Σ aᵢpᵢ² + bᵢpᵢ, whose gradient 2aᵢpᵢ + bᵢ numpy can write down."""
    return sg.sum_values([ai * p**2 + bi * p for p, ai, bi in zip(params, a, b)])


def train(optimizer_cls, start, a, b, steps, **options):
    params = [Value(p) for p in start]
    optimizer = optimizer_cls(params, **options)
    for _ in range(steps):
        optimizer.zero_grad()
        quadratic(params, a, b).backward()
        optimizer.step()
    return np.array([p.data for p in params])


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_sgd_matches_numpy(rng, momentum):
    """v ← μv + g;  p ← p − ηv   (μ = 0: plain gradient descent)."""
    start, a, b = rng.normal(size=3), rng.uniform(0.5, 2, size=3), rng.normal(size=3)
    p, v, lr = start.copy(), np.zeros(3), 0.05
    for _ in range(4):
        v = momentum * v + (2 * a * p + b)
        p = p - lr * v
    got = train(SGD, start, a, b, 4, lr=lr, momentum=momentum)
    np.testing.assert_allclose(got, p, rtol=1e-12)


def test_sgd_momentum_by_hand():
    """L = 3p (g = 3), η = 0.1, μ = 0.9, p₀ = 1:
    v₁ = 3, p₁ = 0.7;  v₂ = 0.9·3 + 3 = 5.7, p₂ = 0.13;  v₃ = 0.9·5.7 + 3 = 8.13, p₃ = −0.683.
    """
    p = Value(1.0)
    optimizer = SGD([p], lr=0.1, momentum=0.9)
    trajectory = []
    for _ in range(3):
        optimizer.zero_grad()
        (3 * p).backward()
        optimizer.step()
        trajectory.append(p.data)
    assert trajectory == pytest.approx([0.7, 0.13, -0.683], abs=1e-12)


@pytest.mark.parametrize(("lr", "betas", "eps"),
                         [(0.01, (0.9, 0.999), 1e-8), (0.1, (0.5, 0.9), 1e-3)])
def test_adam_matches_numpy(rng, lr, betas, eps):
    """m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,  p ← p − η·m̂/(√v̂ + ε),
    m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ)."""
    start, a, b = rng.normal(size=3), rng.uniform(0.5, 2, size=3), rng.normal(size=3)
    b1, b2 = betas
    p, m, v = start.copy(), np.zeros(3), np.zeros(3)
    for t in range(1, 6):
        g = 2 * a * p + b
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g**2
        p = p - lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + eps)
    got = train(Adam, start, a, b, 5, lr=lr, betas=betas, eps=eps)
    np.testing.assert_allclose(got, p, rtol=1e-12)


def test_adam_first_step_moves_by_the_learning_rate():
    """After one step m̂ = g and v̂ = g², so p moves by η·g/(|g| + ε) ≈ η against the gradient."""
    p, q = Value(2.0), Value(-1.0)
    optimizer = Adam([p, q], lr=0.01)
    (p * 40 - q * 0.001).backward()
    optimizer.step()
    assert p.data == pytest.approx(2.0 - 0.01 * 40 / (40 + 1e-8), rel=1e-14)
    assert q.data == pytest.approx(-1.0 + 0.01 * 0.001 / (0.001 + 1e-8), rel=1e-14)


def test_optimiser_zero_grad_resets_accumulated_leaf_grads():
    p = Value(1.0)
    optimizer = SGD([p], lr=0.1)
    (p * 5).backward()
    (p * 5).backward()
    assert p.grad == 10.0  # leaves accumulate
    optimizer.zero_grad()
    assert p.grad == 0.0


@pytest.mark.parametrize(("call", "error", "message"), [
    (lambda: SGD([], lr=0.1), ValueError, "SGD: got no parameters"),
    (lambda: SGD([Value(1.0)], lr=0), ValueError, "must be positive, and finite, got 0"),
    (lambda: Adam([Value(1.0)], lr=-1), ValueError, "Adam: learning rate must be positive"),
    (lambda: SGD([1.0], lr=0.1), TypeError, "parameters must be Values"),
    (lambda: SGD([Value(1.0)], lr=0.1, momentum=1.0), ValueError, r"momentum must be in \[0, 1\)"),
    (lambda: Adam([Value(1.0)], betas=(1.0, 0.9)), ValueError, r"betas must be in \[0, 1\)"),
])
def test_optimiser_argument_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()
