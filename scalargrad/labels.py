"""How a node's name is shown: ``w12`` → w₁₂, ``L1.n2.w1`` → w₂₁⁽¹⁾, ``σ(z_h1)`` → σ(zₕ₁).

The chart, the walkthrough in the animation and the animation's tooltips all show names
through `pretty_label`, so a node reads the same everywhere. (The plain-text walkthrough
keeps the labels as typed: its lines can be pasted back into a worksheet.)

>>> pretty_label("w12"), pretty_label("x_1"), pretty_label("L1.n2.w1"), pretty_label("σ(z_h1)")
('w₁₂', 'x₁', 'w₂₁⁽¹⁾', 'σ(zₕ₁)')
"""

from __future__ import annotations

import re

_SUB = str.maketrans("0123456789+-=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
_SUP = str.maketrans("0123456789+-=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ")
NN_LABEL = re.compile(r"L(\d+)\.n(\d+)\.(?:w(\d+)|b)")
"""The label `scalargrad.nn` gives a parameter: layer, neuron, input (none for a bias)."""
_INDEXED = re.compile(r"(?P<base>[^\W\d_]+)(?:_?(?P<digits>\d+)|_\{?(?P<sub>[^{}]+?)\}?)?"
                      r"(?:\^\{?(?P<sup>[^{}]+?)\}?)?")
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
    (layer); ``L{layer}.n{neuron}.b`` becomes b with subscript neuron. In a longer label
    each name is shown so (``σ(z_h1)`` → σ(zₕ₁)); anything else is shown as it is.
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
    """One name with its index as subscript (``w12`` → w₁₂), or as it is."""
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
