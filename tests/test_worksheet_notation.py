"""The notation of published worked examples (issue 18): each item parses and grades, a
right and a wrong version, against values computed here independently (math, mpmath,
SymPy, numpy, finite differences)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy
from mpmath import mp, mpf

from scalargrad.grading import check
from scalargrad.worksheet import WorksheetError, parse


def verdicts(text: str) -> dict[tuple[str, str], bool]:
    """(what is claimed, as written) → right?"""
    return {(v.claim.subject, v.claim.written): v.right for v in check(parse(text)).verdicts}


def sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-x))


# -- Euler's number ------------------------------------------------------------------------
@pytest.mark.parametrize("written", ["e^{-net}", "e^(-net)", "e^-net", "1/e^net", "e^(0-net)"])
def test_euler_e_is_the_exponential(written):
    ws = parse(f"net = 1.105905967\ny = {written}")
    assert ws.values["y"].data == pytest.approx(math.exp(-1.105905967), rel=1e-15)


def test_euler_e_grades_right_and_wrong_claims():
    exact = 1 / (1 + math.exp(2))  # 0.1192029…
    assert f"{exact:.4f}" == "0.1192"
    assert verdicts("x = -2\ns = 1/(1 + e^-x) = 0.1192\nt = 1/(1 + e^-x) = 0.1193") == {
        ("s", "0.1192"): True, ("t", "0.1193"): False}
    assert parse("L = e").values["L"].data == pytest.approx(math.e, rel=1e-15)


def test_a_worksheet_that_defines_e_keeps_it_and_e1_stays_a_name():
    ws = parse("a = 2; b = -3\ne = a*b\nd = e + 10 = 4\ne1 = 5\nL = e^2 + e1 = 41")
    assert ws.values["L"].data == 41.0  # (-6)² + 5, not exp(2) + 5
    assert check(ws).ok
    with pytest.raises(WorksheetError, match="unknown name 'e2'"):
        parse("L = e2 + 1")


# -- names with signs and primes ------------------------------------------------------------
def test_names_with_plus_and_primes():
    ws = parse("w5 = 0.4\nw5⁺ = w5 - 0.04 = 0.36\nw' = w₅⁺ * 2 = 0.72\nw'' = w' + 1")
    assert {"w5", "w5⁺", "w'", "w''"} <= set(ws.values)
    assert ws.values["w'"].data == pytest.approx(0.72)
    assert verdicts("w5 = 0.4\nw5⁺ = w5 - 0.04 = 0.37") == {("w5⁺", "0.37"): False}


@pytest.mark.parametrize(("written", "derivative"), [
    ("σ'(z)", lambda z: sigmoid(z) * (1 - sigmoid(z))),
    ("sigmoid'(z)", lambda z: sigmoid(z) * (1 - sigmoid(z))),
    ("tanh'(z)", lambda z: 1 - math.tanh(z) ** 2),
    ("exp'(z)", math.exp),
    ("log'(z)", lambda z: 1 / z),
    ("relu'(z)", lambda z: float(z > 0)),
])
def test_a_builtin_function_with_a_prime_is_its_derivative(written, derivative):
    for z in (0.7, 1.3):
        ws = parse(f"z = {z}\nd = {written}")
        assert ws.values["d"].data == pytest.approx(derivative(z), rel=1e-12)


def test_f_prime_is_the_derivative_of_a_function_of_the_worksheet():
    x = sympy.Symbol("x")
    exact = sympy.diff(3 * x**2 - 4 * x + 5, x).subs(x, sympy.Rational(3, 2))  # 5
    text = "f(x) = 3x^2 - 4x + 5\na = 1.5\nd = f'(a) = {}"
    assert verdicts(text.format(int(exact))) == {("d", "5"): True}
    assert verdicts(text.format(6)) == {("d", "6"): False}
    with pytest.raises(WorksheetError, match="2 parameters"):
        parse("g(x, y) = x*y\nd = g'(1, 2)")


# -- max, min and indicators -----------------------------------------------------------------
def gradients(text: str, top: str, names: list[str]) -> list[float]:
    """∂top/∂name for each name, claimed as '?' and read back from the checker's exact."""
    lines = [text, f"loss: {top}", *(f"∂{top}/∂{n} = ?" for n in names)]
    report = check(parse("\n".join(lines)))
    return [v.exact for v in report.verdicts]


@pytest.mark.parametrize(("z", "w"), [(2.0, -1.0), (-1.0, 2.0), (0.3, 0.7), (-0.5, -0.2)])
def test_max_and_min_values_and_gradients_against_finite_differences(z, w):
    text = f"z = {z}; w = {w}\nm = max(z, w)\nn = min(z, w)\nr = max(0, z)\nL = 2m + 3n + 5r"
    ws = parse(text)
    assert ws.values["m"].data == pytest.approx(max(z, w), abs=1e-15)
    assert ws.values["n"].data == pytest.approx(min(z, w), abs=1e-15)
    assert ws.values["r"].data == max(0.0, z)

    def loss(z, w):
        return 2 * max(z, w) + 3 * min(z, w) + 5 * max(0.0, z)

    h = 1e-6
    finite = [(loss(z + h, w) - loss(z - h, w)) / (2 * h),
              (loss(z, w + h) - loss(z, w - h)) / (2 * h)]
    assert gradients(text, "L", ["z", "w"]) == pytest.approx(finite, abs=1e-6)


def test_max_gate_claims_right_and_wrong():
    text = "x = 3; y = -4; z = 2; w = -1\nq = x*y + max(z, w) = -10\nf = 2q\n"
    assert verdicts(text + "∂f/∂z = 2\n∂f/∂w = 0") == {
        ("q", "-10"): True, ("∂f/∂z", "2"): True, ("∂f/∂w", "0"): True}
    assert verdicts(text + "∂f/∂w = 2")[("∂f/∂w", "2")] is False


@pytest.mark.parametrize(("written", "value"), [
    ("1(x > 0)", 1.0), ("1(x < 0)", 0.0), ("[x ≥ y]", 1.0), ("[y >= x]", 0.0),
    ("[x ≤ 0.5]", 1.0), ("1(x <= 0.4)", 0.0), ("1(x > y) * 3", 3.0),
])
def test_indicators(written, value):
    ws = parse(f"x = 0.5; y = -1\nk = {written}")
    assert ws.values["k"].data == value
    assert verdicts(f"x = 0.5; y = -1\nk = {written} = {value + 1:g}") == {
        ("k", f"{value + 1:g}"): False}


def test_a_comparison_outside_an_indicator_is_an_error_with_a_hint():
    with pytest.raises(WorksheetError, match="outside an indicator") as info:
        parse("x = 1\ny = x > 0")
    assert "1(x > 0)" in info.value.hint


# -- labels that look like calls ---------------------------------------------------------------
def test_labels_that_look_like_calls_are_names():
    net = 0.15 * 0.05 + 0.2 * 0.1 + 0.35
    text = ("i1 = 0.05; i2 = 0.10; w1 = 0.15; w2 = 0.20; b1 = 0.35\n"
            "net(h1) = w1 * i1 + w2 * i2 + b1 = 0.3775\n"
            "out(h1) = 1/(1 + e^-net(h1)) = {}\n")
    ws = parse(text.format("0.593269992"))
    assert "net(h1)" in ws.values and "out(h1)" in ws.values and not ws.functions
    assert ws.values["out(h1)"].data == pytest.approx(sigmoid(net), rel=1e-15)
    assert all(verdicts(text.format("0.593269992")).values())
    assert not verdicts(text.format("0.593269993"))[("out(h1)", "0.593269993")]


def test_a_label_given_a_number_is_a_name_not_a_constant_function():
    ws = parse("output(h1) = 0.593269992\nL = 2 * output(h1)")
    assert not ws.functions and ws.values["L"].data == pytest.approx(1.186539984)


def test_a_formula_that_uses_its_parameter_defines_a_function():
    ws = parse("f(x) = x^2\ng(x) = f(x) + 1\nh(t) = 5\nL = g(3) = 10")
    assert set(ws.functions) == {"f", "g"} and "h(t)" in ws.values
    assert check(ws).ok


@pytest.mark.parametrize("text", ["net(h1) = 0.5\ny = net(h2)", "f(x) = 5\ny = f(2)"])
def test_a_label_used_with_another_argument_is_an_error_with_a_hint(text):
    with pytest.raises(WorksheetError, match=r"is not a function: .* is a name") as info:
        parse(text)
    assert "define a function whose formula uses its parameter" in info.value.hint


# -- 1×1 results, MATLAB vectors, the outer product -------------------------------------------
def test_a_one_entry_bracket_claims_a_number():
    text = "h = [0.85, 0.48]\nw = [0.14, 0.15]\np = h · w = [{}]"
    assert verdicts(text.format("0.191")) == {("p", "0.191"): True}
    assert verdicts(text.format("0.192")) == {("p", "0.192"): False}


def test_matlab_brackets():
    ws = parse("c = [2; 3]\nr = [0.14 0.15]\nm = [1 2; 3 4]\nn = [-0.011 -0.012; 1 -1]\nL = 1")
    shapes = {k: (a.rows, a.cols) for k, a in ws.arrays.items()}
    assert shapes == {"c": (2, 1), "r": (1, 2), "m": (2, 2), "n": (2, 2)}
    assert [x.data for x in ws.arrays["n"].entries] == [-0.011, -0.012, 1.0, -1.0]
    assert ws.arrays["m"].entries[2].data == 3.0


@pytest.mark.parametrize(("written", "entries"), [
    ("[h1 h2]", [0.85, 0.48]), ("[w1 w3; w2 w4]", [1, 3, 2, 4]), ("[h1 -h2]", [0.85, -0.48]),
    ("[2h1 (h1 - h2)]", [1.7, 0.37]), ("[h1 - h2]", [0.37]), ("[h1(1 - h2)]", [0.85 * 0.52]),
    ("[(h1 -h2)]", [0.37]), ("[h1, 2 h2]", [0.85, 0.96]),
])
def test_in_a_bracket_without_commas_spaces_part_entries(written, entries):
    """MATLAB's reading: [h1 h2] is a row of two names; a product is written without a
    space (2h1, h1(1 - h2)) and a difference with spaces on both sides."""
    ws = parse(f"h1 = 0.85; h2 = 0.48; w1 = 1; w2 = 2; w3 = 3; w4 = 4\nA = {written}\nL = 1")
    assert [x.data for x in ws.arrays["A"].entries] == pytest.approx(entries, rel=1e-15)


@pytest.mark.parametrize("dot", ["·", ".", "@"])
def test_a_column_times_a_row_written_as_one_is_the_outer_product(dot):
    outer = np.outer([2, 3], [0.14, 0.15])  # [[0.28, 0.3], [0.42, 0.45]]
    ws = parse(f"D = [2; 3] {dot} [0.14 0.15]\nL = 1")
    got = np.array([x.data for x in ws.arrays["D"].entries]).reshape(2, 2)
    assert got == pytest.approx(outer, rel=1e-15)
    claimed = "[[0.28, 0.3], [0.42, 0.45]]"
    assert all(verdicts(f"D = [2; 3] {dot} [0.14 0.15] = {claimed}\nL = 1").values())
    wrong = verdicts(f"D = [2; 3] {dot} [0.14 0.15] = [[0.28, 0.3], [0.42, 0.46]]\nL = 1")
    assert [k for k, right in wrong.items() if not right] == [("D[2,2]", "0.46")]


def test_a_dot_before_a_list_or_a_name_stays_the_dot_product():
    ws = parse("a = [1, 2, 3]ᵀ\nb = a · [1, 0, 0]\nx = [4, 5]ᵀ\ny = [6, 7]ᵀ\nc = x · y\nd = x · yᵀ")
    assert ws.values["b"].data == 1.0 and ws.values["c"].data == 4 * 6 + 5 * 7
    assert "d" in ws.arrays  # transposed on purpose: a column times a row


# -- derivatives of formulas --------------------------------------------------------------------
def test_the_derivative_of_a_formula():
    text = "prediction = 0.191; actual = 1\nE = ½(prediction - actual)²\n" \
           "∂E/∂prediction = ∂(½(prediction - actual)²)/∂prediction = {}"
    assert all(verdicts(text.format("prediction - actual = -0.809")).values())
    wrong = verdicts(text.format("actual - prediction"))
    assert wrong == {("∂E/∂prediction", "∂(½(prediction - actual)²)/∂prediction"): True,
                     ("∂E/∂prediction", "actual - prediction"): False}


def test_d_dx_of_a_formula_against_sympy():
    x = sympy.Symbol("x")
    exact = float(sympy.diff(x**3 - 2 * x, x).subs(x, 1.5))  # 3x² − 2
    ws = parse("x = 1.5\ng = d/dx (x^3 - 2x)\nk = ∂/∂x (x^3 - 2x)")
    assert ws.values["g"].data == pytest.approx(exact)
    assert ws.values["k"].data == pytest.approx(exact)
    assert verdicts("x = 1.5\ng = d/dx (x^3 - 2x) = 3x^2 - 2 = 4.75") == {
        ("g", "3x^2 - 2"): True, ("g", "4.75"): True}
    assert verdicts("x = 1.5\ng = d/dx (x^3 - 2x) = 3x^2")[("g", "3x^2")] is False


def test_a_worksheet_that_defines_d_keeps_it():
    ws = parse("d = 4; dx = 2\nq = d/dx")
    assert ws.values["q"].data == 2.0


def test_a_written_out_sum_differentiated_through_its_terms():
    text = ("t1 = 0.01; t2 = 0.99; o1 = 0.75136507; o2 = 0.772928465\n"
            "E_total = ½(t1 - o1)² + ½(t2 - o2)²\n"
            "∂E_total/∂o1 = -(t1 - o1) = 0.74136507\n"
            "∂E_total/∂o2 = -(t2 - o2) = {}")
    assert all(verdicts(text.format("-0.217071535")).values())
    assert not verdicts(text.format("0.217071535"))[("∂E_total/∂o2", "0.217071535")]


def test_a_weight_updated_by_a_gradient():
    w, x, eta = 0.4, 0.6, 0.5
    grad = (w * x - 1) * x
    text = f"w = {w}; x = {x}; η = {eta}\nE = (w x - 1)^2 / 2\nloss: E\n" \
           "w⁺ = w - η · ∂E/∂w = {}\nE⁺ = (w⁺ x - 1)^2 / 2"
    right = f"{w - eta * grad:.4f}"
    assert verdicts(text.replace("{}", right)) == {("w⁺", right): True}
    assert verdicts(text.replace("{}", "0.5")) == {("w⁺", "0.5"): False}
    with pytest.raises(WorksheetError, match="defined in terms of itself"):
        parse("a = 1\nb = a - ∂b/∂a")


# -- the order of definitions -------------------------------------------------------------------
def test_a_function_may_come_before_a_name_that_shares_its_parameter():
    exact = 3 * (2 / 3) ** 2 - 4 * (2 / 3) + 5  # 3.6666…
    text = "f(x) = 3x^2 - 4x + 5\nx = 2/3\ny = f(x) = {}\nz = f(3.0) = 20.0"
    assert verdicts(text.format(f"{exact:.4f}")) == {("y", "3.6667"): True, ("z", "20.0"): True}
    assert verdicts(text.format("3.6"))[("y", "3.6")] is False


# -- givens known to the digits shown ------------------------------------------------------------
def test_a_rounded_given_accepts_what_its_rounding_allows():
    """y = 10 w1 − 3 w2 with w1 ≈ 0.2355, w2 ≈ 0.0665: y can be anything in
    [10·0.23545 − 3·0.06655, 10·0.23555 − 3·0.06645] = [2.15485, 2.15615]."""
    low = 10 * mpf("0.23545") - 3 * mpf("0.06655")
    high = 10 * mpf("0.23555") - 3 * mpf("0.06645")
    text = "w1 ≈ 0.2355\nw2 ≈ 0.0665\ny = 10 w1 - 3 w2 = {}"
    for claim in ("2.1560", "2.1549", "2.1555", "2.1561", "2.1548", "2.1570", "2.1562"):
        inside = mpf(claim) - mpf("0.00005") <= high and mpf(claim) + mpf("0.00005") >= low
        assert verdicts(text.format(claim)) == {("y", claim): bool(inside)}, claim
    # the same numbers given with '=' are exact: only 2.1555 (their own value) is right
    exact_text = "w1 = 0.2355\nw2 = 0.0665\ny = 10 w1 - 3 w2 = {}"
    assert verdicts(exact_text.format("2.1560")) == {("y", "2.1560"): False}
    assert verdicts(exact_text.format("2.1555")) == {("y", "2.1555"): True}


def test_a_rounded_given_claimed_again_is_a_claim():
    text = "w1 ≈ 0.2355\nw1 ≈ 0.24\nL = 2 w1"
    assert parse(text).rounded == {"w1": "0.2355"}
    assert verdicts(text) == {("w1", "0.24"): True}


def test_rounded_givens_through_nonlinear_functions():
    """σ, tanh and exp are increasing: the range is their values at the ends."""
    lo, hi = (1 / (1 + math.exp(-w)) + math.exp(w) for w in (0.23545, 0.23555))
    text = "w ≈ 0.2355\ny = σ(w) + e^w = {}"
    assert verdicts(text.format(f"{(lo + hi) / 2:.6f}")) == {("y", f"{(lo + hi) / 2:.6f}"): True}
    outside = f"{hi + 2e-6:.6f}"
    assert verdicts(text.format(outside)) == {("y", outside): False}


# -- the exact value is exact ---------------------------------------------------------------------
def test_a_cancelling_difference_is_graded_against_its_exact_value():
    with mp.workdps(50):
        x, h = mpf(2) / 3, mpf("0.000001")
        exact = ((3 * (x + h) ** 2 - 4 * (x + h) + 5) - (3 * x**2 - 4 * x + 5)) / h
        assert abs(exact - mpf("3e-6")) < mpf("1e-40")
    def f(x: float) -> float:
        return 3 * x**2 - 4 * x + 5

    floats = (f(2 / 3 + 1e-6) - f(2 / 3)) / 1e-6
    assert abs(floats - 3e-6) > 1e-12  # float64 cannot vouch for it
    text = "f(x) = 3x^2 - 4x + 5\nx = 2/3\nh = 0.000001\nd = (f(x + h) - f(x))/h = {}"
    artefact = repr(floats)
    report = check(parse(text.format(artefact)))
    (verdict,) = report.verdicts
    assert not verdict.right and verdict.exact == 3e-06
    assert artefact not in verdict.note and "3e-06" in verdict.note  # never contradicts it
    assert check(parse(text.format("3e-06"))).ok
    assert check(parse(text.format("3.000000000e-06"))).ok


def test_a_note_shows_the_digits_it_talks_about():
    (verdict,) = check(parse("a = 0.291027774\nb = a = 0.291027924")).verdicts
    assert verdict.note == "slip (your numbers give 0.2910277740)" or \
        verdict.note == "slip (your numbers give 0.291027774)"
    assert "0.291028)" not in verdict.note


def test_numeric_working_that_cancels_is_computed_exactly():
    """The working's own value is exact too: its float artefact is an arithmetic slip,
    and the exact 3e-06 after it is right (f(x + h) − f(x) = h(6x − 4 + 3h) = 3h²)."""
    working = "((3(2/3 + 0.000001)^2 - 4(2/3 + 0.000001) + 5) - (3(2/3)^2 - 4(2/3) + 5))/0.000001"
    text = "x = 2/3\nh = 0.000001\nd = ((3(x + h)^2 - 4(x + h) + 5) - (3x^2 - 4x + 5))/h = " \
        + working + " = {}"
    assert check(parse(text.format("3e-06"))).ok
    (verdict,) = check(parse(text.format("2.999378523327323e-06"))).verdicts
    assert verdict.kind == "arithmetic" and verdict.working == 3e-06


def test_a_derivative_is_exact_too():
    """∂L/∂c = a − b, with a − b cancelling in floats: 100000000.1 − 100000000 is 0.1
    exactly, while float64 gives 0.10000000149…"""
    assert 100000000.1 - 100000000 != 0.1
    text = "a = 100000000.1; b = 100000000; c = 2\nL = (a - b) c\n∂L/∂c = {}"
    assert check(parse(text.format("0.1000000000"))).ok
    (verdict,) = check(parse(text.format("0.1000000015"))).verdicts
    assert not verdict.right and verdict.exact == 0.1


def test_a_derivative_claimed_from_rounded_givens():
    """∂L/∂w for L = σ(3w)², w ≈ 0.2355: right if some w in [0.23545, 0.23555] gives it
    (the derivative is monotone there, so the range is between its values at the ends)."""
    def slope(w: float) -> float:
        s = sigmoid(3 * w)
        return 2 * s * s * (1 - s) * 3

    ends = [slope(w) for w in (0.23545, 0.2355, 0.23555)]
    assert ends in (sorted(ends), sorted(ends)[::-1])  # monotone over the range
    low, high = min(ends), max(ends)
    text = "w ≈ 0.2355\nx = 3\nL = σ(w x)^2\n∂L/∂w = {}"
    inside, outside = f"{(low + high) / 2 + 0.4 * (high - low):.7f}", f"{high + 2e-6:.6f}"
    assert verdicts(text.format(inside)) == {("∂L/∂w", inside): True}
    assert verdicts(text.format(outside)) == {("∂L/∂w", outside): False}
    exact_only = text.replace("≈", "=").format(inside)
    assert verdicts(exact_only) == {("∂L/∂w", inside): False}  # given exactly: one value
