"""The checker's verdicts: one `Verdict` a claim, one `Report` a worksheet, and the report
as a table (plain text or Markdown).

A verdict's *kind* says why a wrong claim is wrong: a slip, a number that follows from the
student's own earlier ones, one cut off instead of rounded, an arithmetic step, a wrong
formula, or one true at the worksheet's point only (see `scalargrad.grading.checker`).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from ..typeset import format_number, markdown_escape
from ..wording import plural
from ..worksheet import Claim, Worksheet
from .precision import cut_off, holds

MAX_SHOWN = 6
"""Inputs shown in the note of a formula that is true here only."""


@dataclass(frozen=True)
class Verdict:
    """One claim graded: the exact value, whether the claim holds, what the student's
    own earlier numbers give (``yours``) and the earlier wrong claims behind it."""

    claim: Claim
    exact: float
    right: bool
    yours: float
    causes: tuple[Claim, ...]
    step: str | None = None
    """"arithmetic", "wrong formula" or "true here only" when the claim fails as a step."""
    working: float | None = None
    """The value of the numeric working just before a claimed number, if there is one."""
    where: tuple[tuple[str, float], ...] = ()
    """For "true here only": the inputs at the random point where the formula differs."""

    @property
    def entry(self) -> tuple[int, ...]:
        """The 1-based index of the claimed entry of a vector or matrix (empty: a scalar)."""
        return self.claim.entry

    @property
    def follows(self) -> bool:
        """Wrong, but what the student's own earlier numbers give."""
        return (not self.right and self.claim.form == "number"
                and holds(self.claim.written, self.yours))

    @property
    def kind(self) -> str:
        """``"right"``; for a step: ``"arithmetic"`` (a number that is not what the
        working before it gives), ``"wrong formula"``, ``"true here only"`` (a formula
        right at the worksheet's point only); for a number: ``"follows"`` (from earlier
        numbers), ``"cut off"`` (truncated instead of rounded, from the exact value or
        the student's own) or ``"slip"``; ``"unanswered"`` for a ``?`` left blank."""
        if self.claim.form == "blank":
            return "unanswered"
        if self.right:
            return "right"
        if self.step:
            return self.step
        if self.follows:
            return "follows"
        written = self.claim.written
        if cut_off(written, self.exact) or cut_off(written, self.yours):
            return "cut off"
        return "slip"

    @property
    def mark(self) -> str:
        """``✓`` right, ``?`` left blank, ``✗`` wrong: the mark every report shows."""
        return "✓" if self.right else "?" if self.claim.form == "blank" else "✗"

    @property
    def note(self) -> str:
        """Why a wrong claim is wrong, in a few words ('' when it is right)."""
        kind = self.kind
        if kind in ("right", "unanswered"):
            return "" if kind == "right" else "unanswered"
        digits = _digits(self.claim)
        yours = format_number(self.yours, digits)
        if kind == "arithmetic":
            return f"arithmetic: the working gives {format_number(self.working, digits)}"  # type: ignore[arg-type]
        if kind == "wrong formula":
            return f"wrong formula: it gives {yours}, not {format_number(self.exact, 6)}"
        if kind == "true here only":
            shown = [f"{n} = {format_number(x, 4)}" for n, x in self.where[:MAX_SHOWN]]
            at = ", ".join(shown + ["…"] * (len(self.where) > MAX_SHOWN))
            return (f"true here only: at {at or 'another point'} it gives {yours}, "
                    f"not {format_number(self.exact, 6)}")
        if math.isnan(self.yours) and kind == "slip":
            return "slip"
        if kind == "follows":
            if self.working is not None and self.yours == self.working and not self.causes:
                return f"follows from the numbers in its working (they give {yours})"
            if self.causes:
                return "follows from " + ", ".join(
                    f"{c.subject} = {c.written} (line {c.line})" for c in self.causes)
            return f"follows from carrying rounded numbers (they give {yours})"
        if kind == "cut off":
            exact = cut_off(self.claim.written, self.exact)
            places = max(-self.claim.number.as_tuple().exponent, 0)  # type: ignore[operator]
            if exact:
                return f"cut off, not rounded (rounds to {self.exact:.{places}f})"
            return (f"cut off, not rounded (your numbers give {yours}, "
                    f"which rounds to {self.yours:.{places}f})")
        return f"slip (your numbers give {yours})"


WRONG_KINDS: dict[str, tuple[str, str]] = {
    "slip": ("slip", ""),
    "follows": ("follows", " from earlier numbers"),
    "cut off": ("cut off", " instead of rounded"),
    "arithmetic": ("arithmetic slip", ""),
    "wrong formula": ("wrong formula", ""),
    "true here only": ("true here only", ""),
}
"""Each kind of wrong claim (`Verdict.kind`) as a count of it reads: noun, then the rest."""


def counted(n: int, kind: str) -> str:
    """``n`` claims of a kind in words: ``1 slip``, ``3 wrong formulas``, ``2 follow from
    earlier numbers`` (a kind not in `WRONG_KINDS`, such as "unanswered", as it is)."""
    noun, rest = WRONG_KINDS.get(kind, (kind, ""))
    return plural(n, noun) + rest


def _digits(claim: Claim) -> int:
    """Significant digits for a number in a note: one more than the claim was written
    with (at least 6), so that the difference the note talks about shows (a claimed
    0.291027924 against 0.2910277741, not against 0.291028)."""
    if claim.form != "number":
        return 6
    return min(max(6, len(claim.number.as_tuple().digits) + 1), 16)


@dataclass(frozen=True)
class Report:
    """All the verdicts of a worksheet, in the order the claims were written."""

    worksheet: Worksheet
    verdicts: list[Verdict]

    @property
    def ok(self) -> bool:
        return all(v.right for v in self.verdicts)

    def summary(self) -> str:
        """``87 claims: 35 right, 52 wrong (8 slips, 10 follow from earlier numbers, …)``."""
        kinds = [v.kind for v in self.verdicts]
        blank = kinds.count("unanswered")
        wrong = len(kinds) - kinds.count("right") - blank
        text = f"{plural(len(kinds), 'claim')}: {kinds.count('right')} right, {wrong} wrong" \
            + (f", {blank} unanswered" if blank else "")
        parts = [counted(kinds.count(kind), kind) for kind in WRONG_KINDS if kinds.count(kind)]
        return text + (f" ({', '.join(parts)})" if parts else "")

    def table(self) -> str:
        """A plain-text table: line, claim, as written (a long formula cut short), exact
        value, ✓ or ✗, and why."""
        rows = [("line", "claim", "written", "exact", "", "")]
        rows += [(str(v.claim.line), v.claim.subject, shortened(v.claim.written), shown_exact(v),
                  v.mark, v.note) for v in self.verdicts]
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        lines = [f"{r[0]:>{widths[0]}}  {r[1]:<{widths[1]}}  {r[2]:>{widths[2]}}  "
                 f"{r[3]:>{widths[3]}}  {r[4]} {r[5]}".rstrip() for r in rows]
        return "\n".join([*lines, "", self.summary()]) + "\n"

    def __repr__(self) -> str:
        return f"<Report of {self.worksheet.source or 'a worksheet'}: {self.summary()}>"

    def _repr_markdown_(self) -> str:
        """How Jupyter shows a report: the summary and the table (`reports.markdown`)."""
        return markdown(self)


MAX_MARKDOWN_ROWS = 500
"""A notebook shows at most this many rows of a report (the wrong claims first); the rest
are counted, so that displaying a huge report stays quick."""
MAX_SHOWN_CHARS = 40
"""A claimed formula longer than this is cut short in a table (the JSON has it whole): a
matrix of formulas would make every row of its entries a screen wide."""


def shown_exact(verdict: Verdict) -> str:
    """The exact value: three more decimals than a claimed number was written with; six
    significant digits for a claimed formula; nothing for a ``?`` left blank."""
    if verdict.claim.form == "blank":
        return ""
    if verdict.claim.form != "number" or not math.isfinite(verdict.exact):
        return format_number(verdict.exact, 6)
    decimals = -verdict.claim.number.as_tuple().exponent  # type: ignore[operator]
    return f"{verdict.exact:.{min(max(decimals + 3, 0), 15)}f}"


def markdown(report: Report) -> str:
    """The report as Markdown: the summary line, then a table of the verdicts.

    Each row: line, claim, written, exact value, ✓ or ✗, and why a wrong one is wrong.
    Above `MAX_MARKDOWN_ROWS` rows, the wrong claims are kept first, right ones fill the
    rest of the table (in the worksheet's order), and those left out are counted.
    """
    verdicts = report.verdicts
    shown = verdicts
    if len(verdicts) > MAX_MARKDOWN_ROWS:
        kept = sorted(verdicts, key=lambda v: v.right)[:MAX_MARKDOWN_ROWS]  # wrong first
        shown = sorted(kept, key=lambda v: (v.claim.line, v.claim.column))
    lines = [f"**{markdown_escape(report.summary())}**", ""]
    if verdicts:
        lines += ["| line | claim | written | exact | | note |",
                  "| ---: | --- | --- | ---: | :---: | --- |"]
        lines += [f"| {v.claim.line} | {code_span(v.claim.subject)} "
                  f"| {code_span(shortened(v.claim.written))} | {shown_exact(v)} "
                  f"| {v.mark} | {markdown_escape(v.note)} |" for v in shown]
    if len(shown) < len(verdicts):
        right = sum(v.right for v in verdicts) - sum(v.right for v in shown)
        wrong = len(verdicts) - len(shown) - right
        lines += ["", f"({plural(len(verdicts) - len(shown), 'claim')} not shown: "
                      f"{right} right, {wrong} wrong)"]
    return "\n".join(lines) + "\n"


def shortened(written: str) -> str:
    """``written`` cut to `MAX_SHOWN_CHARS` characters, ending in "…" when cut."""
    if len(written) <= MAX_SHOWN_CHARS:
        return written
    return written[: MAX_SHOWN_CHARS - 1].rstrip() + "…"


def code_span(text: str) -> str:
    """``text`` as an inline code span in a table cell, shown as text whatever it holds: on
    one line (a line break would end the row), ``|`` escaped (it would end the cell), and
    fenced by more backticks than any run inside it (a backtick would end the span and
    let what follows be Markdown or raw HTML)."""
    escaped = re.sub(r"[\x00-\x1f\x7f\u2028\u2029]", " ", text).replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall("`+", escaped)), default=0) + 1)
    pad = " " if escaped[:1] == "`" or escaped[-1:] == "`" else ""
    return f"{fence}{pad}{escaped}{pad}{fence}"
