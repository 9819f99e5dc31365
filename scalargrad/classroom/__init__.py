"""The classroom: what a teacher puts in front of a class.

In: a root `Value` or a worksheet. Out: self-contained HTML pages and exercise folders.

- `animation`: `animate`, one page that steps through backprop node by node;
- `practice_page`: `practice`, a blank chart a student fills in, checked as they type;
- `variants`: an exercise's numbers redrawn per student, with the answers worked out;
- `exercises`: `exercise`, a folder of variants, worksheets, blank charts and handouts;
- `server`: ``scalargrad serve``, a class at once: each student fills in their own
  variant's chart in a browser, graded on the server (the ``serve`` extra; not imported
  here).

The HTML templates (``animation.html``, ``practice.html``) live beside their modules.
"""

from .animation import animate
from .exercises import exercise
from .practice_page import practice

__all__ = ["animate", "exercise", "practice"]
