"""``python -m scalargrad``: the same as the ``scalargrad`` command."""

from .cli import main

raise SystemExit(main())
