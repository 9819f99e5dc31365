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
- ``animation.png``, ``demo_neuron_animation.png``: `sg.animate` pages (seed 001 at its
  last step; the micrograd lecture's tanh neuron at step 4) shot by headless Chromium at
  1400 × 900 (`animations`).
- ``demo_*.png``: each demo run in full as a user runs it, its own picture copied
  (`DEMO_PICTURES`, `demos`); they need the ``demos`` extra (matplotlib).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from importlib.metadata import version
from pathlib import Path

import scalargrad as sg
from scalargrad.examples import neuron, seed001
from scalargrad.worksheet import load

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


def screenshot(page: Path, out: Path, step: int, size: str = "1400,900") -> None:
    """A headless Chromium screenshot of ``page`` at ``#step=step``."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                        "--disable-quic", "--no-first-run", "--disable-background-networking",
                        "--disable-component-update", "--disable-sync",
                        f"--user-data-dir={profile}", f"--window-size={size}",
                        f"--screenshot={out}", f"{page.as_uri()}#step={step}"],
                       check=True, capture_output=True, timeout=120)


def animations(folder: Path) -> None:
    nodes = seed001()
    page = sg.animate(nodes["L"], folder / "seed001.html")
    screenshot(page, IMAGES / "animation.png", 31)
    o = neuron()["o"]  # named as in the lecture, its demo and its worksheet
    screenshot(sg.animate(o, folder / "neuron.html"), IMAGES / "demo_neuron_animation.png", 4)


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


def demos(folder: Path) -> None:
    """The demo gallery: each demo run as a user runs it (``python -m
    scalargrad.demos.NAME``, charts by the bundled Graphviz), its picture copied here
    (an SVG converted to PNG by rsvg-convert). About a minute with compiled training."""
    env = {**os.environ, "SCALARGRAD_DEMO_OUT": str(folder), "SCALARGRAD_GRAPHVIZ": ENGINE,
           "SCALARGRAD_DEMO_FAST": "0", "MPLBACKEND": "Agg"}
    for name, pictures in DEMO_PICTURES.items():
        run = subprocess.run([sys.executable, "-m", f"scalargrad.demos.{name}"], env=env,
                             capture_output=True, text=True)
        if run.returncode != 0:
            raise SystemExit(f"demo {name} failed:\n{run.stderr[-2000:]}")
        for source, target in pictures.items():
            if source.endswith(".svg"):
                subprocess.run(["rsvg-convert", "-o", str(IMAGES / target),
                                str(folder / source)], check=True)
            else:
                shutil.copyfile(folder / source, IMAGES / target)
        print(f"docs/images: {', '.join(pictures.values())} (demo {name})")


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
    args = parser.parse_args()
    if args.engine_version:
        print(GRAPHVIZ_PURE)
        return 0
    if args.check:
        return check()
    missing = [tool for tool in ("rsvg-convert", "chromium") if shutil.which(tool) is None]
    if missing:
        print(f"make_images needs {' and '.join(missing)} (see .ci/run)", file=sys.stderr)
        return 1
    pngs(charts(IMAGES))
    with tempfile.TemporaryDirectory() as tmp:
        animations(Path(tmp))
        demos(Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
