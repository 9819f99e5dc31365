"""The engine, op by op: values against ``math``, gradients against finite differences.

Each case is a function written twice: once for scalargrad Values and once for plain
floats (often the same lambda serves both). Backprop through the first must match the
central difference of the second, at ordinary points and near the edges of each domain.
"""

from __future__ import annotations

import math

import pytest

import scalargrad as sg
from scalargrad import DivisionByZero, DomainError, Value, ValueOverflow


def sigmoid(x: float) -> float:
    """σ(x) = 1/(1 + e⁻ˣ), the textbook formula (fine wherever e⁻ˣ does not overflow)."""
    return 1.0 / (1.0 + math.exp(-x))


def relu(x: float) -> float:
    return max(0.0, x)


# name: (function of Values, the same function of floats, points to check it at)
UNARY: dict[str, tuple] = {
    "neg": (lambda x: -x, lambda x: -x, [-2.0, 0.0, 3.5]),
    "exp": (Value.exp, math.exp, [-50.0, -1.0, 0.0, 0.5, 700.0]),
    "log": (Value.log, math.log, [1e-3, 0.5, 1.0, 1e3]),
    "tanh": (Value.tanh, math.tanh, [-20.0, -1e-3, 0.0, 0.7, 20.0]),
    "sigmoid": (Value.sigmoid, sigmoid, [-30.0, -2.0, 0.0, 1e-3, 30.0]),
    "relu": (Value.relu, relu, [-3.0, -1e-3, 1e-3, 2.0]),
    "abs()": (abs, abs, [-3.0, -1e-3, 1e-3, 2.0]),
    "abs method": (Value.abs, abs, [-0.5, 0.25]),
    "x + 3": (lambda x: x + 3, lambda x: x + 3, [-1.0, 2.0]),
    "3 + x": (lambda x: 3 + x, lambda x: 3 + x, [-1.0, 2.0]),
    "x - 3": (lambda x: x - 3, lambda x: x - 3, [-1.0, 2.0]),
    "3 - x": (lambda x: 3 - x, lambda x: 3 - x, [-1.0, 2.0]),
    "x * 3": (lambda x: x * 3, lambda x: x * 3, [-1.0, 2.0]),
    "3 * x": (lambda x: 3 * x, lambda x: 3 * x, [-1.0, 2.0]),
    "x / 4": (lambda x: x / 4, lambda x: x / 4, [-1.0, 2.0]),
    "4 / x": (lambda x: 4 / x, lambda x: 4 / x, [-2.0, -1e-2, 1e-2, 3.0]),
    "x ** 2": (lambda x: x**2, lambda x: x**2, [-3.0, 0.0, 1e-3, 2.0]),
    "x ** 3": (lambda x: x**3, lambda x: x**3, [-2.0, 0.0, 1.5]),
    "x ** 0": (lambda x: x**0, lambda x: x**0, [-2.0, 3.0]),
    "x ** 1": (lambda x: x**1, lambda x: x**1, [-2.0, 3.0]),
    "x ** -1": (lambda x: x**-1, lambda x: x**-1, [-2.0, -1e-2, 1e-2, 4.0]),
    "x ** -2": (lambda x: x**-2, lambda x: x**-2, [-2.0, 0.1, 3.0]),
    "x ** 0.5": (lambda x: x**0.5, lambda x: x**0.5, [1e-2, 0.25, 9.0]),
    "x ** 1.5": (lambda x: x**1.5, lambda x: x**1.5, [1e-3, 2.0]),
    "x ** -2.5": (lambda x: x**-2.5, lambda x: x**-2.5, [0.1, 2.0]),
    "2 ** x": (lambda x: 2**x, lambda x: 2**x, [-3.0, 0.0, 2.5]),
    "0.5 ** x": (lambda x: 0.5**x, lambda x: 0.5**x, [-3.0, 1.0]),
}

# name: (function of Values, function of floats, points)
MULTI: dict[str, tuple] = {
    "x + y": (lambda x, y: x + y, lambda x, y: x + y, [(1.0, -2.0)]),
    "x - y": (lambda x, y: x - y, lambda x, y: x - y, [(1.0, -2.0)]),
    "x * y": (lambda x, y: x * y, lambda x, y: x * y, [(1.5, -2.0), (0.0, 3.0)]),
    "x / y": (lambda x, y: x / y, lambda x, y: x / y, [(1.0, -2.0), (3.0, 1e-2), (0.0, 5.0)]),
    "x ** y": (lambda x, y: x**y, lambda x, y: x**y,
               [(2.0, 3.0), (0.5, -1.5), (1e-2, 0.5), (5.0, 0.0), (1.0, 2.0)]),
    "sum_values": (lambda x, y, z: sg.sum_values([x, y, z, 2.5, x * y]),
                   lambda x, y, z: x + y + z + 2.5 + x * y, [(1.0, -2.0, 0.5)]),
    "dot": (lambda w1, w2, x1, x2, b: sg.dot([w1, w2], [x1, x2], b),
            lambda w1, w2, x1, x2, b: w1 * x1 + w2 * x2 + b,
            [(0.5, -1.0, 2.0, 3.0, 0.25)]),
    "dot, numbers as inputs": (lambda w1, w2, b: sg.dot([w1, w2], [2.0, -3.0], b),
                               lambda w1, w2, b: w1 * 2.0 + w2 * -3.0 + b,
                               [(0.5, -1.0, 0.25)]),
    "dot, no bias": (lambda w1, w2, x1: sg.dot([w1, w2], [x1, 4.0]),
                     lambda w1, w2, x1: w1 * x1 + w2 * 4.0, [(0.5, -1.0, 2.0)]),
    "dot, mixed inputs": (lambda w1, w2, w3, x1, x3: sg.dot([w1, w2, w3], [x1, -2.0, x3]),
                          lambda w1, w2, w3, x1, x3: w1 * x1 + w2 * -2.0 + w3 * x3,
                          [(0.5, -1.0, 0.3, 2.0, -0.7)]),
    "dot, shared input": (lambda w, x: sg.dot([w, x], [x, x], w),
                          lambda w, x: w * x + x * x + w, [(0.5, -1.5)]),
}

CASES = [
    pytest.param(fv, ff, (p,), id=f"{name} at {p:g}")
    for name, (fv, ff, points) in UNARY.items() for p in points
] + [
    pytest.param(fv, ff, p, id=f"{name} at {p}")
    for name, (fv, ff, points) in MULTI.items() for p in points
]


def backprop(f, point: tuple[float, ...]) -> tuple[Value, list[float]]:
    """f at ``point`` built from fresh leaf Values, and the leaves' grads after backward."""
    leaves = [Value(p) for p in point]
    out = f(*leaves)
    out.backward()
    return out, [leaf.grad for leaf in leaves]


@pytest.mark.parametrize(("f_value", "f_float", "point"), CASES)
def test_op_matches_math_and_finite_differences(f_value, f_float, point, fd):
    out, grads = backprop(f_value, point)
    assert isinstance(out.data, float)
    assert out.data == pytest.approx(f_float(*point), rel=1e-12, abs=1e-300)
    assert grads == pytest.approx(fd(f_float, point), rel=1e-6, abs=1e-9)


@pytest.mark.parametrize("op", [Value.relu, Value.abs])
def test_relu_and_abs_have_derivative_zero_at_zero(op):
    """Documented choice (as PyTorch and micrograd for relu): the derivative at the kink is 0."""
    x = Value(0.0)
    y = op(x)
    y.backward()
    assert (y.data, x.grad) == (0.0, 0.0)


def test_everything_is_a_python_float():
    x = Value(3)
    assert type(x.data) is float and type((x * 2).data) is float
    assert type((2 ** x).data) is float and type(sg.sum_values([x, 1]).data) is float


def test_each_node_records_op_children_and_local_grads():
    x = Value(2.0, label="x")
    y = 3 * x
    assert y.op == "*" and y.children[1] is x
    assert y.children[0].constant and y.children[0].data == 3.0
    assert not x.constant and x.op == "" and x.children == ()
    assert y.local_grads == (2.0, 3.0)  # ∂(3x)/∂3 = x, ∂(3x)/∂x = 3
    assert [(x**2).op, (x**-1).op, (x**0.5).op, (x ** Value(2.0)).op] == [
        "**2", "**-1", "**0.5", "pow"]
    assert (x**2).children == (x,)  # a number exponent is not a child


# --- sigmoid and tanh far out ------------------------------------------------------------


@pytest.mark.parametrize(("op", "x", "value"), [
    (Value.sigmoid, 1000.0, 1.0), (Value.sigmoid, -1000.0, 0.0),
    (Value.tanh, 1000.0, 1.0), (Value.tanh, -1000.0, -1.0),
])
def test_sigmoid_and_tanh_saturate_without_overflow(op, x, value):
    v = Value(x)
    y = op(v)
    y.backward()
    assert y.data == value
    assert v.grad == 0.0


def test_sigmoid_keeps_precision_for_large_negative_inputs():
    y = Value(-40.0).sigmoid()
    assert y.data == pytest.approx(math.exp(-40.0), rel=1e-12)  # not rounded to 0


# --- graphs: sharing, backward twice, zero_grad, depth ----------------------------------


def test_a_plus_a_and_b_times_b_sum_both_paths():
    a = Value(3.0)
    (a + a).backward()
    assert a.grad == 2.0
    b = Value(-1.5)
    (b * b).backward()
    assert b.grad == 2 * -1.5


def test_diamond_graph(fd):
    """x feeds u = 2x and v = eˣ, both feed w = u·v:  dw/dx = 2eˣ + 2x·eˣ."""

    def f(x):
        return (x * 2) * (x.exp() if isinstance(x, Value) else math.exp(x))

    x = Value(0.7)
    f(x).backward()
    assert x.grad == pytest.approx(2 * math.exp(0.7) * 1.7, rel=1e-12)
    assert x.grad == pytest.approx(fd(f, [0.7])[0], rel=1e-8)


def test_backward_twice_recomputes_interior_and_accumulates_leaves():
    """b = a·a + a at a = 2: db/da = 2a + 1 = 5; twice, the leaf holds 10 (micrograd: 14)."""
    a = Value(2.0)
    square = a * a
    b = square + a
    b.backward()
    assert a.grad == 5.0
    with pytest.warns(UserWarning, match="again from the same root"):
        b.backward()
    assert a.grad == 10.0
    assert (b.grad, square.grad) == (1.0, 1.0)


def test_interior_gradient_belongs_to_the_latest_root():
    """h = a², L1 = h + 1, L2 = 3h: after L1 then L2, h.grad = 3 and a.grad = 2a + 6a."""
    a = Value(1.5)
    h = a * a
    loss1, loss2 = h + 1, h * 3
    loss1.backward()
    loss2.backward()
    assert h.grad == 3.0
    assert a.grad == 8 * 1.5


def test_zero_grad_clears_every_node_below():
    a = Value(2.0)
    b = a * a + a
    b.backward()
    b.zero_grad()
    assert (a.grad, b.grad, b.children[0].grad) == (0.0, 0.0, 0.0)
    b.backward()
    assert a.grad == 5.0


def test_million_deep_chain_backpropagates_exactly():
    """y = x·cᴺ by N = 10⁶ multiplications: dy/dx = cᴺ, dy/dc = N·x·cᴺ⁻¹, no RecursionError."""
    n, c0, x0 = 1_000_000, 1.0 + 1e-7, 1.5
    x, c = Value(x0), Value(c0)
    y = x
    for _ in range(n):
        y = y * c
    y.backward()
    assert y.data == pytest.approx(x0 * c0**n, rel=1e-8)
    assert x.grad == pytest.approx(c0**n, rel=1e-8)
    assert c.grad == pytest.approx(n * x0 * c0 ** (n - 1), rel=1e-8)  # all n uses of c


def test_topological_order_puts_children_first():
    a, b = Value(1.0), Value(2.0)
    out = (a * b + a).tanh()
    order = sg.topological_order(out)
    position = {id(node): i for i, node in enumerate(order)}
    assert order[-1] is out and len(order) == len(position)
    for node in order:
        assert all(position[id(child)] < position[id(node)] for child in node.children)


# --- errors ------------------------------------------------------------------------------


@pytest.mark.parametrize(("make", "kind", "base", "words"), [
    (lambda: Value(0.0, label="q").log(), DomainError, ValueError, ["log", "q=0"]),
    (lambda: Value(-1.0, label="q").log(), DomainError, ValueError, ["log", "q=-1"]),
    (lambda: Value(1.0, label="p") / Value(0.0, label="z"), DivisionByZero, ZeroDivisionError,
     ["p=1", "/", "z=0"]),
    (lambda: 1 / Value(0.0, label="z"), DivisionByZero, ZeroDivisionError, ["1 /", "z=0"]),
    (lambda: Value(2.5, label="p") / 0, DivisionByZero, ZeroDivisionError, ["p=2.5", "/ 0"]),
    (lambda: Value(0.0, label="z") ** -2, DivisionByZero, ZeroDivisionError,
     ["z=0", "**", "-2", "negative power"]),
    (lambda: Value(-8.0, label="n") ** 0.5, DomainError, ValueError,
     ["n=-8", "**", "0.5", "fractional"]),
    (lambda: Value(1000.0, label="big").exp(), ValueOverflow, OverflowError,
     ["exp", "big=1000", "too large"]),
    (lambda: Value(10.0, label="t") ** 400, ValueOverflow, OverflowError,
     ["t=10", "**", "400"]),
    (lambda: Value(-2.0, label="base") ** Value(2.0, label="e"), DomainError, ValueError,
     ["base=-2", "**", "e=2", "positive base"]),
    (lambda: (-2) ** Value(0.5, label="e"),
     DomainError, ValueError, ["-2 **", "e=0.5"]),
    (lambda: Value(0.0, label="z") ** Value(-1.0, label="e"), DivisionByZero,
     ZeroDivisionError, ["z=0", "e=-1"]),
    (lambda: Value(-3.0).log(), DomainError, ValueError, ["log(-3)"]),
])
def test_domain_errors_name_operation_operands_and_labels(make, kind, base, words):
    with pytest.raises(kind) as info:
        make()
    assert isinstance(info.value, base) and isinstance(info.value, sg.ScalarGradError)
    message = str(info.value)
    for word in words:
        assert word in message
    assert "math domain error" not in message


def test_sum_values_and_dot_argument_errors():
    with pytest.raises(ValueError, match="sum_values: needs at least one value"):
        sg.sum_values([])
    with pytest.raises(ValueError, match="dot: 2 weights but 3 inputs"):
        sg.dot([Value(1.0), Value(2.0)], [1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match=r"dot: inputs\[0\] must be a number or a Value, got 'x'"):
        sg.dot([Value(1.0)], ["x"])


@pytest.mark.parametrize("bad", ["abc", None, [1.0], object()])
def test_value_constructor_rejects_non_numbers(bad):
    with pytest.raises(TypeError, match="real number"):
        Value(bad)


def test_value_constructor_rejects_a_value():
    with pytest.raises(TypeError, match="already a Value"):
        Value(Value(1.0))


@pytest.mark.parametrize(("make", "op"), [
    (lambda x: x + "a", r"\+"), (lambda x: "a" * x, r"\*"), (lambda x: x ** "2", r"\*\*"),
    (lambda x: x - True, "-"), (lambda x: x / None, "/"),
])
def test_arithmetic_with_a_non_number_is_a_type_error_naming_the_op(make, op):
    with pytest.raises(TypeError, match=f"^{op}: expected a number or a Value"):
        make(Value(1.0))


# --- comparison, identity, naming ----------------------------------------------------------


def test_comparisons_use_data_and_make_no_nodes():
    a, b = Value(1.0), Value(2.0)
    numbers_left = [0.5 < a, 3 > b]  # noqa: SIM300 (the reflected comparisons are the point)
    results = [a < b, a <= b, a > b, a >= b, a < 1.5, b >= 2, *numbers_left]
    assert results == [True, True, False, False, True, True, True, True]
    assert all(type(r) is bool for r in results)
    assert a.children == () and b.children == ()
    assert max([a, b]) is b and sorted([b, a]) == [a, b]


def test_equality_is_identity_and_values_are_hashable():
    a, twin = Value(1.0), Value(1.0)
    assert a == a and a != twin and a != 1.0
    assert len({a, twin, a}) == 2


def test_comparison_with_a_non_number_is_a_type_error():
    with pytest.raises(TypeError, match="comparison"):
        _ = Value(1.0) < "2"


def test_label_keyword_and_attribute():
    x = Value(1.0, label="x")
    y = x * 2
    assert (x.label, y.label) == ("x", None)
    y.label = "y"
    assert y.label == "y" and "label='y'" in repr(y)


def test_name_labels_values_by_variable_name():
    a = Value(2.0)
    b = Value(-3.0)
    c = a * b
    weights = [Value(0.1), Value(0.2)]
    _scratch = Value(9.0)
    not_a_value = 4.0
    named = sg.name(locals())
    assert (a.label, b.label, c.label) == ("a", "b", "c")
    assert [w.label for w in weights] == ["weights[0]", "weights[1]"]
    assert _scratch.label is None and not_a_value == 4.0
    assert named == [a, b, c, *weights]


@pytest.mark.parametrize("make, words", [
    (lambda: sg.losses.mse([1.0], [1.0, 2.0]), "1 prediction but 2 targets"),
    (lambda: sg.dot([1.0], [1.0, 2.0]), "1 weight but 2 inputs"),
    (lambda: sg.nn.Neuron(1)([1.0, 2.0]), "expects 1 input, got 2"),
    (lambda: sg.nn.Neuron(2).set_weights([1.0], 0.0), "has 2 weights, got 1"),
    (lambda: sg.nn.Layer(1, 1).set_weights([([1.0], 0.0)] * 2), "has 1 neuron, got 2"),
    (lambda: sg.nn.Neuron(1).set_parameters([1.0, 2.0, 3.0]), "has 2 parameters, got 3"),
])
def test_counts_in_messages_agree_with_their_number(make, words):
    with pytest.raises(ValueError) as caught:
        make()
    assert words in str(caught.value)


# -- A second backward from the same root (issue 17) ---------------------------------------


def test_a_second_backward_without_zeroing_warns_and_keeps_accumulating():
    """PyTorch's semantics stay (the leaves' grads add up: 2·∂L/∂x after two passes), but
    the re-run is said, with what to call."""
    import warnings

    from scalargrad.engine import RepeatedBackwardWarning

    x = Value(3.0)
    loss = x * x  # ∂L/∂x = 2x = 6
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss.backward()  # the first pass: silent
    with pytest.warns(RepeatedBackwardWarning, match=r"zero_grad\(\)"):
        loss.backward()
    assert x.grad == 12.0  # accumulated, as PyTorch does
    loss.zero_grad()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss.backward()  # zeroed first: silent
        other = x * 2.0
        other.backward()  # another root adds its gradient, as intended: silent
    assert x.grad == 8.0
