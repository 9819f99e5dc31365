"""Operands: how a step reads its inputs and sends gradients back.

A step's operand is a list of node references (`Ref`), one per column: a column of an
earlier step's array (``var``), a parameter (an index into ``theta``) or a constant.
`make_operand` turns the list into the cheapest reader: a slice (a view, no copy) when the
columns are contiguous in one array, an index otherwise, and a mix of those when they come
from several places. ``add`` is the reverse: it adds a gradient into the right columns of
the source's gradient (summed over the batch for a parameter, which every sample shares).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import numpy as np

Array = np.ndarray


@dataclass(frozen=True)
class Ref:
    """Where a node's value is: ``var`` (step or input ``a``, column ``b``), ``param``
    (theta[a]) or ``const`` (``value``)."""

    kind: str
    a: int = 0
    b: int = 0
    value: float = 0.0


@dataclass
class Run:
    """The state of one run of a program on a batch."""

    theta: Array
    grad: Array | None
    batch: int
    vals: list = field(default_factory=list)  # per step (inputs first): (batch or 1, k)
    adj: list = field(default_factory=list)  # ∂L/∂vals, the same shapes, None until reached
    saved: dict = field(default_factory=dict)  # what a step's backward needs from forward


class Operand(ABC):
    """Reads ``size`` columns for a step, and sends their gradients back."""

    size: int
    needs_grad: bool = False

    @abstractmethod
    def get(self, run: Run) -> Array:
        """The ``size`` columns this operand reads (batch or 1 rows)."""

    @abstractmethod
    def add(self, run: Run, g: Array) -> None:
        """Add ``g`` (batch or 1 rows, ``size`` columns) to the sources' gradients."""

    def describe_group(self) -> int | None:
        """The step (or input) this operand reads whole or in part, if only one."""
        return None

    def groups(self) -> set[int]:
        """Every step (or input) this operand reads from."""
        group = self.describe_group()
        return set() if group is None else {group}


class VarSlice(Operand):
    """Columns a:b of one step's (or input's) array: a view."""

    def __init__(self, group: int, start: int, stop: int, needs_grad: bool) -> None:
        self.group, self.start, self.stop = group, start, stop
        self.size = stop - start
        self.needs_grad = needs_grad

    def get(self, run: Run) -> Array:
        vals = run.vals[self.group]
        return vals if self.start == 0 and self.stop == vals.shape[1] else vals[:,
                                                                             self.start:self.stop]

    def add(self, run: Run, g: Array) -> None:
        adj = _gradient_array(run, self.group, g)
        if adj is None:  # the first gradient to arrive covers the whole array: keep a copy
            run.adj[self.group] = np.array(g, dtype=float)
        else:
            adj[:, self.start:self.stop] += g

    def describe_group(self) -> int | None:
        return self.group


class VarPick(Operand):
    """Any columns of one step's array, by index (duplicates allowed)."""

    def __init__(self, group: int, index: list[int], needs_grad: bool) -> None:
        self.group = group
        self.index = np.array(index, dtype=np.intp)
        self.duplicates = len(set(index)) < len(index)
        self.size = len(index)
        self.needs_grad = needs_grad

    def get(self, run: Run) -> Array:
        return run.vals[self.group][:, self.index]

    def add(self, run: Run, g: Array) -> None:
        adj = _gradient_array(run, self.group, g, whole=False)
        if self.duplicates:
            np.add.at(adj, (slice(None), self.index), np.broadcast_to(g, (adj.shape[0],
                                                                          self.size)))
        else:
            adj[:, self.index] += g

    def describe_group(self) -> int | None:
        return self.group


def _gradient_array(run: Run, group: int, g: Array, whole: bool = True) -> Array | None:
    """The gradient array of ``group``, made (zeros) or widened to ``g``'s rows if needed.

    Returns None when it does not exist yet, ``whole`` is set and ``g`` has its shape (the
    caller then stores a copy of ``g``, saving the zeros).
    """
    adj = run.adj[group]
    width = run.vals[group].shape[1]
    rows = max(run.vals[group].shape[0], g.shape[0])
    if adj is None:
        if whole and g.shape == (rows, width):
            return None
        adj = run.adj[group] = np.zeros((rows, width))
    elif adj.shape[0] < rows:
        adj = run.adj[group] = np.repeat(adj, rows, axis=0)
    return adj


class ParamSlice(Operand):
    """theta[a:b]: parameters shared by every sample (one row, broadcast)."""

    needs_grad = True

    def __init__(self, start: int, stop: int) -> None:
        self.start, self.stop = start, stop
        self.size = stop - start

    def get(self, run: Run) -> Array:
        return run.theta[None, self.start:self.stop]

    def add(self, run: Run, g: Array) -> None:
        run.grad[self.start:self.stop] += g.sum(axis=0)  # type: ignore[index]


class ParamPick(Operand):
    """theta[index] for any parameters (duplicates allowed)."""

    needs_grad = True

    def __init__(self, index: list[int]) -> None:
        self.index = np.array(index, dtype=np.intp)
        self.duplicates = len(set(index)) < len(index)
        self.size = len(index)

    def get(self, run: Run) -> Array:
        return run.theta[None, self.index]

    def add(self, run: Run, g: Array) -> None:
        if self.duplicates:
            np.add.at(run.grad, self.index, g.sum(axis=0))
        else:
            run.grad[self.index] += g.sum(axis=0)  # type: ignore[index]


class Const(Operand):
    """Numbers fixed at compile time (one row, broadcast)."""

    def __init__(self, values: list[float]) -> None:
        self.values = np.array(values, dtype=float)[None, :]
        self.size = len(values)

    def get(self, run: Run) -> Array:
        return self.values

    def add(self, run: Run, g: Array) -> None:
        """A constant keeps no gradient: ``g`` goes nowhere."""


class Mixed(Operand):
    """Columns from several places: each part fills its positions."""

    def __init__(self, parts: list[tuple[Operand, Array]], size: int) -> None:
        self.parts = parts
        self.size = size
        self.needs_grad = any(p.needs_grad for p, _ in parts)

    def get(self, run: Run) -> Array:
        pieces = [(part.get(run), where) for part, where in self.parts]
        rows = max(p.shape[0] for p, _ in pieces)
        out = np.empty((rows, self.size))
        for values, where in pieces:
            out[:, where] = values
        return out

    def add(self, run: Run, g: Array) -> None:
        for part, where in self.parts:
            if part.needs_grad:
                part.add(run, g[:, where])

    def groups(self) -> set[int]:
        return set().union(*(part.groups() for part, _ in self.parts))


def make_operand(refs: list[Ref], needs_grad: list[bool]) -> Operand:
    """The cheapest reader of these columns (``needs_grad[g]``: step g leads to a param)."""
    by_source: dict[tuple, list[int]] = {}
    for position, ref in enumerate(refs):
        source = ("var", ref.a) if ref.kind == "var" else (ref.kind,)
        by_source.setdefault(source, []).append(position)
    parts = [(_single(source, [refs[i] for i in positions], needs_grad),
              np.array(positions, dtype=np.intp)) for source, positions in by_source.items()]
    return parts[0][0] if len(parts) == 1 else Mixed(parts, len(refs))


def _single(source: tuple, refs: list[Ref], needs_grad: list[bool]) -> Operand:
    if source[0] == "const":
        return Const([r.value for r in refs])
    if source[0] == "param":
        index = [r.a for r in refs]
        contiguous = index == list(range(index[0], index[0] + len(index)))
        return ParamSlice(index[0], index[-1] + 1) if contiguous else ParamPick(index)
    columns = [r.b for r in refs]
    group = source[1]
    if columns == list(range(columns[0], columns[0] + len(columns))):
        return VarSlice(group, columns[0], columns[-1] + 1, needs_grad[group])
    return VarPick(group, columns, needs_grad[group])
