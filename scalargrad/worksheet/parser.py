"""The recursive-descent parser that builds a formula's syntax tree (`syntax`): `Parser`
(its docstring has the grammar) and its base `_Enclosed`, what brackets enclose."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from .syntax import (
    DIVIDE,
    EULER,
    EXTREMA,
    FUNCTIONS,
    MINUS,
    POWER,
    PRODUCTS,
    Apply,
    Binary,
    Bracket,
    Call,
    Derivative,
    Differentiated,
    Extremum,
    Indicator,
    Name,
    Node,
    Num,
    Sum,
    Unary,
    depth,
)
from .tokens import COMPARISONS, MAX_DEPTH, TRANSPOSE, Token, error


class _Enclosed:
    """The part of `Parser` that reads what brackets and parentheses enclose: vectors and
    matrices, indicators, arguments, compositions F∘G and parenthesised formulas."""

    def indicator(self, opening: Token, closing: str) -> Indicator:
        """``1(x > 0)`` or ``[x ≥ y]``, after the opening parenthesis or bracket."""
        self.spaced.append(False)
        with self.nested(opening):
            left = self.expr()
            relation = self.take()
            if relation.kind != "symbol" or relation.text not in COMPARISONS:
                raise error(f"expected a comparison, found {shown(relation)}", relation,
                            "an indicator reads 1(x > 0) or [x ≥ y]")
            right = self.expr()
        self.spaced.pop()
        self.expect(closing, f"the {opening.text!r} at column {opening.column} is not closed")
        return Indicator(COMPARISONS[relation.text], left, right, relation)

    def inside(self, start: int) -> set[str]:
        """The symbols between the bracket or parenthesis opened just before ``start`` and
        the one that closes it, outside inner ones (a scan ahead: nothing is parsed twice)."""
        depth, seen = 0, set()
        for token in self.tokens[start:]:
            if token.kind != "symbol":
                continue
            if token.text in "([":
                depth += 1
            elif token.text in ")]":
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0:
                seen.add(token.text)
        return seen

    def relation_ahead(self, start: int) -> bool:
        return not self.inside(start).isdisjoint(COMPARISONS)

    def arguments(self, opening: Token) -> list[Node]:
        """``a, b, …)`` after an opening parenthesis."""
        arguments: list[Node] = []
        self.spaced.append(False)
        with self.nested(opening):
            arguments.append(self.expr())
            while self.at(","):
                self.take()
                arguments.append(self.expr())
        self.spaced.pop()
        self.expect(")", f"the '(' at column {opening.column} is not closed")
        return arguments

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
        return Apply(functions, tuple(self.arguments(opening)), derivative, at)

    def bracket(self, opening: Token) -> Bracket | Indicator:
        """``[a, b]``, ``[[a, b], [c, d]]``; MATLAB's ``[2; 3]`` (a column), ``[0.14 0.15]``
        (entries that are numbers may be separated by spaces) and ``[1 2; 3 4]``; or the
        indicator ``[x ≥ y]``."""
        if self.relation_ahead(self.pos):
            return self.indicator(opening, "]")
        rows: list[list[Node]] = [[]]
        spaced = False
        self.spaced.append("," not in self.inside(self.pos))
        with self.nested(opening):
            rows[-1].append(self.expr())
            while self.at(",", ";") or self.peek.kind == "number" or self.entry_follows():
                separator = self.peek
                if separator.kind == "symbol" and separator.text in {",", ";"}:
                    self.take()
                else:
                    spaced = True
                if separator.text == ";":
                    rows.append([])
                rows[-1].append(self.expr())
        self.spaced.pop()
        self.expect("]", f"the '[' at column {opening.column} is not closed")
        if len(rows) == 1:
            return Bracket(tuple(rows[0]), opening, spaced)
        if any(len(row) != len(rows[0]) for row in rows):
            raise error("the rows between ';' have different lengths", opening,
                        "write [1 2; 3 4], every row as long")
        return Bracket(tuple(Bracket(tuple(row), opening) for row in rows), opening)

    def parenthesised(self) -> Node:
        opening = self.expect("(", "")
        if self.peek.text in self.functions and self.tokens[self.pos + 1].text == "∘":
            names = self.composition()
            self.expect(")", "write (F∘G)(2)")
            return self.application(names, "", opening)
        self.spaced.append(False)
        with self.nested(opening):
            node = self.expr()
        self.spaced.pop()
        self.expect(")", f"the '(' at column {opening.column} is not closed")
        return node


class Parser(_Enclosed):
    """Recursive descent over one statement's tokens; precedence as in Python.

    expr    := term (('+' | '-') term)*
    term    := unary (('*' | '·' | '@' | '⊙' | '/') unary | implicit product)*
    unary   := ('-' | '+') unary | power
    power   := postfix (('**' | '^') unary)?          (^T is a transpose)
    postfix := primary 'ᵀ'*
    primary := number | name | function['] '(' expr ')' | '(' expr ')' | ∂name/∂name
             | ∂(expr)/∂name | d/dname '(' expr ')' | max|min '(' args ')'
             | '1(' expr relation expr ')' | '[' expr relation expr ']'
             | '[' expr ((',' | ';' | space) expr)* ']' | ['D' | '∇'] F ['∘' G ...] '(' args ')'

    ``functions`` are the worksheet's own functions (name → number of parameters);
    ``defined`` the names it defines (a worksheet that defines ``e`` or ``d`` keeps them).
    """

    def __init__(self, tokens: list[Token], functions: Mapping[str, int] | None = None,
                 defined: Collection[str] = ()) -> None:
        self.tokens = tokens
        self.functions = functions or {}
        self.defined = defined
        self.pos = 0
        self.depth = 0
        self.spaced: list[bool] = []  # for each [ ] we are inside: entries apart by spaces?

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
        if self.peek.text in COMPARISONS and self.peek.kind == "symbol":
            raise error(f"a comparison {self.peek.text!r} outside an indicator", self.peek,
                        "write 1(x > 0) or [x > 0] for 1 where it holds, else 0")
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
        while self.at("+", *MINUS) and not self.entry_follows():
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

    def entry_follows(self) -> bool:
        """In a bracket written without commas, entries are apart by spaces, as MATLAB
        reads them: ``[h1 h2]``, ``[w1 w3; w2 w4]``, ``[-0.011 -0.012]`` (a sign after a
        space and right before its operand starts an entry); ``[2x]``, ``[f1(1 - f1)]``
        and ``[a - b]`` are one."""
        if not (self.spaced and self.spaced[-1] and self.peek.spaced and self.pos > 0):
            return False
        token, after = self.peek, self.tokens[self.pos + 1]
        if token.kind == "symbol" and token.text in {"+", *MINUS}:
            return not after.spaced and _starts_operand(after)
        return _starts_operand(token)

    def term(self) -> Node:
        node = self.unary()
        while True:
            token = self.peek
            if token.kind == "symbol" and (token.text in PRODUCTS or token.text in DIVIDE):
                self.take()
                op = "/" if token.text in DIVIDE else PRODUCTS[token.text]
                right = self.unary()
                if op == "·" and _written_as_row(right):  # [2; 3] · [0.14 0.15], δ · xᵀ
                    op = "@"
                node = Binary(op, node, right, token)
            elif _starts_operand(token) and token.kind != "number" and not self.entry_follows():
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
                exponent = self.unary()
            if _is_euler(base):  # e^x
                return Call("exp", exponent, base.at)
            return Binary("**", base, exponent, token)
        return base

    def postfix(self) -> Node:
        node = self.primary()
        while self.at(TRANSPOSE):
            node = Unary(TRANSPOSE, node, self.take())
        return node

    def primary(self) -> Node:
        token = self.take()
        if token.kind == "number":
            if token.text == "1" and self.at("(") and self.relation_ahead(self.pos + 1):
                return self.indicator(self.take(), ")")
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
        if token.text == "∂" and self.at("("):  # ∂(½(p − a)²)/∂p
            expression = self.parenthesised()
            self.expect("/", "a derivative reads ∂(formula)/∂x")
            return Differentiated(expression, self.bottom(token), token)
        if token.text == "∂" and self.at("/"):  # ∂/∂x (formula)
            return self.derivative_operator(token)
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

    def bottom(self, token: Token) -> str:
        """The ``∂x`` (or ``dx``) below a derivative's line."""
        mark = self.take()
        if mark.text == "∂":
            mark = self.take()
            if mark.kind == "name":
                return mark.text
        elif mark.kind == "name" and mark.text.startswith("d") and len(mark.text) > 1:
            return mark.text[1:]
        raise error("a derivative needs a name below", token, "write ∂(formula)/∂x")

    def derivative_operator(self, token: Token) -> Differentiated:
        """``d/dx (formula)`` or ``∂/∂x (formula)``."""
        self.expect("/", "write d/dx (formula)")
        bottom = self.bottom(token)
        if not self.at("("):
            raise error("the formula after d/dx goes in parentheses", self.peek,
                        f"write d/d{bottom} (x^2)")
        return Differentiated(self.parenthesised(), bottom, token)

    def named(self, token: Token) -> Node:
        """A name, a built-in function call, or a worksheet function applied."""
        calls = self.at("(")
        text = token.text
        if text.endswith("'") and calls:
            return self.derivative_call(token)
        function = FUNCTIONS.get(text.lower())
        if function and calls:
            return Call(function, self.parenthesised(), token)
        if text.lower() in EXTREMA and calls and text not in self.functions:
            opening = self.take()
            arguments = self.arguments(opening)
            if len(arguments) < 2:
                raise error(f"{text} needs two numbers or more", token, f"write {text}(0, x)")
            return Extremum(text.lower(), tuple(arguments), token)
        if text == EULER and text not in self.defined:
            return Call("exp", Num("1", token), token)  # e alone; e^x is read by power
        if text == "d" and text not in self.defined and self.at("/") \
                and self.tokens[self.pos + 1].kind == "name" \
                and self.tokens[self.pos + 1].text[:1] == "d" \
                and self.tokens[self.pos + 2].text == "(":  # d/dx (x^2)
            return self.derivative_operator(token)
        if calls and token.text in self.functions:
            return self.application((token.text,), "", token)
        if calls and token.text[:1] == "D" and token.text[1:] in self.functions:
            return self.application((token.text[1:],), "D", token)
        if text == "D" and calls and self.composition_follows():
            self.take()
            names = self.composition()
            self.expect(")", "write D(F∘G)(2)")
            return self.application(names, "D", token)
        return Name(token.text, token)

    def derivative_call(self, token: Token) -> Node:
        """``σ'(z)`` (a built-in function's derivative) or ``f'(x)`` (the derivative of a
        function of the worksheet with one parameter)."""
        base = token.text[:-1]
        if base.endswith("'"):
            raise error(f"{token.text}: only first derivatives are read", token,
                        "write the second derivative as a formula")
        if FUNCTIONS.get(base.lower()):
            return Call(FUNCTIONS[base.lower()] + "'", self.parenthesised(), token)
        if self.functions.get(base) == 1:
            return self.application((base,), "D", token)
        if base in self.functions:
            raise error(f"{base} has {self.functions[base]} parameters: {token.text} has no "
                        "single meaning", token, f"write D{base}(…) or ∇{base}(…)")
        return Name(token.text, token)

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


def _starts_operand(token: Token) -> bool:
    return token.kind in {"name", "number"} or (token.kind == "symbol"
                                                  and token.text in {"(", "∂", "[", "∇"})


def _written_as_row(node: Node) -> bool:
    """A row by the way it is written: transposed (``xᵀ``) or MATLAB's ``[0.14 0.15]``;
    ``·`` before it is the matrix product (a column times it, the outer product), while
    ``a · [1, 0, 0]`` stays the dot product of two vectors."""
    return (isinstance(node, Unary) and node.op == TRANSPOSE) or \
        (isinstance(node, Bracket) and node.spaced)


def _is_euler(node: Node) -> bool:
    """The ``e`` that the parser read as Euler's number (exp(1), written ``e``)."""
    return (isinstance(node, Call) and node.function == "exp" and node.at.text == EULER
            and isinstance(node.argument, Num) and node.argument.at is node.at)
