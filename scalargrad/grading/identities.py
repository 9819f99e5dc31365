"""A worksheet recomputed at a point: its own, or a random one for checking identities.

A formula a student writes in the working (``∂f1/∂e1 = f1(1 - f1)``) claims to equal the
quantity on the left *as a function of the inputs*, not just at the worksheet's numbers.
So it is compared at the worksheet's point and at `RANDOM_POINTS` random points, drawn
from generators seeded with the point's number (the same points on every run).  Every
*input* (a name whose value uses no other name, directly or through the body of a
function it applies: ``x = 2``, ``a = G(2)``, each entry of ``[0.1, 0.2]``) is moved:

- at the `NEAR_POINTS` first points, from x to x·(1 + u) + 0.1·u′ (u, u′ uniform in
  [−½, ½]): close to the worksheet's numbers, where a formula that needs them (a log of
  x − 5) can still be computed;
- at the `WIDE_POINTS` others, to a fresh ±(0.1 … 2), whatever x was, with signs from
  the rows of an 8×8 Hadamard matrix (all positive at the first; every input, and every
  product of two, negative at half of them).  So every input changes sign, the inputs of
  relu and abs land on both sides of their kinks, and sigmoid and tanh leave saturation
  (σ(19) hides a missing factor σ ≈ 1 − 5·10⁻⁹; σ of a number below 8 cannot).

A point where some definition cannot be computed (the log of a negative number, a
division by zero) is drawn again, up to `ATTEMPTS` times (a wide point with fewer sign
flips each time, at last with none; then as a near point).  Variables of an identity
such as ``DF(x, y) = …`` take the values 0.6, 0.95, 1.3, … at the worksheet's point,
0.5 + u at a near point and ±(0.1 … 2) at a wide one.

**Numbers that stand for names.**  A student who writes the given y = 8 into
``2(ŷ - 8)``, or f1 ≈ 0.52 into ``∂L/∂ŷ [1, 0.52, …]``, is right: a number in a formula
may stand for a name whose value it is *at the digits written* (an integer for a name of
exactly that value, ``0.52`` for one in [0.515, 0.525], ``-1.2`` for one of −1.2) and
that the formula does not also write by name (``a^2/2`` with a = 2 is not a²/a);
exponents always stay numbers.
Each such reading of the formula's numbers (every number as itself first; then each
number alone as each name it may stand for; then every combination, if there are at
most `MAX_READINGS`; and at most `MAX_READING_WORK` in a whole check) is compared at
every point with the names' values there, and an entry is right when one reading of it
is an identity.

One forward pass per point (every definition evaluated once) serves every formula, and
one backward pass per point and differentiated node serves every derivative.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from collections import ChainMap
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal

from ..calculus import partials
from ..engine import Value
from ..worksheet import Array, Evaluator, Subject, Worksheet, WorksheetError
from ..worksheet.arrays import Quantity, Scalar
from ..worksheet.syntax import (
    Binary,
    Derivative,
    Name,
    Node,
    Num,
    Unary,
    chain_rule_factors,
    children,
    walk,
)
from .precision import holds

NEAR_POINTS, WIDE_POINTS = 2, 8
"""Random points near the worksheet's numbers, and far from them (see the module)."""
RANDOM_POINTS = NEAR_POINTS + WIDE_POINTS
"""Random points at which every formula is compared, besides the worksheet's own."""
MAX_READINGS = 256
"""Most readings of a formula's numbers as names tried in combination (see the module)."""
MAX_READING_WORK = 200_000
"""Most formula nodes evaluated, over a whole check, for readings other than the numbers
as written (at every point); past it every number is read as itself."""
ATTEMPTS = 20
"""Draws allowed per random point before giving it up (every definition must compute)."""
MAX_BACKWARD = 2_000_000
"""Most nodes visited by backward passes in one check, over every point (the worksheet's
and the random ones): beyond it the check stops with a clear error, never a long wait."""
RELATIVE, ABSOLUTE = 1e-6, 1e-9
"""Two values agree when |a − b| ≤ ABSOLUTE + RELATIVE·max(|a|, |b|)."""


Reading = tuple[tuple[Node, str], ...]
"""Numbers of a formula read as names: (number, name) pairs, the number a literal or a
negated one (``-1.2``); () reads every number as itself."""


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
        self.by_value: list[tuple[float, int, str]] = []
        self.reading_work = MAX_READING_WORK  # left, for the formulas graded at this point

    def standing_for(self, text: str) -> list[str]:
        """The scalar names whose value here ``text`` is at the digits written (exactly,
        for an integer), in the order defined."""
        if not self.by_value:
            self.by_value = sorted((float(q.data), k, n) for k, (n, q) in enumerate(
                self.names.items()) if isinstance(q, Value) and math.isfinite(q.data))
        x = float(text)
        decimals = any(c in text for c in ".eE")
        reach = 0.5 * 10.0 ** Decimal(text).as_tuple().exponent if decimals else 0.0  # type: ignore[operator]
        start = bisect.bisect_left(self.by_value, (x - 2 * reach - 1e-12 * abs(x),))
        found = []
        for value, position, name in self.by_value[start:]:
            if value > x + 2 * reach + 1e-12 * abs(x):
                break
            if holds(text, value) if decimals else value == x:
                found.append((position, name))
        return [name for _, name in sorted(found)]

    def inputs(self) -> tuple[tuple[str, float], ...]:
        """The worksheet's scalar inputs here (to show where a formula fails)."""
        return tuple((n, q.data) for n in self.ws.definitions
                     if not self.ws.inputs(n) and isinstance(q := self.names[n], Value))

    def variables(self, subject: Subject) -> dict[str, float]:
        if self.number == 0:
            return {v: 0.6 + 0.35 * i for i, v in enumerate(subject.variables)}
        rng = random.Random(f"variables {self.number}")
        if self.number <= NEAR_POINTS:
            return {v: 0.5 + rng.random() for v in subject.variables}
        sign = _signs(self.number)
        return {v: _wide(rng, sign) for v in subject.variables}

    def value(self, node: Node, subject: Subject, reading: Reading = ()) -> Quantity:
        """A formula (or the subject's expression) here, with its numbers read as in
        ``reading``; derivatives ∂U/∂V are the true ones at this point."""
        scope = ChainMap(self.variables(subject), _Numbers(self.names))  # type: ignore[arg-type]
        local = chain_rule_factors(node)

        def derivative_of(atom: Derivative) -> Quantity:
            return self.derivative(atom.top, atom.bottom, atom, local=id(atom) in local)

        numbers = {id(num): _data(self.names[name]) for num, name in reading}
        return Evaluator(scope, self.ws.functions, derivative_of, numbers=numbers,
                         work=self.ws.work)(node)

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
        direct = top != bottom and definition is not None and bottom in self.ws.inputs(top)
        if direct and (local or self.ws.only_path(top, bottom)):  # local = total then
            t, b = self.local(top)
            b = b[bottom]
        return self.shaped(top, bottom, t, b, atom)

    def local(self, top: str) -> tuple[Quantity, dict[str, Quantity]]:
        """``top``'s formula recomputed on fresh copies of its inputs (remembered)."""
        if top not in self.locals:
            fresh = {r: _copied(self.names[r]) for r in self.ws.inputs(top)}
            self.locals[top] = (Evaluator(fresh, self.ws.functions, work=self.ws.work)(
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


def readings(node: Node, own: Point) -> list[Reading]:
    """The ways to read ``node``'s numbers as names (see the module), every number as
    itself first."""
    written = {n.name for n in walk(node) if isinstance(n, Name)}
    options = [(num, names) for num, number in _literals(node)
               if (names := [n for n in own.standing_for(number) if n not in written])]
    out: list[Reading] = [()]
    out += [((num, name),) for num, names in options for name in names][:MAX_READINGS]
    if len(options) > 1 and math.prod(len(names) + 1 for _, names in options) <= MAX_READINGS:
        for choice in itertools.product(*[(None, *names) for _, names in options]):
            reading = tuple((num, name) for (num, _), name in zip(options, choice) if name)
            if len(reading) > 1:
                out.append(reading)
    return out


def formula_size(node: Node) -> int:
    """How many nodes a formula's tree has (the work of evaluating it once)."""
    return sum(1 for _ in walk(node))


def _literals(node: Node) -> list[tuple[Node, str]]:
    """The numbers written in a formula, with their text (``-1.2`` one number), but not
    its exponents (x² never means x^x)."""
    found: list[tuple[Node, str]] = []
    stack = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, Num):
            found.append((node, node.text))
        elif isinstance(node, Unary) and node.op == "-" and isinstance(node.operand, Num):
            found.append((node, "-" + node.operand.text))
            continue
        for k, child in enumerate(children(node)):
            if not (isinstance(node, Binary) and node.op == "**" and k == 1):
                stack.append(child)
    return found[::-1]


def own_point(worksheet: Worksheet, budget: list[int]) -> Point:
    return Point(worksheet, {**worksheet.values, **worksheet.arrays}, 0, budget)


def random_point(worksheet: Worksheet, number: int, budget: list[int]) -> Point | None:
    """The worksheet recomputed with every input moved at random (see the module), or
    None if no draw lets every definition be computed."""
    rng = random.Random(number)
    for attempt in range(ATTEMPTS if number <= NEAR_POINTS else 2 * ATTEMPTS):
        move = _mover(number, attempt, rng)
        names: dict[str, Quantity] = {}
        try:
            for name, definition in worksheet.definitions.items():
                if not worksheet.inputs(name):
                    names[name] = _moved(worksheet.quantity(name), move)
                else:
                    names[name] = Evaluator(names, worksheet.functions,
                                            work=worksheet.work)(definition.formula)
        except WorksheetError:
            if worksheet.work.spent_out():  # past the budget: no other draw may help
                raise
            continue
        return Point(worksheet, names, number, budget)
    return None


def _mover(number: int, attempt: int, rng: random.Random) -> Callable[[float], float]:
    """How one draw moves an input x: near it; or, at a wide point, to a fresh number,
    with its own signs at the first attempts, fewer sign flips at each later one, and
    after `ATTEMPTS` near it after all."""
    if number <= NEAR_POINTS or attempt >= ATTEMPTS:
        return lambda x: x * (1 + rng.random() - 0.5) + 0.1 * (rng.random() - 0.5)
    sign = _signs(number)
    if attempt >= ATTEMPTS // 4:
        flips = 0.5 * (1 - attempt / (ATTEMPTS - 1))

        def sign() -> float:
            return -1.0 if rng.random() < flips else 1.0

    return lambda x: _wide(rng, sign)


def _signs(number: int) -> Callable[[], float]:
    """The signs of a wide point's draws, one after another: row r of the 8×8
    Sylvester–Hadamard matrix (r = 0 for the first wide point), the k-th draw taking
    column c = 1 + k mod 7, sign (−1)^(bits of r & c).  Row 0 is all +; every input, and
    every product of two inputs (in different columns), is negative at half the rows."""
    row = number - NEAR_POINTS - 1
    draws = itertools.count()
    return lambda: -1.0 if (row & (1 + next(draws) % 7)).bit_count() % 2 else 1.0


def _wide(rng: random.Random, sign: Callable[[], float]) -> float:
    """A fresh number ±(0.1 … 2)."""
    return sign() * (0.1 + 1.9 * rng.random())


def _moved(q: Quantity, move: Callable[[float], float]) -> Quantity:
    def moved(x: Scalar) -> Value:
        return Value(move(x.data if isinstance(x, Value) else x))

    return q.map(moved) if isinstance(q, Array) else moved(q)


def entries(q: Quantity) -> list[float]:
    """A quantity's numbers, entry by entry (nan where an entry is not a number)."""
    items = q.entries if isinstance(q, Array) else (q,)
    out = []
    for x in items:
        data = x.data if isinstance(x, Value) else x
        out.append(float(data) if isinstance(data, int | float) else math.nan)
    return out
