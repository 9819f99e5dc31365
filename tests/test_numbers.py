"""The engine's number policy, op by op (README, "Numbers"):

- every value an op makes is a finite float: a result too large for a float is a
  ``ValueOverflow`` naming the op, and a NaN or infinite operand (a leaf whose ``.data``
  was set to one) is a ``DomainError``, never a plausible number;
- local derivatives and gradients are IEEE floats, as in PyTorch: a derivative too large
  for a float is ±inf, one too small is 0, and neither is an error when the value is fine;
- only real numbers (int, float, numpy scalars, Fraction) make Values.

References are numpy's IEEE arithmetic and exact fractions, never the engine.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

import scalargrad as sg
from scalargrad import DomainError, Value, ValueOverflow


def ieee(f):
    """f evaluated with numpy float64s, overflow to ±inf allowed (the IEEE reference)."""
    with np.errstate(over="ignore", divide="ignore", under="ignore"):
        return float(f())


# --- a finite value with a derivative that under- or overflows is fine -------------------

# name, function of Values, point, reference value, reference derivative per input
TINY_AND_HUGE = [
    ("1 / x at 1e-200", lambda x: 1 / x, (1e-200,), 1e200,
     [lambda: -np.float64(1.0) / np.float64(1e-200) / np.float64(1e-200)]),
    ("x ** -1 at 1e-160", lambda x: x**-1, (1e-160,), 1e160,
     [lambda: -np.float64(1e-160) ** -2.0]),
    ("x ** -2 at 1e-110", lambda x: x**-2, (1e-110,), 1e220,
     [lambda: -2.0 * np.float64(1e-110) ** -3.0]),
    ("x ** 2 at 1e-200 (the value underflows to 0)", lambda x: x**2, (1e-200,), 0.0,
     [lambda: 2.0 * np.float64(1e-200)]),
    ("x / y at (1, 1e-200)", lambda x, y: x / y, (1.0, 1e-200), 1e200,
     [lambda: 1.0 / np.float64(1e-200), lambda: -np.float64(1.0) / np.float64(1e-200) / 1e-200]),
    ("x ** y at (1e-160, -1)", lambda x, y: x**y, (1e-160, -1.0), 1e160,
     [lambda: -1.0 * np.float64(1e-160) ** -2.0,
      lambda: np.float64(1e160) * np.log(np.float64(1e-160))]),
]


@pytest.mark.parametrize(("f", "point", "value", "derivatives"),
                         [pytest.param(*case[1:], id=case[0]) for case in TINY_AND_HUGE])
def test_a_finite_value_whose_derivative_overflows_is_not_an_error(f, point, value,
                                                                    derivatives):
    leaves = [Value(p) for p in point]
    out = f(*leaves)
    out.backward()
    assert out.data == pytest.approx(value, rel=1e-12)
    assert [leaf.grad for leaf in leaves] == pytest.approx([ieee(d) for d in derivatives],
                                                           rel=1e-12)


# --- every op: a result too large for a float is a ValueOverflow naming the op -------------

OVERFLOWS = [
    ("x * x", lambda x: x * x, 1e200, "x=1e+200 * x=1e+200"),
    ("x * 1e200", lambda x: x * 1e200, 1e200, "x=1e+200 * 1e+200"),
    ("x + x", lambda x: x + x, 1.7e308, "x=1.7e+308 + x=1.7e+308"),
    ("x - (-x)", lambda x: x - (-x), 1.7e308, " - "),
    ("x / 1e-300", lambda x: x / 1e-300, 1e10, "x=1e+10 / 1e-300"),
    ("x ** 2", lambda x: x**2, 1e200, "x=1e+200 ** 2"),
    ("x ** 1e308", lambda x: x**1e308, 2.0, "x=2 ** 1e+308"),
    ("2 ** x", lambda x: 2**x, 2000.0, "2 ** x=2000"),
    ("x ** x", lambda x: x**x, 500.0, "x=500 ** x=500"),
    ("exp", Value.exp, 1000.0, "exp(x=1000)"),
    ("sum_values", lambda x: sg.sum_values([x, x, 1.0]), 1e308, "sum(x=1e+308, x=1e+308, 1)"),
    ("dot", lambda x: sg.dot([x], [x]), 1e200, "dot(x=1e+200, x=1e+200)"),
    ("relu of an overflow", lambda x: (x * x).relu(), 1e200, "*"),
]


@pytest.mark.parametrize(("f", "x", "call"), [pytest.param(*c[1:], id=c[0]) for c in OVERFLOWS])
def test_a_result_too_large_for_a_float_is_a_value_overflow_naming_the_op(f, x, call):
    with pytest.raises(ValueOverflow) as info:
        f(Value(x, label="x"))
    assert call in str(info.value) and "too large for a float" in str(info.value)


def test_a_long_sum_is_named_by_its_first_terms():
    terms = [Value(1e308, label=f"t{i}") for i in range(1000)]
    with pytest.raises(ValueOverflow) as info:
        sg.sum_values(terms)
    message = str(info.value)
    assert message.startswith("sum(t0=1e+308, t1=1e+308, t2=1e+308, … 997 more)")
    assert len(message) < 200


def test_sum_values_is_exact_when_only_a_partial_sum_overflows():
    terms = [1e308, 1e308, -1e308, 0.5]
    total = sg.sum_values([Value(t) for t in terms])
    assert total.data == float(sum(map(Fraction, terms)))


# --- NaN and inf operands never turn into numbers -------------------------------------------

OPS = {
    "relu": Value.relu, "tanh": Value.tanh, "sigmoid": Value.sigmoid, "exp": Value.exp,
    "log": Value.log, "abs": Value.abs, "neg": lambda x: -x, "x ** 0": lambda x: x**0,
    "x ** 2": lambda x: x**2, "x ** -1": lambda x: x**-1, "1 / x": lambda x: 1 / x,
    "x * 0": lambda x: x * 0, "x + 1": lambda x: x + 1, "1 ** x": lambda x: 1**x,
    "x ** y": lambda x: x ** Value(0.0), "sum_values": lambda x: sg.sum_values([x, 1.0]),
    "dot weight": lambda x: sg.dot([x], [0.0]), "dot input": lambda x: sg.dot([Value(0.0)], [x]),
}


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("op", OPS.values(), ids=OPS.keys())
def test_a_nan_or_infinite_operand_is_a_domain_error(op, bad):
    x = Value(0.5, label="h")
    x.data = bad  # as a diverged optimiser step leaves it
    with pytest.raises(DomainError) as info:
        op(x)
    assert f"h={bad:g}" in str(info.value) and "not a finite number" in str(info.value)


def test_an_infinite_exponent_is_a_domain_error():
    with pytest.raises(DomainError, match="exponent"):
        Value(0.5) ** math.inf


# --- what makes a Value ---------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["2.5", b"2", True, None])
def test_value_takes_real_numbers_only(bad):
    with pytest.raises(TypeError, match=r"Value\(\): expected a real number"):
        Value(bad)


@pytest.mark.parametrize("good", [np.float32(0.5), np.int64(3), Fraction(1, 4), 7])
def test_value_takes_numpy_scalars_and_fractions(good):
    assert Value(good).data == float(good) and type(Value(good).data) is float


@pytest.mark.parametrize(("make", "call"), [
    (lambda: Value(10**400), "Value()"),
    (lambda: Value(1.0, label="x") * 10**400, "*"),
    (lambda: 10**400 + Value(1.0), "+"),
    (lambda: Value(2.0) ** 10**400, "**"),
    (lambda: sg.sum_values([Value(1.0), 10**400]), "sum"),
    (lambda: sg.dot([Value(1.0)], [10**400]), "dot"),
    (lambda: sg.dot([Value(1.0)], [10**40000]), "dot"),  # more digits than str() allows
])
def test_a_huge_integer_is_a_value_overflow_naming_the_op(make, call):
    with pytest.raises(ValueOverflow) as info:
        make()
    assert str(info.value).startswith(f"{call}: ") and "too large for a float" in str(info.value)


def test_comparing_with_a_huge_integer_works_as_in_python():
    assert Value(1.0) < 10**400 and not Value(1.0) > 10**400


# --- dot's arguments --------------------------------------------------------------------------


def test_dot_takes_numbers_as_weights_too(fd):
    """dot([2, w], [x, 3], b) = 2x + 3w + b: the numbers are not nodes, the Values are."""
    w, x, b = Value(0.5), Value(-1.5), Value(0.25)
    out = sg.dot([2.0, w], [x, 3], b)
    out.backward()
    assert out.data == 2.0 * -1.5 + 0.5 * 3 + 0.25
    reference = fd(lambda w, x, b: 2.0 * x + w * 3 + b, [0.5, -1.5, 0.25])
    assert [w.grad, x.grad, b.grad] == pytest.approx(reference, rel=1e-9)
    assert [c for c in out.children if not c.constant] == [x, w, b]
    assert [c.data for c in out.children if c.constant] == [2.0, 3.0]  # pairs (2, x), (w, 3)


@pytest.mark.parametrize(("weights", "inputs", "bias", "named"), [
    (["a"], [Value(1.0)], None, r"weights\[0\]"),
    ([Value(1.0), Value(2.0)], [1.0, None], None, r"inputs\[1\]"),
    ([Value(1.0)], [1.0], "b", "bias"),
])
def test_dot_names_the_argument_that_is_not_a_number(weights, inputs, bias, named):
    with pytest.raises(TypeError, match=f"^dot: {named} must be a number or a Value"):
        sg.dot(weights, inputs, bias)


@pytest.mark.parametrize(("set_", "message"), [
    (lambda n: n.set_parameters(["2.5", 1.0, 0.0]), r"set_parameters: values\[0\] must be"),
    (lambda n: n.layers[0].neurons[0].set_weights([1.0, "x"], 0.0), r"set_weights: w\[1\]"),
    (lambda n: n.layers[0].neurons[0].set_weights([1.0, 2.0], None), "set_weights: b must"),
])
def test_setting_parameters_takes_numbers_only(set_, message):
    """Siblings of Value("2.5"): a string never becomes a parameter's value."""
    net = sg.nn.MLP(2, [1], seed=0)
    with pytest.raises(TypeError, match=message):
        set_(net)


@pytest.mark.parametrize(("make", "error", "message"), [
    (lambda ps: sg.optim.SGD(ps, lr="0.1"), TypeError, "SGD: the learning rate must be a number"),
    (lambda ps: sg.optim.Adam(ps, lr=math.inf), ValueError, "positive, and finite, got inf"),
    (lambda ps: sg.optim.SGD(ps, lr=math.nan), ValueError, "positive, and finite, got nan"),
    (lambda ps: sg.optim.SGD(ps, lr=0.1, momentum="0.9"), TypeError, "momentum must be a number"),
])
def test_optimiser_settings_are_finite_numbers(make, error, message):
    with pytest.raises(error, match=message):
        make([Value(1.0)])
