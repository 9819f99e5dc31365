"""The practice page: self-contained, and in headless Chromium it marks each box as
`scalargrad check` grades the same number (right, follows from an earlier wrong one, cut
off, slip), shows hints, and is used with the keyboard alone.

The browser is driven by the DevTools client of the animation's tests (tests/test_animation.py).
Set ``SCALARGRAD_SCREENSHOTS=DIR`` to keep the screenshots.
"""

from __future__ import annotations

import html
import importlib.util
import json
import math
import os
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import scalargrad as sg
from scalargrad.calculus import partials
from scalargrad.classroom.practice_page import answers
from scalargrad.classroom.variants import formula_text, rounded
from scalargrad.cli import main
from scalargrad.engine import topological_order
from scalargrad.grading import check
from scalargrad.grading.precision import cut_off, holds
from scalargrad.worksheet import load, parse

SEED001 = Path(sg.__file__).parent / "worksheets" / "seed001_x1.txt"


def _animation_tests():
    spec = importlib.util.spec_from_file_location(
        "scalargrad_animation_tests", Path(__file__).with_name("test_animation.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------------------------
# The answers in the page are the checker's rule, written out
# ---------------------------------------------------------------------------------------


def looked_up(table: dict, written: str) -> tuple[bool, bool]:
    """(right, cut off) for ``written`` as the page decides: by looking it up."""
    number = Decimal(written)
    k = -number.as_tuple().exponent
    key = str(int(number.scaleb(k)))
    low, high = table["decimals"]
    assert low <= k <= high, f"{written} is outside the table ({low}..{high} decimals)"
    return key in table["right"][k], key in table["cut"][k]


@given(st.floats(min_value=-1e4, max_value=1e4, allow_nan=False, allow_infinity=False),
       st.integers(min_value=0, max_value=9), st.integers(min_value=-3, max_value=3))
def test_the_tables_say_what_holds_and_cut_off_say(exact, decimals, nudge):
    """For numbers near the exact value (rounded, cut off, a unit or so either way)."""
    table = json.loads(json.dumps(answers(exact)))  # as the page reads it
    table["right"] = {int(k): v for k, v in table["right"].items()}
    table["cut"] = {int(k): v for k, v in table["cut"].items()}
    decimals = min(decimals, table["decimals"][1])  # beyond: "too many digits to check"
    unit = Decimal(1).scaleb(-decimals)
    for base in (Decimal(exact).quantize(unit), Decimal(exact).quantize(unit, "ROUND_DOWN")):
        written = str(base + nudge * unit)
        assert looked_up(table, written) == (holds(written, exact), cut_off(written, exact))


def test_a_tie_accepts_both_roundings_as_holds_does():
    right = answers(0.125)["right"]
    assert right[2] == ["12", "13"] and right[3] == ["125"] and right[1] == ["1"]


# ---------------------------------------------------------------------------------------
# The page as a file
# ---------------------------------------------------------------------------------------


def seed001_page(tmp_path: Path) -> Path:
    return sg.practice(load(SEED001).root, tmp_path / "practice.html").path


def page_data(page: Path) -> dict:
    text = page.read_text("utf-8")
    return json.loads(re.search(r'id="practice">(.*?)</script>', text, re.S)[1])


def test_the_page_is_one_self_contained_file(tmp_path):
    text = seed001_page(tmp_path).read_text("utf-8")
    urls = set(re.findall(r"https?://[^\s\"'<>)]*", text))
    assert urls <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, urls
    for loader in ("<link", " src=", "@import", "url(", "<iframe", "<img"):
        assert loader not in text
    assert "default-src 'none'" in text and text.count("<script") == 2


def test_a_box_for_every_value_and_gradient_forward_then_backward(tmp_path):
    root = load(SEED001).root
    order = topological_order(root)
    boxes = page_data(seed001_page(tmp_path))["boxes"]
    data = [b for b in boxes if b["kind"] == "data"]
    grads = [b for b in boxes if b["kind"] == "grad"]
    assert boxes == data + grads, "values first, then gradients"
    assert {b["node"] for b in data} == {f"v{i}" for i, n in enumerate(order) if n.op}
    assert {b["node"] for b in grads} == {f"v{i}" for i in range(len(order))}
    index = {b["node"]: i for i, b in enumerate(data)}
    for i, node in enumerate(order):  # forward: a value after the values it is made of
        for child in node.children if node.op else ():
            if child.op:
                assert index[f"v{order.index(child)}"] < index[f"v{i}"]
    back = {b["node"]: i for i, b in enumerate(grads)}
    for i, node in enumerate(order):  # backward: a gradient after those of its users
        for child in node.children:
            assert back[f"v{i}"] < back[f"v{order.index(child)}"]


def test_labels_cannot_break_the_page(tmp_path):
    x = sg.Value(2.0, label="</script><script>window.pwned=1</script>")
    y = x * 3
    y.label = "{{data}}<b>"
    text = sg.practice(y, tmp_path / "p.html", title="<i>T</i>").path.read_text("utf-8")
    assert text.count("<script") == 2 and "<i>T</i>" not in text and "<b>" not in text
    assert x.label not in text


def test_in_a_notebook_it_shows_itself_in_a_sandboxed_frame(tmp_path):
    page = sg.practice(load(SEED001).root)
    assert page.path is None
    frame = page._repr_html_()
    assert frame.startswith("<iframe srcdoc=") and 'sandbox="allow-scripts"' in frame
    srcdoc = re.search(r'srcdoc="([^"]*)"', frame)[1]
    assert html.unescape(srcdoc) == page.html


# ---------------------------------------------------------------------------------------
# In the browser
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser(needs):
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    needs(executable is not None, "Chromium, for the browser tests of sg.practice,",
          "apt-get install chromium")
    chromium = _animation_tests().Chromium(executable)
    yield chromium
    chromium.close()


def key(browser, name: str, code: str, keycode: int, text: str = "", shift=False) -> None:
    modifiers = 8 if shift else 0
    for kind in ("keyDown", "keyUp"):
        params = dict(type=kind, key=name, code=code, windowsVirtualKeyCode=keycode,
                      modifiers=modifiers)
        if kind == "keyDown" and text:
            params["text"] = text
        browser.call("Input.dispatchKeyEvent", session=True, **params)


def type_text(browser, text: str) -> None:
    """Type ``text`` key by key into the focused element."""
    for ch in text:
        code = {"-": "Minus", ".": "Period", "?": "Slash", ",": "Comma"}.get(ch, f"Digit{ch}")
        key(browser, ch, code, ord(ch.upper()) if ch.isdigit() else 0, ch, shift=ch == "?")


def tab(browser, back: bool = False) -> None:
    key(browser, "Tab", "Tab", 9, shift=back)


def clear(browser) -> None:
    """Select all of the focused box and delete it, with keys."""
    key(browser, "End", "End", 35)
    for _ in range(12):
        key(browser, "Backspace", "Backspace", 8)


STATE = """(() => {
  const inputs = Array.from(document.querySelectorAll("#wrap input"));
  return {focused: document.activeElement.id,
          verdict: document.getElementById("verdict").textContent,
          hint: document.getElementById("hint-line").textContent,
          score: document.getElementById("score").textContent,
          marks: Object.fromEntries(inputs.map((i) => [i.id.slice(3), i.className]))};
})()"""


def state(browser) -> dict:
    return browser.js(STATE)


def keep_screenshot(browser, name: str, tmp_path: Path) -> Path:
    folder = Path(os.environ.get("SCALARGRAD_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    browser.screenshot(folder / name)
    assert (folder / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return folder / name


def test_tab_goes_forward_through_values_then_backward_through_gradients(browser, tmp_path):
    page = seed001_page(tmp_path)
    boxes = page_data(page)["boxes"]
    browser.open(page, 1400, 900)
    seen = [state(browser)["focused"]]
    for _ in range(len(boxes) - 1):
        tab(browser)
        seen.append(state(browser)["focused"])
    assert seen == [f"in-{b['id']}" for b in boxes]
    tab(browser, back=True)
    assert state(browser)["focused"] == f"in-{boxes[-2]['id']}"
    assert browser.problems() == []


def test_marks_follow_the_checker(browser, tmp_path):
    """Right, cut-off, slip and follows-from numbers typed into the page, by keyboard, get
    the marks `scalargrad check` gives the same numbers written in a worksheet."""
    worksheet = load(SEED001)
    root = worksheet.root
    order = topological_order(root)
    names = sg.steps(root).names  # t1 for ŷ - y
    label = {f"v{i}": names[n] for i, n in enumerate(order) if n in names}
    page = sg.practice(root, tmp_path / "p.html").path
    boxes = page_data(page)["boxes"]
    grads = partials(root)
    exact = {b["id"]: (order[int(b["node"][1:])].data if b["kind"] == "data"
                       else grads.get(order[int(b["node"][1:])], 0.0)) for b in boxes}
    by_name = {(b["kind"], label[b["node"]]): b["id"] for b in boxes}
    claims = {  # (kind, name): written — in the order a student works
        ("data", "a1"): "0.06",        # right
        ("data", "d1"): "0.09",        # slip (0.08)
        ("data", "e1"): "0.10",        # follows from d1 = 0.09 (0.09 + 0.01)
        ("data", "f1"): "0.5224",      # cut off (0.52248…)
        ("data", "a2"): "0.04",        # right
        ("data", "f2"): "0.52",        # right at two decimals
        ("grad", "L"): "1",            # right
        ("grad", "t1"): "-15.9",       # right (−15.89)
        ("grad", "ŷ"): "-15",          # slip
    }
    browser.open(page, 1400, 900)
    for (kind, name), written in claims.items():
        box = by_name[kind, name]
        browser.js(f'document.getElementById("in-{box}").focus()')
        type_text(browser, written)
    marks = state(browser)["marks"]
    # The same numbers in a worksheet, in the same order, graded by the checker.
    needed = {"L", *worksheet.below("L")}  # the scalar chain; not the vectors beside it
    definitions = [f"{n} = {formula_text(d.formula)}" for n, d in worksheet.definitions.items()
                   if n in needed]
    lines = [f"{name} ≈ {w}" if kind == "data" else f"∂L/∂{name} = {w}"
             for (kind, name), w in claims.items() if name != "t1"]  # t1 = ŷ - y: no name
    report = check(parse("\n".join([*definitions, "loss: L", *lines])))
    checker = {(v.claim.top is not None, v.claim.name): v.kind for v in report.verdicts}
    page_kinds = {"right": "right", "follows": "follows", "cut": "cut off", "slip": "slip"}
    for (kind, name), written in claims.items():
        mark = marks[by_name[kind, name]]
        if name != "t1":
            assert page_kinds[mark] == checker[kind == "grad", name], (kind, name, written, mark)
        assert (mark == "right") == holds(written, exact[by_name[kind, name]])
    assert [marks[by_name["data", n]] for n in ("a1", "d1", "e1", "f1")] == \
        ["right", "slip", "follows", "cut"]

    browser.js(f'document.getElementById("in-{by_name["data", "e1"]}").focus()')
    now = state(browser)
    assert "0.10 is wrong, but it follows from your d₁ = 0.09" in now["verdict"], now["verdict"]
    browser.js(f'document.getElementById("in-{by_name["data", "f1"]}").focus()')
    assert "cut off, not rounded (it rounds to 0.5225)" in state(browser)["verdict"]
    assert state(browser)["score"] == f"5 / {len(boxes)} right"
    keep_screenshot(browser, "practice-1400x900.png", tmp_path)
    assert browser.problems() == []


def test_a_hint_shows_the_walkthrough_line_of_the_box(browser, tmp_path):
    root = load(SEED001).root
    page = sg.practice(root, tmp_path / "p.html").path
    boxes = page_data(page)["boxes"]
    lines = {s.text for s in sg.steps(root)}
    browser.open(page, 800, 600)
    tab(browser)  # the second box: b1's value, say
    type_text(browser, "?")
    now = state(browser)
    second = boxes[1]
    assert now["hint"] == f"Hint for {second['name']}: {second['hint']}"
    # the walkthrough's line, its names written as the chart writes them (x12 → x₁₂)
    plain = second["hint"].translate(str.maketrans("₀₁₂₃₄₅₆₇₈₉", "0123456789"))
    assert plain.replace("−", "-") in {line.replace("−", "-") for line in lines}
    assert not re.search(r"(?<![\w.])[a-z]\d+\b", second["hint"]), second["hint"]
    assert now["marks"][second["id"]] == ""  # no ? typed in
    values = len([b for b in boxes if b["kind"] == "data"])
    for _ in range(values - 1):
        tab(browser)  # to the first gradient box, ∂L/∂L
    assert state(browser)["focused"] == f"in-{boxes[values]['id']}"
    type_text(browser, "1")
    key(browser, "Enter", "Enter", 13)
    assert state(browser)["marks"][boxes[values]["id"]] == "right"
    assert state(browser)["verdict"] == "✓ ∂L/∂L = 1 is right"
    keep_screenshot(browser, "practice-800x600.png", tmp_path)
    browser.click("#hint")
    assert state(browser)["hint"].startswith("Hint for ")
    tab(browser)
    type_text(browser, "0,5")  # a decimal comma: said, not marked wrong
    now = state(browser)
    assert now["marks"][boxes[values + 1]["id"]] == "unreadable"
    assert now["verdict"].startswith("? not a number")
    assert browser.problems() == []


def test_any_graph_places_an_input_on_every_box(browser, tmp_path):
    model = sg.nn.MLP(2, [2, 1], act="tanh", seed=3)
    loss = (model([sg.Value(0.5, "x1"), sg.Value(-1.0, "x2")]) - 1) ** 2
    loss.label = "L"
    page = sg.practice(loss, tmp_path / "mlp.html").path
    browser.open(page, 1400, 900)
    placed = browser.js("""Array.from(document.querySelectorAll("#wrap input")).map((i) => {
        const a = i.getBoundingClientRect(),
              b = document.getElementById("a_" + i.id.slice(3)).getBoundingClientRect();
        return Math.abs(a.left - b.left) + Math.abs(a.top - b.top)
               + Math.abs(a.width - b.width); })""")
    assert len(placed) == len(page_data(page)["boxes"]) and max(placed) < 1.0
    assert browser.problems() == []


def test_the_command_line_writes_a_practice_page(tmp_path, capsys):
    out = tmp_path / "practice.html"
    assert main(["practice", "seed001_x1.txt", "-o", str(out)]) == 0
    assert f"wrote {out}" in capsys.readouterr().out
    assert len(page_data(out)["boxes"]) == 64  # 24 values and 40 gradients of seed 001, x1
    assert main(["practice", "L = (x*w - t)^2", "--at", "x=2", "w=0.5", "-o", str(out)]) == 2
    assert "unknown name 't'" in capsys.readouterr().err


EVERY_OP = """x = 0.5; w = -1.5; b = 2; c = 0.3
p = x * w; q = p + b; r = q - x; s = r / w; n = -s; e = exp(n); u = e + b; l = log(u)
t = tanh(l); g = sigmoid(t); m = g - c; z = relu(m); d = z - c; a = abs(d); k = x ^ w
h = a * k; L = h ^ 2
loss: L"""
"""A named node for every op the page recomputes (* + - / neg exp log tanh sigmoid relu
abs pow x²), so that the checker can be asked about each of them."""


def test_every_op_follows_from_a_slip_as_the_checker_says(browser, tmp_path):
    """q is a slip; every value and gradient above it is typed as the student's own numbers
    give it (q as written): the page and the checker agree on every box."""
    exact = parse(EVERY_OP)
    slipped = str(round(exact.values["q"].data + 0.1, 4))
    theirs = parse(EVERY_OP.replace("q = p + b", f"q = {slipped}"))
    above = [n for n in exact.definitions if n in theirs.values and n not in "xwbcp"
             and "q" in {*exact.below(n), n}]
    grads = partials(theirs.root)
    claims = [("data", n, slipped if n == "q" else rounded(theirs.values[n].data))
              for n in above]
    claims += [("grad", n, rounded(grads[theirs.values[n]])) for n in reversed(above)]
    report = check(parse(EVERY_OP + "\n" + "\n".join(
        f"{n} ≈ {w}" if kind == "data" else f"∂L/∂{n} = {w}" for kind, n, w in claims)))
    checker = {(v.claim.top is not None, v.claim.name): v.kind for v in report.verdicts}
    assert list(checker.values()).count("follows") >= 20, checker

    page = sg.practice(exact.root, tmp_path / "ops.html").path
    names = sg.steps(exact.root).names
    order = topological_order(exact.root)
    box = {(b["kind"], names[order[int(b["node"][1:])]]): b["id"]
           for b in page_data(page)["boxes"]}
    browser.open(page, 1400, 900)
    for kind, name, written in claims:
        browser.js(f'document.getElementById("in-{box[kind, name]}").focus()')
        type_text(browser, written)
    marks = state(browser)["marks"]
    page_kinds = {"right": "right", "follows": "follows", "cut": "cut off", "slip": "slip"}
    assert {(kind == "grad", name): page_kinds[marks[box[kind, name]]]
            for kind, name, _ in claims} == checker
    assert browser.problems() == []


def test_a_neurons_dot_follows_from_the_numbers_typed(browser, tmp_path):
    """In a network, a wrong weighted sum and what follows from it: the activation of that
    number, and the next layer's sum of the activations as typed."""
    model = sg.nn.MLP(2, [2, 1], act="tanh", seed=3)
    x = [sg.Value(0.5, "x1"), sg.Value(-1.0, "x2")]
    loss = (model(x) - 1) ** 2
    loss.label = "L"
    order = topological_order(loss)
    first = model.layers[0].neurons
    sums = [next(n for n in order if n.op == "dot" and first[k].w[0] in n.children)
            for k in range(2)]
    outs = [next(n for n in order if n.op == "tanh" and n.children[0] is s) for s in sums]
    top = next(n for n in order if n.op == "dot" and outs[0] in n.children)
    slip = sums[0].data + 0.2
    typed_outs = [math.tanh(slip), outs[1].data]
    w = dict(zip(top.children, top.local_grads))  # ∂top/∂out = the weight on out
    follows = sum(w[o] * t for o, t in zip(outs, typed_outs)) + (top.data - sum(
        w[o] * o.data for o in outs))
    page = sg.practice(loss, tmp_path / "mlp.html").path
    box = {n: f"in-v{order.index(n)}_data" for n in (*sums, *outs, top)}
    browser.open(page, 1400, 900)
    for node, written in [(sums[0], slip), (outs[0], typed_outs[0]), (sums[1], sums[1].data),
                          (outs[1], outs[1].data), (top, follows)]:
        browser.js(f'document.getElementById("{box[node]}").focus()')
        type_text(browser, rounded(written))
    marks = state(browser)["marks"]
    assert [marks[box[n][3:]] for n in (sums[0], outs[0], sums[1], outs[1], top)] == \
        ["slip", "follows", "right", "right", "follows"]
    assert browser.problems() == []


def test_the_title_drops_control_characters_as_the_animations_does():
    x = sg.Value(2.0, label="x")
    y = x * 3.0
    y.label = "y"
    page = sg.practice(y, title="a\x00b\x1bc\u2028d<e>")
    assert "<title>a b c d&lt;e&gt;</title>" in page.html


FIT = """(() => {
  const svg = document.querySelector("#wrap svg").getBoundingClientRect();
  const room = document.getElementById("chart");
  const page = document.scrollingElement;
  const inputs = Array.from(document.querySelectorAll("#wrap input"));
  return {svg: [svg.left, svg.top, svg.right, svg.bottom],
          room: [room.clientWidth, room.clientHeight, room.scrollWidth, room.scrollHeight],
          window: [innerWidth, innerHeight], page: [page.scrollWidth, page.scrollHeight],
          cut: inputs.filter((i) => i.scrollWidth > i.clientWidth).map((i) => i.id),
          filled: inputs.filter((i) => i.value).length};
})()"""


@pytest.mark.parametrize("size", [(800, 600), (1400, 900), (1920, 1080)])
def test_the_chart_fits_the_window_and_every_box_shows_its_answer(browser, tmp_path, size):
    """The page never scrolls; the chart fits the window both ways ("whole chart"), and with
    boxes big enough to type in it fits or its room pans; each box, filled with its own
    answer and then with the page's longest, shows it in full (nothing scrolled away)."""
    page = seed001_page(tmp_path)
    boxes = page_data(page)["boxes"]
    longest = max((b["rounded"] for b in boxes), key=len)
    width, height = size
    browser.open(page, width, height)
    for whole in (False, True):
        if whole:
            browser.click("#whole")
        fit = browser.js(FIT)
        assert fit["page"][0] <= width and fit["page"][1] <= height, fit  # no page scroll
        left, top, right, bottom = fit["svg"]
        inside = left >= -0.5 and top >= -0.5 and right <= width + 0.5 and bottom <= height + 0.5
        pans = fit["room"][2] > fit["room"][0] or fit["room"][3] > fit["room"][1]
        assert inside or (pans and not whole), (whole, fit)
        keep_screenshot(browser, f"practice-fit-{width}x{height}-{whole}.png", tmp_path)
    browser.click("#whole")  # back to boxes to type in
    for text in ("own", longest):
        script = ";".join(
            f'document.getElementById("in-{b["id"]}").value = '
            f'{json.dumps(b["rounded"] if text == "own" else text)}' for b in boxes)
        browser.js(script)
        fit = browser.js(FIT)
        assert fit["filled"] == len(boxes) and fit["cut"] == [], (text, fit["cut"])
    browser.click("#hint")  # a hint moves no box
    assert browser.js(FIT)["svg"] == fit["svg"]
    assert browser.problems() == []
