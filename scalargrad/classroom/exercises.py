"""The files of an exercise: for every variant a handout, a worksheet to fill in, the
solution and an answer key; one index for the teacher.

``exercise("seed001_x1.txt", "out/", variants=30, seed=1, keep=["x*", "y"])`` (or
``scalargrad exercise``) draws the variants (`scalargrad.classroom.variants`) and writes::

    out/index.md                    the teacher's index: variant → seed, leaves, files
    out/handouts.pdf                every variant's handout, each from a new page, to print
                                    (through LaTeX, when pdflatex and the system dot exist)
    out/variant-01/handout.md       the question, the blank chart, room to work
    out/variant-01/handout.tex      the handout alone in LaTeX (with chart-1.pdf, …)
    out/variant-01/chart.svg        the blank chart: leaves printed, every box to find empty
    out/variant-01/worksheet.txt    every answer a ?: fill in, then scalargrad check it
    out/variant-01/solution.md      the chart filled in and the walkthrough (teacher)
    out/variant-01/key.txt          the answer key, a worksheet that checks all right (teacher)

Printed, the chart is at `PRINT_ZOOM` of its size, so that every empty box is at least
25 × 8 mm (room for −0.07927 handwritten) and every text at least 9 pt: on one page if it
fits there, else on several pages that continue each other (`chart_pages`), upright or
landscape, whichever needs fewer.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import graphviz

from ..chart import graphviz_engine
from ..chart.boxes import BLANK_BOX, KEY_SIZE
from ..chart.drawing import count_arrows, draw, paged, render
from ..engine import Value
from ..graph import pretty_label
from ..limits import MAX_EXERCISE_ARROWS, Budget
from ..typeset import latex_name, latex_text, markdown_escape
from ..walkthrough import steps
from ..wording import plural
from .variants import (
    ANSWER_DIGITS,
    Drawing,
    Key,
    Range,
    Template,
    Variant,
    from_expression,
    load_template,
    make_variants,
    parse_range,
    rounded,
)

PAPERS = {"a4": ("a4paper", 297.0, 210.0), "letter": ("letterpaper", 279.4, 215.9)}
"""LaTeX option and landscape width, height in mm of each paper."""
MARGIN_MM = 10.0
HEADER_PT = 24.0
"""Points at the top of a chart's page for the line that says which part it is."""
MM_PER_PT = 25.4 / 72
BOX_MM = (25.0, 8.0)
"""The least size of an empty box, printed."""
LEAST_TYPE = 9.0
"""The least point size of a text, printed."""
PRINT_ZOOM = 1.01 * max(BOX_MM[0] / (BLANK_BOX[0] * MM_PER_PT),
                        BOX_MM[1] / (BLANK_BOX[1] * MM_PER_PT), LEAST_TYPE / KEY_SIZE)
"""The scale a blank chart is printed at: boxes `BOX_MM`, type `LEAST_TYPE` at least (1 %
over, for rounding)."""
LATEX_SECONDS = 60


def exercise(source: str | Path, folder: str | Path, *, variants: int = 1,
             seed: str | int = 1, at: Mapping[str, float] | None = None,
             keep: Sequence[str] = (), ranges: Mapping[str, str | Range] | None = None,
             decimals: int | None = None, paper: str = "a4", pdf: bool | None = None,
             command: str = "") -> Written:
    """Make an exercise: ``variants`` variants of ``source`` drawn from ``seed``, written
    into ``folder`` (see the module docstring).

    ``source``: a worksheet file, or an expression whose names' values ``at`` gives.
    ``keep``: leaves (names or patterns such as ``x*``) left as in the source. ``ranges``:
    name or pattern → ``"0.01:0.09"``; ``"*"`` is every other leaf (default: numbers like
    each leaf's own). ``decimals``: the places of the ranges given as text. ``paper``,
    ``pdf``, ``command``: as for `write_exercise`. Every variant asks every number its
    blank chart leaves empty (`scalargrad.classroom.variants`).
    """
    template = from_expression(str(source), at) if at is not None else load_template(source)
    chosen = {pattern: r if isinstance(r, Range) else parse_range(r, decimals)
              for pattern, r in (ranges or {}).items()}
    drawn = make_variants(template, variants, seed, Drawing(tuple(keep), chosen))
    return write_exercise(template, drawn, folder, paper=paper, pdf=pdf, command=command)


@dataclass(frozen=True)
class Written:
    """What `write_exercise` wrote: the index, each variant's folder, and whether the
    handouts were compiled to PDF (and if not, why not)."""

    index: Path
    folders: list[Path]
    pdf: bool
    why_no_pdf: str = ""


def write_exercise(template: Template, variants: Sequence[Variant], folder: str | Path, *,
                   paper: str = "a4", pdf: bool | None = None, command: str = "") -> Written:
    """Write every variant's files and the index into ``folder``.

    ``paper``: ``"a4"`` or ``"letter"``. ``pdf``: compile the handouts with pdflatex
    (default: when pdflatex and the system Graphviz are installed; True makes their absence
    an error). ``command``: the command that made the exercise, recorded in the index.
    """
    if paper not in PAPERS:
        raise ValueError(f"paper must be one of {', '.join(PAPERS)}, got {paper!r}")
    arrows = count_arrows(variants[0].root, "full", MAX_EXERCISE_ARROWS)
    Budget(MAX_EXERCISE_ARROWS, "arrows drawn over all the variants' charts").spend(
        arrows * len(variants))  # before anything is written
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    why_no_pdf = _why_no_pdf()
    if pdf and why_no_pdf:
        raise RuntimeError(f"cannot make PDF handouts: {why_no_pdf}")
    compile_pdf = why_no_pdf == "" if pdf is None else pdf
    with ThreadPoolExecutor(max_workers=4) as pool:  # dot runs as a process
        written = list(pool.map(lambda v: _write_variant(v, folder, paper, compile_pdf),
                                variants))
    folders = [here for here, _ in written]
    index = folder / "index.md"  # first: a LaTeX failure leaves the rest of the set usable
    index.write_text(index_markdown(template, variants, folders, folder, command),
                     encoding="utf-8")
    if compile_pdf:  # one document, one run of pdflatex: the class set, ready to print
        tex = folder / "handouts.tex"
        tex.write_text(handout_latex(variants, paper, [f.name for f in folders],
                                     pages=written[0][1]), encoding="utf-8")
        _pdflatex(tex)
    return Written(index, folders, compile_pdf, "" if compile_pdf else
                   why_no_pdf or "not asked for")


def _why_no_pdf() -> str:
    if shutil.which("pdflatex") is None:
        return "pdflatex is not installed (apt-get install texlive-latex-base)"
    if "pdf" not in graphviz_engine.FORMATS.get(graphviz_engine.resolve_engine(), ()):
        return "the chart needs the system Graphviz to become a PDF (apt-get install graphviz)"
    return ""


def _write_variant(variant: Variant, folder: Path, paper: str, compile_pdf: bool
                   ) -> tuple[Path, tuple[str, int]]:
    """Write one variant's files; its folder, and its chart's orientation and pages."""
    here = folder / f"variant-{variant.number:02d}"
    here.mkdir(exist_ok=True)
    root = variant.root
    root.zero_grad()  # ∂L/∂node of this variant, whatever ran backward() before
    root.backward()
    blank = draw(root, blank=True, legend=False)  # drawn once: the SVG and the pages
    (here / "chart.svg").write_bytes(graphviz_engine.run(blank.source, "svg", pinned=True))
    orientation, pages = chart_pages(root, paper, blank)
    if compile_pdf:
        for k, page in enumerate(pages, start=1):
            (here / f"chart-{k}.pdf").write_bytes(
                graphviz_engine.run(page.source, "pdf", pinned=True))
    render(root, here / "solution.svg")
    (here / "worksheet.txt").write_text(variant.text(), encoding="utf-8")
    (here / "key.txt").write_text(variant.text(answers=True), encoding="utf-8")
    (here / "handout.md").write_text(handout_markdown(variant), encoding="utf-8")
    (here / "solution.md").write_text(solution_markdown(variant), encoding="utf-8")
    (here / "handout.tex").write_text(
        handout_latex([variant], paper, pages=(orientation, len(pages))), encoding="utf-8")
    return here, (orientation, len(pages))


def _pdflatex(tex: Path) -> None:
    """Compile ``tex`` to the PDF beside it; a LaTeX error is raised with its first line."""
    with tempfile.TemporaryDirectory(prefix="scalargrad-latex-") as work:
        done = subprocess.run(
            ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape",
             f"-output-directory={work}", tex.name],
            cwd=tex.parent, capture_output=True, text=True, timeout=LATEX_SECONDS,
            env={**os.environ, "openin_any": "p", "openout_any": "p"})  # no file outside
        if done.returncode != 0:
            error = next((line for line in done.stdout.splitlines() if line.startswith("!")),
                         done.stdout[-300:])
            raise RuntimeError(f"pdflatex failed on {tex}: {error}")
        shutil.copyfile(Path(work) / tex.with_suffix(".pdf").name, tex.with_suffix(".pdf"))


# ---------------------------------------------------------------------------------------
# What the handout says
# ---------------------------------------------------------------------------------------


def _subject(key: Key) -> str:
    top, name = key
    return name if top is None else f"∂{top}/∂{name}"


def _off_chart(variant: Variant) -> list[Key]:
    """Derivatives asked that the chart has no box for (∂ŷ/∂w10: the chart shows ∂L/∂·)."""
    return [k for k in variant.template.asks if k[0] not in (None, variant.template.loss)]


def _instructions(loss: str) -> list[str]:
    return [
        f"The chart computes {loss} from the numbers printed in it.",
        "Forward: fill in every empty data box with its node's value, from the inputs to "
        f"{loss}.",
        f"Backward: fill in every empty grad box with its node's gradient ∂{loss}/∂node, "
        f"from {loss} itself back to the inputs.",
        f"Round every number to {ANSWER_DIGITS} significant digits (round, do not cut off), "
        "and carry more digits than you write.",
    ]


def handout_markdown(variant: Variant) -> str:
    """The handout in Markdown: the question, the given numbers, the blank chart, room to work."""
    t = variant.template
    title = markdown_escape(exercise_title(t))
    lines = [f"# Backpropagation by hand: {title}, variant {variant.number}", "",
             "Name: ______________________________", ""]
    first, *steps_ = _instructions(t.loss)
    lines += [first, "", *(f"{i}. {text}" for i, text in enumerate(steps_, start=1))]
    lines += ["", "**Given:** " + ", ".join(f"{n} = {v}" for n, v in variant.leaves.items()),
              "", "![The chart to fill in](chart.svg)", ""]
    extra = _off_chart(variant)
    if extra:
        lines += ["**Also find:** " + ", ".join(_subject(k) for k in extra), ""]
    named = [n for n in t.definitions if n not in t.source.definitions]  # t1, t2, …
    lines += ["Type your numbers into `worksheet.txt`: it has a `?` for every empty box of "
              "the chart" + (" and for each number to find besides" if extra else "")
              + (f" (a node the chart calls {pretty_label(named[0])} is `{named[0]}` there)"
                 if named else "")
              + ". Replace each `?` and check them with `scalargrad check worksheet.txt`.",
              "", "## Working", "", *["&nbsp;"] * 12, ""]
    return "\n".join(lines)


def solution_markdown(variant: Variant) -> str:
    """The solution: the answers, the chart filled in and the worked solution."""
    t = variant.template
    rows = [f"| {_subject(k)} | {rounded(variant.exact(k))} | {variant.exact(k)!r} |"
            for k in t.asks]
    return "\n".join([
        f"# Solution: {markdown_escape(exercise_title(t))}, variant {variant.number}", "",
        "| asked | answer | exact |", "| --- | ---: | ---: |", *rows, "",
        "![The chart filled in](solution.svg)", "",
        steps(variant.root).markdown()])


def chart_pages(root: Value, paper: str, blank: graphviz.Digraph | None = None
                ) -> tuple[str, list[graphviz.Digraph]]:
    """The blank chart of ``root`` on pages of ``paper`` at `PRINT_ZOOM`: the orientation
    (``"landscape"`` or ``"portrait"``) that needs fewer pages, and one graph per page.
    ``blank``: that chart, if already drawn (``draw(root, blank=True, legend=False)``)."""
    _, long_mm, short_mm = PAPERS[paper]
    if blank is None:
        blank = draw(root, blank=True, legend=False)
    best: tuple[str, list[graphviz.Digraph]] | None = None
    for orientation, (width_mm, height_mm) in (("landscape", (long_mm, short_mm)),
                                               ("portrait", (short_mm, long_mm))):
        page = ((width_mm - 2 * MARGIN_MM) / MM_PER_PT,
                (height_mm - 2 * MARGIN_MM) / MM_PER_PT - HEADER_PT)
        pages = paged(blank, page, PRINT_ZOOM)
        if best is None or len(pages) < len(best[1]):
            best = orientation, pages
    assert best is not None
    return best


def handout_latex(variants: Sequence[Variant], paper: str = "a4",
                  folders: Sequence[str] | None = None, *,
                  pages: tuple[str, int] | None = None) -> str:
    """The handouts of ``variants`` as one LaTeX document (packages of texlive-latex-base
    only), each starting on a new page: the question and the given numbers, then the
    chart's pages at `PRINT_ZOOM` (see `chart_pages`), then room to work. ``folders``:
    where each variant's ``chart-1.pdf``, … are, relative to the document (default:
    beside it). ``pages``: the orientation and number of the chart's pages, if known
    (else `chart_pages` finds them)."""
    option = PAPERS[paper][0]
    if pages is None:
        orientation, drawn = chart_pages(variants[0].root, paper)
        pages = orientation, len(drawn)
    orientation, count = pages
    bodies = [_latex_body(v, f"{folder}/" if folder else "", count)
              for v, folder in zip(variants, folders or [""] * len(variants))]
    return "\n".join([
        rf"\documentclass[{option},{orientation},11pt]{{article}}",
        rf"\usepackage[{option},{orientation},margin={MARGIN_MM}mm]{{geometry}}",
        r"\usepackage{amsmath,graphicx}",
        r"\pagestyle{empty}\setlength{\parindent}{0pt}",
        r"\begin{document}", "\n\\clearpage\n".join(bodies), r"\end{document}", ""])


def exercise_title(template: Template) -> str:
    """The exercise's title: the worksheet's (`load_template`), else its name."""
    return template.title or template.name


def _latex_body(variant: Variant, folder: str, pages: int) -> str:
    t = variant.template
    title = f"{_latex_text(exercise_title(t))}, variant {variant.number}"
    given = ", ".join(f"${latex_name(n)} = {v}$" for n, v in variant.leaves.items())
    extra = ", ".join(f"${_latex_subject(k)}$" for k in _off_chart(variant))
    question = " ".join(_latex_text(line) for line in _instructions(t.loss))
    parts = []
    for k in range(1, pages + 1):
        where = f"part {k} of {pages}, cut between boxes" if pages > 1 else "the chart"
        parts += [r"\clearpage",
                  rf"{{\small {title} \textemdash{{}} {where}}}\par\smallskip",
                  rf"\includegraphics{{{folder}chart-{k}.pdf}}\par"]  # actual size
    return "\n".join([
        rf"\raggedright\textbf{{\large Backpropagation by hand: {title}}}\par\medskip",
        r"Name: \rule{9cm}{0.4pt}\par\bigskip",
        rf"{question}\par\medskip",
        rf"\textbf{{Given:}} {given}\par\medskip",
        *([rf"\textbf{{Also find:}} {extra}\par\medskip"] if extra else []),
        r"\textbf{Working}\par",
        *parts])


def _latex_subject(key: Key) -> str:
    top, name = key
    if top is None:
        return latex_name(name)
    return rf"\partial {latex_name(top)}/\partial {latex_name(name)}"


_MATH_WORD = re.compile(r"∂(\w+)/∂(\w+)")


def _latex_text(text: str) -> str:
    """Instruction text for LaTeX: ∂L/∂node in math, the rest through `latex_text`."""
    pieces = _MATH_WORD.split(text)  # text, top, bottom, text, top, bottom, …, text
    out = [latex_text(pieces[0])]
    for k in range(1, len(pieces), 3):
        out += [rf"$\partial {latex_name(pieces[k])}/\partial "
                rf"\text{{{latex_text(pieces[k + 1])}}}$", latex_text(pieces[k + 2])]
    return "".join(out)


# ---------------------------------------------------------------------------------------
# The teacher's index
# ---------------------------------------------------------------------------------------


def index_markdown(template: Template, variants: Sequence[Variant], folders: Sequence[Path],
                   root: Path, command: str = "") -> str:
    """One table: variant, seed, the leaves' numbers, the variant's folder."""
    changed = [n for n in template.leaves if len({v.leaves[n] for v in variants}) > 1]
    same = {n: variants[0].leaves[n] for n in template.leaves if n not in changed}
    kept = [f"{n} = {x}" for n, x in same.items() if x == template.leaves[n]]
    drawn = [f"{n} = {x}" for n, x in same.items() if x != template.leaves[n]]
    head = ["| variant | seed | folder | " + " | ".join(changed) + " |",
            "|" + " --- |" * (3 + len(changed))]
    rows = [f"| {v.number} | {v.seed}/{v.number} | [{f.relative_to(root)}]"
            f"({f.relative_to(root)}/) | " + " | ".join(v.leaves[n] for n in changed) + " |"
            for v, f in zip(variants, folders)]
    made = [f"Made with `{command}`; the same command makes the same variants on any "
            "machine.", ""] if command else []
    return "\n".join([
        f"# Exercise: {template.name}, {plural(len(variants), 'variant')}", "", *made,
        "Variant k of seed S draws its numbers from `random.Random(\"S/k\")` "
        "(the *seed* column).",
        *(["Kept as in the source: " + ", ".join(kept) + "."] if kept else []),
        *(["Drawn, the same in every variant: " + ", ".join(drawn) + "."] if drawn else []),
        "",
        "For the student: `handout.md` (with `chart.svg`), or the variant's pages of "
        "`handouts.pdf` (all the handouts in variant order, each from a new page; "
        "`handout.tex` makes one alone), and `worksheet.txt`. For the teacher: `key.txt` "
        "(`scalargrad check key.txt` passes) and `solution.md`.", "", *head, *rows, ""])
