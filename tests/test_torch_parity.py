"""Parity with PyTorch (float64): random MLPs, the losses and the optimisers.

Skipped, with the reason shown by ``pytest -ra``, where PyTorch is not installed.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

import scalargrad as sg
from scalargrad import Value
from scalargrad.nn import MLP

torch = pytest.importorskip(
    "torch", reason="PyTorch is not installed (pip install torch) — parity tests need it")
F = torch.nn.functional

TORCH_ACTS = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh,
              "linear": lambda z: z}


def tensor(array, grad: bool = False):
    return torch.tensor(np.asarray(array, dtype=np.float64), requires_grad=grad)


@pytest.mark.parametrize(("sizes", "act", "out_act"), [
    ([3, 8, 8, 2], "relu", "linear"),
    ([4, 5, 3], "tanh", "sigmoid"),
    ([2, 6, 1], "sigmoid", "linear"),
    ([5, 4, 4, 3], "tanh", "relu"),
])
def test_random_mlp_matches_torch(rng, sizes, act, out_act):
    """Outputs, the mse loss, every parameter gradient and the input gradients agree."""
    weights = [(rng.normal(size=(o, i)), rng.normal(size=o)) for i, o in pairwise(sizes)]
    x = rng.normal(size=(3, sizes[0]))  # a batch of three inputs
    targets = rng.normal(size=(3, sizes[-1]))

    torch_params = [(tensor(w, grad=True), tensor(b, grad=True)) for w, b in weights]
    torch_x = tensor(x, grad=True)
    h = torch_x
    for layer, (w, b) in enumerate(torch_params):
        h = TORCH_ACTS[out_act if layer == len(torch_params) - 1 else act](h @ w.T + b)
    torch_loss = F.mse_loss(h, tensor(targets))
    torch_loss.backward()

    net = MLP.from_weights([[(list(w[j]), b[j]) for j in range(len(b))] for w, b in weights],
                           act=act, out_act=out_act)
    inputs = [[Value(v) for v in row] for row in x]
    outputs = [net(row) for row in inputs]
    outputs = [o if isinstance(o, list) else [o] for o in outputs]
    loss = sg.losses.mse([o for row in outputs for o in row], list(targets.ravel()))
    loss.backward()

    np.testing.assert_allclose([[o.data for o in row] for row in outputs],
                               h.detach().numpy(), rtol=1e-12, atol=1e-14)
    assert loss.data == pytest.approx(torch_loss.item(), rel=1e-12)
    for layer, (w, b) in zip(net.layers, torch_params):
        np.testing.assert_allclose([[p.grad for p in n.w] for n in layer.neurons],
                                   w.grad.numpy(), rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose([n.b.grad for n in layer.neurons], b.grad.numpy(),
                                   rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose([[v.grad for v in row] for row in inputs],
                               torch_x.grad.numpy(), rtol=1e-10, atol=1e-14)


def _assert_loss_matches_torch(ours, theirs, values):
    """Run a scalargrad loss and a torch loss on the same numbers; compare value and grads."""
    ours_in = [Value(v) for v in values]
    ours_loss = ours(ours_in)
    ours_loss.backward()
    theirs_in = tensor(values, grad=True)
    theirs_loss = theirs(theirs_in)
    theirs_loss.backward()
    assert ours_loss.data == pytest.approx(theirs_loss.item(), rel=1e-12)
    np.testing.assert_allclose([v.grad for v in ours_in], theirs_in.grad.numpy(),
                               rtol=1e-10, atol=1e-15)


def test_losses_match_torch(rng):
    logits = rng.normal(size=5) * 4
    _assert_loss_matches_torch(lambda s: sg.losses.cross_entropy(s, 3),
                  lambda s: F.cross_entropy(s[None, :], torch.tensor([3])), logits)
    probs, labels = rng.uniform(0.05, 0.95, size=4), np.array([1.0, 0.0, 0.0, 1.0])
    _assert_loss_matches_torch(lambda p: sg.losses.bce(p, list(labels)),
                  lambda p: F.binary_cross_entropy(p, tensor(labels)), probs)
    preds, targets = rng.normal(size=4), rng.normal(size=4)
    _assert_loss_matches_torch(lambda p: sg.losses.half_sse(p, list(targets)),
                  lambda p: 0.5 * ((p - tensor(targets)) ** 2).sum(), preds)
    scores, signs = np.array([0.5, -2.0, 0.1, 1.5]), [1, -1, -1, 1]
    _assert_loss_matches_torch(lambda s: sg.losses.hinge(s, signs),
                  lambda s: torch.relu(1 - tensor(signs) * s).mean(), scores)


@pytest.mark.parametrize(("ours", "theirs", "options"), [
    (sg.optim.SGD, torch.optim.SGD, {"lr": 0.05}),
    (sg.optim.SGD, torch.optim.SGD, {"lr": 0.05, "momentum": 0.9}),
    (sg.optim.Adam, torch.optim.Adam, {"lr": 0.02}),
    (sg.optim.Adam, torch.optim.Adam, {"lr": 0.1, "betas": (0.8, 0.95), "eps": 1e-4}),
])
def test_optimisers_match_torch(rng, ours, theirs, options):
    """Five steps on L = Σ aᵢ·tanh(pᵢ)² with each library's optimiser."""
    start, a = rng.normal(size=4), rng.uniform(0.5, 2.0, size=4)
    params = [Value(p) for p in start]
    optimizer = ours(params, **options)
    weights = tensor(start, grad=True)
    reference = theirs([weights], **options)
    for _ in range(5):
        optimizer.zero_grad()
        sg.sum_values([ai * p.tanh() ** 2 for ai, p in zip(a, params)]).backward()
        optimizer.step()
        reference.zero_grad()
        (tensor(a) * torch.tanh(weights) ** 2).sum().backward()
        reference.step()
    np.testing.assert_allclose([p.data for p in params], weights.detach().numpy(), rtol=1e-12)
