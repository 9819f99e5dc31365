"""Regenerate every picture in docs/images from the code, so none can go stale.

    python docs/make_images.py            # charts (SVG, PNG), animation screenshots, demo plots
    python docs/make_images.py --check    # CI: redraw the SVG charts, fail if one differs

The charts are laid out by the bundled Graphviz (graphviz-pure), which gives the same SVG
on every machine; the system ``dot`` depends on the fonts installed. PNGs come from
``rsvg-convert``, screenshots from headless Chromium, demo plots from the demos themselves.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import scalargrad as sg
from scalargrad.examples import seed001

IMAGES = Path(__file__).resolve().parent / "images"
ENGINE = "bundled"


def charts(folder: Path) -> list[Path]:
    """The SVG charts: seed 001's example x1 (the README's picture)."""
    nodes = seed001()
    nodes["L"].backward()
    return [sg.render(nodes["L"], folder / "seed001_x1.svg", engine=ENGINE)]


def pngs(svgs: list[Path]) -> None:
    for svg in svgs:
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
    x1, w1 = sg.Value(2.0, "x1"), sg.Value(-3.0, "w1")
    x2, w2, b = sg.Value(0.0, "x2"), sg.Value(1.0, "w2"), sg.Value(6.8813735870195432, "b")
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.label = "o"
    screenshot(sg.animate(o, folder / "neuron.html"), IMAGES / "demo_neuron_animation.png", 4)


def demos(folder: Path) -> None:
    """The demo gallery: each demo's picture, as the demo draws it."""
    wanted = {"seed001/x1.svg": "demo_seed001_chart.png", "seed002/path_W11.svg":
              "demo_seed002_path.png"}
    for name in ("seed001", "seed002"):
        subprocess.run([sys.executable, "-m", f"scalargrad.demos.{name}"], check=True,
                       capture_output=True, env={**os.environ, "SCALARGRAD_DEMO_OUT": str(folder),
                                                 "SCALARGRAD_GRAPHVIZ": ENGINE})
    for source, target in wanted.items():
        subprocess.run(["rsvg-convert", "-o", str(IMAGES / target), str(folder / source)],
                       check=True)


def check() -> int:
    """Redraw the SVG charts into a temporary folder; 1 if any differs from docs/images."""
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
    args = parser.parse_args()
    if args.check:
        return check()
    pngs(charts(IMAGES))
    with tempfile.TemporaryDirectory() as tmp:
        animations(Path(tmp))
        if shutil.which("chromium") is None:
            print("chromium not found: animation screenshots not redrawn", file=sys.stderr)
        demos(Path(tmp))
    return 0


if __name__ == "__main__":
    sys.exit(main())
