"""The demos: one runnable lesson per file.

Run one as ``python demos/NAME.py``, ``python -m scalargrad.demos.NAME`` or
``scalargrad demo NAME``.
"""
