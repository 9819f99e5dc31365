"""A worksheet recomputed at a point: its own, or a random one for checking identities.

A formula a student writes in the working (``∂f1/∂e1 = f1(1 - f1)``) claims to equal the
quantity on the left *as a function of the inputs*, not just at the worksheet's numbers.
So it is compared at the worksheet's point and at `RANDOM_POINTS` random points: every
name defined by numbers alone (the inputs and weights, each entry of a vector or matrix
of numbers) is moved from x to x·(1 + u) + 0.1·u′, with u, u′ uniform in [−0.5, 0.5] from
a generator seeded with the point's number (the same points on every run); a point where
some definition cannot be computed (the log of a negative number, a division by zero) is
drawn again, up to `ATTEMPTS` times.  Variables of an identity such as ``DF(x, y) = …``
take the values 0.6, 0.95, 1.3, … at the worksheet's point and 0.5 + u at a random one.

One forward pass per point (every definition evaluated once) serves every formula, and
one backward pass per point and differentiated node serves every derivative.
"""

from __future__ import annotations

import math
import random
from collections import ChainMap
from collections.abc import Callable, Iterator, Mapping

from ..calculus import partials
from ..engine import Value
from ..worksheet import Array, Evaluator, Subject, Worksheet, WorksheetError
from ..worksheet.arrays import Quantity, Scalar
from ..worksheet.syntax import Derivative, Node, chain_rule_factors

RANDOM_POINTS = 3
"""Random points at which every formula is compared, besides the worksheet's own."""
ATTEMPTS = 20
"""Draws allowed per random point before giving it up (every definition must compute)."""
MAX_BACKWARD = 2_000_000
"""Most nodes visited by backward passes in one check, over every point (the worksheet's
and the random ones): beyond it the check stops with a clear error, never a long wait."""
RELATIVE, ABSOLUTE = 1e-6, 1e-9
"""Two values agree when |a − b| ≤ ABSOLUTE + RELATIVE·max(|a|, |b|)."""


def agree(a: float, b: float) -> bool:
    """Equal up to the identity tolerance (rounding in floats, never a student's)."""
    return abs(a - b) <= ABSOLUTE + RELATIVE * max(abs(a), abs(b))


class Point:
    """The worksheet's names at one point, with the derivatives asked of them (one
    backward pass per differentiated name, remembered)."""

    def __init__(self, worksheet: Worksheet, names: dict[str, Quantity], number: int,
                 budget: list[int]) -> None:
        self.ws = worksheet
        self.names = names
        self.number = number  # 0: the worksheet's own point
        self.budget = budget  # backward steps left, shared by every point
        self.gradients: dict[int, dict[Value, float]] = {}
        self.locals: dict[str, tuple[Quantity, dict[str, Quantity]]] = {}

    def inputs(self) -> tuple[tuple[str, float], ...]:
        """The worksheet's scalar inputs here (to show where a formula fails)."""
        return tuple((n, q.data) for n, d in self.ws.definitions.items()
                     if not d.refs and isinstance(q := self.names[n], Value))

    def variables(self, subject: Subject) -> dict[str, float]:
        if self.number == 0:
            return {v: 0.6 + 0.35 * i for i, v in enumerate(subject.variables)}
        rng = random.Random(f"variables {self.number}")
        return {v: 0.5 + rng.random() for v in subject.variables}

    def value(self, node: Node, subject: Subject) -> Quantity:
        """A formula (or the subject's expression) here; derivatives ∂U/∂V are the true
        ones at this point."""
        scope = ChainMap(self.variables(subject), _Numbers(self.names))  # type: ignore[arg-type]
        local = chain_rule_factors(node)

        def derivative_of(atom: Derivative) -> Quantity:
            return self.derivative(atom.top, atom.bottom, atom, local=id(atom) in local)

        return Evaluator(scope, self.ws.functions, derivative_of)(node)

    def subject(self, subject: Subject) -> Quantity:
        """The value of what a chain is about, here."""
        if subject.expression is not None:
            return self.value(subject.expression, subject)
        if subject.top is None:
            return self.names[subject.name]
        return self.derivative(subject.top, subject.name, None)

    def derivative(self, top: str, bottom: str, atom: Derivative | None,
                   local: bool = False) -> Quantity:
        """∂top/∂bottom: a number; the array of ∂top/∂entry in ``bottom``'s shape; the
        Jacobian (row i: ∂topᵢ/∂bottom) when ``top`` is a vector.  It is the total
        derivative, unless ``local`` and ``bottom`` is in ``top``'s own formula: then the
        formula's other inputs are held fixed (in the chain rule ∂L/∂t2 · ∂t2/∂x, the
        second factor is 1 for t2 = t1 + x, even if t1 uses x too)."""
        t, b = self.names[top], self.names[bottom]
        definition = self.ws.definitions.get(top)
        direct = top != bottom and definition is not None and bottom in definition.refs
        if direct and (local or self.ws.only_path(top, bottom)):  # local = total then
            t, b = self.local(top)
            b = b[bottom]
        return self.shaped(top, bottom, t, b, atom)

    def local(self, top: str) -> tuple[Quantity, dict[str, Quantity]]:
        """``top``'s formula recomputed on fresh copies of its inputs (remembered)."""
        if top not in self.locals:
            fresh = {r: _copied(self.names[r]) for r in self.ws.definitions[top].refs}
            self.locals[top] = (Evaluator(fresh, self.ws.functions)(
                self.ws.definitions[top].formula), fresh)
        return self.locals[top]

    def shaped(self, top: str, bottom: str, t: Quantity, b: Quantity,
               atom: Derivative | None) -> Quantity:
        if not isinstance(t, Array):
            return _shaped(b, self.gradient(t))
        if not t.is_vector or (isinstance(b, Array) and not b.is_vector):
            message = f"∂{top}/∂{bottom} has no shape here: {top} is {t.described()}" + (
                f" and {bottom} {b.described()}" if isinstance(b, Array) else "")
            at = atom.at if atom else None
            raise WorksheetError(message, at.line if at else 0, at.column if at else 0,
                                 "a vector by a vector (a Jacobian), or anything by a number")
        rows = [_shaped(b, self.gradient(entry)) for entry in t.entries]
        if not isinstance(b, Array):
            return Array(len(rows), 1, tuple(rows))  # type: ignore[arg-type]
        return Array(len(rows), len(b.entries),
                     tuple(x for row in rows for x in row.entries))  # type: ignore[union-attr]

    def gradient(self, top: Scalar) -> dict[Value, float]:
        """∂top/∂node for every node below ``top``: one backward pass, paid from the
        budget shared by every point."""
        if not isinstance(top, Value):
            return {}
        if id(top) not in self.gradients:
            grads = partials(top)
            self.budget[0] -= len(grads)
            if self.budget[0] < 0:
                raise WorksheetError(
                    f"too much to check: the derivatives asked for need more than "
                    f"{MAX_BACKWARD:,} steps of backpropagation",
                    hint="claim derivatives of fewer different nodes")
            self.gradients[id(top)] = grads
        return self.gradients[id(top)]


class _Numbers(Mapping[str, Quantity]):
    """The names' numbers (a formula's value needs no new nodes)."""

    def __init__(self, names: dict[str, Quantity]) -> None:
        self.names = names

    def __getitem__(self, name: str) -> Quantity:
        return _data(self.names[name])

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)


def _data(q: Quantity) -> Quantity:
    def number(x: Scalar) -> float:
        return x.data if isinstance(x, Value) else x

    return q.map(number) if isinstance(q, Array) else number(q)


def _copied(q: Quantity) -> Quantity:
    def copy(x: Scalar) -> Value:
        return Value(x.data if isinstance(x, Value) else x)

    return q.map(copy) if isinstance(q, Array) else copy(q)


def _shaped(bottom: Quantity, grads: dict[Value, float]) -> Quantity:
    def of(x: Scalar) -> float:
        return grads.get(x, 0.0) if isinstance(x, Value) else 0.0

    return bottom.map(of) if isinstance(bottom, Array) else of(bottom)


def own_point(worksheet: Worksheet, budget: list[int]) -> Point:
    return Point(worksheet, {**worksheet.values, **worksheet.arrays}, 0, budget)


def random_point(worksheet: Worksheet, number: int, budget: list[int]) -> Point | None:
    """The worksheet recomputed with every input moved at random (see the module), or
    None if no draw lets every definition be computed."""
    rng = random.Random(number)
    for _ in range(ATTEMPTS):
        names: dict[str, Quantity] = {}
        try:
            for name, definition in worksheet.definitions.items():
                if not definition.refs and not definition.calls:
                    names[name] = _moved(worksheet.quantity(name), rng.random)
                else:
                    names[name] = Evaluator(names, worksheet.functions)(definition.formula)
        except WorksheetError:
            continue
        return Point(worksheet, names, number, budget)
    return None


def _moved(q: Quantity, draw: Callable[[], float]) -> Quantity:
    def move(x: Scalar) -> Value:
        data = x.data if isinstance(x, Value) else x
        return Value(data * (1 + draw() - 0.5) + 0.1 * (draw() - 0.5))

    return q.map(move) if isinstance(q, Array) else move(q)


def entries(q: Quantity) -> list[float]:
    """A quantity's numbers, entry by entry (nan where an entry is not a number)."""
    items = q.entries if isinstance(q, Array) else (q,)
    out = []
    for x in items:
        data = x.data if isinstance(x, Value) else x
        out.append(float(data) if isinstance(data, int | float) else math.nan)
    return out
