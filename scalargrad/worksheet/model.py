"""What a worksheet is once read: its definitions, its chains of working, and the claims in
them, each with the line and column it was written at.

A *chain* is one line's ``subject = formula = working = number``; each part after the first
is a *link*, and a link holds the *claims* the student made (a number, a formula, or ``?``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from ..engine import Value
from .arrays import Array, Quantity
from .evaluation import Function, Work
from .syntax import Apply, Name, Node, walk
from .tokens import WorksheetError

BLANK = "?"
"""A claim left blank to fill in (an exercise's worksheet): graded "unanswered"."""


@dataclass(frozen=True)
class Claim:
    """What the student wrote about the value of ``name`` (or ∂top/∂name when ``top``):
    a number (``form`` "number") or a formula (``form`` "formula", ``written`` is its
    text).  ``entry`` is the 1-based index of the entry of a vector or matrix claim
    (``(2,)`` or ``(1, 3)``), empty for a scalar."""

    name: str
    written: str
    line: int
    column: int
    top: str | None = None
    entry: tuple[int, ...] = ()
    form: str = "number"

    @property
    def number(self) -> Decimal:
        """The claimed number, exactly as written (a claim of form "number" only)."""
        if self.form != "number":
            raise ValueError(f"{self.subject}: {self.written!r} is a {self.form}, not a number")
        return Decimal(self.written)

    @property
    def subject(self) -> str:
        """What is claimed, as the student would say it: ``h2``, ``∂L/∂w12``, ``z[2]``
        or ``∂L/∂W1[1,3]``."""
        base = f"∂{self.top}/∂{self.name}" if self.top else self.name
        return base + (f"[{','.join(map(str, self.entry))}]" if self.entry else "")


@dataclass(frozen=True)
class Definition:
    """``name = formula`` on ``line``.  Read off the formula once: ``uses`` (every name
    in it, in reading order), ``refs`` (each name once), ``size`` (its nodes) and
    ``calls`` (whether it applies a function of the worksheet)."""

    name: str
    formula: Node
    line: int
    column: int
    uses: tuple[Name, ...] = field(init=False, repr=False)
    refs: tuple[str, ...] = field(init=False)
    size: int = field(init=False, repr=False)
    calls: bool = field(init=False, repr=False)

    def __post_init__(self) -> None:
        nodes = list(walk(self.formula))
        uses = tuple(n for n in nodes if isinstance(n, Name))
        for key, value in {"uses": uses, "refs": tuple(dict.fromkeys(n.name for n in uses)),
                           "size": len(nodes),
                           "calls": any(isinstance(n, Apply) for n in nodes)}.items():
            object.__setattr__(self, key, value)


@dataclass(frozen=True)
class Subject:
    """What a chain is about: the value of ``name``, ∂top/∂name, or an ``expression`` (a
    worksheet function applied, ``name`` is its text).  An expression whose arguments
    use ``variables`` (names the worksheet does not define: ``DF(x, y)``) is an identity
    in them, checked at random values of the variables."""

    name: str
    top: str | None = None
    expression: Node | None = None
    variables: tuple[str, ...] = ()


@dataclass(frozen=True)
class Link:
    """One part of a chain after its formula: ``kind`` "number" (a claimed number, or a
    bracket of them: one claim per entry), "working" (numbers only) or "formula"."""

    kind: str
    node: Node
    text: str
    line: int
    column: int
    claims: tuple[Claim, ...] = ()


@dataclass(frozen=True)
class Chain:
    """A statement's working: its subject and its links in the order written."""

    subject: Subject
    links: tuple[Link, ...]
    formula: Node | None = None
    """The formula of a definition (``a1 = x12 · w12 = …``), which the links follow."""


@dataclass
class Worksheet:
    """A parsed worksheet: every named node, its definition, the functions, the chains of
    working, and the student's claimed numbers."""

    values: dict[str, Value]
    definitions: dict[str, Definition]
    claims: list[Claim]
    loss: str
    """The name of the loss: "" in a worksheet of vectors and matrices only."""
    source: str = ""
    arrays: dict[str, Array] = field(default_factory=dict)
    functions: dict[str, Function] = field(default_factory=dict)
    chains: list[Chain] = field(default_factory=list)
    rounded: dict[str, str] = field(default_factory=dict)
    """The givens known to the digits shown (``w1 ≈ 0.2355``): name → the number written."""
    work: Work = field(default_factory=Work, repr=False, compare=False)
    """The worksheet's one budget (`scalargrad.limits`): spent reading it, and by the
    checker re-evaluating it at its random points."""
    _below: dict[tuple[str, str | None], set[str]] = field(
        default_factory=dict, repr=False, compare=False)
    _inputs: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def root(self) -> Value:
        """The node the worksheet is about (``loss:``, else the last scalar defined); a
        `WorksheetError` when it defines no single number."""
        if not self.loss:
            raise WorksheetError("the worksheet defines no single number (the loss)",
                                 hint="a chart or an exercise needs one, e.g. L = v · v",
                                 source=self.source)
        return self.values[self.loss]

    def quantity(self, name: str) -> Quantity:
        """The value of a name: a node, or an `Array` of nodes."""
        return self.arrays[name] if name in self.arrays else self.values[name]

    def inputs(self, name: str) -> tuple[str, ...]:
        """The names ``name``'s value is computed from: those its formula uses, and those
        the bodies of the functions it applies use (``r = F(3)`` with ``F(t) = t·x``
        depends on x), each once.  A name with none is an input: a given number."""
        if name not in self._inputs:
            found = dict.fromkeys(self.definitions[name].refs)
            seen: set[str] = set()
            calls = [a for a in walk(self.definitions[name].formula) if isinstance(a, Apply)]
            while calls:
                for f in calls.pop().functions:
                    if f in seen or f not in self.functions:
                        continue
                    seen.add(f)
                    function = self.functions[f]
                    for node in walk(function.body):
                        if isinstance(node, Name) and node.name not in function.parameters:
                            found[node.name] = None
                        elif isinstance(node, Apply):
                            calls.append(node)
            self._inputs[name] = tuple(n for n in found if n in self.definitions)
        return self._inputs[name]

    def only_path(self, top: str, bottom: str) -> bool:
        """Is ``bottom`` used by ``top``'s formula directly and by none of its other
        inputs (so that the total ∂top/∂bottom is the local one)?  One pass for each
        ``top``: what its inputs depend on (a 4,000-term sum asks 4,000 times)."""
        if (top, "") not in self._below:  # "" avoids no name: everything below its inputs
            inputs = self.inputs(top)
            self._below[top, ""] = self._reached(
                [d for r in inputs for d in self.inputs(r)], None)
        return bottom not in self._below[top, ""]

    def below(self, name: str, avoiding: str | None = None) -> set[str]:
        """Every name that ``name``'s formula depends on, directly or not, without going
        through ``avoiding`` (remembered: the definitions do not change)."""
        if (name, avoiding) not in self._below:
            self._below[name, avoiding] = self._reached([name], avoiding) - {name}
        return self._below[name, avoiding]

    def _reached(self, starts: list[str], avoiding: str | None) -> set[str]:
        """``starts`` and every name their formulas depend on, not through ``avoiding``."""
        seen, stack = set(starts), list(starts)
        while stack:
            for ref in self.inputs(stack.pop()):
                if ref not in seen and ref != avoiding:
                    seen.add(ref)
                    stack.append(ref)
        return seen
