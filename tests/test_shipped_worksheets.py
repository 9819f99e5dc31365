"""The shipped worksheets, typed in as the notes wrote them: the verdicts a reader of the
notes expects, line by line, and their exact values against numpy (seed 001) or central
finite differences (the formula worksheets)."""

from __future__ import annotations

import importlib.resources
import math
from pathlib import Path

import numpy as np
import pytest

from scalargrad.examples import SEED001_EXAMPLES, SEED001_V, SEED001_W
from scalargrad.grading import check
from scalargrad.grading.verdicts import Verdict
from scalargrad.worksheet import load, parse

SHIPPED = importlib.resources.files("scalargrad") / "worksheets"
NAMES = sorted(p.name for p in SHIPPED.iterdir() if p.name.endswith(".txt"))


def text(name: str) -> str:
    return (SHIPPED / name).read_text("utf-8")


def graded(name: str) -> dict[tuple[int, str, str], Verdict]:
    """Every verdict of a shipped worksheet by (line, what is claimed, what is written)."""
    report = check(load(str(SHIPPED / name)))
    return {(v.claim.line, v.claim.subject, v.claim.written): v for v in report.verdicts}


def kinds(verdicts: dict, line: int, subject: str, written: str, entries: list[str]) -> list:
    """The kinds of the verdicts on ``subject[entry]`` written ``written`` on ``line``."""
    return [verdicts[(line, f"{subject}[{e}]", written)].kind for e in entries]


def assert_all_right_except(verdicts: dict, wrong: set[tuple[int, str, str]]) -> None:
    flagged = {key for key, v in verdicts.items() if not v.right}
    assert flagged == wrong, sorted(flagged ^ wrong)


@pytest.mark.parametrize("name", NAMES)
def test_every_shipped_worksheet_checks(name):
    report = check(load(str(SHIPPED / name)))
    assert len(report.verdicts) >= (30 if name.startswith("seed") else 3), name
    assert all(math.isfinite(v.exact) for v in report.verdicts), name


# ---------------------------------------------------------------------------------------
# Seed 001, parts 1c and 1d, the three examples
# ---------------------------------------------------------------------------------------


def seed001_exact(n: int) -> dict[str, float]:
    """∂L/∂v, ∂ŷ/∂w, ∂L/∂w of example n by the notes' vector formulas, in numpy, keyed
    by the subject the checker gives each entry (1-based)."""
    (x1, x2), y = SEED001_EXAMPLES[n - 1]
    W, v, xb = np.array(SEED001_W), np.array(SEED001_V), np.array([1.0, x1, x2])
    f = 1 / (1 + np.exp(-(W @ xb)))
    y_hat = v[0] + v[1:] @ f
    dy = 2 * (y_hat - y)
    dy_dw = (v[1:] * f * (1 - f))[:, None] * xb[None, :]  # row j: vj fj(1 - fj) x
    exact = {"∂L/∂ŷ": dy}
    for k, z in enumerate(np.concatenate([[1.0], f]), start=1):
        exact |= {f"∂ŷ/∂v[{k}]": z, f"∂L/∂v[{k}]": dy * z}
    for j in range(3):
        for k in range(3):
            exact |= {f"∂ŷ/∂w[{j + 1},{k + 1}]": dy_dw[j, k],
                      f"∂L/∂w[{j + 1},{k + 1}]": dy * dy_dw[j, k],
                      f"∂L/∂W{j + 1}[{k + 1}]": dy * dy_dw[j, k]}
    return exact


@pytest.mark.parametrize("n", [1, 2, 3])
def test_seed001_backward_values_match_numpy(n):
    exact = seed001_exact(n)
    checked = 0
    for (_, subject, _), verdict in graded(f"seed001_x{n}.txt").items():
        if subject in exact:
            assert verdict.exact == pytest.approx(exact[subject], rel=1e-12), subject
            checked += 1
    assert checked > 60


def test_seed001_x1_vectors_as_the_notes_wrote_them():
    v = graded("seed001_x1.txt")
    ones, rows = ["1", "2", "3", "4"], [f"{j},{k}" for j in (1, 2, 3) for k in (1, 2, 3)]
    # ∂ŷ/∂v = [∂ŷ/∂v0, …] = [1, f1, f2, f3] = [1, 0.52, 0.52, 0.52]: every link right
    for written in ["[∂ŷ/∂v0, ∂ŷ/∂v1, ∂ŷ/∂v2, ∂ŷ/∂v3]", "[1, f1, f2, f3]"]:
        assert kinds(v, 45, "∂ŷ/∂v", written, ones) == ["right"] * 4
    assert kinds(v, 45, "∂ŷ/∂v", "0.52", ["2", "3", "4"]) == ["right"] * 3
    # the matrix of formulas vj fj(1 - fj) (1, x11, x12) is ∂ŷ/∂w, entry by entry
    formulas = next(k[2] for k in v if k[0] == 46 and k[2].startswith("[[v1 f1"))
    assert kinds(v, 46, "∂ŷ/∂w", formulas, rows) == ["right"] * 9
    # its numbers: the first row rounded, the others cut off (0.00748 for 0.007488)
    assert [v[(48, f"∂ŷ/∂w[{e}]", w)].kind for e, w in [
        ("1,1", "0.00499"), ("1,3", "0.00998"), ("2,1", "0.00748"), ("2,3", "0.0149"),
        ("3,3", "0.0199")]] == ["right", "right", "cut off", "cut off", "cut off"]
    # Δv = -15.88 [1, 0.52, 0.52, 0.52] = [-15.88, -8.25, -8.25, -8.25]: -8.25 is a slip
    assert kinds(v, 52, "∂L/∂v", "-8.25", ["2", "3", "4"]) == ["slip"] * 3
    assert v[(52, "∂L/∂v[1]", "-15.88")].kind == "cut off"
    # Δw = ∂L/∂ŷ ∂ŷ/∂w: the formula is right; of the numbers only -0.079 rounds right
    assert kinds(v, 54, "∂L/∂w", "∂L/∂ŷ ∂ŷ/∂w", rows) == ["right"] * 9
    assert kinds(v, 54, "∂L/∂w", "-0.079", ["1,1", "1,2"]) == ["right"] * 2
    assert not v[(54, "∂L/∂w[2,1]", "-0.1187")].right
    # 1d: the general Δv_j = Σ 2(y - ŷ)·z has the sign turned (Δw_j has it right)
    assert v[(58, "∂L/∂v1", "2(y - ŷ) · f1")].kind == "wrong formula"
    assert v[(59, "∂L/∂w10", "2(ŷ - y) · v1 · f1(1 - f1) × 1")].right
    # 2(0.0561 - 8)[1, 0.52, …] = [-15.888, -8.262, …]: right arithmetic on the student's
    # rounded numbers, so the numbers follow from the working
    assert kinds(v, 61, "∂L/∂v", "2(ŷ - y) · [1, f1, f2, f3]", ones) == ["right"] * 4
    assert kinds(v, 61, "∂L/∂v", "-8.262", ["2", "3", "4"]) == ["follows"] * 3
    # the dropped zero: (-15.888) × 0.02 × 0.52(1 - 0.52) · [1, 1, 2] = [-0.792, …]
    dropped = v[(63, "∂L/∂W1[1]", "-0.792")]
    assert dropped.kind == "arithmetic" and dropped.working == pytest.approx(
        -15.888 * 0.02 * 0.52 * (1 - 0.52))
    assert "the working gives -0.0793" in dropped.note
    assert kinds(v, 65, "∂L/∂W2", "-0.1187", ["1", "2"]) == ["slip"] * 2


def test_seed001_x2_the_prefactor_applied_twice_is_flagged():
    v = graded("seed001_x2.txt")
    rows = [f"{j},{k}" for j in (1, 2, 3) for k in (1, 2, 3)]
    # ∂L/∂w = ∂L/∂ŷ · ∂ŷ/∂w = -21.886 [[-0.1089, …]]: the matrix already holds ∂L/∂ŷ
    assert kinds(v, 50, "∂L/∂w", "∂L/∂ŷ · ∂ŷ/∂w", rows) == ["right"] * 9
    e4 = next(k[2] for k in v if k[0] == 50 and k[2].startswith("-21.886 [["))
    assert kinds(v, 50, "∂L/∂w", e4, rows) == ["wrong formula"] * 9
    twice = v[(50, "∂L/∂w[1,1]", e4)]
    assert "it gives 2.38339" in twice.note  # -21.886 × -0.1089, not -0.109
    # ∂ŷ/∂w for x2: right but for 0.02994 (0.029952); ∂L/∂ŷ = -21.886 right
    assert v[(36, "∂L/∂ŷ", "-21.886")].right
    assert v[(44, "∂ŷ/∂w[2,3]", "0.02244")].right
    assert not v[(44, "∂ŷ/∂w[3,3]", "0.02994")].right
    # -21.886 [1, 0.53, 0.52, 0.52] = [.., -11.38, ..]: f2 = 0.52498 rounded to 0.52 first
    assert v[(47, "∂L/∂v[3]", "-11.38")].kind == "follows"
    assert v[(47, "∂L/∂v[4]", "-11.38")].right


def test_seed001_x3_cut_off_numbers_and_the_written_out_dashes():
    v = graded("seed001_x3.txt")
    assert v[(31, "∂L/∂ŷ", "-19.886")].right
    assert kinds(v, 40, "∂ŷ/∂w", "0.00996", ["1,2", "1,3"]) == ["cut off"] * 2
    assert v[(43, "∂L/∂v[2]", "-10.539")].kind == "cut off"  # -19.886 × 0.53 = -10.5396
    assert [v[(46, f"∂L/∂w[{e}]", w)].kind for e, w in [
        ("1,1", "-0.099"), ("1,2", "-0.198"), ("2,1", "-0.148"), ("3,2", "-0.396")]] == [
        "right", "right", "cut off", "cut off"]


def test_seed001_vector_page():
    v = graded("seed001_vectors.txt")
    # wx = w x = [0.09, 0.08, 0.07]ᵀ; a = σ(wx), but the notes' σ(xw) multiplies the other
    # way round: wrong for the first two units, and right by coincidence for the third
    assert kinds(v, 19, "wx", "0.09", ["1"]) == ["right"]
    assert kinds(v, 21, "a", "σ(x w)", ["1", "2", "3"]) == [
        "wrong formula", "wrong formula", "true here only"]
    assert [v[(21, f"a[{e}]", w)].kind for e, w in [
        ("1", "0.52248"), ("2", "0.51998"), ("3", "0.5174")]] == ["right", "cut off", "cut off"]
    # ŷ = [0.01, …] [1, 0.52, 0.52, 0.52]ᵀ = 0.056: the working gives 0.0568
    y_hat = v[(23, "ŷ", "0.056")]
    assert y_hat.kind == "arithmetic" and y_hat.working == pytest.approx(0.0568)
    assert v[(28, "∂L/∂ŷ", "-15.888")].kind == "follows"  # 2(0.056 - 8)
    # ∂a1/∂w1 = a1(1 - a1) xᵀ = 0.249 [1, 1, 2] = [0.249, 0.249, 0.499]: right
    assert kinds(v, 33, "∂a1/∂w1", "a1(1 - a1) xᵀ", ["1", "2", "3"]) == ["right"] * 3
    assert kinds(v, 33, "∂a1/∂w1", "0.249", ["1", "2"]) == ["right"] * 2
    # -15.88 [1, 0.52, …] = [-15.88, -8.262, …]: -8.262 is -15.888 × 0.52, not -15.88 × 0.52
    assert kinds(v, 37, "∂L/∂v", "-8.262", ["2", "3", "4"]) == ["arithmetic"] * 3
    assert kinds(v, 37, "∂L/∂v", "∂L/∂ŷ · ∂ŷ/∂v", ["1", "2", "3", "4"]) == ["right"] * 4


def test_seed001_part2_gradient_jacobian_and_the_two_slips_that_cancel():
    v = graded("seed001_part2.txt")
    # a) ∇f(x, y) = [4(2x + 3y), 6(2x + 3y)]; b) DF(x, y) = [[2x, 2], [3, 8y]], DF(1, 2)
    assert kinds(v, 14, "∇f(x, y)", "[4(2x + 3y), 6(2x + 3y)]ᵀ", ["1", "2"]) == ["right"] * 2
    assert v[(14, "∇f(x, y)[2]", "[4(2x + 3y), 6(2x + 3y)]ᵀ")].exact == 6 * (2 + 6)
    jacobian = ["1,1", "1,2", "2,1", "2,2"]
    assert kinds(v, 19, "DF(x, y)", "[[2x, 2], [3, 8y]]", jacobian) == ["right"] * 4
    written = ["2", "2", "3", "16"]
    assert [v[(20, f"DF(1, 2)[{e}]", w)].exact for e, w in zip(jacobian, written)] == [
        2, 2, 3, 16]
    # c) f′(G(2)) = [[2 · 1, 2], [3, 8 · 4]]: 2x taken at x = 1, not at G(2)₁ = 2
    slip = v[(26, "DF(G(2))[1,1]", "[[2 · 1, 2], [3, 8 · 4]]")]
    assert slip.kind == "wrong formula" and slip.exact == 4 and "it gives 2" in slip.note
    assert v[(26, "DF(G(2))[2,2]", "32")].right
    # … [[2, 2], [3, 32]] [1, 4]ᵀ = [2 + 2·4, 3 + 128] = [12, 131]: 2 + 2·4 is 10, and 12
    # is right only because the two slips cancel
    twelve = v[(27, "D(F∘G)(2)[1]", "12")]
    assert twelve.kind == "arithmetic" and twelve.working == 10 and twelve.exact == 12
    assert v[(27, "D(F∘G)(2)[2]", "131")].right
    # method 2: F(G(x)) = [3x², 3x + 4x⁴], its derivative [6x, 3 + 16x³], at 2: [12, 131]
    assert all(verdict.right for key, verdict in v.items() if key[0] >= 30)
    assert [v[(32, f"D(F∘G)(2)[{k}]", w)].exact for k, w in [(1, "12"), (2, "131")]] == [
        12, 131]
    assert sum(not verdict.right for verdict in v.values()) == 4


# ---------------------------------------------------------------------------------------
# Seed 002: the 13 partial derivatives, as identities
# ---------------------------------------------------------------------------------------

SEED002 = {"x1": 0.6, "x2": -0.4, "y": 1.0, "w11": 0.1, "w12": -0.2, "b1": 0.1,
           "w21": 0.4, "w22": 0.2, "b2": -0.1, "w31": -0.3, "w32": 0.5, "b3": 0.2,
           "w41": 0.3, "w42": -0.5, "w43": 0.6, "b4": 0.05}
PARAMETERS = ["w11", "w12", "w21", "w22", "w31", "w32", "b1", "b2", "b3",
              "w41", "w42", "w43", "b4"]


def seed002_loss(p: dict[str, float]) -> tuple[float, float]:
    """(Loss, the output unit's input z) of the 2-3-1 sigmoid network, in plain Python."""
    def s(t: float) -> float:
        return 1 / (1 + math.exp(-t))

    g = [s(p[f"w{j}1"] * p["x1"] + p[f"w{j}2"] * p["x2"] + p[f"b{j}"]) for j in (1, 2, 3)]
    z = p["w41"] * g[0] + p["w42"] * g[1] + p["w43"] * g[2] + p["b4"]
    return 0.5 * (s(z) - p["y"]) ** 2, z


def test_seed002_instance_and_its_exact_derivatives_by_finite_differences():
    v = graded("seed002.txt")
    for name in PARAMETERS:
        h = 1e-6
        up, down = dict(SEED002), dict(SEED002)
        up[name] += h
        down[name] -= h
        slope = (seed002_loss(up)[0] - seed002_loss(down)[0]) / (2 * h)
        mine = [verdict for (_, subject, _), verdict in v.items() if subject == f"∂L/∂{name}"]
        assert mine and all(m.exact == pytest.approx(slope, rel=1e-6) for m in mine), name


def test_seed002_verdicts_flag_the_notes_slips_and_nothing_else():
    v = graded("seed002.txt")
    lines = text("seed002.txt").splitlines()

    def formula(line: int, subject: str, starts: str) -> tuple[int, str, str]:
        written = next(k[2] for k in v if k[:2] == (line, subject) and k[2].startswith(starts))
        return line, subject, written

    # the first page's ∂z/∂g(zh1) = W11 (the output weight is w41)
    wrong = {(42, "∂z/∂g1", "w11")}
    # the second page starts every partial with [ẑ - y] where ∂L/∂g(z) = g(z) - y
    for name in PARAMETERS:
        line = max(i for i, t in enumerate(lines, 1) if t.startswith(f"∂L/∂{name} ="))
        wrong.add(formula(line, f"∂L/∂{name}", "(z - y)"))
    # and chains ∂ẑ/∂zh (through the sigmoid twice) for w11, w12 and w21
    for line, name in [(46, "w11"), (47, "w12"), (48, "w21")]:
        wrong.add(formula(line, f"∂L/∂{name}", "∂L/∂g · ∂g/∂z · ∂z/∂zh"))
    assert_all_right_except(v, wrong)
    assert {v[key].kind for key in wrong} == {"wrong formula"}
    # what [ẑ - y] gives, against the exact value (the notes' factor (z - y) for (g - y))
    loss, z = seed002_loss(SEED002)
    g = 1 / (1 + math.exp(-z))
    w41 = v[formula(55, "∂L/∂w41", "(z - y)")]
    assert w41.exact == pytest.approx((g - 1) * g * (1 - g) * 0.5597136, rel=1e-6)
    assert f"it gives {(z - 1) * g * (1 - g) * 0.5597136:.6g}" in w41.note
    assert len(v) == 45 and loss == pytest.approx(0.0976340, rel=1e-6)


# ---------------------------------------------------------------------------------------
# Seeds 000 and 004: backprop in vector form, every formula an identity
# ---------------------------------------------------------------------------------------


def seed000_gradients() -> dict[str, np.ndarray]:
    x = np.array([0.5, -1.0])
    W1 = np.array([[0.1, -0.2], [0.3, 0.4], [-0.5, 0.2]])
    b1 = np.array([0.1, 0.2, -0.1])
    W2 = np.array([[0.2, -0.3, 0.1], [0.4, 0.1, -0.2]])
    b2 = np.array([0.05, -0.05])
    W3, b3, y = np.array([0.3, -0.6]), 0.1, 1.0

    def loss(W1=W1, b1=b1, W2=W2, b2=b2, W3=W3):
        h1 = 1 / (1 + np.exp(-(W1 @ x + b1)))
        h2 = 1 / (1 + np.exp(-(W2 @ h1 + b2)))
        return (W3 @ h2 + b3 - y) ** 2

    grads = {}
    for name, p in {"W1": W1, "b1": b1, "W2": W2, "b2": b2, "W3": W3}.items():
        g = np.zeros_like(p)
        for index in np.ndindex(p.shape):
            up, down = p.copy(), p.copy()
            up[index] += 1e-6
            down[index] -= 1e-6
            g[index] = (loss(**{name: up}) - loss(**{name: down})) / 2e-6
        grads[name] = g
    return grads


def test_seed000_deltas_give_every_gradient_by_finite_differences():
    v = graded("seed000.txt")
    assert all(verdict.right for verdict in v.values())
    grads = seed000_gradients()
    checked = 0
    for (_, subject, _), verdict in v.items():
        name, _, index = subject.removeprefix("∂L/∂").partition("[")
        if subject.startswith("∂L/∂") and name in grads:
            entry = tuple(int(i) - 1 for i in index.rstrip("]").split(","))
            g = grads[name]
            expected = g[entry] if g.ndim == len(entry) else g.reshape(-1)[entry[-1]]
            assert verdict.exact == pytest.approx(expected, rel=1e-5, abs=1e-9), subject
            checked += 1
    assert checked == 2 + 2 * 2 + 6 + 2 * 3 + 6  # W3, b2 (twice), W2, b1 (twice), W1


def test_seed004_softmax_gradient_by_finite_differences():
    v = graded("seed004.txt")
    # the relu mask [1, 0, 1] written for relu′(s1) holds at this point only (issue 17)
    wrong = {(line, verdict.kind) for (line, _, _), verdict in v.items() if not verdict.right}
    assert wrong == {(35, "true here only"), (37, "true here only"), (39, "true here only")}
    assert sum(not verdict.right for verdict in v.values()) == 3 + 3 + 6
    x = np.array([1.0, 2.0])
    W1 = np.array([[1, -1, 0.5], [0.5, -0.5, 0.25]])
    b1 = np.array([0.1, -0.1, 0.2])
    W2 = np.array([[0.5, -0.3, 0.2], [-0.4, 0.6, 0.1], [0.3, 0.2, -0.7]])
    b2 = np.array([0.0, 0.1, -0.1])

    def loss(W1=W1, W2=W2):
        s = np.maximum(0, x @ W1 + b1) @ W2 + b2
        return -np.log(np.exp(s[1]) / np.exp(s).sum())

    exact = {subject: verdict.exact for (_, subject, _), verdict in v.items()}
    for name, p in {"W1": W1, "W2": W2}.items():
        for j, k in np.ndindex(p.shape):
            up, down = p.copy(), p.copy()
            up[j, k] += 1e-6
            down[j, k] -= 1e-6
            slope = (loss(**{name: up}) - loss(**{name: down})) / 2e-6
            assert exact[f"∂L/∂{name}[{j + 1},{k + 1}]"] == pytest.approx(slope, rel=1e-5,
                                                                         abs=1e-9)


@pytest.mark.parametrize(("name", "right", "mutated"), [
    ("seed004.txt", "∂s2/∂x2 = W2ᵀ", "∂s2/∂x2 = W2"),                  # a transposed matrix
    ("seed004.txt", "∂L/∂s2 = p - [0, 1, 0]", "∂L/∂s2 = p - [1, 0, 0]"),  # the wrong class
    ("seed004.txt", "∂L/∂W2 = x2ᵀ (p - [0, 1, 0])", "∂L/∂W2 = x2ᵀ p"),  # a missing term
    ("seed000.txt", "δ2 = δ1 W3 ⊙ σ(z2) ⊙ (1 - σ(z2))", "δ2 = δ1 W3 ⊙ σ(z2)"),  # no σ′
    ("seed000.txt", "∂L/∂W1 = δ3ᵀ xᵀ", "∂L/∂W1 = -δ3ᵀ xᵀ"),             # a sign
    ("seed000.txt", "∂z2/∂h1 = W2", "∂z2/∂h1 = 2 W2"),                     # a factor
])
def test_the_formula_worksheets_catch_a_mutated_formula(name, right, mutated):
    """The small instances are not degenerate: a wrong formula does not pass."""
    source = text(name)
    assert right in source
    report = check(parse(source.replace(right, mutated)))
    flagged = {v.kind for v in report.verdicts if not v.right}
    assert flagged and flagged <= {"wrong formula", "true here only"}, mutated


def test_the_readme_states_each_shipped_worksheets_verdicts():
    readme = (Path(__file__).parent.parent / "README.md").read_text("utf-8")
    rows = [line.split(" | ") for line in readme.splitlines()
            if line.startswith("| `") and line.split(" | ")[0][3:-1] in NAMES]
    assert sorted(row[0][3:-1] for row in rows) == NAMES
    for row in rows:
        name, summary = row[0][3:-1], row[-1].removesuffix(" |")
        assert check(load(str(SHIPPED / name))).summary() == summary, name
