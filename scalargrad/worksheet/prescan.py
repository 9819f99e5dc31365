"""The whole text at a glance, before any line is read: statements split at ';' and ',',
the labels that look like calls (``net(h1)``), the names the worksheet defines (so that it
keeps ``e`` or ``d`` if it defines them) and the givens known to the digits shown."""

from __future__ import annotations

from .model import BLANK
from .syntax import EXTREMA, FUNCTIONS, MINUS
from .tokens import Token

EQUALS = {"=", "≈"}
SEPARATORS = {";", ","}


def split(tokens: list[Token], separators: set[str]) -> list[tuple[Token, list[Token]]]:
    """Split at separators outside brackets: [(separator or first token, tokens)]."""
    pieces: list[tuple[Token, list[Token]]] = [(tokens[0], [])]
    depth = 0
    for token in tokens:
        if token.kind == "symbol" and token.text in "()[]":
            depth += 1 if token.text in "([" else -1
        if token.kind == "symbol" and token.text in separators and depth <= 0:
            pieces.append((token, []))
        elif token.kind != "end":
            pieces[-1][1].append(token)
    return pieces


def number_claim(tokens: list[Token]) -> str | None:
    """``"-15.88"`` if the tokens are just a (signed) number literal, ``"?"`` for a blank
    left to fill in (an exercise's worksheet), else None."""
    texts = [t.text for t in tokens]
    if len(tokens) == 1 and (tokens[0].kind == "number" or texts[0] == BLANK):
        return texts[0]
    if len(tokens) == 2 and tokens[1].kind == "number" and texts[0] in {"+", *MINUS}:
        return ("-" if texts[0] in MINUS else "") + texts[1]
    return None


def statements(tokens: list[Token]) -> list[list[Token]]:
    """A line's statements (split at ';' and ',' outside brackets), without end tokens."""
    return [piece for _, piece in split(tokens, SEPARATORS) if piece]


def label_like(statement: list[Token]) -> tuple[str, str] | None:
    """(F, a) for a statement ``F(a) = …`` (one name in the parentheses), else None."""
    if len(statement) > 4 and statement[0].kind == statement[2].kind == "name" \
            and [t.text for t in (statement[1], statement[3], statement[4])] == ["(", ")", "="] \
            and statement[0].text.lower() not in {*FUNCTIONS, *EXTREMA}:
        return statement[0].text, statement[2].text
    return None


def labels(pieces: list[list[Token]]) -> set[tuple[str, str]]:
    """The ``F(a) = …`` whose formula does not use ``a`` (other than in other such
    labels): ``net(h1) = w1·i1 + w2·i2 + b1``, ``output(h1) = σ(net(h1))`` name a value,
    as the posts that write them mean; ``f(x) = 3x^2`` defines a function."""
    candidates = {}
    for statement in pieces:
        lhs = label_like(statement)
        if lhs is not None:
            body = list(split(statement, EQUALS)[1][1])
            candidates[lhs] = body
    labels = set(candidates)
    changed = True
    while changed:
        changed = False
        for (name, parameter), body in candidates.items():
            if (name, parameter) in labels and uses(body, parameter, labels):
                labels.discard((name, parameter))
                changed = True
    return labels


def uses(body: list[Token], parameter: str, labels: set[tuple[str, str]]) -> bool:
    """Does ``parameter`` appear in ``body`` other than inside a label ``G(parameter)``?"""
    for k, token in enumerate(body):
        if token.kind == "name" and token.text == parameter:
            inside = 2 <= k < len(body) - 1 and body[k - 1].text == "(" \
                and body[k + 1].text == ")" and (body[k - 2].text, parameter) in labels
            if not inside:
                return True
    return False


def folded(tokens: list[Token], labels: set[tuple[str, str]]) -> list[Token]:
    """Each label ``net ( h1 )`` as one name token ``net(h1)``."""
    folded: list[Token] = []
    k = 0
    while k < len(tokens):
        window = tokens[k: k + 4]
        if len(window) == 4 and window[1].text == "(" and window[3].text == ")" \
                and (window[0].text, window[2].text) in labels:
            folded.append(Token("name", f"{window[0].text}({window[2].text})",
                                window[0].line, window[0].column))
            k += 4
        else:
            folded.append(tokens[k])
            k += 1
    return folded


def defined_names(pieces: list[list[Token]]) -> set[str]:
    """Every name on the left of an '=' (or a rounded given's '≈')."""
    return {s[0].text for s in pieces
            if len(s) > 1 and s[0].kind == "name" and s[1].text in EQUALS}


def rounded_givens(pieces: list[list[Token]], defined: set[str]) -> set[str]:
    """The names given as rounded numbers, ``w1 ≈ 0.2355``: written with '≈' and a number
    and never defined with '='."""
    equal = {s[0].text for s in pieces if len(s) > 1 and s[1].text == "="}
    return {s[0].text for s in pieces
            if len(s) > 2 and s[0].kind == "name" and s[1].text == "≈"
            and s[0].text not in equal and number_claim(s[2:]) not in (None, BLANK)} \
        & defined
