"""What a class works on: the variants of one exercise, their boxes, and the grading of
one box by the checker's rules.

A *box* is one number a student finds: the value of a node or ∂L/∂node, one per entry of
the template's ``asks`` (`scalargrad.classroom.variants`), numbered ``b0, b1, …`` in the
order a person works; every variant has the same boxes (its numbers differ).

Grading one box.  A number is right when `holds` says the exact value rounds to it at the
digits written (the checker's rule, `scalargrad.grading.precision`): that is the mark a
student gets as they type, in microseconds.  Why a wrong one is wrong is for
`scalargrad.grading.check` itself (`Lesson.diagnose`), on the variant's worksheet holding
the student's answers: whether it follows from the student's own earlier numbers, was
cut off instead of rounded, or is a slip (with what the student's numbers give).  That
takes milliseconds to tens of milliseconds, so it is done when someone needs it: at once
with hints on, else when the teacher looks at a box, at release and for the export.
"""

from __future__ import annotations

import hashlib
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from ...chart.drawing import to_svg
from ...engine import topological_order
from ...grading import check
from ...grading.precision import holds
from ...grading.reports import GradedFile, files_json
from ...graph import pretty_label
from ...walkthrough import steps
from ...worksheet import parse
from ..animation import animate
from ..variants import Key, Template, Variant, from_expression, load_template, make_variants

NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,3})?")
"""What a student may send for a box: a plain decimal number (``0.52``, ``-7.9e-2``).
Anything else is marked unreadable and never reaches a worksheet."""
MAX_ANSWER = 40
"""The longest answer kept, in characters."""


class LessonError(ValueError):
    """A source that cannot be served: says what is wrong with it."""


@dataclass(frozen=True)
class Box:
    """One box: ``id`` (``b3``), what it asks (``key``), how it is shown (``name``,
    ``∂L/∂a₁``), ``kind`` (``data`` or ``grad``) and whether the chart has it."""

    id: str
    key: Key
    name: str
    kind: str
    on_chart: bool


@dataclass(frozen=True)
class Mark:
    """A box graded: ``kind`` is the checker's (right, slip, follows, cut off) or
    ``unreadable``; ``note`` is the checker's note, for the teacher (it may hold numbers
    near the answer); ``hint`` is what a student may read before release (no number
    but their own)."""

    kind: str
    note: str = ""
    hint: str = ""

    @property
    def right(self) -> bool:
        return self.kind == "right"


class Lesson:
    """The exercise a class works on: a template and its variants."""

    def __init__(self, name: str, template: Template, variants: list[Variant],
                 fingerprint: str) -> None:
        self.name = name
        self.template = template
        self.variants = variants
        self.fingerprint = fingerprint
        loss = template.loss
        self.boxes = [Box(f"b{i}", key, _shown(key), "data" if key[0] is None else "grad",
                          key[0] in (None, loss)) for i, key in enumerate(template.asks)]
        self.by_id = {box.id: box for box in self.boxes}
        self._svg_cache: dict[tuple[int, bool], str] = {}
        self._animations: dict[int, str] = {}
        self._drawing = threading.Lock()  # drawing sets the variant's .grad for a moment

    def variant(self, number: int) -> Variant:
        """Variant ``number`` (1-based)."""
        return self.variants[number - 1]

    def chart_ids(self, number: int) -> dict[str, str]:
        """Box id → the id of its empty box in the blank chart (``v12_data``)."""
        variant = self.variant(number)
        ids = {node: f"v{i}" for i, node in enumerate(topological_order(variant.root))}
        values = variant.worksheet.values
        return {box.id: f"{ids[values[box.key[1]]]}_{box.kind}"
                for box in self.boxes if box.on_chart and values[box.key[1]] in ids}

    def blank_svg(self, number: int) -> str:
        """The variant's blank chart: the leaves printed, every other box empty."""
        return self._svgs(number, blank=True)

    def solution_svg(self, number: int) -> str:
        """The variant's chart with every value and gradient (after release)."""
        return self._svgs(number, blank=False)

    def walkthrough(self, number: int) -> str:
        """The variant's worked solution, forward and backward (after release)."""
        return steps(self.variant(number).root).text()

    def animation(self, number: int) -> str:
        """The variant's backprop animation (`scalargrad.animate`'s page, after
        release)."""
        with self._drawing:
            if number not in self._animations:
                made = animate(self.variant(number).root,
                               title=f"{self.name}: backpropagation through your variant")
                self._animations[number] = made.html  # type: ignore[union-attr]
        return self._animations[number]

    def _svgs(self, number: int, blank: bool) -> str:
        with self._drawing:
            if (number, blank) not in self._svg_cache:
                root = self.variant(number).root
                root.zero_grad()  # the blank chart and the solution: one gradient, not two
                root.backward()
                svg = to_svg(root, blank=blank, legend=False)
                self._svg_cache[number, blank] = svg[svg.index("<svg"):]
        return self._svg_cache[number, blank]

    def mark(self, number: int, box_id: str, text: str) -> Mark:
        """Right, ``wrong`` (not yet diagnosed) or unreadable: `holds`, nothing more
        (microseconds; what a student sees as they type)."""
        written = text.strip()
        if not readable(written):
            unreadable = "not a number: type digits, such as 0.52 or -7.9e-2"
            return Mark("unreadable", unreadable, unreadable)
        key = self.by_id[box_id].key
        return Mark("right" if holds(written, self.variant(number).exact(key)) else "wrong")

    def diagnose(self, number: int, answers: dict[str, str],
                 upto: str | None = None) -> dict[str, Mark]:
        """The checker's mark of every readable answer (box id → text), from one check of
        the variant's worksheet holding them (a box's verdict depends only on the
        answers above it, so ``upto`` may cut the sheet after that box)."""
        boxes = self.boxes if upto is None else \
            self.boxes[:self.boxes.index(self.by_id[upto]) + 1]
        kept = {b.id: answers[b.id] for b in boxes if readable(answers.get(b.id, ""))}
        if not kept:
            return {}
        report = check(parse(self.worksheet_text(number, kept), self.name))
        by_key = {(v.claim.top, v.claim.name): v for v in report.verdicts}
        marks = {}
        for box_id in kept:
            verdict = by_key[self.by_id[box_id].key]
            marks[box_id] = Mark(verdict.kind, verdict.note, _hint(verdict.kind, [
                f"{_shown((c.top, c.name))} = {c.written}" for c in verdict.causes]))
        return marks

    def worksheet_text(self, number: int, answers: dict[str, str]) -> str:
        """The variant's worksheet with ``answers`` (box id → a readable number) written
        in; the boxes left out are not claimed."""
        by_key = {self.by_id[b].key: text.strip() for b, text in answers.items()}
        lines = []
        for line in self.variant(number).text().splitlines():
            key = _asked(line)
            if key is not None:
                line = line[:-4] + (f" = {by_key[key]}" if key in by_key else "")
                if key[0] is not None and key not in by_key:
                    continue  # a derivative not answered: no line at all
            lines.append(line)
        return "\n".join(lines) + "\n"

    def report_json(self, sheets: list[tuple[str, int, dict[str, str]]]) -> str:
        """Every sheet graded by the checker, as ``scalargrad check --format json`` prints
        it: ``sheets`` are (file name, variant, answers)."""
        files = [GradedFile(file, report=check(parse(self.worksheet_text(
                     number, {b: t for b, t in answers.items() if readable(t)}), file)))
                 for file, number, answers in sheets]
        return files_json(files)


def _hint(kind: str, causes: list[str]) -> str:
    """A hint for a wrong box that gives nothing away: only the student's own numbers."""
    if kind == "follows":
        return (f"follows from your {', '.join(causes)}: fix that first" if causes else
                "follows from carrying rounded numbers: carry more digits")
    if kind == "cut off":
        return "cut off instead of rounded: round the last digit"
    return "not what your own numbers give: work this one out again"


def readable(text: str) -> bool:
    """Whether ``text`` is a number a worksheet may hold."""
    return len(text) <= MAX_ANSWER and NUMBER.fullmatch(text.strip()) is not None


def _asked(line: str) -> Key | None:
    """The key of a variant worksheet's line that asks for a number (ends in ``= ?``)."""
    if not line.endswith(" = ?"):
        return None
    if line.startswith("∂"):
        top, name = line[1:-4].split("/∂", 1)
        return top, name
    return None, line.split(" = ", 1)[0]


def _shown(key: Key) -> str:
    top, name = key
    return pretty_label(name) if top is None else f"∂{pretty_label(top)}/∂{pretty_label(name)}"


def load_lesson(source: str, *, at: dict[str, float] | None = None, variants: int = 1,
                seed: str = "1") -> Lesson:
    """The lesson of ``source``: a worksheet file, an expression (with ``at``), or a
    folder made by ``scalargrad exercise`` (its ``variant-NN/worksheet.txt`` files, in
    order; ``variants`` and ``seed`` are then the folder's)."""
    path = Path(source)
    if at is not None:
        template = from_expression(source, at)
        drawn = make_variants(template, variants, seed)
        name = "expression"
    elif path.is_dir():
        return _folder_lesson(path)
    else:
        template = load_template(path)
        drawn = make_variants(template, variants, seed)
        name = path.stem
    digest = hashlib.sha256("\n".join([source if at is None else repr(sorted(at.items())),
                                       *(v.text() for v in drawn)]).encode()).hexdigest()
    return Lesson(name, template, drawn, digest[:16])


def _folder_lesson(folder: Path) -> Lesson:
    """A folder made by ``scalargrad exercise``: one variant per ``variant-NN`` folder."""
    sheets = sorted(folder.glob("variant-*/worksheet.txt"))
    if not sheets:
        raise LessonError(f"{folder} holds no variant-NN/worksheet.txt: make it with "
                          "scalargrad exercise")
    templates = [load_template(sheet) for sheet in sheets]
    first = templates[0]
    drawn = []
    for number, (sheet, template) in enumerate(zip(sheets, templates), start=1):
        if template.asks != first.asks:
            raise LessonError(f"{sheet} asks for other numbers than {sheets[0]}: the "
                              "variants of one class must share one chart")
        drawn.append(Variant(first, number, folder.name, template.leaves, template.source))
    digest = hashlib.sha256("\n".join(s.read_text(encoding="utf-8") for s in sheets)
                            .encode()).hexdigest()
    return Lesson(folder.name, first, drawn, digest[:16])
