"""scalargrad in Jupyter: a real kernel (nbclient + ipykernel) runs notebooks, and the
tests read the display data a notebook would show.

- a Value shows as its chart (SVG);
- a demo's cells leave the notebook's matplotlib backend and style alone, so the user's
  own figures still show inline afterwards;
- tab completion offers the names that load on first use (sg.render, sg.steps, ...).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import scalargrad as sg

DEMOS = Path(sg.__file__).parent / "demos"


@pytest.fixture(scope="module")
def execute(needs, tmp_path_factory):
    """``execute(cells)``: run the code cells in a fresh kernel; return the executed cells."""
    try:
        import nbclient
        import nbformat
    except ImportError:
        nbclient = None
    needs(nbclient is not None, "nbclient and ipykernel", 'pip install -e ".[test]"')
    folder = tmp_path_factory.mktemp("notebook")

    def run(cells: list[str]) -> list:
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
        client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                         resources={"metadata": {"path": str(folder)}})
        client.execute()
        return notebook.cells

    return run


def outputs_of(cell, kind: str) -> list[str]:
    """The ``kind`` (a MIME type, or "stream") outputs of an executed cell, as text."""
    if kind == "stream":
        return [o["text"] for o in cell.outputs if o["output_type"] == "stream"]
    return [o["data"][kind] for o in cell.outputs if kind in o.get("data", {})]


def test_a_value_shows_as_its_chart(execute):
    [cell] = execute(["import scalargrad as sg\n"
                      "x = sg.Value(2.0, label='x')\n"
                      "y = (x * x).tanh(); y.label = 'y'\n"
                      "y.backward()\n"
                      "y"])
    [svg] = outputs_of(cell, "image/svg+xml")
    assert svg.lstrip().startswith(("<?xml", "<svg")) and "</svg>" in svg
    assert ">x<" in svg and ">y<" in svg  # both nodes, by name


def test_a_demos_cells_leave_the_plotting_backend_alone(execute):
    """seed000 draws three figures; afterwards inline plotting and the style still work."""
    demo = (DEMOS / "seed000.py").read_text(encoding="utf-8")
    demo_cells = [c for c in re.split(r"^# %%.*$", demo, flags=re.M) if c.strip()]
    before = ("%matplotlib inline\n"
              "import os, matplotlib\n"
              "os.environ['SCALARGRAD_DEMO_FAST'] = '1'\n"
              "os.environ['SCALARGRAD_DEMO_OUT'] = os.getcwd()\n"
              "backend, style = matplotlib.get_backend(), dict(matplotlib.rcParams)")
    after = ("import matplotlib.pyplot as plt\n"
             "print(matplotlib.get_backend() == backend, dict(matplotlib.rcParams) == style)\n"
             "plt.plot([0, 1], [1, 0]);")
    cells = execute([before, *demo_cells, after])
    assert any("wrote" in text and "fit.png" in text
               for cell in cells for text in outputs_of(cell, "stream"))
    assert outputs_of(cells[-1], "stream") == ["True True\n"]
    assert outputs_of(cells[-1], "image/png"), "the user's figure did not show inline"


def test_tab_completion_offers_the_names_that_load_on_first_use(execute):
    lazy = ["render", "steps", "animate", "draw", "to_svg"]
    assert set(lazy) <= set(dir(sg))
    [cell] = execute(["import scalargrad as sg\n"
                      "from IPython.core.completer import provisionalcompleter\n"
                      "with provisionalcompleter():\n"
                      "    offered = get_ipython().Completer.completions('sg.', 3)\n"
                      "    print(sorted({c.text for c in offered}))"])
    [printed] = outputs_of(cell, "stream")
    assert all(f"'{name}'" in printed for name in lazy), printed


def test_a_walkthrough_and_an_animation_show_in_the_notebook(execute):
    """sg.steps shows as Markdown (the worked solution), sg.animate(root) without a path
    plays inline: the whole self-contained page in a sandboxed frame."""
    setup = ("import scalargrad as sg\n"
             "x = sg.Value(2.0, label='x'); w = sg.Value(-3.0, label='w')\n"
             "o = (x * w).tanh(); o.label = 'o'")
    walk, animation = execute([setup + "\nsg.steps(o)", "sg.animate(o)"])
    [markdown] = outputs_of(walk, "text/markdown")
    assert markdown.startswith("**Forward pass**")
    assert "∂o/∂x = ∂o/∂t1 · ∂t1/∂x" in markdown
    [html] = outputs_of(animation, "text/html")
    assert html.startswith("<iframe srcdoc=") and 'sandbox="allow-scripts"' in html
    assert "&lt;script" in html and "∂o/∂w" in html  # the page, escaped into srcdoc


def test_a_check_report_shows_as_a_short_table(execute):
    """A report shows its summary and a Markdown table, not a dump of the dataclass."""
    [cell] = execute(["from scalargrad.grading import check\n"
                      "from scalargrad.worksheet import parse\n"
                      "check(parse('x = 2\\ny = x * x = 4\\nz = y + 1 = 6\\n', 'w.txt'))"])
    [markdown] = outputs_of(cell, "text/markdown")
    assert markdown.startswith("**2 claims: 1 right, 1 wrong")
    rows = [line for line in markdown.splitlines() if line.startswith("| ")]
    assert len(rows) == 4  # the header, its rule and one row per claim
    assert "✓" in rows[2] and "✗" in rows[3] and "`z`" in rows[3] and "slip" in rows[3]
    assert len(markdown) < 1000
