"""The class in Chromium: a teacher and three students in separate sessions at once (join,
type right and wrong numbers, see marks, the dashboard updates, an answer typed offline
sent when the network returns, release, each student's own animation under the server's
CSP, export), by keyboard only; screenshots at a
phone's size and at 1280 × 720 and 1920 × 1080; an axe-core scan with no serious or
critical violation on the student's and the teacher's pages.  Uses Debian's Chromium
through playwright; axe-core from npm (``SCALARGRAD_AXE``: the path of ``axe.min.js``,
set by .ci/run)."""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scalargrad.classroom.server import load_lesson
from scalargrad.classroom.variants import rounded
from scalargrad.walkthrough import steps

SEED = Path(__file__).parent.parent / "scalargrad" / "worksheets" / "seed001_x1.txt"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
NAMES = ["Ann", "<img src=x onerror=alert(1)>", "Cy \"'&"]
SIZES = [(390, 844), (1280, 720), (1920, 1080)]


@pytest.fixture(scope="module")
def browser(needs):
    needs(importlib.util.find_spec("playwright") is not None and Path(CHROMIUM).exists(),
          "playwright and Chromium", "pip install playwright; apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    db = tmp_path_factory.mktemp("class") / "class.sqlite"
    process = subprocess.Popen(
        [sys.executable, "-m", "scalargrad", "serve", str(SEED), "--variants", "3",
         "--seed", "7", "--db", str(db), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    said = ""
    for line in process.stdout:  # type: ignore[union-attr]
        said += line
        if line.startswith("Database:"):
            break
    student = re.search(r"open (\S+)", said)[1]  # type: ignore[index]
    teacher = re.search(r"Teacher \(keep this secret\): (\S+)", said)[1]  # type: ignore[index]
    time.sleep(1.0)
    yield student, teacher
    process.terminate()
    try:
        process.wait(5)
    except subprocess.TimeoutExpired:  # an event stream still open
        process.kill()
        process.wait(5)


def shoot(page, name: str, out: Path) -> Path:
    path = out / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def test_a_class_in_chromium(browser, server, tmp_path):
    student_url, teacher_url = server
    out = Path(os.environ.get("SCALARGRAD_SCREENSHOTS", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    lesson = load_lesson(str(SEED), variants=3, seed="7")
    dialogs: list[str] = []
    teacher_ctx = browser.new_context(viewport={"width": 1920, "height": 1080})
    teacher = teacher_ctx.new_page()
    teacher.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    teacher.goto(teacher_url)
    assert "token=" not in teacher.url

    students = []
    for k, name in enumerate(NAMES):
        width, height = SIZES[k]
        ctx = browser.new_context(viewport={"width": width, "height": height})
        page = ctx.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(student_url)
        # keyboard only: the code is filled in from the address; Tab to the name, type, Enter
        page.focus("#code")
        page.keyboard.press("Tab")
        page.keyboard.type(name)
        page.keyboard.press("Enter")
        page.wait_for_url("**/class")
        variant = lesson.variant(ctx.request.get(student_url.split("/?")[0] +
                                                 "/api/state").json()["variant"])
        first, second = lesson.boxes[0], lesson.boxes[1]
        assert page.evaluate("document.activeElement.id") == f"in-{first.id}"
        page.keyboard.type(rounded(variant.exact(first.key)))
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == f"in-{second.id}"
        page.keyboard.type(rounded(variant.exact(second.key) * 3 + 1))
        page.wait_for_selector(f"#in-{first.id}.right", timeout=10_000)
        page.wait_for_selector(f"#in-{second.id}.wrong", timeout=10_000)
        students.append((page, ctx))

    # (locators, not wait_for_function: the page's CSP forbids evaluating strings)
    teacher.locator("#roster tbody tr").nth(2).wait_for(timeout=10_000)
    tiles = teacher.locator(".tile")
    teacher.locator(".tile", has_text="100%·3").first.wait_for(timeout=5_000)
    assert tiles.count() >= 40
    roster = teacher.inner_text("#roster")
    assert not any(n in roster for n in NAMES)  # pseudonyms on the projector
    teacher.check("#names")
    teacher.locator("#roster td", has_text="Ann").first.wait_for()
    assert NAMES[1] in teacher.inner_text("#roster")  # shown as text, not run
    teacher.uncheck("#names")
    # keyboard: a tile, Enter, the box's answers with the checker's diagnosis
    teacher.locator(".tile").nth(0).focus()
    teacher.keyboard.press("Enter")
    teacher.wait_for_selector("#detail table")
    shoot(teacher, "teacher-1920x1080", out)
    for (width, height), (page, _) in zip(SIZES, students):
        shoot(page, f"student-{width}x{height}", out)

    # offline: the answer waits in localStorage, then is sent when the network returns
    page, ctx = students[0]
    variant = lesson.variant(ctx.request.get(student_url.split("/?")[0] +
                                             "/api/state").json()["variant"])
    third = lesson.boxes[2]
    ctx.set_offline(True)
    page.fill(f"#in-{third.id}", rounded(variant.exact(third.key)))
    page.wait_for_timeout(1000)
    assert "pending" in page.get_attribute(f"#in-{third.id}", "class")
    kept = page.evaluate("JSON.stringify(Object.assign({}, localStorage))")
    assert f'\\"{third.id}\\"' in kept
    ctx.set_offline(False)
    page.wait_for_selector(f"#in-{third.id}.right", timeout=10_000)
    stored = ctx.request.get(student_url.split("/?")[0] + "/api/state").json()["answers"]
    assert {a["box"]: a["kind"] for a in stored}[third.id] == "right"

    teacher.click("button[data-action=release]")
    for page, _ in students:
        page.wait_for_selector("#solution:not([hidden])", timeout=10_000)
        assert "∂L/∂" in page.inner_text("#walkthrough")
    # the student's own animation, under the server's CSP (no inline script)
    page, ctx = students[2]
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda err: refused.append(str(err)))
    page.click("a[href='/animation']")
    page.wait_for_url("**/animation")
    n = len(steps(lesson.variant(ctx.request.get(student_url.split("/?")[0] +
                                                 "/api/state").json()["variant"]).root)
            .of_kind("backward"))
    page.locator("#counter", has_text=f"step 0 / {n}").wait_for(timeout=10_000)
    page.keyboard.press("End")
    page.locator("#counter", has_text=f"step {n} / {n}").wait_for(timeout=5_000)
    assert "∂L/∂" in page.inner_text("#line")
    shoot(page, "student-animation-1920x1080", out)
    assert refused == []
    grades = teacher_ctx.request.get(teacher_url.split("?")[0] + "/grades.csv").text()
    assert len(grades.strip().splitlines()) == 4
    teacher.set_viewport_size({"width": 1280, "height": 720})
    shoot(teacher, "teacher-1280x720", out)
    shoot(students[1][0], "student-released-1280x720", out)
    assert dialogs == []


def test_axe_finds_no_serious_violation(browser, server, needs):
    axe = os.environ.get("SCALARGRAD_AXE", str(
        Path(__file__).parent.parent / ".ci/node/node_modules/axe-core/axe.min.js"))
    needs(Path(axe).is_file(), "axe-core", "npm install axe-core (.ci/run does)")
    student_url, teacher_url = server
    found = {}
    for name, url in (("teacher", teacher_url), ("student", student_url)):
        ctx = browser.new_context(bypass_csp=True, viewport={"width": 1280, "height": 720})
        page = ctx.new_page()
        page.goto(url)
        if name == "student":
            page.fill("#name", f"axe {time.time()}")
            page.click("button[type=submit]")
            page.wait_for_url("**/class")
        page.wait_for_timeout(500)
        page.add_script_tag(path=axe)
        result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        found[name] = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                       for v in result["violations"]
                       if v["impact"] in ("serious", "critical")]
        ctx.close()
    assert found == {"teacher": [], "student": []}
