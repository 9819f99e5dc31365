"""The computational chart: drawing a graph of `Value`s for slides, handouts and notebooks.

In: a root `Value` (and options: ``view``, ``highlight``, ``size``, ``blank``, …).
Out: a `graphviz.Digraph` (`draw`), a file (`render`: SVG, PNG or PDF; `render_slides`: a
big chart on several 1280 × 720 slides) or SVG text (`to_svg`, `notebook_svg`).

- `drawing`: the public functions, size checks and the notebook's picture;
- `plan`, `boxes`, `networks`, `dot`: where each box goes, what is drawn (values and ops;
  a network's neurons, layers and bundles) and the DOT text;
- `layout`: where every box goes (one band per unit, in the notes' order);
- `frames`: what a README column or a slide shows of the chart;
- `style`: how each kind of node looks (colours, borders, numbers, the legend);
- `graphviz_engine`: which Graphviz runs (the system ``dot`` or the bundled one).
"""

from .drawing import (
    ChartTooBig,
    LargeGraphWarning,
    draw,
    draw_slides,
    notebook_svg,
    render,
    render_slides,
    to_svg,
)

__all__ = ["ChartTooBig", "LargeGraphWarning", "draw", "draw_slides", "notebook_svg", "render",
           "render_slides", "to_svg"]
