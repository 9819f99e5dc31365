"""The worked solution of a graph, in the order a person writes it by hand.

Forward, one line per node in topological order, with the formula in the nodes' names,
the numbers substituted, and the result::

    a1 = x2 · w12 = 2 · 0.03 = 0.06

Backward, one line per node in reverse order, with the chain rule written out and summed
over every node that uses this one (its *parents* p)::

    ∂L/∂d1 = ∂L/∂e1 · ∂e1/∂d1 = -0.07927 · 1 = -0.07927        ∂L/∂n = Σₚ ∂L/∂p · ∂p/∂n

The local derivatives ∂p/∂n are the ones the engine recorded at forward time
(``p.local_grads``); the gradients are recomputed here, so ``steps`` reads a graph
without touching its ``.grad``. Unlabelled intermediate nodes get the names t1, t2, …
(skipping any label already in the graph); unlabelled constants appear as numbers.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import ClassVar, overload

from .engine import Value
from .labels import pretty_label


@dataclass(frozen=True)
class Step:
    """One line of the walkthrough: the ``node`` it is about, ``kind`` ("forward" or
    "backward"), and the line as plain text and as LaTeX (without the ``&`` of align)."""

    node: Value
    kind: str
    text: str
    latex: str

    def __str__(self) -> str:
        return self.text


class Walkthrough(Sequence[Step]):
    """The steps of a worked solution; a sequence of `Step`, forward ones first.
    ``names`` maps each node to the name its lines use (t1, t2, … if unlabelled)."""

    def __init__(self, steps: list[Step], root_name: str,
                 names: dict[Value, str] | None = None) -> None:
        self._steps = steps
        self.root_name = root_name
        self.names = names or {}

    @overload
    def __getitem__(self, index: int) -> Step: ...
    @overload
    def __getitem__(self, index: slice) -> list[Step]: ...
    def __getitem__(self, index: int | slice) -> Step | list[Step]:
        return self._steps[index]

    def __len__(self) -> int:
        return len(self._steps)

    def __iter__(self) -> Iterator[Step]:
        return iter(self._steps)

    def of_kind(self, kind: str) -> list[Step]:
        """The forward or the backward steps."""
        return [s for s in self._steps if s.kind == kind]

    def _headings(self) -> dict[str, str]:
        return {
            "forward": "Forward pass",
            "backward": f"Backward pass (∂{self.root_name}/∂node, chain rule)",
        }

    def text(self) -> str:
        """Plain Unicode text, one step a line, under a heading per pass."""
        blocks = []
        for kind, heading in self._headings().items():
            lines = [f"  {s.text}" for s in self.of_kind(kind)]
            blocks.append("\n".join([heading, *lines]))
        return "\n\n".join(blocks) + "\n"

    __str__ = text

    def __repr__(self) -> str:
        """One line: what it works out and how many steps each pass has."""
        return (f"<Walkthrough of {self.root_name}: {len(self.of_kind('forward'))} forward, "
                f"{len(self.of_kind('backward'))} backward steps>")

    def _repr_markdown_(self) -> str:
        """How a notebook shows a walkthrough: the Markdown below."""
        return self.markdown()

    def markdown(self) -> str:
        """Markdown: a bold heading and a numbered list per pass."""
        blocks = []
        for kind, heading in self._headings().items():
            items = [f"{i}. {markdown_escape(s.text)}"
                     for i, s in enumerate(self.of_kind(kind), start=1)]
            blocks.append("\n".join([f"**{markdown_escape(heading)}**", "", *items]))
        return "\n\n".join(blocks) + "\n"

    def latex(self) -> str:
        r"""An ``align*`` environment (needs ``\usepackage{amsmath}``), aligned at the
        first ``=`` of each line; ``\intertext`` separates the two passes."""
        lines = [r"\begin{align*}"]
        titles = {"forward": r"\intertext{Forward pass}",
                  "backward": r"\intertext{Backward pass (chain rule)}"}
        for kind, title in titles.items():
            steps = self.of_kind(kind)
            lines.append(title)
            lines += [s.latex.replace(" = ", " &= ", 1) + r" \\" for s in steps]
        if lines[-1].endswith(r" \\"):
            lines[-1] = lines[-1][:-3]
        lines.append(r"\end{align*}")
        return "\n".join(lines) + "\n"


def partials(root: Value) -> dict[Value, float]:
    """∂root/∂node for every node below ``root``, from the recorded local derivatives
    (``root`` itself gets 1); ``.grad`` is neither read nor written."""
    grads: dict[Value, float] = {root: 1.0}
    for node in reversed(reading_order(root)):
        g = grads.get(node, 0.0)
        for child, local in zip(node.children, node.local_grads):
            grads[child] = grads.get(child, 0.0) + g * local
    return grads


def steps(root: Value, digits: int = 4, *, pretty: bool = False) -> Walkthrough:
    """The worked solution of the graph below ``root``: forward lines in topological
    order, then backward lines in reverse order; numbers to ``digits`` significant digits.
    ``pretty``: the text lines name nodes as the chart shows them (w₁₂ for ``w12``, see
    `scalargrad.labels.pretty_label`) instead of as typed (which a worksheet can read back).

    >>> from scalargrad import Value
    >>> x = Value(2.0, label="x"); w = Value(0.03, label="w")
    >>> a = x * w; a.label = "a"
    >>> print(steps(a).text())
    Forward pass
      x = 2
      w = 0.03
      a = x · w = 2 · 0.03 = 0.06
    <BLANKLINE>
    Backward pass (∂a/∂node, chain rule)
      ∂a/∂a = 1
      ∂a/∂x = ∂a/∂a · ∂a/∂x = 1 · 0.03 = 0.03
      ∂a/∂w = ∂a/∂a · ∂a/∂w = 1 · 2 = 2
    <BLANKLINE>
    """
    if not isinstance(root, Value):
        raise TypeError(f"steps() needs a Value, got {type(root).__name__}")
    if not (isinstance(digits, int) and 1 <= digits <= 17):
        raise ValueError(f"digits must be an integer from 1 to 17, got {digits!r}")
    order = reading_order(root)
    names = _names(order)
    grads = partials(root)
    parents = _parents(order)
    shown = {node: pretty_label(name) for node, name in names.items()} if pretty else names
    writers = (_TextWriter(shown, digits), _LatexWriter(names, digits))
    leaves = [n for n in order if not n.op]
    computed = [n for n in order if n.op]
    lines = [Step(n, "forward", *(w.forward(n) for w in writers)) for n in leaves + computed]
    lines += [Step(n, "backward", *(w.backward(n, root, parents[n], grads) for w in writers))
              for n in _backward_order(root, parents)]
    return Walkthrough(lines, names[root], names)


def node_names(root: Value) -> dict[Value, str]:
    """The name of every node below ``root`` as the walkthrough writes it: its label, or
    t1, t2, … in reading order for an unlabelled node (unlabelled constants are numbers
    and have no name). The chart and the animation use the same names."""
    return _names(reading_order(root))


def reading_order(root: Value) -> list[Value]:
    """A topological order that reads left to right: each node after its children, the
    children visited in order (``a + b``: a's subgraph, then b's); numbers left out."""
    order: list[Value] = []
    seen: set[Value] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))
            stack += [(c, False) for c in reversed(node.children) if c not in seen]
    return [n for n in order if not _is_number(n)]


def _backward_order(root: Value, parents: dict[Value, list[tuple[Value, float]]]) \
        -> list[Value]:
    """A reverse topological order that follows one path down before the next (h1, f1, e1,
    … w12 before h2): a node comes as soon as every node that uses it has come."""
    waiting = {n: len(p) for n, p in parents.items()}
    order: list[Value] = []
    ready = [root]
    while ready:
        node = ready.pop()
        order.append(node)
        for child in reversed(dict.fromkeys(node.children)):
            if child in waiting:
                waiting[child] -= 1
                if waiting[child] == 0:
                    ready.append(child)
    return order


def _is_number(node: Value) -> bool:
    """An unlabelled constant leaf: shown as its number, not as a line of its own."""
    return node.constant and not node.label


def _names(order: list[Value]) -> dict[Value, str]:
    """Labels, and t1, t2, … for unlabelled nodes (never clashing with a label).

    Every node gets a name of its own: when several nodes share a label (a network applied
    to two examples labels both inputs ``x1``), the first in reading order keeps it and the
    others are ``x1_2``, ``x1_3``, … (skipping names already taken)."""
    taken = {n.label for n in order if n.label}
    names: dict[Value, str] = {}
    uses: dict[str, int] = {}
    counter = 0
    for node in order:
        if node.label:
            uses[node.label] = uses.get(node.label, 0) + 1
            name = node.label
            while uses[node.label] > 1 and (name := f"{node.label}_{uses[node.label]}") in taken:
                uses[node.label] += 1
            taken.add(name)
            names[node] = name
            continue
        counter += 1
        while f"t{counter}" in taken:
            counter += 1
        names[node] = f"t{counter}"
    return names


def _parents(order: list[Value]) -> dict[Value, list[tuple[Value, float]]]:
    """For each node, the nodes that use it and ∂parent/∂node (summed over repeated use,
    as in x · x), in reading order."""
    parents: dict[Value, dict[Value, float]] = {n: {} for n in order}
    for node in order:
        for child, local in zip(node.children, node.local_grads):
            if child in parents:
                parents[child][node] = parents[child].get(node, 0.0) + local
    return {n: list(p.items()) for n, p in parents.items()}


# ---------------------------------------------------------------------------------------
# Writing a line: the same structure in plain text and in LaTeX
# ---------------------------------------------------------------------------------------


def format_number(x: float, digits: int, exact: bool = False) -> str:
    """``x`` to ``digits`` significant digits: ``0.06``, ``-15.89``, ``1.2e-07``; with
    ``exact``, as many more as it takes to read back as the same float."""
    text = f"{x:.{digits}g}"
    while exact and float(text) != x and digits < 17:
        digits += 1
        text = f"{x:.{digits}g}"
    return "0" if text in {"-0", "0"} else text


class _Writer:
    """Turns nodes into forward and backward lines; subclasses choose the notation."""

    times = " · "
    symbols: ClassVar[dict[str, str]] = {}

    def __init__(self, names: dict[Value, str], digits: int) -> None:
        self.names = names
        self.digits = digits

    # notation, overridden by the LaTeX writer
    def name(self, node: Value) -> str:
        return self.names[node]

    def number(self, x: float, exact: bool = False) -> str:
        return format_number(x, self.digits, exact)

    def partial(self, top: str, bottom: str) -> str:
        return f"∂{top}/∂{bottom}"

    def call(self, op: str, arg: str) -> str:
        return f"{self.symbols.get(op, op)}({arg})"

    def power(self, base: str, exponent: str) -> str:
        return f"{base}^{exponent}"

    def divide(self, a: str, b: str) -> str:
        return f"{a} / {_wrap(b)}"

    # the lines
    def forward(self, node: Value) -> str:
        result = self.number(node.data)
        if not node.op:  # an input is written in full, so that the text is a worksheet
            return f"{self.name(node)} = {self.number(node.data, exact=True)}"
        formula = self.formula(node, self.operand_name)
        numbers = self.formula(node, lambda c: self.number(c.data))
        return _chain(self.name(node), formula, numbers, result)

    def backward(self, node: Value, root: Value, parents: list[tuple[Value, float]],
                 grads: dict[Value, float]) -> str:
        top = self.name(root)
        lhs = self.partial(top, self.name(node))
        if node is root:
            return f"{lhs} = 1"
        rule = " + ".join(f"{self.partial(top, self.name(p))}{self.times}"
                          f"{self.partial(self.name(p), self.name(node))}" for p, _ in parents)
        numbers = " + ".join(f"{_wrap(self.number(grads[p]), first=i == 0)}{self.times}"
                             f"{_wrap(self.number(local))}"
                             for i, (p, local) in enumerate(parents))
        return _chain(lhs, rule, numbers, self.number(grads.get(node, 0.0)))

    def operand_name(self, node: Value) -> str:
        return self.number(node.data, exact=True) if _is_number(node) else self.name(node)

    def formula(self, node: Value, show: Callable[[Value], str]) -> str:
        """The node's operation applied to its children, each shown by ``show``."""
        args = [show(c) for c in node.children]
        op = node.op
        if op in {"+", "sum"}:
            return " + ".join(_wrap(a, first=i == 0) for i, a in enumerate(args))
        if op == "-":
            return f"{args[0]} - {_wrap(args[1])}"
        if op == "*":
            return f"{args[0]}{self.times}{_wrap(args[1])}"
        if op == "/":
            return self.divide(args[0], args[1])
        if op == "neg":
            return f"-{_wrap(args[0])}"
        if op == "pow":
            return self.power(_wrap(args[0]), args[1])
        if op.startswith("**"):
            return self.power(_wrap(args[0]), op[2:])
        if op == "dot":
            return self.dot(node, show)
        return self.call(op, ", ".join(args))

    def dot(self, node: Value, show: Callable[[Value], str]) -> str:
        """Σ wᵢ·xᵢ + b: `scalargrad.dot` records its children as pairs w₁, x₁, w₂, x₂, …
        followed by the bias if there is one (an odd number of children)."""
        kids = node.children
        terms = [f"{_wrap(show(w), first=i == 0)}{self.times}{_wrap(show(x))}"
                 for i, (w, x) in enumerate(zip(kids[0:-1:2], kids[1::2]))]
        if len(kids) % 2:
            terms.append(_wrap(show(kids[-1]), first=not terms))
        return " + ".join(terms)


class _TextWriter(_Writer):
    symbols: ClassVar[dict[str, str]] = {"sigmoid": "σ"}


class _LatexWriter(_Writer):
    times = r" \cdot "
    symbols: ClassVar[dict[str, str]] = {
        "sigmoid": r"\sigma", "exp": r"\exp", "log": r"\log", "tanh": r"\tanh",
        "relu": r"\operatorname{relu}",
    }

    def name(self, node: Value) -> str:
        return latex_name(self.names[node])

    def number(self, x: float, exact: bool = False) -> str:
        text = format_number(x, self.digits, exact)
        mantissa, e, exponent = text.partition("e")
        return rf"{mantissa} \times 10^{{{int(exponent)}}}" if e else text

    def partial(self, top: str, bottom: str) -> str:
        return rf"\frac{{\partial {top}}}{{\partial {bottom}}}"

    def call(self, op: str, arg: str) -> str:
        if op == "abs":
            return rf"\lvert {arg} \rvert"
        symbol = self.symbols.get(op) or rf"\operatorname{{{op}}}"
        return f"{symbol}({arg})"

    def power(self, base: str, exponent: str) -> str:
        return f"{{{base}}}^{{{exponent}}}"

    def divide(self, a: str, b: str) -> str:
        return rf"\frac{{{a}}}{{{b}}}"


def _chain(lhs: str, *parts: str) -> str:
    """``lhs = p1 = p2 …``, leaving out a part equal to the one before it."""
    shown = [lhs]
    for part in parts:
        if part != shown[-1]:
            shown.append(part)
    return " = ".join(shown)


def _wrap(text: str, first: bool = False) -> str:
    """Parenthesise a negative operand (``2 · (-0.5)``) unless it comes first."""
    return f"({text})" if text.startswith("-") and not first else text


# ---------------------------------------------------------------------------------------
# Names in LaTeX and Markdown
# ---------------------------------------------------------------------------------------

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
    """
    match = re.fullmatch(r"([^\W\d_]+?)_?(\d*)", unicodedata.normalize("NFC", label))
    letters = _latex_letters(match.group(1)) if match else None
    if letters is None:
        return rf"\text{{{_latex_text(label)}}}"
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


def _latex_text(label: str) -> str:
    """``label`` for ``\text{…}`` in pdflatex: specials escaped, accents as commands."""
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
