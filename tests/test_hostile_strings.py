"""Hostile text in every field that reaches LaTeX, Markdown, HTML, SVG or JSON comes out as
text (issue 17): each result is compiled (pdflatex), parsed (xml.etree, json, html.parser)
or read cell by cell, and the hostile text must be found as text, never as markup."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import scalargrad as sg
from scalargrad.grading.reports import GradedFile, class_summary, files_json
from scalargrad.typeset import latex_name, latex_text

HOSTILE = [
    r"\input ^^2fetc^^2fhostname ",
    r"\write18{touch /tmp/pwned}\def\x{y}",
    "^^5cinput{/etc/hostname}",
    "$x_1^2$ % # & ~ _ { } < > |",
    "`<script>alert(1)</script>`",
    "``<img src=x onerror=alert(1)>``",
    "a|b\nc\r\nd\u2028e",
    "<b>bold</b>&amp;&lt;",
    "]]></svg><!--",
    "\"quoted' </title>",
    "[link](javascript:alert(1)) *em* _u_ # heading",
    "\x00\x07\x1b[31m\x7f",
    "\ufffe\uffff",
    "\u202eevil\u202c \u200f",
    "λ变\u0301",
]


def visible(text: str) -> str:
    """What of ``text`` must survive as text: its letters and digits."""
    return "".join(ch for ch in text if ch.isascii() and ch.isalnum())


# -- LaTeX --------------------------------------------------------------------------------


def test_latex_text_compiles_and_reads_back(tmp_path, needs):
    """Every hostile string in text and in a label, in one document: pdflatex (no shell
    escape) compiles it, the PDF shows its letters, and no file was read or written."""
    needs(shutil.which("pdflatex") is not None, "pdflatex", "texlive-latex-base")
    needs(shutil.which("pdftotext") is not None, "pdftotext", "poppler-utils")
    lines = [f"MARK{k}: {latex_text(s)} and ${latex_name(s)}$ END\\par"
             for k, s in enumerate(HOSTILE)]
    tex = tmp_path / "hostile.tex"
    tex.write_text("\\documentclass{article}\\usepackage{amsmath}\\begin{document}\n"
                   + "\n".join(lines) + "\n\\end{document}\n", "utf-8")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error",
                           "-no-shell-escape", tex.name], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout[-2000:]
    assert not Path("/tmp/pwned").exists()
    text = subprocess.run(["pdftotext", "-layout", "hostile.pdf", "-"], cwd=tmp_path,
                          capture_output=True, text=True, check=True).stdout
    flat = re.sub(r"\s+", "", text)
    for k, s in enumerate(HOSTILE):
        shown = flat[flat.index(f"MARK{k}:"): flat.index("END", flat.index(f"MARK{k}:"))]
        letters = re.sub(r"[^A-Za-z0-9]", "", shown)
        assert visible(s) in letters, (s, shown)
    if Path("/etc/hostname").exists() and len(Path("/etc/hostname").read_text().strip()) > 3:
        assert Path("/etc/hostname").read_text().strip() not in text.replace("hostname", "")


@given(st.text(max_size=30))
@settings(max_examples=150, deadline=None)
def test_latex_text_leaves_no_special_character_bare(text):
    r"""Outside the commands it writes itself, no ``\ { } $ & # % _ ^ ~`` of the input
    survives (an oracle on the output's characters, not on the escaper's table)."""
    out = latex_text(text)
    stripped = re.sub(r"\\(textbackslash|textasciicircum|textasciitilde|textless|"
                      r"textgreater|textbar)\{\}|\\[{}$&#%_]|\$\\[A-Za-z]+\$|\\[`'^\"~=.uvr]\{[A-Za-z]\}",
                      "", out)
    assert not set(stripped) & set("\\{}$&#%_^~"), (text, out)
    assert "\n" not in out


# -- Markdown -----------------------------------------------------------------------------


def code_spans(line: str) -> tuple[str, list[str]]:
    """CommonMark's inline code spans: a run of n backticks up to the next run of exactly
    n; returns the line with each span replaced by "C" and the spans' contents."""
    outside, spans, i = [], [], 0
    while i < len(line):
        if line[i] == "\\":  # an escaped character is text: \` starts no span
            outside.append("E")
            i += 2
            continue
        if line[i] != "`":
            outside.append(line[i])
            i += 1
            continue
        n = len(re.match(r"`+", line[i:]).group())  # type: ignore[union-attr]
        close = re.compile(rf"(?<!`)`{{{n}}}(?!`)")
        end = close.search(line, i + n)
        if end is None:
            outside.append(line[i: i + n])
            i += n
            continue
        spans.append(line[i + n: end.start()])
        outside.append("C")
        i = end.end()
    return "".join(outside), spans


def test_the_class_summary_keeps_hostile_file_names_as_text():
    files = [GradedFile(name + ".txt", error="bad <b>input</b> | `x`") for name in HOSTILE]
    table = class_summary(files, fmt="markdown").split("\n\n")[0].splitlines()
    assert len(table) == 2 + len(files)  # no line break got into a row
    for name, row in zip(HOSTILE, table[2:]):
        outside, spans = code_spans(row)
        assert "<" not in outside and "`" not in outside, row
        assert outside.replace("\\|", "").count("|") == 6, row  # five cells, no more
        assert visible(name) in visible(spans[0]), (name, row)


# -- JSON ---------------------------------------------------------------------------------


def test_json_reports_keep_hostile_file_names_exactly():
    files = [GradedFile(name, error=name) for name in HOSTILE]
    records = json.loads(files_json(files))["files"]
    assert [r["file"] for r in records] == HOSTILE


# -- SVG and HTML -------------------------------------------------------------------------


def hostile_graph(label: str) -> sg.Value:
    x = sg.Value(2.0, label=label)
    y = sg.Value(3.0, label="y")
    z = x * y
    z.label = "z"
    return z


@pytest.mark.parametrize("label", HOSTILE)
def test_chart_svg_parses_and_shows_the_label_as_text(label):
    svg = sg.to_svg(hostile_graph(label))
    tree = ET.fromstring(svg)
    assert not [e for e in tree.iter() if e.tag.endswith("script")]
    text = unicodedata.normalize("NFKC", "".join(tree.itertext()))  # x₁ is x1
    assert visible(label)[:5] in visible(text)  # a long label is shortened with …


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        self._in_title = False if tag == "title" else self._in_title

    def handle_data(self, data):
        if self._in_title:
            self.title += data


@pytest.mark.parametrize("make", ["animate", "practice"])
def test_html_pages_keep_hostile_titles_and_labels_as_text(make, tmp_path):
    plain = _Page()
    getattr(sg, make)(hostile_graph("x"), tmp_path / "plain.html", title="plain")
    plain.feed((tmp_path / "plain.html").read_text("utf-8"))
    for k, s in enumerate(HOSTILE):
        path = tmp_path / f"{k}.html"
        getattr(sg, make)(hostile_graph(s), path, title=s)
        page = _Page()
        page.feed(path.read_text("utf-8"))
        assert set(page.tags) <= set(plain.tags), s  # no element of the string's own
        assert visible(s) in visible(page.title), (s, page.title)


def test_a_hostile_worksheet_file_name_stays_text_in_the_handouts(tmp_path, needs):
    """A worksheet named ``\\input ^^2fetc^^2fhostname .txt`` once put /etc/hostname into
    handouts.pdf; now its name is printed, as text."""
    needs(shutil.which("pdflatex") is not None, "pdflatex", "texlive-latex-base")
    needs(shutil.which("dot") is not None, "dot", "graphviz")
    needs(shutil.which("pdftotext") is not None, "pdftotext", "poppler-utils")
    from scalargrad.classroom.exercises import exercise

    source = tmp_path / (HOSTILE[0] + ".txt")
    source.write_text("x = 0.5\nw = 0.25\nL = x·w\n", "utf-8")
    written = exercise(source, tmp_path / "class", pdf=True)
    assert written.pdf
    text = subprocess.run(["pdftotext", str(tmp_path / "class" / "handouts.pdf"), "-"],
                          capture_output=True, text=True, check=True).stdout
    assert "\\input ^^2fetc^^2fhostname" in text.replace("ˆ", "^")
