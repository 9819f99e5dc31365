"""How a chart is written as DOT: statements and attribute lists, a pinned node's position,
the local derivatives on their edges, the legend, and the caption's lines.
"""

from __future__ import annotations

from collections.abc import Sequence

from . import layout as chart_layout
from .style import (
    FONT,
    HIGHLIGHT,
    HIGHLIGHT_TEXT,
    INK,
    LEGEND_TEXT,
    LOOKS,
    MUTED,
    dot_string,
    html_text,
)

GRAPH_ATTRS = {"bgcolor": "white", "fontname": FONT, "nodesep": "0.08", "ranksep": "0.18",
               "pad": "0.05", "newrank": "true"}

DERIVATIVE_SIZE = 12.0
"""The point size of a local derivative written on its edge."""


def pin(box: chart_layout.Box) -> dict[str, str]:
    """A node's position and size as the layout gave them: pinned, and of fixed size."""
    x0, y0, x1, y1 = box
    return {"pos": f"{(x0 + x1) / 2:.2f},{(y0 + y1) / 2:.2f}!",
            "width": f"{(x1 - x0) / 72:.4f}", "height": f"{(y1 - y0) / 72:.4f}",
            "fixedsize": "true"}


def wrap_words(text: str, width: int) -> list[str]:
    """``text`` in lines of at most about ``width`` characters, broken between words."""
    lines: list[str] = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def derivative_label(number: str, on_path: bool) -> tuple[str, chart_layout.Point]:
    """A local derivative as it sits on its edge: the number on a white patch that
    interrupts the edge's line (so it belongs to that edge), and its size in points."""
    text = f"<B>{html_text(number)}</B>" if on_path else html_text(number)
    colour, border = (HIGHLIGHT_TEXT, HIGHLIGHT) if on_path else (INK, "#999999")
    label = (f'<<TABLE BORDER="1" COLOR="{border}" STYLE="rounded" CELLBORDER="0" '
             f'CELLPADDING="1" CELLSPACING="0" BGCOLOR="white"><TR><TD>'
             f'<FONT POINT-SIZE="{DERIVATIVE_SIZE:g}" COLOR="{colour}">{text}</FONT>'
             "</TD></TR></TABLE>>")
    width = chart_layout.text_width(number, DERIVATIVE_SIZE) * (1.1 if on_path else 1) + 6
    return label, (width, DERIVATIVE_SIZE + 5)


def legend_label(kinds: Sequence[str], root_name: str) -> tuple[str, chart_layout.Point]:
    """A key in one row: a coloured swatch per kind of node that the chart shows, and how
    a box reads; with its size in points."""
    cells, width = [], 0.0
    for kind in LOOKS:
        if kind not in kinds:
            continue
        look = LOOKS[kind]
        shapes = [part for part in ("rounded", "dashed") if part in look.style]
        style = f' STYLE="{",".join(shapes)}"' if shapes else ""
        border = "2" if look.peripheries > 1 else f"{max(1, round(look.penwidth - 0.5))}"
        cells.append(f'<TD BGCOLOR="{look.fill}" COLOR="{look.border}" BORDER="{border}"'
                     f'{style} WIDTH="22" HEIGHT="14" FIXEDSIZE="TRUE"></TD>'
                     f'<TD ALIGN="LEFT">{html_text(LEGEND_TEXT[kind])}</TD>')
        width += 34 + chart_layout.text_width(LEGEND_TEXT[kind], 14) * 0.95
    reading = f"box: name, value; below it, bold, ∂{root_name}/∂node"
    cells.append(f'<TD ALIGN="LEFT"><FONT COLOR="{MUTED}">{html_text(reading)}</FONT></TD>')
    width += chart_layout.text_width(reading, 14) * 0.95 + 12
    return ('<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="1"><TR>'
            + "".join(cells) + "</TR></TABLE>>"), (width, 26.0)


def statement(name: str, attrs: dict[str, str]) -> str:
    return f"\t{name}{attr_list(attrs)}\n"


def attr_list(attrs: dict[str, str]) -> str:
    """``[key=value ...]``: labels are HTML-like (``<...>``), everything else is quoted."""
    return " [" + " ".join(f"{k}={v if k == 'label' else dot_string(v)}"
                           for k, v in attrs.items()) + "]"
