"""The syntax tree of a formula and the recursive-descent parser that builds it."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .tokens import MAX_DEPTH, TRANSPOSE, Token, error

FUNCTIONS: dict[str, str] = {
    "sigmoid": "sigmoid", "σ": "sigmoid", "exp": "exp", "log": "log", "ln": "log",
    "tanh": "tanh", "relu": "relu", "abs": "abs",
}
"""Function names (matched case-insensitively) and the `Value` method each one calls."""

MINUS = {"-", "−"}
PRODUCTS = {"·": "·", "×": "·", "@": "@", "*": "*", "⊙": "⊙"}
"""Product symbols and the product each one means (see `arrays.product`): ``·`` the dot
product of two vectors, else the matrix product ``@``; ``*`` entrywise between equal
shapes, else ``@``; ``⊙`` entrywise; side by side is ``""``."""
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


@dataclass(frozen=True)
class Apply:
    """A function of the worksheet applied: ``F(1, 2)``, ``(F∘G)(2)``; with ``derivative``
    "D" its Jacobian (``DF(1, 2)``, ``D(F∘G)(2)``), with "∇" its gradient (``∇f(1, 2)``).
    ``functions`` are outermost first: F∘G is ("F", "G")."""

    functions: tuple[str, ...]
    arguments: tuple[Node, ...]
    derivative: str
    at: Token


Node = Num | Name | Derivative | Unary | Binary | Sum | Call | Bracket | Apply


class Parser:
    """Recursive descent over one statement's tokens; precedence as in Python.

    expr    := term (('+' | '-') term)*
    term    := unary (('*' | '·' | '@' | '⊙' | '/') unary | implicit product)*
    unary   := ('-' | '+') unary | power
    power   := postfix (('**' | '^') unary)?          (^T is a transpose)
    postfix := primary 'ᵀ'*
    primary := number | name | function '(' expr ')' | '(' expr ')' | ∂name/∂name
             | '[' expr (',' expr)* ']' | ['D' | '∇'] F ['∘' G ...] '(' args ')'

    ``functions`` are the worksheet's own functions (name → number of parameters).
    """

    def __init__(self, tokens: list[Token], functions: Mapping[str, int] | None = None) -> None:
        self.tokens = tokens
        self.functions = functions or {}
        self.pos = 0
        self.depth = 0

    @property
    def peek(self) -> Token:
        return self.tokens[self.pos]

    def at(self, *texts: str) -> bool:
        """Is the next token one of the symbols ``texts``?"""
        token = self.tokens[self.pos]
        return token.kind == "symbol" and token.text in texts

    def take(self) -> Token:
        token = self.tokens[self.pos]
        if token.kind != "end":
            self.pos += 1
        return token

    def expect(self, text: str, hint: str) -> Token:
        if not self.at(text):
            raise error(f"expected {text!r}", self.peek, hint)
        return self.take()

    def parse(self) -> Node:
        first = self.peek
        node = self.expr()
        if self.peek.kind != "end":
            raise error(f"unexpected {shown(self.peek)}", self.peek,
                        "one formula per '=' part; separate statements with ';'")
        if depth(node) > MAX_DEPTH:  # a * b * c * ... nests too, to the left
            raise error("formula nested too deeply", first,
                        f"at most {MAX_DEPTH} operations inside one another; split it "
                        "over several lines")
        return node

    def expr(self) -> Node:
        node = self.term()
        terms: list[Node] = [node]
        plus: Token | None = None
        while self.at("+", *MINUS):
            op = self.take()
            right = self.term()
            if op.text == "+":  # a + b + c becomes one Sum of three terms
                plus = plus or op
                terms.append(right)
            else:
                node = Sum(tuple(terms), plus) if len(terms) > 1 else terms[0]  # type: ignore[arg-type]
                node = Binary("-", node, right, op)
                terms, plus = [node], None
        return Sum(tuple(terms), plus) if len(terms) > 1 else terms[0]  # type: ignore[arg-type]

    def term(self) -> Node:
        node = self.unary()
        while True:
            token = self.peek
            if token.kind == "symbol" and (token.text in PRODUCTS or token.text in DIVIDE):
                self.take()
                op = "/" if token.text in DIVIDE else PRODUCTS[token.text]
                node = Binary(op, node, self.unary(), token)
            elif token.kind == "name" or (token.kind == "symbol" and token.text in "(∂[∇"):
                node = Binary("", node, self.unary(), token)  # implicit product: 2(ŷ - y)
            else:
                return node

    def unary(self) -> Node:
        token = self.peek
        if self.at("+", *MINUS):
            self.take()
            with self.nested(token):
                operand = self.unary()
            return operand if token.text == "+" else Unary("-", operand, token)
        return self.power()

    def power(self) -> Node:
        base = self.postfix()
        token = self.peek
        if self.at(*POWER):
            self.take()
            following = self.peek
            if following.kind == "name" and following.text == "T":  # xᵀ written x^T
                self.take()
                return Unary(TRANSPOSE, base, token)
            with self.nested(token):
                return Binary("**", base, self.unary(), token)
        return base

    def postfix(self) -> Node:
        node = self.primary()
        while self.at(TRANSPOSE):
            node = Unary(TRANSPOSE, node, self.take())
        return node

    def primary(self) -> Node:
        token = self.take()
        if token.kind == "number":
            return Num(token.text, token)
        if token.kind == "name":
            return self.named(token)
        if token.kind == "symbol" and token.text == "(":
            self.pos -= 1
            return self.parenthesised()
        if token.kind == "symbol" and token.text == "[":
            return self.bracket(token)
        if token.kind == "symbol" and token.text == "∇":
            name = self.take()
            if name.kind != "name" or name.text not in self.functions:
                raise error("∇ needs a function of the worksheet", name,
                            "define one first, e.g. f(x, y) = (2x + 3y)^2, then ∇f(1, 2)")
            return self.application((name.text,), "∇", token)
        if token.text == "∂":
            top = self.take()
            self.expect("/", "a derivative reads ∂L/∂w12")
            self.expect("∂", "a derivative reads ∂L/∂w12")
            bottom = self.take()
            if top.kind != "name" or bottom.kind != "name":
                raise error("a derivative needs a name on top and below", token,
                            "write ∂L/∂w12")
            return Derivative(top.text, bottom.text, token)
        raise error(f"expected a number, a name, '(' or '[' but found {shown(token)}", token,
                    "check for a missing operand or an extra operator")

    def named(self, token: Token) -> Node:
        """A name, a built-in function call, or a worksheet function applied."""
        calls = self.at("(")
        function = FUNCTIONS.get(token.text.lower())
        if function and calls:
            return Call(function, self.parenthesised(), token)
        if calls and token.text in self.functions:
            return self.application((token.text,), "", token)
        if calls and token.text[:1] == "D" and token.text[1:] in self.functions:
            return self.application((token.text[1:],), "D", token)
        if token.text == "D" and calls and self.composition_follows():
            self.take()
            names = self.composition()
            self.expect(")", "write D(F∘G)(2)")
            return self.application(names, "D", token)
        return Name(token.text, token)

    def composition_follows(self) -> bool:
        """Is ``( F ∘ G ...)`` next, with worksheet functions F, G?"""
        ahead = self.tokens[self.pos + 1: self.pos + 3]
        return (len(ahead) == 2 and ahead[0].text in self.functions
                and ahead[1].text in {"∘", ")"})

    def composition(self) -> tuple[str, ...]:
        names = [self.take().text]
        while self.at("∘"):
            self.take()
            name = self.take()
            if name.text not in self.functions:
                raise error(f"{name.text!r} is not a function of the worksheet", name,
                            "compose functions defined above, e.g. F∘G")
            names.append(name.text)
        return tuple(names)

    def application(self, functions: tuple[str, ...], derivative: str, at: Token) -> Apply:
        opening = self.expect("(", f"write {functions[0]}(…) with its arguments")
        arguments: list[Node] = []
        with self.nested(opening):
            arguments.append(self.expr())
            while self.at(","):
                self.take()
                arguments.append(self.expr())
        self.expect(")", f"the '(' at column {opening.column} is not closed")
        return Apply(functions, tuple(arguments), derivative, at)

    def bracket(self, opening: Token) -> Bracket:
        items: list[Node] = []
        with self.nested(opening):
            items.append(self.expr())
            while self.at(","):
                self.take()
                items.append(self.expr())
        self.expect("]", f"the '[' at column {opening.column} is not closed")
        return Bracket(tuple(items), opening)

    def parenthesised(self) -> Node:
        opening = self.expect("(", "")
        if self.peek.text in self.functions and self.tokens[self.pos + 1].text == "∘":
            names = self.composition()
            self.expect(")", "write (F∘G)(2)")
            return self.application(names, "", opening)
        with self.nested(opening):
            node = self.expr()
        self.expect(")", f"the '(' at column {opening.column} is not closed")
        return node

    def nested(self, token: Token) -> _Depth:
        return _Depth(self, token)


class _Depth:
    """Counts nesting so that ((((...)))) is an error rather than a crash."""

    def __init__(self, parser: Parser, token: Token) -> None:
        self.parser, self.token = parser, token

    def __enter__(self) -> None:
        self.parser.depth += 1
        if self.parser.depth > MAX_DEPTH:
            raise error("formula nested too deeply", self.token,
                        f"at most {MAX_DEPTH} levels of parentheses, brackets, signs and "
                        "powers")

    def __exit__(self, *exc: object) -> None:
        self.parser.depth -= 1


def shown(token: Token) -> str:
    return "the end of the statement" if token.kind == "end" else repr(token.text)


_CHILDREN: dict[type, Callable[[Any], tuple[Node, ...]]] = {
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
