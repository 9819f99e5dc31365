"""Every line graded: arithmetic steps, formulas as identities, and the round trip of the
walkthrough.  References are independent of the engine: exact decimal arithmetic for the
steps, a small symbolic differentiator (on text) for the formulas."""

from __future__ import annotations

import math
import random
from decimal import Decimal

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import scalargrad as sg
from scalargrad.grading import check
from scalargrad.worksheet import parse


def graded(text: str) -> dict[tuple[int, str, str], object]:
    """Verdicts by (line, subject, what was written)."""
    return {(v.claim.line, v.claim.subject, v.claim.written): v
            for v in check(parse(text)).verdicts}


# ---------------------------------------------------------------------------------------
# Arithmetic steps
# ---------------------------------------------------------------------------------------


def test_wrong_arithmetic_is_flagged_even_when_the_number_is_right():
    v = graded("a = 10 = 2 + 2·4 = 12\nb = 12 = 2 + 2·4 = 12\nc = 10 = 2 + 2·4 = 10")
    wrong, lucky, right = v[(1, "a", "12")], v[(2, "b", "12")], v[(3, "c", "10")]
    assert wrong.kind == "arithmetic" and wrong.working == 10
    assert "the working gives 10" in wrong.note
    assert not lucky.right and lucky.kind == "arithmetic"  # 12 is b, but 2 + 2·4 is 10
    assert right.right and right.working == 10


def test_the_notes_honest_steps_are_right_and_their_slip_is_arithmetic():
    v = graded("f1 = 0.5225; v1 = 0.02; f2 = 0.52; v2 = 0.03\n"
               "h1 = f1 · v1 = 0.52 × 0.02 = 0.0104\n"
               "h2 = f2 · v2 = 0.52 × 0.03 = 0.015\n"
               "s = 0.0104 + 0.0156 + 0.0207\n"
               "ŷ = s + 0.01 = 0.0104 + 0.0156 + 0.0207 + 0.01 ≈ 0.0567\n"
               "t = s + v1 = 0.0104 + 0.015 + 0.0207 + 0.02 ≈ 0.0661")
    assert v[(2, "h1", "0.0104")].right  # 0.52 × 0.02 = 0.0104 exactly; h1 = 0.01045
    slip = v[(3, "h2", "0.015")]
    assert slip.kind == "arithmetic" and slip.working == pytest.approx(0.0156)
    assert v[(5, "ŷ", "0.0567")].right
    # right arithmetic on the student's (wrong) 0.015: the step holds, the number follows
    carried = v[(6, "t", "0.0661")]
    assert carried.step is None and carried.working == pytest.approx(0.0661)


def test_rounded_operands_explain_a_result_that_is_the_rounded_exact_value():
    # the walkthrough writes x·y with x, y at 4 digits and the exact product at 4 digits
    x, y = 0.123456, 0.456789
    v = graded(f"x = {x}; y = {y}\nt = x · y = 0.1235 · 0.4568 = 0.05639\n"
               f"u = x · y = 0.1235 · 0.4568 = 0.0564\n")
    step = v[(2, "t", "0.05639")]
    assert step.right and step.working == pytest.approx(0.1235 * 0.4568)
    # 0.0564 is the working rounded, also right
    assert v[(3, "u", "0.0564")].right
    # but the same rounding cannot explain 0.0565
    far = graded(f"x = {x}; y = {y}\nt = x · y = 0.1235 · 0.4568 = 0.0565")
    assert far[(2, "t", "0.0565")].kind == "arithmetic"


decimals = st.builds(lambda n, k: Decimal(n).scaleb(-k), st.integers(-9999, 9999),
                     st.integers(0, 4))


@settings(max_examples=150)
@given(st.lists(decimals, min_size=2, max_size=6), st.sampled_from(["+", "·"]),
       st.integers(1, 6), st.integers(2, 50))
def test_random_numeric_working_right_is_accepted_and_perturbed_is_flagged(
        numbers, op, places, nudge):
    """Exact decimal arithmetic is the reference: the claim rounded from it holds; moved
    by `nudge` units of its last digit (beyond what rounding explains) it is flagged."""
    exact = numbers[0]
    for n in numbers[1:]:
        exact = exact + n if op == "+" else exact * n
    assume(abs(exact) < Decimal("1e12"))
    unit = Decimal(1).scaleb(-places)
    claim = exact.quantize(unit)
    assume(nudge * unit > abs(exact) * Decimal("1e-9"))  # beyond the float tolerance
    working = f" {op} ".join(f"({n})" for n in numbers)
    text = f"q = {working}\nr = q = {working} = {claim}\nw = q = {working} = {claim + nudge * unit}"
    v = check(parse(text)).verdicts
    right = next(x for x in v if x.claim.name == "r")
    wrong = next(x for x in v if x.claim.name == "w")
    assert right.right and right.step is None
    assert not wrong.right and wrong.kind == "arithmetic"


# ---------------------------------------------------------------------------------------
# Formulas as identities
# ---------------------------------------------------------------------------------------

NET = """x11 = 1; x12 = 2; y = 8
w10 = 0.01; w11 = 0.02; w12 = 0.03; v0 = 0.01; v1 = 0.02
a1 = x12 · w12; b1 = x11 · w11; e1 = a1 + b1 + w10
f1 = σ(e1)
ŷ = v1 f1 + v0
L = (ŷ - y)^2
"""


@pytest.mark.parametrize("formula, kind", [
    ("f1(1 - f1)", "right"),
    ("f1(1 + f1)", "wrong formula"),
    ("σ(e1)(1 - σ(e1))", "right"),
    ("f1 - f1^2", "right"),
])
def test_a_local_derivative_formula(formula, kind):
    v = check(parse(NET + f"∂f1/∂e1 = {formula}")).verdicts
    (verdict,) = [x for x in v if x.claim.form == "formula"]
    assert verdict.kind == kind
    f1 = 1 / (1 + math.exp(-0.09))
    assert verdict.exact == pytest.approx(f1 * (1 - f1))


@pytest.mark.parametrize("formula, kind", [
    ("2(ŷ - y) · v1 · f1(1 - f1) · x12", "right"),
    ("2(y - ŷ) · v1 · f1(1 - f1) · x12", "wrong formula"),    # a sign
    ("(ŷ - y) · v1 · f1(1 - f1) · x12", "wrong formula"),     # a factor
    ("2(ŷ - y) · v1 · f1(1 - f1) · x11", "wrong formula"),    # a swapped index
    ("2(ŷ - y) · v1 · f1(1 - f1) · 2", "right"),       # the given x12 = 2 written in
    ("2(ŷ - y) · v1 · f1(1 - f1) · 2 · x11", "true here only"),  # x11 = 1 here only
])
def test_a_chain_rule_formula(formula, kind):
    v = check(parse(NET + f"∂L/∂w12 = {formula}")).verdicts
    (verdict,) = [x for x in v if x.claim.form == "formula"]
    assert verdict.kind == kind, verdict.note
    if kind == "true here only":
        where = dict(verdict.where)
        assert where["x12"] != 2 and f"x12 = {where['x12']:.4g}" in verdict.note


def test_true_here_only_names_the_point_and_both_values():
    (v,) = [x for x in check(parse("x = 1\ny = x^2\n∂y/∂x = x + 1")).verdicts]
    assert v.kind == "true here only"
    x = dict(v.where)["x"]
    assert v.exact == pytest.approx(2 * x) and v.yours == pytest.approx(x + 1)


def test_a_formula_in_the_working_of_a_definition_and_the_chain_rule_notation():
    v = graded("a3 = 0.02; b3 = 0.03; c3 = 0.02\nd3 = a3 + b3\n"
               "e3 = d3 + c3 = a3 + b3 + c3 = 0.07\ne4 = d3 - c3 = a3 + b3 + c3\n"
               "∂e3/∂a3 = ∂e3/∂d3 · ∂d3/∂a3 = 1")
    assert v[(3, "e3", "a3 + b3 + c3")].right
    assert v[(4, "e4", "a3 + b3 + c3")].kind == "wrong formula"
    assert v[(5, "∂e3/∂a3", "∂e3/∂d3 · ∂d3/∂a3")].right


LEAVES = ["a", "b", "c"]


@st.composite
def expressions(draw, depth=3):
    """(text, derivative by a, as text): a random formula over a, b, c and its symbolic
    derivative, both written in the worksheet notation."""
    if depth == 0 or draw(st.booleans()):
        leaf = draw(st.sampled_from([*LEAVES, "2", "0.5"]))
        return leaf, "1" if leaf == "a" else "0"
    op = draw(st.sampled_from(["+", "-", "*", "σ", "tanh", "exp"]))
    u, du = draw(expressions(depth - 1))
    if op in {"σ", "tanh", "exp"}:
        outer = {"σ": f"σ({u})(1 - σ({u}))", "tanh": f"(1 - tanh({u})^2)",
                 "exp": f"exp({u})"}[op]
        return f"{op}({u})", f"{outer} · ({du})"
    v, dv = draw(expressions(depth - 1))
    if op == "*":
        return f"({u}) · ({v})", f"({du}) · ({v}) + ({u}) · ({dv})"
    return f"({u}) {op} ({v})", f"({du}) {op} ({dv})"


@settings(max_examples=120)
@given(expressions(), st.lists(st.floats(-2, 2), min_size=3, max_size=3),
       st.sampled_from(["-({})", "1.5({})", "({}) + 0.25"]))
def test_hypothesis_formulas_right_and_mutated(expr, values, mutation):
    inner, d_inner = expr
    text = f"({inner}) · a + b"  # t uses a (and ∂t/∂a is a formula in names)
    derivative = f"({d_inner}) · a + ({inner})"
    leaves = "; ".join(f"{n} = {x!r}" for n, x in zip(LEAVES, values))
    sheet = f"{leaves}\nt = {text}\n"
    right = check(parse(sheet + f"∂t/∂a = {derivative}\nt ≈ {text}")).verdicts
    assert len(right) == 2 and all(v.right for v in right), [v.note for v in right]
    slope = next(v for v in right if v.claim.top == "t")
    assume(abs(slope.exact) > 1e-3)
    (wrong,) = check(parse(sheet + f"∂t/∂a = {mutation.format(derivative)}")).verdicts
    assert wrong.kind in {"wrong formula", "true here only"}


# ---------------------------------------------------------------------------------------
# The walkthrough, pasted back in, checks
# ---------------------------------------------------------------------------------------

OPS = ["+", "-", "*", "/", "sigmoid", "tanh", "exp", "relu", "square", "sum"]


@st.composite
def graphs(draw):
    """A random graph: labelled leaves with random values, random operations on them."""
    count = draw(st.integers(1, 4))
    nodes = [sg.Value(draw(st.floats(-3, 3).filter(lambda x: abs(x) > 1e-3)), label=f"x{i}")
             for i in range(count)]
    for k in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(OPS))
        a, b = draw(st.sampled_from(nodes)), draw(st.sampled_from(nodes))
        if op == "/":
            assume(abs(b.data) > 0.05)
        try:
            node = _apply(op, a, b, nodes[0])
        except sg.ScalarGradError:  # an overflow: not a graph to walk through
            assume(False)
        if draw(st.booleans()):
            node.label = f"n{k}"
        nodes.append(node)
    return nodes[-1]


def _apply(op: str, a: sg.Value, b: sg.Value, first: sg.Value) -> sg.Value:
    if op in {"sigmoid", "tanh", "relu"}:
        return getattr(a, op)()
    return {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b, "/": lambda: a / b,
            "exp": lambda: (a * 0.3).exp(), "square": lambda: a**2,
            "sum": lambda: sg.sum_values([a, b, first])}[op]()


@settings(max_examples=100)
@given(graphs(), st.integers(2, 6))
def test_the_walkthrough_of_any_graph_checks_as_a_worksheet(root, digits):
    assume(root.op)
    text = sg.steps(root, digits=digits).text()
    report = check(parse(text))
    assert report.ok, report.table() + "\n" + text
    kinds = {v.claim.form for v in report.verdicts}
    assert "formula" in kinds and "number" in kinds
    assert any(v.working is not None for v in report.verdicts)  # the numbers were graded


def test_working_that_substitutes_rounded_values_stands_for_the_exact_value():
    # digits=3: 291.625 is written 292, and 292 · 2 = 584 is the working of 583.25 = "583"
    root = ((sg.Value(2.0, label="x") * 2 * 4 * 0.3).exp())
    root.label = "L"
    assert check(parse(sg.steps(root, digits=3).text())).ok
    v = graded("x = 1.03125\nt = x + x = 1 + 1 = 2.1\nu = x + x = 1 + 1.5 = 2.1\n"
               "a = 10\nb = a + 2 = 2 + 2·4 = 12")
    assert v[(2, "t", "2.1")].right  # 1 is x rounded: 1 + 1 stands for x + x = 2.0625
    assert v[(3, "u", "2.1")].kind == "arithmetic"  # 1.5 is not x rounded
    assert v[(5, "b", "12")].kind == "arithmetic"  # not the formula a + 2 in numbers


def test_the_seed001_walkthrough_checks_headings_included():
    from scalargrad.examples import seed001

    text = sg.steps(seed001()["L"]).text()
    assert text.startswith("Forward pass\n")
    report = check(parse(text))
    assert report.ok and len(report.verdicts) > 100


def test_random_points_are_the_same_on_every_run():
    sheet = "x = 1\ny = x^2\n∂y/∂x = x + 1"
    first = check(parse(sheet)).verdicts[0].where
    random.seed(12345)  # the global generator does not matter
    assert check(parse(sheet)).verdicts[0].where == first


def test_the_walkthrough_of_a_network_checks_dotted_names_included():
    from scalargrad.nn import MLP

    net = MLP(3, [4, 1])
    loss = (net([0.1, -0.2, 0.3]) - 1.0) ** 2  # one example: its inputs are named x1, x2, x3
    loss.label = "L"
    text = sg.steps(loss).text()
    assert "L1.n1.w1 = " in text  # a parameter's name, dots and all, is a worksheet name
    report = check(parse(text))
    assert report.ok, report.table()
