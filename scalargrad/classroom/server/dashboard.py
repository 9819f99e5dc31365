"""What the teacher's dashboard shows, computed from the database alone: each box's share
right and count answered, the answers to one box grouped by the checker's diagnosis, the
roster (finished, or stuck where), and the exports (grades CSV, submissions JSON).

Names are replaced by stable pseudonyms unless the teacher asks for them: a pseudonym is
an HMAC of the student's id under the class's secret, the same in every process and after
every restart.
"""

from __future__ import annotations

import csv
import hmac
import io
from collections import Counter, defaultdict

from .lesson import Lesson
from .store import Tally

ADJECTIVES = ("Amber", "Brave", "Calm", "Clever", "Coral", "Eager", "Gentle", "Golden",
              "Happy", "Jolly", "Keen", "Lucky", "Mellow", "Nimble", "Quiet", "Rapid",
              "Silver", "Steady", "Sunny", "Swift", "Tidy", "Witty", "Young", "Zesty")
ANIMALS = ("Badger", "Crane", "Dolphin", "Falcon", "Fox", "Gecko", "Heron", "Ibis", "Koala",
           "Lemur", "Lynx", "Marten", "Newt", "Otter", "Owl", "Panda", "Puffin", "Quail",
           "Raven", "Seal", "Tapir", "Tiger", "Wombat", "Yak")


def pseudonym(secret: str, student_id: int) -> str:
    """A student's stable pseudonym (``Swift Otter 7``: the number keeps them apart)."""
    h = hmac.new(secret.encode(), f"pseudonym:{student_id}".encode(), "sha256").digest()
    return f"{ADJECTIVES[h[0] % len(ADJECTIVES)]} {ANIMALS[h[1] % len(ANIMALS)]} {student_id}"


def summary(lesson: Lesson, roster: list[dict], tally: Tally, secret: str,
            names: bool) -> dict:
    """Every box's counts and the roster, for the dashboard."""
    boxes = [{"id": b.id, "name": b.name, "answered": tally.boxes.get(b.id, (0, 0))[0],
              "right": tally.boxes.get(b.id, (0, 0))[1]} for b in lesson.boxes]
    people = []
    for s in roster:
        answered, right = tally.students.get(s["id"], (0, 0))
        wrong = tally.wrong.get(s["id"], set())
        stuck = next((b.name for b in lesson.boxes if b.id in wrong), "")
        people.append({"id": s["id"], "shown": s["name"] if names else
                       pseudonym(secret, s["id"]), "variant": s["variant"],
                       "answered": answered, "right": right,
                       "finished": right == len(lesson.boxes), "stuck": stuck})
    return {"boxes": boxes, "students": people, "total": len(lesson.boxes)}


def box_detail(lesson: Lesson, box_id: str, roster: list[dict], answers: list[dict],
               secret: str, names: bool) -> dict:
    """The answers to one box, grouped by the checker's diagnosis (kind), each group with
    its answers and notes (variants differ, so the same kind gathers different numbers)."""
    who = {s["id"]: s["name"] if names else pseudonym(secret, s["id"]) for s in roster}
    groups: dict[str, list[dict]] = defaultdict(list)
    for a in answers:
        if a["box"] == box_id and a["kind"] != "empty" and a["student_id"] in who:
            groups[a["kind"]].append({"who": who[a["student_id"]], "text": a["text"],
                                      "note": a["note"]})
    order = ["right", "slip", "follows", "cut off", "unreadable"]
    return {"box": lesson.by_id[box_id].name,
            "groups": [{"kind": k, "count": len(groups[k]), "answers": groups[k]}
                       for k in sorted(groups, key=lambda k: [*order, k].index(k))]}


GRADE_COLUMNS = ("Student", "SIS Login ID", "Variant", "Right", "Out of", "Percent")


def grades_csv(lesson: Lesson, roster: list[dict], answers: list[dict]) -> str:
    """One row per student: the name or ID they joined with (twice: ``Student`` and
    ``SIS Login ID``, the columns Canvas matches on; Moodle maps either to a user field
    when importing), their variant, the boxes right, the boxes asked, the percentage.
    A cell that a spreadsheet would read as a formula is prefixed with ``'``."""
    right = Counter(a["student_id"] for a in answers if a["kind"] == "right")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(GRADE_COLUMNS)
    total = len(lesson.boxes)
    for s in roster:
        name = _cell(s["name"])
        writer.writerow([name, name, s["variant"], right[s["id"]], total,
                         f"{100 * right[s['id']] / total:.1f}"])
    return out.getvalue()


def _cell(text: str) -> str:
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def submissions_json(lesson: Lesson, roster: list[dict], answers: list[dict]) -> str:
    """Every student's answers graded by the checker, in ``scalargrad check --format
    json`` form: one file per student, named ``<name> (variant k)``."""
    mine: dict[int, dict[str, str]] = defaultdict(dict)
    for a in answers:
        if a["kind"] != "empty":
            mine[a["student_id"]][a["box"]] = a["text"]
    return lesson.report_json([(f"{s['name']} (variant {s['variant']})", s["variant"],
                                mine[s["id"]]) for s in roster])
