"""The eager engine's rules for numbers, on every sample of a batch.

The eager engine raises at the first op of a sample that is undefined (log of 0, division
by zero), that is given a NaN or ±inf, or whose result is too large for a float; and a loss
raises when a number it is given breaks its rule (a hinge label that is not ±1). A batch
runs step by step, each step for every sample, so the first failure met is not always the
eager loop's: `Program.run` looks at every step (`in_step`) and every loss check
(`in_check`), keeps the failure that comes first as the eager loop meets them (the lowest
sample, then the lowest node in the trace's order) and raises `error` for it, naming the
sample and the node, with the engine's own message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from ..engine import Value
from ..errors import ScalarGradError, _call_text, _not_finite

if TYPE_CHECKING:
    from .operands import Run
    from .program import Program, Step
    from .trace import Check

Array = np.ndarray


class Failure(NamedTuple):
    """Where a sample first fails: ``(sample, order)`` sorts failures as the eager loop
    meets them. At a node of ``step`` (column ``column``): the op's own ``kind`` of error
    and ``reason``, or (``kind`` None) a NaN or ±inf operand or result; or a loss's
    ``check`` that ``value`` breaks."""

    sample: int
    order: float
    step: Step | None = None
    column: int = 0
    check: Check | None = None
    value: float = 0.0
    kind: type[ScalarGradError] | None = None
    reason: str = ""


def in_step(step: Step, run: Run, out: Array, suspect: bool) -> Failure | None:
    """The first failing sample of a step, at its first failing node, or None.

    ``suspect``: an input or a parameter is NaN or ±inf, so every step's operands are
    looked at; otherwise a non-finite operand can only come from an earlier step, which
    failed first.
    """
    conditions = step.undefined(run, out)
    bad_out = ~np.isfinite(out)
    if not (suspect or bad_out.any() or any(m.any() for m, _, _ in conditions)):
        return None
    shape = (max(out.shape[0], run.batch if suspect else 1), out.shape[1])
    bad_in = np.broadcast_to(step.operands_bad(run), shape)
    masks = [np.broadcast_to(m, shape) for m, _, _ in conditions]
    mask = bad_in | np.broadcast_to(bad_out, shape)
    for m in masks:
        mask = mask | m
    if not mask.any():
        return None
    row = int(np.argmax(mask.any(axis=1)))
    columns = np.nonzero(mask[row])[0]
    col = int(columns[np.argmin(step.order[columns])])
    order = float(step.order[col])
    if step.undefined_first or not bad_in[row, col]:  # the op's own reason, if it has one
        for m, (_, kind, reason) in zip(masks, conditions):
            if m[row, col]:
                return Failure(row, order, step, col, kind=kind, reason=reason)
    return Failure(row, order, step, col)


def in_check(check: Check, values: Array) -> Failure | None:
    """The first sample whose number breaks a loss's check (``values``: one column)."""
    bad = ~check.rule.holds(values[:, 0])
    if not bad.any():
        return None
    row = int(np.argmax(bad))
    return Failure(row, check.order, check=check, value=float(values[row, 0]))


def error(program: Program, run: Run, failure: Failure) -> Exception:
    """The error the eager engine raises for this sample, naming the sample and the node."""
    where = f"sample {failure.sample}: "
    if failure.check is not None:
        label = program.nodes[failure.check.node].label
        node = f" (at node {label})" if label else ""
        return ValueError(where + failure.check.rule.message(failure.value,
                                                             failure.check.position) + node)
    step = failure.step
    assert step is not None
    k = int(step.order[failure.column])
    node = program.nodes[k]
    op = f"**{node.exponent:g}" if node.op == "**" else node.op
    operands = [Value(program.value_of(run, c, failure.sample), program.nodes[c].label)
                for c in node.children]
    call = _call_text(op, operands)
    name = f"{step.name}[{failure.column}]"
    if step.labels[failure.column]:
        name += f" ({step.labels[failure.column]})"
    if failure.kind is not None:
        return failure.kind(f"{where}{call} at node {name}: {failure.reason}")
    err: ScalarGradError = _not_finite(op, operands)
    return type(err)(f"{where}{call} at node {name}{str(err)[len(call):]}")
