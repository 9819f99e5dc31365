"""The facts about a graph that every view shares: the order a person reads its nodes in
(`reading_order`), the name of each node (`node_names`: its label, or t1, t2, …) and how
a name is shown (`pretty_label`).

How a node's name is shown: ``w12`` → w₁₂, ``L1.n2.w1`` → w₂₁⁽¹⁾, ``σ(z_h1)`` → σ(zₕ₁).

The chart, the walkthrough in the animation and the animation's tooltips all show names
through `pretty_label`, so a node reads the same everywhere. (The plain-text walkthrough
keeps the labels as typed: its lines can be pasted back into a worksheet.)

>>> pretty_label("w12"), pretty_label("x_1"), pretty_label("L1.n2.w1"), pretty_label("σ(z_h1)")
('w₁₂', 'x₁', 'w₂₁⁽¹⁾', 'σ(zₕ₁)')
"""

from __future__ import annotations

import re

from .engine import Value

_SUB = str.maketrans("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
_SUP = str.maketrans("0123456789+-=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ")
NN_LABEL = re.compile(r"L(\d+)\.n(\d+)\.(?:w(\d+)|b)")
"""The label `scalargrad.nn` gives a parameter: layer, neuron, input (none for a bias)."""
_INDEXED = re.compile(r"(?P<base>[^\W\d_]+)(?:_?(?P<digits>\d+)|_\{?(?P<sub>[^{}]+?)\}?)?"
                      r"(?:\^\{?(?P<sup>[^{}]+?)\}?)?")
_COMPOUND = re.compile(r"(?:[^\W\d_]+\d+){2,}")
"""A name made of indexed names, as a product is often named: ``x1w1`` (x₁·w₁)."""
_PIECE = re.compile(r"([^\W\d_]+)(\d+)")
_WORD = re.compile(r"[^\W\d_]\w*(?:\^\{?[^\W_]+\}?)?")
"""A name inside a longer label: ``z_h1`` in ``σ(z_h1)``."""


def superscript(text: str) -> str | None:
    """``text`` in superscript characters, or None if one has no such form: ``2`` → ²."""
    return _convert(text, _SUP)


def _convert(text: str, table: dict[int, str]) -> str | None:
    """``text`` in sub- or superscript characters (commas kept), or None if it has none."""
    if any(ord(ch) not in table for ch in text if ch != ","):
        return None
    return text.translate(table)


def pretty_label(label: str) -> str:
    """The label as a chart shows it: ``w12`` → w₁₂, ``x_i`` → xᵢ, ``L1.n2.w1`` → w₂₁⁽¹⁾.

    The rule: a name of letters followed by digits (``w12``, ``h3``, ``W11``), or by
    ``_`` and an index (``x_1``, ``x_{ij}``), gets the index as subscript, and ``^n`` as
    superscript, when every character has a Unicode sub/superscript form. The nn's
    ``L{layer}.n{neuron}.w{input}`` becomes w with subscript neuron, input and superscript
    (layer); ``L{layer}.n{neuron}.b`` becomes b with subscript neuron. A name made of
    several such names (``x1w1``, a product's name) gets each index as subscript: x₁w₁.
    In a longer label each name is shown so (``σ(z_h1)`` → σ(zₕ₁)); anything else is
    shown as it is.
    """
    nn = NN_LABEL.fullmatch(label)
    if nn:
        layer, neuron, inp = nn.groups()
        if inp is None:
            return f"b{neuron.translate(_SUB)}⁽{layer.translate(_SUP)}⁾"
        return f"w{_join_indices(neuron, inp).translate(_SUB)}⁽{layer.translate(_SUP)}⁾"
    if _INDEXED.fullmatch(label):
        return _pretty_name(label)
    return _WORD.sub(lambda m: _pretty_name(m[0]), label)


def _pretty_name(name: str) -> str:
    """One name with its index as subscript (``w12`` → w₁₂; ``x1w1`` → x₁w₁), or as it is."""
    if _COMPOUND.fullmatch(name):
        return _PIECE.sub(lambda piece: piece[1] + piece[2].translate(_SUB), name)
    m = _INDEXED.fullmatch(name)
    if not m or not (m["digits"] or m["sub"] or m["sup"]):
        return name
    index = m["digits"] or m["sub"]
    sub = _convert(index, _SUB) if index else ""
    sup = _convert(m["sup"], _SUP) if m["sup"] else ""
    if sub is None or sup is None:
        return name
    return m["base"] + sub + sup


def _join_indices(first: str, second: str) -> str:
    """``21`` for neuron 2, input 1; ``16,12`` when an index has two digits."""
    return first + second if len(first) == len(second) == 1 else f"{first},{second}"


# ---------------------------------------------------------------------------------------
# Order and names: every view walks a graph the same way and names its nodes alike
# ---------------------------------------------------------------------------------------


def node_names(root: Value) -> dict[Value, str]:
    """The name of every node below ``root`` as the walkthrough writes it: its label, or
    t1, t2, … in reading order for an unlabelled node (unlabelled constants are numbers
    and have no name). The chart and the animation use the same names."""
    return unique_names(reading_order(root))


def reading_order(root: Value) -> list[Value]:
    """A topological order that reads left to right: each node after its children, the
    children visited in order (``a + b``: a's subgraph, then b's); numbers left out."""
    order: list[Value] = []
    seen: set[Value] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack += [(c, False) for c in reversed(node.children) if c not in seen]
    return [n for n in order if not is_number(n)]


def is_number(node: Value) -> bool:
    """An unlabelled constant leaf: shown as its number, not as a line of its own."""
    return node.constant and not node.label


def unique_names(order: list[Value]) -> dict[Value, str]:
    """Labels, and t1, t2, … for unlabelled nodes (never clashing with a label).

    Every node gets a name of its own: when several nodes share a label (a network applied
    to two examples labels both inputs ``x1``), the first in reading order keeps it and the
    others are ``x1_2``, ``x1_3``, … (skipping names already taken)."""
    taken = {n.label for n in order if n.label}
    names: dict[Value, str] = {}
    uses: dict[str, int] = {}
    counter = 0
    for node in order:
        if node.label:
            uses[node.label] = uses.get(node.label, 0) + 1
            name = node.label
            while uses[node.label] > 1 and (name := f"{node.label}_{uses[node.label]}") in taken:
                uses[node.label] += 1
            taken.add(name)
            names[node] = name
            continue
        counter += 1
        while f"t{counter}" in taken:
            counter += 1
        names[node] = f"t{counter}"
    return names
