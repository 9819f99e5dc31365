"""The installed distribution: its name (not PyPI's unrelated "scalargrad"), one version,
the licence as an SPDX expression, and graphviz-pure only where it has a wheel."""

from __future__ import annotations

from importlib import metadata

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
