"""Formula trees for the identity oracle (``oracle_identities.py``): each printed both in
the worksheet's notation and as SymPy, and the rule for numbers that stand for names.

A tree is a tuple: ("num", "2"), ("name", "x"), ("neg", e), ("add" | "sub" | "mul" |
"div", e, f), ("pow", e, 2), ("call", "exp" | "tanh" | "sigmoid" | "relu" | "abs" |
"log", e), ("d", top, bottom) for ∂top/∂bottom.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from decimal import Decimal

import sympy as sp

from scalargrad.grading.identities import MAX_READINGS

Tree = tuple


def text(t: Tree) -> str:
    """The worksheet notation of a formula tree (parenthesised wherever it could bind)."""
    kind = t[0]
    if kind in ("num", "name"):
        return t[1]
    if kind == "neg":
        return f"-({text(t[1])})"
    if kind == "pow":
        return f"({text(t[1])})^{t[2]}"
    if kind == "call":
        return f"{'σ' if t[1] == 'sigmoid' else t[1]}({text(t[2])})"
    if kind == "d":
        return f"∂{t[1]}/∂{t[2]}"
    op = {"add": "+", "sub": "-", "mul": "·", "div": "/"}[kind]
    return f"({text(t[1])}) {op} ({text(t[2])})"


SYMPY_CALLS = {
    "exp": sp.exp, "tanh": sp.tanh, "log": sp.log, "abs": sp.Abs,
    "sigmoid": lambda u: 1 / (1 + sp.exp(-u)),
    "relu": lambda u: sp.Piecewise((u, u > 0), (0, True)),
}


def to_sympy(t: Tree, names: dict[str, sp.Expr], atoms: dict[tuple[str, str], sp.Expr],
             reading: dict[int, str] | None = None) -> sp.Expr:
    """The SymPy value of a formula tree: names by their expressions in the inputs, ∂U/∂V
    atoms by ``atoms``, the numbers at ``reading`` (by the node's id) by the names they
    stand for."""
    reading = reading or {}
    kind = t[0]
    if id(t) in reading:
        return names[reading[id(t)]]
    if kind == "num":
        return sp.Rational(t[1])
    if kind == "name":
        return names[t[1]]
    if kind == "d":
        return atoms[(t[1], t[2])]
    if kind == "pow":
        return to_sympy(t[1], names, atoms, reading) ** t[2]
    if kind == "call":
        return SYMPY_CALLS[t[1]](to_sympy(t[2], names, atoms, reading))
    if kind == "neg":
        return -to_sympy(t[1], names, atoms, reading)
    a, b = (to_sympy(x, names, atoms, reading) for x in t[1:])
    return {"add": a + b, "sub": a - b, "mul": a * b, "div": a / b}[kind]


def from_sympy(e: sp.Expr) -> Tree:
    """A SymPy expression (polynomials, exp, tanh) as a formula tree."""
    if e.is_Integer:
        return ("num", str(e))
    if e.is_Rational:
        return ("div", from_sympy(sp.Integer(e.p)), from_sympy(sp.Integer(e.q)))
    if e.is_Symbol:
        return ("name", e.name)
    if e.is_Add:
        first, *rest = (from_sympy(a) for a in e.as_ordered_terms())
        for r in rest:
            first = ("add", first, r)
        return first
    if e.is_Mul:
        first, *rest = (from_sympy(a) for a in e.as_ordered_factors())
        for r in rest:
            first = ("mul", first, r)
        return first
    if e.is_Pow and e.exp.is_Integer and e.exp > 0:
        return ("pow", from_sympy(e.base), int(e.exp))
    if e.is_Pow and e.exp.is_Integer:
        return ("div", ("num", "1"), from_sympy(e.base ** -e.exp))
    if isinstance(e, sp.exp):
        return ("call", "exp", from_sympy(e.args[0]))
    if isinstance(e, sp.tanh):
        return ("call", "tanh", from_sympy(e.args[0]))
    raise ValueError(f"cannot print {e}")


def literals(t: Tree) -> list[tuple[Tree, str]]:
    """The numbers of a tree with their text (−n one number), exponents aside."""
    if t[0] == "num":
        return [(t, t[1])]
    if t[0] == "neg" and t[1][0] == "num":
        return [(t, "-" + t[1][1])]
    if t[0] == "pow":
        return literals(t[1])
    return [n for c in t[1:] if isinstance(c, tuple) for n in literals(c)]


def written_names(t: Tree) -> set[str]:
    if t[0] == "name":
        return {t[1]}
    return {n for c in t[1:] if isinstance(c, tuple) for n in written_names(c)}


def replace(t: Tree, old: Tree, new: Tree) -> Tree:
    """``t`` with the node ``old`` (by identity) replaced by ``new``."""
    if t is old:
        return new
    return (t[0], *(replace(c, old, new) if isinstance(c, tuple) else c for c in t[1:]))


def nodes(t: Tree) -> list[Tree]:
    return [t, *(n for c in t[1:] if isinstance(c, tuple) for n in nodes(c))]


# -- a case ----------------------------------------------------------------------------


@dataclass
class Case:
    family: str
    mutation: str
    lines: list[str]
    claim: str                       # the claim's line (the last line of the worksheet)
    truth: object                    # SymPy: a scalar or a Matrix (entries in the inputs)
    formula: dict | None             # SymPy, per reading (None: too many readings)
    signs: list[sp.Symbol] = field(default_factory=list)  # inputs whose sign relu/abs see
    point: dict = field(default_factory=dict)  # the worksheet's own point: input → value

    @property
    def worksheet(self) -> str:
        return "\n".join([*self.lines, self.claim]) + "\n"



# -- the rule: numbers that stand for names --------------------------------------------


def stands_for(number: str, values: dict[str, sp.Expr]) -> list[str]:
    """The names whose value ``number`` is at its digits (exactly for an integer)."""
    decimals = "." in number
    half = Decimal(5).scaleb(Decimal(number).as_tuple().exponent - 1) if decimals else 0
    out = []
    for name, value in values.items():
        v = sp.nsimplify(value) if value.is_number else None
        if v is None or not v.is_real:
            continue
        gap = abs(sp.Rational(number) - v)
        if (gap <= sp.Rational(str(half)) * (1 + sp.Rational(1, 10**9))) if decimals else gap == 0:
            out.append(name)
    return out


def readings(formula: Tree, names: dict[str, sp.Expr], values: dict[str, sp.Expr]
             ) -> list[dict[int, str]] | None:
    """Every reading of the formula's numbers as names (the rule in identities.py); None
    when there are more than the checker tries in combination (the case is left out)."""
    written = written_names(formula)
    options = [(id(n), [None, *(m for m in stands_for(number, values) if m not in written)])
               for n, number in literals(formula)]
    if math.prod(len(o) for _, o in options) > MAX_READINGS:
        return None
    return [{i: name for (i, _), name in zip(options, choice) if name}
            for choice in itertools.product(*[o for _, o in options])]
