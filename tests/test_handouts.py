"""Handouts for pen and paper, measured as printed: each page of the chart as Graphviz
renders it (its size in points is the printed size: LaTeX includes it unscaled), every empty
box at least 25 × 8 mm and every text at least 9 pt there, on A4 and Letter, for seed 001
and seed 002; every box inside its node's rounded border; the exercise's title on top.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import scalargrad as sg
from scalargrad.chart import graphviz_engine
from scalargrad.chart.drawing import _EXTENTS, draw
from scalargrad.chart.frames import grid, pages
from scalargrad.classroom.exercises import (
    HEADER_PT,
    MARGIN_MM,
    PAPERS,
    PRINT_ZOOM,
    chart_pages,
    write_exercise,
)
from scalargrad.classroom.variants import Drawing, load_template, make_variants

SVG = "{http://www.w3.org/2000/svg}"
MM = 25.4 / 72  # millimetres in a point
ROOT = Path(__file__).parent.parent
SOURCES = {"seed001": Path(sg.__file__).parent / "worksheets" / "seed001_x1.txt",
           "seed002": ROOT / "docs" / "exercises" / "seed002_net.txt"}


def variant(example: str):
    template = load_template(SOURCES[example])
    return make_variants(template, 1, example[4:], Drawing())[0]


def numbers(text: str) -> list[float]:
    return [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", text)]


class Page:
    """One printed page of a chart: its SVG, in points of paper."""

    def __init__(self, svg: str) -> None:
        self.tree = ET.fromstring(svg.encode("utf-8"))
        self.width, self.height = (float(self.tree.get(k)[:-2]) for k in ("width", "height"))
        view = numbers(self.tree.get("viewBox"))
        graph = next(g for g in self.tree.iter(f"{SVG}g") if g.get("class") == "graph")
        self.scale = numbers(graph.get("transform"))[0] * self.width / view[2]
        self.offset = numbers(graph.get("transform"))[-2:]

    def on_paper(self, x: float, y: float) -> tuple[float, float]:
        return ((x + self.offset[0]) * self.scale, (y + self.offset[1]) * self.scale)

    def boxes(self) -> dict[str, tuple[float, float, float, float]]:
        """Every empty box wholly on the page: id → x0, y0, x1, y1 in points of paper."""
        found = {}
        for g in self.tree.iter(f"{SVG}g"):
            if re.fullmatch(r"a_v\d+_(data|grad)", g.get("id") or ""):
                points = numbers(next(g.iter(f"{SVG}polygon")).get("points"))
                corners = [self.on_paper(x, y) for x, y in zip(points[::2], points[1::2])]
                xs, ys = [c[0] for c in corners], [c[1] for c in corners]
                box = (min(xs), min(ys), max(xs), max(ys))
                if box[0] >= 0 and box[1] >= 0 and box[2] <= self.width and box[3] <= self.height:
                    found[g.get("id")] = box
        return found

    def type_sizes(self) -> list[float]:
        return [float(t.get("font-size")) * self.scale for t in self.tree.iter(f"{SVG}text")
                if (t.text or "").strip()]


@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("example", ["seed001", "seed002"])
def test_printed_boxes_are_25_by_8_mm_and_type_9_pt(example: str, paper: str, engine: str
                                                    ) -> None:
    orientation, pages = chart_pages(variant(example).root, paper)
    _, long_mm, short_mm = PAPERS[paper]
    width_mm, height_mm = (long_mm, short_mm) if orientation == "landscape" else (short_mm,
                                                                                  long_mm)
    whole: set[str] = set()
    for graph in pages:
        page = Page(graphviz_engine.run(graph.source, "svg", engine, pinned=True).decode())
        assert page.width * MM <= width_mm - 2 * MARGIN_MM + 0.1  # fits the paper
        assert page.height * MM <= height_mm - 2 * MARGIN_MM
        for box, (x0, y0, x1, y1) in page.boxes().items():
            assert (x1 - x0) * MM >= 25 and (y1 - y0) * MM >= 8, (box, x1 - x0, y1 - y0)
            whole.add(box)
        assert min(page.type_sizes()) >= 9
    drawn = set(re.findall(r'id="(a_v\d+_(?:data|grad))"',
                           sg.to_svg(variant(example).root, blank=True, legend=False)))
    assert whole == drawn  # every box is whole on some page


def test_every_box_is_inside_its_node() -> None:
    """No square corner of a box pokes through its node's rounded border: the border's
    radius is read from its path (where its straight left side begins)."""
    svg = sg.to_svg(variant("seed001").root, blank=True, legend=False, engine="bundled")
    tree = ET.fromstring(svg.encode("utf-8"))
    checked = 0
    for node in tree.iter(f"{SVG}g"):
        if node.get("class") != "node":
            continue
        border = next((e for e in node.iter() if e.tag in (f"{SVG}path", f"{SVG}polygon")),
                      None)
        if border is None:
            continue
        p = numbers(border.get("d") or border.get("points"))
        xs, ys = p[::2], p[1::2]
        x0, y0, x1, y1 = min(xs), min(ys), max(xs), max(ys)
        left = [y for x, y in zip(xs, ys) if x == x0]
        r = min(left) - y0 if border.tag == f"{SVG}path" else 0.0
        for g in node.iter(f"{SVG}g"):
            if not re.fullmatch(r"a_v\d+_(data|grad)", g.get("id") or ""):
                continue
            q = numbers(next(g.iter(f"{SVG}polygon")).get("points"))
            for cx, cy in zip(q[::2], q[1::2]):
                assert x0 <= cx <= x1 and y0 <= cy <= y1
                near_x = x0 + r if cx < x0 + r else x1 - r if cx > x1 - r else cx
                near_y = y0 + r if cy < y0 + r else y1 - r if cy > y1 - r else cy
                assert (cx - near_x) ** 2 + (cy - near_y) ** 2 <= r * r + 0.01, g.get("id")
            checked += 1
    assert checked > 50


def test_the_handout_is_titled_from_the_exercise(tmp_path: Path) -> None:
    v = variant("seed001")
    written = write_exercise(v.template, [v], tmp_path, pdf=False)
    handout = (written.folders[0] / "handout.md").read_text("utf-8")
    latex = (written.folders[0] / "handout.tex").read_text("utf-8")
    title = "Seed 001, the first training example"
    assert handout.splitlines()[0] == f"# Backpropagation by hand: {title}, variant 1"
    assert f"Backpropagation by hand: {title}, variant 1" in latex
    assert "seed001" not in handout.splitlines()[0] and "seed001" not in latex
    # the chart's pages are printed at their own size: no scaling in LaTeX
    assert re.findall(r"\\includegraphics(\[[^]]*\])?\{chart-\d\.pdf\}", latex) == [""] * 4


def node_shapes(page: Page) -> dict[str, tuple[float, float, float, float]]:
    """Every value box and op circle drawn in the chart (whether on the page or not): id →
    its shape's extent in points of paper (a circle's from its centre and radii)."""
    found = {}
    for g in page.tree.iter(f"{SVG}g"):
        if g.get("class") != "node" or not re.fullmatch(r"v\d+(op)?", g.get("id") or ""):
            continue
        shape = next(e for e in g.iter() if e.tag in (f"{SVG}path", f"{SVG}polygon",
                                                      f"{SVG}ellipse"))
        if shape.tag == f"{SVG}ellipse":
            cx, cy, rx, ry = (float(shape.get(k)) for k in ("cx", "cy", "rx", "ry"))
            xs, ys = [cx - rx, cx + rx], [cy - ry, cy + ry]
        else:
            p = numbers(shape.get("d") or shape.get("points"))
            xs, ys = p[::2], p[1::2]
        (x0, y0), (x1, y1) = page.on_paper(min(xs), min(ys)), page.on_paper(max(xs), max(ys))
        found[g.get("id")] = (x0, y0, x1, y1)
    return found


@pytest.mark.parametrize("paper", ["a4", "letter"])
@pytest.mark.parametrize("example", ["seed001", "seed002"])
def test_pages_are_cut_between_nodes(example: str, paper: str) -> None:
    """As printed, each node of the chart is either wholly on a page or wholly off it (no
    page's edge runs through a value box or an op circle), and every node is whole on
    some page; the pages are no more than the old overlapping grid's."""
    orientation, pages = chart_pages(variant(example).root, paper)
    whole: set[str] = set()
    drawn: set[str] = set()
    for graph in pages:
        page = Page(graphviz_engine.run(graph.source, "svg", "bundled", pinned=True).decode())
        for node, (x0, y0, x1, y1) in node_shapes(page).items():
            drawn.add(node)
            if x1 <= 0 or y1 <= 0 or x0 >= page.width or y0 >= page.height:
                continue  # off this page
            assert x0 >= -0.5 and y0 >= -0.5 and x1 <= page.width + 0.5 \
                and y1 <= page.height + 0.5, (node, (x0, y0, x1, y1), page.width, page.height)
            whole.add(node)
    assert len(drawn) > 30 and whole == drawn
    graph = draw(variant(example).root, blank=True, legend=False)
    _, long_mm, short_mm = PAPERS[paper]
    sizes = [(long_mm, short_mm), (short_mm, long_mm)]
    old = min(len(grid(_EXTENTS[graph], ((w - 2 * MARGIN_MM) / MM,
                                         (h - 2 * MARGIN_MM) / MM - HEADER_PT), PRINT_ZOOM))
              for w, h in sizes)
    assert len(pages) <= old, (orientation, len(pages), old)


def test_frames_cover_the_chart_and_cut_no_node_that_fits_a_page() -> None:
    """Synthetic charts: a row of nodes with gaps, and one node wider than a page among
    them. Every node that fits a page is whole on one; the frames cover the whole chart."""
    rows = [[(x, y, x + 80, y + 40) for x in range(0, 1000, 95)] for y in (0, 60, 300)]
    wide = [(0, 0, 60, 40), (70, 0, 400, 40), (410, 0, 470, 40)]
    for nodes in ([b for row in rows for b in row], wide):
        box = (min(b[0] for b in nodes), min(b[1] for b in nodes),
               max(b[2] for b in nodes), max(b[3] for b in nodes))
        found = pages(box, nodes, (250.0, 200.0), 1.0)
        rects = [(x - w / 2, y - h / 2, x + w / 2, y + h / 2) for w, h, _, x, y in found]
        assert all(w <= 250 + 1e-6 and h <= 200 + 1e-6 for w, h, *_ in found)
        for x0, y0, x1, y1 in nodes:
            if x1 - x0 <= 250 - 8:
                assert any(a <= x0 and b <= y0 and x1 <= c and y1 <= d
                           for a, b, c, d in rects), (x0, y0)
        for x in range(int(box[0]), int(box[2]) + 1, 5):  # no column of the chart left out
            assert any(a <= x <= c for a, _, c, _ in rects), x
