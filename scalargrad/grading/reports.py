"""Reports of checked worksheets for a teacher: Markdown, JSON, and a class summary.

`grading.check` grades one worksheet into a `Report` (its plain-text table is
``Report.table()``).  This module renders reports for other readers:

- `markdown(report)`: the summary and a table, for a notebook or a Markdown page;
- `verdict_record(verdict)`: one verdict as plain data (line, column, what was claimed,
  what was written, the exact value, the kind, why), the rows of the JSON;
- `grade_file(path)`: one file of a class, graded, or the error that kept it from being
  read (a *malformed* file);
- `class_summary(files, fmt)`: one line per file (right, wrong, or malformed) and the
  totals, as text, Markdown or JSON; `each_report(files, fmt)` every file's report in
  full; `files_json(files)` every verdict of every file.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..engine import ScalarGradError
from ..typeset import markdown_escape
from ..wording import plural
from ..worksheet import load
from .checker import check
from .verdicts import Report, Verdict, code_span, counted, markdown

# ---------------------------------------------------------------------------------------
# One worksheet
# ---------------------------------------------------------------------------------------


def verdict_record(verdict: Verdict, file: str = "") -> dict[str, Any]:
    """One verdict as plain data, for JSON: where it is, what was claimed (``claim``, with
    ``entry`` the 1-based index in a vector or matrix), what was written (a number or a
    formula: ``form``), the exact value, whether it holds, its kind and why.  For a step,
    ``working`` is what the numeric working before it gives and ``where`` the random point
    at which a formula true here only differs.  Numbers that are not finite are ``None``."""
    claim = verdict.claim
    return {
        "file": file, "line": claim.line, "column": claim.column,
        "claim": claim.subject, "name": claim.name, "derivative_of": claim.top,
        "entry": list(claim.entry) or None, "form": claim.form, "written": claim.written,
        "exact": _finite(verdict.exact), "yours": _finite(verdict.yours),
        "working": None if verdict.working is None else _finite(verdict.working),
        "where": {name: _finite(x) for name, x in verdict.where} or None,
        "right": verdict.right, "kind": verdict.kind, "note": verdict.note,
    }


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


# ---------------------------------------------------------------------------------------
# A class: several files
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GradedFile:
    """One file of a class: its report, or the error that kept it from being graded."""

    file: str
    report: Report | None = None
    error: str = ""

    @property
    def status(self) -> str:
        """``"right"`` (every claim), ``"wrong"`` (some claim) or ``"malformed"``."""
        if self.report is None:
            return "malformed"
        return "right" if self.report.ok else "wrong"

    @property
    def counts(self) -> tuple[int, int]:
        """(right, wrong) claims; (0, 0) for a malformed file."""
        verdicts = self.report.verdicts if self.report else []
        right = sum(v.right for v in verdicts)
        return right, len(verdicts) - right


def grade_file(path: str | Path, shown_as: str | None = None) -> GradedFile:
    """Read and grade the worksheet at ``path``; a file that cannot be read or checked is
    returned with its error (one line, with line and column) instead of raising; so is
    one that meets a defect of scalargrad (said as such), so that one file never stops the
    report of a class."""
    file = str(path) if shown_as is None else shown_as
    try:
        return GradedFile(file, check(load(path)))
    except ScalarGradError as err:
        return GradedFile(file, error=str(err))
    except Exception as err:  # a defect in scalargrad: one row, not a crash
        return GradedFile(file, error=f"internal error ({type(err).__name__}: {err}); "
                                      "please report it with this file")


def class_summary(files: Sequence[GradedFile], fmt: str = "text") -> str:
    """One line per file (its right and wrong claims, or why it is malformed) and the
    totals, as ``"text"``, ``"markdown"`` or ``"json"``."""
    if fmt == "json":
        return _json({"files": [_file_record(f) for f in files], "totals": _totals(files)})
    rows = [(f.file, *_counts_shown(f)) for f in files]
    if fmt == "markdown":
        lines = ["| file | claims | right | wrong | |", "| --- | ---: | ---: | ---: | --- |"]
        lines += [f"| {code_span(file)} | {claims} | {right} | {wrong} "
                  f"| {markdown_escape(status)} |" for file, claims, right, wrong, status in rows]
        return "\n".join([*lines, "", f"**{_totals_line(files)}**"]) + "\n"
    header = ("file", "claims", "right", "wrong", "")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    lines = [f"{r[0]:<{widths[0]}}  {r[1]:>{widths[1]}}  {r[2]:>{widths[2]}}  "
             f"{r[3]:>{widths[3]}}  {r[4]}".rstrip() for r in [header, *rows]]
    return "\n".join([*lines, "", _totals_line(files)]) + "\n"


def each_report(files: Sequence[GradedFile], fmt: str = "text") -> str:
    """Every file's report in full, one after another: a heading naming the file, then its
    table (``"text"``) or Markdown (``"markdown"``), or why it is malformed."""
    parts = []
    for f in files:
        if fmt == "markdown":
            heading = f"### {code_span(f.file)}\n\n"
            body = markdown(f.report) if f.report else f"malformed: {markdown_escape(f.error)}\n"
        else:
            heading = f"==> {f.file} <==\n"
            body = f.report.table() if f.report else f"malformed: {f.error}\n"
        parts.append(heading + body)
    return "\n".join(parts)


def files_json(files: Sequence[GradedFile]) -> str:
    """Every verdict of every file, with each file's counts and the totals, as JSON."""
    records = []
    for f in files:
        verdicts = f.report.verdicts if f.report else []
        records.append(_file_record(f) | {"verdicts": [verdict_record(v, f.file)
                                                       for v in verdicts]})
    return _json({"files": records, "totals": _totals(files)})


def _counts_shown(f: GradedFile) -> tuple[str, str, str, str]:
    if f.report is None:
        return "", "", "", f"malformed: {f.error}"
    right, wrong = f.counts
    if not right + wrong:
        status = "no claims to check"
    elif not wrong:
        status = "✓"
    else:
        by_count = sorted(_kinds(f).items(), key=lambda kind_n: (-kind_n[1], kind_n[0]))
        status = "✗ " + ", ".join(counted(n, kind) for kind, n in by_count if kind != "right")
    return str(right + wrong), str(right), str(wrong), status


def _file_record(f: GradedFile) -> dict[str, Any]:
    """A file's status and counts (``None`` for a malformed file, with its error)."""
    if f.report is None:
        return {"file": f.file, "status": f.status, "claims": None, "right": None,
                "wrong": None, "kinds": None, "error": f.error}
    right, wrong = f.counts
    return {"file": f.file, "status": f.status, "claims": right + wrong, "right": right,
            "wrong": wrong, "kinds": _kinds(f), "error": None}


def _kinds(f: GradedFile) -> dict[str, int]:
    kinds: dict[str, int] = {}
    for v in f.report.verdicts if f.report else []:
        kinds[v.kind] = kinds.get(v.kind, 0) + 1
    return kinds


def _totals(files: Sequence[GradedFile]) -> dict[str, int]:
    statuses = [f.status for f in files]
    return {"files": len(files), "all_right": statuses.count("right"),
            "some_wrong": statuses.count("wrong"), "malformed": statuses.count("malformed"),
            "claims": sum(sum(f.counts) for f in files),
            "right": sum(f.counts[0] for f in files),
            "wrong": sum(f.counts[1] for f in files)}


def _totals_line(files: Sequence[GradedFile]) -> str:
    """``3 files: 1 all right, 1 with wrong claims, 1 malformed``."""
    t = _totals(files)
    return (f"{plural(t['files'], 'file')}: {t['all_right']} all right, "
            f"{t['some_wrong']} with wrong claims, {t['malformed']} malformed")


# ---------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------


def _json(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1, allow_nan=False) + "\n"
