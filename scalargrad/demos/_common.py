"""What every demo shares: where pictures go, fast mode, progress bars and plots.

Each demo writes its pictures to ``<base>/<demo name>/`` where ``<base>`` is ``--out DIR``
on the command line, else ``$SCALARGRAD_DEMO_OUT``, else ``./scalargrad-out``.
``--fast`` or ``SCALARGRAD_DEMO_FAST=1`` makes the demos small and quick (the tests use it).
``--eager`` or ``SCALARGRAD_DEMO_EAGER=1`` makes the training demos run the eager loop (the
one a student reads first) instead of the compiled one (`sg.compile`).
``python -m scalargrad.demos.NAME --help`` says so and stops. matplotlib, tqdm and numpy
come from the ``demos`` extra (``pip install "scalargrad-edu[demos]"``): a demo that needs
them imports `scalargrad.demos._extra` first, which says so in one line if they are
missing. The plots are matplotlib `Figure` objects made without pyplot, so a notebook's
plotting backend and style are left as they were.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
DEMOS = Path(__file__).parent


def title(name: str) -> str:
    """The demo's title, the first heading of its notebook: ``Seed 001: a 2-3-1 ...``."""
    for line in (DEMOS / f"{name}.py").read_text(encoding="utf-8").splitlines():
        if line.startswith("# # "):
            return line[4:].strip()
    return ""


EXTRA_MODULES = ("matplotlib", "tqdm", "numpy")
"""What the ``demos`` extra brings (pyproject.toml), checked by `scalargrad.demos._extra`."""


def demo_extra(name: str) -> str | None:
    """The extra the demo ``name`` needs (``"demos"``), None if it needs none: a demo
    that needs one imports `scalargrad.demos._extra` first."""
    source = (DEMOS / f"{name}.py").read_text(encoding="utf-8")
    return "demos" if "\nimport scalargrad.demos._extra " in source else None


def _parser(help_: bool = False) -> argparse.ArgumentParser:
    """The demos' options; with ``help_``, also ``--help`` for the demo ``sys.argv[0]``."""
    name = Path(sys.argv[0]).stem
    parser = argparse.ArgumentParser(prog=f"python -m scalargrad.demos.{name}", add_help=help_,
                                     allow_abbrev=False,
                                     description=title(name) if help_ else None)
    parser.add_argument("--fast", action="store_true",
                        help="small and quick (also SCALARGRAD_DEMO_FAST=1)")
    parser.add_argument("--out", metavar="DIR", default=None,
                        help="where the pictures go: DIR/NAME/ (default ./scalargrad-out, "
                             "also $SCALARGRAD_DEMO_OUT)")
    parser.add_argument("--eager", action="store_true",
                        help="train with the eager loop instead of the compiled one (also "
                             "SCALARGRAD_DEMO_EAGER=1)")
    return parser


def _options() -> argparse.Namespace:
    """``--out``, ``--fast`` and ``--eager`` from the command line, ignoring anything else (the
    same script runs under ``scalargrad demo NAME`` and inside Jupyter, whose argv carries
    options of their own)."""
    return _parser().parse_known_args(sys.argv[1:])[0]


if Path(sys.argv[0]).parent.resolve() == DEMOS:  # run as `python -m scalargrad.demos.X`
    if {"-h", "--help"} & set(sys.argv[1:]):
        _parser(help_=True).parse_known_args(sys.argv[1:])  # prints the help and exits
    if hasattr(signal, "SIGPIPE"):  # `python -m scalargrad.demos.X | head -1` ends quietly
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)


def fast_mode() -> bool:
    """True in fast mode (``--fast`` or ``SCALARGRAD_DEMO_FAST=1``): small data, few steps."""
    return _options().fast or os.environ.get("SCALARGRAD_DEMO_FAST", "") not in ("", "0")


def eager_mode() -> bool:
    """True if the training demos should run the eager loop (``--eager`` or
    ``SCALARGRAD_DEMO_EAGER=1``) rather than the compiled one."""
    return _options().eager or os.environ.get("SCALARGRAD_DEMO_EAGER", "") not in ("", "0")


def output_dir(name: str) -> Path:
    """The folder this demo writes its pictures to (created), announced on stdout."""
    base = _options().out or os.environ.get("SCALARGRAD_DEMO_OUT") or "scalargrad-out"
    folder = Path(base) / name
    folder.mkdir(parents=True, exist_ok=True)
    print(f"Pictures go to {folder}/")
    return folder


def heading(text: str) -> None:
    """A section title in the printed lesson."""
    print(f"\n{text}\n{'─' * len(text)}")


def progress(items: Iterable[T], **kwargs: Any) -> Iterable[T]:
    """``items`` with a tqdm progress bar when stdout is a terminal, silently otherwise."""
    from tqdm.auto import tqdm

    return tqdm(items, disable=not sys.stdout.isatty(), **kwargs)


HOUSE_STYLE = {
    "figure.dpi": 110, "savefig.dpi": 110, "savefig.bbox": "tight",
    "axes.spines.top": False, "axes.spines.right": False, "font.size": 11,
}


@contextlib.contextmanager
def house_style() -> Iterator[None]:
    """The demos' matplotlib style, for the duration only (the user's rcParams stay)."""
    import matplotlib

    with matplotlib.rc_context(HOUSE_STYLE):
        yield


def subplots(*args: Any, figsize: tuple[float, float], **kwargs: Any) -> tuple[Any, Any]:
    """A new matplotlib Figure and its axes, as ``plt.subplots`` but without pyplot: no
    backend is chosen or changed, and nothing is shown (the figure goes to a file)."""
    with house_style():
        from matplotlib.figure import Figure

        fig = Figure(figsize=figsize)
        return fig, fig.subplots(*args, **kwargs)


def save(fig: Any, path: Path) -> Path:
    """Save a matplotlib figure, print where it went."""
    with house_style():
        fig.savefig(path)
    print(f"  wrote {path}")
    return path


def plot_curves(path: Path, title: str, curves: dict[str, Sequence[float]],
                xlabel: str = "step") -> Path:
    """One panel per named curve (loss, accuracy, ...), side by side."""
    fig, axes = subplots(1, len(curves), figsize=(5 * len(curves), 3.6), squeeze=False)
    for ax, (label, ys) in zip(axes[0], curves.items()):
        ax.plot(range(len(ys)), ys, color="#1f5fa8", lw=2)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    fig.suptitle(title)
    fig.tight_layout()
    return save(fig, path)


CLASS_COLOURS = ("#d1495b", "#2e86ab", "#edae49", "#66a182", "#8d6a9f")


def plot_regions(path: Path, title: str, predict: Callable[[float, float], int],
                 X: Sequence[Sequence[float]], y: Sequence[int], steps: int = 80) -> Path:
    """Colour the plane by the class ``predict(x1, x2)`` gives, and draw the data on top."""
    from matplotlib.colors import ListedColormap

    xs = [p[0] for p in X]
    ys = [p[1] for p in X]
    pad = 0.25 * max(max(xs) - min(xs), max(ys) - min(ys))
    x0, x1, y0, y1 = min(xs) - pad, max(xs) + pad, min(ys) - pad, max(ys) + pad
    gx = [x0 + (x1 - x0) * i / (steps - 1) for i in range(steps)]
    gy = [y0 + (y1 - y0) * j / (steps - 1) for j in range(steps)]
    grid = [[predict(a, b) for a in gx] for b in gy]
    classes = sorted(set(y))
    colours = ListedColormap(CLASS_COLOURS[: len(classes)])
    fig, ax = subplots(figsize=(5.5, 5))
    ax.contourf(gx, gy, grid, levels=[c - 0.5 for c in [*classes, classes[-1] + 1]],
                cmap=colours, alpha=0.25)
    for c in classes:  # each region's outline (shared borders coincide)
        inside = [[float(g == c) for g in row] for row in grid]
        ax.contour(gx, gy, inside, levels=[0.5], colors="#555", linewidths=0.8)
    for c in classes:
        pts = [p for p, label in zip(X, y) if label == c]
        ax.scatter([p[0] for p in pts], [p[1] for p in pts], s=22, color=CLASS_COLOURS[c],
                   edgecolors="white", linewidths=0.6, label=f"class {c}")
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_aspect("equal")
    ax.legend(loc="upper right", fontsize=9, framealpha=0.9)
    ax.set_title(title)
    return save(fig, path)
