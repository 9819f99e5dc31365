"""A practice page: the chart with a box to type in for every value and gradient to find.

``practice(root, "practice.html")`` writes one self-contained HTML page (offline, a
Content-Security-Policy that loads nothing) for self-study: the answers are in the page.
The student types numbers into the chart itself; the tab key goes forward through the
values, then backward through the gradients, as a person works.  Each box is marked
right or wrong **at the precision typed, by the rule of** `scalargrad check`
(`scalargrad.grading.precision.holds`): 0.52 is right for 0.5225.  The page does not re-implement
that rule: for every box, Python lists the right answers at each number of decimals (the
exact value rounded, both neighbours at an exact tie, as `holds` decides), and the number
cut off instead of rounded (as `scalargrad.grading.precision.cut_off` decides); the page looks the
typed number up.

A wrong box whose number is what the student's own earlier numbers give *follows from*
them, as in `scalargrad check`: the page recomputes the node from the numbers typed
(each op's formula and local derivative, in a few lines of script), and names the wrong
boxes it rests on.  That number exists only in the browser, so there the page applies
the two rules of `holds` and `cut_off` itself, in floats (two short functions); the tests
type the same numbers into the page and into a worksheet and require the same verdicts
from both, for every op.  Typing ``?`` in a box (or the
hint button) shows that node's line of the walkthrough (`scalargrad.steps`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from decimal import ROUND_FLOOR, Decimal
from pathlib import Path

from ..calculus import partials
from ..chart.boxes import BLANK_BOX
from ..chart.drawing import check_size, to_svg
from ..chart.style import format_number
from ..engine import Value, topological_order
from ..grading.precision import cut_off, holds
from ..graph import pretty_label
from ..walkthrough import steps
from ..worksheet import load
from .animation import Animation, fill_page

FEWEST_DECIMALS = -3
"""Coarsest precision looked up: ``1.5e3`` claims the hundreds (−2 decimals)."""
EXTRA_DECIMALS = 10
"""Decimals looked up beyond the leading digit: up to 11 significant digits typed (past
that, the 10⁻¹² relative slack of `holds` would span more than one unit)."""
BOX_PIXELS = 60
"""On screen an empty box is at least this wide; a chart too wide for that scrolls."""


class PracticePage(Animation):
    """A practice page: its ``html`` and the ``path`` it was written to (None if not).
    Like the animation, a notebook cell shows it inline, in a sandboxed frame."""

    frame_title = "practice page"

    def __init__(self, html: str, path: Path | None = None) -> None:
        super().__init__(html)
        self.path = path


def practice(root: Value | str | Path, path: str | Path | None = None, *, digits: int = 4,
             title: str | None = None) -> PracticePage:
    """The practice page of ``root``'s graph; written to ``path`` when given. ``root`` may
    also be a worksheet file (or a shipped one's name, ``"seed001_x1.txt"``): its loss.

    Every value computed from others and every gradient ∂root/∂node is a box to fill in;
    the leaves' values are printed. ``digits``: significant digits of the walkthrough's
    numbers in the hints. The graph's ``.grad`` values are left as they were.
    """
    if isinstance(root, str | Path):
        root = load(root).root
    if not isinstance(root, Value):
        raise TypeError(f"practice: root must be a Value or a worksheet file, got "
                        f"{type(root).__name__}")
    check_size(root, None, "practice")  # before the work: the walkthrough of a big graph
    walkthrough = steps(root, digits)  # checks digits
    order = topological_order(root)
    ids = {node: f"v{i}" for i, node in enumerate(order)}
    grads = partials(root)
    pretty = as_on_the_chart(walkthrough.names.values())
    boxes = [_box(ids[s.node], "data", s.node.data, walkthrough.names[s.node], pretty(s.text))
             for s in walkthrough.of_kind("forward") if s.node.op]
    boxes += [_box(ids[s.node], "grad", grads.get(s.node, 0.0),
                   f"∂{walkthrough.root_name}/∂{walkthrough.names[s.node]}", pretty(s.text))
              for s in walkthrough.of_kind("backward")]
    svg = to_svg(root, blank=True, legend=False)
    width = float(svg.split('width="', 1)[1].split("pt", 1)[0])
    data = {"boxes": boxes, "nodes": [_node(n, ids) for n in order], "root": ids[root],
            "minWidth": round(width * BOX_PIXELS / BLANK_BOX[0])}
    html = fill_page(
        "practice.html", title if title is not None
        else f"Practice: fill in the chart of {walkthrough.root_name}", svg[svg.index("<svg"):],
        data)
    page = PracticePage(html)
    return page if path is None else PracticePage(html, page.save(path))


def as_on_the_chart(names: Iterable[str]) -> Callable[[str], str]:
    """A function that writes each of ``names`` in a text as the chart does (h1 → h₁,
    w12 → w₁₂), so that a hint reads like the chart it is about."""
    shown = {name: pretty_label(name) for name in names if pretty_label(name) != name}
    if not shown:
        return lambda text: text
    word = re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, sorted(shown, key=len,
                                                                       reverse=True)))
                      + r")(?![\w.])")
    return lambda text: word.sub(lambda m: shown[m[1]], text)


def _box(node: str, kind: str, exact: float, name: str, hint: str) -> dict:
    """One box: its chart id, what it asks (``a₁``, ``∂L/∂a₁``), the answers it accepts
    and the walkthrough line that is its hint."""
    asks = name.split("/∂", 1)
    shown = (f"{asks[0]}/∂{pretty_label(asks[1])}" if len(asks) == 2 else pretty_label(name))
    return {"id": f"{node}_{kind}", "node": node, "kind": kind, "name": shown,
            "hint": hint.replace("-", "−"), **answers(exact)}


def answers(exact: float) -> dict:
    """What `holds` and `cut_off` accept for ``exact``, by number of decimals typed.

    ``right[k]``: the numbers with k decimals that are right, as integers (0.52 → "52" at
    k = 2); ``cut[k]``: those that are ``exact`` cut off instead of rounded.
    Decimals from `FEWEST_DECIMALS` to `EXTRA_DECIMALS` past the leading digit.
    """
    if not math.isfinite(exact):
        return {"right": {}, "cut": {}, "decimals": [0, 0]}
    value = Decimal(exact)
    most = max(EXTRA_DECIMALS - (value.adjusted() if value else 0), 1)
    right: dict[int, list[str]] = {}
    cut: dict[int, list[str]] = {}
    for k in range(FEWEST_DECIMALS, most + 1):
        below = int(value.scaleb(k).to_integral_value(ROUND_FLOOR))
        near = (below, below + 1)  # only these two can be within a unit of the last digit
        right[k] = [str(m) for m in near if holds(_written(m, k), exact)]
        cut[k] = [str(m) for m in near if cut_off(_written(m, k), exact)]
    return {"right": right, "cut": cut, "decimals": [FEWEST_DECIMALS, most],
            "rounded": format_number(exact, 4)}


def _written(m: int, k: int) -> str:
    """The number m·10⁻ᵏ as written with k decimals: (52, 2) → "0.52", (15, -2) → "15E+2"."""
    return str(Decimal(m).scaleb(-k))


def _node(node: Value, ids: dict[Value, str]) -> dict:
    """What the page needs to recompute a node from the student's numbers: its op, its
    children, and its number if it is a leaf (given)."""
    entry: dict = {"id": ids[node], "op": node.op, "kids": [ids[c] for c in node.children]}
    if not node.op:
        entry["value"] = node.data
    if node.op == "dot":
        entry["terms"] = dot_terms(node)
    return entry


def dot_terms(node: Value) -> list[tuple[int, int | None, float]]:
    """A ``dot`` node (Σ wᵢ·xᵢ + b) as terms over its children: (i, j, 1) for the product
    of children i and j, (i, None, c) for child i times the number c (a number input, or
    1 for the bias). Children come as pairs w, x when both are nodes, as the walkthrough
    reads them."""
    kids, local = node.children, node.local_grads
    terms: list[tuple[int, int | None, float]] = []
    i = 0
    while i < len(kids):
        if i + 1 < len(kids) and local[i] == kids[i + 1].data and local[i + 1] == kids[i].data:
            terms.append((i, i + 1, 1.0))
            i += 2
        else:
            terms.append((i, None, local[i]))
            i += 1
    return terms
