"""A claimed number against a value, at the precision it was written with.

A number written with k decimals claims that the exact value rounds to it: ``0.52`` is
right for 0.5225 because |0.5225 − 0.52| ≤ ½·10⁻²; ``0.015`` is wrong for 0.0156.
"""

from __future__ import annotations

import math
from decimal import Decimal, localcontext


def holds(written: str, value: float) -> bool:
    """Is ``written`` the exact ``value`` at the precision it was written with?

    >>> holds("0.52", 0.5225), holds("0.015", 0.0155995), holds("8", 8.4)
    (True, False, True)
    """
    if not math.isfinite(value):
        return False
    claim = Decimal(written)
    half = Decimal(5).scaleb(claim.as_tuple().exponent - 1)  # type: ignore[operator]
    exact = Decimal(value)
    return abs(exact - claim) <= half + abs(exact) * Decimal("1e-12")


def cut_off(written: str, value: float) -> bool:
    """Is ``written`` the ``value`` cut off (truncated toward zero) at its last digit,
    keeping at least three significant digits?  (With fewer, one unit of the last digit is
    over 1 % of the number: ``0.015`` for 0.0156 is a slip, not a rounding habit.)

    >>> cut_off("0.249", 0.2496), cut_off("0.250", 0.2496), cut_off("-15.88", -15.8878)
    (True, False, True)
    >>> cut_off("0.015", 0.0156)
    False
    """
    claim = Decimal(written)
    exponent = claim.as_tuple().exponent
    if not math.isfinite(value) or claim.adjusted() - exponent < 2:  # type: ignore[operator]
        return False
    with localcontext() as exact_arithmetic:
        exact_arithmetic.prec = 1100  # enough for any float, written out in full
        nudged = Decimal(value) * (1 + Decimal("1e-12"))  # 0.0749999… is 0.075 in floats
        unit = Decimal(1).scaleb(exponent)  # type: ignore[arg-type]
        return ((claim > 0) == (nudged > 0)
                and abs(claim) <= abs(nudged) < abs(claim) + unit)
