"""The demos: one runnable lesson per file (``python demos/NAME.py`` or ``scalargrad demo NAME``)."""
