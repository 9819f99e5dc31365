"""Tokens: one line of a worksheet split into numbers, names and symbols."""

from __future__ import annotations

import math
import re
import unicodedata
from decimal import Decimal
from typing import NamedTuple

from ..engine import ScalarGradError

MAX_BYTES = 200_000
"""Largest worksheet file accepted."""
MAX_NUMBER_CHARS = 60
"""Longest number literal accepted."""
MAX_EXPONENT = 400
"""Largest power of ten a number may be written with (``1e-400`` is not a float)."""
MAX_DEPTH = 100
"""Deepest nesting of operations accepted in one formula (parentheses, brackets, signs,
powers and chains such as a * b * c all nest)."""

SYMBOLS = ("**", "+", "-", "−", "*", "·", "×", "/", "÷", "^", "(", ")", "[", "]", "=",
           "≈", ";", ",", ":", "∂", "@", "⊙", "ᵀ", "∘", "∇", "?", ">=", "<=", ">", "<", "≥",
           "≤")
_COMMON = re.compile(r"""
    (?P<space>[ \t]+)
  | (?P<name>[A-Za-z_]\w*(?:\.(?!T\b)[A-Za-z_]\w*)*)(?![\w.])
  | (?P<number>(?:[0-9]+(?:\.(?!T)[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?)
  | (?P<symbol>\*\*|>=|<=|[-+−*·×/÷^()\[\]=≈;,:∂@⊙∘∇<>])
""", re.VERBOSE | re.ASCII)
"""The common tokens, matched in one step; anything else (Unicode names, superscripts,
``.T``, the unexpected) is read character by character below."""
_SAME_SYMBOL = {"⋅": "·", "∙": "·", "{": "(", "}": ")", "⩾": "≥", "⩽": "≤"}
"""Other signs people type or paste for the product dot (LaTeX's ``\\cdot`` gives ⋅), and
LaTeX's braces, read as parentheses (``e^{-net}``)."""
COMPARISONS = {">": ">", "<": "<", ">=": "≥", "<=": "≤", "≥": "≥", "≤": "≤"}
"""The relations of an indicator, ``1(x > 0)`` or ``[x ≥ y]``, and the sign each means."""
MARKS = {"⁺": "⁺", "'": "'", "′": "'"}
"""Marks that end a name: the updated weight ``w5⁺``, the derivative ``σ'`` or ``f′``."""
_HALF = "½"
"""Read as ``(1/2)``, exactly: ``½(prediction − actual)²``."""
_OPERATOR_CHARS = frozenset(s for s in SYMBOLS if len(s) == 1) | frozenset(_SAME_SYMBOL)
"""Never part of a name, though Python's identifiers allow some (the middle dot ·)."""
TRANSPOSE = "ᵀ"
"""``ᵀ``, also written ``.T`` (``^T`` is read by the parser)."""
_SUPERSCRIPTS = {"⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5", "⁶": "6",
                 "⁷": "7", "⁸": "8", "⁹": "9"}
_SUPERSCRIPT_MINUS = "⁻"
_INVISIBLE = {"\ufeff", "\u200b"}  # a byte-order mark (Windows editors), zero-width space


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

    def placed(self, line: int, column: int) -> WorksheetError:
        """The same error at ``line:column`` if it has no place yet."""
        if not self.line:
            self.line, self.column = line, column
            self.args = (self._text(),)
        return self

    def located(self, source: str) -> WorksheetError:
        """The same error, naming the file it came from."""
        self.source = source
        self.args = (self._text(),)
        return self


class Token(NamedTuple):
    kind: str  # "number", "name", "symbol", "end"
    text: str
    line: int
    column: int  # 1-based
    spaced: bool = False  # a space before it (MATLAB's [h1 h2] are two entries)


def error(message: str, token: Token, hint: str = "") -> WorksheetError:
    """A `WorksheetError` at ``token``."""
    return WorksheetError(message, token.line, token.column, hint)


def lines(text: str) -> list[str]:
    """The lines of a text as an editor numbers them: split at line feeds (``\\r\\n`` and
    a lone ``\\r`` too) only, so a form feed or U+2028 inside a line does not shift the
    line numbers (they are read as spaces)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _superscript(ch: str) -> bool:
    return unicodedata.decomposition(ch).startswith(("<super>", "<circle>"))


def _is_name_start(ch: str) -> bool:
    if ch.isascii():
        return ch.isalpha() or ch == "_"
    return (not _superscript(ch) and ch not in _OPERATOR_CHARS
            and unicodedata.normalize("NFKC", ch).isidentifier())


def _is_name_part(ch: str) -> bool:
    if ch.isascii():
        return ch.isalnum() or ch == "_"
    return (not _superscript(ch) and ch not in _OPERATOR_CHARS
            and unicodedata.normalize("NFKC", "a" + ch).isidentifier())


def _dotted(text: str, j: int) -> bool:
    """A dot inside a name, as in ``L1.n1.w1`` (the names of a network's parameters);
    ``x.T`` is a transpose."""
    return (text[j] == "." and _is_name_start(text[j + 1: j + 2] or " ")
            and not (text[j + 1] == "T" and not _is_name_part(text[j + 2: j + 3] or " ")))


def _digit(ch: str) -> bool:
    return "0" <= ch <= "9"


def tokenize(text: str, line: int = 1) -> list[Token]:
    """Split one line (without its comment) into tokens; the last one has kind ``end``.

    Names are Unicode identifiers, normalised (NFKC, so ``x₁₂`` is ``x12``); numbers are
    decimal in ASCII digits (``0.03``, ``.5``, ``1e-3``); superscript digits are powers
    (``e²`` is ``e ^ 2``) and ``ᵀ`` or ``.T`` a transpose.
    """
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        common = _COMMON.match(text, i)  # spaces, ASCII names, numbers, symbols: fast
        if common and (common.lastgroup != "name" or text[common.end(): common.end() + 1]
                       .isascii()):
            if common.lastgroup == "number":
                tokens.append(_number(common.group(), line, i + 1))
            elif common.lastgroup == "name":
                name, j = _subscript(text, common.group(), common.end())
                k = _marks_end(text, j)
                tokens.append(Token("name", name + _marks(text[j:k]), line, i + 1))
                i = k
                continue
            elif common.lastgroup != "space":
                tokens.append(Token(common.lastgroup, common.group(), line, i + 1))
            i = common.end()
        elif ch == _HALF:
            tokens += [Token("symbol", "(", line, i + 1), Token("number", "1", line, i + 1),
                       Token("symbol", "/", line, i + 1), Token("number", "2", line, i + 1),
                       Token("symbol", ")", line, i + 1)]
            i += 1
        elif ch == "." and not _digit(text[i + 1: i + 2]) and not text.startswith(".T", i):
            tokens.append(Token("symbol", "·", line, i + 1))  # [2; 3] . [0.14 0.15]
            i += 1
        elif ch.isspace() or ch in _INVISIBLE:
            i += 1
        elif _digit(ch) or (ch == "." and _digit(text[i + 1: i + 2])):
            j = _number_end(text, i)
            tokens.append(_number(text[i:j], line, i + 1))
            i = j
        elif text.startswith(".T", i) and not _is_name_part(text[i + 2: i + 3] or " "):
            tokens.append(Token("symbol", TRANSPOSE, line, i + 1))
            i += 2
        elif ch in _SUPERSCRIPTS or ch == _SUPERSCRIPT_MINUS:
            j = i + (ch == _SUPERSCRIPT_MINUS)
            while j < len(text) and text[j] in _SUPERSCRIPTS:
                j += 1
            if j == i + 1 and ch == _SUPERSCRIPT_MINUS:
                raise WorksheetError("a superscript minus needs digits after it", line, i + 1,
                                     "write x⁻¹ or x^-1")
            tokens.append(Token("symbol", "^", line, i + 1))
            if ch == _SUPERSCRIPT_MINUS:
                tokens.append(Token("symbol", "-", line, i + 1))
                i += 1
            tokens.append(Token("number", "".join(_SUPERSCRIPTS[c] for c in text[i:j]),
                                line, i + 1))
            i = j
        elif _is_name_start(ch):
            j = i + 1
            while j < len(text) and (_is_name_part(text[j]) or _dotted(text, j)):
                j += 1
            name = unicodedata.normalize("NFC", unicodedata.normalize("NFKC", text[i:j]))
            name, j = _subscript(text, name, j)
            k = _marks_end(text, j)
            tokens.append(Token("name", name + _marks(text[j:k]), line, i + 1))
            i = k
        else:
            symbol = _SAME_SYMBOL.get(ch) or next(
                (s for s in SYMBOLS if text.startswith(s, i)), None)
            if symbol is None:
                raise WorksheetError(f"unexpected character {ch!r}", line, i + 1,
                                     "formulas use numbers in digits 0-9, names, "
                                     "+ - * / ^ ( ) [ ] and sigmoid exp log tanh relu abs")
            tokens.append(Token("symbol", symbol, line, i + 1))
            i += len(symbol)
    tokens.append(Token("end", "", line, len(text) + 1))
    return _spaced(tokens, text)


def _spaced(tokens: list[Token], text: str) -> list[Token]:
    """The tokens, each marked if a space comes just before it."""
    marked, column = [], 0
    for token in tokens:
        before = text[token.column - 2: token.column - 1]
        if token.column != column and before and (before.isspace() or before in _INVISIBLE):
            token = token._replace(spaced=True)
        marked.append(token)
        column = token.column
    return marked


def _marks_end(text: str, j: int) -> int:
    """Index just after the marks (``⁺``, primes) that end the name ending at ``j``."""
    while j < len(text) and text[j] in MARKS:
        j += 1
    return j


_BRACED = re.compile(r"\{(\w+)\}")


def _subscript(text: str, name: str, j: int) -> tuple[str, int]:
    """LaTeX's ``out_{h1}`` is the name ``out_h1``: (the name, the index after it)."""
    braced = _BRACED.match(text, j) if name.endswith("_") else None
    if braced is None:
        return name, j
    return name + unicodedata.normalize("NFKC", braced.group(1)), braced.end()


def _marks(text: str) -> str:
    """The marks as a name keeps them: ``⁺`` and ``'`` (``′`` is ``'``)."""
    return "".join(MARKS[c] for c in text)


def _number(text: str, line: int, column: int) -> Token:
    """A number token, refused if it is too long or not a finite float."""
    if len(text) > MAX_NUMBER_CHARS:
        raise WorksheetError("number too long", line, column,
                             f"at most {MAX_NUMBER_CHARS} characters")
    if "e" not in text and "E" not in text:  # 60 digits at most: a finite float
        return Token("number", text, line, column)
    if not math.isfinite(float(text)):
        raise WorksheetError(f"number {text} is too large", line, column,
                             "floats stop near 1.8e308")
    if abs(Decimal(text).as_tuple().exponent) > MAX_EXPONENT:  # type: ignore[arg-type]
        raise WorksheetError(f"number {text} has too many decimal places", line, column,
                             f"write at most {MAX_EXPONENT} decimals")
    return Token("number", text, line, column)


def _number_end(text: str, i: int) -> int:
    """Index just after the decimal literal that starts at ``i``."""
    j = i
    while j < len(text) and _digit(text[j]):
        j += 1
    if j < len(text) and text[j] == "." and text[j + 1: j + 2] != "T":
        j += 1
        while j < len(text) and _digit(text[j]):
            j += 1
    if j < len(text) and text[j] in "eE":
        k = j + 1
        if k < len(text) and text[k] in "+-":
            k += 1
        if k < len(text) and _digit(text[k]):
            j = k
            while j < len(text) and _digit(text[j]):
                j += 1
    return j
