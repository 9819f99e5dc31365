"""The blank chart and the worksheet ask the same numbers (issue 17, "Exercises that tell
the truth"): every empty box of a handout's chart (its SVG and its PDF pages) is a ``?``
of the variant's ``worksheet.txt``, every ``?`` about ∂loss/∂node or a value is an empty
box, no asked number is printed anywhere on the chart, and the key checks all right.

The oracle reads the files as a student gets them: the SVG's empty boxes (an ``<a>`` to
``#vN_data`` / ``#vN_grad`` holding a white box and no text), the name of the node each
belongs to (the node's tooltip, which must be the name printed in bold in the box), and
the ``?`` lines of the worksheet, with plain regular expressions.
"""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest

import scalargrad as sg
from scalargrad.chart import graphviz_engine
from scalargrad.classroom.exercises import chart_pages
from scalargrad.classroom.practice_page import practice
from scalargrad.classroom.variants import (
    ExerciseError,
    from_expression,
    load_template,
    make_variants,
)
from scalargrad.cli import main
from scalargrad.grading import check
from scalargrad.worksheet import load

SHIPPED = Path(sg.__file__).parent / "worksheets"
MAKE_EXERCISES = ["cs231n_sigmoid_circuit.txt", "karpathy_micrograd_slips.txt",
                  "mazur_step_by_step.txt", "seed001_x1.txt", "seed001_x2.txt",
                  "seed001_x3.txt", "seed002.txt"]
"""The shipped worksheets an exercise is made of (the others are refused, each with a
reason: see `test_the_other_shipped_worksheets_are_refused`)."""
EXPRESSIONS = [("L = (y - t)^2", ["y=0.8", "t=1"]),
               ("sigmoid(w*x + b) * 2 - log(x)", ["w=0.5", "x=2", "b=0.1"])]
SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}"
SUBSCRIPTS = str.maketrans("₀₁₂₃₄₅₆₇₈₉ₐₑₒₓₕₖₗₘₙₚₛₜ", "0123456789aeoxhklmnpst")
NUMBER = re.compile(r"(?<![\w.])[−-]?\d+(?:\.\d+)?(?:e[−+-]?\d+)?(?![\w.])")


# ---------------------------------------------------------------------------------------
# Reading the files
# ---------------------------------------------------------------------------------------


def empty_boxes(svg: str, loss: str) -> set[tuple[str | None, str]]:
    """The empty boxes of a chart's SVG as keys: (None, name) for a value, (loss, name)
    for a gradient. Each node's name is its tooltip, checked against the bold name in it."""
    tree = ET.fromstring(svg)
    boxes: set[tuple[str | None, str]] = set()
    for group in tree.iter(f"{SVG}g"):
        if group.get("class") != "node":
            continue
        node = group.findtext(f"{SVG}title")
        links = list(group.iter(f"{SVG}a"))
        if not links:
            continue
        name = links[0].get(f"{XLINK}title", "")
        bold = [t.text or "" for t in group.iter(f"{SVG}text") if t.get("font-weight") == "bold"]
        for link in links:
            target = re.fullmatch(rf"#{node}_(data|grad)", link.get(f"{XLINK}href") or "")
            if not target:
                continue
            white = [p for p in link.iter(f"{SVG}polygon") if p.get("fill") == "white"]
            texts = ["".join(t.itertext()).strip() for t in link.iter(f"{SVG}text")]
            assert white and not any(texts), f"{node}_{target[1]} is not an empty box"
            assert bold and bold[0].translate(SUBSCRIPTS) == name.replace("_", ""), \
                f"{node}: the box shows {bold} but its tooltip says {name!r}"
            boxes.add((None, name) if target[1] == "data" else (loss, name))
    return boxes


def asked(worksheet: str) -> dict[tuple[str | None, str], str]:
    """The worksheet's blanks (or the key's numbers): key → what is written after the
    last ``=``."""
    found: dict[tuple[str | None, str], str] = {}
    for line in worksheet.splitlines():
        if m := re.fullmatch(r"∂(\S+)/∂(\S+) = (\S+)", line):
            found[m[1], m[2]] = m[3]
        elif (m := re.fullmatch(r"(\S+) = .* = (\S+)", line)) and not line.startswith("#"):
            found[None, m[1]] = m[2]
    return found


def given_numbers(worksheet: str) -> list[Decimal]:
    """Every number the worksheet itself writes (leaves, numbers in formulas), and the
    quotient or product of two (``1 / 2`` is the constant 0.5 on the chart)."""
    lines = [line.split(" = ", 1)[-1] for line in worksheet.splitlines()
             if not line.startswith("#")]
    numbers = [Decimal(n.replace("−", "-")) for line in lines for n in NUMBER.findall(line)]
    pairs = r"(?<![\w.])(\d+(?:\.\d+)?) ([/·]) (\d+(?:\.\d+)?)(?![\w.])"
    numbers += [Decimal(a) / Decimal(b) if op == "/" else Decimal(a) * Decimal(b)
                for line in lines for a, op, b in re.findall(pairs, line)]
    return numbers


def chart_numbers(svg: str) -> list[str]:
    """Every number in the chart's texts and tooltips (not its coordinates)."""
    tree = ET.fromstring(svg)
    texts = ["".join(t.itertext()) for t in tree.iter(f"{SVG}text")]
    texts += [a.get(f"{XLINK}title", "") for a in tree.iter(f"{SVG}a")]
    texts += [t.text or "" for t in tree.iter(f"{SVG}title")]
    return [n.replace("−", "-") for text in texts for n in NUMBER.findall(text)
            if not re.fullmatch(r"v\d+(op)?", text)]


def near(shown: str, exact: Decimal) -> bool:
    """``shown`` is ``exact`` at the decimals it is shown with."""
    number = Decimal(shown)
    unit = Decimal(1).scaleb(number.as_tuple().exponent)  # type: ignore[arg-type]
    return abs(number - exact) <= unit / 2


def assert_no_answer_shown(numbers: list[str], worksheet: str, key: str, where: str,
                           signs: bool = True) -> None:
    """Every number shown is one the worksheet gives, and no asked answer is shown
    (unless the worksheet gives that very number: c1 = w10 copies a given number).
    ``signs=False``: the numbers are compared by size (PDF text loses a minus sign)."""
    given = [g if signs else abs(g) for g in given_numbers(worksheet)]
    if not signs:
        numbers = [n.lstrip("-") for n in numbers]
        key = key.replace("= -", "= ")
    for shown in numbers:
        assert any(near(shown, g) for g in given), f"{where} shows {shown}, not given"
    for what, answer in asked(key).items():
        if not any(near(str(g), Decimal(answer)) or g == Decimal(answer) for g in given):
            assert not any(near(s, Decimal(answer)) for s in numbers), \
                f"{where} shows the answer of {what}: {answer}"


def check_variant(folder: Path, loss: str, pdf: bool) -> int:
    worksheet = (folder / "worksheet.txt").read_text("utf-8")
    key = (folder / "key.txt").read_text("utf-8")
    svg = (folder / "chart.svg").read_text("utf-8")
    blanks = asked(worksheet)
    assert set(blanks.values()) == {"?"}, "the worksheet has a blank that is not a ?"
    on_chart = {k for k in blanks if k[0] in (None, loss)}
    boxes = empty_boxes(svg, loss)
    assert boxes == on_chart, (f"empty on the chart, not asked: {boxes - on_chart}; "
                               f"asked, no box: {on_chart - boxes}")
    assert set(asked(key)) == set(blanks)
    assert_no_answer_shown(chart_numbers(svg), worksheet, key, "chart.svg")
    off_chart = [k for k in blanks if k not in on_chart]
    handout = (folder / "handout.md").read_text("utf-8")
    also = re.search(r"\*\*Also find:\*\* (.*)", handout)
    assert ([] if also is None else also[1].split(", ")) == \
           [f"∂{top}/∂{name}" for top, name in off_chart]
    assert "every empty box" in handout and "?" in handout
    report = check(load(folder / "key.txt"))
    assert report.ok and len(report.verdicts) == len(blanks)
    if pdf:
        pages = sorted(folder.glob("chart-*.pdf"))
        assert pages
        for page in pages:
            text = subprocess.run(["pdftotext", str(page), "-"], capture_output=True,
                                  text=True, check=True).stdout
            assert_no_answer_shown([n.replace("−", "-") for n in NUMBER.findall(text)],
                                   worksheet, key, page.name, signs=False)
    return len(boxes)


def page_boxes(source: Path | str, loss: str, at: dict[str, float] | None = None
               ) -> set[tuple[str | None, str]]:
    """The empty boxes of every printed page of variant 1's chart (its PDF pages, drawn as
    SVG from the same pages), together."""
    template = (from_expression(str(source), at) if at is not None
                else load_template(source))
    variant = make_variants(template, 1, 1)[0]
    variant.root.backward()
    boxes: set[tuple[str | None, str]] = set()
    for page in chart_pages(variant.root, "a4")[1]:
        svg = graphviz_engine.run(page.source, "svg", pinned=True).decode("utf-8")
        boxes |= empty_boxes(svg[svg.index("<svg"):], loss)
    return boxes


# ---------------------------------------------------------------------------------------
# The cases
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("every", [False, True], ids=["default", "all"])
@pytest.mark.parametrize("sheet", MAKE_EXERCISES)
def test_the_blank_chart_leaves_empty_exactly_what_the_worksheet_asks(sheet, every, tmp_path):
    args = ["exercise", str(SHIPPED / sheet), "-o", str(tmp_path), "--variants", "2"]
    assert main([*args, *(["--all"] if every else [])]) == 0
    loss = load(SHIPPED / sheet).loss
    counts = [check_variant(folder, loss, pdf=True)
              for folder in sorted(tmp_path.glob("variant-*"))]
    assert len(counts) == 2 and min(counts) > 0
    worksheet = (tmp_path / "variant-01" / "worksheet.txt").read_text("utf-8")
    on_chart = {k for k in asked(worksheet) if k[0] in (None, loss)}
    assert page_boxes(SHIPPED / sheet, loss) == on_chart


@pytest.mark.parametrize("every", [False, True], ids=["default", "all"])
@pytest.mark.parametrize("expression, at", EXPRESSIONS)
def test_an_expressions_blank_chart_leaves_empty_what_its_worksheet_asks(
        expression, at, every, tmp_path):
    args = ["exercise", expression, "--at", *at, "-o", str(tmp_path)]
    assert main([*args, *(["--all"] if every else [])]) == 0
    loss = expression.split(" = ")[0] if " = " in expression else "out"
    assert check_variant(tmp_path / "variant-01", loss, pdf=True) > 0
    values = {k: float(v) for k, v in (a.split("=") for a in at)}
    worksheet = (tmp_path / "variant-01" / "worksheet.txt").read_text("utf-8")
    assert page_boxes(expression, loss, values) == set(asked(worksheet))


@pytest.mark.parametrize("formula", [
    "a + (b - c)", "a - b - c", "-(a^2)", "(-a)^2", "a^-1", "c^a^2", "a / (b * c)",
    "2(a - b)", "sigmoid(a · b + c)", "-a · b", "(a + b)(a - b)", "abs(a - 2) / exp(-b)",
    "tanh(relu(a - b) + log(c)) · 1 / 2", "a · a + 3 · 4 · b",
])
def test_every_op_of_a_formula_gets_a_box_and_a_question(formula, tmp_path):
    """Nested formulas, each op a node of its own: every one is named and asked."""
    sg.exercise(formula, tmp_path, at={"a": 1.5, "b": -0.7, "c": 2.25}, pdf=False)
    assert check_variant(tmp_path / "variant-01", "out", pdf=False) > 0


def test_the_other_shipped_worksheets_are_refused():
    """Each shipped worksheet not in `MAKE_EXERCISES` is refused with a reason, so the
    cases above are every shipped one that makes an exercise."""
    for sheet in sorted(SHIPPED.glob("*.txt")):
        if sheet.name in MAKE_EXERCISES:
            continue
        with pytest.raises(ExerciseError):
            make_variants(load_template(sheet), 1, 1)


def test_the_practice_page_has_an_input_for_every_empty_box():
    """The practice page's boxes are the empty boxes of the chart it shows."""
    for sheet in ["seed001_x1.txt", "mazur_step_by_step.txt"]:
        page = practice(SHIPPED / sheet).html
        svg = page[page.index("<svg"):page.index("</svg>") + 6]
        ids = set(re.findall(r'"id": "(v\d+_(?:data|grad))"', page))
        shown = set(re.findall(r'xlink:href="#(v\d+_(?:data|grad))"', svg))
        assert ids and ids == shown


@pytest.mark.parametrize("source", ["seed001_x1.txt", "mazur_step_by_step.txt", "folder",
                                    "expression"])
def test_the_class_server_has_a_box_for_every_empty_box(source, tmp_path):
    """The class server's boxes (a worksheet, an exercise's folder, an expression) are
    the empty boxes of the chart it shows each student, one for one."""
    from scalargrad.classroom.server.lesson import load_lesson

    if source == "folder":
        assert main(["exercise", str(SHIPPED / "seed002.txt"), "-o", str(tmp_path),
                     "--variants", "2", "--no-pdf"]) == 0
        lesson = load_lesson(str(tmp_path))
    elif source == "expression":
        lesson = load_lesson("L = (y - t)^2", at={"y": 0.8, "t": 1.0}, variants=2)
    else:
        lesson = load_lesson(str(SHIPPED / source), variants=2)
    for number in (1, 2):
        svg = lesson.blank_svg(number)
        shown = set(re.findall(r'xlink:href="#(v\d+_(?:data|grad))"', svg))
        ids = lesson.chart_ids(number)
        assert shown and sorted(ids.values()) == sorted(shown)
        loss = lesson.template.loss
        named = {box.key for box in lesson.boxes if box.on_chart}
        assert named == empty_boxes(svg, loss)
