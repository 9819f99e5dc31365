"""The demos: one runnable lesson per file.

Run one as ``scalargrad demo NAME`` or ``python -m scalargrad.demos.NAME``. The ones
that train and plot need the ``demos`` extra (`demo_extra` says which).
"""
