"""Worksheets: a hand-worked example as a small text file, parsed (never executed).

A worksheet reads like a page of notes::

    # seed 001, first example
    x11 = 1; x12 = 2; y = 8
    w11 = 0.02; w12 = 0.03
    a1 = x12 · w12 = 2 · (0.03) = 0.06      # name = formula = working = claimed value
    f1 = Sigmoid(e1) = 0.52
    L = (ŷ - y)^2
    ∂L/∂ŷ = 2(ŷ - y) = -15.88               # a claimed derivative (also dL/dyhat)

The rules, line by line (see the README for the whole format):

- ``name = formula`` defines ``name`` once; a formula uses numbers, names defined on an
  earlier line, ``+ - * / ** ^`` (also ``· × ÷ −``), implicit products (``2(ŷ - y)``,
  ``f1(1 - f1)``) and the functions ``sigmoid σ exp log ln tanh relu abs``;
- further ``= …`` or ``≈ …`` parts on the line are the student's working: a plain number
  is a *claim* about the value, anything else is working that is read but not graded;
  ``# 0.06`` at the end of a line is a claim too;
- ``name ≈ 0.52`` claims a value again later; ``∂U/∂V = …`` or ``dU/dV = …`` claims a
  derivative; ``loss: L`` names the root (otherwise the last name defined);
- ``;`` or ``,`` separate statements on one line; ``#`` starts a comment.

Everything is parsed by the tokenizer and the recursive-descent parser below into a small
syntax tree, and the tree is evaluated with the engine's operations only. Any problem is a
`WorksheetError` that names the line and column and gives a hint.
"""

from __future__ import annotations

import difflib
import math
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .engine import ScalarGradError, Value, sum_values

MAX_BYTES = 200_000
"""Largest worksheet file accepted."""
MAX_NUMBER_CHARS = 60
"""Longest number literal accepted."""
MAX_DEPTH = 100
"""Deepest nesting of operations accepted in one formula (parentheses, signs, powers and
chains such as a * b * c all nest)."""

FUNCTIONS: dict[str, str] = {
    "sigmoid": "sigmoid", "σ": "sigmoid", "exp": "exp", "log": "log", "ln": "log",
    "tanh": "tanh", "relu": "relu", "abs": "abs",
}
"""Function names (matched case-insensitively) and the `Value` method each one calls."""

_MINUS = {"-", "−"}
_TIMES = {"*", "·", "×"}
_DIVIDE = {"/", "÷"}
_POWER = {"**", "^"}
_EQUALS = {"=", "≈"}
_SEPARATORS = {";", ","}
_SYMBOLS = ("**", "+", "-", "−", "*", "·", "×", "/", "÷", "^", "(", ")", "=", "≈", ";", ",",
            ":", "∂")


class WorksheetError(ScalarGradError, ValueError):
    """A worksheet or expression that cannot be read: says where, what, and a hint.

    ``str(err)`` is one line: ``file:line:column: message (hint: ...)``.
    """

    def __init__(self, message: str, line: int = 0, column: int = 0, hint: str = "",
                 source: str = "") -> None:
        self.message, self.line, self.column, self.hint = message, line, column, hint
        self.source = source
        super().__init__(self._text())

    def _text(self) -> str:
        where = ":".join(str(p) for p in (self.source, self.line, self.column) if p)
        hint = f" (hint: {self.hint})" if self.hint else ""
        return f"{where + ': ' if where else ''}{self.message}{hint}"

    def located(self, source: str) -> WorksheetError:
        """The same error, naming the file it came from."""
        self.source = source
        self.args = (self._text(),)
        return self


# ---------------------------------------------------------------------------------------
# Tokens
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Token:
    kind: str  # "number", "name", "symbol", "end"
    text: str
    line: int
    column: int  # 1-based


def _is_name_start(ch: str) -> bool:
    if ch.isascii():
        return ch.isalpha() or ch == "_"
    return unicodedata.normalize("NFKC", ch).isidentifier()


def _is_name_part(ch: str) -> bool:
    if ch.isascii():
        return ch.isalnum() or ch == "_"
    return unicodedata.normalize("NFKC", "a" + ch).isidentifier()


def tokenize(text: str, line: int = 1) -> list[Token]:
    """Split one line (without its comment) into tokens; the last one has kind ``end``.

    Names are Unicode identifiers, normalised (NFKC, so ``x₁₂`` is ``x12``); numbers
    are decimal (``0.03``, ``.5``, ``1e-3``).
    """
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch.isdigit() or (ch == "." and text[i + 1: i + 2].isdigit()):
            j = _number_end(text, i)
            if j - i > MAX_NUMBER_CHARS:
                raise WorksheetError("number too long", line, i + 1,
                                     f"at most {MAX_NUMBER_CHARS} characters")
            tokens.append(Token("number", text[i:j], line, i + 1))
            i = j
        elif _is_name_start(ch):
            j = i + 1
            while j < len(text) and _is_name_part(text[j]):
                j += 1
            name = unicodedata.normalize("NFC", unicodedata.normalize("NFKC", text[i:j]))
            tokens.append(Token("name", name, line, i + 1))
            i = j
        else:
            symbol = next((s for s in _SYMBOLS if text.startswith(s, i)), None)
            if symbol is None:
                raise WorksheetError(f"unexpected character {ch!r}", line, i + 1,
                                     "formulas use numbers, names, + - * / ^ ( ) and "
                                     "sigmoid exp log tanh relu abs")
            tokens.append(Token("symbol", symbol, line, i + 1))
            i += len(symbol)
    tokens.append(Token("end", "", line, len(text) + 1))
    return tokens


def _number_end(text: str, i: int) -> int:
    """Index just after the decimal literal that starts at ``i``."""
    j = i
    while j < len(text) and text[j].isdigit():
        j += 1
    if j < len(text) and text[j] == ".":
        j += 1
        while j < len(text) and text[j].isdigit():
            j += 1
    if j < len(text) and text[j] in "eE":
        k = j + 1
        if k < len(text) and text[k] in "+-":
            k += 1
        if k < len(text) and text[k].isdigit():
            j = k
            while j < len(text) and text[j].isdigit():
                j += 1
    return j


# ---------------------------------------------------------------------------------------
# Syntax tree and parser
# ---------------------------------------------------------------------------------------


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
class Unary:
    op: str
    operand: Node
    at: Token


@dataclass(frozen=True)
class Binary:
    op: str  # "-", "*", "/", "**"
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


Node = Num | Name | Derivative | Unary | Binary | Sum | Call


class _Parser:
    """Recursive descent over one statement's tokens; precedence as in Python.

    expr    := term (('+' | '-') term)*
    term    := unary (('*' | '/') unary | implicit product)*
    unary   := ('-' | '+') unary | power
    power   := primary (('**' | '^') unary)?
    primary := number | name | function '(' expr ')' | '(' expr ')' | ∂name/∂name
    """

    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    @property
    def peek(self) -> Token:
        return self.tokens[self.pos]

    def take(self) -> Token:
        token = self.tokens[self.pos]
        if token.kind != "end":
            self.pos += 1
        return token

    def expect(self, text: str, hint: str) -> Token:
        if self.peek.text != text or self.peek.kind != "symbol":
            raise _error(f"expected {text!r}", self.peek, hint)
        return self.take()

    def parse(self) -> Node:
        first = self.peek
        node = self.expr()
        if self.peek.kind != "end":
            raise _error(f"unexpected {_shown(self.peek)}", self.peek,
                         "one formula per '=' part; separate statements with ';'")
        if _depth(node) > MAX_DEPTH:  # a * b * c * ... nests too, to the left
            raise _error("formula nested too deeply", first,
                         f"at most {MAX_DEPTH} operations inside one another; split it "
                         "over several lines")
        return node

    def expr(self) -> Node:
        node = self.term()
        while self.peek.kind == "symbol" and self.peek.text in {"+", *_MINUS}:
            op = self.take()
            right = self.term()
            if op.text == "+":  # a + b + c becomes one Sum of three terms
                left = node.terms if isinstance(node, Sum) else (node,)
                node = Sum((*left, right), op)
            else:
                node = Binary("-", node, right, op)
        return node

    def term(self) -> Node:
        node = self.unary()
        while True:
            token = self.peek
            if token.kind == "symbol" and token.text in _TIMES | _DIVIDE:
                self.take()
                op = "*" if token.text in _TIMES else "/"
                node = Binary(op, node, self.unary(), token)
            elif token.kind == "name" or (token.kind == "symbol" and token.text in "(∂"):
                node = Binary("*", node, self.unary(), token)  # implicit product: 2(ŷ - y)
            else:
                return node

    def unary(self) -> Node:
        token = self.peek
        if token.kind == "symbol" and token.text in {"+", *_MINUS}:
            self.take()
            with self.nested(token):
                operand = self.unary()
            return operand if token.text == "+" else Unary("-", operand, token)
        return self.power()

    def power(self) -> Node:
        base = self.primary()
        token = self.peek
        if token.kind == "symbol" and token.text in _POWER:
            self.take()
            with self.nested(token):
                return Binary("**", base, self.unary(), token)
        return base

    def primary(self) -> Node:
        token = self.take()
        if token.kind == "number":
            return Num(token.text, token)
        if token.kind == "name":
            function = FUNCTIONS.get(token.text.lower())
            if function and self.peek.text == "(":
                return Call(function, self.parenthesised(), token)
            return Name(token.text, token)
        if token.text == "(" and token.kind == "symbol":
            self.pos -= 1
            return self.parenthesised()
        if token.text == "∂":
            top = self.take()
            self.expect("/", "a derivative reads ∂L/∂w12")
            self.expect("∂", "a derivative reads ∂L/∂w12")
            bottom = self.take()
            if top.kind != "name" or bottom.kind != "name":
                raise _error("a derivative needs a name on top and below", token,
                             "write ∂L/∂w12")
            return Derivative(top.text, bottom.text, token)
        raise _error(f"expected a number, a name or '(' but found {_shown(token)}", token,
                     "check for a missing operand or an extra operator")

    def parenthesised(self) -> Node:
        opening = self.expect("(", "")
        with self.nested(opening):
            node = self.expr()
        self.expect(")", f"the '(' at column {opening.column} is not closed")
        return node

    def nested(self, token: Token) -> _Depth:
        return _Depth(self, token)


class _Depth:
    """Counts nesting so that ((((...)))) is an error rather than a crash."""

    def __init__(self, parser: _Parser, token: Token) -> None:
        self.parser, self.token = parser, token

    def __enter__(self) -> None:
        self.parser.depth += 1
        if self.parser.depth > MAX_DEPTH:
            raise _error("formula nested too deeply", self.token,
                         f"at most {MAX_DEPTH} levels of parentheses, signs and powers")

    def __exit__(self, *exc: object) -> None:
        self.parser.depth -= 1


def _error(message: str, token: Token, hint: str = "") -> WorksheetError:
    return WorksheetError(message, token.line, token.column, hint)


def _shown(token: Token) -> str:
    return "the end of the statement" if token.kind == "end" else repr(token.text)


def _depth(node: Node) -> int:
    """How deeply the tree nests (counted without recursion)."""
    deepest = 0
    stack = [(node, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack += [(child, depth + 1) for child in _children(node)]
    return deepest


def names_in(node: Node) -> Iterator[Name]:
    """Every name a formula refers to, in reading order."""
    if isinstance(node, Name):
        yield node
    for child in _children(node):
        yield from names_in(child)


def derivatives_in(node: Node) -> Iterator[Derivative]:
    """Every ∂U/∂V atom in a piece of working."""
    if isinstance(node, Derivative):
        yield node
    for child in _children(node):
        yield from derivatives_in(child)


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Sum):
        return node.terms
    if isinstance(node, Call):
        return (node.argument,)
    return ()


# ---------------------------------------------------------------------------------------
# Evaluation: the syntax tree with the engine's operations (numbers alone are folded)
# ---------------------------------------------------------------------------------------


def number(node: Num) -> float:
    """A literal's value as a float; too large is an error, never ``inf``."""
    value = float(node.text)
    if not math.isfinite(value):
        raise _error(f"number {node.text} is too large", node.at, "floats stop near 1.8e308")
    return value


def evaluate(node: Node, env: dict[str, Value]) -> Value | float:
    """The value of a formula: a float when it uses numbers only, else a new `Value`."""
    try:
        return _evaluate(node, env)
    except (ScalarGradError, OverflowError, ZeroDivisionError, ValueError) as err:
        if isinstance(err, WorksheetError):
            raise
        raise _error(str(err), node.at, "the formula cannot be computed at these values") \
            from None


def _evaluate(node: Node, env: dict[str, Value]) -> Value | float:
    if isinstance(node, Num):
        return number(node)
    if isinstance(node, Name):
        return env[node.name]
    if isinstance(node, Derivative):
        raise _error("a derivative cannot be part of a formula", node.at,
                     "∂L/∂x may appear only in the working after the formula")
    if isinstance(node, Unary):
        return _checked(-_evaluate(node.operand, env), node.at)
    if isinstance(node, Sum):
        terms = [_evaluate(t, env) for t in node.terms]
        if all(isinstance(t, float) for t in terms):
            return _checked(math.fsum(terms), node.at)
        return terms[0] + terms[1] if len(terms) == 2 else sum_values(terms)
    if isinstance(node, Call):
        argument = _evaluate(node.argument, env)
        result = getattr(Value(argument) if isinstance(argument, float) else argument,
                         node.function)()
        return result.data if isinstance(argument, float) else result
    left, right = _evaluate(node.left, env), _evaluate(node.right, env)
    op = _BINARY[node.op]
    if isinstance(left, float) and isinstance(right, float):
        return _checked(op(Value(left), right).data, node.at)  # the engine's clear errors
    return op(left, right)


_BINARY: dict[str, Callable[[Value | float, Value | float], Value]] = {
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "**": lambda a, b: a**b,
}


def _checked(value: Value | float, at: Token) -> Value | float:
    """Numbers that overflow to ``inf`` are an error, not a silent infinity."""
    if isinstance(value, float) and not math.isfinite(value):
        raise _error("number too large", at, "results must stay below about 1.8e308")
    return value


# ---------------------------------------------------------------------------------------
# Statements and the worksheet
# ---------------------------------------------------------------------------------------


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
        return Decimal(self.written)

    @property
    def subject(self) -> str:
        """What is claimed, as the student would say it: ``h2``, ``∂L/∂w12``, ``z[2]``
        or ``∂L/∂W1[1,3]``."""
        base = f"∂{self.top}/∂{self.name}" if self.top else self.name
        return base + (f"[{','.join(map(str, self.entry))}]" if self.entry else "")


@dataclass(frozen=True)
class Definition:
    """``name = formula`` on ``line``; ``refs`` are the names the formula uses."""

    name: str
    formula: Node
    line: int
    column: int

    @property
    def refs(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(n.name for n in names_in(self.formula)))


@dataclass
class Worksheet:
    """A parsed worksheet: every named node, its definition, and the student's claims."""

    values: dict[str, Value]
    definitions: dict[str, Definition]
    claims: list[Claim]
    loss: str
    source: str = ""
    _below: dict[tuple[str, str | None], set[str]] = field(
        default_factory=dict, repr=False, compare=False)

    @property
    def root(self) -> Value:
        """The node the worksheet is about (``loss:``, else the last name defined)."""
        return self.values[self.loss]

    def below(self, name: str, avoiding: str | None = None) -> set[str]:
        """Every name that ``name``'s formula depends on, directly or not, without going
        through ``avoiding`` (remembered: the definitions do not change)."""
        if (name, avoiding) not in self._below:
            seen, stack = {name}, [name]
            while stack:
                for ref in self.definitions[stack.pop()].refs:
                    if ref not in seen and ref != avoiding:
                        seen.add(ref)
                        stack.append(ref)
            self._below[name, avoiding] = seen - {name}
        return self._below[name, avoiding]


@dataclass
class _Statement:
    kind: str  # "define", "claim", "derivative", "loss"
    target: Token
    parts: list[tuple[Token, list[Token]]] = field(default_factory=list)
    top: Token | None = None


def parse(text: str, source: str = "") -> Worksheet:
    """Read a worksheet from its text; raise `WorksheetError` if it is malformed."""
    try:
        worksheet = _Reader(text).read()
    except WorksheetError as err:
        raise err.located(source) from None
    worksheet.source = source
    return worksheet


def load(path: str | Path) -> Worksheet:
    """Read a worksheet file (UTF-8, at most `MAX_BYTES`)."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise WorksheetError(f"file too large ({size:,} bytes)", hint=f"at most "
                                 f"{MAX_BYTES:,} bytes", source=str(path))
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as err:
        raise WorksheetError(f"not UTF-8 text (byte {err.start})", source=str(path)) \
            from None
    except OSError as err:
        raise WorksheetError(f"cannot read the file: {err.strerror}", source=str(path)) \
            from None
    return parse(text, str(path))


def expression(text: str, values: dict[str, float]) -> Value:
    """A formula (``"(x - y)**2"`` or ``"L = (x - y)**2"``) as a graph, with ``values``
    giving each name's number; the names become labelled leaves.

    >>> expression("f = x * y + 1", {"x": 2, "y": 3}).data
    7.0
    """
    if len(text) > MAX_BYTES:
        raise WorksheetError("expression too long", hint=f"at most {MAX_BYTES:,} characters")
    tokens = tokenize(text.replace("\n", " "))
    label = None
    if len(tokens) > 2 and tokens[0].kind == "name" and tokens[1].text == "=":
        label, tokens = tokens[0].text, tokens[2:]
    formula = _Parser(tokens).parse()
    env = {name: Value(float(v), label=name) for name, v in values.items()}
    for used in names_in(formula):
        if used.name not in env:
            raise _error(f"unknown name {used.name!r}", used.at,
                         f"give its value with --at {used.name}=NUMBER")
    result = evaluate(formula, env)
    root = result if isinstance(result, Value) else Value(result)
    if label:
        root = _named(root, label)
    return root


def _named(value: Value | float, name: str) -> Value:
    """The node for ``name = formula``: a fresh node gets the label; a formula that is
    just another name (``c1 = w10``) gets its own one-term sum node so ``c1`` is drawn."""
    if isinstance(value, float):
        return Value(value, label=name)
    if value.label is not None:
        value = sum_values([value])
    value.label = name
    return value


def _split(tokens: list[Token], separators: set[str]) -> list[tuple[Token, list[Token]]]:
    """Split at separators outside parentheses: [(separator or first token, tokens)]."""
    pieces: list[tuple[Token, list[Token]]] = [(tokens[0], [])]
    depth = 0
    for token in tokens:
        if token.kind == "symbol" and token.text in "()":
            depth += 1 if token.text == "(" else -1
        if token.kind == "symbol" and token.text in separators and depth <= 0:
            pieces.append((token, []))
        elif token.kind != "end":
            pieces[-1][1].append(token)
    return pieces


def _end(tokens: list[Token], after: Token) -> list[Token]:
    """``tokens`` with an end token, placed just after the last one."""
    last = tokens[-1] if tokens else after
    return [*tokens, Token("end", "", last.line, last.column + len(last.text))]


def _number_claim(tokens: list[Token]) -> str | None:
    """``"-15.88"`` if the tokens are just a (signed) number literal, else None."""
    texts = [t.text for t in tokens]
    if len(tokens) == 1 and tokens[0].kind == "number":
        return texts[0]
    if len(tokens) == 2 and tokens[1].kind == "number" and texts[0] in {"+", *_MINUS}:
        return ("-" if texts[0] in _MINUS else "") + texts[1]
    return None


def _derivative_lhs(tokens: list[Token]) -> tuple[Token, Token] | None:
    """(top, bottom) for ``∂L/∂w``, ``dL/dw`` or ``d L / d w``, else None."""
    texts = [t.text for t in tokens]
    kinds = [t.kind for t in tokens]
    if len(tokens) == 5 and texts[0] == texts[3] and texts[0] in {"∂", "d"} \
            and texts[2] == "/" and kinds[1] == kinds[4] == "name":
        return tokens[1], tokens[4]
    if len(tokens) == 3 and texts[1] == "/" and kinds[0] == kinds[2] == "name" \
            and all(t.startswith("d") and len(t) > 1 for t in (texts[0], texts[2])):
        top, bottom = tokens[0], tokens[2]
        return (Token("name", top.text[1:], top.line, top.column + 1),
                Token("name", bottom.text[1:], bottom.line, bottom.column + 1))
    return None


class _Reader:
    """Reads a worksheet in two passes: statements first (so that a name used before its
    definition can be told from an unknown one), then the values, top to bottom."""

    def __init__(self, text: str) -> None:
        if len(text) > MAX_BYTES:
            raise WorksheetError(f"worksheet too large ({len(text):,} characters)",
                                 hint=f"at most {MAX_BYTES:,}")
        self.text = text
        self.statements: list[_Statement] = []
        self.claims: list[Claim] = []
        self.defined_on: dict[str, Definition] = {}
        self.values: dict[str, Value] = {}
        self.loss: Token | None = None

    def read(self) -> Worksheet:
        for number_, line in enumerate(self.text.splitlines(), start=1):
            self.read_line(line, number_)
        for statement in self.statements:
            self.run(statement)
        if not self.values:
            raise WorksheetError("the worksheet defines nothing",
                                 hint="write one assignment a line, e.g. x = 1")
        loss = self.loss.text if self.loss else next(reversed(self.values))
        if loss not in self.values:
            raise self.unknown(self.loss)  # type: ignore[arg-type]
        return Worksheet(self.values, self.defined_on, self.claims, loss)

    # -- pass 1: statements -----------------------------------------------------------
    def read_line(self, line: str, number_: int) -> None:
        code, _, comment = line.partition("#")
        tokens = tokenize(code, number_)
        last: _Statement | None = None
        for _, piece in _split(tokens, _SEPARATORS):
            if piece:
                last = self.read_statement(piece)
        claimed = comment.strip().lstrip("=≈").strip()
        if last is not None and last.kind != "loss" and claimed:
            column = len(code) + 2 + comment.index(claimed[0])
            try:
                comment_tokens = tokenize(claimed, number_)
            except WorksheetError:
                return  # a comment in words
            written = _number_claim(comment_tokens[:-1])
            if written:
                mark = Token("symbol", "#", number_, column)
                last.parts.append((mark, _end([Token("number", written, number_, column)], mark)))

    def read_statement(self, tokens: list[Token]) -> _Statement:
        first = tokens[0]
        if first.kind == "name" and first.text.lower() == "loss" and len(tokens) > 1 \
                and tokens[1].text == ":":
            if len(tokens) != 3 or tokens[2].kind != "name":
                raise _error("expected 'loss: NAME'", first, "e.g. loss: L")
            self.loss = tokens[2]
            return _Statement("loss", tokens[2])
        pieces = _split(tokens, _EQUALS)
        if len(pieces) == 1:
            raise _error("expected '=' in this statement", first,
                         "write name = formula, e.g. a1 = x12 * w12")
        lhs = pieces[0][1]
        parts = [(sep, _end(body, sep)) for sep, body in pieces[1:]]
        for sep, body in parts:
            if len(body) == 1:
                raise _error(f"nothing after {sep.text!r}", sep, "write a formula or a number")
        derivative = _derivative_lhs(lhs)
        if derivative:
            statement = _Statement("derivative", derivative[1], parts, top=derivative[0])
        elif len(lhs) == 1 and lhs[0].kind == "name":
            statement = self.read_assignment(lhs[0], parts)
        else:
            raise _error("the left of '=' must be a name or a derivative", first,
                         "e.g. a1 = x12 * w12, or dL/dw12 = -0.1585")
        self.statements.append(statement)
        return statement

    def read_assignment(self, target: Token, parts: list[tuple[Token, list[Token]]]) \
            -> _Statement:
        name = target.text
        if name.lower() in FUNCTIONS:
            raise _error(f"{name!r} is a function, not a name to assign", target,
                         "choose another name")
        earlier = self.defined_on.get(name)
        if parts[0][0].text == "≈":
            return _Statement("claim", target, parts)
        if earlier:
            raise _error(f"{name} is already defined on line {earlier.line}", target,
                         f"a name is defined once; to claim its value again write "
                         f"'{name} ≈ NUMBER'")
        formula = _Parser(parts[0][1]).parse()
        for atom in derivatives_in(formula):
            raise _error("a derivative cannot be part of a formula", atom.at,
                         "∂L/∂x may appear only in the working after the formula")
        self.defined_on[name] = Definition(name, formula, target.line, target.column)
        return _Statement("define", target, parts[1:])

    # -- pass 2: values and claims ------------------------------------------------------
    def run(self, statement: _Statement) -> None:
        target = statement.target
        if statement.kind == "loss":
            return
        if statement.kind == "define":
            definition = self.defined_on[target.text]
            for used in names_in(definition.formula):
                self.require(used.at, inside=definition)
            value = evaluate(definition.formula, self.values)
            self.values[target.text] = _named(value, target.text)
        for token in filter(None, (statement.top, target)):
            self.require(token)
        for _, body in statement.parts:
            written = _number_claim(body[:-1])
            if written is None:
                self.read_working(body)
                continue
            top = statement.top.text if statement.top else None
            self.claims.append(Claim(target.text, written, body[0].line, body[0].column, top))

    def read_working(self, tokens: list[Token]) -> None:
        """Working between the formula and the claim: parsed, names checked, not graded."""
        working = _Parser(tokens).parse()
        for used in names_in(working):
            self.require(used.at)
        for atom in derivatives_in(working):
            for name in (atom.top, atom.bottom):
                self.require(Token("name", name, atom.at.line, atom.at.column))

    def require(self, used: Token, inside: Definition | None = None) -> None:
        """A name must be defined above the line that uses it."""
        if used.text in self.values:
            return
        later = self.defined_on.get(used.text)
        if inside is not None and used.text == inside.name:
            raise _error(f"{used.text} is defined in terms of itself", used,
                         "a worksheet is read top to bottom; each name once")
        if later is None:
            raise self.unknown(used)
        cycle = self.cycle(used.text, inside.name) if inside else None
        hint = f"cycle: {' → '.join(cycle)}" if cycle else "move its definition above this line"
        raise _error(f"{used.text} is used before it is defined (on line {later.line})",
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
        if used.text.lower() in FUNCTIONS:
            return _error(f"{used.text} is a function", used, f"write {used.text}(x)")
        known = [*self.defined_on, *FUNCTIONS]
        close = difflib.get_close_matches(used.text, known, n=1)
        hint = f"did you mean {close[0]}?" if close else "define it on a line above"
        return _error(f"unknown name {used.text!r}", used, hint)
