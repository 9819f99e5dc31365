"""How the chart looks: names and numbers as text, op symbols, and the colours of each kind
of node (Okabe–Ito, safe for colour-blind readers). `scalargrad.chart.drawing` builds the chart
with these; the animation's marks are chosen to stand apart from them.

>>> format_number(-15.888, 4), format_number(0.0561, 2), op_symbol("**2")
('−15.89', '0.056', 'x²')
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from html import escape as _escape_html
from typing import Literal

from ..engine import Value
from ..graph import NN_LABEL, superscript

NUMBER_SIZE = 15.0
"""The point size of every number in a box (a chart's size is measured against it)."""

# ---------------------------------------------------------------------------------------
# Text: labels with subscripts, numbers, escaping.
# ---------------------------------------------------------------------------------------

_PARAMETER = re.compile(r"(?:[wWbvV]|θ)(?:_?\{?[0-9ijk,]+\}?|\[\d+\])?")


def format_number(x: float, digits: int) -> str:
    """``x`` with ``digits`` significant digits and a true minus sign: −15.89, 0.0561."""
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    text = f"{x:.{digits}g}"
    if float(text) == 0:
        text = "0"
    return text.replace("-", "−")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _clean(text: str) -> str:
    """Line breaks as ``\\n``; other control characters, lone surrogates and the
    non-characters U+FFFE and U+FFFF (XML cannot hold them) as U+FFFD."""
    return _CONTROL.sub("\ufffd", text.replace("\r\n", "\n").replace("\r", "\n"))


def html_text(text: str) -> str:
    """Text for a Graphviz HTML-like label: shown literally, never read as markup.

    ``& < > " '`` become entities and a newline a line break. Graphviz reads ``\\N``
    (node name), ``\\G``... even in HTML labels, and ``\\\\`` as one backslash, so
    backslashes are doubled.
    """
    lines = (_escape_html(line, quote=True).replace("\\", "\\\\")
             for line in _clean(text).split("\n"))
    return "<BR/>".join(lines)


def dot_string(text: str) -> str:
    """A quoted DOT string (a tooltip) that Graphviz shows as ``text``.

    Graphviz undoes backslash escapes twice in such strings, so each backslash is
    written as four; it reads ``&amp;`` as an entity, so ``&`` is written ``&amp;``;
    quotes are escaped, a newline is ``\\n``.
    """
    escaped = (_clean(text).replace("&", "&amp;").replace("\\", "\\" * 4)
               .replace('"', '\\"').replace("\n", "\\n"))
    return f'"{escaped}"'


# ---------------------------------------------------------------------------------------
# Ops: the symbol on each op node.
# ---------------------------------------------------------------------------------------

OP_SYMBOLS: dict[str, str] = {
    "+": "+", "-": "−", "*": "×", "/": "÷", "neg": "−x", "exp": "exp", "log": "log",
    "tanh": "tanh", "sigmoid": "σ", "relu": "ReLU", "abs": "|x|", "pow": "xʸ",
    "sum": "Σ", "dot": "Σwx",
}


def op_symbol(op: str) -> str:
    """The symbol for an op name: ``*`` → ×, ``sigmoid`` → σ, ``**2`` → x², ``**0.5`` → √x."""
    if op in OP_SYMBOLS:
        return OP_SYMBOLS[op]
    if op.startswith("**"):
        exponent = op[2:]
        if exponent == "0.5":
            return "√x"
        sup = superscript(exponent)
        return f"x{sup}" if sup is not None else f"x^{exponent}"
    return op


# ---------------------------------------------------------------------------------------
# Looks: the kinds of node and their colours (Okabe–Ito, safe for colour-blind readers).
# ---------------------------------------------------------------------------------------

Kind = Literal["input", "parameter", "constant", "intermediate", "output"]


@dataclass(frozen=True)
class _Look:
    fill: str
    border: str
    style: str = "rounded,filled"
    peripheries: int = 1
    penwidth: float = 1.5


LOOKS: dict[str, _Look] = {
    # Each kind has a border of its own, so the kinds stay apart in greyscale and on a
    # washed-out projector, where the pastel fills all look white: inputs have square
    # corners, parameters a thick border, constants a dashed one, the output a double one.
    "input": _Look("#CFE8F7", "#005A8C", "filled"),  # sky blue fill, blue border
    "parameter": _Look("#FBE3B0", "#7A5000", penwidth=3.0),  # orange, thick
    "constant": _Look("#FFFFFF", "#595959", "rounded,filled,dashed"),
    "intermediate": _Look("#FFFFFF", "#555555"),
    "output": _Look("#C4EBDD", "#00634A", peripheries=2, penwidth=2.0),  # bluish green
}
LEGEND_TEXT: dict[str, str] = {
    "input": "input", "parameter": "parameter (weight, bias)", "constant": "constant",
    "intermediate": "intermediate", "output": "output / loss",
}
HIGHLIGHT = "#D55E00"  # vermillion: highlighted lines and borders
HIGHLIGHT_TEXT = "#A33C00"
"""Highlighted text: a darker vermillion, 6.6:1 on white (the vermillion is 3.9:1)."""
FAINT = "#B8B8B8"
INK = "#222222"
MUTED = "#595959"
"""Secondary text: at least 5.4:1 on every fill (WCAG asks 4.5:1)."""
FONT = "Arial"  # Helvetica metrics: Arial on Windows and macOS, Liberation Sans on Linux


def is_parameter_label(label: str | None) -> bool:
    """Whether a leaf with this label is drawn as a parameter (see the module docstring)."""
    return bool(label) and bool(NN_LABEL.fullmatch(label) or _PARAMETER.fullmatch(label))


def kind_of(node: Value, root: Value, parameters: set[Value] | None) -> Kind:
    if node is root:
        return "output"
    if node.op:
        return "intermediate"
    if node.constant:
        return "constant"
    if parameters is not None:
        return "parameter" if node in parameters else "input"
    return "parameter" if is_parameter_label(node.label) else "input"
