"""The ``scalargrad`` command: draw, step through, animate and check an expression or a
worksheet, and run the demos.

    scalargrad graph "o = tanh(x*w + b)" --at x=2 w=-3 b=6.88 -o chart.svg
    scalargrad graph seed001_x1.txt -o chart.svg
    scalargrad steps "L = (y - t)^2" --at y=0.8 t=1 --format markdown
    scalargrad animate seed001_x1.txt -o backprop.html
    scalargrad check my_worksheet.txt
    scalargrad exercise seed001_x1.txt --variants 30 --seed 1 --keep x11 x12 y -o class/
    scalargrad practice seed001_x1.txt -o practice.html
    scalargrad demo            # lists the demos;  scalargrad demo NAME --fast  runs one

A SOURCE is a worksheet file if one exists at that path (or if it names a worksheet that
ships with scalargrad, such as ``seed001_x1.txt``), else an expression in names and
numbers whose values ``--at`` gives. Errors and warnings are one line on stderr; the exit
status is 0 on success, 1 when ``check`` finds wrong claims, 2 for bad input (or a chart
Graphviz could not render), 130 after Ctrl-C, 141 when the reader of the output went
away (``| head``).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import pkgutil
import runpy
import shlex
import sys
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from . import __version__, worksheets
from .chart.graphviz_engine import ENV_VAR, RenderError
from .engine import ScalarGradError, Value, topological_order
from .extras import install_command
from .wording import plural
from .worksheet import Worksheet, WorksheetError, expression, load

if TYPE_CHECKING:
    from .grading.reports import GradedFile

EXIT_OK, EXIT_WRONG, EXIT_BAD_INPUT = 0, 1, 2
EXIT_INTERRUPTED, EXIT_CLOSED_PIPE = 130, 141  # as a shell reports SIGINT and SIGPIPE


class CommandError(Exception):
    """Bad command-line input: printed as one line, exit status 2."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); return the status."""
    args = _parser().parse_args(argv)
    try:
        if getattr(args, "source", "") is None:
            _source_after_options(args)
        with _one_line_warnings(args.name):
            return args.command(args)
    except KeyboardInterrupt:  # Ctrl-C: one line, the shell's status for it
        print(f"scalargrad {args.name}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `scalargrad demo seed001 | head -1`: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so that flushing at exit cannot fail again
        return EXIT_CLOSED_PIPE
    except (CommandError, ScalarGradError, RenderError, OSError, ValueError,
            ImportError) as err:
        print(f"scalargrad {args.name}: error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT


@contextlib.contextmanager
def _one_line_warnings(command: str) -> Iterator[None]:
    """Warnings as ``scalargrad graph: warning: ...`` on stderr, one line each."""

    def show(message: Warning | str, *_: object, **__: object) -> None:
        print(f"scalargrad {command}: warning: {message}", file=sys.stderr)

    with warnings.catch_warnings():
        warnings.simplefilter("default")
        warnings.showwarning = show
        yield


# ---------------------------------------------------------------------------------------
# The subcommands
# ---------------------------------------------------------------------------------------


def _graph(args: argparse.Namespace) -> int:
    from .chart.drawing import render_slides

    root = _root(args)
    paths = render_slides(root, _output(args), engine=args.engine, rankdir=args.rankdir,
                          digits=args.digits, show_grad=not args.no_grad,
                          edge_derivatives=args.edge_derivatives, view=args.view,
                          highlight=_nodes_named(root, args.highlight), title=args.title,
                          size=args.size)
    print(f"wrote {', '.join(map(str, paths))}")
    return EXIT_OK


def _steps(args: argparse.Namespace) -> int:
    from .walkthrough import steps

    walkthrough = steps(_root(args), digits=args.digits)
    print(getattr(walkthrough, args.format)(), end="")
    return EXIT_OK


def _animate(args: argparse.Namespace) -> int:
    from .classroom.animation import animate

    root = _root(args)
    output = _output(args)
    with _graphviz_engine(args.engine):
        path = animate(root, output, digits=args.digits, title=args.title,
                       rankdir=args.rankdir, zoom=args.zoom, view=args.view,
                       seconds_per_step=args.seconds_per_step)
    print(f"wrote {path}")
    return EXIT_OK


@contextlib.contextmanager
def _graphviz_engine(engine: str | None) -> Iterator[None]:
    """``--engine`` for the API calls that have no ``engine=``: the environment variable
    that picks one, set for the duration."""
    before = os.environ.get(ENV_VAR)
    if engine is not None:
        os.environ[ENV_VAR] = engine
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(ENV_VAR, None)
        else:
            os.environ[ENV_VAR] = before


def _check(args: argparse.Namespace) -> int:
    from .grading.reports import class_summary, each_report, files_json

    if len(args.worksheet) == 1 and not args.summary and args.format != "json":
        return _check_one(args.worksheet[0], args.format)
    files = [_graded(source) for source in args.worksheet]
    if args.summary:
        print(class_summary(files, args.format), end="")
    elif args.format == "json":
        print(files_json(files), end="")
    else:
        print(each_report(files, args.format), end="")
    statuses = {graded.status for graded in files}
    return (EXIT_BAD_INPUT if "malformed" in statuses
            else EXIT_WRONG if "wrong" in statuses else EXIT_OK)


def _check_one(source: str, fmt: str) -> int:
    """One worksheet: its table (or Markdown); a bad file is an error, exit status 2."""
    from .grading import check
    from .grading.verdicts import markdown

    report = check(_worksheet(source))
    if not report.verdicts:
        print("the worksheet has no claims to check (write one as 'a1 = x * w = 0.06')")
        return EXIT_OK
    print(report.table() if fmt == "text" else markdown(report), end="")
    return EXIT_OK if report.ok else EXIT_WRONG


def _graded(source: str) -> GradedFile:
    """One file of several, graded; a missing or malformed one carries its error."""
    from .grading.reports import GradedFile, grade_file

    try:
        path = _worksheet_path(source)
    except CommandError as err:
        return GradedFile(source, error=str(err))
    if path is None:
        return GradedFile(source, error=f"no such worksheet file: {source}")
    return grade_file(path, shown_as=source)


def _exercise(args: argparse.Namespace) -> int:
    from .classroom.exercises import exercise

    path = _worksheet_path(args.source)
    if path is not None and args.at:
        raise CommandError("--at gives the values of an expression's names; a worksheet "
                           "has its own numbers")
    if args.decimals is not None and not args.range:
        raise CommandError("--decimals goes with --range: the places of the numbers drawn")
    ranges = dict(_range(text) for text in args.range or [])
    try:
        written = exercise(path or args.source, args.output, variants=args.variants,
                           seed=args.seed, at=None if path else _values(args.at or []),
                           keep=args.keep or (), ranges=ranges, decimals=args.decimals,
                           paper=args.paper,
                           pdf=False if args.no_pdf else None, command=_exercise_command(args))
    except RuntimeError as err:  # Graphviz or LaTeX failed
        raise CommandError(str(err)) from None
    print(f"wrote {plural(len(written.folders), 'variant')} and the index {written.index}")
    if not written.pdf:
        print(f"no PDF handouts: {written.why_no_pdf}")
    return EXIT_OK


def _exercise_command(args: argparse.Namespace) -> str:
    """The command that makes the same exercise again, for the teacher's index."""
    words = ["scalargrad", "exercise", args.source, *(["--at", *args.at] if args.at else []),
             "--variants", str(args.variants), "--seed", args.seed]
    for option, value in (("--keep", args.keep), ("--range", args.range)):
        words += [option, *value] if value else []
    words += ["--decimals", str(args.decimals)] if args.decimals is not None else []
    return shlex.join([*words, "--paper", args.paper, "-o", args.output])


def _range(text: str) -> tuple[str, str]:
    """``"w*=0.01:0.09"`` → ``("w*", "0.01:0.09")``; ``"0.01:0.09"`` is for every leaf."""
    pattern, sep, numbers = text.rpartition("=")
    return (pattern if sep else "*"), numbers


def _practice(args: argparse.Namespace) -> int:
    from .classroom.practice_page import practice

    page = practice(_root(args), args.output, digits=args.digits)
    print(f"wrote {page.path}")
    return EXIT_OK


def _serve(args: argparse.Namespace) -> int:
    try:
        from .classroom.server import Config, load_lesson
        from .classroom.server.runner import default_database, read_roster, run
    except ImportError as err:
        raise CommandError(f"serve needs the serve extra: pip install "
                           f'"scalargrad-edu[serve]" ({err})') from None
    if bool(args.certfile) != bool(args.keyfile):
        raise CommandError("--certfile and --keyfile go together")
    path = None if Path(args.source).is_dir() else _worksheet_path(args.source)
    if path is not None and args.at:
        raise CommandError("--at gives the values of an expression's names; a worksheet "
                           "has its own numbers")
    source = str(path or args.source)
    lesson = load_lesson(source, at=None if path or Path(source).is_dir()
                         else _values(args.at or []), variants=args.variants, seed=args.seed)
    url = args.db or str(default_database(source, lesson, path is not None))
    url = url if "://" in url else f"sqlite:///{Path(url).resolve()}"
    run(Config(lesson, url, feedback=args.feedback,
               roster=read_roster(args.roster) if args.roster else None),
        host=args.host, port=args.port, certfile=args.certfile, keyfile=args.keyfile)
    return EXIT_OK


def _demo(args: argparse.Namespace) -> int:
    from .demos._common import EXTRA_MODULES, demo_extra, title

    names = demo_names()
    if args.demo is None:
        print("demos (run one with: scalargrad demo NAME, add --fast for a quick run):")
        width = max(map(len, names))
        extras = {name: demo_extra(name) for name in names}
        print("\n".join(f"  {name:<{width}}  {title(name)}"
                        + (f"  [needs the {extras[name]} extra]" if extras[name] else "")
                        for name in names))
        for extra in sorted(set(filter(None, extras.values()))):
            print(f"the {extra} extra ({', '.join(EXTRA_MODULES)}): {install_command(extra)}")
        return EXIT_OK
    if args.demo not in names:
        raise CommandError(f"no demo called {args.demo!r}; the demos are: {', '.join(names)}")
    options = (["--fast"] * args.fast + ["--eager"] * args.eager
               + (["--out", args.out] if args.out else []))
    argv = sys.argv
    sys.argv = [f"scalargrad demo {args.demo}", *options]  # what the demo reads
    try:
        runpy.run_module(f"scalargrad.demos.{args.demo}", run_name="__main__")
    finally:
        sys.argv = argv
    return EXIT_OK


def demo_names() -> list[str]:
    """The demos: the modules of `scalargrad.demos` not starting with ``_``."""
    import scalargrad.demos

    return sorted(m.name for m in pkgutil.iter_modules(scalargrad.demos.__path__)
                  if not m.name.startswith("_"))


# ---------------------------------------------------------------------------------------
# Sources: a worksheet file or an expression
# ---------------------------------------------------------------------------------------


def _root(args: argparse.Namespace) -> Value:
    """The graph to draw, step through or animate, with its gradients filled in."""
    path = _worksheet_path(args.source)
    if path is not None:
        if args.at:
            raise CommandError("--at gives the values of an expression's names; a worksheet "
                               "has its own numbers")
        root = load(path).root
    else:
        values = _values(args.at or [])
        try:
            root = expression(args.source, values)
        except WorksheetError as err:
            raise err.located("expression") from None
        used = {node.label for node in topological_order(root) if not node.children}
        unused = [name for name in values if name not in used]
        if unused:
            raise CommandError(f"--at {unused[0]}=…: the expression has no name {unused[0]} "
                               f"(its names: {', '.join(sorted(filter(None, used)))})")
    root.backward()
    return root


def _source_after_options(args: argparse.Namespace) -> None:
    """SOURCE after ``--at``, which takes every word after it (``graph --at x=2 w=3 "o = x*w"``):
    the last word, if it is no NAME=NUMBER, is the source; else SOURCE is missing."""
    if args.at and not _is_pair(args.at[-1]):
        args.source = args.at.pop()
        return
    options = [f"--{o}" for o in ("at", "keep", "range") if getattr(args, o, None)]
    takes = "takes every word after it" if len(options) == 1 else "take every word after them"
    where = (f" (it cannot come right after {' or '.join(options)}, which {takes}: put it "
             "before)" if options else "")
    raise CommandError(f"SOURCE is missing: a worksheet file or an expression{where} "
                       f"(see scalargrad {args.name} --help)")


def _is_pair(text: str) -> bool:
    """Whether ``text`` reads as NAME=NUMBER (``x=2``)."""
    name, sep, number = text.partition("=")
    try:
        float(number)
    except ValueError:
        return False
    return bool(sep) and name.strip().isidentifier()


def _worksheet(source: str) -> Worksheet:
    path = _worksheet_path(source)
    if path is None:
        raise CommandError(f"no such worksheet file: {source}")
    return load(path)


def _worksheet_path(source: str) -> Path | None:
    """The worksheet ``source`` names: a file, or, by its bare name (no folder), one
    shipped in scalargrad/worksheets (said on stderr); None if ``source`` does not look
    like a file name (it is an expression)."""
    path = Path(source)
    if path.is_file() or (path.exists() and not path.is_dir()):
        return path  # a device or a FIFO too: load() says it is not a regular file
    if path.suffix != ".txt":
        return None
    found = worksheets.find(source)
    if found.is_file():
        return found
    hint = f" (the shipped one is named without a folder: {path.name})" \
        if path.name in worksheets.names() else ""
    raise CommandError(f"no such worksheet file: {source}{hint}")


def _values(pairs: Sequence[str]) -> dict[str, float]:
    """``["x=1", "y=2"]`` → ``{"x": 1.0, "y": 2.0}``: each name once, each number finite."""
    values: dict[str, float] = {}
    for pair in pairs:
        name, sep, number = pair.partition("=")
        name = name.strip()
        try:
            if not sep or not name.isidentifier():
                raise ValueError
            value = float(number)
        except ValueError:
            raise CommandError(f"--at expects NAME=NUMBER, got {pair!r}") from None
        if not math.isfinite(value):
            raise CommandError(f"--at {pair}: {name} must be a finite number, not {value} "
                               "(floats stop near 1.8e308)")
        if name in values:
            raise CommandError(f"--at gives {name} twice ({name}={values[name]:g} and {pair})")
        values[name] = value
    return values


def _output(args: argparse.Namespace) -> Path:
    """``-o``, unless it is the worksheet being read (which it would overwrite)."""
    output = Path(args.output)
    source = Path(args.source)
    if source.is_file() and output.exists() and output.samefile(source):
        raise CommandError(f"-o {args.output} is the worksheet being read; writing there "
                           "would overwrite it: choose another file name")
    return output


def _nodes_named(root: Value, names: Sequence[str] | None) -> list[Value] | None:
    """The nodes of ``root``'s graph labelled with ``names`` (for ``--highlight``)."""
    if not names:
        return None
    by_label = {node.label: node for node in topological_order(root) if node.label}
    missing = [name for name in names if name not in by_label]
    if missing:
        raise CommandError(f"--highlight {missing[0]}: no node of the graph is called that; "
                           f"the names are: {', '.join(sorted(by_label))}")
    return [by_label[name] for name in names]


# ---------------------------------------------------------------------------------------
# The parser
# ---------------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors, like every other error of the command."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="scalargrad",
        description="Draw, step through, animate and check backprop by hand.",
        epilog="SOURCE is a worksheet file (see the README) or an expression such as "
               "'o = tanh(x*w + b)' with --at x=2 w=-3 b=6.88.",
    )
    parser.add_argument("--version", action="version", version=f"scalargrad {__version__}")
    sub = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    def command(name: str, run: object, help_: str, epilog: str | None = None
                ) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_, epilog=epilog)
        p.set_defaults(command=run, name=name)
        return p

    def source(p: argparse.ArgumentParser) -> None:
        p.add_argument("source", metavar="SOURCE", nargs="?",  # may follow --at's values
                       help="a worksheet file, or an expression such as 'L = (y - t)^2'")
        p.add_argument("--at", nargs="+", metavar="NAME=NUMBER",
                       help="the value of each name in the expression, e.g. --at y=0.8 t=1")
        p.add_argument("--digits", type=int, default=4,
                       help="significant digits of the numbers shown (default 4)")

    def chart(p: argparse.ArgumentParser, output: str) -> None:
        source(p)
        p.add_argument("-o", "--output", default=output,
                       help=f"where to write it (default {output})")
        p.add_argument("--rankdir", choices=["LR", "TB"], default="LR",
                       help="left to right (LR, default) or top to bottom (TB)")
        p.add_argument("--title", help="a caption for the chart")
        p.add_argument("--engine", choices=["system", "bundled"],
                       help=f"the Graphviz that lays it out (default: ${ENV_VAR}, else the "
                            "system dot if on PATH, else the bundled one)")
        p.add_argument("--view", choices=["full", "neuron", "layer"], default="full",
                       help="every node, or one box per neuron or per layer of a network")

    graph = command("graph", _graph, "draw the computational chart (SVG, PNG or PDF)")
    chart(graph, "chart.svg")
    graph.add_argument("--size", choices=["natural", "readme", "slide"], default="natural",
                       help="natural size (default), 880 px wide for a README, or 1280 × 720 "
                            "for a 16:9 slide (a big chart on several: o.png, o-2.png, …)")
    graph.add_argument("--highlight", nargs="+", metavar="NAME",
                       help="draw every path from the root down to these nodes thick")
    graph.add_argument("--no-grad", action="store_true", help="leave out the gradients")
    graph.add_argument("--edge-derivatives", action="store_true",
                       help="write the local derivative on every edge")

    steps = command("steps", _steps, "print the worked solution, forward and backward")
    source(steps)
    steps.add_argument("--format", choices=["text", "markdown", "latex"], default="text",
                       help="plain text (default), Markdown, or a LaTeX align* environment")

    animate = command("animate", _animate, "write an HTML page that animates backprop")
    chart(animate, "backprop.html")
    animate.add_argument("--zoom", action=argparse.BooleanOptionalAction,
                         help="start following each step (--zoom) or showing the whole chart "
                              "(--no-zoom); default: follow when the chart is large")
    animate.add_argument("--seconds-per-step", type=float, default=1.5, metavar="SECONDS",
                         help="the pace of play (default 1.5)")

    check = command(
        "check", _check, "check every claim of one worksheet, or of a whole class's",
        "A number is right (✓) when the exact value rounds to it at the digits written, a "
        "formula when it equals the quantity at the worksheet's point and at random points. "
        "A wrong one (✗) is a slip, an arithmetic slip, a wrong formula (or one true here "
        "only), follows from earlier wrong numbers, or was cut off instead of rounded. A ? "
        "left blank is unanswered. With several files, a file that cannot be read is reported "
        "as malformed and the others are still graded. Exit status: 0 all right, 1 some "
        "wrong or unanswered, 2 a bad file (missing or malformed).")
    check.add_argument("worksheet", metavar="WORKSHEET", nargs="+",
                       help="a worksheet file (or a shipped one, such as seed001_x1.txt); "
                            "several for a class")
    check.add_argument("--format", choices=["text", "markdown", "json"], default="text",
                       help="a plain-text table (default), Markdown, or JSON with every "
                            "verdict")
    check.add_argument("--summary", action="store_true",
                       help="one line per file: its right and wrong claims, or why it is "
                            "malformed; then the totals")

    exercise = command(
        "exercise", _exercise, "make an exercise: a variant per student, with handouts",
        "Each variant draws new numbers for the leaves (the names defined by a plain "
        "number) and gets a handout with a blank chart, a worksheet to fill in, the solution "
        "and an answer key; index.md lists them. The same seed gives the same variants.")
    source(exercise)
    exercise.add_argument("-o", "--output", default="exercise",
                          help="the folder to write into (default exercise)")
    exercise.add_argument("--variants", type=int, default=1, help="how many (default 1)")
    exercise.add_argument("--seed", default="1", help="the seed of the draws (default 1)")
    exercise.add_argument("--keep", nargs="+", metavar="NAME",
                          help="leaves (names or patterns such as 'x*') kept as they are")
    exercise.add_argument("--range", nargs="+", metavar="[NAME=]LOW:HIGH",
                          help="where leaves are drawn from, e.g. 0.01:0.09 or 'w*=0.01:0.09' "
                               "(default: numbers like each leaf's own)")
    exercise.add_argument("--decimals", type=int,
                          help="decimals of the numbers drawn in each --range")
    exercise.add_argument("--all", action="store_true",
                          help="ask every value and gradient: what every exercise does now "
                               "(each empty box of the chart is a ? of the worksheet); kept "
                               "so that older commands still run")
    exercise.add_argument("--paper", choices=["a4", "letter"], default="a4",
                          help="the handouts' paper (default a4)")
    exercise.add_argument("--no-pdf", action="store_true", help="write no PDF handouts")

    practice = command("practice", _practice,
                       "write a practice page: the chart with a box for every number to find")
    source(practice)
    practice.add_argument("-o", "--output", default="practice.html",
                          help="where to write the page (default practice.html)")

    serve = command(
        "serve", _serve, "run an exercise for a whole class: a web server (the serve extra)",
        "Each student joins with the code and fills in their own variant's chart in a "
        "browser; the teacher's address (printed, with a secret token) shows the class live. "
        "Stopping and starting again with the same options resumes the class.")
    serve.add_argument("source", metavar="SOURCE",
                       help="a worksheet, an expression with --at, or a folder made by "
                            "scalargrad exercise")
    serve.add_argument("--at", nargs="+", metavar="NAME=NUMBER",
                       help="the value of each name in the expression")
    serve.add_argument("--variants", type=int, default=1, help="how many (default 1)")
    serve.add_argument("--seed", default="1", help="the seed of the draws (default 1)")
    serve.add_argument("--db", help="the database: a file, or postgresql://… for several "
                                    "server processes (default: an SQLite file beside SOURCE)")
    serve.add_argument("--feedback", choices=["marks", "hints", "release"], default="marks",
                       help="marks as they type (default), marks with hints, or nothing "
                            "until the solution is released")
    serve.add_argument("--roster", metavar="FILE",
                       help="only these names or IDs (one a line) may join")
    serve.add_argument("--host", default="127.0.0.1",
                       help="the address to listen on (default 127.0.0.1: this machine "
                            "only; 0.0.0.0 lets the class's network in)")
    serve.add_argument("--port", type=int, default=8000, help="the port (default 8000)")
    serve.add_argument("--certfile", help="a TLS certificate: serve HTTPS")
    serve.add_argument("--keyfile", help="the TLS certificate's private key")

    demo = command("demo", _demo, "run a demo, or list them")
    demo.add_argument("demo", nargs="?", metavar="NAME", help="the demo to run")
    demo.add_argument("--fast", action="store_true", help="small and quick")
    demo.add_argument("--eager", action="store_true",
                      help="train with the eager loop instead of the compiled one")
    demo.add_argument("--out", metavar="DIR",
                      help="where the pictures go (default ./scalargrad-out)")
    return parser
