"""One budget per input: the total work a worksheet, an exercise or a chart may ask for.

Limits on one part (one array, one product, one file) are not enough: 80 small lines can
each make a 100,000-entry array, 40 nested functions can double the work 40 times. So each
input gets one `Budget` for its total work, counted as it is done, and refused the moment
it is spent, with an error naming the limit (the README's table lists them all).
"""

from __future__ import annotations

from .engine import ScalarGradError

MAX_EVALUATIONS = 1_000_000
"""Operations evaluated for one worksheet, function bodies included (each distinct call
of a function is evaluated once: the same arguments reuse its value), and so are the
checker's: the worksheet recomputed at its random points, the formulas graded there."""
MAX_TOTAL_ENTRIES = 500_000
"""Entries of every vector and matrix one worksheet computes, intermediate ones included."""
MAX_VERDICTS = 50_000
"""Verdicts one check gives: claimed numbers and formula entries together."""
MAX_VARIANTS = 100
"""Variants of one exercise."""
MAX_EXERCISE_ARROWS = 10_000
"""Arrows of an exercise's charts over all its variants (the chart's arrows times the
variants): each variant's chart is drawn blank and filled in, and printed on as many pages
as it needs, about 6 to 7 ms of processor time per arrow and variant
(`benchmarks/bench_limits.py`): 100 variants of a 100-arrow chart, or 15 of a dense
650-arrow one."""
MAX_DRAWS = 2_000
"""Draws of leaf numbers for one exercise, over all its variants."""
EARLY_REJECTS = 50
"""Draws in a row rejected for one same reason, before any variant was found, after which
an exercise is refused as degenerate (a literal 0 factor makes every gradient 0)."""
MAX_EDGES = 750
"""Arrows of one chart: Graphviz's time grows with the arrows that must cross (a dense
141-box chart of 1,000 arrows took over a minute), not only with the boxes."""


class LimitExceeded(ScalarGradError, ValueError):
    """An input would take more work than its budget allows."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.hint = hint


class Budget:
    """A count of one kind of work, refused with `LimitExceeded` past ``limit``.

    >>> b = Budget(10, "operations evaluated")
    >>> b.spend(4); b.spent
    4
    """

    def __init__(self, limit: int, what: str) -> None:
        self.limit = limit
        self.what = what
        self.spent = 0

    def spend(self, amount: int = 1) -> None:
        self.spent += amount
        if self.spent > self.limit:
            raise LimitExceeded(f"too much work: more than {self.limit:,} {self.what}",
                                f"at most {self.limit:,} {self.what} per input; split it "
                                "into smaller ones")
