"""Grading a worksheet: every claimed number against the exact value, at its precision.

**Precision.** A number written with k decimals claims that the exact value rounds to it:
``0.52`` is right for 0.5225 because |0.5225 − 0.52| ≤ ½·10⁻²; ``0.015`` is wrong for
0.0156 (it would have to be within 0.0005).  Trailing zeros count (``0.10`` claims two
decimals), an integer claims the units (``8``), and ``1.5e-3`` claims 4 decimals.  At an
exact tie both roundings are accepted.

**Where it went astray.** For every claim scalargrad also recomputes what the student's
*own* earlier numbers give: each formula evaluated with the latest numbers the student
wrote for its inputs above the claim (carrying their rounding), and each derivative by
the chain rule with their latest claimed derivatives and local derivatives.  A wrong
claim that is right against that is not a new mistake: it *follows from* the earlier
wrong claims it was computed from (or, when there are none, from carrying rounded
numbers too far).  A wrong claim that is the exact value, or the student's own, *cut
off* at the digits written instead of rounded (``0.249`` for 0.2496) is a rounding habit,
told apart so that it does not hide the real mistakes.  Any other wrong claim is a
*slip*: the first place to look.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

from ..calculus import partials
from ..engine import Value, topological_order
from ..limits import MAX_VERDICTS
from ..wording import plural
from ..worksheet import (
    Array,
    Chain,
    Claim,
    Definition,
    Link,
    Subject,
    Worksheet,
    WorksheetError,
    evaluate,
)
from ..worksheet.arrays import Quantity
from ..worksheet.exact import exact_number, exact_values, within
from .chains import Working, fitted, grade_formulas, working
from .exactness import exact_claims, rounding_ranges
from .identities import MAX_BACKWARD, RANDOM_POINTS, agree, own_point, random_point
from .precision import cut_off, holds
from .verdicts import Report, Verdict

MAX_WORK = 300_000
"""Above this much work (claims × the size of every formula), the student's numbers are
taken as they stand at the end of the worksheet rather than recomputed before each claim,
and derivatives taken through an earlier one are not looked for (keeps ``check`` fast)."""


MAX_STEPS = 1_000_000
"""At most this many nodes, summed over every node differentiated (each derivative claimed
∂T/∂x costs one backward pass through all that T depends on), keeps ``check`` under a few
seconds; a worksheet that needs more is refused with a clear error, never a long wait."""


def check(worksheet: Worksheet) -> Report:
    """Grade every link of every chain: each claimed number (entry by entry for a vector
    or matrix), each arithmetic step and each formula; a `WorksheetError` if the shapes
    do not fit or it is too much to check."""
    try:
        return _check(worksheet)
    except WorksheetError as err:
        raise err.located(worksheet.source) from None


def _check(worksheet: Worksheet) -> Report:
    claims = sorted(worksheet.claims, key=_position)
    _within_budget(worksheet, claims)
    budget = [MAX_BACKWARD]
    own = own_point(worksheet, budget)
    exact: dict[Claim, float] = {}
    workings: dict[Claim, tuple[Working, int]] = {}
    formulas: list[tuple[Chain, Link]] = []
    verdicts: list[Verdict] = []
    for chain in worksheet.chains:
        quantity = _placed(chain.links[0], own.subject, chain.subject) \
            if not chain.subject.variables else None
        before: Working | None = None
        formula = chain.formula  # the last formula written, which numbers may substitute
        for link in chain.links:
            if link.kind == "formula":
                formulas.append((chain, link))
                formula = link.node
            elif link.kind == "working":
                previous, before = before, _exactly(working(link, worksheet, formula, own),
                                                    link, worksheet)
                if quantity is not None:
                    verdicts += _working_verdicts(chain, link, before, quantity, previous)
                continue
            elif quantity is not None:
                exact |= zip(link.claims, fitted(link, quantity, chain.subject))
                if before is not None:
                    _fit_working(before, link)
                    workings |= {c: (before, k) for k, c in enumerate(link.claims)}
            before = None
    answered = [c for c in claims if c.form != "blank"]
    precise = exact_values(worksheet)  # beyond float64 where it cancels (issue 18)
    exact |= exact_claims(worksheet, list(exact), precise)
    verdicts += _number_verdicts(worksheet, answered, exact, workings, precise)
    verdicts += [Verdict(c, exact[c], False, math.nan, ()) for c in claims if c.form == "blank"]
    if formulas:
        points = [own, *filter(None, (random_point(worksheet, k, budget)
                                      for k in range(1, RANDOM_POINTS + 1)))]
        verdicts += [Verdict(r.claim, r.exact, r.step is None, r.yours, (), r.step,
                             where=r.where) for r in grade_formulas(formulas, points)]
    return Report(worksheet, sorted(verdicts, key=lambda v: _position(v.claim)))


FAR_OFF = 0.05
"""Numeric working further than this (relative) from the quantity, beyond what the rounding
of its numbers explains, is a wrong formula put in numbers (the prefactor applied twice,
2x evaluated at the wrong point), not carried rounding."""


def _working_verdicts(chain: Chain, link: Link, before: Working, quantity: Quantity,
                      previous: Working | None) -> list[Verdict]:
    """A ✗ for each entry of numeric working that is far off the quantity."""
    exact = fitted(link, quantity, chain.subject)
    if len(exact) != len(before.values):
        raise WorksheetError(f"the working has {plural(len(before.values), 'entry')}, but "
                             f"{chain.subject.name} has {len(exact)}", link.line, link.column,
                             "working must have the shape of what it computes")
    index = quantity.index if isinstance(quantity, Array) else None
    verdicts = []
    if before.faithful:  # rounded values put into the formula: it stands for the value
        return verdicts
    for k, (x, w) in enumerate(zip(exact, before.values)):
        if previous is not None and previous.agrees(k, before):
            continue  # a right step from the working before: any mistake is further back
        if not agree(x, w) and not before.explains(k, x) and abs(x - w) > FAR_OFF * abs(x):
            claim = Claim(chain.subject.name, link.text, link.line, link.column,
                          chain.subject.top, index(k) if index else (), "working")
            verdicts.append(Verdict(claim, x, False, w, (), "wrong formula", w))
    return verdicts


def _exactly(before: Working, link: Link, worksheet: Worksheet) -> Working:
    """Numeric working with its exact value where float64 cannot vouch for it (a
    difference that cancels): computed again in high precision (issue 18)."""
    if len(before.values) != 1:
        return before
    value = exact_number(link.node, worksheet.functions)
    return before if value is None else replace(before, values=[value])


def _placed(link: Link, compute: Callable[[Subject], Quantity], subject: Subject) -> Quantity:
    """``compute(subject)``, an error without a place being placed at ``link``."""
    try:
        return compute(subject)
    except WorksheetError as err:
        raise err.placed(link.line, link.column) from None


def _fit_working(before: Working, link: Link) -> None:
    if len(before.values) != len(link.claims):
        raise WorksheetError(f"the working before has {plural(len(before.values), 'entry')}, but "
                             f"the claim has {len(link.claims)}", link.line, link.column,
                             "the numbers after '=' must have the working's shape")


def _number_verdicts(worksheet: Worksheet, claims: list[Claim], exact: dict[Claim, float],
                     workings: dict[Claim, tuple[Working, int]],
                     precise: dict[str, float]) -> list[Verdict]:
    """Each claimed number against the exact value (a value is also right if the givens
    known to the digits shown can give it), what the student's own numbers give, and the
    working just before it."""
    ranges = rounding_ranges(worksheet, claims)
    right = {c: holds(c.written, exact[c]) or (c in ranges and within(c.written, ranges[c]))
             for c in claims}
    scalar = {c for c in claims if _scalar_claim(worksheet, c)}
    size = sum(d.size for d in worksheet.definitions.values())
    per_claim = len(scalar) * size <= MAX_WORK
    carried: dict[Key, Claim] = {}
    student: _Student | None = None
    verdicts = []
    for claim in claims:
        yours, causes = math.nan, frozenset[Claim]()
        if claim in scalar:
            if per_claim:  # the student's numbers as they stood when this claim was written
                student = _Student(worksheet, dict(carried), right, precise=precise)
            elif student is None:
                carried = {(c.top, c.name): c for c in scalar}
                student = _Student(worksheet, carried, right, through=False, precise=precise)
            if claim.top is None:
                yours, causes = student.values[claim.name]
            else:
                yours, causes = student.derivative(claim.top, claim.name, claim.written)
            if per_claim:
                carried[(claim.top, claim.name)] = claim
        step, value = None, None
        if claim in workings:
            before, k = workings[claim]
            value = before.values[k]
            if math.isnan(yours):  # no analysis of their numbers: the working is theirs
                yours = value
            if not _step_holds(claim.written, value, exact[claim], before, k):
                step = "arithmetic"
        verdicts.append(Verdict(claim, exact[claim], right[claim] and step is None, yours,
                                tuple(sorted(causes, key=_position)), step, value))
    return verdicts


def _step_holds(written: str, value: float, exact: float, before: Working, k: int) -> bool:
    """Is ``written`` what the working gives (rounded or cut off), or the exact value
    with the gap from the working explained by the rounding of its numbers (or the
    working a faithful substitution of rounded values into the formula)?"""
    return (holds(written, value) or cut_off(written, value)
            or (holds(written, exact) and (before.faithful or before.explains(k, exact))))


def _scalar_claim(worksheet: Worksheet, claim: Claim) -> bool:
    """A claim about a scalar name (or ∂scalar/∂scalar) the student analysis can redo."""
    names = worksheet.values
    return (not claim.entry and claim.name in names
            and (claim.top is None or claim.top in names))


def _within_budget(worksheet: Worksheet, claims: list[Claim]) -> None:
    """Raise a `WorksheetError` at the first link that takes the verdicts past
    `MAX_VERDICTS`, or the first claim that takes the work past `MAX_STEPS`."""
    verdicts = 0
    for chain in worksheet.chains:
        size = _size(worksheet, chain.subject.name)
        if chain.subject.top is not None:
            size *= _size(worksheet, chain.subject.top)
        for link in chain.links:
            verdicts += len(link.claims) if link.kind == "number" else size
            if verdicts > MAX_VERDICTS:
                raise _too_much(worksheet, f"more than {MAX_VERDICTS:,} verdicts (claimed "
                                "numbers and formula entries) up to here", link,
                                f"at most {MAX_VERDICTS:,} verdicts per worksheet; split it")
    steps = 0
    counted: set[str] = set()
    for claim in claims:
        if claim.top is None or claim.top in counted:
            continue
        counted.add(claim.top)
        top = worksheet.quantity(claim.top)
        steps += sum(len(topological_order(t)) for t in
                     (top.entries if isinstance(top, Array) else (top,)) if isinstance(t, Value))
        if steps > MAX_STEPS:
            raise _too_much(worksheet, f"the derivatives claimed up to here need more than "
                            f"{MAX_STEPS:,} steps of backpropagation", claim,
                            f"claim derivatives of fewer different nodes ({len(counted)} "
                            "so far)")


def _too_much(worksheet: Worksheet, what: str, at: Link | Claim, hint: str) -> WorksheetError:
    return WorksheetError(f"too much to check: {what}", at.line, at.column, hint,
                          worksheet.source)


def _size(worksheet: Worksheet, name: str) -> int:
    """The entries of ``name`` (1 for a number, or for an expression's text)."""
    quantity = worksheet.arrays.get(name)
    return len(quantity.entries) if quantity is not None else 1


def _position(claim: Claim) -> tuple[int, int]:
    return claim.line, claim.column


Key = tuple[str | None, str]
Number = tuple[float, frozenset[Claim]]
"""A number the student has, and the wrong claims it rests on."""


class _Student:
    """The worksheet recomputed from the student's own numbers: ``carried`` holds, for
    each quantity, the latest claim written before the one being graded (the number they
    went on with).  ``values[name]`` is what their numbers give for ``name``, with the
    wrong claims it rests on."""

    def __init__(self, worksheet: Worksheet, carried: dict[Key, Claim],
                 right: dict[Claim, bool], through: bool = True,
                 precise: dict[str, float] | None = None) -> None:
        self.ws = worksheet
        self.defs = worksheet.definitions
        self.carried = carried
        self.right = right
        self.through = through  # look for derivatives taken through an earlier one
        self.locals: dict[str, dict[str, Number]] = {}
        self.values: dict[str, Number] = {}
        self.opaque: set[str] = set()  # vectors, matrices, functions: taken as they are
        precise = precise or {}
        exact = set(precise)  # names whose number is the exact one (nothing carried below)
        for name, definition in self.defs.items():  # definitions come in dependency order
            if name in worksheet.arrays or any(r in worksheet.arrays for r in definition.refs) \
                    or definition.calls:
                self.opaque.add(name)
                if name in worksheet.values:
                    self.values[name] = (precise.get(name, worksheet.values[name].data),
                                         frozenset())
                continue
            inputs = {r: self.carry((None, r), self.values[r]) for r in definition.refs}
            blame = frozenset().union(*(b for _, b in inputs.values()))
            numbers = {r: v for r, (v, _) in inputs.items()}
            if name in exact and all(r in exact and (None, r) not in carried
                                     for r in definition.refs):
                self.values[name] = (precise[name], blame)
                continue
            exact.discard(name)
            self.values[name] = (_value(definition, numbers), blame)
        self.gradients: dict[str, dict[str, Number]] = {}

    def carry(self, key: Key, computed: Number) -> Number:
        """The student's claimed number for ``key`` if they wrote one, else ``computed``."""
        claim = self.carried.get(key)
        if claim is None:
            return computed
        return float(claim.written), frozenset() if self.right[claim] else frozenset({claim})

    def derivative(self, top: str, name: str, written: str) -> Number:
        """What the student's numbers give for ∂top/∂name by the chain rule.

        The student may also have gone through a node ``m`` they already differentiated,
        ∂top/∂name = ∂top/∂m · ∂m/∂name (the notes' ∂L/∂w = ∂L/∂ŷ · ∂ŷ/∂w); that is exact
        when every path from ``top`` down to ``name`` passes through ``m``.  Of these ways,
        the one that gives the ``written`` number (rounded, else cut off) is theirs."""
        ways = [self._gradient(top, name)]
        for m, ref in self.carried if self.through else ():
            if ref == name and m not in (None, top) and self._through(top, m, name):
                via, via_blame = self.carry((m, name), (math.nan, frozenset()))
                g, g_blame = self.carry((top, m), self._gradient(top, m))  # type: ignore[arg-type]
                ways.append((g * via, g_blame | via_blame))
        for test in (holds, cut_off):
            for way in ways:
                if test(written, way[0]):
                    return way
        return ways[0]

    def _gradient(self, top: str, name: str) -> Number:
        if top not in self.gradients:
            self.gradients[top] = self._backward(top)
        return self.gradients[top].get(name, (0.0, frozenset()))

    def _through(self, top: str, m: str, name: str) -> bool:
        """Does every path from ``top`` down to ``name`` pass through ``m`` (and some do)?"""
        below = self.ws.below
        return m in below(top) and name in below(m) and name not in below(top, avoiding=m)

    def _backward(self, top: str) -> dict[str, Number]:
        grads: dict[str, Number] = {top: (1.0, frozenset())}
        names = list(self.defs)
        for parent in reversed(names[: names.index(top) + 1]):
            if parent not in grads:
                continue
            g, g_blame = self.carry((top, parent), grads[parent])
            for ref, local in self._locals(parent).items():
                if parent != top:  # below the top, a claimed ∂parent/∂ref is a local one
                    local = self.carry((parent, ref), local)
                old, old_blame = grads.get(ref, (0.0, frozenset()))
                grads[ref] = (old + g * local[0], old_blame | g_blame | local[1])
        return grads

    def _locals(self, parent: str) -> dict[str, Number]:
        """∂parent/∂ref from the student's numbers, blaming only the inputs whose wrong
        number actually changes that local derivative (a + b: none; a · b: the other)."""
        if parent not in self.locals:
            self.locals[parent] = {} if parent in self.opaque else \
                self._local_derivatives(self.defs[parent])
        return self.locals[parent]

    def _local_derivatives(self, definition: Definition) -> dict[str, Number]:
        inputs = {r: self.carry((None, r), self.values[r]) for r in definition.refs}
        numbers = {r: v for r, (v, _) in inputs.items()}
        base = _local_numbers(definition, numbers)
        blamed: dict[str, frozenset[Claim]] = {r: frozenset() for r in definition.refs}
        for q, (_, q_blame) in inputs.items():
            if q_blame:
                changed = _local_numbers(definition, numbers | {q: self.ws.values[q].data})
                for r in definition.refs:
                    if not math.isclose(changed[r], base[r], rel_tol=1e-12, abs_tol=1e-15):
                        blamed[r] |= q_blame
        return {r: (base[r], blamed[r]) for r in definition.refs}


def _value(definition: Definition, numbers: dict[str, float]) -> float:
    """The definition's formula at the student's numbers (nan outside its domain)."""
    try:
        return float(evaluate(definition.formula, {r: Value(v) for r, v in numbers.items()}))
    except WorksheetError:
        return math.nan


def _local_numbers(definition: Definition, numbers: dict[str, float]) -> dict[str, float]:
    """∂formula/∂ref at the given numbers, for every name the formula uses."""
    env = {r: Value(v) for r, v in numbers.items()}
    try:
        result = evaluate(definition.formula, env)
    except WorksheetError:
        return dict.fromkeys(definition.refs, math.nan)
    if not isinstance(result, Value):
        return dict.fromkeys(definition.refs, 0.0)
    grads = partials(result)
    return {r: grads.get(env[r], 0.0) for r in definition.refs}
