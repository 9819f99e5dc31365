"""grad, jacobian and gradcheck: seed 001 part 2 (the vector computation graph) and more.

Expected values come from the derivatives worked by hand in the notes, written here as
formulas (∂/∂x (2x + 3y)² = 4(2x + 3y), ...), not from scalargrad.
"""

from __future__ import annotations

import numpy as np
import pytest

import scalargrad as sg
from scalargrad import Value
from scalargrad import engine as engine_module


def f_part_a(x, y):
    return (2 * x + 3 * y) ** 2


def big_f(x, y):
    """F(x, y) = (x² + 2y, 3x + 4y²), the notes' part 2b."""
    return [x**2 + 2 * y, 3 * x + 4 * y**2]


def big_g(x):
    """G(x) = (x, x²), the notes' part 2c."""
    return [x, x**2]


@pytest.mark.parametrize(("x", "y"), [(1.0, 2.0), (0.0, 0.0), (-1.5, 0.5), (3.0, -2.0)])
def test_grad_of_2x_plus_3y_squared(x, y):
    """Part 2a: ∇(2x + 3y)² = (4(2x + 3y), 6(2x + 3y))."""
    s = 2 * x + 3 * y
    assert sg.grad(f_part_a)(x, y) == pytest.approx((4 * s, 6 * s), rel=1e-14, abs=1e-14)


def test_grad_gives_zero_for_unused_inputs_and_constant_functions():
    assert sg.grad(lambda x, y: x * x)(3.0, 5.0) == (6.0, 0.0)
    assert sg.grad(lambda x, y: 7.0)(3.0, 5.0) == (0.0, 0.0)


def test_grad_does_not_accumulate_between_calls():
    gradient = sg.grad(f_part_a)
    assert gradient(1.0, 2.0) == gradient(1.0, 2.0) == (32.0, 48.0)


def test_jacobian_of_f_at_1_2_is_the_notes_matrix():
    """Part 2b: DF = [[2x, 2], [3, 8y]], at (1, 2) = [[2, 2], [3, 16]]."""
    assert sg.jacobian(big_f, [1.0, 2.0]) == [[2.0, 2.0], [3.0, 16.0]]


@pytest.mark.parametrize(("x", "y"), [(-0.5, 3.0), (2.0, -1.25)])
def test_jacobian_of_f_elsewhere(x, y):
    np.testing.assert_allclose(sg.jacobian(big_f, [x, y]), [[2 * x, 2.0], [3.0, 8 * y]])


def test_chain_rule_d_f_of_g_at_2_is_12_131_both_ways():
    """Part 2c: D(F∘G)(2) = DF(G(2))·DG(2) = [[2, 2], [3, 32]]·[1, 4]ᵀ = [12, 131]ᵀ,
    and method 2: F∘G(x) = (3x², 3x + 4x⁴), whose derivative (6x, 3 + 16x³) at 2 is the same.
    """
    g_at_2 = [2.0, 4.0]
    df = np.array(sg.jacobian(big_f, g_at_2))
    dg = np.array(sg.jacobian(big_g, [2.0]))
    assert df.tolist() == [[4.0, 2.0], [3.0, 32.0]]
    assert dg.tolist() == [[1.0], [4.0]]
    assert (df @ dg).tolist() == [[12.0], [131.0]]
    assert sg.jacobian(lambda x: big_f(*big_g(x)), [2.0]) == [[12.0], [131.0]]


@pytest.mark.parametrize("x", [-1.0, 0.5, 3.0])
def test_jacobian_of_composition_matches_method_2(x):
    direct = sg.jacobian(lambda t: big_f(*big_g(t)), [x])
    np.testing.assert_allclose(direct, [[6 * x], [3 + 16 * x**3]])


def test_jacobian_rows_do_not_leak_into_each_other():
    """Outputs share h = x·y:  F = (h, h·y),  DF = [[y, x], [y², 2xy]]."""

    def f(x, y):
        h = x * y
        return [h, h * y]

    assert sg.jacobian(f, [2.0, 3.0]) == [[3.0, 2.0], [9.0, 12.0]]


# --- gradcheck ---------------------------------------------------------------------------


@pytest.mark.parametrize(("f", "point"), [
    (f_part_a, [1.0, 2.0]),
    (lambda x, y: x * y.tanh(), [0.5, -1.0]),
    (lambda x, y: (x / y).log() + x**y, [1.5, 0.7]),
    (lambda x, y, z: sg.sum_values([x.sigmoid(), (y * z).exp(), abs(z)]), [0.3, -0.2, 1.1]),
    (lambda x: (x**-1.5).relu() * 2**x, [0.8]),
])
def test_gradcheck_passes_on_correct_functions(f, point):
    result = sg.gradcheck(f, point)
    assert result and result.ok and result.failures == ()
    assert len(result.inputs) == len(point)
    assert "DISAGREE" not in str(result)


def test_gradcheck_names_the_input_a_detached_copy_hides():
    """x·Value(x.data) treats the second x as a constant: backprop says x, the truth is 2x."""
    result = sg.gradcheck(lambda x, y: x * Value(x.data) + y, [1.5, -2.0])
    assert not result
    assert [c.index for c in result.failures] == [0]
    failure = result.failures[0]
    assert failure.backprop == 1.5
    assert failure.numeric == pytest.approx(3.0)
    rows = str(result).splitlines()
    assert "DISAGREE" in rows[1] and rows[2].endswith("ok")


def test_gradcheck_catches_a_wrong_local_derivative(monkeypatch):
    """With tanh' mistakenly taken as 1 − tanh (not 1 − tanh²), input 1 (y) disagrees."""
    right_tanh = engine_module._tanh

    def wrong_tanh(a):
        out, _ = right_tanh(a)
        return out, (1.0 - out,)

    monkeypatch.setattr(engine_module, "_tanh", wrong_tanh)
    result = sg.gradcheck(lambda x, y: x * y.tanh(), [0.5, -1.0])
    assert [c.index for c in result.failures] == [1]
    assert result.inputs[0].ok


def test_gradcheck_reports_the_relu_kink():
    """At 0 backprop uses relu'(0) = 0; the central difference sees the average slope ½."""
    result = sg.gradcheck(lambda x: x.relu(), [0.0])
    assert not result
    assert result.failures[0].backprop == 0.0
    assert result.failures[0].numeric == pytest.approx(0.5)


# --- what f must return ---------------------------------------------------------------------


@pytest.mark.parametrize(("output", "words"), [
    (lambda x, y: [x, y], ["grad: ", "must return one Value or number", "got list",
                           "sg.jacobian"]),
    (lambda x, y: None, ["got NoneType"]),
    (lambda x, y: "x", ["got str 'x'"]),
    (lambda x, y: x > y, ["got bool"]),
])
@pytest.mark.parametrize("transform", [lambda f: sg.grad(f)(1.0, 2.0),
                                       lambda f: sg.numeric_grad(f, [1.0, 2.0]),
                                       lambda f: sg.gradcheck(f, [1.0, 2.0])],
                         ids=["grad", "numeric_grad", "gradcheck"])
def test_a_function_that_does_not_return_a_scalar_is_a_type_error(transform, output, words):
    with pytest.raises(TypeError) as info:
        transform(output)
    assert "<lambda> must return one Value or number" in str(info.value)
    assert all(w in str(info.value) for w in words[1:])


@pytest.mark.parametrize(("f", "words"), [
    (lambda x, y: x * y, ["jacobian: <lambda> must return a list or tuple", "got Value",
                          "sg.grad"]),
    (lambda x, y: None, ["got NoneType"]),
    (lambda x, y: [x, "y"], ["jacobian (output 1): <lambda> must return one Value", "'y'"]),
])
def test_jacobian_of_a_function_that_does_not_return_a_list_is_a_type_error(f, words):
    with pytest.raises(TypeError) as info:
        sg.jacobian(f, [1.0, 2.0])
    assert all(w in str(info.value) for w in words)


def test_grad_and_jacobian_accept_numbers_among_the_outputs():
    assert sg.grad(lambda x, y: 3)(1.0, 2.0) == (0.0, 0.0)
    assert sg.jacobian(lambda x, y: (x * y, 2.0), [3.0, 5.0]) == [[5.0, 3.0], [0.0, 0.0]]
