"""Contrast, measured with the WCAG 2 formula written out here (not the code's colours
judged by the code): every text of a chart against what is behind it, the animation's and
the practice page's text colours against their backgrounds, and the node kinds' borders,
which keep the kinds apart in greyscale and on a washed-out projector.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import scalargrad as sg
from scalargrad import Value, nn
from scalargrad.chart.style import LOOKS
from scalargrad.examples import seed001

SVG = "{http://www.w3.org/2000/svg}"
TEMPLATES = Path(sg.__file__).parent / "classroom"
NAMED = {"white": "#ffffff", "black": "#000000"}


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance of ``#rrggbb``."""
    colour = NAMED.get(colour.lower(), colour)
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def ratio(a: str, b: str, glare: float = 0.0) -> float:
    """WCAG contrast ratio; ``glare``: light added to both (a washed-out projector)."""
    high, low = sorted((luminance(a) + glare, luminance(b) + glare), reverse=True)
    return (high + 0.05) / (low + 0.05)


HALF_CONTRAST = 0.525 / 9.5
"""The glare that halves the contrast of black on white (21:1 → 10.5:1)."""


def test_the_formula_against_wcag_published_values() -> None:
    assert ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # WCAG's example
    assert ratio("#000000", "#ffffff", HALF_CONTRAST) == pytest.approx(10.5)
    assert ratio("#d55e00", "#f0e442") == pytest.approx(2.92, abs=0.01)  # the 2.9:1


def filled(element: ET.Element) -> str | None:
    fill = element.get("fill")
    return None if fill in (None, "none", "transparent") else fill


def extent(shape: ET.Element) -> tuple[float, float, float, float]:
    """A shape's bounding box (x0, y0, x1, y1)."""
    if shape.tag == f"{SVG}ellipse":
        cx, cy, rx, ry = (float(shape.get(k)) for k in ("cx", "cy", "rx", "ry"))
        return cx - rx, cy - ry, cx + rx, cy + ry
    numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?",
                                            shape.get("points") or shape.get("d"))]
    return min(numbers[::2]), min(numbers[1::2]), max(numbers[::2]), max(numbers[1::2])


def text_contrasts(svg: str) -> list[tuple[float, str, str, str]]:
    """(ratio, text, its colour, its background) for every text of the SVG. A text's
    background is the last filled shape drawn before it that holds the text's anchor point
    (Graphviz draws shapes in the order they stack), else the chart's background."""
    tree = ET.fromstring(svg.encode("utf-8"))
    graph = next(g for g in tree.iter(f"{SVG}g") if g.get("class") == "graph")
    shapes: list[tuple[tuple[float, float, float, float], str]] = []
    found = []
    for element in graph.iter():
        if element.tag in (f"{SVG}polygon", f"{SVG}path", f"{SVG}ellipse"):
            if fill := filled(element):
                shapes.append((extent(element), fill))
        elif element.tag == f"{SVG}text" and (element.text or "").strip():
            x, y = float(element.get("x")), float(element.get("y")) - 3  # inside the glyphs
            behind = next(fill for (x0, y0, x1, y1), fill in reversed(shapes)
                          if x0 <= x <= x1 and y0 <= y <= y1)
            colour = filled(element) or "#000000"
            found.append((ratio(colour, behind), element.text, colour, behind))
    return found


def seed001_loss() -> Value:
    nodes = seed001()
    nodes["L"].backward()
    return nodes["L"]


def network() -> Value:
    net = nn.MLP(2, [3, 1], act="sigmoid", seed=1)
    loss = sg.losses.half_sse([net([1.0, 2.0])], [1.0])
    loss.label = "L"
    loss.backward()
    return loss


CHARTS = {
    "plain": lambda: sg.to_svg(seed001_loss(), engine="bundled"),
    "highlighted": lambda: sg.to_svg((root := seed001_loss()), engine="bundled",
                                     edge_derivatives=True,
                                     highlight=[n for n in sg.topological_order(root)
                                                if n.label == "w12"]),
    "blank": lambda: sg.to_svg(seed001_loss(), engine="bundled", blank=True),
    "neuron view": lambda: sg.to_svg(network(), engine="bundled", view="neuron"),
    "layer view": lambda: sg.to_svg(network(), engine="bundled", view="layer"),
}


@pytest.mark.parametrize("chart", CHARTS)
def test_every_text_of_a_chart_is_at_least_4_5_to_1(chart: str) -> None:
    found = text_contrasts(CHARTS[chart]())
    assert len(found) > 20
    worst = min(found)
    assert worst[0] >= 4.5, worst


def css(template: str) -> dict[str, str]:
    html = (TEMPLATES / template).read_text("utf-8")
    return dict(re.findall(r"--([a-z-]+): (#[0-9a-f]{6})", html))


def test_the_animation_s_text_on_its_marks() -> None:
    """The number a step is about (fresh, on the current node's yellow), the names and
    numbers on the current node and on its sources, and the step's result on the panel."""
    c = css("animation.html")
    pairs = [("hot-text", "hot-soft"), ("ink", "hot-soft"), ("muted", "hot-soft"),
             ("ink", "flow-soft"), ("hot-text", "panel"), ("muted", "panel"), ("ink", "panel")]
    for text, background in pairs:
        assert ratio(c[text], c[background]) >= 4.5, (text, background)
    # the chart's own texts: as they are on the current node, in ink on its sources
    for colour in (sg.chart.style.INK, sg.chart.style.MUTED):
        assert ratio(colour, c["hot-soft"]) >= 4.5
    assert "#chart .node.source text { fill: var(--ink); }" in (
        TEMPLATES / "animation.html").read_text("utf-8")


def test_the_practice_page_s_verdicts_and_boxes() -> None:
    c = css("practice.html")
    panel = re.search(r"#now \{ background: (#[0-9a-f]{6})",
                      (TEMPLATES / "practice.html").read_text("utf-8"))[1]
    for verdict in ("right", "wrong", "follows"):
        assert ratio(c[verdict], panel) >= 4.5, verdict
        assert ratio(c["ink"], c[f"{verdict}-soft"]) >= 4.5, verdict
    assert ratio(c["muted"], "#ffffff") >= 4.5


def border_signature(kind: str) -> tuple[bool, bool, int, bool]:
    """What a kind's border looks like without colour: corners, dashes, lines, weight."""
    look = LOOKS[kind]
    return ("rounded" in look.style, "dashed" in look.style, look.peripheries,
            look.penwidth >= 2.5)


def test_node_kinds_differ_by_border_not_fill_alone() -> None:
    """In greyscale the pastel fills look alike: each kind has a border of its own."""
    signatures = {kind: border_signature(kind) for kind in LOOKS}
    assert len(set(signatures.values())) == len(LOOKS), signatures


@pytest.mark.parametrize("kind", list(LOOKS))
def test_borders_show_on_a_washed_out_projector(kind: str) -> None:
    """Contrast halved, a border still stands out (3:1, WCAG's bar for shapes) from its
    fill and from the white page."""
    look = LOOKS[kind]
    assert ratio(look.border, look.fill, HALF_CONTRAST) >= 3.0
    assert ratio(look.border, "#ffffff", HALF_CONTRAST) >= 3.0
