"""The installed distribution: its name (not PyPI's unrelated "scalargrad"), one version,
the licence as an SPDX expression, and graphviz-pure only where it has a wheel."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

import scalargrad

DISTRIBUTION = "scalargrad-edu"


def requirements() -> list:
    return [Requirement(r) for r in metadata.requires(DISTRIBUTION) or []]


def test_the_distribution_is_scalargrad_edu_with_the_packages_version():
    meta = metadata.metadata(DISTRIBUTION)
    assert meta["Name"] == DISTRIBUTION
    assert meta["Version"] == scalargrad.__version__  # one source: scalargrad/__init__.py
    assert meta["License-Expression"] == "MIT"
    assert "LICENSE" in meta.get_all("License-File")
    classifiers = meta.get_all("Classifier")
    for version in ("3.11", "3.12", "3.13"):
        assert f"Programming Language :: Python :: {version}" in classifiers
    assert meta.get_all("Project-URL")


def test_extras_refer_to_this_distribution_not_the_unrelated_one():
    for requirement in requirements():
        assert requirement.name != "scalargrad", requirement


@pytest.mark.parametrize(("platform", "machine", "bundled"), [
    ("linux", "x86_64", True), ("linux", "aarch64", True), ("darwin", "arm64", True),
    ("darwin", "x86_64", True), ("win32", "AMD64", True),
    ("linux", "riscv64", False), ("linux", "ppc64le", False), ("win32", "ARM64", False),
    ("freebsd14", "amd64", False),
])
def test_graphviz_pure_only_where_it_has_a_wheel(platform, machine, bundled):
    environment = {"sys_platform": platform, "platform_machine": machine, "extra": ""}
    wanted = [r for r in requirements() if r.name == "graphviz-pure"
              and (r.marker is None or r.marker.evaluate(environment))]
    assert bool(wanted) == bundled
    python_graphviz = [r for r in requirements() if r.name == "graphviz"]
    assert python_graphviz and python_graphviz[0].marker is None  # pure Python: everywhere


ROOT = Path(__file__).resolve().parents[1]
NOT_SOURCES = shutil.ignore_patterns(".git", ".venv", "*.egg-info", "__pycache__", "build",
                                     "dist", "scalargrad-out", ".pytest_cache", ".ruff_cache",
                                     ".hypothesis")


def test_the_sdist_holds_what_its_tests_need_and_builds_without_warnings(tmp_path, needs):
    """`pytest` must pass in the unpacked sdist (.ci/run does that): so it holds every file
    of the folders the tests read, the README whose blocks they run, and the changelog;
    and the build warns about nothing (a data folder not declared is "Package would be
    ignored")."""
    try:
        import build
    except ImportError:
        build = None
    needs(build is not None, "build", 'pip install -e ".[test]"')
    tree = tmp_path / "tree"
    shutil.copytree(ROOT, tree, ignore=NOT_SOURCES)
    done = subprocess.run([sys.executable, "-m", "build", "--sdist", "--no-isolation",
                           "--outdir", str(tmp_path / "dist"), str(tree)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "warning" not in (done.stdout + done.stderr).lower(), done.stdout + done.stderr
    [archive] = (tmp_path / "dist").glob("scalargrad_edu-*.tar.gz")
    with tarfile.open(archive) as sdist:
        inside = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    wanted = {"README.md", "CHANGELOG.md", "LICENSE", "pyproject.toml", "conftest.py"}
    for folder in ("tests", "docs", "benchmarks", "scalargrad/worksheets", "scalargrad/demos",
                   "scalargrad/data"):
        wanted |= {str(p.relative_to(tree)) for p in (tree / folder).rglob("*") if p.is_file()}
    assert wanted - inside == set()
