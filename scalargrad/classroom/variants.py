"""Variants of a worked example, one per student: new numbers for its leaves, everything
else recomputed; the worksheet to fill in and its answer key.  (`scalargrad.classroom.exercises`
writes the handouts, solutions and the index.)

A *template* is a worksheet (or an expression with the values of its names): its leaves,
the names defined by a plain number (``w12 = 0.03``), get new values in every variant;
everything else is recomputed.  A variant asks for every number its blank chart leaves
empty, and for nothing the chart prints: the value of every node computed from the leaves
and ∂L/∂node for every node (∂L/∂L, = 1, included), and besides these the other
derivatives the source claims (∂ŷ/∂w10: the chart has no box for them).  A node the
source leaves unnamed (the ``ŷ - y`` of ``L = (ŷ - y)^2``) is drawn as t1, t2, …: the
worksheet names it so, on a line of its own (``t1 = ŷ - y``, ``L = t1^2``), so that it
can be asked.

Drawing a variant.  Variant k of seed S draws its leaves with ``random.Random("S/k")``
(seeded from the text, so the same on every machine and Python version) as decimals:
``randint(lo·10ᵈ, hi·10ᵈ) / 10ᵈ``, exactly, never through binary floats.  A leaf's range
is the one given for it (a name or a pattern such as ``w*``), else the range given for
all, else numbers like its own: the same sign, the same leading place and the same
decimals (``0.03`` → 0.01…0.09, ``6.88`` → 1.00…9.99, ``2`` → 1…9).  A draw is rejected,
and drawn again, when it is *degenerate*: a value or gradient that is not finite (a loss
that overflows, a log of a negative number), a ReLU or ``abs`` exactly at its kink, a
gradient that is exactly 0, or the same numbers as an earlier variant.
"""

from __future__ import annotations

import fnmatch
import itertools
import math
import random
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_EVEN, Decimal
from functools import partial
from pathlib import Path

from ..calculus import partials
from ..engine import ScalarGradError, Value, topological_order
from ..limits import EARLY_REJECTS, MAX_DRAWS, MAX_VARIANTS, Budget, LimitExceeded
from ..worksheet import MAX_NUMBER_CHARS, Definition, Worksheet, parse
from ..worksheet.syntax import Binary, Call, Name, Node, Num, Sum, Unary, is_numeric

MAX_TRIES = 200
"""Draws tried for one variant before giving up with an error (the exercise's budget of
draws, `scalargrad.limits.MAX_DRAWS`, bounds them all together)."""
MAX_RANGE = Decimal(10) ** 12
"""The largest end of a range a leaf is drawn from."""
ANSWER_DIGITS = 4
"""Significant digits of the numbers in an answer key (integer parts are kept whole)."""

Key = tuple[str | None, str]
"""What is asked: (None, name) for the value of ``name``, (top, name) for ∂top/∂name."""


class ExerciseError(ScalarGradError, ValueError):
    """An exercise that cannot be made: says which option or leaf is the problem."""


# ---------------------------------------------------------------------------------------
# The template: the source worksheet, its leaves and what is asked
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    """A worksheet to make variants of: the ``definitions`` the loss is computed from (in
    the source's order, every node of the chart named: `every_node_named`), its ``leaves``
    (name → number as written) and what each variant asks (``asks``, in the order a person
    works: values, then derivatives)."""

    name: str
    source: Worksheet
    definitions: dict[str, Definition]
    leaves: dict[str, str]
    asks: tuple[Key, ...]
    title: str = ""
    """What the handouts call it: the worksheet's first comment (see `load_template`)."""

    @property
    def loss(self) -> str:
        return self.source.loss


def template(source: Worksheet, name: str) -> Template:
    """The template of a parsed worksheet (see the module docstring for what it asks):
    the loss and what it is computed from (vectors written beside them are left out)."""
    if not source.loss:
        raise ExerciseError(f"{name} defines no single number (the loss) to make an exercise "
                            "of: add one, e.g. L = v · v")
    needed = {source.loss, *source.below(source.loss)}
    definitions = {n: d for n, d in source.definitions.items() if n in needed}
    leaves = {n: text for n, d in definitions.items()
              if (text := _literal(d.formula)) is not None}
    if not leaves:
        raise ExerciseError(f"{name} has no leaves to vary: no name is defined by a plain "
                            "number (such as w12 = 0.03)")
    # k = 1.5 · 2.25 is one number to the engine: the chart prints it, so it is not asked
    given = {*leaves, *(n for n, d in definitions.items() if is_numeric(d.formula))}
    if source.loss in given:
        raise ExerciseError(f"{name} asks nothing: its loss {source.loss} is a number given, "
                            "not computed from the leaves (name the loss with 'loss: NAME')")
    definitions = every_node_named(definitions, given, {*source.definitions, *source.functions})
    asks: list[Key] = [(None, n) for n in definitions if n not in given]
    asks += [(source.loss, n) for n in reversed(definitions)]  # ∂L/∂L first, as one works
    asks += dict.fromkeys((c.top, c.name) for c in source.claims  # ∂ŷ/∂w10: off the chart
                          if c.form in ("number", "blank") and not c.entry
                          and c.name in needed and c.top in needed
                          and c.top not in (source.loss, *given))
    return Template(name, source, definitions, leaves, tuple(asks))


def every_node_named(definitions: Mapping[str, Definition], given: set[str],
                     taken: set[str]) -> dict[str, Definition]:
    """The definitions with every node of the chart named: each part of a formula that
    is a node of its own (an op on names, not numbers alone) is put on a line of its own
    before it, named t1, t2, … (names not ``taken``): ``L = (ŷ - y)^2`` becomes
    ``t1 = ŷ - y``, ``L = t1^2``."""
    fresh = (f"t{k}" for k in itertools.count(1) if f"t{k}" not in taken)
    named: dict[str, Definition] = {}

    def pulled(node: Node, line: Definition) -> Node:
        if is_numeric(node) or not _is_op(node):
            return node  # a name, a number (the engine folds it into a constant), …
        formula = _with_parts(node, partial(pulled, line=line))  # its parts' lines first
        part = next(fresh)
        named[part] = Definition(part, formula, line.line, line.column)
        return Name(part, node.at)

    for name, definition in definitions.items():
        if name in given:
            named[name] = definition
            continue
        formula = _with_parts(definition.formula, partial(pulled, line=definition))
        named[name] = Definition(name, formula, definition.line, definition.column)
    return named


def _is_op(node: Node) -> bool:
    """Whether ``node`` is an op of an exercise's formulas (one node of the chart)."""
    return (isinstance(node, Binary | Sum | Call)
            or (isinstance(node, Unary) and node.op == "-"))


def _with_parts(node: Node, change: Callable[[Node], Node]) -> Node:
    """``node`` with ``change`` applied to each of its operands if it is an op (`_is_op`),
    else as it is."""
    if isinstance(node, Unary) and node.op == "-":
        return replace(node, operand=change(node.operand))
    if isinstance(node, Binary):
        return replace(node, left=change(node.left), right=change(node.right))
    if isinstance(node, Sum):
        return replace(node, terms=tuple(change(t) for t in node.terms))
    if isinstance(node, Call):
        return replace(node, argument=change(node.argument))
    return node


def from_expression(text: str, values: Mapping[str, float], name: str = "expression"
                    ) -> Template:
    """The template of ``L = formula`` (or a bare formula) with its names' ``values``."""
    lines = [f"{n} = {_number_text(v)}" for n, v in values.items()]
    formula = text if re.match(r"\s*[^\W\d]\w*\s*=", text) else f"out = {text}"
    return template(parse("\n".join([*lines, formula]), name), name)


def _literal(formula: Node) -> str | None:
    """``"0.03"`` or ``"-3"`` if the formula is a plain (signed) number, else None."""
    if isinstance(formula, Num):
        return formula.text
    if isinstance(formula, Unary) and isinstance(formula.operand, Num):
        return f"-{formula.operand.text}"
    return None


def _number_text(x: float) -> str:
    """A float as the shortest decimal that reads back as it (``0.03``, ``2``)."""
    text = repr(float(x))
    return text[:-2] if text.endswith(".0") else text


# ---------------------------------------------------------------------------------------
# Ranges and draws
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Range:
    """Numbers from ``low`` to ``high`` with ``decimals`` places (``0.01:0.09`` at 2)."""

    low: Decimal
    high: Decimal
    decimals: int

    def draw(self, rng: random.Random) -> Decimal:
        unit = Decimal(1).scaleb(-self.decimals)
        steps = rng.randint(int(self.low / unit), int(self.high / unit))
        return Decimal(steps).scaleb(-self.decimals)


def like(written: str) -> Range:
    """Numbers like ``written``: same sign, leading place and decimals (``0.03`` → 0.01…0.09).
    Zero stays zero."""
    number = Decimal(written)
    decimals = max(-number.as_tuple().exponent, 0)  # type: ignore[operator]
    if number == 0:
        return Range(number, number, decimals)
    low = Decimal(1).scaleb(number.adjusted())
    high = Decimal(10).scaleb(number.adjusted()) - Decimal(1).scaleb(-decimals)
    low = max(low, Decimal(1).scaleb(-decimals))
    return Range(low, high, decimals) if number > 0 else Range(-high, -low, decimals)


def parse_range(text: str, decimals: int | None = None) -> Range:
    """``"0.01:0.09"`` (or ``"0.01..0.09"``) as a `Range`; the decimals are those given, else
    the most either end is written with."""
    low_text, sep, high_text = text.replace("..", ":").partition(":")
    try:
        low, high = Decimal(low_text), Decimal(high_text)
        if not sep or not (low.is_finite() and high.is_finite()):
            raise ValueError
    except (ValueError, ArithmeticError):
        raise ExerciseError(f"a range reads LOW:HIGH, such as 0.01:0.09; got {text!r}") \
            from None
    if max(abs(low), abs(high)) > MAX_RANGE:
        raise ExerciseError(f"the range {text} is too wide: its ends must be at most "
                            f"{MAX_RANGE:,} in size")
    places = max(-low.as_tuple().exponent, -high.as_tuple().exponent, 0)  # type: ignore[operator]
    places = places if decimals is None else decimals
    if low > high:
        raise ExerciseError(f"the range {text} is empty: {low_text} is above {high_text}")
    if not 0 <= places <= 12:
        raise ExerciseError(f"decimals must be from 0 to 12, got {places}")
    unit = Decimal(1).scaleb(-places)
    if low % unit or high % unit:
        raise ExerciseError(f"the range {text} has more decimals than {places}")
    return Range(low, high, places)


@dataclass(frozen=True)
class Drawing:
    """How the leaves are drawn: ``keep`` (names or patterns left as in the source),
    ``ranges`` (name or pattern → `Range`; the key ``"*"`` is every other leaf)."""

    keep: tuple[str, ...] = ()
    ranges: Mapping[str, Range] = field(default_factory=dict)

    def range_for(self, leaf: str, written: str) -> Range | None:
        """The range ``leaf`` is drawn from, or None when it is kept."""
        if any(fnmatch.fnmatchcase(leaf, p) for p in self.keep):
            return None
        for pattern, chosen in self.ranges.items():
            if pattern != "*" and fnmatch.fnmatchcase(leaf, pattern):
                return chosen
        return self.ranges.get("*") or like(written)

    def check(self, leaves: Iterable[str]) -> None:
        """Every name and pattern must match a leaf (a typo would silently do nothing)."""
        leaves = list(leaves)
        for pattern in [*self.keep, *(p for p in self.ranges if p != "*")]:
            if not fnmatch.filter(leaves, pattern):
                raise ExerciseError(f"no leaf matches {pattern!r}; the leaves are: "
                                    f"{', '.join(leaves)}")


# ---------------------------------------------------------------------------------------
# A variant
# ---------------------------------------------------------------------------------------


@dataclass
class Variant:
    """Variant ``number`` of ``seed``: the leaves' numbers and the solved worksheet."""

    template: Template
    number: int
    seed: str
    leaves: dict[str, str]
    worksheet: Worksheet
    _partials: dict[str, dict[Value, float]] = field(default_factory=dict, repr=False)

    @property
    def root(self) -> Value:
        return self.worksheet.root

    def exact(self, key: Key) -> float:
        """The exact value asked for by ``key``."""
        top, name = key
        node = self.worksheet.values[name]
        if top is None:
            return node.data
        if top not in self._partials:
            self._partials[top] = partials(self.worksheet.values[top])
        return self._partials[top].get(node, 0.0)

    def text(self, answers: bool = False) -> str:
        """The worksheet to fill in (every answer a ``?``), or the answer key."""
        title = "answer key" if answers else "fill in every ?"
        head = [f"# {self.template.name}, variant {self.number} (seed {self.seed}): {title}",
                "# Check it with:  scalargrad check THIS_FILE", ""]
        return _worksheet_text(self, answers, head)


def _worksheet_text(variant: Variant, answers: bool, head: list[str]) -> str:
    template = variant.template
    asks = set(template.asks)
    blank = (lambda key: rounded(variant.exact(key))) if answers else (lambda key: "?")
    lines = list(head)
    for name, definition in template.definitions.items():
        if name in template.leaves:
            lines.append(f"{name} = {variant.leaves[name]}")
            continue
        line = f"{name} = {formula_text(definition.formula)}"
        lines.append(line + (f" = {blank((None, name))}" if (None, name) in asks else ""))
    lines += ["", f"loss: {template.loss}", ""]
    lines += [f"∂{top}/∂{name} = {blank((top, name))}"
              for top, name in template.asks if top is not None]
    return "\n".join(lines) + "\n"


def rounded(x: float, digits: int = ANSWER_DIGITS) -> str:
    """``x`` rounded half-even to ``digits`` significant digits, in plain decimal notation,
    never coarser than the units, trailing zeros dropped (``-0.07927``, ``63.1``, ``1235``);
    a number too long for a worksheet that way in exponent notation (``2.878e-63``)."""
    short = Decimal(repr(x))  # 0.04, as typed, rather than 0.04000
    if short == short.to_integral_value() or len(short.normalize().as_tuple().digits) <= digits:
        kept = short
    else:
        exact = Decimal(x)
        place = min(exact.adjusted() - digits + 1, 0)
        kept = exact.quantize(Decimal(1).scaleb(place), ROUND_HALF_EVEN)
    plain = f"{kept.normalize():f}"  # 0.15, not 0.1500: still right, at fewer decimals
    return plain if len(plain) <= MAX_NUMBER_CHARS else f"{kept.normalize():e}"


def make_variants(template: Template, count: int, seed: str | int,
                  drawing: Drawing | None = None) -> list[Variant]:
    """``count`` variants of ``template``, variant k drawn from ``Random(f"{seed}/{k}")``."""
    if not 1 <= count <= MAX_VARIANTS:
        raise ExerciseError(f"the number of variants must be at least 1 and at most "
                            f"{MAX_VARIANTS}, got {count}")
    drawing = drawing or Drawing()
    drawing.check(template.leaves)
    ranges = {leaf: drawing.range_for(leaf, written) for leaf, written in template.leaves.items()}
    if all(r is None or r.low == r.high for r in ranges.values()):
        raise ExerciseError("every leaf is kept: nothing changes from one variant to the next")
    variants: list[Variant] = []
    seen: set[tuple[str, ...]] = set()
    draws = Budget(MAX_DRAWS, "draws of numbers")
    for k in range(1, count + 1):
        rng = random.Random(f"{seed}/{k}")
        reasons: list[str] = []
        for _ in range(MAX_TRIES):
            try:
                draws.spend()
            except LimitExceeded as err:
                raise ExerciseError(f"variant {k}: {err}; the last draw was rejected because "
                                    f"{reasons[-1]}") from None
            leaves = {leaf: (template.leaves[leaf] if r is None else f"{r.draw(rng):f}")
                      for leaf, r in ranges.items()}
            variant, reason = _drawn(template, k, seed, leaves, seen)
            reasons.append(reason)
            if variant is not None:
                seen.add(tuple(leaves.values()))
                variants.append(variant)
                break
            if not variants and reasons[-EARLY_REJECTS:] == [reasons[0]] * EARLY_REJECTS:
                raise ExerciseError(f"every draw is rejected because {reasons[0]} (the first "
                                    f"{EARLY_REJECTS} draws all were): change the source or "
                                    "the ranges")
        else:
            raise ExerciseError(f"variant {k}: no good draw in {MAX_TRIES} tries; the last "
                                f"was rejected because {reasons[-1]}")
    return variants


def _drawn(template: Template, k: int, seed: str | int, leaves: dict[str, str],
           seen: set[tuple[str, ...]]) -> tuple[Variant | None, str]:
    """The variant of a draw, or None and why it makes no good one."""
    if tuple(leaves.values()) in seen:
        return None, "every draw repeats an earlier variant (widen the ranges)"
    try:
        variant = Variant(template, k, str(seed), leaves, _solve(template, leaves))
        reason = degenerate(variant)
    except ScalarGradError as err:  # a log of a negative number, an overflow, …
        return None, f"it cannot be computed ({err})"
    unnamed = next((n for n in topological_order(variant.root) if n.op and not n.label), None)
    if unnamed is not None:  # its box on the chart could not be asked
        raise ExerciseError(f"{template.name}: a {unnamed.op} node of the chart has no name "
                            "the worksheet can ask it by: write it on a line of its own")
    return (None if reason else variant), reason


def _solve(template: Template, leaves: dict[str, str]) -> Worksheet:
    """The template's worksheet with the leaves' new numbers (definitions only)."""
    lines = [f"{name} = {leaves[name]}" if name in leaves
             else f"{name} = {formula_text(d.formula)}"
             for name, d in template.definitions.items()]
    return parse("\n".join([*lines, f"loss: {template.loss}"]), template.name)


def degenerate(variant: Variant) -> str:
    """Why the variant's numbers make a poor exercise, or '' if they are fine."""
    root = variant.root
    grads = partials(root)
    for node in topological_order(root):
        who = node.label or node.op
        if not math.isfinite(node.data) or not math.isfinite(grads.get(node, 0.0)):
            return f"{who} is not finite"
        if node.op in ("relu", "abs") and node.children[0].data == 0:
            return f"{who} is {node.op} exactly at 0, where it has no derivative"
        if not node.constant and grads.get(node, 0.0) == 0:
            return f"∂{variant.template.loss}/∂{who} is exactly 0"
    for top, name in variant.template.asks:
        if top is not None and variant.exact((top, name)) == 0:
            return f"∂{top}/∂{name} is exactly 0"
    return ""


# ---------------------------------------------------------------------------------------
# Formulas written back as worksheet text
# ---------------------------------------------------------------------------------------

_PRECEDENCE = {"sum": 1, "-": 1, "product": 2, "/": 2, "neg": 3, "**": 4, "atom": 5}


def formula_text(node: Node) -> str:
    """A parsed formula written back (``x12 · w12``, ``(ŷ - y)^2``), so that it parses to
    the same tree: parentheses only where precedence needs them."""
    return _text(node)[0]


def _text(node: Node) -> tuple[str, int]:
    """The text of ``node`` and its precedence."""
    if isinstance(node, Num):
        return node.text, _PRECEDENCE["atom"]
    if isinstance(node, Name):
        return node.name, _PRECEDENCE["atom"]
    if isinstance(node, Call):
        return f"{node.function}({_text(node.argument)[0]})", _PRECEDENCE["atom"]
    if isinstance(node, Sum):
        first, *rest = node.terms  # a + b + c is one Sum: a Sum inside one keeps its ( )
        terms = [_operand(first, 2 if isinstance(first, Sum) else 1),
                 *(_operand(t, 2) for t in rest)]
        return " + ".join(terms), _PRECEDENCE["sum"]
    if isinstance(node, Unary) and node.op == "-":
        return f"-{_operand(node.operand, 3)}", _PRECEDENCE["neg"]
    if isinstance(node, Binary) and node.op == "**":  # the base an atom, the exponent signed
        return f"{_operand(node.left, 5)}^{_operand(node.right, 3)}", _PRECEDENCE["**"]
    if isinstance(node, Binary):
        level = _PRECEDENCE.get(node.op, _PRECEDENCE["product"])  # * · × side by side
        symbol = {"-": " - ", "/": " / "}.get(node.op, " · ")
        return f"{_operand(node.left, level)}{symbol}{_operand(node.right, level + 1)}", level
    raise ExerciseError(f"line {node.at.line}: exercises are made of scalar formulas; "
                        f"{type(node).__name__.lower()} is not one")


def _operand(node: Node, least: int) -> str:
    text, level = _text(node)
    return text if level >= least else f"({text})"


# ---------------------------------------------------------------------------------------
# Loading a source
# ---------------------------------------------------------------------------------------


def load_template(path: str | Path) -> Template:
    """The template of a worksheet file; its title is the file's first comment, up to a
    colon or a full stop ("# Seed 001, the first training example: x1 = …" gives "Seed
    001, the first training example"), else the file's name."""
    from .. import worksheets
    from ..worksheet import load

    path = worksheets.find(path)  # a shipped worksheet by its bare name, as load() finds it
    made = template(load(path), path.stem)
    return replace(made, title=_first_comment(path.read_text("utf-8")) or made.name)


def _first_comment(text: str) -> str:
    for line in text.splitlines():
        if not line.startswith("#"):
            return ""
        if words := line.lstrip("#").strip():
            return re.split(r"[:.](?:\s|$)", words, maxsplit=1)[0][:120]
    return ""
