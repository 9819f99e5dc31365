"""Property-based tests: hypothesis writes random expressions, backprop must agree with
finite differences computed in 50-digit decimal arithmetic.

An expression is a tree of tuples ``(kind, children, parameter)``. The same tree is
evaluated twice: on scalargrad Values (constants stay plain Python numbers, so numbers
end up on either side of the operators) and on `decimal.Decimal` numbers, where the
central difference with a step of 1e-20 is exact to far more digits than a float holds.

Domains are kept safe by construction: log, division, fractional powers and ``Value **
Value`` only ever see ``pos(t) = t·t + 0.5 > 0``. Examples whose numbers grow past 1e4
(exp of exp of ...) or that put a relu/abs argument on its kink are rejected.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import scalargrad as sg
from scalargrad import Value

N_VARS = 3
LIMIT = Decimal(10_000)
STEP = Decimal("1e-20")

UNARY = ["neg", "exp", "tanh", "sigmoid", "relu", "abs", "log"]
BINARY = ["+", "-", "*", "/", "pow"]


def pos(t):
    """t² + ½: a positive argument for log, division and powers, built from + and *."""
    return t * t + (Decimal("0.5") if isinstance(t, Decimal) else 0.5)


# --- random trees ----------------------------------------------------------------------

leaves = st.one_of(
    st.tuples(st.just("var"), st.just(()), st.integers(0, N_VARS - 1)),
    st.tuples(st.just("const"), st.just(()), st.floats(-2, 2)),
)


def _grow(children: st.SearchStrategy) -> st.SearchStrategy:
    return st.one_of(
        st.tuples(st.sampled_from(UNARY), st.tuples(children), st.none()),
        st.tuples(st.just("**int"), st.tuples(children), st.sampled_from([2, 3])),
        st.tuples(st.just("**pos"), st.tuples(children), st.sampled_from([-2.5, -1, 0.5, 1.5])),
        st.tuples(st.sampled_from(BINARY), st.tuples(children, children), st.none()),
        st.tuples(st.just("sum"), st.lists(children, min_size=1, max_size=4).map(tuple),
                  st.none()),
        st.integers(1, 3).flatmap(lambda k: st.tuples(
            st.just("dot"), st.lists(children, min_size=2 * k + 1, max_size=2 * k + 1).map(tuple),
            st.none())),
    )


trees = st.recursive(leaves, _grow, max_leaves=20)
points = st.lists(st.floats(-2, 2), min_size=N_VARS, max_size=N_VARS)


def evaluate(tree, xs, ops):
    """Walk the tree bottom-up with the given leaf values and op implementations."""
    kind, children, parameter = tree
    if kind == "var":
        return xs[parameter]
    if kind == "const":
        return parameter
    args = [evaluate(child, xs, ops) for child in children]
    return ops[kind](args, parameter)


def _weighted_sum(args):
    """dot's children are w₁..wₖ, x₁..xₖ, b:  Σ wᵢxᵢ + b (for the decimal side)."""
    k = (len(args) - 1) // 2
    return sum(w * x for w, x in zip(args[:k], args[k:2 * k])) + args[-1]


SHARED = {
    "neg": lambda a, _: -a[0],
    "**int": lambda a, n: a[0] ** n,
    "**pos": lambda a, p: pos(a[0]) ** p,
    "+": lambda a, _: a[0] + a[1],
    "-": lambda a, _: a[0] - a[1],
    "*": lambda a, _: a[0] * a[1],
    "/": lambda a, _: a[0] / pos(a[1]),
    "pow": lambda a, _: pos(a[0]) ** a[1],
}


def lift(x) -> Value:
    """Constants are plain numbers; a function of constants alone gets a leaf to call on."""
    return x if isinstance(x, Value) else Value(x)


VALUE_OPS = SHARED | {
    "exp": lambda a, _: lift(a[0]).exp(),
    "tanh": lambda a, _: lift(a[0]).tanh(),
    "sigmoid": lambda a, _: lift(a[0]).sigmoid(),
    "relu": lambda a, _: lift(a[0]).relu(),
    "abs": lambda a, _: abs(lift(a[0])),
    "log": lambda a, _: lift(pos(a[0])).log(),
    "sum": lambda a, _: sg.sum_values(a),
    "dot": lambda a, _: sg.dot([lift(w) for w in a[:len(a) // 2]], a[len(a) // 2:-1],
                               lift(a[-1])),
}


def decimal_ops(kinks: list[Decimal], values: list[Decimal]) -> dict:
    """The same ops on Decimals; relu/abs arguments go to ``kinks``, every result to ``values``."""

    def tanh(x: Decimal) -> Decimal:
        e = (2 * x).exp()
        return (e - 1) / (e + 1)

    def kink(f):
        def at(a, _):
            kinks.append(abs(a[0]))
            return f(a[0])
        return at

    ops = SHARED | {
        "exp": lambda a, _: a[0].exp(),
        "tanh": lambda a, _: tanh(a[0]),
        "sigmoid": lambda a, _: 1 / (1 + (-a[0]).exp()),
        "relu": kink(lambda x: max(x, Decimal(0))),
        "abs": kink(abs),
        "log": lambda a, _: pos(a[0]).ln(),
        "sum": lambda a, _: sum(a),
        "dot": lambda a, _: _weighted_sum(a),
        "**pos": lambda a, p: pos(a[0]) ** Decimal(p),
    }

    def recorded(f):
        def run(a, p):
            out = f(a, p)
            values.append(out)
            return out
        return run

    return {kind: recorded(f) for kind, f in ops.items()}


def as_decimal(tree):
    """The tree with its float constants as exact Decimals."""
    kind, children, parameter = tree
    if kind == "const":
        return (kind, children, Decimal(parameter))
    return (kind, tuple(as_decimal(c) for c in children), parameter)


def decimal_reference(tree, point):
    """f and its central differences ∂f/∂xᵢ, in 50-digit decimals; None if out of bounds."""
    tree = as_decimal(tree)
    kinks: list[Decimal] = []
    values: list[Decimal] = []
    ops = decimal_ops(kinks, values)
    xs = [Decimal(p) for p in point]
    with localcontext(prec=50):
        f = Decimal(evaluate(tree, xs, ops))
        if any(abs(v) > LIMIT for v in values) or any(k < Decimal("1e-10") for k in kinks):
            return None
        grads = []
        for i in range(N_VARS):
            up, down = list(xs), list(xs)
            up[i] += STEP
            down[i] -= STEP
            grads.append((evaluate(tree, up, ops) - evaluate(tree, down, ops)) / (2 * STEP))
    return f, grads, max((abs(v) for v in values), default=Decimal(0))


def engine(tree, point):
    """The tree on fresh leaf Values, backpropagated: (root, leaves)."""
    xs = [Value(p) for p in point]
    out = lift(evaluate(tree, xs, VALUE_OPS))
    out.backward()
    return out, xs


@settings(max_examples=300)
@given(trees, points)
def test_random_expressions_match_finite_differences(tree, point):
    reference = decimal_reference(tree, point)
    assume(reference is not None)
    f, grads, biggest = reference
    out, xs = engine(tree, point)
    scale = 1e-9 * max(1.0, float(biggest))  # float rounding in the engine's forward pass
    assert abs(out.data - float(f)) <= scale
    for x, g in zip(xs, grads):
        assert abs(x.grad - float(g)) <= 1e-7 * abs(float(g)) + 1e2 * scale


@pytest.mark.filterwarnings("ignore::scalargrad.engine.RepeatedBackwardWarning")  # on purpose
@settings(max_examples=100)
@given(trees, points)
def test_second_backward_doubles_leaf_grads_and_keeps_interior(tree, point):
    assume(decimal_reference(tree, point) is not None)
    out, xs = engine(tree, point)
    first = [x.grad for x in xs]
    interior = [(node, node.grad) for node in sg.topological_order(out) if node.op]
    out.backward()
    # x.grad = g + (c₁ + c₂ + …) is summed term by term, so allow float reassociation
    assert [x.grad for x in xs] == pytest.approx([2 * g for g in first], rel=1e-12, abs=1e-300)
    assert all(node.grad == g for node, g in interior)
