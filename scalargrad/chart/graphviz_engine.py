"""Which Graphviz lays out and renders the chart: the system ``dot`` or the bundled one.

Two engines can turn DOT text into SVG:

- ``"system"``: the ``dot`` program of an installed Graphviz (``apt install graphviz``,
  ``brew install graphviz``), found on ``PATH``. Writes SVG, PNG and PDF.
- ``"bundled"``: ``graphviz-pure``, a Rust port of Graphviz 16.1 that pip installs with
  scalargrad where it has a wheel (Linux x86_64 and aarch64, macOS, Windows x86_64;
  elsewhere the system ``dot`` is the way). Writes SVG and PNG, not PDF. It renders
  HTML-like labels, tables and clusters, which the chart uses.

The choice, first match wins: the ``engine=`` argument, then the environment variable
``SCALARGRAD_GRAPHVIZ`` (``system`` or ``bundled``), then ``system`` if ``dot`` is on
``PATH``, else ``bundled``. When the system ``dot`` was picked that last way and does not
run (a broken install), the bundled engine renders instead, with a warning; an engine
asked for by name is never swapped.

A layout (``-Tjson``) is computed once: `layout_json` keeps the last `LAYOUTS_KEPT`.

>>> resolve_engine("bundled")
'bundled'
>>> resolve_engine("cairo")
Traceback (most recent call last):
...
ValueError: unknown Graphviz engine 'cairo' (engine= argument); choose 'system' or 'bundled'
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import threading
import warnings
from collections import OrderedDict
from concurrent.futures import Future
from pathlib import Path
from typing import Literal

Engine = Literal["system", "bundled"]
ENGINES: tuple[str, ...] = ("system", "bundled")
ENV_VAR = "SCALARGRAD_GRAPHVIZ"
FORMATS: dict[str, tuple[str, ...]] = {"system": ("svg", "png", "pdf", "json"),
                                       "bundled": ("svg", "png", "json")}
"""The output formats each engine can write (JSON: the layout, read by the chart)."""
TIMEOUT_SECONDS = 300


class RenderError(RuntimeError):
    """Graphviz could not be found, or could not render the chart."""


class _ProgramFailed(RenderError):
    """The Graphviz program would not start, or exited with an error."""


def resolve_engine(engine: str | None = None) -> Engine:
    """The engine to use: ``engine`` if given, else ``$SCALARGRAD_GRAPHVIZ``, else auto."""
    source = "engine= argument"
    if engine is None:
        engine = os.environ.get(ENV_VAR) or None
        source = f"environment variable {ENV_VAR}"
    if engine is None:
        return "system" if shutil.which("dot") else "bundled"
    if engine not in ENGINES:
        raise ValueError(
            f"unknown Graphviz engine {engine!r} ({source}); choose 'system' or 'bundled'"
        )
    return engine  # type: ignore[return-value]


def _bundled_program() -> str:
    """The path of the ``graphviz-pure`` program installed next to this Python."""
    name = "graphviz-pure.exe" if sys.platform == "win32" else "graphviz-pure"
    beside_python = Path(sysconfig.get_path("scripts")) / name
    if beside_python.is_file():
        return str(beside_python)
    found = shutil.which("graphviz-pure")
    if found is None:
        raise RenderError(
            "the bundled Graphviz engine (graphviz-pure) is not installed: it comes with "
            "scalargrad where it has a wheel (Linux x86_64/aarch64, macOS, Windows x86_64); "
            "elsewhere install Graphviz so that `dot` is on PATH (apt install graphviz)"
        )
    return found


def program(engine: Engine) -> str:
    """The executable that runs ``engine``, or a RenderError saying how to get it."""
    if engine == "bundled":
        return _bundled_program()
    found = shutil.which("dot")
    if found is None:
        raise RenderError(
            "the system Graphviz engine was asked for, but `dot` is not on PATH: install "
            "Graphviz (apt install graphviz, brew install graphviz) or use engine='bundled'"
        )
    return found


def run(source: str, fmt: str, engine: str | None = None, *, pinned: bool = False) -> bytes:
    """Lay out the DOT ``source`` and render it as ``fmt`` (``svg``, ``png``, ``pdf``,
    ``json``). ``pinned``: the source says where every node and edge goes (``pos``
    attributes, as `scalargrad.draw` writes them): render it there, with ``neato -n2``."""
    chosen = resolve_engine(engine)
    may_fall_back = (chosen == "system" and engine is None and not os.environ.get(ENV_VAR)
                     and fmt in FORMATS["bundled"])
    if may_fall_back and shutil.which("dot") in _BROKEN_DOTS:  # warned about already
        return _render(source, fmt, "bundled", pinned)
    try:
        return _render(source, fmt, chosen, pinned)
    except _ProgramFailed as err:
        if not may_fall_back:
            raise
        _BROKEN_DOTS.add(shutil.which("dot"))
        warnings.warn(f"{err}; rendered with the bundled engine instead (set {ENV_VAR}="
                      "bundled to skip the system dot)", RuntimeWarning, stacklevel=3)
        return _render(source, fmt, "bundled", pinned)


_BROKEN_DOTS: set[str | None] = set()
"""The system ``dot`` programs found broken in this process (warned about once)."""


def _render(source: str, fmt: str, chosen: Engine, pinned: bool) -> bytes:
    """``run`` with this engine: the output, or a RenderError saying what went wrong."""
    if fmt not in FORMATS[chosen]:
        others = [e for e in ENGINES if fmt in FORMATS[e]]
        hint = f"; the {others[0]} engine can" if others else ""
        raise RenderError(
            f"the {chosen} Graphviz engine cannot write {fmt.upper()} "
            f"(it writes {', '.join(FORMATS[chosen])}){hint}"
        )
    command = [program(chosen), *(["-Kneato", "-n2"] if pinned else []), f"-T{fmt}"]
    try:
        done = subprocess.run(command, input=source.encode("utf-8"), capture_output=True,
                              timeout=TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired:
        raise RenderError(
            f"the {chosen} Graphviz engine took more than {TIMEOUT_SECONDS} s; "
            "draw a smaller graph or a collapsed view (view='neuron')"
        ) from None
    except OSError as err:  # not executable, not a program for this machine, ...
        raise _ProgramFailed(f"the {chosen} Graphviz engine ({command[0]}) would not start: "
                             f"{err.strerror or err}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip() or f"exit status {done.returncode}"
        raise _ProgramFailed(f"the {chosen} Graphviz engine ({command[0]}) failed: {message}")
    return done.stdout


LAYOUTS_KEPT = 32
"""The layouts kept in memory (the last used): a chart drawn again (an exercise's blank
chart, its pages upright and landscape, another variant) is not laid out again."""
_LAYOUTS: OrderedDict[tuple[str, str, str | None], Future[str]] = OrderedDict()
_LAYOUTS_LOCK = threading.Lock()


def layout_json(source: str, engine: str | None = None) -> str:
    """Graphviz's layout of the DOT ``source`` (JSON), computed once for each source and engine
    (and ``dot`` on ``PATH``) however often, and from however many threads, it is asked
    for; the last `LAYOUTS_KEPT` are kept. Sources that differ only in the digits their
    labels show (an exercise's variants) are one source (`digits_as_zeros`)."""
    source = digits_as_zeros(source)
    key = (source, resolve_engine(engine), shutil.which("dot"))
    with _LAYOUTS_LOCK:
        known = _LAYOUTS.get(key)
        if known is not None:
            _LAYOUTS.move_to_end(key)
        else:
            mine = _LAYOUTS[key] = Future()
            while len(_LAYOUTS) > LAYOUTS_KEPT:
                _LAYOUTS.popitem(last=False)
    if known is None:
        try:
            mine.set_result(run(source, "json", engine).decode())
        except BaseException as err:  # not kept: the next call tries again
            mine.set_exception(err)
            with _LAYOUTS_LOCK:
                if _LAYOUTS.get(key) is mine:
                    del _LAYOUTS[key]
        known = mine
    return known.result()


_LABEL_TEXT = re.compile(r">([^<>]+)<")
_DIGIT = re.compile(r"&#?\w+;|[0-9]")


def digits_as_zeros(source: str) -> str:
    """``source`` with every digit a label shows written 0 (not those of an attribute, a
    name or a character entity): in the chart's font every digit is as wide as 0, so
    Graphviz lays it out the same.

    >>> digits_as_zeros('v12 [label=<<TABLE><TR><TD WIDTH="80">w&#8321; 0.37</TD></TR></TABLE>>]')
    'v12 [label=<<TABLE><TR><TD WIDTH="80">w&#8321; 0.00</TD></TR></TABLE>>]'
    """
    def zeros(text: re.Match[str]) -> str:
        return ">" + _DIGIT.sub(lambda d: d[0] if len(d[0]) > 1 else "0", text[1]) + "<"

    out, done = [], 0
    for start in (m.end() - 1 for m in re.finditer("label=<", source)):
        if start < done:
            continue
        depth, end = 0, start
        for end in range(start, len(source)):  # to the '>' that closes the label
            depth += {"<": 1, ">": -1}.get(source[end], 0)
            if depth == 0:
                break
        out += [source[done:start], _LABEL_TEXT.sub(zeros, source[start:end + 1])]
        done = end + 1
    return "".join(out) + source[done:]


def forget_layouts() -> None:
    """Forget every layout kept (for tests that count Graphviz's runs)."""
    with _LAYOUTS_LOCK:
        _LAYOUTS.clear()
