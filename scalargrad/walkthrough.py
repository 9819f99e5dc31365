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

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar, overload

from .calculus import partials
from .engine import Value
from .graph import is_number, pretty_label, reading_order, unique_names
from .typeset import format_number, latex_name, markdown_escape
from .wording import plural

NOTEBOOK_STEPS = 100
"""A notebook shows a walkthrough of at most twice this many steps whole; a longer one
shows this many of each pass, and says how to get the rest."""


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
                f"{plural(len(self.of_kind('backward')), 'backward step')}>")

    def _repr_markdown_(self) -> str:
        """How a notebook shows a walkthrough: the Markdown below, or for a long one its
        first `NOTEBOOK_STEPS` steps of each pass and how to get the whole text (a big
        network's walkthrough runs to megabytes)."""
        if len(self) <= 2 * NOTEBOOK_STEPS:
            return self.markdown()
        left = len(self) - 2 * NOTEBOOK_STEPS
        return (self.markdown(NOTEBOOK_STEPS)
                + f"\n*… {plural(left, 'more step')} ({len(self):,} in all) not shown here: "
                f"`print(walk)` or `walk.markdown()` gives the whole text, "
                f"`walk.save(\"steps.md\")` writes it to a file.*\n")

    def markdown(self, per_pass: int | None = None) -> str:
        """Markdown: a bold heading and a numbered list per pass (its first ``per_pass``
        steps when given)."""
        blocks = []
        for kind, heading in self._headings().items():
            items = [f"{i}. {markdown_escape(s.text)}"
                     for i, s in enumerate(self.of_kind(kind)[:per_pass], start=1)]
            blocks.append("\n".join([f"**{markdown_escape(heading)}**", "", *items]))
        return "\n\n".join(blocks) + "\n"

    def save(self, path: str | Path) -> Path:
        """Write the whole walkthrough to ``path``: Markdown for ``.md``, LaTeX for
        ``.tex``, else text."""
        path = Path(path)
        form = {".md": self.markdown, ".tex": self.latex}.get(path.suffix, self.text)
        path.write_text(form(), encoding="utf-8")
        return path

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


def steps(root: Value, digits: int = 4, *, pretty: bool = False) -> Walkthrough:
    """The worked solution of the graph below ``root``: forward lines in topological
    order, then backward lines in reverse order; numbers to ``digits`` significant digits.
    ``pretty``: the text lines name nodes as the chart shows them (w₁₂ for ``w12``, see
    `scalargrad.graph.pretty_label`) instead of as typed (which a worksheet can read back).

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
    names = unique_names(order)
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
        return self.number(node.data, exact=True) if is_number(node) else self.name(node)

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
