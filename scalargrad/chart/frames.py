"""Where a chart is framed: the whole of it, a README column, 16:9 slides, or printed pages.

A frame is a Graphviz ``viewport`` (``"W,H,zoom,x,y"``: W × H points of output, showing
the chart around (x, y) at ``zoom``), so SVG and PNG come out the same size, with the
chart's white background over the whole frame.

- ``"readme"``: at most 880 px wide (660 pt), never enlarged, numbers at least 12 px
  (`README_ZOOM`): a wider chart comes in parts, left to right.
- ``"slide"``: 1280 × 720 px (960 × 540 pt). A chart that fits at its natural size is
  enlarged to use the slide (at most `MAX_ZOOM`); one that does not is shown at its natural
  size, where a number is 15 pt = 20 px, on several slides: a grid of frames, left to right
  then top to bottom, that overlap and line up (a node is at the same height on the slides
  of a row, and at the same place across on the slides of a column).
- printed pages (`pages`, for a handout): columns cut in the gaps between nodes, each column
  cut between its nodes into pages, so that no page's edge runs through a box to fill in.

The frames are computed from the chart's extent without its caption (`CAPTION_ROOM` is kept
for one on every slide), so a highlight or a title never moves a node.

>>> frames((0, 0, 400, 200), "slide")
[(960.0, 540.0, 1.75, 200.0, 77.0)]
>>> len(frames((0, 0, 1243, 764), "slide"))
4
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Sequence

from .layout import Box

SLIDE = (960.0, 540.0)
"""A slide in points (1280 × 720 px at 96 dpi)."""
README_WIDTH = 660.0
"""A README column in points (880 px)."""
README_ZOOM = 0.6
"""The least zoom in a README column: numbers 12 px. A chart wider than that allows is
shown in parts, side by side in the chart, one under the other in the README."""
MARGIN = 12.0
"""Points of white around the chart in a frame."""
MAX_ZOOM = 1.75
"""The most a small chart is enlarged on a slide."""
CAPTION_ROOM = 46.0
"""Points kept under the chart on a slide for a caption (two lines of 16 pt)."""


Frame = tuple[float, float, float, float, float]
"""Width and height (points of output), zoom, and the centre (x, y) in the chart."""


def frames(box: Box, size: str) -> list[Frame]:
    """The viewports that show ``box`` (x0, y0, x1, y1 in points, y up) at ``size``;
    none at the natural size (the chart as it is)."""
    x0, y0, x1, y1 = box
    width, height = x1 - x0 + 2 * MARGIN, y1 - y0 + 2 * MARGIN
    if size == "readme":
        zoom = min(1.0, README_WIDTH / width)
        if zoom >= README_ZOOM:
            return [(width * zoom, height * zoom, zoom, (x0 + x1) / 2, (y0 + y1) / 2)]
        parts = math.ceil(width * README_ZOOM / README_WIDTH)  # side by side, not overlapping
        return grid(box, (width * README_ZOOM / parts, height * README_ZOOM), README_ZOOM)
    if size != "slide":
        return []
    y0 -= CAPTION_ROOM
    height += CAPTION_ROOM
    W, H = SLIDE
    zoom = min(W / width, H / height, MAX_ZOOM)
    if zoom >= 1:
        return [(W, H, zoom, (x0 + x1) / 2, (y0 + y1) / 2)]
    return grid((x0, y0, x1, y1), (W, H), 1.0)


def grid(box: Box, frame: tuple[float, float], zoom: float) -> list[Frame]:
    """Frames of ``frame`` points (of output) that show ``box`` at ``zoom``: as few as
    cover it, left to right then top to bottom, spread evenly so that they overlap."""
    x0, y0, x1, y1 = box
    W, H = frame
    left, top = x0 - MARGIN, y1 + MARGIN
    xs = _centres(left, x1 - x0 + 2 * MARGIN, W / zoom)
    ys = [top - (c - top) for c in _centres(top, y1 - y0 + 2 * MARGIN, H / zoom)]  # down
    return [(W, H, zoom, x, y) for y in ys for x in xs]


def _centres(start: float, extent: float, frame: float) -> list[float]:
    """Centres of as few frames as cover ``extent`` from ``start``, spread evenly: the
    first flush with the start, the last with the end."""
    count = max(1, math.ceil(extent / frame - 1e-9))
    if count == 1:
        return [start + extent / 2]
    step = (extent - frame) / (count - 1)
    return [start + frame / 2 + k * step for k in range(count)]


def pages(box: Box, nodes: Sequence[Box], page: tuple[float, float], zoom: float
          ) -> list[Frame]:
    """Frames of at most ``page`` points (of output) that show ``box`` at ``zoom``, cut
    between ``nodes`` (their boxes in the chart): columns left to right, each cut into
    pages top to bottom, the columns chosen so that the pages are as few as we can find.
    A node is never cut by a page's edge, unless it is wider (or taller) than a page: then
    the page after it starts where it does, so that it is whole there if it fits at all."""
    x0, y0, x1, y1 = box
    reach = page[1] / zoom

    def column(left: float, right: float) -> list[tuple[float, float]]:
        """The column's pages from top to bottom, as (top, bottom) with y downwards."""
        inside = [(-b[3], -b[1]) for b in nodes if b[0] < right and b[2] > left]
        upper = max(-y1, min((s for s, _ in inside), default=-y1)) - MARGIN
        lower = min(-y0, max((e for _, e in inside), default=-y0)) + MARGIN
        return _cuts(upper, lower, inside, reach)

    frames = []
    for left, right in _columns(x0 - MARGIN, x1 + MARGIN, [(b[0], b[2]) for b in nodes],
                                page[0] / zoom, lambda a, b: len(column(a, b))):
        frames += [((right - left) * zoom, (bottom - top) * zoom, zoom,
                    (left + right) / 2, -(top + bottom) / 2)
                   for top, bottom in column(left, right)]
    return frames


GAP = 3.0
"""Points of white kept between a node and a page's edge that cuts beside it."""


def _columns(start: float, end: float, spans: Iterable[tuple[float, float]], reach: float,
             cost: Callable[[float, float], int]) -> list[tuple[float, float]]:
    """``start``…``end`` cut into columns at most ``reach`` wide, each cut in a gap between
    the ``spans`` (nodes' extents, widened by `GAP`), so that the columns' ``cost`` (their
    pages) adds up to the least: for each group of nodes (spans that touch), the best
    columns up to it (fewest pages, then the cut farthest on), from the best up to an
    earlier group. `_cuts` when a group is wider than a column."""
    groups: list[list[float]] = []
    for s, e in sorted((s - GAP, e + GAP) for s, e in spans):
        if groups and s <= groups[-1][1]:
            groups[-1][1] = max(groups[-1][1], e)
        else:
            groups.append([s, e])
    if not groups or any(e - s > reach for s, e in groups):
        return _cuts(start, end, spans, reach)
    # best[j]: (pages, -cut, columns) for groups[:j], its last cut at most at groups[j]'s start
    best: list[tuple[int, float, list[tuple[float, float]]] | None] = [(0, -start, [])]
    for j in range(1, len(groups) + 1):
        limit = groups[j][0] if j < len(groups) else end
        found = []
        for i in range(j):
            if (before := best[i]) is None:
                continue
            left = -before[1]
            if groups[j - 1][1] - left > reach or (j == len(groups) and end - left > reach):
                continue
            cut = min(left + reach, limit)
            found.append((before[0] + cost(left, cut), -cut, [*before[2], (left, cut)]))
        best.append(min(found, key=lambda f: f[:2]) if found else None)
    last = best[-1]
    return last[2] if last is not None else _cuts(start, end, spans, reach)


def _cuts(start: float, end: float, spans: Iterable[tuple[float, float]], reach: float
          ) -> list[tuple[float, float]]:
    """``start``…``end`` cut into pieces at most ``reach`` long, each cut outside every
    span (a node's extent along the axis, widened by `GAP`) and as far on as it can be:
    the fewest pieces a cut between nodes allows (taking the farthest cut each time is
    optimal on a line)."""
    spans = [(s - GAP, e + GAP) for s, e in spans]
    pieces = []
    while end - start > reach + 1e-6:
        cut = start + reach
        while crossed := [s for s, e in spans if s < cut < e]:
            cut = min(crossed)  # back to the start of the nodes it would cut
        if cut > start + 1e-6:
            pieces.append((start, cut))
            start = cut
        else:  # a node longer than a page from here: cut through it, start again at it
            cut = start + reach
            pieces.append((start, cut))
            first = min(s for s, e in spans if s < cut < e)
            start = first if first > start + 1e-6 else cut
    return [*pieces, (start, end)]


_BOX = re.compile(r' pos="(-?[\d.]+),(-?[\d.]+)!" width="([\d.]+)" height="([\d.]+)"')


def node_boxes(body: Iterable[str]) -> list[Box]:
    """The box (x0, y0, x1, y1 in points) of every pinned node of a drawn chart's DOT
    statements that has a size (value boxes, op circles; not a label placed by its
    centre)."""
    boxes = []
    for line in body:
        if found := _BOX.findall(line):
            x, y, w, h = (float(v) for v in found[-1])
            if w > 0 and h > 0:
                boxes.append((x - 36 * w, y - 36 * h, x + 36 * w, y + 36 * h))
    return boxes


def viewport(frame: Frame, origin: tuple[float, float]) -> str:
    """A frame as Graphviz's ``viewport`` attribute. Graphviz moves the drawing so that its
    lower left corner is at (0, 0) before it frames it: ``origin`` is that corner."""
    width, height, zoom, x, y = frame
    return f"{width:g},{height:g},{zoom:g},{x - origin[0]:.2f},{y - origin[1]:.2f}"
