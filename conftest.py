"""pytest collects doctests from scalargrad/ (``--doctest-modules``); the demos are lessons
that run when imported, so they are left out here (tests/test_demos.py runs them)."""

collect_ignore = ["scalargrad/demos"]
