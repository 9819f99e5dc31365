"""Shared test helpers: an independent finite-difference reference and a fixed numpy RNG.

The reference works on plain Python floats (``math``), never on scalargrad Values, so a
gradient test compares backprop with something the engine did not compute.
"""

from __future__ import annotations

import os
import runpy
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings

settings.register_profile("scalargrad", deadline=None, print_blob=True)
settings.load_profile("scalargrad")


def _needs(available: bool, what: str, how: str) -> None:
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"CI is set but {what} is missing: .ci/run should install it ({how})")
    pytest.skip(f"{what} is not installed ({how})")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> object:
    """A test skipped by `needs` is reported at the test (``test_x.py:40: dot is not
    installed``), not at the line of this file that raised the skip."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and isinstance(report.longrepr, tuple) \
            and os.path.samefile(report.longrepr[0], __file__):
        path, line, _ = item.reportinfo()
        report.longrepr = (str(path), (line or 0) + 1, report.longrepr[2])


@pytest.fixture(params=["system", "bundled"])
def engine(request: pytest.FixtureRequest) -> str:
    """Each Graphviz a chart can be drawn with: the system ``dot`` (needed, see `needs`)
    and the bundled graphviz-pure."""
    if request.param == "system":
        _needs(shutil.which("dot") is not None, "the system Graphviz (`dot`)",
               "apt-get install graphviz")
    return request.param


@pytest.fixture(scope="session")
def needs() -> Callable[[bool, str, str], None]:
    """``needs(available, what, how)``: skip the test, with a reason, when a tool it needs
    is missing, except when ``CI`` is set (``.ci/run`` sets it and installs the tools):
    there it fails, so a tool that did not install cannot turn tests into skips."""
    return _needs


def central_difference(f: Callable[..., float], point: Sequence[float],
                       h: float = 1e-4) -> list[float]:
    """Each partial ∂f/∂xᵢ by the five-point central difference (error O(s⁴)):

        (−f(x + 2s·eᵢ) + 8f(x + s·eᵢ) − 8f(x − s·eᵢ) + f(x − 2s·eᵢ)) / 12s

    with the step s = h·max(|xᵢ|, 0.01), so it shrinks near 0 (log 0.001, 1/0.01).
    """
    grads = []
    for i, xi in enumerate(point):
        step = h * max(abs(xi), 0.01)

        def at(offset: float, i: int = i) -> float:
            moved = list(point)
            moved[i] += offset
            return f(*moved)

        grads.append((-at(2 * step) + 8 * at(step) - 8 * at(-step) + at(-2 * step)) / (12 * step))
    return grads


@pytest.fixture(scope="session")
def fd() -> Callable[..., list[float]]:
    """The central-difference reference, ``fd(f, point)`` → list of partials."""
    return central_difference


@pytest.fixture
def rng() -> np.random.Generator:
    """A numpy generator with a fixed seed, so every run sees the same random numbers."""
    return np.random.default_rng(20240601)


LOCAL_PG = "postgresql://scalargrad:scalargrad@127.0.0.1:5432/scalargrad_test"
"""Where .ci/run's PostgreSQL is (used when ``SCALARGRAD_TEST_PG`` is not set)."""


@pytest.fixture(params=["sqlite", "postgresql"])
def class_db_url(request, tmp_path) -> Iterator[str]:
    """A class server's database, empty: an SQLite file, then a schema of its own (so
    that test runs at once do not meet) in PostgreSQL at ``SCALARGRAD_TEST_PG``, else at
    `LOCAL_PG` (.ci/run starts it; with CI set, its absence fails)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'class.sqlite'}"
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import OperationalError

    pg = os.environ.get("SCALARGRAD_TEST_PG", LOCAL_PG)
    schema = f"test_{os.getpid()}_{abs(hash(request.node.nodeid)) % 10**8}"
    engine = create_engine(pg.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.begin() as db:
            db.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            db.execute(text(f"CREATE SCHEMA {schema}"))
    except OperationalError as err:
        _needs(False, f"PostgreSQL at {pg} ({str(err).splitlines()[0]})",
               ".ci/run starts it; or set SCALARGRAD_TEST_PG")
    finally:
        engine.dispose()
    yield f"{pg}?options=-csearch_path%3D{schema}"
    engine = create_engine(pg.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as db:
        db.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


@pytest.fixture
def run_demo(tmp_path, monkeypatch, capsys):
    """Run demos/NAME.py in fast mode with its pictures in tmp_path; return (globals, out)."""

    def run(name: str) -> tuple[dict, str, Path]:
        monkeypatch.setenv("SCALARGRAD_DEMO_FAST", "1")
        monkeypatch.setenv("SCALARGRAD_DEMO_OUT", str(tmp_path))
        monkeypatch.setattr(sys, "argv", [name])
        namespace = runpy.run_module(f"scalargrad.demos.{name}", run_name="__main__")
        return namespace, capsys.readouterr().out, tmp_path / name

    return run
