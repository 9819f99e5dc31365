"""Vectors and matrices of a worksheet: notation over scalar nodes, never a new engine type.

An `Array` is ``rows × cols`` entries (`Value` nodes or plain numbers), stored by rows. A
vector is an array with one row (``[a, b, c]``) or one column (``[a, b, c]ᵀ``); a 1×1
result is a scalar.  The shape rules are the notes':

- ``a · b`` (also ``×``) of two vectors of one length is the dot product Σₖ aₖ bₖ.
- Otherwise ``·``, ``@`` and writing side by side are the matrix product Σₖ Aᵢₖ Bₖⱼ; a
  vector fits a matrix either way round; a column times a row is the outer product
  (``δ xᵀ``), a row times a column the dot product.
- ``⊙`` (and ``*`` between equal shapes, and two vectors of one orientation side by
  side: ``a(1 - a)``) is entrywise; a number times an array scales every entry.
- ``+`` and ``-`` go entry by entry on equal shapes (vectors of one length in either
  orientation count as equal) and add a number to every entry.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from ..engine import Value, sum_values
from .tokens import Token, error

Scalar = Value | float

MAX_ENTRIES = 100_000
"""Most entries a vector or matrix may have (a 316×316 matrix)."""
MAX_PRODUCT = 1_000_000
"""Most multiplications one matrix product may take (rows × inner size × columns)."""


@dataclass(frozen=True)
class Array:
    rows: int
    cols: int
    entries: tuple[Scalar, ...]  # by rows

    @property
    def is_vector(self) -> bool:
        return self.rows == 1 or self.cols == 1

    def at(self, i: int, j: int) -> Scalar:
        return self.entries[i * self.cols + j]

    def index(self, k: int) -> tuple[int, ...]:
        """The 1-based index of flat entry ``k``: (i,) in a vector, (i, j) in a matrix."""
        return (k + 1,) if self.is_vector else (k // self.cols + 1, k % self.cols + 1)

    def described(self) -> str:
        """``a 3-vector``, ``a 2×3 matrix``."""
        if self.is_vector:
            return f"a {len(self.entries)}-vector"
        return f"a {self.rows}×{self.cols} matrix"

    def transposed(self) -> Array:
        return Array(self.cols, self.rows,
                     tuple(self.at(i, j) for j in range(self.cols) for i in range(self.rows)))

    def map(self, f: Callable[[Scalar], Scalar]) -> Array:
        return Array(self.rows, self.cols, tuple(f(x) for x in self.entries))


Quantity = Scalar | Array


def described(q: Quantity) -> str:
    return q.described() if isinstance(q, Array) else "a number"


def simplified(a: Array) -> Quantity:
    """A 1×1 array is its entry."""
    return a.entries[0] if len(a.entries) == 1 else a


def matrix(rows: list[list[Scalar]]) -> Array:
    return Array(len(rows), len(rows[0]), tuple(x for row in rows for x in row))


def same_shape(a: Array, b: Array) -> bool:
    """Equal shapes; two vectors of one length count as equal in either orientation."""
    if a.is_vector and b.is_vector:
        return len(a.entries) == len(b.entries)
    return (a.rows, a.cols) == (b.rows, b.cols)


def entrywise(a: Quantity, b: Quantity, f: Callable[[Scalar, Scalar], Scalar], at: Token,
              what: str) -> Quantity:
    """f applied entry by entry (a number goes with every entry); the shape is ``a``'s."""
    if not isinstance(a, Array) and not isinstance(b, Array):
        return f(a, b)
    if not isinstance(a, Array):
        return b.map(lambda y: f(a, y))  # type: ignore[union-attr]
    if not isinstance(b, Array):
        return a.map(lambda x: f(x, b))
    if not same_shape(a, b):
        raise error(f"cannot {what} {a.described()} and {b.described()}", at,
                    "entry by entry needs equal shapes")
    return Array(a.rows, a.cols, tuple(f(x, y) for x, y in zip(a.entries, b.entries)))


def dot(xs: tuple[Scalar, ...], ys: tuple[Scalar, ...],
        times: Callable[[Scalar, Scalar], Scalar]) -> Scalar:
    """Σₖ xₖ yₖ: one Σ node (or a plain number when every product is one)."""
    products = [times(x, y) for x, y in zip(xs, ys)]
    if all(isinstance(p, float) for p in products):
        return math.fsum(products)  # type: ignore[arg-type]
    return products[0] if len(products) == 1 else sum_values(products)


def product(kind: str, a: Quantity, b: Quantity, times: Callable[[Scalar, Scalar], Scalar],
            at: Token) -> Quantity:
    """The product written with ``kind`` ("·", "@", "*", "⊙" or "" for side by side)."""
    if not isinstance(a, Array) or not isinstance(b, Array):
        return entrywise(a, b, times, at, "multiply")  # a number scales every entry
    vectors = a.is_vector and b.is_vector and same_shape(a, b)
    if kind == "·" and vectors:
        return dot(a.entries, b.entries, times)
    vectors_alike = vectors and (a.rows == 1) == (b.rows == 1)
    if kind == "⊙" or (kind == "*" and same_shape(a, b)) or (kind == "" and vectors_alike):
        return entrywise(a, b, times, at, "multiply")
    return matrix_product(a, b, times, at)


def matrix_product(a: Array, b: Array, times: Callable[[Scalar, Scalar], Scalar],
                   at: Token) -> Quantity:
    """Σₖ aᵢₖ bₖⱼ, with a vector turned to fit (see the module's rules)."""
    if a.is_vector and b.is_vector and same_shape(a, b):
        if a.cols == 1 and b.rows == 1:  # column times row: the outer product
            _within_limits(a.rows, 1, b.cols, at)
            return Array(a.rows, b.cols, tuple(times(x, y) for x in a.entries
                                               for y in b.entries))
        return dot(a.entries, b.entries, times)
    if b.is_vector and not a.is_vector and len(b.entries) == a.cols:
        b = Array(a.cols, 1, b.entries)
    elif a.is_vector and not b.is_vector and len(a.entries) == b.rows:
        a = Array(1, b.rows, a.entries)
    if a.cols != b.rows:
        raise error(f"cannot multiply {a.described()} by {b.described()}", at,
                    f"{a.rows}×{a.cols} times {b.rows}×{b.cols}: the inner sizes differ")
    _within_limits(a.rows, a.cols, b.cols, at)
    columns = [tuple(b.at(k, j) for k in range(b.rows)) for j in range(b.cols)]
    rows = [a.entries[i * a.cols: (i + 1) * a.cols] for i in range(a.rows)]
    return simplified(Array(a.rows, b.cols, tuple(dot(r, c, times) for r in rows
                                                  for c in columns)))


def _within_limits(rows: int, inner: int, cols: int, at: Token) -> None:
    """A product whose result or work is too large is refused before it is computed."""
    if rows * cols > MAX_ENTRIES or rows * inner * cols > MAX_PRODUCT:
        raise error(f"the product would be a {rows}×{cols} matrix"
                    + (f" from {inner} terms each" if inner > 1 else ""), at,
                    f"at most {MAX_ENTRIES:,} entries and {MAX_PRODUCT:,} multiplications")
