"""Every picture the README shows is legible in GitHub's 880 px column: its least number
(or subscripted name) at least 12 px as shown.

As shown: a picture wider than the column is shrunk to it; one in a table row of k
pictures gets at most 880/k px. The least type of a PNG is what `docs/make_images.py`
measured where it made it (`docs/images/legibility.json`: a page's texts measured in
Chromium, an SVG chart's font sizes, a matplotlib picture's points at its dpi); an SVG's
is read here from its text, its scale and its declared width.
"""

from __future__ import annotations

import json
import re
import struct
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
IMAGES = ROOT / "docs" / "images"
COLUMN = 880
LEAST = 12.0
def shown() -> list[tuple[str, int]]:
    """Each picture the README shows (not links to one), and the most pixels it gets across."""
    found = []
    for line in README.read_text("utf-8").splitlines():
        names = re.findall(r"!\[[^\]]*\]\(docs/images/([^)\s]+)\)", line)
        cells = len(names) if line.lstrip().startswith("|") else 1
        found += [(name, COLUMN // cells) for name in names]
    return found


def png_width(path: Path) -> int:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", path
    return struct.unpack(">I", data[16:20])[0]


def svg_least_type(path: Path) -> tuple[float, float]:
    """An SVG's least number (a text with a digit) in CSS px at its own size, and its
    width in CSS px."""
    text = path.read_text("utf-8")
    width = re.search(r'<svg[^>]*\swidth="([\d.]+)(pt|px)?"', text)
    px = float(width[1]) * (4 / 3 if width[2] == "pt" else 1)
    view = float(re.search(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+)', text)[1])
    scale = float(re.search(r'class="graph" transform="scale\(([\d.]+)', text)[1])
    sizes = [float(s) for s, body in re.findall(r'<text[^>]*font-size="([\d.]+)"[^>]*>([^<]*)<',
                                                text) if re.search("[0-9\u2080-\u2089]", body)]
    return min(sizes) * scale * px / view, px


def test_the_readme_shows_pictures() -> None:
    names = [name for name, _ in shown()]
    assert len(names) > 10 and all((IMAGES / n).exists() for n in names), names


@pytest.mark.parametrize("name,room", shown())
def test_every_readme_picture_has_12_px_numbers_as_shown(name: str, room: int) -> None:
    path = IMAGES / name
    if name.endswith(".svg"):
        least, width = svg_least_type(path)
    else:
        measured = json.loads((IMAGES / "legibility.json").read_text("utf-8"))
        assert name in measured, f"{name}: not measured (docs/make_images.py makes it?)"
        least, width = measured[name], png_width(path)
    as_shown = least * min(width, room) / width
    assert as_shown >= LEAST, f"{name}: least type {as_shown:.1f} px as shown ({room} px room)"
