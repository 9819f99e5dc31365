"""sg.compile: the batch gives the eager loop's numbers, refuses what it cannot replay,
names the sample and node of a domain error, and explains itself.

The contract is equality with the eager engine (to 1e-12 relative, with an absolute floor
of 1e-12 × the largest gradient for gradients that are sums cancelling to near zero); the
independent reference is PyTorch in float64, on the same functions written for tensors.
"""

from __future__ import annotations

import random
import subprocess
import sys

import numpy as np
import pytest

import scalargrad as sg
from scalargrad.compiler import CompileError

RTOL = 1e-12


def eager(loss_fn, columns, penalty=None, reduction="mean"):
    """The eager loop: (batch loss, every parameter's gradient) for the parameters."""
    n = len(columns[0])
    losses = [loss_fn(*(col[i] for col in columns)) for i in range(n)]
    losses = [v[0] if isinstance(v, tuple) else v for v in losses]
    total = sg.sum_values(losses)
    if reduction == "mean":
        total = total / n
    if penalty is not None:
        total = total + penalty()
    total.backward()
    return total.data


def compiled_and_eager(loss_fn, params, columns, **options):
    """(compiled loss, compiled grads, eager loss, eager grads), grads in params order."""
    step = sg.compile(loss_fn, *columns, **options)
    for p in params:
        p.grad = 0.0
    got = step(*columns)
    got = got[0] if isinstance(got, tuple) else got
    got_grads = np.array([p.grad for p in params])
    for p in params:
        p.grad = 0.0
    want = eager(loss_fn, columns, options.get("penalty"), options.get("reduction", "mean"))
    want_grads = np.array([p.grad for p in params])
    return got, got_grads, want, want_grads


def assert_same(got, want, what="gradient"):
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    floor = RTOL * max(float(np.max(np.abs(want))), 1e-300)
    np.testing.assert_allclose(got, want, rtol=RTOL, atol=floor, err_msg=what)


def random_batch(rng, n, nin, targets):
    X = [[rng.uniform(-2, 2) for _ in range(nin)] for _ in range(n)]
    return X, [targets(rng) for _ in range(n)]


# ---------------------------------------------------------------------------------------
# Exactness against the eager engine
# ---------------------------------------------------------------------------------------

LOSSES = {
    "mse": (lambda out, y: sg.losses.mse(out, y),
            lambda r, k: [r.uniform(-1, 1) for _ in range(k)]),
    "half_sse": (lambda out, y: sg.losses.half_sse(out, y),
                 lambda r, k: [float(r.random() < 0.5) for _ in range(k)]),
    "cross_entropy": (lambda out, y: sg.losses.cross_entropy(out, y), lambda r, k: r.randrange(k)),
    "hinge": (lambda out, y: sg.losses.hinge(out, y), lambda r, k: [r.choice([-1, 1])] * k),
    "bce": (lambda out, y: sg.losses.bce([o.sigmoid() for o in out], y),
            lambda r, k: [float(r.random() < 0.5) for _ in range(k)]),
}


@pytest.mark.parametrize("loss_name", sorted(LOSSES))
@pytest.mark.parametrize(("nin", "sizes", "act"), [
    (3, [5, 4], "relu"), (4, [6, 6, 3], "tanh"), (2, [7, 2], "sigmoid"), (5, [3], "linear"),
])
def test_random_networks_match_the_eager_loop(loss_name, nin, sizes, act):
    rng = random.Random(hash((loss_name, nin, act)) % 1000)
    net = sg.nn.MLP(nin, sizes, act=act, seed=rng.randrange(100))
    loss, target = LOSSES[loss_name]
    k = sizes[-1]
    X, Y = random_batch(rng, 23, nin, lambda r: target(r, k))

    def sample_loss(x, y):
        out = net(x)
        return loss(out if isinstance(out, list) else [out], y)

    got, got_grads, want, want_grads = compiled_and_eager(sample_loss, net.parameters(), [X, Y])
    assert got == pytest.approx(want, rel=RTOL)
    assert_same(got_grads, want_grads)
    assert np.any(got_grads != 0)


def test_moons_step_with_penalty_and_outputs_matches_eager():
    rng = random.Random(5)
    net = sg.nn.MLP(2, [16, 16, 1], seed=1337)
    X, Y = random_batch(rng, 100, 2, lambda r: r.choice([-1, 1]))

    def penalty():
        return 1e-4 * sg.sum_values(p * p for p in net.parameters())

    def sample_loss(x, y):
        score = net(x)
        return sg.losses.hinge([score], [y]), score

    got, got_grads, want, want_grads = compiled_and_eager(
        sample_loss, net.parameters(), [X, Y], penalty=penalty)
    assert got == pytest.approx(want, rel=RTOL)
    assert_same(got_grads, want_grads)
    _, scores = sg.compile(sample_loss, X, Y)(X, Y)
    assert scores.shape == (100, 1)
    assert_same(scores[:, 0], [net(x).data for x in X], "outputs")


def test_sum_reduction_and_a_batch_of_one():
    net = sg.nn.MLP(3, [4, 2], seed=3)
    X, Y = [[0.5, -1.0, 2.0]], [[1.0, 0.0]]
    got, got_grads, want, want_grads = compiled_and_eager(
        lambda x, y: sg.losses.mse(net(x), y), net.parameters(), [X, Y], reduction="sum")
    assert got == pytest.approx(want, rel=RTOL)
    assert_same(got_grads, want_grads)


def every_op(x, y, p, lib):
    """A per-sample loss that uses every op of the engine (``lib``: sum and dot)."""
    a, b, c = x
    w1, w2, w3, w4 = p
    u = lib.dot([w1, w2], [a, b], w3)  # Value inputs, with a bias
    v = lib.dot([w2, w3], [0.5, c])  # a number input and a Value, no bias
    t = lib.dot([w1, w4], [2.0, -1.5], w2)  # number inputs only
    terms = [
        (u * v - t / (w4 * w4 + 1.0)),
        (a + 2.0) ** 2 - (abs(b) + 1.0) ** 0.5 + (c * c + 1.0) ** -1,
        (abs(w1) + 0.5) ** (w2.tanh()),  # Value ** Value
        2.0 ** (w3 * 0.1),
        (u.exp() + 1.0).log() - v.tanh() * t.sigmoid() + (-u).relu() * w4,
        (y - u.sigmoid()) ** 2,
        -abs(v - y),
    ]
    return lib.sum(terms)


class ValueLib:
    sum = staticmethod(sg.sum_values)
    dot = staticmethod(sg.dot)


def test_every_op_matches_the_eager_engine():
    rng = random.Random(11)
    p = [sg.Value(rng.uniform(-1, 1), f"w{i + 1}") for i in range(4)]
    X, Y = random_batch(rng, 31, 3, lambda r: r.uniform(-1, 1))
    got, got_grads, want, want_grads = compiled_and_eager(
        lambda x, y: every_op(x, y, p, ValueLib), p, [X, Y])
    assert got == pytest.approx(want, rel=RTOL)
    assert_same(got_grads, want_grads)


def test_shared_weights_and_parameters_used_elementwise():
    """A weight used twice (tied) and parameters outside dot: gathers with duplicates."""
    w = sg.Value(0.7, "w")
    s = sg.Value(-0.3, "s")
    X, Y = [[1.0, 2.0], [0.5, -1.0], [3.0, 0.25]], [1.0, -1.0, 0.5]

    def sample_loss(x, y):
        h = [sg.dot([w, w], x, s).tanh(), (w * x[0] + s * x[1]).relu(), w * w]
        return (sg.sum_values(h) - y) ** 2

    got, got_grads, want, want_grads = compiled_and_eager(sample_loss, [w, s], [X, Y])
    assert got == pytest.approx(want, rel=RTOL)
    assert_same(got_grads, want_grads)


def test_residual_and_mixed_graphs_match_the_eager_loop():
    """Skip connections, layers read in a shuffled order, inputs mixed with hidden units:
    operands gathered from several places."""
    rng = random.Random(9)
    first = sg.nn.Layer(4, 6, "tanh", name="A", rng=rng)
    second = sg.nn.Layer(6, 6, "relu", name="B", rng=rng)
    head = sg.nn.Layer(10, 2, "linear", name="C", rng=rng)
    params = first.parameters() + second.parameters() + head.parameters()

    def sample_loss(x, y):
        h1 = first(x)
        h2 = [a + b for a, b in zip(second(h1), h1)]  # residual
        mixed = [h2[5], h2[0], *x, h2[2], h2[3], h2[4], h2[1]]  # shuffled, with the inputs
        out = head(mixed)
        return sg.losses.mse(out, y) + 0.1 * (out[0] * h1[0]).sigmoid()

    X, Y = random_batch(rng, 19, 4, lambda r: [r.uniform(-1, 1), r.uniform(-1, 1)])
    got, got_grads, want, want_grads = compiled_and_eager(sample_loss, params, [X, Y])
    assert got == pytest.approx(want, rel=RTOL)
    assert_same(got_grads, want_grads)


# ---------------------------------------------------------------------------------------
# Training on arrays
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("make_optimiser", [
    lambda ps: sg.optim.SGD(ps, lr=0.1, momentum=0.9),
    lambda ps: sg.optim.Adam(ps, lr=0.02),
])
def test_training_on_arrays_follows_the_eager_loop(make_optimiser):
    rng = random.Random(2)
    X, Y = random_batch(rng, 40, 3, lambda r: r.randrange(3))
    nets = [sg.nn.MLP(3, [8, 3], act="tanh", seed=4) for _ in range(2)]
    optimisers = [make_optimiser(net.parameters()) for net in nets]
    compiled, reference = nets
    step = sg.compile(lambda x, y: sg.losses.cross_entropy(compiled(x), y), X, Y)
    with step.training(optimisers[0]) as train:
        got = []
        for _ in range(6):
            optimisers[0].lr *= 0.9  # a schedule set on the optimiser is followed
            got.append(train(X, Y))
    want = []
    for _ in range(6):
        optimisers[1].lr *= 0.9
        loss = sg.sum_values(sg.losses.cross_entropy(reference(x), y) for x, y in zip(X, Y))
        loss = loss / len(X)
        optimisers[1].zero_grad()
        loss.backward()
        optimisers[1].step()
        want.append(loss.data)
    assert got == pytest.approx(want, rel=1e-12)
    assert_same([p.data for p in compiled.parameters()], [p.data for p in reference.parameters()])
    assert_same([p.grad for p in compiled.parameters()], [p.grad for p in reference.parameters()])
    for name in ("velocity", "m", "v", "t"):
        if hasattr(optimisers[1], name):
            assert_same(getattr(optimisers[0], name), getattr(optimisers[1], name), name)


def test_evaluate_runs_the_batch_at_the_trained_parameters_without_a_step():
    net = sg.nn.MLP(2, [3, 1], seed=1)
    X, Y = [[1.0, 2.0], [0.5, -1.0]], [0.5, -0.5]
    step = sg.compile(lambda x, y: ((net(x) - y) ** 2, net(x)), X, Y)
    train = step.training(sg.optim.SGD(net.parameters(), lr=0.1))
    train(X, Y)
    theta = train.theta.copy()
    loss, outputs = train.evaluate(X, Y)
    assert np.array_equal(train.theta, theta)  # no step taken
    train.write_back()
    assert loss == pytest.approx(eager(lambda x, y: (net(x) - y) ** 2, [X, Y]), rel=RTOL)
    assert_same(outputs[:, 0], [net(x).data for x in X], "outputs")


def test_training_refuses_an_optimiser_over_other_parameters():
    net = sg.nn.MLP(2, [2, 1], seed=0)
    step = sg.compile(lambda x, y: (net(x) - y) ** 2, [[1.0, 2.0]], [0.5])
    with pytest.raises(ValueError, match="not used by the compiled loss"):
        step.training(sg.optim.SGD([*net.parameters(), sg.Value(1.0)], lr=0.1))


# ---------------------------------------------------------------------------------------
# PyTorch, the independent reference
# ---------------------------------------------------------------------------------------


def test_every_op_matches_pytorch(needs):
    needs(_has_torch(), "PyTorch", "pip install torch")
    import torch

    class TorchLib:
        sum = staticmethod(lambda xs: torch.stack(list(xs)).sum())

        @staticmethod
        def dot(ws, xs, b=None):
            total = sum(w * x for w, x in zip(ws, xs))
            return total + b if b is not None else total

    rng = random.Random(11)
    start = [rng.uniform(-1, 1) for _ in range(4)]
    p = [sg.Value(v) for v in start]
    X, Y = random_batch(rng, 31, 3, lambda r: r.uniform(-1, 1))
    tp = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    total = sum(every_op(torch.tensor(x, dtype=torch.float64), torch.tensor(y, dtype=torch.float64),
                         list(tp), TorchLib) for x, y in zip(X, Y)) / len(X)
    total.backward()
    got = sg.compile(lambda x, y: every_op(x, y, p, ValueLib), X, Y)(X, Y)
    assert got == pytest.approx(total.item(), rel=1e-10)
    np.testing.assert_allclose([v.grad for v in p], tp.grad.numpy(), rtol=1e-10)


TORCH_LOSSES = {
    "mse": lambda F, out, y: F.mse_loss(out, y),
    "half_sse": lambda F, out, y: 0.5 * ((out - y) ** 2).sum(),
    "cross_entropy": lambda F, out, y: F.cross_entropy(out[None], y.long()[None]),
    "hinge": lambda F, out, y: F.relu(1 - y * out).mean(),
    "bce": lambda F, out, y: F.binary_cross_entropy(out.sigmoid(), y),
}


@pytest.mark.parametrize("loss_name", sorted(LOSSES))
def test_every_loss_matches_pytorch(loss_name, needs):
    needs(_has_torch(), "PyTorch", "pip install torch")
    import torch
    import torch.nn.functional as F

    rng = random.Random(7)
    net = sg.nn.MLP(4, [6, 3], act="tanh", seed=8)
    loss, target = LOSSES[loss_name]
    X, Y = random_batch(rng, 17, 4, lambda r: target(r, 3))
    got = sg.compile(lambda x, y: loss(net(x), y), X, Y)(X, Y)

    layers = [(torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64,
                            requires_grad=True),
               torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64,
                            requires_grad=True)) for layer in net.layers]
    total = 0
    for x, y in zip(X, Y):
        h = torch.tensor(x, dtype=torch.float64)
        (W1, b1), (W2, b2) = layers
        out = W2 @ torch.tanh(W1 @ h + b1) + b2
        total = total + TORCH_LOSSES[loss_name](F, out, torch.tensor(y, dtype=torch.float64))
    total = total / len(X)
    total.backward()
    assert got == pytest.approx(total.item(), rel=1e-10)
    for layer, (W, b) in zip(net.layers, layers):
        np.testing.assert_allclose([[w.grad for w in n.w] for n in layer.neurons],
                                   W.grad.numpy(), rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose([n.b.grad for n in layer.neurons], b.grad.numpy(),
                                   rtol=1e-9, atol=1e-12)


def _has_torch() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


# ---------------------------------------------------------------------------------------
# What cannot be compiled, and errors in a batch
# ---------------------------------------------------------------------------------------


def test_a_python_branch_on_data_is_refused_with_the_fix():
    w = sg.Value(0.5, "w")

    def branchy(x, y):
        h = w * x[0]
        if x[0].data > 0:  # the graph now depends on the sample
            h = h.tanh()
        return (h - y) ** 2

    X, Y = [[1.0], [2.0], [-1.0]], [0.0, 1.0, 0.5]
    with pytest.raises(CompileError) as err:
        sg.compile(branchy, X, Y)
    message = str(err.value)
    assert "sample 0 and sample 1" in message or "sample 0 and sample 2" in message
    assert "depends on the data" in message and "relu" in message


def test_a_number_computed_from_data_is_refused():
    w = sg.Value(0.5, "w")

    def shifted(x, y):
        biggest = max(v.data for v in x)  # a plain number that changes between samples
        return (w * (x[0] - biggest) - y) ** 2

    with pytest.raises(CompileError, match=r"is the number 1 in sample 0 but 4 in sample 2"):
        sg.compile(shifted, [[1.0, 0.0], [3.0, 5.0], [2.0, 4.0]], [0.0, 1.0, 2.0])


def test_values_made_inside_the_function_are_constants():
    w = sg.Value(0.5, "w")
    step = sg.compile(lambda x, y: (w * x[0] + sg.Value(2.0) - y) ** 2, [[1.0], [3.0]], [0, 1])
    assert step.params == [w]


def test_a_domain_error_names_the_sample_and_the_node():
    w = sg.Value(1.0, "w")
    X = [[float(i + 1)] for i in range(30)]
    X[17] = [-2.0]
    step = sg.compile(lambda x, y: (w * x[0]).log() * y, X[:2], [1.0, 1.0])
    with pytest.raises(sg.DomainError) as err:
        step(X, [1.0] * 30)
    message = str(err.value)
    assert message.startswith("sample 17: log(-2) at node v2[0]")
    assert "log is defined only for positive numbers" in message


@pytest.mark.parametrize(("expression", "bad", "error", "reason"), [
    (lambda w, a: w / a, 0.0, sg.DivisionByZero, "division by zero"),
    (lambda w, a: (w * a) ** 0.5, -1.0, sg.DomainError, "no real fractional power"),
    (lambda w, a: a ** -2, 0.0, sg.DivisionByZero, "0 cannot be raised to a negative power"),
    (lambda w, a: a ** w, -3.0, sg.DomainError, "a Value exponent needs a positive base"),
    (lambda w, a: (w * a).exp(), 800.0, sg.ValueOverflow, "too large for a float"),
])
def test_every_domain_error_names_the_sample(expression, bad, error, reason):
    w = sg.Value(1.0, "w")
    step = sg.compile(lambda x: expression(w, x[0]), [[2.0], [3.0]])
    with pytest.raises(error, match=reason) as err:
        step([[2.0], [3.0], [bad], [bad]])
    assert str(err.value).startswith("sample 2: ")
    with pytest.raises(error):  # the eager engine refuses the same sample
        expression(w, sg.Value(bad))


def test_a_cross_entropy_target_out_of_range_names_the_sample():
    net = sg.nn.MLP(2, [3], seed=0)
    step = sg.compile(lambda x, y: sg.losses.cross_entropy(net(x), y), [[0.0, 1.0]], [2])
    with pytest.raises(sg.DomainError, match=r"sample 1: .* class index 0\.\.2"):
        step([[0.0, 1.0], [1.0, 1.0]], [0, 3])


def test_batch_columns_must_match_the_traced_sample():
    net = sg.nn.MLP(3, [2], seed=0)
    step = sg.compile(lambda x, y: sg.losses.mse(net(x), y), [[1.0, 2.0, 3.0]], [[0.0, 1.0]])
    with pytest.raises(ValueError, match="column 'x': each sample must have 3 number"):
        step([[1.0, 2.0]], [[0.0, 1.0]])
    with pytest.raises(TypeError, match="takes 2 columns"):
        step([[1.0, 2.0, 3.0]])


def test_importing_scalargrad_does_not_import_numpy():
    code = "import sys, scalargrad; assert 'numpy' not in sys.modules; scalargrad.compile"
    subprocess.run([sys.executable, "-c", code], check=True)


# ---------------------------------------------------------------------------------------
# The plan and the explanation
# ---------------------------------------------------------------------------------------


def test_array_calls_grow_with_depth_not_width():
    def steps(width):
        net = sg.nn.MLP(10, [width, width, 3], seed=0)
        X = [[0.1 * i] * 10 for i in range(4)]
        return len(sg.compile(lambda x, y: sg.losses.cross_entropy(net(x), y), X,
                              [0, 1, 2, 0]).program.steps)

    assert steps(4) == steps(64) == 6  # three matrix products, two relus, the loss


def test_explain_an_mlp_in_vector_notation():
    net = sg.nn.MLP(4, [5, 3], act="relu", seed=0)
    step = sg.compile(lambda x, y: sg.losses.cross_entropy(net(x), y), [[0.0] * 4], [1])
    explanation = step.explanation()
    text = str(explanation)
    for line in ("z1 = W1 · x + b1", "h1 = relu(z1)", "z2 = W2 · h1 + b2",
                 "δ2 = softmax(z2) − onehot(y)", "δ1 = (W2ᵀ δ2) ⊙ relu′(z1)",
                 "∂L/∂W1 = δ1 xᵀ", "∂L/∂b1 = δ1"):
        assert line in text, f"{line!r} not in\n{text}"
    assert explanation.line("z1").shape == "5"
    assert explanation.line("∂L/∂W1").shape == "5×4"
    assert explanation.line("∂L/∂W2").shape == "3×5"
    assert text.index("δ2 =") < text.index("δ1 =")  # backward runs from the loss down


def test_explain_prints(capsys):
    w = sg.Value(2.0, "w")
    sg.compile(lambda x: (w * x[0]).exp(), [[1.0]]).explain()
    out = capsys.readouterr().out
    assert "v1 = w ⊙ x" in out and "L = exp(v1)" in out and "∂L/∂w = L ⊙ x" in out
