"""Reading a worksheet: its lines, as statements, into definitions, chains and claims
(the `Worksheet` of `scalargrad.worksheet.model`)."""

from __future__ import annotations

import difflib
import os
import stat
from pathlib import Path

from .. import worksheets as shipped_worksheets
from ..calculus import partials
from ..engine import Value, sum_values
from .arrays import Array, Quantity
from .evaluation import Function, Work, evaluate
from .model import BLANK, Chain, Claim, Definition, Link, Subject, Worksheet
from .parser import Parser
from .prescan import (
    defined_names,
    folded,
    labels,
    number_claim,
    rounded_givens,
    statements,
)
from .statements import _Statement, _StatementReader
from .syntax import (
    FUNCTIONS,
    MINUS,
    Bracket,
    Derivative,
    Node,
    Num,
    Unary,
    derivatives_in,
    is_numeric,
    names_in,
)
from .tokens import MAX_BYTES, Token, WorksheetError, error, lines, tokenize


def parse(text: str, source: str = "") -> Worksheet:
    """Read a worksheet from its text; raise `WorksheetError` if it is malformed."""
    try:
        worksheet = _Reader(text).read()
    except WorksheetError as err:
        raise err.located(source) from None
    worksheet.source = source
    return worksheet


def load(path: str | Path) -> Worksheet:
    """Read a worksheet file (UTF-8, at most `MAX_BYTES`, a regular file: never a device
    or a pipe, which could be read forever). A bare name such as ``"seed001_x1.txt"`` that
    is no file here is the worksheet of that name shipped with scalargrad."""
    path = shipped_worksheets.find(path)
    try:
        with open(path, "rb", opener=_open_without_blocking) as file:
            mode = os.fstat(file.fileno()).st_mode
            if not stat.S_ISREG(mode):
                raise WorksheetError("not a regular file", source=str(path),
                                     hint="give the path of a worksheet text file")
            data = file.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise WorksheetError(f"file too large (over {MAX_BYTES:,} bytes)",
                                 hint=f"at most {MAX_BYTES:,} bytes", source=str(path))
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise WorksheetError(f"not UTF-8 text (byte {err.start})", source=str(path)) \
            from None
    except OSError as err:
        raise WorksheetError(f"cannot read the file: {err.strerror}", source=str(path)) \
            from None
    return parse(text, str(path))


def _open_without_blocking(path: str, flags: int) -> int:
    """Open without waiting (a FIFO with no writer would block ``open`` itself)."""
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def expression(text: str, values: dict[str, float]) -> Value:
    """A formula (``"(x - y)**2"`` or ``"L = (x - y)**2"``) as a graph, with ``values``
    giving each name's number; the names become labelled leaves.

    >>> expression("f = x * y + 1", {"x": 2, "y": 3}).data
    7.0
    """
    if len(text) > MAX_BYTES:
        raise WorksheetError("expression too long", hint=f"at most {MAX_BYTES:,} characters")
    tokens = tokenize(" ".join(lines(text)))
    label = None
    if len(tokens) > 2 and tokens[0].kind == "name" and tokens[1].text == "=":
        label, tokens = tokens[0].text, tokens[2:]
    formula = Parser(tokens, defined=values).parse()
    env = {name: Value(float(v), label=name) for name, v in values.items()}
    for used in names_in(formula):
        if used.name not in env:
            close = difflib.get_close_matches(used.name, [*FUNCTIONS, *env], n=1)
            hint = (f"did you mean {close[0]}?" if close
                    else f"give its value with --at {used.name}=NUMBER")
            raise error(f"unknown name {used.name!r}", used.at, hint)
    result = evaluate(formula, env)
    if isinstance(result, Array):
        raise error("an expression must give one number, not "
                    f"{result.described()}", formula.at, "draw one entry at a time")
    root = result if isinstance(result, Value) else Value(result)
    if label:
        root = _named(root, label)  # type: ignore[assignment]
    return root


def _named(value: Quantity, name: str) -> Value | Array:
    """The node for ``name = formula``: a fresh node gets the label; a formula that is
    just another name (``c1 = w10``) gets its own one-term sum node so ``c1`` is drawn.
    The entries of a vector or matrix are labelled ``x[2]``, ``W[1,3]`` unless they are
    named nodes already (``v = [v0, v1]`` keeps v0 and v1)."""
    if isinstance(value, Array):
        entries = []
        for k, entry in enumerate(value.entries):
            label = f"{name}[{','.join(map(str, value.index(k)))}]"
            if isinstance(entry, float):
                entry = Value(entry, label=label)
            elif entry.label is None:
                entry.label = label
            entries.append(entry)
        return Array(value.rows, value.cols, tuple(entries))
    if isinstance(value, float):
        return Value(value, label=name)
    if value.label is not None:
        value = sum_values([value])
    value.label = name
    return value


def _claimed_number(node: Node) -> tuple[str, Token] | None:
    """A plain (signed) number literal as written, with where it starts."""
    if isinstance(node, Num):
        return node.text, node.at
    if isinstance(node, Unary) and node.op in MINUS and isinstance(node.operand, Num):
        return "-" + node.operand.text, node.at
    return None


def _claimed_numbers(node: Node) -> list[tuple[tuple[int, ...], str, Token]] | None:
    """A bracket of plain numbers (``[1, -0.5]``, ``[[1, 2], [3, 4]]``, also transposed) as
    (entry, number, where) for each entry, else None."""
    transposed = isinstance(node, Unary) and node.op == "ᵀ"
    if transposed:
        node = node.operand  # type: ignore[union-attr]
    if not isinstance(node, Bracket):
        return None
    if all(isinstance(item, Bracket) for item in node.items):
        rows = [[_claimed_number(x) for x in row.items] for row in node.items]  # type: ignore[union-attr]
        if any(x is None for row in rows for x in row) or len(rows) == 1 or \
                any(len(row) != len(rows[0]) for row in rows):
            return None
        if len(rows[0]) == 1 or transposed:  # a column written as rows, or a transposed matrix
            entries = [(i, j) for j in range(len(rows[0])) for i in range(len(rows))] \
                if transposed else [(i, 0) for i in range(len(rows))]
            flat = [rows[i][j] for i, j in entries]
            if len(rows[0]) == 1:
                return [((k + 1,), *flat[k]) for k in range(len(flat))]  # type: ignore[misc]
            return [((j + 1, i + 1), *rows[i][j]) for i, j in entries]  # type: ignore[misc]
        return [((i + 1, j + 1), *x) for i, row in enumerate(rows)  # type: ignore[misc]
                for j, x in enumerate(row)]
    numbers = [_claimed_number(x) for x in node.items]
    if any(x is None for x in numbers):
        return None
    return [((k + 1,), *x) for k, x in enumerate(numbers)]  # type: ignore[misc]


class _Reader(_StatementReader):
    """Reads a worksheet in two passes: statements first (so that a name used before its
    definition can be told from an unknown one), then the values, top to bottom."""

    def __init__(self, text: str) -> None:
        if len(text) > MAX_BYTES:
            raise WorksheetError(f"worksheet too large ({len(text):,} characters)",
                                 hint=f"at most {MAX_BYTES:,}")
        self.text = text
        self.statements: list[_Statement] = []
        self.claims: list[Claim] = []
        self.chains: list[Chain] = []
        self.defined_on: dict[str, Definition] = {}
        self.functions: dict[str, Function] = {}
        self.names: dict[str, Value | Array] = {}
        self.loss: Token | None = None
        self.exponents: list[Token] = []  # numbers such as 2e1, in case e1 is a name
        self.function_uses: list[tuple[Node, set[str]]] = []
        self.rounded: dict[str, str] = {}  # given ≈ number: the number as written
        self.work = Work()  # the budget of the whole worksheet

    def read(self) -> Worksheet:
        self.lines = lines(self.text)
        read = [self.split_line(line, n) for n, line in enumerate(self.lines, start=1)]
        pieces = [piece for tokens, _, _ in read for piece in statements(tokens)]
        self.labels = labels(pieces)
        self.defined = defined_names(pieces) | {f"{n}({a})" for n, a in self.labels}
        self.given = rounded_givens(pieces, self.defined)
        for number_, (tokens, code, comment) in enumerate(read, start=1):
            self.read_line(folded(tokens, self.labels), code, comment, number_)
        self.check_exponents()
        for body, parameters in self.function_uses:  # the rest must be defined somewhere
            for used in names_in(body):
                if used.name not in parameters and used.name not in self.defined_on:
                    raise self.unknown(used.at)
        for statement in self.statements:
            self.run(statement)
        values = {n: v for n, v in self.names.items() if isinstance(v, Value)}
        arrays = {n: v for n, v in self.names.items() if isinstance(v, Array)}
        if not values and not arrays:
            raise WorksheetError("the worksheet defines nothing",
                                 hint="write one assignment a line, e.g. x = 1")
        if not values and self.loss is None:  # vectors and matrices only: no loss needed
            return Worksheet(values, self.defined_on, self.claims, "", arrays=arrays,
                             functions=self.functions, chains=self.chains, work=self.work)
        loss = self.loss.text if self.loss else next(reversed(values))
        if loss not in values:
            if loss in arrays:
                raise error(f"the loss must be one number; {loss} is "
                            f"{arrays[loss].described()}", self.loss)  # type: ignore[arg-type]
            raise self.unknown(self.loss)  # type: ignore[arg-type]
        return Worksheet(values, self.defined_on, self.claims, loss, arrays=arrays,
                         functions=self.functions, chains=self.chains, rounded=self.rounded,
                         work=self.work)

    # -- pass 2: values and chains ------------------------------------------------------
    def run(self, statement: _Statement) -> None:
        target = statement.target
        if statement.kind == "loss":
            return
        if statement.kind == "define":
            definition = self.defined_on[target.text]
            for used in definition.uses:
                self.require(used.at, inside=definition)
            if any(derivatives_in(definition.formula)):
                definition = self.update(definition, target)
            value = evaluate(definition.formula, self.names, self.functions, work=self.work)
            self.names[target.text] = _named(value, target.text)
        if statement.kind in {"function", "expression"}:
            subject = self.expression_subject(statement)
        else:
            for token in filter(None, (statement.top, target)):
                self.require(token)
            subject = Subject(target.text, statement.top.text if statement.top else None)
        links = tuple(self.link(subject, body) for _, body in statement.parts)
        if links:
            formula = self.defined_on[target.text].formula if statement.kind == "define" \
                else None
            self.chains.append(Chain(subject, links, formula))

    def update(self, definition: Definition, target: Token) -> Definition:
        """``w5⁺ = w5 − η · ∂E_total/∂w5``: a weight updated by a gradient is a new given,
        its number computed here (the formula is graded no further: at other points the
        gradient would be another number)."""
        for atom in derivatives_in(definition.formula):
            for name in (atom.top, atom.bottom):
                self.require(Token("name", name, atom.at.line, atom.at.column), definition)
        value = evaluate(definition.formula, self.names, self.functions, self.gradient)
        if isinstance(value, Array):
            raise error("an update by a gradient gives one number at a time", target,
                        "write one line per weight")
        number = value.data if isinstance(value, Value) else value
        updated = Definition(target.text, Num(repr(float(number)), target), target.line,
                             target.column)
        self.defined_on[target.text] = updated
        return updated

    def gradient(self, atom: Derivative) -> float:
        """∂top/∂bottom at the worksheet's numbers (both numbers, not vectors)."""
        top, bottom = self.names[atom.top], self.names[atom.bottom]
        if not (isinstance(top, Value) and isinstance(bottom, Value)):
            raise error(f"∂{atom.top}/∂{atom.bottom} in a formula must be a number", atom.at,
                        "write an update per entry")
        return partials(top).get(bottom, 0.0)

    def expression_subject(self, statement: _Statement) -> Subject:
        lhs = self.parser(statement.lhs).parse()
        variables = []
        own = self.functions[statement.target.text].parameters \
            if statement.kind == "function" else ()
        for used in names_in(lhs):
            if used.name in own or (used.name not in self.names
                                    and used.name not in self.defined_on):
                variables.append(used.name)
            else:
                self.require(used.at)
        self.require_derivatives(lhs)
        first, last = statement.lhs[0], statement.lhs[-2]
        if statement.kind == "function":
            parameters = self.functions[statement.target.text].parameters
            text = f"{statement.target.text}({', '.join(parameters)})"
        else:
            text = self.source_text(first, last)
        return Subject(text, expression=lhs, variables=tuple(dict.fromkeys(variables)))

    def source_text(self, first: Token, last: Token) -> str:
        line = self.lines[first.line - 1]
        return line[first.column - 1: last.column - 1 + len(last.text)].strip()

    def link(self, subject: Subject, tokens: list[Token]) -> Link:
        """One part of the chain: claimed numbers, numeric working or a formula."""
        first, last = tokens[0], tokens[-2]
        text = self.source_text(first, last) if first.text != "#" or len(tokens) > 2 \
            else tokens[-2].text
        written = number_claim(tokens[:-1])
        top = subject.top
        if written is not None:
            form = "blank" if written == BLANK else "number"
            claim = Claim(subject.name, written, first.line, first.column, top, form=form)
            self.claims.append(claim)
            self.no_variables(subject, first)
            return Link("number", Num(written, first), written, first.line, first.column,
                        (claim,))
        node = self.parser(tokens).parse()
        entries = _claimed_numbers(node)
        if entries is not None and len(entries) == 1 and self.scalar(subject):
            entries = [((), *entries[0][1:])]  # [0.191] claimed for a number
        if entries is not None:
            claims = tuple(Claim(subject.name, number, at.line, at.column, top, entry)
                           for entry, number, at in entries)
            self.claims += claims
            self.no_variables(subject, first)
            return Link("number", node, text, first.line, first.column, claims)
        scope = set(subject.variables)
        for used in names_in(node):
            if used.name not in scope:
                self.require(used.at)
        self.require_derivatives(node)
        kind = "working" if is_numeric(node) else "formula"
        return Link(kind, node, text, first.line, first.column)

    def require_derivatives(self, node: Node) -> None:
        """Both names of every ∂U/∂V in ``node`` must be defined above."""
        for atom in derivatives_in(node):
            for name in (atom.top, atom.bottom):
                self.require(Token("name", name, atom.at.line, atom.at.column))

    def scalar(self, subject: Subject) -> bool:
        """Is the subject one number (a scalar name, or ∂ of one by one)?"""
        names = [subject.name, subject.top] if subject.expression is None else []
        return bool(names) and all(n is None or isinstance(self.names.get(n), Value)
                                   for n in names)

    def no_variables(self, subject: Subject, at: Token) -> None:
        if subject.variables:
            names = subject.variables
            raise error(f"{subject.name} has no value: {', '.join(names)} "
                        f"{'is' if len(names) == 1 else 'are'} not given", at,
                        "claim a number at a point, e.g. DF(1, 2) = …")

    def require(self, used: Token, inside: Definition | None = None) -> None:
        """A name must be defined above the line that uses it."""
        if used.text in self.names:
            return
        later = self.defined_on.get(used.text)
        if inside is not None and used.text == inside.name:
            raise error(f"{used.text} is defined in terms of itself", used,
                        "a worksheet is read top to bottom; each name once")
        if later is None:
            raise self.unknown(used)
        cycle = self.cycle(used.text, inside.name) if inside else None
        hint = f"cycle: {' → '.join(cycle)}" if cycle else "move its definition above this line"
        raise error(f"{used.text} is used before it is defined (on line {later.line})",
                    used, hint)

    def cycle(self, start: str, goal: str) -> list[str] | None:
        """A path of definitions start → … → goal, if ``goal`` depends on itself."""
        paths: dict[str, list[str]] = {start: [goal, start]}
        stack = [start]
        while stack:
            name = stack.pop()
            definition = self.defined_on.get(name)
            for ref in definition.refs if definition else ():
                if ref == goal:
                    return [*paths[name], goal]
                if ref not in paths:
                    paths[ref] = [*paths[name], ref]
                    stack.append(ref)
        return None

    def unknown(self, used: Token) -> WorksheetError:
        if used.text.lower() in FUNCTIONS or used.text in self.functions:
            return error(f"{used.text} is a function", used, f"write {used.text}(x)")
        label = next((f"{n}({a})" for n, a in sorted(self.labels) if n == used.text), None)
        if label:
            return error(f"{used.text} is not a function: {label} = … does not use "
                         f"{label[len(used.text) + 1:-1]}, so {label} is a name", used,
                         f"write {label} as it is defined, or define a function whose "
                         "formula uses its parameter")
        known = [*self.defined_on, *FUNCTIONS, *self.functions]
        close = difflib.get_close_matches(used.text, known, n=1)
        hint = f"did you mean {close[0]}?" if close else "define it on a line above"
        return error(f"unknown name {used.text!r}", used, hint)
