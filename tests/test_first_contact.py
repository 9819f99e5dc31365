"""A new user's first hour: names where they look, one line for a missing extra, shipped
worksheets by name, bounded notebook output, advice that fits, clear command-line errors."""

from __future__ import annotations

import html
import subprocess
import sys
from pathlib import Path

import pytest

import scalargrad as sg
from scalargrad.cli import main
from scalargrad.demos._common import demo_extra

SHIPPED = Path(sg.__file__).parent / "worksheets"


def python(code: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, cwd=cwd)


def without(modules: tuple[str, ...], code: str) -> str:
    """``code`` run as if ``modules`` were not installed (importing one fails)."""
    return "import sys\n" + "".join(f"sys.modules[{m!r}] = None\n" for m in modules) + code


# --- names where a user looks ---------------------------------------------------------------


def test_every_exception_a_user_can_meet_is_importable_from_sg():
    from scalargrad.chart.drawing import ChartTooBig, LargeGraphWarning
    from scalargrad.chart.graphviz_engine import RenderError
    from scalargrad.classroom.variants import ExerciseError
    from scalargrad.compiler.trace import CompileError
    from scalargrad.worksheet import WorksheetError

    for cls in (ChartTooBig, LargeGraphWarning, RenderError, ExerciseError, CompileError,
                WorksheetError, sg.MissingExtra):
        assert getattr(sg, cls.__name__) is cls
        assert cls.__name__ in dir(sg)
    with pytest.raises(sg.WorksheetError):
        sg.worksheet.parse("a = $")
    with pytest.raises(sg.CompileError):
        sg.compile(lambda x: x if x.data > 0 else -x, [1.0, -1.0, 2.0])
    chain = sg.Value(1.0, label="x")
    for _ in range(1600):
        chain = chain * 1.0
    with pytest.raises(sg.ChartTooBig):
        sg.draw(chain)


def test_importing_sg_loads_neither_numpy_nor_graphviz(tmp_path):
    done = python("import sys, scalargrad as sg; sg.ChartTooBig; sg.WorksheetError\n"
                  "print(sorted({'numpy', 'graphviz'} & set(sys.modules)))", tmp_path)
    assert done.stdout.strip() == "['graphviz']" or done.stdout.strip() == "[]", done.stderr
    done = python("import sys, scalargrad\nprint(sorted({'numpy', 'graphviz'} & "
                  "set(sys.modules)))", tmp_path)
    assert done.stdout.strip() == "[]", done.stderr


@pytest.mark.parametrize("module", [sg, sg.losses, sg.nn, sg.optim, sg.worksheets,
                                    sg.calculus])
def test_tab_completion_offers_public_names_only(module):
    offered = [name for name in dir(module) if not name.startswith("_")]
    lazy_with_numpy = {"CompileError"} if module is sg else set()  # not for `import *`
    assert set(offered) == set(module.__all__) | lazy_with_numpy
    for name in offered:
        assert getattr(module, name) is not None
    assert not {"plural", "trace_listeners", "annotations", "Callable", "Sequence"} & set(offered)


# --- missing extras: one line, the extra of this distribution, before any work -------------------


def test_sg_compile_without_numpy_is_one_line_naming_the_compile_extra(tmp_path):
    done = python(without(("numpy",), "import scalargrad as sg\nfrom scalargrad import *\n"
                          "try:\n    sg.compile(lambda x: x, [1.0])\n"
                          "except sg.MissingExtra as err:\n    print(err)\n"), tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ('sg.compile needs numpy, which is not installed: '
                           'pip install "scalargrad-edu[compile]"\n')


@pytest.mark.parametrize("name", ["moons", "neuron", "seed000", "seed001", "seed002",
                                  "seed003", "seed004"])
def test_each_demo_runs_without_the_extra_or_says_so_first(name, tmp_path):
    """The oracle for `scalargrad demo`'s list: run every demo as if numpy, matplotlib and
    tqdm were missing; those listed as needing the extra stop at once with one line."""
    done = python(without(("numpy", "matplotlib", "tqdm"),
                          "from scalargrad.cli import main\n"
                          f"raise SystemExit(main(['demo', {name!r}, '--fast', '--out', 'o']))"),
                  tmp_path)
    if demo_extra(name) is None:
        assert done.returncode == 0, done.stderr
    else:
        assert (done.returncode, done.stdout) == (2, ""), done.stderr
        assert done.stderr == ('scalargrad demo: error: this demo needs matplotlib, tqdm and '
                               'numpy, which are not installed: '
                               'pip install "scalargrad-edu[demos]"\n')
        assert not (tmp_path / "o").exists()


def test_the_demo_list_says_which_demos_need_the_extra(capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "  moons    Two moons: micrograd's demo, learning live  [needs the demos extra]" \
        in out
    assert "  seed001  Seed 001: a 2-3-1 network worked by hand, checked by a machine\n" in out
    assert out.endswith('the demos extra (matplotlib, tqdm, numpy): '
                        'pip install "scalargrad-edu[demos]"\n')


# --- shipped worksheets from Python -----------------------------------------------------------


def test_the_shipped_worksheets_are_listed_and_found_by_bare_name(tmp_path, monkeypatch, capsys):
    assert sg.worksheets.names() == sorted(p.name for p in SHIPPED.glob("*.txt"))
    monkeypatch.chdir(tmp_path)
    sheet = sg.worksheet.load("seed001_x1.txt")
    note = capsys.readouterr().err
    assert note == ("scalargrad: using the worksheet shipped with scalargrad: "
                    f"{SHIPPED / 'seed001_x1.txt'}\n")
    assert sheet.root.label == "L"
    page = sg.practice("seed001_x1.txt", tmp_path / "p.html")
    assert page.path.is_file()
    written = sg.exercise("seed001_x1.txt", tmp_path / "class", pdf=False)
    assert len(written.folders) == 1
    (tmp_path / "seed001_x1.txt").write_text("a = 2\nb = a * 3 = 6\n", encoding="utf-8")
    assert sg.worksheet.load("seed001_x1.txt").root.label == "b"  # a file here comes first
    with pytest.raises(sg.WorksheetError, match="cannot read the file"):
        sg.worksheet.load("hw/seed001_x1.txt")  # a folder: only ever that file


# --- notebook output and big-graph advice ------------------------------------------------------


def chain(n: int) -> sg.Value:
    node = sg.Value(0.5, label="x")
    for _ in range(n):
        node = node * 1.0
    return node


def test_a_long_walkthrough_shows_its_start_in_a_notebook_and_says_how_to_get_the_rest(tmp_path):
    walk = sg.steps(chain(3000))
    whole = walk.markdown()
    shown = walk._repr_markdown_()
    assert len(shown) < 20_000 < len(whole)
    head = shown[:shown.index("\n*…")]
    forward = whole.split("\n\n**Backward")[0]
    assert head.startswith(forward[:head.index("\n\n**Backward")])
    assert "5,802 more steps (6,002 in all)" in shown and "walk.save" in shown
    assert walk.save(tmp_path / "steps.md").read_text(encoding="utf-8") == whole
    assert walk.save(tmp_path / "steps.txt").read_text(encoding="utf-8") == walk.text()
    small = sg.steps(chain(3))
    assert small._repr_markdown_() == small.markdown()


def test_practice_refuses_a_big_graph_before_any_work(monkeypatch):
    def no_work(*args, **kwargs):
        raise AssertionError("the walkthrough was computed before the refusal")

    monkeypatch.setattr("scalargrad.classroom.practice_page.steps", no_work)
    with pytest.raises(sg.ChartTooBig) as refused:
        sg.practice(chain(2000))
    assert str(refused.value).startswith("practice: the chart would have more than")
    assert "view=" not in str(refused.value)


def big_network() -> sg.Value:
    net = sg.nn.MLP(2, [40, 40, 1], seed=1)
    return sg.losses.mse([net([0.5, -0.5])], [1.0])


def test_big_graph_advice_offers_a_collapsed_view_to_networks_only():
    with pytest.raises(sg.ChartTooBig) as refused:
        sg.draw(chain(2000))
    assert "view=" not in str(refused.value)
    with pytest.raises(sg.ChartTooBig) as refused:
        sg.draw(big_network())
    assert "view='neuron'" in str(refused.value)
    from scalargrad.chart import notebook_svg

    summary = html.unescape(notebook_svg(chain(7000)))
    assert "view='neuron'" not in summary and "sg.render(part, 'chart.svg')" in summary
    assert "view='neuron'" in html.unescape(notebook_svg(sg.losses.mse(
        [sg.nn.MLP(2, [200, 200, 1], seed=1)([0.5, -0.5])], [1.0])))


def test_collecting_the_doctests_runs_no_demo(tmp_path):
    """The demos live in scalargrad/demos/ and run when imported: pytest's doctest
    collection over scalargrad/ must leave them alone (they would write scalargrad-out/)."""
    done = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q",
                           "-p", "no:cacheprovider", str(Path(__file__).parents[1] / "scalargrad")],
                          capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert list(tmp_path.iterdir()) == []


# --- the command line ---------------------------------------------------------------------------


def test_a_source_after_at_is_the_source(capsys):
    assert main(["steps", "o = x*w", "--at", "x=2", "w=3"]) == 0
    before = capsys.readouterr().out
    assert main(["steps", "--at", "x=2", "w=3", "o = x*w"]) == 0
    assert capsys.readouterr().out == before
    assert main(["steps", "--at", "x=2", "w=3"]) == 2
    assert capsys.readouterr().err == (
        "scalargrad steps: error: SOURCE is missing: a worksheet file or an expression (it "
        "cannot come right after --at, which takes every word after it: put it before) "
        "(see scalargrad steps --help)\n")


@pytest.mark.parametrize("text", ["x = 2,5\ny = x * 2\n", "x = 2\ny = x * 2 = 4,0\n"])
def test_a_decimal_comma_gets_a_hint(tmp_path, capsys, text):
    sheet = tmp_path / "w.txt"
    sheet.write_text(text, encoding="utf-8")
    assert main(["check", str(sheet)]) == 2
    assert "hint: a comma separates statements: write decimals with a point, 2.5 not 2,5" \
        in capsys.readouterr().err


def test_a_line_starting_with_a_number_keeps_the_usual_hint(tmp_path, capsys):
    sheet = tmp_path / "w.txt"
    sheet.write_text("x = 2\n3 + x\n", encoding="utf-8")
    assert main(["check", str(sheet)]) == 2
    assert "hint: write name = formula" in capsys.readouterr().err
