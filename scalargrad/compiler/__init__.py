"""Compile a scalar graph once, replay it on a whole batch: ``sg.compile``.

Write the loss of **one sample** with the ordinary engine, then compile it against the data::

    net = sg.nn.MLP(2, [16, 16, 1])

    def sample_loss(x, y):                      # x: 2 Values, y: one Value (a label ±1)
        return sg.losses.hinge([net(x)], [y])

    step = sg.compile(sample_loss, X, Y)        # X: n × 2 numbers, Y: n labels
    loss = step(X, Y)                           # the batch: mean of the n losses

``step(X, Y)`` returns what the eager loop returns and adds to every parameter's ``.grad``
what its ``loss.backward()`` would, for the batch loss

    L = (1/n) Σᵢ sample_loss(xᵢ, yᵢ) + penalty()      (reduction="mean"; "sum" drops 1/n)

equal to the eager engine's numbers to rounding (1e-12 relative). ``penalty`` is an
optional function of no arguments, built from parameters only (an L2 term), added once.

How it works: `trace` runs the function on a few samples (every number of a sample given
as a `Value`) and checks that they all build the same graph; `plan` groups the graph's
nodes into array operations (a layer is one matrix product); `Program.run` replays them on
the whole batch, forward and backward; `explain` prints the program in vector notation.

Where the parameters live: ``step(X, Y)`` reads every parameter's ``.data`` and adds to its
``.grad`` on each call (the Values are the truth, as in the eager loop). For training,
``step.training(optimiser)`` keeps the parameters, their gradients and the optimiser's
state in arrays, takes the optimiser's step there, and writes them back to the Values
when asked (``write_back()``, or at the end of a ``with`` block): with 100,000 parameters
copying every one between Values and arrays on each step would cost more than the step.
"""

from __future__ import annotations

import gc
import inspect
from collections.abc import Callable, Sequence
from typing import Any, Literal

try:
    import numpy as np
except ModuleNotFoundError:  # one line that names the extra, not a traceback from numpy
    from ..extras import require

    require("numpy", extra="compile", needed_by="sg.compile")
    raise

from ..engine import Value
from ..optim import SGD, Adam, Optimizer
from ..wording import plural
from .explain import Explanation, explain
from .program import Program, plan
from .trace import CompileError, compare, fresh_leaves_to_constants, trace

__all__ = ["CompileError", "CompiledLoss", "Training", "compile"]


def compile(loss: Callable[..., Value | tuple[Value, Any]], *examples: Sequence[Any],
            penalty: Callable[[], Value] | None = None,
            reduction: Literal["mean", "sum"] = "mean", traces: int = 3) -> CompiledLoss:
    """Compile ``loss``, the loss of one sample, for batches shaped like ``examples``.

    ``examples`` are the batch's columns, one per argument of ``loss`` (``X, Y``): sample
    i is ``loss(X[i], Y[i])``, each argument a number or a flat list of numbers, given to
    ``loss`` as Values. ``loss`` may also return ``(loss, outputs)`` (a Value or a list of
    Values, such as the network's scores); the compiled function then returns the batch's
    outputs too, one row per sample. Up to ``traces`` samples (the first, the last, the
    middle one; at least two) are traced: if they build different graphs, `CompileError`
    says why.
    """
    if reduction not in ("mean", "sum"):
        raise ValueError(f"reduction must be 'mean' or 'sum', got {reduction!r}")
    collecting = gc.isenabled()
    gc.disable()  # tracing makes a few objects per node: the collector would rescan them all
    try:
        return _compile(loss, examples, penalty, reduction, traces)
    finally:
        if collecting:
            gc.enable()


def _compile(loss: Callable[..., Any], examples: Sequence[Any],
             penalty: Callable[[], Value] | None, reduction: str, traces: int) -> CompiledLoss:
    names = _argument_names(loss, len(examples))
    columns = _columns(examples, names)
    size = len(columns[0]) if columns else 1
    picks = list(dict.fromkeys([0, size - 1, size // 2]))[:max(traces, 2)]
    samples = picks if len(picks) > 1 else [0, 0]  # one sample: traced twice all the same
    traced = [trace(loss, [col[i] for col in columns], names) for i in samples]
    fresh_leaves_to_constants(traced)
    for i, other in zip(samples[1:], traced[1:]):
        compare(traced[0], other, samples[0], i)
    program = plan(traced[0])
    penalty_program = None
    if penalty is not None:
        penalty_trace = trace(penalty, [], [])
        if penalty_trace.shapes or any(n.op == "input" for n in penalty_trace.nodes):
            raise CompileError("penalty() must be built from parameters only")
        penalty_program = plan(penalty_trace, prefix="r.")
    compiled = CompiledLoss(program, penalty_program, reduction, names)
    compiled._check_against_trace(columns, samples, traced)
    return compiled


def _argument_names(fn: Callable[..., Any], count: int) -> list[str]:
    """The names of ``fn``'s first ``count`` parameters (x, y), for messages and explain."""
    try:
        params = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        params = []
    names = [p.name for p in params
             if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)][:count]
    return names + [f"arg{i}" for i in range(len(names), count)]


def _columns(batch: Sequence[Any], names: list[str]) -> list[Any]:
    """The batch's columns, each indexable by sample, all of the same length."""
    columns = [list(col) if not isinstance(col, np.ndarray) else col for col in batch]
    lengths = {len(col) for col in columns}
    if len(lengths) > 1:
        sizes = ", ".join(f"{n}: {len(c)}" for n, c in zip(names, columns))
        raise ValueError(f"the batch's columns have different lengths ({sizes})")
    if lengths == {0}:
        raise ValueError("the batch is empty")
    return columns


class CompiledLoss:
    """A compiled per-sample loss: call it on a batch (see `compile`)."""

    def __init__(self, program: Program, penalty: Program | None, reduction: str,
                 names: list[str]) -> None:
        self.program = program
        self.penalty = penalty
        self.reduction = reduction
        self.names = names
        self.returns_outputs = program.outputs is not None
        known = {id(p) for p in program.params}
        extra = [p for p in (penalty.params if penalty else []) if id(p) not in known]
        self.params: list[Value] = [*program.params, *extra]
        """Every parameter the loss uses, in the order of the arrays (``theta``)."""
        position = {id(p): i for i, p in enumerate(self.params)}
        self._penalty_index = (np.array([position[id(p)] for p in penalty.params],
                                        dtype=np.intp) if penalty else None)

    def __call__(self, *batch: Sequence[Any]) -> float | tuple[float, np.ndarray]:
        """The batch loss; adds the batch gradient to every parameter's ``.grad``."""
        theta = np.fromiter((p.data for p in self.params), float, len(self.params))
        grad = np.zeros_like(theta)
        result = self.run(theta, grad, *batch)
        for p, g in zip(self.params, grad.tolist()):
            p.grad += g
        return result

    def run(self, theta: np.ndarray, grad: np.ndarray | None,
            *batch: Sequence[Any]) -> float | tuple[float, np.ndarray]:
        """The batch loss at parameters ``theta``; adds its gradient to ``grad`` if given."""
        inputs = self._inputs(batch)
        n = len(inputs[0]) if inputs else 1
        weight = 1.0 / n if self.reduction == "mean" else 1.0
        own = theta[: len(self.program.params)]
        own_grad = None if grad is None else grad[: len(self.program.params)]
        losses, outputs = self.program.run(own, inputs, weight=weight, grad=own_grad)
        total = float(losses.sum())
        if self.reduction == "mean":
            total /= n
        if self.penalty is not None:
            index = self._penalty_index
            extra_grad = None if grad is None else np.zeros(len(index))  # type: ignore[arg-type]
            (value,), _ = self.penalty.run(theta[index], [], grad=extra_grad)
            total += float(value)
            if grad is not None:
                grad[index] += extra_grad  # type: ignore[index]  (each parameter once)
        return (total, outputs) if self.returns_outputs else total  # type: ignore[return-value]

    def _inputs(self, batch: Sequence[Any]) -> list[np.ndarray]:
        """Each column as a float array (batch × its length), checked against the trace."""
        if len(batch) != len(self.names):
            raise TypeError(f"the compiled loss takes {plural(len(self.names), 'column')} "
                            f"({', '.join(self.names)}), got {len(batch)}")
        arrays = []
        for col, name, size in zip(batch, self.names, self.program.input_sizes):
            arr = np.asarray(col, dtype=float)
            if arr.ndim == 1:
                arr = arr[:, None]
            if arr.ndim != 2 or arr.shape[1] != size:
                raise ValueError(f"column {name!r}: each sample must have {size} number(s), "
                                 f"as when compiled; got an array of shape {np.shape(col)}")
            arrays.append(arr)
        if len({len(a) for a in arrays}) > 1:
            raise ValueError("the batch's columns have different lengths")
        return arrays

    def _check_against_trace(self, columns: list[Any], samples: list[int],
                             traced: list[Any]) -> None:
        """The planned program must give the traced losses: a guard against planner bugs."""
        theta = np.fromiter((p.data for p in self.params), float, len(self.params))
        inputs = self._inputs([[col[i] for i in samples] for col in columns])
        losses, _ = self.program.run(theta[: len(self.program.params)], inputs)
        for got, t in zip(losses, traced):
            want = t.nodes[t.loss].value
            if not np.isclose(got, want, rtol=1e-9, atol=1e-12) and not got == want:
                raise CompileError(f"internal error: the compiled program gives {got!r} where "
                                   f"the engine gave {want!r}; please report it")

    def training(self, optimiser: Optimizer) -> Training:
        """Train on arrays: see `Training`."""
        return Training(self, optimiser)

    def explanation(self) -> Explanation:
        """The program in vector notation, forward and backward, with shapes."""
        return explain(self.program, self.penalty, self.reduction)

    def explain(self) -> None:
        """Print the program in vector notation, forward and backward, with shapes."""
        print(self.explanation())


class Training:
    """Training steps on arrays: the parameters live in ``theta`` until `write_back`.

    Each call is one step of the eager loop ``optimiser.zero_grad(); loss.backward();
    optimiser.step()`` on the batch, with the optimiser's update (SGD with momentum, or
    Adam) done on arrays; ``optimiser.lr`` is read at every step, so a schedule that sets
    it keeps working. ``write_back()`` copies the parameters, the last step's gradients
    and the optimiser's state back into the Values and the optimiser; a ``with`` block
    does it at its end.
    """

    def __init__(self, compiled: CompiledLoss, optimiser: Optimizer) -> None:
        if not isinstance(optimiser, (SGD, Adam)):
            raise TypeError(f"training on arrays knows sg.optim.SGD and sg.optim.Adam, "
                            f"not {type(optimiser).__name__}")
        self.compiled = compiled
        self.optimiser = optimiser
        params = compiled.params
        position = {id(p): i for i, p in enumerate(params)}
        missing = [p for p in optimiser.params if id(p) not in position]
        if missing:
            raise ValueError(f"{len(missing)} of the optimiser's parameters (such as "
                             f"{missing[0]!r}) are not used by the compiled loss")
        self._order = np.array([position[id(p)] for p in optimiser.params], dtype=np.intp)
        self.theta = np.array([p.data for p in params])
        self.grad = np.zeros_like(self.theta)
        self._frozen = np.ones(len(params), dtype=bool)
        self._frozen[self._order] = False
        self._has_frozen = bool(self._frozen.any())
        names = ("velocity",) if isinstance(optimiser, SGD) else ("m", "v")
        self._state = {name: self._to_theta(getattr(optimiser, name)) for name in names}

    def _to_theta(self, values: list[float]) -> np.ndarray:
        out = np.zeros_like(self.theta)
        out[self._order] = values
        return out

    def __call__(self, *batch: Sequence[Any]) -> float | tuple[float, np.ndarray]:
        """One training step on the batch; returns the batch loss (before the step)."""
        self.grad[:] = 0.0
        result = self.compiled.run(self.theta, self.grad, *batch)
        with np.errstate(all="ignore"):  # gradients are IEEE floats, as in sg.optim
            self._update()
        return result

    def evaluate(self, *batch: Sequence[Any]) -> float | tuple[float, np.ndarray]:
        """The batch loss (and outputs) at the current parameters, with no step."""
        return self.compiled.run(self.theta, None, *batch)

    def _update(self) -> None:
        """The optimiser's step on arrays, operation for operation as in `sg.optim`."""
        opt, g = self.optimiser, self.grad
        if self._has_frozen:  # parameters the optimiser does not move keep their gradient
            g = np.where(self._frozen, 0.0, g)
        if isinstance(opt, SGD):
            v = self._state["velocity"]
            v *= opt.momentum
            v += g
            self.theta -= opt.lr * v
            return
        assert isinstance(opt, Adam)
        opt.t += 1
        m, v = self._state["m"], self._state["v"]
        m[:] = opt.beta1 * m + (1 - opt.beta1) * g
        v[:] = opt.beta2 * v + (1 - opt.beta2) * g * g
        m_hat = m / (1 - opt.beta1**opt.t)
        v_hat = v / (1 - opt.beta2**opt.t)
        self.theta -= opt.lr * m_hat / (np.sqrt(v_hat) + opt.eps)

    def write_back(self) -> None:
        """Copy parameters, gradients and optimiser state back into Values and optimiser."""
        for p, data, g in zip(self.compiled.params, self.theta.tolist(), self.grad.tolist()):
            p.data = data
            p.grad = g
        for name, values in self._state.items():
            setattr(self.optimiser, name, values[self._order].tolist())

    def __enter__(self) -> Training:
        return self

    def __exit__(self, *exc: object) -> None:
        self.write_back()
