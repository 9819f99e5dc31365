"""How names and numbers are written for each reader: numbers to so many digits, names in
LaTeX math, text escaped for Markdown. The walkthrough, the chart, the reports and the
handouts all write through these, so a label comes out as the same text everywhere.
"""

from __future__ import annotations

import re
import unicodedata


def format_number(x: float, digits: int, exact: bool = False) -> str:
    """``x`` to ``digits`` significant digits: ``0.06``, ``-15.89``, ``1.2e-07``; with
    ``exact``, as many more as it takes to read back as the same float."""
    text = f"{x:.{digits}g}"
    while exact and float(text) != x and digits < 17:
        digits += 1
        text = f"{x:.{digits}g}"
    return "0" if text in {"-0", "0"} else text


_GREEK_CAPITALS = {"Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi",
                   "Psi", "Omega"}
_GREEK_SPELLING = {"lamda": "lambda", "Lamda": "Lambda"}
"""Unicode spells λ "lamda"; LaTeX spells it ``\\lambda``."""
_GREEK_LATIN = {"omicron": "o", "Alpha": "A", "Beta": "B", "Epsilon": "E", "Zeta": "Z",
                "Eta": "H", "Iota": "I", "Kappa": "K", "Mu": "M", "Nu": "N", "Omicron": "O",
                "Rho": "P", "Tau": "T", "Chi": "X"}
"""Greek letters LaTeX has no command for: they look like these Latin letters."""
_ACCENTS = {  # combining mark: (math accent, text accent)
    "\u0300": (r"\grave", r"\`"), "\u0301": (r"\acute", r"\'"), "\u0302": (r"\hat", r"\^"),
    "\u0303": (r"\tilde", r"\~"), "\u0304": (r"\bar", r"\="), "\u0306": (r"\breve", r"\u"),
    "\u0307": (r"\dot", r"\."), "\u0308": (r"\ddot", r"\""), "\u030a": (r"\mathring", r"\r"),
    "\u030c": (r"\check", r"\v"),
}
_TEXT_ESCAPES = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&",
                 "#": r"\#", "%": r"\%", "_": r"\_", "^": r"\textasciicircum{}",
                 "~": r"\textasciitilde{}", "<": r"\textless{}", ">": r"\textgreater{}",
                 "|": r"\textbar{}"}


def latex_name(label: str) -> str:
    r"""A label in math mode: ``w12`` → ``w_{12}``, ``ŷ`` → ``\hat{y}``, ``α1`` →
    ``\alpha_{1}``, ``loss`` → ``\mathrm{loss}``; anything else as upright text, escaped
    (accented letters with LaTeX's accents, other characters pdflatex cannot typeset as
    their code point ``U+4E2D``, control characters and line breaks as spaces).

    >>> latex_name("w12"), latex_name("ŷ"), latex_name("L1.n1.w2"), latex_name("λ")
    ('w_{12}', '\\hat{y}', '\\text{L1.n1.w2}', '\\lambda')
    >>> latex_name("w5⁺"), latex_name("σ'"), latex_name("x1w1")
    ('w_{5}^{+}', "\\sigma'", 'x_{1}w_{1}')
    """
    base = label.rstrip("⁺'")
    if base and base != label:  # an updated weight w5⁺, a derivative w'
        marks = label[len(base):]
        pluses = "+" * marks.count("⁺")
        return latex_name(base) + "'" * marks.count("'") + (f"^{{{pluses}}}" if pluses else "")
    if re.fullmatch(r"(?:[A-Za-z]+\d+){2,}", label):  # x1w1, a product's name: x₁w₁
        return "".join(latex_name(piece) for piece in re.findall(r"[A-Za-z]+\d+", label))
    match = re.fullmatch(r"([^\W\d_]+?)_?(\d*)", unicodedata.normalize("NFC", label))
    letters = _latex_letters(match.group(1)) if match else None
    if letters is None:
        return rf"\text{{{latex_text(label)}}}"
    digits = match.group(2)  # type: ignore[union-attr]
    return f"{letters}_{{{digits}}}" if digits else letters


def _latex_letters(word: str) -> str | None:
    """One letter (Latin or Greek, with at most one accent) as math; an ASCII word
    upright; else None."""
    base, *marks = unicodedata.normalize("NFD", word)
    if marks and not all(unicodedata.combining(m) for m in marks):
        return rf"\mathrm{{{word}}}" if word.isascii() else None
    if len(marks) > 1 or (marks and marks[0] not in _ACCENTS):
        return None
    letter = base if base.isascii() else _greek(base)
    if letter is None:
        return None
    return f"{_ACCENTS[marks[0]][0]}{{{letter}}}" if marks else letter


def latex_text(label: str) -> str:
    r"""Any text for pdflatex, as text and nothing else: the one escaper every string that
    reaches LaTeX goes through (file names, titles, labels).  Every special character is
    escaped (``\ { } $ & # % _ ^ ~ < > |``; so ``^^2f`` cannot spell a character and
    ``\input`` cannot run), accents become commands, Greek letters math, control
    characters and line breaks spaces, and any other character its code point ``U+4E2D``.

    >>> latex_text(r"\input ^^2fetc")
    '\\textbackslash{}input \\textasciicircum{}\\textasciicircum{}2fetc'
    """
    out = []
    for ch in unicodedata.normalize("NFC", label):
        base, *marks = unicodedata.normalize("NFD", ch)
        if unicodedata.category(ch) in ("Cc", "Zl", "Zp"):
            out.append(" ")
        elif ch.isascii():
            out.append(_TEXT_ESCAPES.get(ch, ch))
        elif base.isascii() and len(marks) == 1 and marks[0] in _ACCENTS:
            out.append(f"{_ACCENTS[marks[0]][1]}{{{base}}}")
        elif (greek := _greek(ch)) is not None:
            out.append(f"${greek}$")
        else:
            out.append(f"U+{ord(ch):04X}")
    return "".join(out)


def _greek(ch: str) -> str | None:
    r"""``α`` → ``\alpha``, ``Δ`` → ``\Delta``, ``Α`` → ``A``; None for any other
    character."""
    words = unicodedata.name(ch, "").split()
    if len(words) != 4 or words[0] != "GREEK" or words[2] != "LETTER":
        return None
    name = words[3].lower() if words[1] == "SMALL" else words[3].title()
    name = _GREEK_SPELLING.get(name, name)
    if name in _GREEK_LATIN:
        return _GREEK_LATIN[name]
    return rf"\{name}" if words[1] == "SMALL" or name in _GREEK_CAPITALS else None


def markdown_escape(text: str) -> str:
    """Text that Markdown shows literally, on one line (a label's line break would end a
    list item or a table row): its special characters backslash-escaped."""
    one_line = re.sub(r"[\x00-\x1f\x7f\u2028\u2029]", " ", text)
    return re.sub(r"([\\`*_\[\]<>#|~&])", r"\\\1", one_line)
