"""Fuzzing the worksheet reader: any text either parses (and checks) or raises
WorksheetError, quickly; never another exception, never a hang."""

from __future__ import annotations

import importlib.resources
import time
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scalargrad.grading import check
from scalargrad.grading.precision import cut_off, holds
from scalargrad.worksheet import WorksheetError, expression, parse

SEED = (importlib.resources.files("scalargrad") / "worksheets" / "seed001_x1.txt") \
    .read_text(encoding="utf-8")
SEED_LINES = SEED.splitlines()
PIECES = ["=", "≈", "+", "-", "−", "*", "**", "^", "·", "×", "/", "(", ")", ";", ",", "#",
          ":", "∂", "d", "e", "1e", "9", "0.5", ".", "x", "ŷ", "sigmoid(", "exp(", "log(",
          "loss:", " ", "\n", "1e308", "-1", "10**10", "\t", "\x00", "é", "\u0302", "₁",
          # issue 18's notation
          "e^", "{", "}", "⁺", "'", "′", "max(", "min(", "1(", ">", "≥", "<=", "[", "]", "½",
          "∂(", "d/dx (", "≈ 0.2", "net(h1)", "σ'(", "f'(", "f(x) = ", "_{h1}", " . ", "[2; 3]",
          "[0.14 0.15]", " -0.5", "w ≈ 0.2355\n"]
BUDGET_SECONDS = 2.0


def assert_reads_cleanly(text: str) -> None:
    """Parse and check ``text``; only WorksheetError may come out, within the budget."""
    start = time.perf_counter()
    try:
        check(parse(text))
    except WorksheetError as err:
        assert "\n" not in str(err)
    assert time.perf_counter() - start < BUDGET_SECONDS


@settings(max_examples=200)
@given(st.text(max_size=200))
def test_random_text(text):
    assert_reads_cleanly(text)


@settings(max_examples=300)
@given(st.lists(st.sampled_from(PIECES), max_size=60).map("".join))
def test_random_tokens(text):
    assert_reads_cleanly(text)


PUBLISHED_LINES = (importlib.resources.files("scalargrad") / "worksheets"
                   / "mazur_step_by_step.txt").read_text(encoding="utf-8").splitlines()


@st.composite
def mutated_seed(draw, original: list[str] = SEED_LINES):
    """A worksheet (seed 001's) with a few random edits: delete, insert, duplicate, swap."""
    lines = list(original)
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        edit = draw(st.sampled_from(["delete", "insert", "duplicate", "swap", "cut"]))
        if edit == "delete":
            del lines[i]
        elif edit == "insert":
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at] + draw(st.sampled_from(PIECES)) + lines[i][at:]
        elif edit == "duplicate":
            lines.insert(i, lines[i])
        elif edit == "swap":
            j = draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        else:
            at = draw(st.integers(0, len(lines[i])))
            lines[i] = lines[i][:at]
        if not lines:
            break
    return "\n".join(lines)


@settings(max_examples=100)
@given(mutated_seed())
def test_mutations_of_a_real_worksheet(text):
    assert_reads_cleanly(text)


@settings(max_examples=100)
@given(mutated_seed(PUBLISHED_LINES))
def test_mutations_of_a_published_worksheet(text):
    """Mazur's example (Euler's e, w5⁺, ½, updates by a gradient) with random edits."""
    assert_reads_cleanly(text)


@settings(max_examples=300)
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_random_expressions(text):
    try:
        expression(text, {"x": 0.5, "d": 2.0, "e": -1.0})
    except WorksheetError as err:
        assert "\n" not in str(err)


@settings(max_examples=300)
@given(st.decimals(allow_nan=False, allow_infinity=False).map(str), st.floats())
def test_any_claim_against_any_float_grades_without_error(written, value):
    """Long claims (30 digits), huge and tiny exponents, nan and inf never raise; a claim
    that is cut off lies within one unit of its last digit below the value, same sign."""
    right, cut = holds(written, value), cut_off(written, value)
    assert isinstance(right, bool) and isinstance(cut, bool)
    if cut:
        claim, exact = Decimal(written), Decimal(value)
        unit = Decimal(1).scaleb(claim.as_tuple().exponent)
        assert (claim > 0) == (exact > 0)
        assert abs(claim) - unit * Decimal("1e-9") <= abs(exact) * (1 + Decimal("1e-11"))
        assert abs(exact) < abs(claim) + unit


@pytest.mark.parametrize("text", [
    "a = " + "[" * 99 + "1" + "]" * 99,                       # every bracket may be [x ≥ y]
    "a = " + "1(" * 99 + "1" + ")" * 99,                      # every 1( may be an indicator
    "x = 1\na = " + "1(" * 60 + "x > 0" + ")" * 60,
    "a = " + "[1 " * 90 + "]" * 90,
    "a = " + "max(1, " * 99 + "1" + ")" * 99,
    "a = " + "∂(" * 60 + "x" + ")/∂x" * 60,
    "x = 2\na = " + "e^" * 99 + "x",
])
def test_deep_new_notation_reads_quickly(text):
    """Issue 18's notation nested to the depth limit: an answer within the budget (the
    parser never reads a bracket twice to decide what it is)."""
    assert_reads_cleanly(text)
