"""Exact values beyond float64, and what givens known to the digits shown allow (issue 18).

**Exact values.** The checker computes in float64.  Here every scalar claim's value is
computed again from the numbers as written in 40-digit interval arithmetic
(`scalargrad.worksheet.exact`): a value, or a derivative ∂top/∂x by forward-mode
differentiation, one pass per ``x``.  Where the interval pins it down, that is the exact
value.

**Rounded givens.** With givens written ``w1 ≈ 0.2355`` (any value in [0.23545, 0.23555]),
a claim is right when some values of the givens give a number that rounds to it.  The
values a quantity q takes over that box are found from samples, each computed exactly as
above: the givens as written; each given at either end of its rounding, the others as
written; and the two corners where every given is at the end that raised (lowered) q.  A
continuous q takes every value between two it takes on the box, so whatever lies between
the smallest and largest sample is given by some values of the givens: a claim accepted
this way is never one that no values give (a plain interval enclosure could be far wider
than what q takes).  The corners are q's extremes when q is monotone in each given over
the box, as it is for boxes this small unless q is at a turning point.

Each sample is one pass over the worksheet; past `MAX_SLOPE_WORK` formula nodes in all,
the derivatives keep their float64 values and rounded givens count as written.
"""

from __future__ import annotations

from collections.abc import Callable

from mpmath import iv, mp, mpf

from ..worksheet import Claim, Worksheet
from ..worksheet.exact import DIGITS, Interval, intervals, pinned, rounding_ends, slopes

MAX_SLOPE_WORK = 20_000
"""Most formula nodes evaluated on intervals for derivatives and samples, in all (about
0.4 s of CPU time)."""


def exact_claims(worksheet: Worksheet, claims: list[Claim],
                 values: dict[str, float]) -> dict[Claim, float]:
    """The exact value of each scalar claim (a name's value, or ∂top/∂x of scalars) that
    the intervals pin down; ``values`` are the names' exact values."""
    exact = {c: values[c.name] for c in claims if _value(worksheet, c) and c.name in values}
    for bottom, asked in _derivatives(worksheet, claims).items():
        tops = pinned(slopes(worksheet, bottom))
        exact |= {c: tops[c.top] for c in asked if c.top in tops}  # type: ignore[index]
    return exact


def rounding_ranges(worksheet: Worksheet, claims: list[Claim]) -> dict[Claim, Interval]:
    """For each scalar claim, values that the rounded givens give, from the smallest to
    the largest found (none when the worksheet has no rounded givens)."""
    if not worksheet.rounded:
        return {}
    asked: dict[str | None, list[Claim]] = {None: [c for c in claims if _value(worksheet, c)]}
    asked |= _derivatives(worksheet, claims)
    size = sum(d.size for d in worksheet.definitions.values())
    passes = sum(2 * len(worksheet.rounded) + 1 + 2 * len(cs) for cs in asked.values())
    if passes * size > MAX_SLOPE_WORK:
        return {}
    ranges: dict[Claim, Interval] = {}
    for bottom, these in asked.items():
        def numbers(givens: dict[str, str], bottom: str | None = bottom) \
                -> dict[str, Interval]:
            return intervals(worksheet, givens) if bottom is None \
                else slopes(worksheet, bottom, givens)
        ranges |= _sampled(worksheet, these, numbers, bottom is None)
    return ranges


def _sampled(worksheet: Worksheet, claims: list[Claim],
             numbers: Callable[[dict[str, str]], dict[str, Interval]],
             values: bool) -> dict[Claim, Interval]:
    """The smallest to the largest sample of each claimed quantity (see the module)."""
    ends = {n: rounding_ends(w) for n, w in worksheet.rounded.items()}
    middle = dict(worksheet.rounded)
    axis = {(n, k): numbers(middle | {n: ends[n][k]}) for n in ends for k in (0, 1)}
    center = numbers(middle)
    ranges = {}
    for claim in claims:
        key = claim.name if values else claim.top
        samples = [center.get(key)] + [a.get(key) for a in axis.values()]  # type: ignore[arg-type]
        if any(x is None for x in samples):
            continue
        for direction in (1, -1):  # the corners that raise q, and lower it
            corner = {n: ends[n][int(direction * (axis[n, 1][key] - axis[n, 0][key]).mid >= 0)]
                      for n in ends}
            samples.append(numbers(corner).get(key, samples[0]))
        ranges[claim] = _hull(samples)
    return ranges


def _hull(xs: list[Interval]) -> Interval:
    """The smallest interval holding them all (each a tight interval around a sample)."""
    with mp.workdps(DIGITS):
        return iv.mpf([min(mpf(x.a) for x in xs), max(mpf(x.b) for x in xs)])


def _value(worksheet: Worksheet, claim: Claim) -> bool:
    return (claim.top is None and not claim.entry and claim.form == "number"
            and claim.name in worksheet.values)


def _derivatives(worksheet: Worksheet, claims: list[Claim]) -> dict[str, list[Claim]]:
    """The numbers claimed for ∂top/∂x with both scalars, by x (nothing past the budget)."""
    asked: dict[str, list[Claim]] = {}
    for c in claims:
        if c.top is not None and not c.entry and c.form == "number" \
                and c.top in worksheet.values and c.name in worksheet.values:
            asked.setdefault(c.name, []).append(c)
    size = sum(d.size for d in worksheet.definitions.values())
    return asked if len(asked) * size <= MAX_SLOPE_WORK else {}
