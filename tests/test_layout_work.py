"""The work a chart or an exercise asks of Graphviz (issue 17, "one budget per input"),
counted rather than timed: each distinct layout is computed once, a dense chart is laid
out with dot's cost knobs turned down, and an exercise's total chart work has a limit."""

from __future__ import annotations

from pathlib import Path

import pytest

import scalargrad as sg
from scalargrad.chart import drawing, graphviz_engine
from scalargrad.classroom import exercises
from scalargrad.classroom.exercises import write_exercise
from scalargrad.classroom.variants import Drawing, load_template, make_variants, parse_range
from scalargrad.worksheet import parse

from .test_limits import dense_chart

SEED001 = Path(sg.__file__).parent / "worksheets" / "seed001_x1.txt"


@pytest.fixture
def layouts(monkeypatch):
    """Every layout source Graphviz is asked for (``-Tjson``), in order."""
    asked: list[str] = []
    real = graphviz_engine.run

    def counting(source, fmt, engine=None, *, pinned=False):
        if fmt == "json":
            asked.append(source)
        return real(source, fmt, engine, pinned=pinned)

    graphviz_engine.forget_layouts()
    monkeypatch.setattr(graphviz_engine, "run", counting)
    yield asked
    graphviz_engine.forget_layouts()


def seed001_variants(count: int):
    drawn = Drawing(("x11", "x12", "y"), {"*": parse_range("0.01:0.09", 2)})
    return make_variants(load_template(SEED001), count, "001", drawn)


def test_an_exercise_lays_out_each_distinct_chart_once(layouts, tmp_path, monkeypatch):
    monkeypatch.setattr(exercises, "_pdflatex", lambda tex: None)  # the charts, not LaTeX
    variants = seed001_variants(3)
    write_exercise(variants[0].template, variants, tmp_path, pdf=True)
    assert layouts, "the exercise lays its charts out"
    assert len(layouts) == len(set(layouts)), "a layout asked for twice"


def test_drawing_the_same_chart_again_asks_graphviz_nothing_new(layouts):
    root = parse(SEED001.read_text("utf-8")).root
    root.backward()
    first = drawing.draw(root).source
    asked = len(layouts)
    assert asked >= 1
    assert drawing.draw(root).source == first
    assert drawing.draw(root, edge_derivatives=True, show_grad=False).source != first
    assert len(layouts) == asked, "options never move a node: the same layout serves"


def test_the_layout_memo_is_bounded():
    assert 0 < graphviz_engine.LAYOUTS_KEPT <= 64


def test_a_dense_chart_is_laid_out_with_the_cost_knobs_turned_down(layouts):
    dense = parse(dense_chart(90, 8)).root
    dense.backward()
    drawing.draw(dense, legend=False)
    assert all('nslimit="1"' in s or "nslimit=1" in s for s in layouts), "dense: bounded"
    seed = parse(SEED001.read_text("utf-8")).root
    seed.backward()
    layouts.clear()
    drawing.draw(seed)
    assert layouts and not any("nslimit" in s or "mclimit" in s for s in layouts), \
        "a chart of the notes' size is laid out as before"


def test_an_exercise_of_too_many_arrows_over_its_variants_is_refused(layouts, tmp_path):
    """Each variant lays its chart out and prints it: the dense chart's arrows times the
    variants are the exercise's chart work, refused before anything is written."""
    from scalargrad.chart.drawing import count_arrows
    from scalargrad.classroom.variants import from_expression
    from scalargrad.limits import MAX_EXERCISE_ARROWS, LimitExceeded

    text = dense_chart(60, 8)
    template = from_expression(text.replace("\n", "; ").strip("; "), {})
    arrows = count_arrows(template.source.root, "full", 10**6)
    fits = MAX_EXERCISE_ARROWS // arrows
    variants = make_variants(template, fits + 1, 1)
    with pytest.raises(LimitExceeded, match=f"more than {MAX_EXERCISE_ARROWS:,} arrows"):
        write_exercise(template, variants, tmp_path / "out", pdf=False)
    assert not (tmp_path / "out").exists() and not layouts


def test_a_dense_chart_is_laid_out_once(layouts):
    """No second layout to put a dense chart's bands in the notes' order: 70 boxes of 12
    arrows each came out of order, and the second layout doubled the time."""
    dense = parse(dense_chart(60, 12)).root
    dense.backward()
    drawing.draw(dense)
    assert len(layouts) == 1


def _layout_source(root, blank: bool) -> str:
    """The layout pass's DOT source of ``root``'s chart, as `draw` writes it."""
    from scalargrad.chart.boxes import Options
    from scalargrad.chart.plan import Chart
    from scalargrad.engine import topological_order
    from scalargrad.graph import node_names

    order = topological_order(root)
    options = Options("LR", 4, pretty=True, blank=blank, **drawing.LAYOUT_OPTIONS)
    chart = Chart(root, order, {n: i for i, n in enumerate(order)}, None, node_names(root),
                  options, None)
    chart.build("full", None)
    return drawing.layout_digraph(chart, "LR", "full", True).source


@pytest.mark.parametrize("engine", ["system", "bundled"])
@pytest.mark.parametrize("blank", [False, True])
def test_digits_written_as_zeros_leave_the_layout_as_it_was(engine, blank, needs):
    """Graphviz itself is the oracle: the chart's own source and the one whose label
    digits are zeros (what `layout_json` runs, so that variants share a layout) give the
    same layout, node for node and edge for edge."""
    import shutil

    from scalargrad.chart.layout import read_layout

    needs(engine == "bundled" or shutil.which("dot") is not None, "Graphviz",
          "apt-get install graphviz")
    for root in (parse(SEED001.read_text("utf-8")).root, parse(dense_chart(20, 4)).root):
        root.backward()
        source = _layout_source(root, blank)
        zeros = graphviz_engine.digits_as_zeros(source)
        assert zeros != source
        assert (read_layout(graphviz_engine.run(source, "json", engine).decode())
                == read_layout(graphviz_engine.run(zeros, "json", engine).decode()))


def test_variants_whose_numbers_differ_in_digits_only_share_the_blank_layout(layouts, tmp_path):
    """Seed 001's blank chart is laid out twice (the second time for the bands' order)
    for the first variant, and not again for the others."""
    counts = []
    for count in (1, 3):
        graphviz_engine.forget_layouts()
        layouts.clear()
        variants = seed001_variants(count)  # every drawn leaf 0.0d: the same shape
        write_exercise(variants[0].template, variants, tmp_path / str(count), pdf=False)
        counts.append(sum('BORDER="1"' in s for s in layouts))  # boxes to write in: blank
    assert counts[0] >= 1 and counts[1] == counts[0]
