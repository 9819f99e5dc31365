"""One name per node across every view (issue 19, item 8): a seed's example
(`scalargrad.examples`), its demo, its shipped worksheet and its exercise name the same
nodes alike, and every step line names nodes as the chart draws them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import scalargrad as sg
from scalargrad import examples
from scalargrad.engine import Value, topological_order
from scalargrad.worksheet import parse

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "scalargrad" / "worksheets"
EXERCISES = ROOT / "docs" / "exercises"
SVG = "{http://www.w3.org/2000/svg}"

EXAMPLES = {  # example: (its root's name, the worksheets that work it by hand)
    "seed001": ("L", [SHIPPED / "seed001_x1.txt",
                      EXERCISES / "seed001_x1" / "variant-01" / "worksheet.txt"]),
    "seed002": ("L", [SHIPPED / "seed002.txt", EXERCISES / "seed002_net.txt",
                      EXERCISES / "seed002" / "variant-01" / "worksheet.txt"]),
    "neuron": ("o", [SHIPPED / "karpathy_micrograd_neuron.txt"]),
}
DEMO_ROOTS = {"seed001": lambda g: g["nodes"]["L"], "seed002": lambda g: g["loss"],
              "neuron": lambda g: g["o"]}
NAME = re.compile(r"(?<![\w.])[^\W\d_][\w\u0300-\u036f⁽⁾]*")
"""A name in a line of text: a letter, then letters, digits, sub- and superscripts (ŷ, w₁₁⁽¹⁾);
not the e of a number such as 1e−09."""

ADDED = re.compile(r"t\d+")
"""The names an exercise gives the nodes its source leaves unnamed (tests/test_exercise_boxes.py
checks them against its chart)."""


def named(root: Value) -> set[str]:
    """The labels of the nodes below ``root`` (the nodes someone named)."""
    return {node.label for node in topological_order(root) if node.label}


def chart_texts(svg: str) -> set[str]:
    """Every text the chart draws."""
    tree = ET.fromstring(svg.encode("utf-8"))
    return {"".join(t.itertext()).strip() for t in tree.iter(f"{SVG}text")}


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_example_demo_worksheets_and_exercise_name_the_same_nodes(example: str,
                                                                   run_demo) -> None:
    root, worksheets = EXAMPLES[example]
    want = named(getattr(examples, example)()[root])
    g, _, _ = run_demo(example)
    assert named(DEMO_ROOTS[example](g)) == want, "the demo"
    for path in worksheets:
        sheet = parse(path.read_text(encoding="utf-8"), str(path))
        names = named(sheet.root)
        if path.name == "worksheet.txt":  # an exercise names each unnamed node t1, t2, …
            names = {n for n in names if not ADDED.fullmatch(n)}  # as its chart draws them
        assert names == want, path.relative_to(ROOT)


@pytest.mark.parametrize("demo", sorted(DEMO_ROOTS))
def test_every_step_line_names_nodes_as_the_chart_draws_them(demo: str, run_demo) -> None:
    """The neuron's ``∂o/∂x1w1 · ∂x1w1/∂x₁`` mixed typed and typeset names: every name
    in a step line is a text of the chart, and no name is left with a plain-digit index."""
    g, _, _ = run_demo(demo)
    root = DEMO_ROOTS[demo](g)
    drawn = chart_texts(sg.to_svg(root))
    walk = sg.steps(root, pretty=True)
    checked = 0
    for step in walk:
        for name in NAME.findall(step.text):
            assert not re.search(r"[^\W\d_]\d", name), (name, step.text)
            assert name in drawn, (name, step.text)
            checked += 1
    assert checked >= 3 * len(walk)


@pytest.mark.parametrize("k", [1, 2, 3])
def test_seed001_names_each_example_alike_everywhere(k: int, run_demo) -> None:
    """Example k's inputs are xk1, xk2 in `sg.examples.seed001`, the demo and the shipped
    ``seed001_xk.txt`` (the notes write X21, X31 on their working pages)."""
    x, y = examples.SEED001_EXAMPLES[k - 1]
    want = named(examples.seed001(x, y)["L"])
    assert {f"x{k}1", f"x{k}2"} <= want
    g, _, _ = run_demo("seed001")
    assert named(g["per_example"][k - 1]["L"]) == want
    sheet = SHIPPED / f"seed001_x{k}.txt"
    assert named(parse(sheet.read_text(encoding="utf-8"), str(sheet)).root) == want
