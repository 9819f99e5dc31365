"""Regenerate every picture in docs/images from the code, so none can go stale.

    python docs/make_images.py            # every picture (about a minute)
    python docs/make_images.py --check    # CI: redraw the SVG charts, fail if one differs

How each picture is made:

- ``seed001_x1.svg`` / ``.png``: `sg.render` of seed 001's example x1 (`charts`), laid out
  by the bundled Graphviz (graphviz-pure, version `GRAPHVIZ_PURE`), which gives the same
  SVG on every machine (the system ``dot`` depends on the fonts installed); the PNG by
  ``rsvg-convert``. ``seed001_x1_readme.svg`` and ``…_readme-2.svg``: the same chart at
  ``size="readme"``, in two parts so that its numbers are 12 px in GitHub's 880 px column
  (the README shows these); ``seed002_blank_readme*.svg`` likewise, seed 002's blank chart
  (its exercise's variant 1).
- ``animation.png``, ``demo_neuron_animation.png``: `sg.animate` pages (seed 001 at step
  31, zoomed in on the step; the micrograd lecture's tanh neuron at step 4) shot by headless
  Chromium (DevTools, the browser tests' client) in an 860 px wide window at 880/860 device
  pixels a CSS pixel (`animations`); ``practice.png``: seed 001's practice page with a few
  numbers typed in, the part around them at 1.4 device pixels a CSS pixel (`practice`);
  ``exercise_handout.png``: the corner of a handout's first chart page at 110 dpi (`handout`);
  ``class_teacher.png``, ``class_student_phone.png``: a class served, three students who
  typed a₁ right and b₁ wrong, by playwright (`dashboard`).
- ``demo_*.png``: each demo run in full as a user runs it, its own picture copied
  (`DEMO_PICTURES`, `demos`); a chart wider than 880 px in parts cut between its nodes
  (`parts`); they need the ``demos`` extra (matplotlib).
- ``legibility.json``: the least type (a number, or a name with a subscript) of each PNG
  above, in its pixels, measured as it is made; tests/test_readme_pictures.py checks that
  the README shows each at 12 px at least in GitHub's 880 px column.
"""

from __future__ import annotations

import argparse
import base64
import importlib.util
import json
import math
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from importlib.metadata import version
from itertools import pairwise
from pathlib import Path

from PIL import Image

import scalargrad as sg
from scalargrad.chart import graphviz_engine
from scalargrad.classroom.exercises import chart_pages
from scalargrad.classroom.server import load_lesson
from scalargrad.classroom.variants import rounded
from scalargrad.engine import topological_order
from scalargrad.examples import neuron, seed001
from scalargrad.worksheet import load

SVG = "{http://www.w3.org/2000/svg}"
IMAGES = Path(__file__).resolve().parent / "images"
ENGINE = "bundled"
GRAPHVIZ_PURE = "0.2.2"
"""The graphviz-pure the committed SVGs were drawn with (another version may lay out
differently: `check` says so rather than report a stale picture)."""


SEED002_VARIANT = Path(__file__).resolve().parent / "exercises" / "seed002" / "variant-01"


def charts(folder: Path) -> list[Path]:
    """The SVG charts: seed 001's example x1 whole and in the README's parts, seed 002's
    blank chart in the README's parts."""
    nodes = seed001()
    nodes["L"].backward()
    whole = sg.render(nodes["L"], folder / "seed001_x1.svg", engine=ENGINE)
    parts = sg.render_slides(nodes["L"], folder / "seed001_x1_readme.svg", engine=ENGINE,
                             size="readme")
    blank = load(SEED002_VARIANT / "key.txt").root
    blank.backward()
    return [whole, *parts,
            *sg.render_slides(blank, folder / "seed002_blank_readme.svg", engine=ENGINE,
                              size="readme", blank=True, legend=False)]


def pngs(svgs: list[Path]) -> None:
    """The whole chart as PNG, for the README's link."""
    for svg in svgs[:1]:
        subprocess.run(["rsvg-convert", "-o", str(svg.with_suffix(".png")), str(svg)], check=True)


README_COLUMN = 880
"""GitHub's README column in pixels: a wider picture is shown this wide."""
LEAST_TYPE = 12.0
"""The least size of a number or a subscripted name in a README picture, in pixels as shown."""
LEGIBILITY = IMAGES / "legibility.json"
"""For each PNG this script makes: its least type (a number or a name with a subscript) in
the picture's own pixels, measured where it is made (`tests/test_readme_pictures.py` reads it
with the picture's width and the width the README shows it at)."""
MATPLOTLIB_LEAST_POINTS = {"demo_digits_predictions.png": 11.0}
"""The least type of each demo's matplotlib picture, in points: ``HOUSE_STYLE``'s 11 pt
(scalargrad/demos/_common.py), or a legend's 9 pt (the decision regions and boundary, the
default here)."""

LEAST_TYPE_JS = """((clip) => {
  const shows = (r) => r.width > 0 && r.right > clip.x && r.left < clip.x + clip.width
                       && r.bottom > clip.y && r.top < clip.y + clip.height;
  let least = Infinity;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {  // every text with a digit (a number, or a name's subscript)
    const text = walker.currentNode, element = text.parentElement;
    if (!/[0-9\u2080-\u2089]/.test(text.textContent) || !element) continue;
    const range = document.createRange();
    range.selectNodeContents(text);
    const style = getComputedStyle(element);
    if (!shows(range.getBoundingClientRect()) || style.visibility === "hidden") continue;
    const ctm = element instanceof SVGElement ? element.getScreenCTM() : null;
    least = Math.min(least, parseFloat(style.fontSize) * (ctm ? Math.hypot(ctm.a, ctm.b) : 1));
  }
  for (const input of document.querySelectorAll("input")) {  // what was typed in a box
    if (input.value && shows(input.getBoundingClientRect()))
      least = Math.min(least, parseFloat(getComputedStyle(input).fontSize));
  }
  return least;
})"""
"""The least font size (CSS pixels, as drawn: an SVG text's times its scale) of the texts
with a digit that show in ``clip``."""


def _chromium():
    """Headless Chromium driven by DevTools: the browser tests' client
    (tests/test_animation.py's `Chromium`)."""
    tests = Path(__file__).resolve().parent.parent / "tests" / "test_animation.py"
    spec = importlib.util.spec_from_file_location("scalargrad_animation_tests", tests)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.Chromium(shutil.which("chromium") or "chromium")


def screenshot(browser, page: str, out: Path, window: tuple[int, int], scale: float,
               clip: str = "", prepare: str = "") -> float:
    """``page`` (a URL) in a window of ``window`` CSS pixels at ``scale`` device pixels each, the
    script ``prepare`` run, shot to ``out``: all of it, or the rectangle the expression
    ``clip`` gives ({x, y, width, height} in CSS pixels). The picture's least type, in its
    pixels (`LEAST_TYPE_JS` × ``scale``)."""
    browser.call("Emulation.setDeviceMetricsOverride", session=True, width=window[0],
                 height=window[1], deviceScaleFactor=scale, mobile=False)
    browser.call("Page.navigate", session=True, url=page)
    browser.wait_for_event("Page.loadEventFired")
    if prepare:
        browser.js(prepare)
    time.sleep(1.0)  # a zoom glides for 350 ms
    area = browser.js(f"({clip})") if clip else {"x": 0, "y": 0, "width": window[0],
                                                 "height": window[1]}
    shot = browser.call("Page.captureScreenshot", session=True, format="png",
                        clip={**area, "scale": 1})["data"]
    out.write_bytes(base64.b64decode(shot))
    least = browser.js(f"{LEAST_TYPE_JS}({json.dumps(area)})")
    if least is None:
        raise SystemExit(f"{out.name}: no number shows in {area}")
    print(f"docs/images/{out.name}: least type {least * scale:.1f} px")
    return least * scale


NEURON_STEP = 4


def animations(folder: Path, browser) -> dict[str, float]:
    """The animation of seed 001 at step 31, zoomed in on the step (the whole page would be
    shown at 880/1400 of its size), and the tanh neuron's at step 4, in a window the README
    shows whole at 1 CSS pixel a pixel."""
    nodes = seed001()
    page = sg.animate(nodes["L"], folder / "seed001.html", zoom=True)
    least = {"animation.png": screenshot(
        browser, page.as_uri() + "#step=31", IMAGES / "animation.png",
        (860, 620), 880 / 860)}
    o = neuron()["o"]  # named as in the lecture, its demo and its worksheet
    page = sg.animate(o, folder / "neuron.html")
    least["demo_neuron_animation.png"] = screenshot(
        browser, page.as_uri() + f"#step={NEURON_STEP}",
        IMAGES / "demo_neuron_animation.png", (860, 560), 880 / 860)
    return least


PRACTICE_TYPED = {"a1": "0.06", "d1": "0.09", "e1": "0.10", "f1": "0.5224", "a2": "0.04",
                  "f2": "0.52"}
"""What the practice picture shows typed in (data boxes): right, a slip, one that follows
from it, one cut off instead of rounded, and two right."""


def practice(folder: Path, browser) -> dict[str, float]:
    """Seed 001's practice page with `PRACTICE_TYPED` typed in, at 1.4 device pixels a CSS
    pixel, the part of the chart around the boxes typed in (880 pixels wide)."""
    root = load(Path(sg.__file__).parent / "worksheets" / "seed001_x1.txt").root
    page = sg.practice(root, folder / "practice.html").path
    names = {n: v for v, n in sg.steps(root).names.items()}
    order = topological_order(root)
    ids = [f"in-v{order.index(names[n])}_data" for n in PRACTICE_TYPED]
    typing = "".join(
        f'(() => {{ const i = document.getElementById("{i}"); i.focus(); i.value = "{v}"; '
        'i.dispatchEvent(new Event("input")); })();' for i, v in zip(ids, PRACTICE_TYPED.values()))
    scale = 1.4
    width = README_COLUMN / scale
    clip = ("(() => { const r = " + json.dumps(ids) + ".map((i) => document.getElementById(i)"
            ".getBoundingClientRect()); const left = Math.min(...r.map((b) => b.left)), "
            "right = Math.max(...r.map((b) => b.right)), top = Math.min(...r.map((b) => b.top))"
            f" - 40; return {{x: Math.max(0, (left + right - {width:.1f}) / 2), "
            f"y: Math.max(0, top), width: {width:.1f}, "
            "height: Math.max(...r.map((b) => b.bottom)) + 50 - Math.max(0, top)}; })()")
    return {"practice.png": screenshot(browser, page.as_uri(), IMAGES / "practice.png", (1400, 900),
                                       scale, clip, typing)}


DEMO_PICTURES = {
    # demo: {its output (under SCALARGRAD_DEMO_OUT): the picture in docs/images}
    "seed001": {"seed001/x1.svg": "demo_seed001_chart.png"},  # the chart of example x1
    "seed002": {"seed002/path_w11.svg": "demo_seed002_path.png"},  # ∂L/∂w11's paths
    "seed003": {"seed003/predictions.png": "demo_digits_predictions.png"},  # trained, 8 epochs
    "seed004": {"seed004/regions.png": "demo_spiral_regions.png"},  # trained, 200 steps
    "moons": {"moons/boundary.png": "demo_moons_boundary.png"},  # trained, 100 steps
}
"""Each demo picture, as its demo draws it: the demo is run in full (its --fast mode
trains less, so its picture would not be the one the README describes)."""


def demos(folder: Path) -> dict[str, float]:
    """The demo gallery: each demo run as a user runs it (``python -m
    scalargrad.demos.NAME``, charts by the bundled Graphviz), its picture copied here: an
    SVG chart converted to PNG by rsvg-convert at its natural size (numbers 20 px) and cut
    into parts at most `README_COLUMN` wide (`parts`), a matplotlib picture as it is. About
    a minute with compiled training. The least type of each picture (`LEGIBILITY`)."""
    env = {**os.environ, "SCALARGRAD_DEMO_OUT": str(folder), "SCALARGRAD_GRAPHVIZ": ENGINE,
           "SCALARGRAD_DEMO_FAST": "0", "MPLBACKEND": "Agg"}
    least = {}
    for name, pictures in DEMO_PICTURES.items():
        run = subprocess.run([sys.executable, "-m", f"scalargrad.demos.{name}"], env=env,
                             capture_output=True, text=True)
        if run.returncode != 0:
            raise SystemExit(f"demo {name} failed:\n{run.stderr[-2000:]}")
        for source, target in pictures.items():
            if source.endswith(".svg"):
                subprocess.run(["rsvg-convert", "-o", str(IMAGES / target),
                                str(folder / source)], check=True)
                type_px = svg_least_type(folder / source) * Image.open(IMAGES / target).width \
                    / svg_width(folder / source)
                least |= {part.name: type_px for part in parts(IMAGES / target, folder / source)}
            else:
                shutil.copyfile(folder / source, IMAGES / target)
                dpi = Image.open(IMAGES / target).info["dpi"][0]
                least[target] = MATPLOTLIB_LEAST_POINTS.get(target, 9.0) * dpi / 72
        print(f"docs/images: {', '.join(pictures.values())} (demo {name})")
    return least


def dashboard(folder: Path) -> dict[str, float]:
    """``class_teacher.png`` and ``class_student_phone.png``: `scalargrad serve` for seed
    001 (SQLite), three students in Chromium (playwright) who each type a₁ right and b₁
    wrong, the teacher's dashboard at 1920 × 1080, the part around those boxes 880 px wide;
    one student's page on a phone (390 × 844) whole."""
    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    worksheet = Path(sg.__file__).parent / "worksheets" / "seed001_x1.txt"
    lesson = load_lesson(str(worksheet), variants=3, seed="7")
    server = subprocess.Popen(
        [sys.executable, "-m", "scalargrad", "serve", str(worksheet), "--variants", "3",
         "--seed", "7", "--db", str(folder / "class.sqlite"), "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    said = ""
    for line in server.stdout:  # type: ignore[union-attr]
        said += line
        if "Teacher (keep this secret)" in said and "open " in said:
            break
    student_url = re.search(r"open (\S+)", said)[1]  # type: ignore[index]
    teacher_url = re.search(r"Teacher \(keep this secret\): (\S+)", said)[1]  # type: ignore[index]
    least = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"),
                                        args=["--no-sandbox"])
            teacher = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
            teacher.goto(teacher_url)
            phone = None
            for k, size in enumerate([(390, 844), (1280, 720), (1280, 720)]):
                context = browser.new_context(viewport={"width": size[0], "height": size[1]})
                page = context.new_page()
                page.goto(student_url)
                page.focus("#code")
                page.keyboard.press("Tab")
                page.keyboard.type(f"Student {k + 1}")
                page.keyboard.press("Enter")
                page.wait_for_url("**/class")
                state = context.request.get(student_url.split("/?")[0] + "/api/state").json()
                variant = lesson.variant(state["variant"])
                first, second = lesson.boxes[0], lesson.boxes[1]
                page.keyboard.type(rounded(variant.exact(first.key)))
                page.keyboard.press("Tab")
                page.keyboard.type(rounded(variant.exact(second.key) * 3 + 1))
                page.wait_for_selector(f"#in-{second.id}.wrong", timeout=10_000)
                phone = phone or page
            right = teacher.locator(".tile", has_text="100%·3").first
            right.wait_for(timeout=10_000)
            wrong = teacher.locator(".tile", has_text=re.compile(r"(?<![0-9])0%·3"))
            wrong.first.wait_for(timeout=10_000)  # the three wrong b₁ have arrived too
            tile = right.bounding_box()
            area = {"x": max(0, tile["x"] - 330), "y": max(0, tile["y"] - 90),
                    "width": README_COLUMN, "height": 470}
            teacher.screenshot(path=str(IMAGES / "class_teacher.png"), clip=area)
            least["class_teacher.png"] = teacher.evaluate(f"{LEAST_TYPE_JS}({json.dumps(area)})")
            phone.screenshot(path=str(IMAGES / "class_student_phone.png"))
            least["class_student_phone.png"] = phone.evaluate(
                f"{LEAST_TYPE_JS}({{x: 0, y: 0, width: 390, height: 844}})")
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    for name, value in least.items():
        print(f"docs/images/{name}: least type {value:.1f} px")
    return least


HANDOUT_DPI = 110
"""The handout picture: the first chart page of seed 001's handouts.pdf at this many dpi."""


def handout(folder: Path) -> dict[str, float]:
    """``exercise_handout.png``: the top left 880 × 580 px of the first chart page of seed
    001's handout (variant 1, A4), made as docs/exercises/seed001_x1/index.md says, at
    `HANDOUT_DPI`. Its least type: the chart page's least, printed, at that resolution."""
    worksheet = Path(sg.__file__).parent / "worksheets" / "seed001_x1.txt"
    subprocess.run([sys.executable, "-m", "scalargrad", "exercise", str(worksheet),
                    "--variants", "1", "--seed", "001", "--keep", "x11", "x12", "y",
                    "--range", "0.01:0.09", "--decimals", "2", "--paper", "a4",
                    "-o", str(folder / "class")], check=True, capture_output=True)
    subprocess.run(["pdftoppm", "-png", "-r", str(HANDOUT_DPI), "-f", "2", "-l", "2",
                    "-singlefile", str(folder / "class" / "handouts.pdf"),
                    str(folder / "page")], check=True)
    Image.open(folder / "page.png").crop((0, 0, README_COLUMN, 580)).save(
        IMAGES / "exercise_handout.png")
    root = load(folder / "class" / "variant-01" / "key.txt").root
    chart = folder / "chart-1.svg"
    chart.write_bytes(graphviz_engine.run(chart_pages(root, "a4")[1][0].source, "svg",
                                          pinned=True))
    least = svg_least_type(chart) * HANDOUT_DPI / 72
    print(f"docs/images/exercise_handout.png: least type {least:.1f} px")
    return {"exercise_handout.png": least}


def svg_least_type(svg: Path) -> float:
    """The least font size of a text with a digit in an SVG chart, in its user units times
    the drawing's scale."""
    text = svg.read_text("utf-8")
    scale = float(re.search(r'transform="scale\(([\d.]+)', text)[1])
    sizes = [float(size) for size, body in
             re.findall(r'<text[^>]*font-size="([\d.]+)"[^>]*>([^<]*)</text>', text)
             if re.search(r"[0-9\u2080-\u2089]", body)]
    return min(sizes) * scale


def svg_width(svg: Path) -> float:
    """The width of an SVG's viewBox (its user units)."""
    return float(re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+)', svg.read_text("utf-8"))[1])


def node_spans(svg: Path) -> tuple[list[tuple[float, float]], float]:
    """The columns (x0, x1, in the SVG's user units from its left) each node of an SVG chart
    covers, its shape or its text, and the lowest any of them reaches (from the top): the
    legend and the caption left out."""
    tree = ET.parse(svg)
    graph = next(g for g in tree.iter(f"{SVG}g") if g.get("class") == "graph")
    tx, ty = (float(v) for v in re.search(r"translate\(([-\d.]+) ([-\d.]+)\)",
                                          graph.get("transform")).groups())
    spans, bottom = [], 0.0
    for node in graph.iter(f"{SVG}g"):
        if node.get("class") != "node" or node.get("id") in ("legend", "caption"):
            continue
        xs, ys = [], []
        for e in node.iter():
            numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?",
                                                    e.get("points") or e.get("d") or "")]
            xs += numbers[::2]
            ys += numbers[1::2]
            if e.tag == f"{SVG}ellipse":
                cx, cy, rx, ry = (float(e.get(k)) for k in ("cx", "cy", "rx", "ry"))
                xs += [cx - rx, cx + rx]
                ys += [cy + ry]
        for e in node.iter(f"{SVG}text") if not xs else ():  # a label: half an em a letter
            x, half = float(e.get("x")), 0.3 * float(e.get("font-size")) * len(e.text or "")
            xs += [x - half, x + half]
            ys.append(float(e.get("y")))
        if xs:
            spans.append((min(xs) + tx, max(xs) + tx))
            bottom = max(bottom, max(ys) + ty)
    return spans, bottom


def parts(png: Path, svg: Path) -> list[Path]:
    """``png``, the chart ``svg`` drawn, without its key and caption, cut into parts at most
    `README_COLUMN` wide, side by side (``name.png``, ``name-2.png``, …): as few as cut no
    node (else the fewest, one more at most), each cut in a gap between nodes, the one
    nearest an even cut."""
    whole = Image.open(png)
    width, height = whole.size
    scale = width / svg_width(svg)
    spans, bottom = node_spans(svg)
    taken = [(x0 * scale - 4, x1 * scale + 4) for x0, x1 in spans]

    def cut(count: int) -> tuple[int, list[int]]:
        cuts, crossed = [0], 0
        for k in range(1, count):
            even = cuts[-1] + (width - cuts[-1]) // (count - k + 1)
            reach = range(max(cuts[-1] + 1, width - README_COLUMN * (count - k)),
                          min(cuts[-1] + README_COLUMN, width))
            best = min(reach, key=lambda x: (sum(a < x < b for a, b in taken), abs(x - even)))
            crossed += sum(a < best < b for a, b in taken)
            cuts.append(best)
        return crossed, [*cuts, width]

    fewest = math.ceil(width / README_COLUMN)
    _, cuts = min((cut(n) for n in (fewest, fewest + 1)), key=lambda c: c[0])
    made = [png, *(png.with_name(f"{png.stem}-{k}.png") for k in range(2, len(cuts)))]
    for out, (left, right) in zip(made, pairwise(cuts), strict=True):
        whole.crop((left, 0, right, min(height, round((bottom + 8) * scale)))).save(out)
    return made


def check() -> int:
    """Redraw the SVG charts into a temporary folder; 1 if any differs from docs/images."""
    installed = version("graphviz-pure")
    if installed != GRAPHVIZ_PURE:
        print(f"docs/images were drawn with graphviz-pure {GRAPHVIZ_PURE}, this machine has "
              f"{installed}: `pip install graphviz-pure=={GRAPHVIZ_PURE}`, or redraw them with "
              "`python docs/make_images.py` and update GRAPHVIZ_PURE", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        stale = [svg.name for svg in charts(Path(tmp))
                 if svg.read_bytes() != (IMAGES / svg.name).read_bytes()]
    if stale:
        print(f"stale pictures in docs/images: {', '.join(stale)}; "
              "run `python docs/make_images.py` and commit them", file=sys.stderr)
        return 1
    print("docs/images: every SVG chart matches the code")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare the SVG charts")
    parser.add_argument("--engine-version", action="store_true",
                        help="print the graphviz-pure version the SVG charts were drawn with")
    parser.add_argument("--no-demos", action="store_true",
                        help="leave the demos' pictures as they are (they take a minute)")
    args = parser.parse_args()
    if args.engine_version:
        print(GRAPHVIZ_PURE)
        return 0
    if args.check:
        return check()
    missing = [tool for tool in ("rsvg-convert", "chromium", "pdftoppm", "pdflatex", "dot")
               if shutil.which(tool) is None]
    if missing:
        print(f"make_images needs {' and '.join(missing)} (see .ci/run)", file=sys.stderr)
        return 1
    pngs(charts(IMAGES))
    least = json.loads(LEGIBILITY.read_text("utf-8")) if LEGIBILITY.exists() else {}
    browser = _chromium()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            least |= animations(Path(tmp), browser)
            least |= practice(Path(tmp), browser)
            least |= handout(Path(tmp))
            least |= dashboard(Path(tmp))
    finally:
        browser.close()
    if not args.no_demos:
        with tempfile.TemporaryDirectory() as tmp:
            least |= demos(Path(tmp))
    LEGIBILITY.write_text(json.dumps({k: round(v, 1) for k, v in sorted(least.items())},
                                     indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
