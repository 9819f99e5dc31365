"""Charts framed for a slide and a README column: the picture's size in SVG and PNG, the
numbers' size on it, a background over the whole frame, slides that line up, and nodes
that a highlight or a caption never moves.

Sizes are read from the files as a viewer would: a PNG's header, an SVG's declared size,
viewBox and the drawing's transform; a node's place from its shape's coordinates.
"""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

import scalargrad as sg
from scalargrad import Value
from scalargrad.chart import draw_slides, graphviz_engine
from scalargrad.chart.drawing import _in_pixels
from scalargrad.chart.style import NUMBER_SIZE
from scalargrad.cli import main
from scalargrad.examples import seed001
from scalargrad.worksheet import load

SVG = "{http://www.w3.org/2000/svg}"


def seed002() -> Value:
    """Seed 002's 2-3-1 sigmoid net as its shipped exercise writes it (variant 1's key)."""
    loss = load(Path(__file__).parent.parent / "docs" / "exercises" / "seed002" / "variant-01"
                / "key.txt").root
    loss.backward()
    return loss


def seed001_loss() -> Value:
    nodes = seed001()
    nodes["L"].backward()
    return nodes["L"]


EXAMPLES = {"seed001": seed001_loss, "seed002": seed002}


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


class Picture:
    """An SVG as it shows: CSS pixels per unit of the drawing, and where its nodes are."""

    def __init__(self, svg: str) -> None:
        self.tree = ET.fromstring(svg.encode("utf-8"))
        width = self.tree.get("width")
        self.width_px = float(width[:-2]) * (4 / 3 if width.endswith("pt") else 1)
        self.view = [float(v) for v in self.tree.get("viewBox").split()]
        graph = next(g for g in self.tree.iter(f"{SVG}g") if g.get("class") == "graph")
        transform = graph.get("transform")
        self.scale = float(re.search(r"scale\(([\d.]+)", transform)[1])
        tx, ty = (float(v) for v in re.search(r"translate\(([-\d.]+) ([-\d.]+)\)",
                                                transform).groups())
        self.offset = (tx, ty)
        self.px = self.width_px / self.view[2]
        self.background = next(graph.iter(f"{SVG}polygon"))

    def size_px(self) -> tuple[float, float]:
        return self.width_px, self.px * self.view[3]

    def font_px(self, points: float) -> float:
        return points * self.scale * self.px

    def nodes(self) -> dict[str, tuple[float, float]]:
        """Each value node's first shape point, in CSS pixels from the picture's top left."""
        where = {}
        for g in self.tree.iter(f"{SVG}g"):
            if g.get("class") != "node" or not re.fullmatch(r"v\d+", g.get("id") or ""):
                continue
            shape = next(e for e in g.iter() if e.tag in (f"{SVG}path", f"{SVG}polygon"))
            text = shape.get("d") or shape.get("points")
            x, y = (float(v) for v in re.findall(r"-?[\d.]+", text)[:2])
            where[g.get("id")] = self.to_px(x, y)
        return where

    def to_px(self, x: float, y: float) -> tuple[float, float]:
        sx = ((x + self.offset[0]) * self.scale - self.view[0]) * self.px
        sy = ((y + self.offset[1]) * self.scale - self.view[1]) * self.px
        return sx, sy


@pytest.mark.parametrize("example", EXAMPLES)
@pytest.mark.parametrize("suffix", [".svg", ".png"])
def test_a_slide_is_1280_by_720_from_the_api(example: str, suffix: str, engine: str,
                                             tmp_path: Path) -> None:
    root = EXAMPLES[example]()
    first = sg.render(root, tmp_path / f"chart{suffix}", size="slide", engine=engine)
    paths = sg.render_slides(root, tmp_path / f"all{suffix}", size="slide", engine=engine)
    assert paths[0].name == f"all{suffix}" and first == tmp_path / f"chart{suffix}"
    for path in paths:
        if suffix == ".png":
            assert png_size(path) == (1280, 720), path
        else:
            assert Picture(path.read_text("utf-8")).size_px() == (1280, 720), path


def test_a_slide_is_1280_by_720_from_the_command_line(tmp_path: Path, capsys) -> None:
    out = tmp_path / "x.png"
    seed = str(Path(sg.__file__).parent / "worksheets" / "seed001_x1.txt")
    assert main(["graph", seed, "--size", "slide", "-o", str(out), "--engine", "bundled"]) == 0
    written = capsys.readouterr().out
    paths = [Path(p) for p in written.removeprefix("wrote ").strip().split(", ")]
    assert paths[0] == out and len(paths) > 1  # seed 001 needs several slides
    assert all(png_size(p) == (1280, 720) for p in paths)


@pytest.mark.parametrize("example", EXAMPLES)
def test_slide_numbers_are_20_px_and_the_background_fills_the_slide(example: str, engine: str
                                                                    ) -> None:
    root = EXAMPLES[example]()
    for graph in draw_slides(root, size="slide", engine=engine):
        svg = graphviz_engine.run(graph.source, "svg", engine, pinned=True).decode()
        picture = Picture(_in_pixels(svg, graph))
        assert picture.font_px(NUMBER_SIZE) >= 20
        points = [float(v) for v in re.findall(r"-?[\d.]+", picture.background.get("points"))]
        corners = [picture.to_px(x, y) for x, y in zip(points[::2], points[1::2])]
        xs, ys = [c[0] for c in corners], [c[1] for c in corners]
        assert picture.background.get("fill") == "white"
        assert min(xs) <= 0.5 and max(xs) >= 1279.5 and min(ys) <= 0.5 and max(ys) >= 719.5


def test_a_small_chart_uses_the_whole_slide() -> None:
    x, w = Value(2.0, "x"), Value(-3.0, "w")
    y = (x * w).tanh()
    y.backward()
    keyed = Picture(sg.to_svg(y, size="slide", engine="bundled"))
    assert keyed.font_px(NUMBER_SIZE) > 20  # as wide as its key allows
    bare = Picture(sg.to_svg(y, size="slide", engine="bundled", legend=False))
    assert bare.font_px(NUMBER_SIZE) >= 30  # enlarged, not 20 px in a corner


@pytest.mark.parametrize("example", EXAMPLES)
def test_slides_of_a_row_and_of_a_column_line_up(example: str) -> None:
    """A node on two slides of a row is at the same height on both, and one on two slides
    of a column at the same place across: the slides continue each other."""
    root = EXAMPLES[example]()
    pictures = [Picture(_in_pixels(
        graphviz_engine.run(g.source, "svg", "bundled", pinned=True).decode(), g))
        for g in draw_slides(root, size="slide", engine="bundled")]
    assert len(pictures) == 4  # 2 × 2 slides at 20 px numbers
    seen = [p.nodes() for p in pictures]
    shared_in_row = set(seen[0]) & set(seen[1])
    shared_in_column = set(seen[0]) & set(seen[2])
    assert shared_in_row and shared_in_column
    for node in shared_in_row:
        assert seen[0][node][1] == pytest.approx(seen[1][node][1], abs=0.5)
    for node in shared_in_column:
        assert seen[0][node][0] == pytest.approx(seen[2][node][0], abs=0.5)
    every = set().union(*seen)  # every value node is on some slide
    assert every == set(Picture(sg.to_svg(root, engine="bundled")).nodes())


@pytest.mark.parametrize("size", ["natural", "readme", "slide"])
@pytest.mark.parametrize("example", EXAMPLES)
def test_highlight_and_caption_never_move_a_node(example: str, size: str) -> None:
    root = EXAMPLES[example]()
    target = next(n for n in sg.topological_order(root) if n.label in ("w12", "W11"))
    plain = Picture(sg.to_svg(root, size=size, engine="bundled")).nodes()
    for options in ({"highlight": target, "edge_derivatives": True},
                    {"title": "Seed example: a long title " * 4}):
        moved = Picture(sg.to_svg(root, size=size, engine="bundled", **options)).nodes()
        assert moved.keys() == plain.keys()
        for node, (x, y) in plain.items():
            assert moved[node] == pytest.approx((x, y), abs=0.5), (node, options)


@pytest.mark.parametrize("example", EXAMPLES)
def test_a_readme_chart_fits_880_px_with_12_px_numbers(example: str, tmp_path: Path) -> None:
    """In a README column: at most 880 px wide, numbers at least 12 px; a chart too wide
    for both comes in parts that hold every node between them. SVG and PNG alike."""
    root = EXAMPLES[example]()
    svgs = sg.render_slides(root, tmp_path / "r.svg", size="readme", engine="bundled")
    pngs = sg.render_slides(root, tmp_path / "r.png", size="readme", engine="bundled")
    assert len(svgs) == len(pngs) == 2  # the notes' charts are wider than 880 px at 12 px
    seen: set[str] = set()
    for svg, png in zip(svgs, pngs):
        picture = Picture(svg.read_text("utf-8"))
        width, height = picture.size_px()
        assert width <= 880 and png_size(png) == (round(width), round(height))
        assert picture.font_px(NUMBER_SIZE) >= 12
        seen |= {n for n, (x, y) in picture.nodes().items() if 0 <= x <= width}
    assert seen == set(Picture(sg.to_svg(root, engine="bundled")).nodes())


def test_a_small_chart_is_one_readme_picture(tmp_path: Path) -> None:
    x, w = Value(2.0, "x"), Value(-3.0, "w")
    y = (x * w).tanh()
    y.backward()
    assert len(sg.render_slides(y, tmp_path / "r.svg", size="readme", legend=False)) == 1
