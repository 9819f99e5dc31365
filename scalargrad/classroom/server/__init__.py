"""The class server: ``scalargrad serve`` runs an exercise for a whole class at once.

Each student fills in their own variant's chart in a browser, graded on the server by the
checker's rules (the answers never reach the browser before release); the teacher's
dashboard shows the class's chart live.  Needs the ``serve`` extra
(``pip install "scalargrad-edu[serve]"``: Starlette, uvicorn, SQLAlchemy, psycopg, segno).

- `lesson`: the variants, their boxes, grading one box;
- `store`: the database (SQLite or PostgreSQL, through SQLAlchemy Core);
- `security`: tokens, CSRF, the headers and limits every response gets;
- `student`, `teacher`: the routes; `dashboard`: what the teacher sees and exports;
- `pages`: the HTML (templates and static scripts in ``pages/``);
- `app`: `create_app`; `runner`: `run`, what ``scalargrad serve`` does.
"""

from .app import Config, create_app
from .lesson import Lesson, load_lesson

__all__ = ["Config", "Lesson", "create_app", "load_lesson"]
