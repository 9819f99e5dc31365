"""Exercises: variants drawn per seed, their handouts, answer keys and index.

The answers are checked by `scalargrad check` (the grader), and the leaves' draws against
their ranges; the blank chart's SVG is read for any number that would give an answer away.
"""

from __future__ import annotations

import html
import math
import re
import shlex
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import scalargrad as sg
from scalargrad.calculus import partials
from scalargrad.chart.style import format_number
from scalargrad.classroom.exercises import write_exercise
from scalargrad.classroom.variants import (
    Drawing,
    ExerciseError,
    degenerate,
    formula_text,
    from_expression,
    load_template,
    make_variants,
    parse_range,
    rounded,
)
from scalargrad.cli import main
from scalargrad.engine import topological_order
from scalargrad.grading import check
from scalargrad.worksheet import WorksheetError, load, parse

SHIPPED = Path(sg.__file__).parent / "worksheets"
SEED001 = SHIPPED / "seed001_x1.txt"
ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs" / "exercises"
SEED001_DRAWING = Drawing(("x11", "x12", "y"), {"*": parse_range("0.01:0.09", 2)})


def seed001_variants(count: int = 5, seed: str = "001"):
    return make_variants(load_template(SEED001), count, seed, SEED001_DRAWING)


# ---------------------------------------------------------------------------------------
# Drawing variants
# ---------------------------------------------------------------------------------------


def test_the_same_seed_gives_the_same_variants_and_another_seed_others():
    first, again = seed001_variants(), seed001_variants()
    assert [v.leaves for v in first] == [v.leaves for v in again]
    assert [v.text() for v in first] == [v.text() for v in again]
    other = seed001_variants(seed="002")
    assert [v.leaves for v in other] != [v.leaves for v in first]
    assert len({tuple(v.leaves.values()) for v in first}) == len(first), "variants repeat"
    # Variant k does not depend on how many are made: a class of 3 is the first 3 of 5.
    assert [v.leaves for v in seed001_variants(3)] == [v.leaves for v in first[:3]]


def test_shipped_exercises_are_what_their_command_makes_now(tmp_path):
    """The exercises in docs/exercises were made on another machine: the command recorded
    in their index makes the same worksheets here (same seed, same variants everywhere)."""
    indexes = sorted(DOCS.glob("*/index.md"))
    assert len(indexes) >= 2
    for index in indexes:
        command = re.search(r"Made with `scalargrad (.*?)`", index.read_text("utf-8"))[1]
        args = shlex.split(command)
        out = args.index("-o")
        args[out + 1] = str(tmp_path / index.parent.name)
        args = [str(ROOT / a) if (ROOT / a).is_file() else a for a in args]
        assert main([*args, "--no-pdf"]) == 0
        for shipped in sorted(index.parent.glob("variant-*/*.txt")):
            made = tmp_path / index.parent.name / shipped.relative_to(index.parent)
            assert made.read_text("utf-8") == shipped.read_text("utf-8"), shipped


def test_leaves_are_kept_or_drawn_from_their_ranges_with_their_decimals():
    template = load_template(SEED001)
    drawing = Drawing(("x1*", "y"), {"*": parse_range("0.01:0.09"),
                                     "v*": parse_range("-2:2", 1)})
    for variant in make_variants(template, 20, 7, drawing):
        for name, text in variant.leaves.items():
            number = Decimal(text)
            if name in ("x11", "x12", "y"):
                assert text == template.leaves[name]
            elif name.startswith("v"):
                assert -2 <= number <= 2 and number.as_tuple().exponent >= -1, (name, text)
            else:
                assert Decimal("0.01") <= number <= Decimal("0.09"), (name, text)
                assert number.as_tuple().exponent == -2


def test_by_default_a_leaf_is_drawn_like_its_own_number():
    template = from_expression("o = tanh(x*w + b)", {"x": 2, "w": -3, "b": 6.88})
    for variant in make_variants(template, 30, 3):
        x, w, b = (Decimal(variant.leaves[n]) for n in ("x", "w", "b"))
        assert 1 <= x <= 9 and x == int(x)
        assert -9 <= w <= -1 and w == int(w)
        assert 1 <= b <= Decimal("9.99") and b.as_tuple().exponent == -2


@pytest.mark.parametrize("keep, ranges, message", [
    (("nope",), {}, "no leaf matches 'nope'"),
    (("*",), {}, "every leaf is kept"),
    ((), {"*": "0.09:0.01"}, "is empty"),
    ((), {"*": "0.015:0.02"}, "more decimals than 2"),
    ((), {"*": "a:b"}, "LOW:HIGH"),
])
def test_bad_options_get_clear_errors(keep, ranges, message, tmp_path):
    with pytest.raises(ExerciseError, match=message):
        sg.exercise(SEED001, tmp_path, keep=keep, ranges=ranges,
                    decimals=2 if "0.015" in str(ranges) else None, pdf=False)


def test_a_source_that_always_overflows_says_why():
    template = from_expression("L = exp(x * w)", {"x": 1, "w": 1})
    with pytest.raises(ExerciseError, match=r"variant 1: no good draw .* too large"):
        make_variants(template, 1, 1, Drawing((), {"*": parse_range("300:900")}))


RELU_NET = from_expression("L = (relu(x * w + b) - t)^2 + relu(w - b) * abs(x - t)",
                           {"x": 1, "w": -1, "b": 1, "t": 1})
"""Small integers make degenerate draws common: relu at 0, abs at 0, zero gradients."""


def _first_degenerate_reason(template, ranges: dict, tries: int = 200) -> str:
    """Degenerate draws do happen in this template (so the property below means something)."""
    import random

    rng = random.Random(0)
    for _ in range(tries):
        leaves = {n: f"{r.draw(rng):f}" for n, r in ranges.items()}
        from scalargrad.classroom.variants import Variant, _solve
        reason = degenerate(Variant(template, 1, "0", leaves, _solve(template, leaves)))
        if reason:
            return reason
    return ""


@given(st.integers(min_value=0, max_value=10**9))
def test_degenerate_draws_never_appear(seed):
    ranges = {"*": parse_range("-2:2")}
    for variant in make_variants(RELU_NET, 3, seed, Drawing((), ranges)):
        order = topological_order(variant.root)
        grads = partials(variant.root)
        for node in order:
            assert math.isfinite(node.data) and math.isfinite(grads.get(node, 0.0))
            if node.op in ("relu", "abs"):
                assert node.children[0].data != 0, "a kink exactly at 0"
            if not node.constant:
                assert grads.get(node, 0.0) != 0, f"∂L/∂{node.label or node.op} is 0"


def test_the_degenerate_property_is_not_vacuous():
    reason = _first_degenerate_reason(RELU_NET, {n: parse_range("-2:2") for n in "xwbt"})
    assert reason, "these ranges should produce degenerate draws to reject"


def test_every_answer_key_checks_all_right(tmp_path):
    for variant in seed001_variants(10):
        key = tmp_path / f"key{variant.number}.txt"
        key.write_text(variant.text(answers=True), encoding="utf-8")
        report = check(load(key))
        assert report.ok and len(report.verdicts) == len(variant.template.asks)
        assert main(["check", str(key)]) == 0


def test_every_node_is_asked_and_named():
    """Every value computed and every ∂L/∂node (∂L/∂L too), whatever the source claims;
    the ŷ - y of L = (ŷ - y)^2, unnamed in the source, is t1."""
    template = load_template(SEED001)
    names = set(template.definitions)
    assert names == set(load(SEED001).below("L")) | {"L", "t1"}
    computed = names - set(template.leaves)
    assert {name for top, name in template.asks if top is None} == computed
    assert {name for top, name in template.asks if top == "L"} == names
    assert formula_text(template.definitions["L"].formula) == "t1^2"
    assert formula_text(template.definitions["t1"].formula) == "ŷ - y"


@pytest.mark.parametrize("formula", [
    "a + (b - c)", "(a + b) + c", "a + b + c", "a - b - c", "a - (b - c)", "-(a^2)",
    "(-a)^2", "a^-1", "c^a^2", "(c^a)^2", "a / (b * c)", "a / b * c", "2(a - b)",
    "sigmoid(a · b + c)", "-a · b", "(a + b)(a - b)", "abs(a - 2) / exp(-b)",
])
def test_a_formula_written_back_reads_as_the_same_formula(formula):
    values = {"a": 1.5, "b": -0.7, "c": 2.25}
    original = parse(f"a = 1.5; b = -0.7; c = 2.25\nz = {formula}")
    text = formula_text(original.definitions["z"].formula)
    again = parse(f"a = 1.5; b = -0.7; c = 2.25\nz = {text}")
    assert formula_text(again.definitions["z"].formula) == text
    assert again.root.data == original.root.data
    grads = partials(again.root), partials(original.root)
    assert [grads[0].get(again.values[n], 0.0) for n in values] == \
           [grads[1].get(original.values[n], 0.0) for n in values]
    assert len(topological_order(again.root)) == len(topological_order(original.root))


@pytest.mark.parametrize("x, text", [
    (0.04, "0.04"), (1.0, "1"), (-15.6432, "-15.64"), (1234567.8, "1234568"),
    (0.1777123, "0.1777"), (2.5e-07, "0.00000025"), (-0.00098765, "-0.0009877"),
    (0.15000000000000002, "0.15"), (63.1000001, "63.1"), (1200.3, "1200"),
])
def test_answers_are_rounded_to_four_significant_digits(x, text):
    assert rounded(x) == text


# ---------------------------------------------------------------------------------------
# The files
# ---------------------------------------------------------------------------------------

NUMBER = re.compile(r"(?<![\w.])[−-]?\d+(?:\.\d+)?(?:e[−+-]?\d+)?(?![\w.])")
"""A number standing alone (not the 12 of the label w12)."""


def svg_numbers(svg: str) -> set[str]:
    """Every number in the SVG's texts and tooltips (its coordinates left out)."""
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    texts += re.findall(r'xlink:title="([^"]*)"', svg)
    return {n.replace("−", "-") for t in texts for n in NUMBER.findall(html.unescape(t))}


def answer_texts(variant) -> set[str]:
    """Each answer (every value and ∂L/∂node of the chart) at 1 to 6 significant digits."""
    root = variant.root
    grads = partials(root)
    exact = [n.data for n in topological_order(root) if n.op]
    exact += [grads.get(n, 0.0) for n in topological_order(root) if not n.constant]
    return {format_number(x, d).replace("−", "-") for x in exact for d in range(1, 7)}


def test_the_blank_chart_gives_no_answer_away(tmp_path):
    variant = seed001_variants(1)[0]
    written = write_exercise(variant.template, [variant], tmp_path, pdf=False)
    svg = (written.folders[0] / "chart.svg").read_text("utf-8")
    shown = svg_numbers(svg)
    given = {format_number(float(v), 4).replace("−", "-") for v in variant.leaves.values()}
    assert shown <= given, shown - given
    order = topological_order(variant.root)
    boxes = re.findall(r'id="a_v\d+_(?:data|grad)"', svg)
    assert len(boxes) == sum(1 for n in order if n.op) + len(order), "a box for each number"
    # The solution's chart, the same numbers filled in, would fail that test.
    solution = svg_numbers((written.folders[0] / "solution.svg").read_text("utf-8"))
    assert solution & answer_texts(variant) - given


def test_each_variant_gets_its_files_and_the_index_names_them(tmp_path):
    variants = seed001_variants(3)
    written = write_exercise(variants[0].template, variants, tmp_path, pdf=False,
                             command="scalargrad exercise ...")
    index = written.index.read_text("utf-8")
    for variant, folder in zip(variants, written.folders):
        assert {p.name for p in folder.iterdir()} >= {
            "chart.svg", "handout.md", "handout.tex", "worksheet.txt", "key.txt",
            "solution.md", "solution.svg"}
        row = next(line for line in index.splitlines() if line.startswith(f"| {variant.number} |"))
        assert f"| 001/{variant.number} |" in row and folder.name in row
        assert variant.leaves["w10"] in row
        blank = (folder / "worksheet.txt").read_text("utf-8")
        assert blank.count("= ?") == len(variant.template.asks)
        handout = (folder / "handout.md").read_text("utf-8")
        assert "![The chart to fill in](chart.svg)" in handout and "## Working" in handout
        assert f"w10 = {variant.leaves['w10']}" in handout
        solution = (folder / "solution.md").read_text("utf-8")
        assert "Backward pass" in solution and rounded(variant.root.data) in solution
    assert "scalargrad exercise ..." in index and "x11 = 1" in index  # kept leaves


def test_the_handouts_compile_to_pdf(tmp_path, needs):
    needs(shutil.which("pdflatex") is not None, "pdflatex", "apt-get install texlive-latex-base")
    needs(shutil.which("dot") is not None, "Graphviz", "apt-get install graphviz")
    variants = seed001_variants(2)
    written = write_exercise(variants[0].template, variants, tmp_path, pdf=True,
                             paper="letter")
    assert written.pdf
    assert (tmp_path / "handouts.pdf").read_bytes()[:5] == b"%PDF-"
    one = written.folders[1] / "handout.tex"  # one variant's handout compiles alone too
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                           one.name], cwd=one.parent, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]
    assert "(5 pages" in done.stdout, "the question, then the chart on four pages"
    assert (one.parent / "handout.pdf").read_bytes()[:5] == b"%PDF-"


def test_the_command_line_makes_an_exercise_from_an_expression(tmp_path, capsys):
    out = tmp_path / "ex"
    status = main(["exercise", "L = (x*w - t)^2", "--at", "x=2", "w=0.5", "t=1",
                   "--variants", "2", "--seed", "9", "-o", str(out), "--no-pdf"])
    assert status == 0, capsys.readouterr().err
    assert "wrote 2 variants" in capsys.readouterr().out
    key = out / "variant-02" / "key.txt"
    assert main(["check", str(key)]) == 0
    assert main(["exercise", "L = x*w", "--at", "x=2", "w=1", "--range", "w=1:x",
                 "-o", str(out)]) == 2
    assert "LOW:HIGH" in capsys.readouterr().err


@pytest.mark.parametrize("args, message", [
    (["seed001_x1.txt", "--at", "x=1"], "--at gives the values of an expression's names"),
    (["seed001_x1.txt", "--decimals", "2"], "--decimals goes with --range"),
    (["seed001_x1.txt", "--variants", "0"], "at least 1"),
    (["seed001_x1.txt", "--keep", "q*"], "no leaf matches 'q*'"),
    (["L = x*w", "--at", "x=2"], "unknown name 'w'"),
])
def test_bad_command_lines_get_one_clear_line(args, message, tmp_path, capsys):
    assert main(["exercise", *args, "-o", str(tmp_path / "out"), "--no-pdf"]) == 2
    error = capsys.readouterr().err.splitlines()[-1]  # after a note on a shipped file
    assert error.startswith("scalargrad exercise: error: ") and message in error, error


# ---------------------------------------------------------------------------------------
# A worksheet to fill in: ? is a blank, graded "unanswered"
# ---------------------------------------------------------------------------------------


def test_a_variants_worksheet_checks_with_every_blank_unanswered(tmp_path, capsys):
    variant = seed001_variants(1)[0]
    blank = tmp_path / "worksheet.txt"
    blank.write_text(variant.text(), encoding="utf-8")
    report = check(load(blank))
    assert [v.kind for v in report.verdicts] == ["unanswered"] * len(variant.template.asks)
    assert not report.ok
    assert main(["check", str(blank)]) == 1
    out = capsys.readouterr().out
    assert f"{len(variant.template.asks)} claims: 0 right, 0 wrong, " \
           f"{len(variant.template.asks)} unanswered" in out
    assert rounded(variant.exact((None, "f1"))) not in out, "a blank's answer is not shown"


def test_a_half_filled_worksheet_gets_everything_the_checker_gives(tmp_path):
    variant = seed001_variants(1)[0]
    a1, b1 = (rounded(variant.exact((None, n))) for n in ("a1", "b1"))
    wrong_b1 = str(Decimal(b1) + Decimal("0.01"))
    text = (variant.text().replace("a1 = x12 · w12 = ?", f"a1 = x12 · w12 = {a1}")
            .replace("b1 = x11 · w11 = ?", f"b1 = x11 · w11 = {wrong_b1}"))
    d1 = variant.exact((None, "a1")) + float(wrong_b1)
    text = text.replace("d1 = a1 + b1 = ?", f"d1 = a1 + b1 = {rounded(d1)}")
    kinds = {v.claim.subject: v.kind for v in check(parse(text)).verdicts}
    assert (kinds["a1"], kinds["b1"], kinds["d1"], kinds["c1"]) == \
        ("right", "slip", "follows", "unanswered")
    assert list(kinds.values()).count("unanswered") == len(variant.template.asks) - 3


@pytest.mark.parametrize("text, subject", [
    ("x = 2; w = 3\ny = x * w   # ?", "y"),
    ("x = 2; w = 3\ny = x * w\ndy/dw = ?", "∂y/∂w"),
    ("x = 2; w = 3\ny = x * w = 2 · 3 = ?", "y"),
])
def test_a_blank_is_a_claim_wherever_a_number_can_be(text, subject):
    (verdict,) = check(parse(text)).verdicts
    assert (verdict.claim.subject, verdict.kind, verdict.note) == (subject, "unanswered",
                                                                  "unanswered")


def test_a_question_mark_inside_a_formula_is_an_error_that_says_where():
    with pytest.raises(WorksheetError, match=r"^2:9: .*'\?'"):
        parse("x = 2\ny = x * ? + 1")


def test_a_blank_is_marked_with_a_question_mark_in_every_report():
    from scalargrad.grading.verdicts import markdown

    report = check(parse("x = 2; w = 3\ny = x * w   # ?\nz = y + 1   # 7\n"))
    marks = {v.claim.subject: v.mark for v in report.verdicts}
    assert marks == {"y": "?", "z": "✓"}
    rows = [line for line in markdown(report).splitlines() if line.startswith("| 2 ")]
    assert rows and "| ? |" in rows[0] and "✗" not in rows[0]


# -- Exercises that tell the truth (issue 17) -------------------------------------------


def test_an_exercise_that_asks_nothing_is_refused(tmp_path):
    """seed001_part2.txt's last number is y = 8, a leaf: variants would ask nothing."""
    from scalargrad.classroom.variants import ExerciseError

    with pytest.raises(ExerciseError, match="asks nothing"):
        sg.exercise(Path(sg.__file__).parent / "worksheets" / "seed001_part2.txt", tmp_path)


def test_the_index_states_the_numbers_every_variant_uses(tmp_path):
    """One variant: no leaf differs between variants, yet each was drawn, not kept."""
    source = tmp_path / "w.txt"
    source.write_text("x11 = 1\nw = 0.5\nL = x11 · w = ?\n", "utf-8")
    written = sg.exercise(source, tmp_path / "class", pdf=False)
    index = written.index.read_text("utf-8")
    key = (written.folders[0] / "key.txt").read_text("utf-8")
    used = dict(line.split(" = ")[:2] for line in key.splitlines()
                if line.startswith(("x11 =", "w =")))
    assert "Kept as in the source: x11 = 1" not in index or used["x11"] == "1"
    for name, number in used.items():
        assert f"{name} = {number}" in index


def test_a_numbers_only_formula_is_printed_on_the_chart_and_not_asked(tmp_path):
    """k = 1.5 · 2.25 is folded into one number (3.375) the blank chart prints: the
    worksheet must not ask it, so the chart shows no answer."""
    source = tmp_path / "w.txt"
    source.write_text("x = 2\nk = 1.5 · 2.25 = ?\nL = k · x = ?\n", "utf-8")
    written = sg.exercise(source, tmp_path / "class", pdf=False)
    worksheet = (written.folders[0] / "worksheet.txt").read_text("utf-8")
    chart = (written.folders[0] / "chart.svg").read_text("utf-8")
    asked = [line.split(" = ")[0] for line in worksheet.splitlines() if line.endswith("= ?")]
    assert "k" not in asked and "L" in asked
    assert "3.375" in chart  # printed: it is given, not asked
