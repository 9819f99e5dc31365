"""Which Graphviz renders: a broken system ``dot`` found on PATH gives way to the bundled
engine with a warning; one asked for by name does not."""

from __future__ import annotations

import os
import stat
import sys
import warnings
from pathlib import Path

import pytest

import scalargrad as sg
from scalargrad import Value
from scalargrad.chart import graphviz_engine

BROKEN_DOTS = {
    # a dot whose libraries are missing: it starts, prints an error and exits 127
    "fails": "#!/bin/sh\necho 'dot: error while loading shared libraries: libgvc.so.6' >&2\n"
             "exit 127\n",
    # a dot built for another machine: the system cannot run it at all
    "will not start": "\x7fELF garbage, not a program for this machine\n",
}


@pytest.fixture(params=BROKEN_DOTS, ids=list(BROKEN_DOTS))
def broken_dot(request, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A PATH whose first `dot` is broken (the bundled engine is found beside Python)."""
    dot = tmp_path / "dot"
    dot.write_text(BROKEN_DOTS[request.param], encoding="utf-8")
    dot.chmod(dot.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv(graphviz_engine.ENV_VAR, raising=False)
    return dot


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands in for dot")
def test_a_broken_system_dot_gives_way_to_the_bundled_engine(broken_dot: Path) -> None:
    assert graphviz_engine.resolve_engine() == "system"
    x = Value(2.0, label="x")
    with pytest.warns(RuntimeWarning, match="rendered with the bundled engine instead") as got:
        svg = sg.to_svg(x * x)
    assert str(broken_dot) in str(got[0].message)
    assert "<svg" in svg and ">x<" in svg


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands in for dot")
@pytest.mark.parametrize("how", ["argument", "environment"])
def test_a_broken_dot_asked_for_by_name_is_an_error(broken_dot: Path, how: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    if how == "environment":
        monkeypatch.setenv(graphviz_engine.ENV_VAR, "system")
    engine = "system" if how == "argument" else None
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback, so no warning either
        with pytest.raises(graphviz_engine.RenderError, match=str(broken_dot)):
            sg.to_svg(Value(1.0), engine=engine)


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands in for dot")
def test_a_pdf_cannot_fall_back(broken_dot: Path, tmp_path: Path) -> None:
    """The layout falls back (with the warning); the PDF, which only dot writes, cannot."""
    with pytest.warns(RuntimeWarning, match="bundled engine instead"), \
            pytest.raises(graphviz_engine.RenderError, match=str(broken_dot)):
        sg.render(Value(1.0), tmp_path / "chart.pdf")
    assert not (tmp_path / "chart.pdf").exists()
