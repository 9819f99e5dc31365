"""Issue 17, "silently wrong: the identity check": each defect as a regression test.

A formula is *right* when it equals its quantity identically (as a function of the
worksheet's inputs and of an identity's variables), reading a number written in it as a
given or computed name when it is that name's value at the digits written.  The
expected verdicts here are decided by hand (the calculus is in each comment); the SymPy
oracle (`test_identities_oracle.py`) checks the same rules on generated worksheets.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scalargrad.grading import check
from scalargrad.worksheet import load, parse


def verdicts(text: str) -> dict[tuple[int, str], list[str]]:
    """The kinds of every claim's verdicts, by (line, subject)."""
    out: dict[tuple[int, str], list[str]] = {}
    for v in check(parse(text)).verdicts:
        out.setdefault((v.claim.line, v.claim.subject), []).append(v.kind)
    return out


def kinds_on(text: str, line: int) -> list[str]:
    return [k for (ln, _), ks in verdicts(text).items() if ln == line for k in ks]


# -- signs flip and kinks are crossed -----------------------------------------------------

def test_abs_for_a_sign_is_not_an_identity():
    # ∂(x²)/∂x = 2x; 2|x| equals it only where x ≥ 0
    assert kinds_on("x = 3\nL = x^2\n∂L/∂x = 2abs(x)\n∂L/∂x = 2x", 3) == ["true here only"]
    assert kinds_on("x = 3\nL = x^2\n∂L/∂x = 2abs(x)\n∂L/∂x = 2x", 4) == ["right"]


def test_abs_in_a_gradient_of_variables_is_not_an_identity():
    # ∇(x² + xy) = [2x + y, x]
    text = "f(x, y) = x^2 + x·y\n∇f(x, y) = [2abs(x) + y, abs(x)]\n∇f(x, y) = [2x + y, x]\nz = 0"
    assert kinds_on(text, 2) == ["true here only", "true here only"]
    assert kinds_on(text, 3) == ["right", "right"]


def test_a_missing_relu_derivative_is_true_here_only():
    # L = (relu(z) − y)²: ∂L/∂z = 2(h − y)·relu′(z), and relu′(z) = 0 for z < 0
    text = ("z = 0.5\ny = 2\nh = relu(z)\nL = (h - y)^2\n"
            "∂L/∂z = 2(h - y)\n∂L/∂z = 2(h - y) · ∂h/∂z")
    assert kinds_on(text, 5) == ["true here only"]
    assert kinds_on(text, 6) == ["right"]


def test_relu_of_an_interior_node_is_crossed():
    # h = relu(z), z = w·x + b, L = h²: ∂L/∂w = 2h·relu′(z)·x = 2h·x (h = 0 where relu′ = 0),
    # but 2z·x is 2h·x only where z > 0: the kink of an interior node must be crossed
    text = ("w = 0.3\nx = 2\nb = 0.1\nz = w·x + b\nh = relu(z)\nL = h^2\n"
            "∂L/∂w = 2h·x\n∂L/∂w = 2z·x")
    assert kinds_on(text, 7) == ["right"]
    assert kinds_on(text, 8) == ["true here only"]


# -- saturation does not hide a factor ----------------------------------------------------

def test_a_saturated_sigmoid_does_not_hide_a_factor():
    # ∂σ(z)/∂z = σ(1 − σ); 1 − σ differs from it by the factor σ ≈ 1 − 5e-9 at z = 19
    text = "u = 7\nv = -2.5\nz = 2(u - v)\ns = σ(z)\n∂s/∂z = 1 - s\n∂s/∂z = s(1 - s)"
    assert kinds_on(text, 5) == ["true here only"]
    assert kinds_on(text, 6) == ["right"]


# -- numbers substituted for names are not false alarms -----------------------------------

def test_a_given_substituted_into_a_formula_is_right():
    text = "y = 8\nŷ = 0.5\nL = (ŷ - y)^2\n∂L/∂ŷ = 2(ŷ - 8)\n∂L/∂ŷ = 2(ŷ - 7)\n∂L/∂ŷ = 2(8 - ŷ)"
    assert kinds_on(text, 4) == ["right"]
    assert kinds_on(text, 5) == ["wrong formula"]   # 7 is no name's value: 2(ŷ − 7) ≠ 2(ŷ − y)
    assert kinds_on(text, 6) == ["wrong formula"]   # the sign


def test_an_input_substituted_into_a_formula_is_right():
    # ŷ = w·x, L = (ŷ − y)²: ∂L/∂w = 2(ŷ − y)·x, with x = 2 written as 2
    text = ("x = 2\nw = 0.3\ny = 8\nŷ = w·x\nL = (ŷ - y)^2\n"
            "∂L/∂w = 2(ŷ - y) · 2\n∂L/∂w = 2(ŷ - y) · 3\n∂L/∂w = 2(ŷ - y)")
    assert kinds_on(text, 6) == ["right"]
    assert kinds_on(text, 7) == ["wrong formula"]
    assert kinds_on(text, 8) == ["wrong formula"]


def test_an_integer_stands_only_for_a_name_of_exactly_its_value():
    # x = 2.4 rounds to 2, but an integer is exact: 2(ŷ − y)·2 is not 2(ŷ − y)·x
    text = "x = 2.4\nw = 0.3\ny = 8\nŷ = w·x\nL = (ŷ - y)^2\n∂L/∂w = 2(ŷ - y) · 2"
    assert kinds_on(text, 6) == ["wrong formula"]


def test_rounded_values_computed_earlier_are_read_as_their_names():
    # seed 001: ∂L/∂v = ∂L/∂ŷ [1, f1, f2, f3] with f1, f2, f3 ≈ 0.52 written as 0.52
    path = Path(__file__).parent.parent / "scalargrad" / "worksheets" / "seed001_x1.txt"
    report = check(load(path))
    line = next(i for i, text in enumerate(path.read_text().splitlines(), 1)
                if text.startswith("∂L/∂v = [∂L/∂v0"))
    formulas = [v for v in report.verdicts
                if v.claim.line == line and v.claim.written == "∂L/∂ŷ [1, 0.52, 0.52, 0.52]"]
    assert len(formulas) == 4 and all(v.right for v in formulas), [v.kind for v in formulas]


def test_a_rounded_number_that_is_no_names_value_stays_a_number():
    # L = y·σ(e): ∂L/∂e = y·f(1 − f), f = σ(0.09) = 0.5225 written 0.52; 0.6 is no name's value
    text = ("e = 0.09\ny = 3\nf = σ(e)\nL = y·f\n"
            "∂L/∂e = y · 0.52(1 - 0.52)\n∂L/∂e = y · 0.6(1 - 0.6)")
    assert kinds_on(text, 5) == ["right"]
    assert kinds_on(text, 6) == ["wrong formula"]


# -- names defined through functions move at random points --------------------------------

FUNCTIONS = """\
G(t) = [t, t^2]
b = G(2) · [1, 0]
a = G(2)
x = 2
L = 3b^2 + x·b + x · (a · [1, 1])
"""


def test_names_defined_through_functions_are_moved():
    text = FUNCTIONS + ("∂L/∂b = 2b·3 + x\n∂L/∂x = b + a · [1, 1]\n∂L/∂x = b^2/2 + a · [1, 1]\n"
                        "∂L/∂a = [x, x]\n∂L/∂x = b + a · [3, 0]")
    assert kinds_on(text, 6) == ["right"]
    assert kinds_on(text, 7) == ["right"]
    assert kinds_on(text, 8) == ["true here only"]   # b²/2 = b at b = 2 only (2 is not b:
    # a number does not stand for a name the formula also writes by name)
    assert kinds_on(text, 9) == ["right", "right"]
    assert kinds_on(text, 10) == ["true here only"]  # a·[3, 0] = a·[1, 1] where a₂ = 2a₁


# -- paths through a function body --------------------------------------------------------

def by_line(text: str) -> dict:
    """The (last) verdict on each line."""
    return {v.claim.line: v for v in check(parse(text)).verdicts}


def test_a_path_through_a_function_body_counts():
    # r = F(3) = 3x, L = x·r = 3x²: ∂L/∂x = 6x = 12 at x = 2
    v = by_line("x = 2\nF(t) = t·x\nr = F(3)\nL = x·r\n∂L/∂x = 12\n∂L/∂x = 6x\n∂L/∂x = 3x")
    assert v[5].exact == 12 and v[5].right
    assert [v[6].kind, v[7].kind] == ["right", "wrong formula"]


# -- derivatives of gradient values -------------------------------------------------------

def test_derivatives_of_a_gradient_value():
    # g = f′(x) = 3x², ∂g/∂x = 6x = 12 at x = 2
    v = by_line("f(t) = t^3\nx = 2\ng = ∇f(x) = 3x^2\n∂g/∂x = 12\n∂g/∂x = 6x\n∂g/∂x = 3x^2")
    assert v[4].exact == 12 and v[4].right
    assert [v[3].kind, v[5].kind] == ["right", "right"]
    assert v[6].kind == "true here only"       # 3x² = 6x at x = 2 only


def test_derivatives_of_a_jacobian_value():
    # F(s, t) = [s·t, s²]: DF = [[t, s], [2s, 0]]; J₁₁ = t, J₂₁ = 2s
    text = ("F(s, t) = [s·t, s^2]\np = 3\nq = 0.5\nJ = DF(p, q)\n"
            "J11 = J · [1, 0] · [1, 0]\n∂J11/∂q = 1\nJ21 = J · [1, 0] · [0, 1]\n"
            "∂J21/∂p = 2\n∂J21/∂p = p - 1")
    kinds = verdicts(text)
    assert kinds[(6, "∂J11/∂q")] == ["right"]
    assert kinds[(8, "∂J21/∂p")] == ["right"]
    assert kinds[(9, "∂J21/∂p")] == ["true here only"]


# -- shapes are compared ------------------------------------------------------------------

SIX = "x = 1; y = 2; z = 3; u = 4; v = 5; w = 6\nA = [[x, y], [z, u], [v, w]]\n"


def test_a_formula_of_another_shape_is_a_wrong_formula():
    text = SIX + "D = A = [[x, y, z], [u, v, w]]\nE = A = [[x, z, v], [y, u, w]]ᵀ"
    assert kinds_on(text, 3) == ["wrong formula"] * 6
    assert kinds_on(text, 4) == ["right"] * 6


@pytest.mark.parametrize("formula", ["[x, y, z, u, v, w]", "[[x, y, z, u, v, w]]"])
def test_a_vector_for_a_matrix_is_a_wrong_formula(formula):
    assert kinds_on(SIX + f"D = A = {formula}", 3) == ["wrong formula"] * 6


@pytest.mark.parametrize("body, sympy_body", [
    ("σ(t)", "1/(1 + exp(-t))"), ("tanh(t)", "tanh(t)"), ("log(t)", "log(t)"),
    ("exp(t)", "exp(t)"), ("1 / t", "1/t"), ("t^0.5", "t**(1/2)"), ("t^(1/3)", "t**(1/3)"),
    ("2^t", "2**t"), ("t^t", "t**t"), ("relu(t) · t", "t**2"), ("abs(t) · t", "t**2"),
    ("-t^3 - t", "-t**3 - t"), ("t · t · t", "t**3"),
])
def test_a_gradient_value_differentiates_like_sympy(body, sympy_body):
    # ∂(∇f(x))/∂x = f″(x) for every operation the engine records (x = 1.7 > 0)
    import sympy as sp

    t = sp.Symbol("t")
    second = float(sp.diff(sp.sympify(sympy_body), t, 2).subs(t, sp.Rational(17, 10)))
    report = check(parse(f"f(t) = {body}\nx = 1.7\ng = ∇f(x)\n∂g/∂x = ?"))
    (verdict,) = [v for v in report.verdicts if v.claim.subject == "∂g/∂x"]
    assert verdict.exact == pytest.approx(second, rel=1e-12)


def test_a_jacobian_of_numbers_is_numbers():
    ws = parse("F(s, t) = [s·t, s^2]\nJ = DF(1, 2)\nz = 0")
    assert all(not entry.children for entry in ws.arrays["J"].entries)
    assert [entry.data for entry in ws.arrays["J"].entries] == [2, 1, 2, 0]


def test_readings_stop_at_their_budget(monkeypatch):
    # past MAX_READING_WORK every number is read as written: 8 is then only a number
    from scalargrad.grading import identities

    text = "y = 8\nŷ = 0.5\nL = (ŷ - y)^2\n∂L/∂ŷ = 2(ŷ - 8)"
    assert kinds_on(text, 4) == ["right"]
    monkeypatch.setattr(identities, "MAX_READING_WORK", 0)
    assert kinds_on(text, 4) == ["true here only"]


def test_a_given_substituted_twice_among_other_ones():
    # found by the SymPy oracle: c = 1 (and h1 = c² = 1) written as 1 in both 2·c, among
    # four other 1s: the right reading is a combination (81 of them in all)
    text = ("c = 1\nw = -0.3\nh1 = c^2\nh2 = tanh(h1)\nh4 = w · h1\nL = h2 - h4\n"
            "∂L/∂c = 1 · ((1 - h2^2) · (2 · 1)) + (-1) · (w · (2 · 1))")
    assert kinds_on(text, 7) == ["right"]
