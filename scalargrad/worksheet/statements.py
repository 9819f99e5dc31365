"""Pass 1 of reading a worksheet (see `reader`): each line into statements, parsed and
checked (a name defined twice, a statement with no '='), before any value is computed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .evaluation import Function
from .model import Definition
from .parser import Parser
from .prescan import EQUALS, SEPARATORS, number_claim, split
from .syntax import FUNCTIONS, Apply, derivatives_in
from .tokens import Token, WorksheetError, error, tokenize


@dataclass
class _Statement:
    kind: str  # "define", "function", "claim", "derivative", "expression", "loss"
    target: Token
    parts: list[tuple[Token, list[Token]]] = field(default_factory=list)
    top: Token | None = None
    lhs: list[Token] = field(default_factory=list)


class _StatementReader:
    """Pass 1 of `reader._Reader`, which holds the state (``statements``, ``defined_on``,
    ``functions``, ``loss`` ...): a worksheet's lines into `_Statement`s."""

    @staticmethod
    def split_line(line: str, number_: int) -> tuple[list[Token], str, str]:
        """A line's tokens, its code and its comment (nothing for a heading)."""
        if _HEADING.match(line):
            return [Token("end", "", number_, 1)], "", ""
        code, _, comment = line.partition("#")
        return tokenize(code, number_), code, comment

    def read_line(self, tokens: list[Token], code: str, comment: str, number_: int) -> None:
        self.exponents += [t for t in tokens if t.kind == "number"
                           and _EXPONENT_NAME.match(t.text)]
        last: _Statement | None = None
        for sep, piece in split(tokens, SEPARATORS):
            if sep.text == "," and piece and piece[0].kind == "number" \
                    and not any(t.text in EQUALS for t in piece):  # x = 2,5
                raise error("expected '=' in this statement", piece[0], "a comma separates "
                            "statements: write decimals with a point, 2.5 not 2,5")
            if piece:
                last = self.read_statement(piece)
        claimed = comment.strip().lstrip("=≈").strip()
        if last is not None and last.kind not in {"loss", "function"} and claimed:
            column = len(code) + 2 + comment.index(claimed[0])
            try:
                comment_tokens = tokenize(claimed, number_)
            except WorksheetError:
                return  # a comment in words
            written = number_claim(comment_tokens[:-1])
            if written:
                mark = Token("symbol", "#", number_, column)
                number = [Token("number", written.lstrip("-"), number_, column)]
                if written.startswith("-"):
                    number.insert(0, Token("symbol", "-", number_, column))
                last.parts.append((mark, _end(number, mark)))

    def check_exponents(self) -> None:
        """``2e1`` is the number 20; in a worksheet that names ``e1`` that is a trap."""
        for token in self.exponents:
            tail = _EXPONENT_NAME.match(token.text).group(1)  # type: ignore[union-attr]
            if tail in self.defined_on:
                raise error(f"{token.text} reads as the number {float(token.text):g}, but "
                            f"{tail} is a name here", token,
                            f"write {token.text[: -len(tail)]}·{tail} for the product, or "
                            f"the number without an exponent")

    def read_statement(self, tokens: list[Token]) -> _Statement:
        first = tokens[0]
        if first.kind == "name" and first.text.lower() == "loss" and len(tokens) > 1 \
                and tokens[1].text == ":":
            if len(tokens) != 3 or tokens[2].kind != "name":
                raise error("expected 'loss: NAME'", first, "e.g. loss: L")
            self.loss = tokens[2]
            return _Statement("loss", tokens[2])
        pieces = split(tokens, EQUALS)
        if len(pieces) == 1:
            raise error("expected '=' in this statement", first,
                        "write name = formula, e.g. a1 = x12 * w12")
        lhs = pieces[0][1]
        if not lhs:
            raise error("nothing before '='", first, "write name = formula")
        parts = [(sep, _end(body, sep)) for sep, body in pieces[1:]]
        for sep, body in parts:
            if len(body) == 1:
                raise error(f"nothing after {sep.text!r}", sep, "write a formula or a number")
        derivative = _derivative_lhs(lhs)
        function = _function_lhs(lhs)
        if derivative:
            statement = _Statement("derivative", derivative[1], parts, top=derivative[0])
        elif len(lhs) == 1 and lhs[0].kind == "name":
            statement = self.read_assignment(lhs[0], parts)
        elif function and function[0].text not in self.functions \
                and function[0].text[1:] not in self.functions:
            statement = self.read_function(function[0], function[1], parts)
        else:
            statement = _Statement("expression", first, parts, lhs=_end(lhs, first))
            if not isinstance(self.parser(statement.lhs).parse(), Apply):
                raise error("the left of '=' must be a name, a derivative or a function",
                            first, "e.g. a1 = x12 * w12, dL/dw12 = -0.1585, "
                            "F(x, y) = [x^2, 3x] or DF(1, 2) = [[2, 0], [3, 0]]")
        self.statements.append(statement)
        return statement

    def parser(self, tokens: list[Token]) -> Parser:
        return Parser(tokens, {n: len(f.parameters) for n, f in self.functions.items()},
                      self.defined)

    def read_function(self, name: Token, parameters: list[Token],
                      parts: list[tuple[Token, list[Token]]]) -> _Statement:
        """``F(x, y) = formula``: the function; the rest of the chain, an identity in
        its parameters."""
        self.check_new_name(name)
        texts = [p.text for p in parameters]
        if len(set(texts)) != len(texts):
            raise error("a parameter is named twice", name, "write F(x, y)")
        body = self.parser(parts[0][1]).parse()
        for atom in derivatives_in(body):
            raise error("a derivative cannot be part of a formula", atom.at,
                        "define the function by a formula in its parameters")
        self.function_uses.append((body, set(texts)))
        self.functions[name.text] = Function(name.text, tuple(texts), body, name.line)
        lhs = [name, Token("symbol", "(", name.line, name.column)]
        for i, p in enumerate(parameters):
            lhs += [p] if i == 0 else [Token("symbol", ",", p.line, p.column), p]
        lhs.append(Token("symbol", ")", name.line, name.column))
        return _Statement("function", name, parts[1:], lhs=_end(lhs, name))

    def check_new_name(self, target: Token) -> None:
        name = target.text
        if name.lower() in FUNCTIONS:
            raise error(f"{name!r} is a function, not a name to assign", target,
                        "choose another name")
        earlier = self.defined_on.get(name) or self.functions.get(name)
        if earlier:
            raise error(f"{name} is already defined on line {earlier.line}", target,
                        f"a name is defined once; to claim its value again write "
                        f"'{name} ≈ NUMBER'")

    def read_assignment(self, target: Token, parts: list[tuple[Token, list[Token]]]) \
            -> _Statement:
        if parts[0][0].text == "≈" and (target.text not in self.given
                                        or target.text in self.defined_on):
            return _Statement("claim", target, parts)
        self.check_new_name(target)
        if parts[0][0].text == "≈":  # a given known to the digits shown
            self.rounded[target.text] = number_claim(parts[0][1][:-1])  # type: ignore[assignment]
        formula = self.parser(parts[0][1]).parse()
        self.defined_on[target.text] = Definition(target.text, formula, target.line,
                                                  target.column)
        return _Statement("define", target, parts[1:])


def _end(tokens: list[Token], after: Token) -> list[Token]:
    """``tokens`` with an end token, placed just after the last one."""
    last = tokens[-1] if tokens else after
    return [*tokens, Token("end", "", last.line, last.column + len(last.text))]


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


def _function_lhs(tokens: list[Token]) -> tuple[Token, list[Token]] | None:
    """(name, parameters) for ``F(x, y)``, else None."""
    if len(tokens) < 4 or tokens[0].kind != "name" or tokens[1].text != "(" \
            or tokens[-1].text != ")":
        return None
    inner = tokens[2:-1]
    parameters = inner[::2]
    commas = inner[1::2]
    if any(t.kind != "name" for t in parameters) or any(t.text != "," for t in commas) \
            or len(inner) % 2 == 0:
        return None
    return tokens[0], parameters


_HEADING = re.compile(r"\s*(Forward|Backward) pass\b[^=]*$")
"""The walkthrough's headings (``Forward pass``, ``Backward pass (∂L/∂node, chain rule)``),
read as headings so that its text is a worksheet."""
_EXPONENT_NAME = re.compile(r"[0-9.]+([eE][0-9]+)$")
