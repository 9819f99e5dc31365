"""The links of a worksheet's chains: arithmetic steps and formulas.

**Arithmetic.**  Working made of numbers only has a value, and so a claimed number right
after it is an arithmetic step.  The step is right when the number is the working's value
at the precision written, or cut off from it, or when it is the exact value of the
quantity and the working differs from that by no more than the rounding of the numbers
written in it explains: a number with k decimals is off by at most ½·10⁻ᵏ (an integer is
exact), and through the working that becomes Σᵢ |∂working/∂nᵢ| · ½·10⁻ᵏⁱ (one backward
pass over the working, each written number a leaf).

**Formulas.**  Working with names is compared with the quantity at the worksheet's point
and at random points (`identities`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

from ..calculus import partials
from ..engine import Value
from ..wording import plural
from ..worksheet import Array, Chain, Claim, Evaluator, Link, Subject, Worksheet, WorksheetError
from ..worksheet.arrays import Quantity, same_shape
from ..worksheet.syntax import Derivative, Name, Node, Num, Unary, chain_rule_factors, children
from .identities import Point, Reading, agree, entries, formula_size, readings
from .precision import holds


@dataclass(frozen=True)
class Working:
    """Numeric working: its value entry by entry and how far the rounding of the numbers
    written in it can move each entry."""

    values: list[float]
    bounds: list[float]
    faithful: bool = False
    """The formula before it with each name replaced by that name's value, rounded at
    the digits written (the walkthrough's ``x0 + x0 = 1 + 1``): its exact value is then
    the formula's, whatever the rounding."""

    def explains(self, k: int, exact: float) -> bool:
        """Is the gap between entry ``k`` and ``exact`` within the rounding bound?"""
        gap = abs(exact - self.values[k])
        return gap <= self.bounds[k] * (1 + 1e-9) + 1e-12 * abs(exact)


    def agrees(self, k: int, then: Working) -> bool:
        """Does entry ``k`` of ``then`` (the next working) follow from this one?"""
        if len(then.values) != len(self.values):
            return False
        gap = abs(then.values[k] - self.values[k])
        return gap <= (self.bounds[k] + then.bounds[k]) * (1 + 1e-9) + \
            1e-12 * abs(self.values[k])


def half_unit(text: str) -> float:
    """How far a written number may be from what it stands for: ½ unit of its last digit;
    0 for an integer (written without a decimal point or exponent)."""
    if not any(c in text for c in ".eE"):
        return 0.0
    return float(Decimal(5).scaleb(Decimal(text).as_tuple().exponent - 1))  # type: ignore[operator]


def working(link: Link, worksheet: Worksheet, formula: Node | None = None,
            point: Point | None = None) -> Working:
    """The value of numeric working, its rounding bounds, and whether it substitutes
    rounded values faithfully into ``formula`` (evaluated at ``point``)."""
    leaves: list[tuple[Num, Value]] = []
    result = Evaluator({}, worksheet.functions, None, leaves)(link.node)
    values, bounds = [], []
    halves = [(leaf, half_unit(num.text)) for num, leaf in leaves]
    for item in result.entries if isinstance(result, Array) else (result,):
        if not isinstance(item, Value):
            values.append(float(item))
            bounds.append(0.0)
            continue
        grads = partials(item)
        values.append(item.data)
        bounds.append(math.fsum(abs(grads.get(leaf, 0.0)) * h for leaf, h in halves if h))
    faithful = formula is not None and point is not None and _substitutes(formula, link.node,
                                                                           point)
    return Working(values, bounds, faithful)


def _substitutes(formula: Node, numbers: Node, point: Point) -> bool:
    """Is ``numbers`` ``formula`` with every name (and ∂U/∂V) replaced by a number that
    is its value rounded at the digits written?  (Both trees walked side by side.)"""
    local = chain_rule_factors(formula)
    pairs = [(formula, numbers)]
    while pairs:
        f, n = pairs.pop()
        if isinstance(f, Name | Derivative):
            written = _written_number(n)
            if written is None:
                return False
            value = point.names.get(f.name) if isinstance(f, Name) else \
                point.derivative(f.top, f.bottom, f, local=id(f) in local)
            if not isinstance(value, Value | float) or not holds(written, float(value)):
                return False
            continue
        if type(f) is not type(n):
            return False
        if isinstance(f, Num):
            if float(f.text) != float(n.text):  # type: ignore[union-attr]
                return False
            continue
        if getattr(f, "op", None) != getattr(n, "op", None) or \
                getattr(f, "function", None) != getattr(n, "function", None):
            return False
        fc, nc = children(f), children(n)
        if len(fc) != len(nc):
            return False
        pairs += zip(fc, nc)
    return True


def _written_number(node: Node) -> str | None:
    if isinstance(node, Num):
        return node.text
    if isinstance(node, Unary) and node.op == "-" and isinstance(node.operand, Num):
        return "-" + node.operand.text
    return None


def fitted(link: Link, quantity: Quantity, subject: Subject) -> list[float]:
    """The exact values for a link's claims (or entries), in the order written; a
    `WorksheetError` at the link if the shapes differ."""
    exact = entries(quantity)
    claims = link.claims
    if not claims:
        return exact
    what = _described(quantity)
    written = ("a number" if not claims[0].entry else plural(len(claims), "number")
               if len(claims[0].entry) == 1 else "a matrix")
    if len(claims) != len(exact) or not _fits(claims, quantity):
        raise WorksheetError(f"{written} claimed for {_shown(subject)}, which is {what}", link.line,
                             link.column, "write one number per entry, rows in brackets")
    if not claims[0].entry:
        return exact
    cols = quantity.cols if isinstance(quantity, Array) else 1
    return [exact[_flat_index(c.entry, cols)] for c in claims]


def _fits(claims: tuple[Claim, ...], q: Quantity) -> bool:
    entry = claims[0].entry
    if not isinstance(q, Array) or not entry:  # a number for a number only (not a 1-vector)
        return not isinstance(q, Array) and not entry
    if len(entry) == 1:
        return q.is_vector
    rows = max(c.entry[0] for c in claims)
    return not q.is_vector and (rows, len(claims) // rows) == (q.rows, q.cols)


def _flat_index(entry: tuple[int, ...], cols: int) -> int:
    return entry[0] - 1 if len(entry) == 1 else (entry[0] - 1) * cols + entry[1] - 1


@dataclass(frozen=True)
class FormulaResult:
    """One entry of a formula, compared: ``exact`` and ``yours`` where it was decided,
    ``step`` None (right), "wrong formula" or "true here only" (then ``where``)."""

    claim: Claim
    exact: float
    yours: float
    step: str | None
    where: tuple[tuple[str, float], ...] = ()


def grade_formulas(formulas: list[tuple[Chain, Link]], points: list[Point]) \
        -> list[FormulaResult]:
    """Every formula link against its chain's quantity, at the worksheet's point
    (``points[0]``) and then at the random ones, entry by entry."""
    results = []
    own, randoms = points[0], points[1:]
    for chain, link in formulas:
        try:
            results += _graded(chain, link, own, randoms)
        except WorksheetError as err:
            raise err.placed(link.line, link.column) from None
    return results


def _graded(chain: Chain, link: Link, own: Point, randoms: list[Point]) -> list[FormulaResult]:
    """One formula link, entry by entry: right when some reading of its numbers (see
    `identities`) makes the entry equal to the quantity at every point."""
    subject = chain.subject
    quantity = own.subject(subject)
    exact = entries(quantity)
    claims = _claims_for(chain, link, quantity)
    first = _Compared(chain, link, own, randoms, ())
    if first.own is None:
        return [FormulaResult(c, x, math.nan, "wrong formula") for c, x in zip(claims, exact)]
    if len(first.own) != len(exact):
        raise WorksheetError(
            f"the formula is {_described(first.value)}, but {_shown(subject)} is "
            f"{_described(quantity)}", link.line, link.column,
            "a formula must have the shape of what it claims to be")
    if not _same_shape(first.value, quantity):  # a transposed or reshaped matrix
        return [FormulaResult(c, x, y, "wrong formula") for c, x, y in zip(claims, exact,
                                                                          first.own)]
    compared = [first]
    results: list[FormulaResult | None] = [None] * len(exact)
    cost = formula_size(link.node) * (1 + len(randoms))
    for reading in readings(link.node, own):
        if reading:
            own.reading_work -= cost
            if own.reading_work < 0:  # numbers are read as themselves from here on
                break
            compared.append(_Compared(chain, link, own, randoms, reading))
        now = compared[-1]
        for k, claim in enumerate(claims):
            if results[k] is None and now.identity(k, exact[k]):
                results[k] = FormulaResult(claim, exact[k], now.own[k], None)  # type: ignore[index]
        if all(results):
            break
    return [r or _failed(claims[k], exact[k], compared, k) for k, r in enumerate(results)]


class _Compared:
    """A formula with its numbers read one way, at the worksheet's point (``own``: its
    entries, None if it cannot be computed there) and lazily at the random points."""

    def __init__(self, chain: Chain, link: Link, own: Point, randoms: list[Point],
                 reading: Reading) -> None:
        self.chain, self.link, self.randoms, self.reading = chain, link, randoms, reading
        self.later: list[tuple[list[float] | None, list[float]]] = []
        self.value: Quantity = math.nan
        try:
            self.value = own.value(link.node, chain.subject, reading)
            self.own: list[float] | None = entries(self.value)
        except WorksheetError as err:
            if "cannot be computed" not in err.message:
                raise
            self.own = None

    def at(self, i: int) -> tuple[list[float] | None, list[float]]:
        """(quantity, formula) entries at random point ``i``; None where they cannot be
        computed."""
        while len(self.later) <= i:
            point = self.randoms[len(self.later)]
            try:
                self.later.append((entries(point.subject(self.chain.subject)), entries(
                    point.value(self.link.node, self.chain.subject, self.reading))))
            except WorksheetError:
                self.later.append((None, []))
        return self.later[i]

    def differs(self, k: int) -> int | None:
        """The first random point where entry ``k`` differs from the quantity, if any."""
        for i in range(len(self.randoms)):
            q, f = self.at(i)
            if q is not None and not agree(q[k], f[k]):
                return i
        return None

    def identity(self, k: int, exact: float) -> bool:
        return self.own is not None and agree(exact, self.own[k]) and self.differs(k) is None


def _failed(claim: Claim, exact: float, compared: list[_Compared], k: int) -> FormulaResult:
    """The verdict on an entry no reading makes an identity: "true here only" if some
    reading is right at the worksheet's point (where it is not elsewhere), else a wrong
    formula (its value with the numbers as written)."""
    for c in compared:
        if c.own is not None and agree(exact, c.own[k]):
            i = c.differs(k)
            q, f = c.at(i)  # type: ignore[arg-type]
            return FormulaResult(claim, q[k], f[k], "true here only",  # type: ignore[index]
                                 c.randoms[i].inputs())  # type: ignore[index]
    yours = compared[0].own
    return FormulaResult(claim, exact, yours[k] if yours else math.nan, "wrong formula")


def _same_shape(a: Quantity, b: Quantity) -> bool:
    """Do a formula and its quantity have one shape (vectors of one length alike)?"""
    if isinstance(a, Array) and isinstance(b, Array):
        return same_shape(a, b)
    return isinstance(a, Array) == isinstance(b, Array)


def _claims_for(chain: Chain, link: Link, quantity: Quantity) -> list[Claim]:
    subject = chain.subject
    count = len(entries(quantity))
    index = quantity.index if isinstance(quantity, Array) else None
    return [Claim(subject.name, link.text, link.line, link.column, subject.top,
                  index(k) if index else (), "formula") for k in range(count)]


def _described(q: Quantity) -> str:
    return q.described() if isinstance(q, Array) else "a number"


def _shown(subject: Subject) -> str:
    return subject.name if subject.top is None else f"∂{subject.top}/∂{subject.name}"
