"""The class server over HTTP (Starlette's TestClient), on SQLite and on PostgreSQL
(``SCALARGRAD_TEST_PG=postgresql://user:password@127.0.0.1/db``; with CI set, a missing
PostgreSQL fails instead of skipping).

Oracles: a box's mark against `scalargrad check` on the same numbers written into the
variant's worksheet by the test itself; the exports against ``check --format json``; the
secrecy of the key by searching every response a student gets for the key's numbers.
"""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
from pathlib import Path

import pytest

import scalargrad as sg
from scalargrad.chart.style import format_number
from scalargrad.classroom.server import Config, create_app, load_lesson
from scalargrad.classroom.server.security import MAX_BODY
from scalargrad.classroom.server.store import StoreError
from scalargrad.classroom.variants import rounded
from scalargrad.grading import check
from scalargrad.worksheet import parse

with warnings.catch_warnings():  # newer Starlette would rather have httpx2: the same API
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

SEED = Path(__file__).parent.parent / "scalargrad" / "worksheets" / "seed001_x1.txt"
HOSTILE = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "Ann & {{csrf}}",
           "=HYPERLINK(\"http://x\")", "Zoë 李 \u202e evil"]


@pytest.fixture(scope="module")
def lesson():
    return load_lesson(str(SEED), variants=3, seed="7")


@pytest.fixture
def url(class_db_url):
    return class_db_url


MADE: list = []
"""The apps a test made: their database connections are closed after it (a TestClient used
without ``with`` runs no shutdown), not left to the garbage collector in a later test."""


@pytest.fixture(autouse=True)
def _close_databases():
    yield
    while MADE:
        MADE.pop().state.the_class.store.engine.dispose()


def make(lesson, url, **options):
    app = create_app(Config(lesson, url, **options))
    MADE.append(app)
    return app, app.state.the_class


def join(app, row, name="Ann", code=None):
    """A new browser that joins as ``name``: (client, the page's CSRF token)."""
    client = TestClient(app, base_url="http://127.0.0.1:8000")
    page = client.get("/")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)[1]
    done = client.post("/join", data={"code": code or row.join_code, "name": name,
                                      "csrf": csrf}, follow_redirects=False)
    if done.status_code != 303:
        return client, done
    page = client.get("/class")
    return client, re.search(r'<meta name="csrf" content="([^"]+)"', page.text)[1]


def teacher(app, row):
    client = TestClient(app, base_url="http://127.0.0.1:8000")
    assert client.get(f"/teacher?token={row.teacher_token}").status_code == 200
    return client


def send(client, csrf, box, text, seq):
    return client.post("/api/answer", json={"box": box, "text": text, "seq": seq},
                       headers={"x-csrf-token": csrf})


def own_worksheet(variant, answers_by_key):
    """The variant's worksheet with the answers written in by this test (every ? line
    answered or dropped): the oracle's input, made without the server's code."""
    lines = []
    for line in variant.text().splitlines():
        if line.endswith(" = ?"):
            subject = line[:-4]
            key = (tuple(subject[1:].split("/∂")) if subject.startswith("∂")
                   else (None, subject.split(" = ")[0]))
            if key in answers_by_key:
                line = f"{subject} = {answers_by_key[key]}"
            elif key[0] is not None:
                continue
            else:
                line = subject
        lines.append(line)
    return "\n".join(lines)


def test_join_answer_and_marks_agree_with_the_checker(lesson, url):
    app, c = make(lesson, url, feedback="hints")
    row = c.row()
    client, csrf = join(app, row)
    me = c.store.roster()[0]
    variant = lesson.variant(me["variant"])
    # right (rounded), right at 2 digits, a slip, cut off, one that follows from a slip
    typed = {}
    for box in lesson.boxes[:10]:
        exact = variant.exact(box.key)
        typed[box.id] = rounded(exact)
    b = lesson.boxes
    typed[b[0].id] = rounded(variant.exact(b[0].key) * 1.37)          # a1: slip
    assert [x.name for x in b[:4]] == ["a₁", "b₁", "c₁", "d₁"]          # d1 = a1 + b1
    typed[b[3].id] = rounded(float(typed[b[0].id]) + float(typed[b[1].id]))  # follows
    exact4 = variant.exact(b[5].key)                                    # f1: cut off
    typed[b[5].id] = f"{int(exact4 * 10**5) / 10**5:.5f}" if exact4 > 0 else typed[b[5].id]
    for seq, (box_id, text) in enumerate(typed.items(), start=1):
        assert send(client, csrf, box_id, text, seq).status_code == 200
    replies = {a["box"]: a for a in client.get("/api/state").json()["answers"]}
    report = check(parse(own_worksheet(variant, {lesson.by_id[i].key: t
                                                 for i, t in typed.items()}), "oracle"))
    oracle = {(v.claim.top, v.claim.name): v.kind for v in report.verdicts}
    kinds = {replies[i]["kind"] for i in typed}
    assert {"right", "slip", "follows"} <= kinds, kinds  # the cases above do occur
    for box_id in typed:
        assert replies[box_id]["kind"] == oracle[lesson.by_id[box_id].key], box_id


def test_no_answer_reaches_a_student_before_release(lesson, url):
    app, c = make(lesson, url, feedback="hints")
    row = c.row()
    seen: list[str] = []
    client = TestClient(app, base_url="http://127.0.0.1:8000")
    seen.append(client.get("/").text)
    client, csrf = join(app, row, "Bo")
    me = c.store.roster()[0]
    variant = lesson.variant(me["variant"])
    seen += [client.get("/class").text, client.get("/api/solution").text]
    seen += [client.get(f"/static/{f}").text for f in ("student.js", "style.css")]
    early = client.get("/animation")
    assert early.status_code == 403
    seen += [early.text, client.get("/animation.js").text, client.get("/animation.css").text]
    for seq, box in enumerate(lesson.boxes, start=1):  # every box wrong, then cut off
        exact = variant.exact(box.key)
        seen.append(send(client, csrf, box.id, rounded(exact * 1.5 + 0.013), seq).text)
    for mode in ("marks", "release"):
        c.store.set(feedback=mode)
        seen.append(client.get("/api/state").text)
        seen.append(send(client, csrf, lesson.boxes[3].id, "0.123456", 10_000).text)
    given = set(variant.leaves.values())
    secrets = set()
    for box in lesson.boxes:
        exact = variant.exact(box.key)
        shown = rounded(exact)
        if len(shown.strip("-0.")) >= 3 and shown not in given:
            secrets |= {shown, repr(exact), f"{exact:.6g}"}
    assert len(secrets) > 40
    everything = "\n".join(seen)
    # as a whole number, not inside a longer one (an SVG coordinate 346.68 holds 46.6)
    leaked = sorted(s for s in secrets
                    if re.search(rf"(?<![\d.]){re.escape(s)}(?!\d)", everything))
    assert not leaked, leaked
    c.store.set(released=True)  # the test can fail: after release the key is there
    released = client.get("/api/solution").json()
    assert rounded(variant.exact(lesson.boxes[-1].key))[:5] in released["svg"] + \
        released["walkthrough"]
    animation = client.get("/animation").text
    assert f"{abs(variant.exact(lesson.boxes[-1].key)):.4g}" in animation  # this variant's


def test_the_animation_is_served_without_inline_script(lesson, url):
    app, c = make(lesson, url)
    client, _ = join(app, c.row())
    c.store.set(released=True)
    page = client.get("/animation")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page.text, re.S)
    assert [a for a, body in scripts if body.strip()] == [' type="application/json" id="steps"']
    assert ' src="/animation.js"' in [a for a, _ in scripts]
    assert "<style" not in page.text and "http-equiv" not in page.text
    code = client.get("/animation.js")
    assert code.headers["content-type"].startswith("text/javascript")
    assert "getElementById(\"steps\")" in code.text  # the template's own script
    assert client.get("/animation.css").headers["content-type"].startswith("text/css")
    stranger = TestClient(app, base_url="http://127.0.0.1:8000")
    assert stranger.get("/animation").status_code == 401


def test_resending_is_idempotent_and_older_answers_lose(lesson, url):
    app, c = make(lesson, url)
    client, csrf = join(app, c.row())
    first = send(client, csrf, "b0", "0.5", 5).json()
    again = send(client, csrf, "b0", "0.5", 5).json()
    older = send(client, csrf, "b0", "0.7", 4).json()
    assert first == again
    assert older["text"] == "0.5" and older["seq"] == 5
    assert len(c.store.all_answers()) == 1


def test_bad_answers_are_refused_with_a_reason(lesson, url):
    app, c = make(lesson, url)
    client, csrf = join(app, c.row())
    assert send(client, csrf, "b999", "1", 1).status_code == 400
    assert send(client, csrf, "b0", 1.5, 1).status_code == 400
    assert send(client, csrf, "b0", "1", -1).status_code == 400
    bad = client.post("/api/answer", content=b"{not json", headers={"x-csrf-token": csrf})
    assert bad.status_code == 400 and "box" in bad.json()["error"]
    assert send(client, csrf, "b0", "1/2", 1).json()["kind"] == "unreadable"


def test_cross_site_requests_are_refused(lesson, url):
    app, c = make(lesson, url)
    row = c.row()
    client, csrf = join(app, row)
    assert send(client, "", "b0", "1", 1).status_code == 403
    assert send(client, csrf + "0", "b0", "1", 1).status_code == 403
    evil = client.post("/api/answer", json={"box": "b0", "text": "1", "seq": 1},
                       headers={"x-csrf-token": csrf, "origin": "http://evil.example"})
    assert evil.status_code == 403
    stranger = TestClient(app, base_url="http://127.0.0.1:8000")
    stranger.get("/")
    forged = stranger.post("/join", data={"code": row.join_code, "name": "X", "csrf": "0"})
    assert forged.status_code == 403
    t = teacher(app, row)
    assert t.post("/teacher/api/control", json={"action": "close"}).status_code == 403
    assert c.row().is_open
    assert c.store.all_answers() == []


def test_every_page_has_the_headers(lesson, url):
    app, c = make(lesson, url)
    row = c.row()
    client, _ = join(app, row)
    t = teacher(app, row)
    for response in [client.get("/"), client.get("/class"), client.get("/api/state"),
                     t.get("/teacher"), t.get("/teacher/api/state"),
                     client.get("/static/student.js"), client.get("/teacher"),
                     client.get("/animation.js")]:
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["referrer-policy"] == "same-origin"
    for html in (client.get("/class").text, t.get("/teacher").text):
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
        assert all("src=" in attrs or 'type="application/json"' in attrs
                   for attrs, _ in scripts)
        assert "http://" not in re.sub(r'xmlns(:\w+)?="[^"]*"|<!DOCTYPE[^>]*>|'
                                       r'"http://www\.w3\.org[^"]*"', "", html).replace(
            "http://127.0.0.1:8000/?code=", "")  # no CDN, no external font


def test_teacher_token_and_cookie(lesson, url):
    app, c = make(lesson, url)
    row = c.row()
    assert len(row.teacher_token) * 6 >= 128
    stranger = TestClient(app, base_url="http://127.0.0.1:8000")
    assert stranger.get("/teacher").status_code == 403
    wrong = row.teacher_token[:-1] + ("x" if row.teacher_token[-1] != "x" else "y")
    assert stranger.get("/teacher?token=" + wrong).status_code == 403
    for path in ("/teacher/api/state", "/teacher/api/box/b0", "/teacher/grades.csv",
                 "/teacher/submissions.json", "/teacher/events"):
        assert stranger.get(path).status_code == 403, path
    first = stranger.get(f"/teacher?token={row.teacher_token}", follow_redirects=False)
    cookie = first.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert first.headers["location"] == "/teacher"
    student, _ = join(app, row, "Cy")
    assert student.get("/teacher/api/state").status_code == 403


def test_join_code_roster_names_and_removal(lesson, url):
    app, c = make(lesson, url, roster=frozenset({"ann", "bo"}))
    row = c.row()
    _, wrong = join(app, row, "Ann", code="AAAAAA")
    assert wrong.status_code == 403 and "join code" in wrong.text
    _, stranger = join(app, row, "Mallory")
    assert stranger.status_code == 400 and "class list" in stranger.text
    ann, csrf = join(app, row, "Ann")
    _, twice = join(app, row, "ANN")
    assert twice.status_code == 409
    t = teacher(app, row)
    t_csrf = re.search(r'<meta name="csrf" content="([^"]+)"', t.get("/teacher").text)[1]
    control = lambda **sent: t.post("/teacher/api/control", json=sent,  # noqa: E731
                                    headers={"x-csrf-token": t_csrf})
    assert control(action="expire").status_code == 200
    _, late = join(app, row, "Bo")
    assert late.status_code == 403
    assert control(action="new code").status_code == 200
    assert c.row().join_code != row.join_code and c.row().joining
    assert control(action="remove", student=c.store.roster()[0]["id"]).status_code == 200
    assert ann.get("/api/state").status_code == 401
    assert send(ann, csrf, "b0", "1", 1).status_code == 401
    assert join(app, c.row(), "Ann")[0].get("/api/state").status_code == 200
    assert control(action="nonsense").status_code == 400


def test_hostile_names_are_escaped(lesson, url):
    app, c = make(lesson, url)
    row = c.row()
    for name in HOSTILE:
        client, csrf = join(app, row, name)
        assert isinstance(csrf, str), name
        page = client.get("/class").text
        assert "<script>alert" not in page and "<img src=x" not in page
    t = teacher(app, row)
    shown = t.get("/teacher/api/state?names=1").json()["students"]
    assert [s["shown"] for s in shown] == [" ".join(n.replace("\u202e", "").split())
                                          for n in HOSTILE]
    anonymous = t.get("/teacher/api/state").json()["students"]
    assert not {s["shown"] for s in anonymous} & set(HOSTILE)
    assert anonymous == t.get("/teacher/api/state").json()["students"]  # stable
    grades = list(csv.reader(io.StringIO(t.get("/teacher/grades.csv").text)))
    assert [row[0] for row in grades if "HYPERLINK" in row[0]] == ["'" + HOSTILE[3]]
    _, refused = join(app, row, "<b>x</b>", code="<script>")
    assert "<script>" not in refused.text and "&lt;b&gt;x&lt;/b&gt;" in refused.text


def test_feedback_modes_and_release(lesson, url):
    app, c = make(lesson, url, feedback="release")
    row = c.row()
    client, csrf = join(app, row)
    reply = send(client, csrf, "b0", "12345", 1).json()
    assert reply["saved"] and "kind" not in reply and "hint" not in reply
    assert client.get("/api/solution").status_code == 403
    c.store.set(feedback="marks")
    assert client.get("/api/state").json()["answers"][0]["kind"] == "wrong"
    c.store.set(is_open=False)
    assert send(client, csrf, "b0", "1", 2).status_code == 409
    c.store.set(is_open=True, released=True)
    state = client.get("/api/state").json()
    assert state["released"] and state["answers"][0]["kind"] == "slip"
    assert "slip" in state["answers"][0]["hint"]
    solution = client.get("/api/solution").json()
    assert solution["svg"].startswith("<svg") and "∂L/∂" in solution["walkthrough"]


def test_exports_match_the_checker(lesson, url, tmp_path):
    app, c = make(lesson, url)
    row = c.row()
    client, csrf = join(app, row, "Dee")
    variant = lesson.variant(c.store.roster()[0]["variant"])
    answers = {}
    for seq, box in enumerate(lesson.boxes[:6], start=1):
        answers[box.key] = rounded(variant.exact(box.key) * (1 if seq % 2 else 1.2))
        send(client, csrf, box.id, answers[box.key], seq)
    t = teacher(app, row)
    grades = t.get("/teacher/grades.csv")
    assert grades.headers["content-type"].startswith("text/csv")
    head, line = grades.text.splitlines()
    assert head == "Student,SIS Login ID,Variant,Right,Out of,Percent"
    report = check(parse(own_worksheet(variant, answers), "oracle"))
    right = sum(v.right for v in report.verdicts)
    assert line.split(",")[:5] == ["Dee", "Dee", str(variant.number), str(right),
                                   str(len(lesson.boxes))]
    exported = json.loads(t.get("/teacher/submissions.json").text)
    verdicts = exported["files"][0]["verdicts"]
    assert [(v["claim"], v["kind"]) for v in verdicts] == \
        [(v.claim.subject, v.kind) for v in report.verdicts]


def test_restart_resumes_the_class(lesson, url):
    app, c = make(lesson, url)
    row = c.row()
    client, csrf = join(app, row, "Eve")
    send(client, csrf, "b1", "0.1", 1)
    again, c2 = make(lesson, url)
    assert c2.row() == c.row()
    client.app = again  # the same browser, the server restarted
    assert client.get("/api/state").json()["answers"][0]["text"] == "0.1"
    other = load_lesson(str(SEED), variants=2, seed="7")
    with pytest.raises(StoreError, match="another class"):
        make(other, url)


def test_limits(lesson, url):
    app, c = make(lesson, url, student_rate=(0.001, 5.0))  # no refill: load-proof
    client, csrf = join(app, c.row())
    big = client.post("/api/answer", content=b"x" * (MAX_BODY + 1),
                      headers={"x-csrf-token": csrf})
    assert big.status_code == 413
    codes = [send(client, csrf, "b0", "1", k).status_code for k in range(1, 12)]
    assert 429 in codes and codes[0] == 200


def test_dashboard_counts_and_the_checkers_diagnosis(lesson, url):
    app, c = make(lesson, url)  # marks mode: wrong boxes are diagnosed when looked at
    row = c.row()
    ann, ann_csrf = join(app, row, "Ann")
    bo, bo_csrf = join(app, row, "Bo")
    variants = {s["name"]: lesson.variant(s["variant"]) for s in c.store.roster()}
    b0, b1 = lesson.boxes[0], lesson.boxes[1]
    typed = {b0.key: rounded(variants["Ann"].exact(b0.key)),
             b1.key: rounded(variants["Ann"].exact(b1.key) * 2 + 0.1)}
    send(ann, ann_csrf, b0.id, typed[b0.key], 1)
    send(ann, ann_csrf, b1.id, typed[b1.key], 2)
    send(bo, bo_csrf, b0.id, rounded(variants["Bo"].exact(b0.key) + 1), 1)
    t = teacher(app, row)
    state = t.get("/teacher/api/state?names=1").json()
    counts = {b["id"]: (b["answered"], b["right"]) for b in state["boxes"]}
    assert counts[b0.id] == (2, 1) and counts[b1.id] == (1, 0) and counts["b2"] == (0, 0)
    people = {s["shown"]: s for s in state["students"]}
    assert (people["Ann"]["answered"], people["Ann"]["right"]) == (2, 1)
    assert people["Ann"]["stuck"] == b1.name and people["Bo"]["stuck"] == b0.name
    oracle = check(parse(own_worksheet(variants["Ann"], typed), "oracle"))
    expected = next(v for v in oracle.verdicts if (v.claim.top, v.claim.name) == b1.key)
    detail = t.get(f"/teacher/api/box/{b1.id}?names=1").json()
    assert detail["groups"] == [{"kind": expected.kind, "count": 1, "answers": [
        {"who": "Ann", "text": typed[b1.key], "note": expected.note}]}]
    assert t.get(f"/teacher/api/box/{b0.id}").json()["groups"][0]["kind"] == "right"


def test_a_folder_from_scalargrad_exercise_is_served_with_its_own_variants(tmp_path):
    from scalargrad.classroom import exercise
    from scalargrad.classroom.server.runner import default_database

    exercise(SEED, tmp_path / "ex", variants=2, seed="3", pdf=False)
    served = load_lesson(str(tmp_path / "ex"))
    assert len(served.variants) == 2
    for number in (1, 2):  # the folder's own answer key is right, box by box
        key = check(parse((tmp_path / f"ex/variant-0{number}/key.txt")
                          .read_text(encoding="utf-8"), "key"))
        written = {(v.claim.top, v.claim.name): v.claim.written for v in key.verdicts}
        boxes = [b for b in served.boxes if b.key in written]
        assert len(boxes) >= 10
        assert all(served.mark(number, b.id, written[b.key]).right for b in boxes)
    assert default_database(str(tmp_path / "ex"), served, False) == tmp_path / "ex/class.sqlite"
    sheet = tmp_path / "mine.txt"
    sheet.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    assert default_database(str(sheet), served, True) == tmp_path / "mine.class.sqlite"
    shipped = default_database(str(SEED), served, True)
    assert shipped.parent == Path(".") and shipped.name.startswith("scalargrad-class-")


def test_serve_refuses_bad_options_in_one_line(capsys):
    from scalargrad.cli import main

    assert main(["serve", str(SEED), "--certfile", "c.pem"]) == 2
    assert main(["serve", "nothere.txt"]) == 2
    assert main(["serve", str(SEED), "--at", "x=1"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 3 and all(line.startswith("scalargrad serve: error:") for line in err)


def test_the_solution_chart_after_the_blank_one_shows_each_gradient_once():
    """The blank chart and then the solution of one variant: each ran backward() from the
    same root, so the leaves' gradients were summed twice (RepeatedBackwardWarning) and the
    released solution would have shown 2 × ∂L/∂leaf. The oracle: the variant's exact
    gradients (mpmath, from its worksheet, not from the engine's graph)."""
    lesson = load_lesson(str(SEED), variants=1, seed="11")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a second backward from the same root fails here
        lesson.blank_svg(1)
        svg = lesson.solution_svg(1)
    variant = lesson.variant(1)
    loss = variant.template.loss
    leaves = [n for n in sg.topological_order(variant.root) if n.label in variant.leaves]
    assert len(leaves) > 3
    for leaf in leaves:
        exact = float(variant.exact((loss, leaf.label)))
        assert leaf.grad == pytest.approx(exact, rel=1e-9, abs=1e-15), leaf.label
        assert format_number(exact, 4) in svg, leaf.label
