"""Where a chart is framed: the whole of it, a README column, or 16:9 slides.

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

The frames are computed from the chart's extent without its caption (`CAPTION_ROOM` is kept
for one on every slide), so a highlight or a title never moves a node.

>>> frames((0, 0, 400, 200), "slide")
[(960.0, 540.0, 1.75, 200.0, 77.0)]
>>> len(frames((0, 0, 1243, 764), "slide"))
4
"""

from __future__ import annotations

import math

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


def viewport(frame: Frame, origin: tuple[float, float]) -> str:
    """A frame as Graphviz's ``viewport`` attribute. Graphviz moves the drawing so that its
    lower left corner is at (0, 0) before it frames it: ``origin`` is that corner."""
    width, height, zoom, x, y = frame
    return f"{width:g},{height:g},{zoom:g},{x - origin[0]:.2f},{y - origin[1]:.2f}"
