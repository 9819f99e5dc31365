"""The compiled program in the notes' vector notation, forward and backward, with shapes.

For an MLP this is what the notes derive by hand::

    z1 = W1 · x + b1            δ2 = ...
    h1 = relu(z1)               δ1 = (W2ᵀ δ2) ⊙ relu′(z1)
    z2 = W2 · h1 + b2           ∂L/∂W1 = δ1 xᵀ

Each line is one array operation of the compiled program (one per step, for the whole
batch at once). A gradient that reaches a step from a single place is written into the
next line instead of getting a line of its own, as the notes do.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .operands import Const, Mixed, Operand, ParamPick, ParamSlice, VarPick, VarSlice
from .program import CrossEntropy, Dot, Elementwise, MatMul, Program, Step, Sum

FUNCTIONS = {"sigmoid": "σ", "relu": "relu", "tanh": "tanh", "exp": "exp", "log": "log",
             "abs": "abs"}


@dataclass
class Line:
    """``name = formula``, with the per-sample shape of the result."""

    name: str
    formula: str
    shape: str
    note: str = ""


@dataclass
class Explanation:
    """The program as text: `forward` and `backward` lines (print it, or read the lines)."""

    forward: list[Line] = field(default_factory=list)
    backward: list[Line] = field(default_factory=list)
    reduction: str = "mean"
    penalty: bool = False

    def line(self, name: str) -> Line:
        """The line that defines ``name`` (``'z1'``, ``'δ1'``, ``'∂L/∂W1'``)."""
        for line in self.forward + self.backward:
            if line.name == name:
                return line
        raise KeyError(f"no line defines {name!r}")

    def __str__(self) -> str:
        width = min(48, max(len(f"{ln.name} = {ln.formula}")  # longer lines run over
                            for ln in self.forward + self.backward))
        total = "mean over the batch" if self.reduction == "mean" else "sum over the batch"
        out = [f"Forward, one sample (the batch runs each line once, a row per sample); "
               f"the batch loss is the {total} of L" + (" plus the penalty" if self.penalty
                                                         else "") + ":"]
        out += [_render(ln, width) for ln in self.forward]
        out.append("Backward (each ∂L/∂parameter is summed over the batch"
                   + (", then divided by its size):" if self.reduction == "mean" else "):"))
        out += [_render(ln, width) for ln in self.backward]
        return "\n".join(out)

    __repr__ = __str__


def _render(line: Line, width: int) -> str:
    text = f"{line.name} = {line.formula}" if line.formula else line.name
    note = f"   {line.note}" if line.note else ""
    return f"  {text:<{width}}   {line.shape:>7}{note}"


def explain(program: Program, penalty: Program | None, reduction: str) -> Explanation:
    """The `Explanation` of a program and its penalty."""
    out = Explanation(reduction=reduction, penalty=penalty is not None)
    for prog in (program, penalty):
        if prog is not None:
            _Writer(prog, out).write()
    return out


class _Writer:
    """Writes one program's lines: names every array, then walks the steps both ways."""

    def __init__(self, program: Program, out: Explanation) -> None:
        self.program = program
        self.out = out
        self.names = {i: name for i, name in enumerate(program.input_names)}
        self.sizes = dict(enumerate(program.input_sizes))
        for step in program.steps:
            self.names[step.group] = step.name
            self.sizes[step.group] = step.size
        self.blocks = {(b.start, b.stop): name for name, b in program.blocks.items()}
        self.n_params = len(program.params)

    def write(self) -> None:
        if not self.program.input_names:  # the penalty: parameters only
            self.out.forward.append(Line("penalty (once per batch):", "", ""))
            self.out.backward.append(Line("penalty:", "", ""))
        self.first_line = len(self.out.backward)
        for name, size in zip(self.program.input_names, self.program.input_sizes):
            self.out.forward.append(Line(name, "", str(size), "(input)"))
        for step in self.program.steps:
            note = ""
            if isinstance(step, MatMul):
                note = f"{self.param_block(step.weights)}: {step.size}×{step.n_in}"
            self.out.forward.append(Line(step.name, self.formula(step), str(step.size), note))
        self.backward()

    # -- forward ---------------------------------------------------------------------------
    def formula(self, step: Step) -> str:
        ops = [self.operand(o) for o in step.operands]
        if isinstance(step, MatMul):
            w, b = self.param_block(step.weights), step.bias
            bias = f" + {self.param_block(b)}" if b is not None else ""
            return f"{w} · {ops[0]}{bias}"
        if isinstance(step, CrossEntropy):
            return f"log Σⱼ exp({ops[0]}ⱼ) − {ops[0]}[{ops[1]}]   (cross-entropy)"
        if isinstance(step, Sum):
            return f"Σ {ops[0]}" if step.size == 1 else f"sums of runs of {ops[0]}"
        if isinstance(step, Dot):
            bias = f" + {ops[2]}" if len(ops) == 3 else ""
            return f"Σ {ops[0]} ⊙ {ops[1]}{bias}"
        op = step.op
        if op == "**":
            return f"{_paren(ops[0])}^{step.exponent:g}"
        if len(ops) == 1:
            return f"−{_paren(ops[0])}" if op == "neg" else f"{FUNCTIONS[op]}({ops[0]})"
        symbol = {"+": "+", "-": "−", "/": "/", "pow": "^"}.get(op)
        if symbol is None:  # *: a number times a vector, or elementwise
            scalar = any(isinstance(o, Const) and _constant(o) is not None for o in step.operands)
            symbol = "·" if scalar else "⊙"
        return f"{_paren(ops[0])} {symbol} {_paren(ops[1])}"

    def operand(self, o: Operand) -> str:
        if isinstance(o, VarSlice):
            name = self.names[o.group]
            whole = o.start == 0 and o.stop == self.sizes[o.group]
            return name if whole else f"{name}[{o.start}:{o.stop}]"
        if isinstance(o, VarPick):
            return f"{self.names[o.group]}[{_few(o.index.tolist())}]"
        if isinstance(o, ParamSlice) and (o.start, o.stop) in self.blocks:
            return self.blocks[(o.start, o.stop)]
        if isinstance(o, (ParamSlice, ParamPick)) and o.size <= 3:
            index = range(o.start, o.stop) if isinstance(o, ParamSlice) else o.index.tolist()
            labels = [self.program.params[i].label for i in index]
            if all(labels):
                return labels[0] if len(labels) == 1 else f"({', '.join(labels)})"
        if isinstance(o, ParamSlice):
            return "θ" if (o.start, o.stop) == (0, self.n_params) else f"θ[{o.start}:{o.stop}]"
        if isinstance(o, ParamPick):
            return "θ" if sorted(o.index.tolist()) == list(range(self.n_params)) else \
                f"θ[{_few(o.index.tolist())}]"
        if isinstance(o, Const):
            value = _constant(o)
            return f"{value:g}" if value is not None else f"({_few(o.values[0].tolist())})"
        assert isinstance(o, Mixed)
        return "[" + "; ".join(self.operand(p) for p, _ in o.parts) + "]"

    def param_block(self, block: slice) -> str:
        return self.blocks.get((block.start, block.stop), f"θ[{block.start}:{block.stop}]")

    # -- backward --------------------------------------------------------------------------
    def backward(self) -> None:
        """Gradients from the loss down: a δ (or ∂L/∂v) per step, ∂L/∂θ per parameter use."""
        self.incoming: dict[int, list[str]] = {}
        loss_group = self.program.loss.describe_group()
        if loss_group is not None:
            self.incoming[loss_group] = ["1"]
        for step in reversed(self.program.steps):
            parts = self.incoming.get(step.group)
            if parts and step.needs_grad:
                g = self.gradient_name(step, parts, step.group == loss_group)
                for operand, text in self.contributions(step, g):
                    self.send(step, operand, text)

    def send(self, step: Step, operand: Operand, text: str) -> None:
        """Record the gradient ``text`` that ``operand`` receives from ``step``."""
        if isinstance(operand, (ParamSlice, ParamPick)):
            name = f"∂L/∂{self.operand(operand)}"
            same = [ln for ln in self.out.backward[self.first_line:] if ln.name == name]
            if same:  # a second use of the same parameters: the gradients add up
                same[0].formula += f" + {text}"
            else:
                self.out.backward.append(Line(name, text, self.param_shape(step, operand)))
        elif isinstance(operand, (VarSlice, VarPick)) and operand.needs_grad:
            self.incoming.setdefault(operand.group, []).append(text)
        elif isinstance(operand, Mixed):
            for part, _ in operand.parts:
                self.send(step, part, f"({text}) at {self.operand(part)}")

    def gradient_name(self, step: Step, parts: list[str], is_loss: bool) -> str:
        """The name of ∂L/∂(this step), with a line for it, or the expression itself when
        it has a single source and is not a layer's δ."""
        total = " + ".join(parts)
        if isinstance(step, MatMul):
            name = step.name.replace("z", "δ", 1)
            self.out.backward.append(Line(name, total, str(step.size)))
            return name
        if is_loss or len(parts) == 1:
            return parts[0]
        name = f"∂L/∂{step.name}"
        self.out.backward.append(Line(name, total, str(step.size)))
        return name

    def contributions(self, step: Step, g: str) -> list[tuple[Operand, str]]:
        """(operand, the gradient it receives from this step) for each operand."""
        ops = [self.operand(o) for o in step.operands]
        if isinstance(step, MatMul):
            x = ops[0]
            w = self.param_block(step.weights)
            lines = [(ParamSlice(step.weights.start, step.weights.stop), f"{g} {x}ᵀ")]
            if step.bias is not None:
                lines.append((ParamSlice(step.bias.start, step.bias.stop), g))
            return [*lines, (step.operands[0], f"{w}ᵀ {g}")]
        if isinstance(step, CrossEntropy):
            grad = f"softmax({ops[0]}) − onehot({ops[1]})"
            return [(step.operands[0], grad if g == "1" else f"{_paren(g)} ⊙ ({grad})")]
        if isinstance(step, Sum):
            return [(step.operands[0], g)]
        if isinstance(step, Dot):
            found = [(step.operands[0], _times(g, ops[1])), (step.operands[1], _times(g, ops[0]))]
            return found + ([(step.operands[2], g)] if len(ops) == 3 else [])
        return list(zip(step.operands, [_times(g, d) for d in _local_text(step, ops)]))

    def param_shape(self, step: Step, operand: Operand) -> str:
        if isinstance(step, MatMul) and isinstance(operand, ParamSlice) and \
                operand.start == step.weights.start:
            return f"{step.size}×{step.n_in}"
        return str(operand.size)


def _local_text(step: Step, ops: list[str]) -> list[str]:
    """∂out/∂operand of an elementwise step, as text."""
    assert isinstance(step, Elementwise)
    op, out = step.op, step.name
    if op == "**":
        n = step.exponent
        power = "" if n == 2 else f"^{n - 1:g}"
        return [f"{n:g}·{_paren(ops[0])}{power}"]
    unary = {"neg": "−1", "exp": out, "log": f"1/{_paren(ops[0])}", "abs": f"sign({ops[0]})",
             "relu": f"relu′({ops[0]})", "sigmoid": f"σ′({ops[0]})",
             "tanh": f"(1 − {out}²)"}
    if op in unary:
        return [unary[op]]
    a, b = (_paren(x) for x in ops)
    return {"+": ["1", "1"], "-": ["1", "−1"], "*": [b, a],
            "/": [f"1/{b}", f"−{a}/{b}²"], "pow": [f"{b}·{a}^({b} − 1)", f"{out}·ln {a}"]}[op]


def _times(g: str, local: str) -> str:
    """g ⊙ local, dropping factors of 1 (and · for a number times a vector)."""
    if local == "1":
        return g
    if g == "1":
        return local
    if local == "−1":
        return f"−{_paren(g)}"
    return f"{_paren(g)} {'·' if _is_number(g) or _is_number(local) else '⊙'} {local}"


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _paren(text: str) -> str:
    return f"({text})" if " " in text and not text.startswith("(") else text


def _constant(o: Const) -> float | None:
    values = set(o.values[0].tolist())
    return values.pop() if len(values) == 1 else None


def _few(items: list) -> str:
    shown = ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in items[:4])
    return shown + (", …" if len(items) > 4 else "")
