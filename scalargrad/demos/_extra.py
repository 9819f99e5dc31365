"""Imported first by the demos that train and plot: if the ``demos`` extra (numpy,
matplotlib, tqdm) is missing, say in one line how to install it and stop (exit status 2),
before the demo prints or computes anything."""

import sys

from scalargrad.demos._common import EXTRA_MODULES
from scalargrad.extras import MissingExtra, require

try:
    require(*EXTRA_MODULES, extra="demos", needed_by="this demo")
except MissingExtra as missing:
    print(f"scalargrad demo: error: {missing}", file=sys.stderr)
    raise SystemExit(2) from None
