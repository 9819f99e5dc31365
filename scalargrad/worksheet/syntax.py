"""The syntax tree of a formula: its nodes, and walks over them (`parser` builds it)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from .tokens import Token

FUNCTIONS: dict[str, str] = {
    "sigmoid": "sigmoid", "σ": "sigmoid", "exp": "exp", "log": "log", "ln": "log",
    "tanh": "tanh", "relu": "relu", "abs": "abs",
}
"""Function names (matched case-insensitively) and the `Value` method each one calls;
with a prime (``σ'(z)``, ``tanh'(x)``) each one's derivative."""
EXTREMA = {"max", "min"}
"""``max(a, b, …)`` and ``min(a, b, …)``: the circuits' max gate."""
EULER = "e"
"""Euler's number, ``e^x`` the exponential, unless the worksheet defines a name ``e``."""

MINUS = {"-", "−"}
PRODUCTS = {"·": "·", "×": "·", "@": "@", "*": "*", "⊙": "⊙"}
"""Product symbols and the product each one means (see `arrays.product`): ``·`` the dot
product of two vectors (but the matrix product before a row written as one, ``xᵀ`` or
``[0.14 0.15]``: a column times it is the outer product), else the matrix product ``@``;
``*`` entrywise between equal shapes, else ``@``; ``⊙`` entrywise; side by side is ``""``."""
DIVIDE = {"/", "÷"}
POWER = {"**", "^"}


@dataclass(frozen=True)
class Num:
    text: str
    at: Token


@dataclass(frozen=True)
class Name:
    name: str
    at: Token


@dataclass(frozen=True)
class Derivative:
    """∂top/∂bottom (allowed in working, not in formulas)."""

    top: str
    bottom: str
    at: Token


@dataclass(frozen=True)
class Differentiated:
    """∂(expression)/∂bottom, also written d/dx (expression): the derivative of a formula
    with respect to a name (the total one when the name is a node of the worksheet)."""

    expression: Node
    bottom: str
    at: Token


@dataclass(frozen=True)
class Extremum:
    """``max(a, b, …)`` or ``min(a, b, …)`` (``kind`` "max" or "min")."""

    kind: str
    arguments: tuple[Node, ...]
    at: Token


@dataclass(frozen=True)
class Indicator:
    """``1(x > 0)`` or ``[x ≥ y]``: 1 where the relation holds, else 0 (a constant: its
    derivative is 0 wherever it is defined)."""

    relation: str  # ">", "<", "≥" or "≤"
    left: Node
    right: Node
    at: Token


@dataclass(frozen=True)
class Unary:
    op: str  # "-" or "ᵀ"
    operand: Node
    at: Token


@dataclass(frozen=True)
class Binary:
    op: str  # "-", "/", "**", or a product: "·", "@", "*", "⊙", "" (side by side)
    left: Node
    right: Node
    at: Token


@dataclass(frozen=True)
class Sum:
    """a + b (+ c ...): two terms make a ``+`` node, three or more one ``sum`` node."""

    terms: tuple[Node, ...]
    at: Token


@dataclass(frozen=True)
class Call:
    function: str  # a Value method name
    argument: Node
    at: Token


@dataclass(frozen=True)
class Bracket:
    """``[a, b, c]`` (a row vector) or ``[[a, b], [c, d]]`` (a matrix, by rows)."""

    items: tuple[Node, ...]
    at: Token
    spaced: bool = False
    """Written MATLAB's way, entries apart by spaces (``[0.14 0.15]``): a row."""


@dataclass(frozen=True)
class Apply:
    """A function of the worksheet applied: ``F(1, 2)``, ``(F∘G)(2)``; with ``derivative``
    "D" its Jacobian (``DF(1, 2)``, ``D(F∘G)(2)``), with "∇" its gradient (``∇f(1, 2)``).
    ``functions`` are outermost first: F∘G is ("F", "G")."""

    functions: tuple[str, ...]
    arguments: tuple[Node, ...]
    derivative: str
    at: Token


Node = (Num | Name | Derivative | Differentiated | Unary | Binary | Sum | Call | Bracket | Apply
        | Extremum | Indicator)


_CHILDREN: dict[type, Callable[[Any], tuple[Node, ...]]] = {
    Differentiated: lambda n: (n.expression,),
    Extremum: lambda n: n.arguments,
    Indicator: lambda n: (n.left, n.right),
    Unary: lambda n: (n.operand,),
    Binary: lambda n: (n.left, n.right),
    Sum: lambda n: n.terms,
    Bracket: lambda n: n.items,
    Call: lambda n: (n.argument,),
    Apply: lambda n: n.arguments,
}


def children(node: Node) -> tuple[Node, ...]:
    of = _CHILDREN.get(type(node))
    return of(node) if of else ()


def walk(node: Node) -> Iterator[Node]:
    """Every node of the tree, parents before children, in reading order (no recursion,
    so a 100,000-term sum costs linear time and no stack)."""
    stack = [node]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(children(node)))


def depth(node: Node) -> int:
    """How deeply the tree nests (counted without recursion)."""
    deepest = 0
    stack = [(node, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        stack += [(child, level + 1) for child in children(node)]
    return deepest


def names_in(node: Node) -> Iterator[Name]:
    """Every name a formula refers to, in reading order."""
    return (n for n in walk(node) if isinstance(n, Name))


def derivatives_in(node: Node) -> Iterator[Derivative]:
    """Every ∂U/∂V atom in a piece of working."""
    return (n for n in walk(node) if isinstance(n, Derivative))


def numbers_in(node: Node) -> Iterator[Num]:
    """Every number literal of a formula."""
    return (n for n in walk(node) if isinstance(n, Num))


def is_numeric(node: Node) -> bool:
    """Working made of numbers and functions only (no names, no derivatives)."""
    return not any(isinstance(n, Name | Derivative) for n in walk(node))


def chain_rule_factors(node: Node) -> set[int]:
    """The ids of the derivatives that continue a chain-rule product: in
    ``∂L/∂e1 · ∂e1/∂d1 · ∂d1/∂a1`` the second and third (each one's top is the bottom of
    the factor before it).  Those are local derivatives; the first factor is a total one."""
    following: set[int] = set()
    for product in walk(node):
        if not (isinstance(product, Binary) and product.op in {"·", "@", "*", ""}):
            continue
        left = product.left
        while isinstance(left, Binary) and left.op in {"·", "@", "*", ""}:
            left = left.right  # the factor just before product.right
        right = product.right
        if isinstance(left, Derivative) and isinstance(right, Derivative) \
                and left.bottom == right.top:
            following.add(id(right))
    return following
