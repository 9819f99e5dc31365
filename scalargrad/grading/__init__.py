"""Grading a hand calculation: a verdict for every number, step and formula a student wrote.

In: a parsed `scalargrad.worksheet.Worksheet`. Out: a `Report` of `Verdict`s (`check`),
shown as a table, Markdown or JSON, for one worksheet or a whole class (`reports`).

- `checker`: `check`, every claimed number against the exact value, and where a wrong one
  went astray (a slip, follows from earlier numbers, cut off instead of rounded);
- `chains`: the arithmetic steps and formulas of one line's working;
- `identities`: whether a formula equals its quantity (at the worksheet's point and at
  random points around it);
- `precision`: what a number written with k decimals claims;
- `verdicts`: `Verdict`, `Report` and their tables;
- `reports`: a class's files, graded, as text, Markdown or JSON.
"""

from .checker import check
from .reports import GradedFile, class_summary, each_report, files_json, grade_file
from .verdicts import Report, Verdict, markdown

__all__ = [
    "GradedFile",
    "Report",
    "Verdict",
    "check",
    "class_summary",
    "each_report",
    "files_json",
    "grade_file",
    "markdown",
]
