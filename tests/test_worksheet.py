"""Worksheets: the format, its errors, and the checker on seed 001 (reference: math/numpy)."""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import pytest

import scalargrad as sg
from scalargrad.examples import SEED001_EXAMPLES, SEED001_V, SEED001_W
from scalargrad.grading import check
from scalargrad.grading.checker import MAX_STEPS
from scalargrad.grading.precision import cut_off, holds
from scalargrad.worksheet import MAX_BYTES, WorksheetError, expression, load, parse

SCALAR = Path(__file__).parent / "data"


def sheet(n: int):
    """Seed 001 example n with parts 1c and 1d one scalar at a time (the shipped worksheets
    write them in vectors: see test_shipped_worksheets.py)."""
    return load(str(SCALAR / f"seed001_x{n}_scalar.txt"))


def reference(n: int) -> dict[str, float]:
    """Exact values of seed 001 example n, by the notes' vector formulas in numpy."""
    (x1, x2), y = SEED001_EXAMPLES[n - 1]
    W, v, xb = np.array(SEED001_W), np.array(SEED001_V), np.array([1.0, x1, x2])
    e = W @ xb
    f = 1 / (1 + np.exp(-e))
    y_hat = v[0] + v[1:] @ f
    dy = 2 * (y_hat - y)
    ref = {"ŷ": y_hat, "∂L/∂ŷ": dy, "∂L/∂v0": dy, "∂ŷ/∂v0": 1.0}
    for j in range(3):
        s = f[j] * (1 - f[j])
        ref |= {f"e{j + 1}": e[j], f"f{j + 1}": f[j], f"h{j + 1}": f[j] * v[j + 1],
                f"∂L/∂v{j + 1}": dy * f[j], f"∂ŷ/∂v{j + 1}": f[j], f"∂f{j + 1}/∂e{j + 1}": s}
        for k in range(3):
            ref[f"∂ŷ/∂w{j + 1}{k}"] = v[j + 1] * s * xb[k]
            ref[f"∂L/∂w{j + 1}{k}"] = dy * v[j + 1] * s * xb[k]
            ref[f"∂f{j + 1}/∂w{j + 1}{k}"] = s * xb[k]
    return ref


def verdicts(n: int) -> dict[tuple[int, str, str], object]:
    return {(v.claim.line, v.claim.subject, v.claim.written): v for v in check(sheet(n)).verdicts
            if v.claim.form == "number"}


# ---------------------------------------------------------------------------------------
# The format
# ---------------------------------------------------------------------------------------


def test_a_page_of_notes_parses():
    ws = parse("x11 = 1; x12 = 2, w12 = 0.03\n"
               "a1 = x12 · w12 = 2 · (0.03) = 0.06   # 0.06\n"
               "f = Sigmoid(a1) = exp(0.06) / (1 + exp(0.06)) = 0.515\n"
               "ŷ = f × 2 − 1 ÷ 4; L = (ŷ - 8)^2\n"
               "dL/dŷ = 2(ŷ - 8) = -15.44; ∂L/∂a1 ≈ -0.1\n")
    assert ws.values["a1"].data == pytest.approx(0.06)
    assert ws.values["f"].data == pytest.approx(1 / (1 + math.exp(-0.06)))
    assert ws.values["ŷ"].data == pytest.approx(2 / (1 + math.exp(-0.06)) - 0.25)
    assert ws.loss == "L" and ws.root is ws.values["L"]
    assert [(c.subject, c.written, c.line) for c in ws.claims] == [
        ("a1", "0.06", 2), ("a1", "0.06", 2), ("f", "0.515", 3),
        ("∂L/∂ŷ", "-15.44", 5), ("∂L/∂a1", "-0.1", 5)]
    assert ws.values["a1"].label == "a1" and ws.values["ŷ"].label == "ŷ"


def test_functions_powers_and_implicit_products():
    ws = parse("x = 0.5\nf = x(1 - x)\ng = 2x^2\nh = -x**2\nk = σ(x) + TANH(x) + ln(x)\n"
               "m = relu(-x) + abs(-x) + exp(0)\nloss: f")
    assert ws.values["f"].data == pytest.approx(0.25)
    assert ws.values["g"].data == pytest.approx(0.5)
    assert ws.values["h"].data == pytest.approx(-0.25)
    expected = 1 / (1 + math.exp(-0.5)) + math.tanh(0.5) + math.log(0.5)
    assert ws.values["k"].data == pytest.approx(expected)
    assert ws.values["m"].data == pytest.approx(1.5)
    assert ws.loss == "f"


def test_sums_and_names_become_nodes_of_their_own():
    ws = parse("a = 1; b = 2; c = 3\ns = a + b + c\nt = a + b\nu = a")
    assert ws.values["s"].op == "sum" and len(ws.values["s"].children) == 3
    assert ws.values["t"].op == "+"
    u = ws.values["u"]
    assert u is not ws.values["a"] and u.children == (ws.values["a"],) and u.label == "u"


def test_subscripts_and_composed_names_are_normalised():
    ws = parse("x₁₂ = 2\ny\u0302 = x12 * 3")  # y + combining circumflex is ŷ
    assert ws.values["ŷ"].data == 6.0


def test_loss_defaults_to_the_last_definition():
    assert parse("a = 1\nb = a * 2").loss == "b"


def test_expression_for_the_command_line():
    root = expression("L = (y - t)^2", {"y": 0.8, "t": 1.0})
    assert root.label == "L" and root.data == pytest.approx(0.04)
    root.backward()
    with pytest.raises(WorksheetError, match=r"unknown name 'z'.*--at z=NUMBER"):
        expression("z + 1", {})


# ---------------------------------------------------------------------------------------
# Errors: one clear line with where and a hint
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "where", "message", "hint"), [
    ("a = 1 +", (1, 8), "expected a number", "missing operand"),
    ("a = (1", (1, 7), "expected ')'", "column 5 is not closed"),
    ("x = 1\ny = x $ 2", (2, 7), "unexpected character '$'", "formulas use"),
    ("x = 1\ny = z * 2", (2, 5), "unknown name 'z'", "define it"),
    ("x = 1\ny = sigmod(x)", (2, 5), "unknown name 'sigmod'", "did you mean sigmoid"),
    ("a = b * 2\nb = 1", (1, 5), "b is used before it is defined (on line 2)", "move"),
    ("a = 1\nb = c + a\nc = b", (2, 5), "c is used before it is defined", "cycle: b → c → b"),
    ("a = a + 1", (1, 5), "a is defined in terms of itself", ""),
    ("a = 1\na = 2", (2, 1), "a is already defined on line 1", "a ≈ NUMBER"),
    ("a = 2 ** 10**10", (1, 7), "too large", ""),
    ("a = 1e999", (1, 5), "number 1e999 is too large", ""),
    ("a = 1\nb = log(a - 1)", (2, 5), "log is defined only for positive numbers", ""),
    ("a = 1 / 0", (1, 7), "division by zero", ""),
    ("exp = 2", (1, 1), "'exp' is a function", ""),
    ("a = 1\nb = ∂b/∂a", (2, 5), "b is defined in terms of itself", ""),
    ("a = 1\nb = ∂c/∂a\nc = a", (2, 5), "c is used before it is defined", ""),
    ("a = 1 = ", (1, 7), "nothing after '='", ""),
    ("a + 1", (1, 1), "expected '='", "name = formula"),
    ("2 = a", (1, 1), "the left of '=' must be a name, a derivative or a function", ""),
    ("a = 1\nloss: b", (2, 7), "unknown name 'b'", ""),
    ("a = " + "(" * 500 + "1" + ")" * 500, (1, 5 + 100), "nested too deeply", ""),
    ("x = 1\ny = " + "x * " * 200 + "x", (2, 5), "nested too deeply", "split it"),
    ("# only a comment", (0, 0), "the worksheet defines nothing", ""),
])
def test_malformed_worksheets_say_where_and_why(text, where, message, hint):
    with pytest.raises(WorksheetError) as info:
        parse(text, "w.txt")
    err = info.value
    assert (err.line, err.column) == where
    assert message in err.message and hint in err.hint
    assert "\n" not in str(err) and str(err).startswith("w.txt")


def test_huge_exponents_do_not_hang():
    start = time.perf_counter()
    for text in ["a = 2 ** 10**10", "a = 2 ^ 9 ^ 9 ^ 9", "x = 1.0001\ny = x ** 1e300",
                 "a = 10 ** 308 * 10"]:
        with pytest.raises(WorksheetError, match="too large"):
            parse(text)
    assert time.perf_counter() - start < 1.0


def test_too_many_derivatives_to_check_is_refused_at_the_claim_that_overflows():
    # a chain x → a1 → … → a1500 with ∂ai/∂x claimed for every i needs Σ i ≈ 1.1 million
    # steps of backpropagation; the claim that takes the sum past MAX_STEPS is named
    n = 1500
    text = "\n".join(["x = 1.5", *(f"a{i} = {'a' + str(i - 1) if i > 1 else 'x'} * 1.001"
                                   for i in range(1, n + 1)),
                       *(f"∂a{i}/∂x = 1.0" for i in range(1, n + 1))])
    # ai depends on x, a1 … ai and i constants (1.001): 2i + 1 nodes
    over = next(i for i in range(1, n + 1) if sum(2 * k + 1 for k in range(1, i + 1)) > MAX_STEPS)
    with pytest.raises(WorksheetError, match="too much to check") as caught:
        check(parse(text, "chain.txt"))
    assert str(caught.value).startswith(f"chain.txt:{n + 1 + over}:")
    assert f"{MAX_STEPS:,} steps" in str(caught.value)


def test_huge_and_binary_files_are_refused(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("a = 1\n" * (MAX_BYTES // 6 + 1))
    with pytest.raises(WorksheetError, match="file too large"):
        load(big)
    binary = tmp_path / "bin.txt"
    binary.write_bytes(b"a = 1\n\xff\xfe")
    with pytest.raises(WorksheetError, match="not UTF-8"):
        load(binary)
    with pytest.raises(WorksheetError, match="cannot read"):
        load(tmp_path / "missing.txt")


# ---------------------------------------------------------------------------------------
# Precision and the checker
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("written", "exact", "right"), [
    ("0.52", 0.5225, True), ("0.52", 0.5251, False), ("0.015", 0.0155995, False),
    ("0.0156", 0.0155995, True), ("8", 8.49, True), ("8", 8.51, False),
    ("0.10", 0.104, True), ("0.10", 0.106, False), ("1.5e-3", 0.00154, True),
    ("1.5e-3", 0.00156, False), ("-15.88", -15.8865, False), ("-15.89", -15.8865, True),
    ("0.5", 0.25 + 0.25 + 0.05, True), ("0.6", 0.55, True), ("0.5", 0.55, True),
])
def test_a_claim_holds_at_the_precision_it_was_written_with(written, exact, right):
    assert holds(written, exact) is right


@pytest.mark.parametrize(("written", "exact", "cut"), [
    ("0.249", 0.2496, True), ("0.250", 0.2496, False), ("-15.88", -15.8878, True),
    ("0.00748", 0.007488, True), ("0.0749", 0.075, False),  # 0.075 is 0.07499… as a float
    ("0.015", 0.0156, False),  # two significant digits: a 4 % error is not a habit
    ("-0.792", -0.0792, False), ("12.3", math.nan, False), ("8", 8.7, False),
])
def test_a_claim_is_cut_off_when_it_truncates_at_three_or_more_digits(written, exact, cut):
    assert cut_off(written, exact) is cut


def test_check_accepts_honest_rounding_and_flags_the_slips_of_seed001_x1():
    v = verdicts(1)
    ref = reference(1)
    for key, verdict in v.items():  # exact values against numpy, right iff within ½ ulp
        name = key[1]
        if name in ref:
            assert verdict.exact == pytest.approx(ref[name], rel=1e-12), key
            tolerance = 0.5 * 10.0 ** verdict.claim.number.as_tuple().exponent
            assert verdict.right == (abs(ref[name] - float(key[2])) <= tolerance), key
    # honest rounding is accepted
    for key in [(19, "f1", "0.52"), (20, "h1", "0.0104"), (24, "f2", "0.52"),
                (29, "f3", "0.517"), (29, "f3", "0.52"), (29, "h3", "0.0207"),
                (52, "∂L/∂w10", "-0.079"), (65, "f1", "0.52248")]:
        assert v[key].right, key
    # h2 = 0.52 × 0.03 = 0.015: a slip (0.0156), the first wrong number
    h2 = v[(24, "h2", "0.015")]
    assert not h2.right and not h2.follows and h2.yours == pytest.approx(0.0156)
    # ŷ = 0.0104 + 0.015 + 0.0207 + 0.01 = 0.0561 is wrong, because of h2
    y_hat = v[(32, "ŷ", "0.0561")]
    assert not y_hat.right and y_hat.follows and y_hat.causes == (h2.claim,)
    assert y_hat.exact == pytest.approx(0.0567491, abs=1e-7)
    # ∂L/∂ŷ = 2(0.0561 − 8) = −15.88 is wrong even from their own ŷ (−15.8878)
    dy = v[(38, "∂L/∂ŷ", "-15.88")]
    assert not dy.right and not dy.follows and dy.yours == pytest.approx(2 * (0.0561 - 8))
    # −15.888 is what their ŷ gives: it follows from ŷ = 0.0561
    dy2 = v[(57, "∂L/∂ŷ", "-15.888")]
    assert dy2.follows and dy2.causes == (y_hat.claim,)
    # the dropped zero: Δw1 = [−0.792, …] for −0.0792
    dropped = v[(60, "∂L/∂w10", "-0.792")]
    assert not dropped.right and not dropped.follows
    # −0.1187 = −15.888 · 0.03 · 0.249: follows from their ∂L/∂ŷ and their σ′ = 0.249
    w20 = v[(73, "∂L/∂w20", "-0.1187")]
    assert w20.follows and {c.subject for c in w20.causes} == {"∂L/∂ŷ", "∂f2/∂e2"}
    # kinds: the two real slips stand out from the habit of cutting numbers off
    assert h2.kind == "arithmetic" and h2.working == pytest.approx(0.52 * 0.03)
    assert "the working gives 0.0156" in h2.note
    assert dropped.kind == "slip" and y_hat.kind == "follows"
    assert dy.kind == "cut off" and "rounds to -15.89" in dy.note  # −15.8878 → −15.88
    assert v[(68, "∂f2/∂e2", "0.249")].kind == "cut off"  # 0.2496 → 0.249
    # ∂L/∂w20 = ∂L/∂ŷ · ∂ŷ/∂w20 = −15.88 × 0.00748 = −0.118782, written −0.1187: the
    # student went through their own ∂ŷ/∂w20 (ŷ lies on every path from L to w20)
    through_y = v[(53, "∂L/∂w20", "-0.1187")]
    assert through_y.kind == "cut off" and through_y.yours == pytest.approx(-15.88 * 0.00748)
    summary = check(sheet(1)).summary()
    kinds = [verdict.kind for verdict in v.values()]
    # 87 numbers and 9 formulas (all right: a1 = x12·w12 … e3 = a3 + b3 + c3, 2(ŷ - y), …)
    assert summary == (f"96 claims: 44 right, 52 wrong ({kinds.count('slip')} slips, "
                       f"{kinds.count('follows')} follow from earlier numbers, "
                       f"{kinds.count('cut off')} cut off instead of rounded, "
                       "1 arithmetic slip)")


def test_a_derivative_through_an_earlier_one_counts_only_on_every_path():
    # L = 5σ(x·w): every path from L to w passes f, so ∂L/∂w = ∂L/∂f · ∂f/∂w with the
    # the student's ∂f/∂w = 0.458 gives 2.290: it follows from carrying 0.458 (exact 2.28784)
    v = check(parse("x = 2; w = 0.3\na = x * w\nf = sigmoid(a)\nL = 5f\n"
                    "∂f/∂w = 0.458\n∂L/∂w = 2.290")).verdicts
    assert v[0].right and v[1].kind == "follows" and v[1].yours == pytest.approx(5 * 0.458)
    # L = b + w with b = x·w: the path L → w skips b, so ∂L/∂b · ∂b/∂w = 2 is a slip (3)
    v = check(parse("x = 2; w = 1\nb = x * w\nL = b + w\n∂b/∂w = 2\n∂L/∂w = 2")).verdicts
    assert v[0].right and v[1].kind == "slip" and v[1].yours == 3


def test_cut_off_is_reported_separately_in_the_table():
    report = check(parse("x = 3\nf = sigmoid(x) = 0.952\ng = f * 3 = 2.857"))  # 0.95257, 2.8577
    assert [v.kind for v in report.verdicts] == ["cut off", "cut off"]
    assert "✗ cut off, not rounded (rounds to 0.953)" in report.table()
    assert report.summary() == "2 claims: 0 right, 2 wrong (2 cut off instead of rounded)"


@pytest.mark.parametrize("n", [1, 2, 3])
def test_every_exact_value_of_the_three_examples_matches_numpy(n):
    ref = reference(n)
    graded = check(sheet(n)).verdicts
    assert len(graded) > 40
    for verdict in graded:
        subject = verdict.claim.subject
        if subject in ref:
            assert verdict.exact == pytest.approx(ref[subject], rel=1e-12), subject
        else:  # a, b, c, d: sums and products of the given numbers
            assert subject[0] in "abcd" and verdict.right, subject


def test_second_and_third_examples_rounding_and_slips():
    v2, v3 = verdicts(2), verdicts(3)
    assert v2[(41, "∂ŷ/∂w22", "0.02244")].right  # 0.0224439
    assert v2[(36, "∂L/∂ŷ", "-21.886")].right
    rounded = v2[(24, "h2", "0.0156")]  # 0.52 × 0.03 with f2 = 0.52498 rounded too early
    assert not rounded.right and rounded.follows and rounded.causes == ()
    assert "follows from the numbers in its working (they give 0.0156)" in rounded.note
    assert v3[(31, "∂L/∂ŷ", "-19.886")].right
    assert not v3[(21, "h2", "0.015")].right and "slip" in v3[(21, "h2", "0.015")].note


def test_a_correct_worksheet_passes_and_the_table_says_so():
    ws = parse("x = 2; w = 0.03\na = x * w = 0.06\nL = a^2 = 0.0036\n"
               "dL/da = 2a = 0.12; dL/dw = 0.24; dL/dx = 0.0036")
    report = check(ws)
    assert report.ok
    table = report.table()
    assert table.count("✓") == 6 and "✗" not in table  # 5 numbers and the formula 2a
    assert table.endswith("6 claims: 6 right, 0 wrong\n")


def test_the_walkthrough_of_a_worksheet_is_a_worksheet_that_checks():
    """steps() output, pasted back in as a worksheet, has every claim right."""
    walk = sg.steps(sheet(1).root)
    text = "\n".join(s.text for s in walk)
    report = check(parse(text))
    # a claim for each of the 24 computed nodes and a derivative for each of the 40 nodes
    numbers = [v for v in report.verdicts if v.claim.form == "number"]
    assert len(numbers) == 24 + 40 and report.ok, report.table()
