"""Issue 17's defects of the compiled path, each against the eager engine as the oracle.

The eager loop (one graph per sample, `backward`, errors raised by the engine) is an
independent implementation of the same promise: every test runs both and compares.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import scalargrad as sg
from scalargrad.compiler import CompileError

RTOL = 1e-12


def eager_batch(loss_fn, params, columns, reduction="mean"):
    """The eager loop: (batch loss, grads in params order); raises what the engine raises."""
    for p in params:
        p.grad = 0.0
    n = len(columns[0])
    losses = []
    for i in range(n):
        out = loss_fn(*(col[i] for col in columns))
        losses.append(out[0] if isinstance(out, tuple) else out)
    total = sg.sum_values(losses)
    if reduction == "mean":
        total = total / n
    total.backward()
    grads = [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    return total.data, grads


def compiled_batch(loss_fn, params, columns, trace_columns=None, **options):
    step = sg.compile(loss_fn, *(trace_columns or columns), **options)
    for p in params:
        p.grad = 0.0
    got = step(*columns)
    got = got[0] if isinstance(got, tuple) else got
    grads = [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    return got, grads


def assert_close(got, want, rtol=RTOL):
    got, want = np.asarray(got, float), np.asarray(want, float)
    floor = rtol * max(float(np.max(np.abs(want))), 1e-300)
    np.testing.assert_allclose(got, want, rtol=rtol, atol=floor)


def eager_error(loss_fn, columns):
    """(sample index, exception) of the eager loop's first failure, or None."""
    for i in range(len(columns[0])):
        try:
            loss_fn(*(col[i] for col in columns))
        except Exception as err:  # the oracle records whatever is raised
            return i, err
    return None


# -- 1. dot nodes grouped by structure, not by the traced values ----------------------------

def _two_networks():
    net1 = sg.nn.MLP(2, [3, 1], seed=1)
    net2 = sg.nn.MLP(2, [3, 1], seed=2)

    def loss(x, y):
        return sg.losses.mse([net1([1.0, x[0]]), net2([1.0, x[1]])], [y, y])

    return loss, net1.parameters() + net2.parameters()


def test_two_networks_fed_equal_traced_inputs_are_not_one_matrix_product():
    loss, params = _two_networks()
    # the traced samples (first, middle, last) have x[0] = x[1]; the others do not
    X = [[0.5, 0.5], [0.3, -1.2], [2.0, 2.0], [-1.0, 3.0], [1.5, 1.5]]
    Y = [1.0, 0.0, -1.0, 2.0, 0.5]
    got, got_grads = compiled_batch(loss, params, [X, Y])
    want, want_grads = eager_batch(loss, params, [X, Y])
    assert_close(got, want)
    assert_close(got_grads, want_grads)


def test_two_networks_fed_different_traced_inputs_compile_without_internal_error():
    loss, params = _two_networks()
    X = [[0.5, 0.5], [0.3, -1.2], [2.0, 1.0]]
    Y = [1.0, 0.0, -1.0]
    got, got_grads = compiled_batch(loss, params, [X, Y])
    want, want_grads = eager_batch(loss, params, [X, Y])
    assert_close(got, want)
    assert_close(got_grads, want_grads)


def test_constant_inputs_of_equal_value_still_share_a_layer():
    """Structure, not values of inputs: a layer fed [1.0, x0] is one product as before."""
    net = sg.nn.MLP(2, [4, 1], seed=3)
    step = sg.compile(lambda x, y: sg.losses.mse([net([1.0, x[0]])], [y]), [[1.0], [2.0]],
                      [0.0, 1.0])
    assert "W1 · " in str(step.explanation()) or "W1" in step.program.blocks


# -- 2. exponents come from the engine's data, not from printed names -----------------------

@pytest.mark.parametrize("n", [1 / 3, 2 / 3, math.pi, -1 / 7, 1e-7, 123456.789 / 1e5])
def test_a_power_with_many_digits_is_exact(n):
    w = sg.Value(1.3, "w")

    def loss(x):
        return (w * x[0]) ** n

    X = [[0.7], [1.9], [2.3], [0.11]]
    got, got_grads = compiled_batch(loss, [w], [X])
    want, want_grads = eager_batch(loss, [w], [X])
    assert_close(got, want)
    assert_close(got_grads, want_grads)


def test_the_engine_keeps_the_exponent_of_a_power():
    x = sg.Value(2.0)
    assert (x ** (1 / 3)).exponent == 1 / 3


# -- 3. overflow and NaN: the eager rules per sample ----------------------------------------

W = sg.Value(10.0, "w")

OVERFLOWS = [
    # (loss of one sample, a bad row); a good row is [1.0]
    (lambda x: (W * x[0]).tanh(), [1e308]),           # * overflows, then tanh(inf) = 1
    (lambda x: (W * x[0]).relu(), [math.nan]),         # relu(NaN) = 0
    (lambda x: (W * x[0]).relu(), [math.inf]),
    (lambda x: (W + x[0]).sigmoid(), [-math.inf]),
    (lambda x: (x[0] / W).abs(), [math.nan]),
    (lambda x: sg.sum_values([W * x[0], x[0]]).tanh(), [1e308]),
    (lambda x: (W * x[0]) ** 2, [1e200]),
    (lambda x: -(x[0] - W).exp(), [800.0]),
    (lambda x: sg.dot([W, W], [x[0], x[0]]).tanh(), [1e308]),
    (lambda x: (W ** x[0]).tanh(), [400.0]),
]


@pytest.mark.parametrize(("fn", "bad"), OVERFLOWS)
def test_overflow_and_nan_raise_as_the_eager_engine_naming_the_sample(fn, bad):
    X = [[1.0], [2.0], bad, [0.5], bad]
    i, want = eager_error(fn, [X])
    step = sg.compile(fn, [[1.0], [2.0]])
    with pytest.raises(sg.ScalarGradError) as err:
        step(X)
    assert type(err.value) is type(want), (err.value, want)
    assert str(err.value).startswith(f"sample {i}: ")


def test_overflow_in_a_layer_names_the_sample_and_the_neuron():
    net = sg.nn.MLP(2, [3, 1], act="tanh", seed=0)
    for p in net.parameters():
        p.data = 1.5
    X = [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6], [1e308, 1e308], [0.0, 0.0]]
    Y = [0.0] * 5

    def loss(x, y):
        return sg.losses.mse([net(x)], [y])

    i, want = eager_error(loss, [X, Y])
    step = sg.compile(loss, X[:3], Y[:3])
    with pytest.raises(type(want), match=f"^sample {i}: ") as err:
        step(X, Y)
    assert "node" in str(err.value)


def test_a_nan_parameter_is_a_domain_error_as_in_the_eager_engine():
    w = sg.Value(1.0, "w")
    step = sg.compile(lambda x: (w * x[0]).relu(), [[1.0], [2.0]])
    w.data = math.nan
    with pytest.raises(sg.DomainError, match=r"^sample 0: .*w"):
        step([[1.0], [2.0]])


def test_the_first_failing_sample_wins_whatever_the_depth():
    w = sg.Value(1.0, "w")

    def loss(x):  # sample 1 fails deep (log of a negative), sample 3 at the first op
        return ((w * x[0]).exp() - 3.0).log()

    X = [[2.0], [0.5], [2.0], [1000.0]]
    i, want = eager_error(loss, [X])
    step = sg.compile(loss, [[2.0], [3.0]])
    with pytest.raises(type(want), match=f"^sample {i}: "):
        step(X)


def test_training_refuses_an_overflow_too():
    net = sg.nn.MLP(1, [2, 1], act="tanh", seed=0)
    for p in net.parameters():
        p.data = 1.5
    step = sg.compile(lambda x, y: sg.losses.mse([net(x)], [y]), [[0.5], [1.0]], [0.0, 1.0])
    with pytest.raises(sg.ValueOverflow):  # the eager engine refuses the sample
        sg.losses.mse([net([1.5e308])], [1.0])
    with (step.training(sg.optim.SGD(net.parameters(), lr=0.1)) as train,
          pytest.raises(sg.ValueOverflow, match=r"^sample 1: ")):
        train([[0.5], [1.5e308]], [0.0, 1.0])


# -- 4. every check the eager loss makes, for every sample ----------------------------------

def _check_loss_refusal(loss, columns, traced):
    i, want = eager_error(loss, columns)
    step = sg.compile(loss, *traced)
    with pytest.raises(ValueError) as err:
        step(*columns)
    assert isinstance(err.value, type(want)), (err.value, want)
    assert str(err.value).startswith(f"sample {i}: ")
    return str(err.value)


def test_hinge_refuses_a_label_that_is_not_plus_or_minus_one_in_any_sample():
    net = sg.nn.MLP(2, [3, 1], seed=0)

    def loss(x, y):
        return sg.losses.hinge([net(x)], [y])

    X = [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6], [0.7, 0.8]]
    message = _check_loss_refusal(loss, [X, [1, -1, 0, 1]], [[X[0], X[3]], [1, 1]])
    assert "labels must be -1 or +1" in message


def test_bce_refuses_a_saturated_probability_in_any_sample():
    w = sg.Value(1.0, "w")

    def loss(x, y):
        return sg.losses.bce([(w * x[0]).sigmoid()], [y])

    X = [[0.5], [40.0], [1.0]]
    message = _check_loss_refusal(loss, [X, [1.0, 0.0, 1.0]], [[X[0], X[2]], [1.0, 1.0]])
    assert "strictly between 0 and 1" in message


def test_bce_refuses_a_target_outside_0_to_1_in_any_sample():
    w = sg.Value(1.0, "w")

    def loss(x, y):
        return sg.losses.bce([(w * x[0]).sigmoid()], [y])

    with pytest.raises(ValueError, match="target"):
        loss([sg.Value(0.5)], sg.Value(2.0))
    message = _check_loss_refusal(loss, [[[0.5], [0.2], [1.0]], [1.0, 2.0, 0.0]],
                                  [[[0.5], [1.0]], [1.0, 0.0]])
    assert "target" in message


def test_cross_entropy_refuses_a_fractional_class_in_any_sample():
    net = sg.nn.MLP(2, [3], seed=0)

    def loss(x, y):
        return sg.losses.cross_entropy(net(x), y)

    X = [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]
    _check_loss_refusal(loss, [X, [0, 1.5, 2]], [[X[0], X[2]], [0, 2]])


# -- 5. write_back gives frozen parameters the last step's gradient -------------------------

def test_parameters_outside_the_optimiser_get_the_last_steps_gradient():
    net = sg.nn.MLP(2, [3, 1], seed=0)
    params = net.parameters()
    frozen, moving = params[:3], params[3:]
    X = [[0.1, 0.2], [0.3, -0.4], [0.5, 0.6]]
    Y = [0.5, -0.5, 1.0]

    def loss(x, y):
        return sg.losses.mse([net(x)], [y])

    before = [p.data for p in frozen]
    step = sg.compile(loss, X, Y)
    with step.training(sg.optim.SGD(moving, lr=0.1)) as train:
        for _ in range(3):
            train(X, Y)
    got = [p.grad for p in params]
    assert [p.data for p in frozen] == before
    # the oracle: the eager gradient at the last step's parameters; rewind the moving
    # ones by one SGD step (data before = data now + lr · grad)
    for p in moving:
        p.data += 0.1 * p.grad
    _, want = eager_batch(loss, params, [X, Y])
    assert_close(got, want, rtol=1e-9)
    assert any(g != 0.0 for g in got[:3])


# -- errors never become an internal error -------------------------------------------------

def test_no_internal_error_for_a_shared_constant_row():
    net = sg.nn.MLP(3, [2, 1], seed=5)

    def loss(x, y):
        return sg.losses.mse([net([1.0, x[0], 1.0]) + net([x[1], 1.0, x[0]])], [y])

    X = [[0.5, 0.5], [0.2, 0.9], [0.5, 0.5]]
    Y = [1.0, 0.0, 1.0]
    try:
        got, got_grads = compiled_batch(loss, net.parameters(), [X, Y])
    except CompileError as err:  # pragma: no cover - the failure this test guards against
        pytest.fail(str(err))
    want, want_grads = eager_batch(loss, net.parameters(), [X, Y])
    assert_close(got, want)
    assert_close(got_grads, want_grads)


# -- found by the differential test (benchmarks/diff_compile.py) ----------------------------

def test_a_layer_on_parameters_only_whose_input_also_feeds_every_sample():
    """x of a layer shared by every sample (one row) and used per sample too: its
    gradient was summed over the batch, then added to every sample's row (seed 2990)."""
    p = sg.Value(0.7, "p")
    layer = sg.nn.MLP(1, [2], seed=1)
    params = [p, *layer.parameters()]

    def loss(x):
        h = (p * 2).log()  # the same for every sample
        out = layer([h])
        return sg.sum_values(out) * x[0] + h * x[0]

    X = [[0.5], [1.5], [-2.0], [0.25]]
    got, got_grads = compiled_batch(loss, params, [X])
    want, want_grads = eager_batch(loss, params, [X])
    assert_close(got, want)
    assert_close(got_grads, want_grads)


def test_cross_entropy_of_parameters_only_plus_a_term_per_sample():
    p, q = sg.Value(0.3, "p"), sg.Value(-0.2, "q")

    def loss(x):
        return sg.losses.cross_entropy([p, q, p * q], 1) * x[0] + q * x[0]

    X = [[0.5], [1.5], [-1.0]]
    got, got_grads = compiled_batch(loss, [p, q], [X])
    want, want_grads = eager_batch(loss, [p, q], [X])
    assert_close(got, want)
    assert_close(got_grads, want_grads)


def test_a_quotient_of_equal_numbers_has_the_engines_zero_gradient():
    """∂(a/b)/∂b is −(a/b)/b in the engine; −a/(b·b) rounds differently (seed 230)."""
    w = sg.Value(0.9, "w")

    def loss(x):
        a = (w * x[0]).sigmoid() + 0.5
        return a / ((w * x[0]).sigmoid() + 0.5)

    X = [[0.3], [1.7], [-0.4]]
    got, got_grads = compiled_batch(loss, [w], [X])
    want, want_grads = eager_batch(loss, [w], [X])
    assert_close(got, want)
    assert got_grads == want_grads


def test_a_sum_whose_partial_sums_pass_the_float_range_is_exact_as_in_the_engine():
    """The engine sums exactly (1e308 + 1e308 − 1e308 = 1e308); a running sum would pass
    inf on the way and raise a ValueOverflow the engine never raises (a guard: numpy's
    reduceat gives the exact sum here)."""
    w = sg.Value(1.0, "w")

    def loss(x):
        big = w * x[0]
        first = sg.sum_values([big, big, -big])  # two sums: one array op of two runs
        second = sg.sum_values([-big, -big, big, 1.0])
        return (first + second) * 1e-300

    X = [[1.0], [1e308], [2.0]]
    got, got_grads = compiled_batch(loss, [w], [X], trace_columns=[[[1.0], [2.0]]])
    want, want_grads = eager_batch(loss, [w], [X])
    assert_close(got, want)
    assert_close(got_grads, want_grads)
