"""The class server as one Starlette application: `create_app(config)`.

The routes are in `student` (joining, the student's page and answers) and `teacher`
(the dashboard, its controls and exports); `security` wraps them all.  Nothing is kept in
the process's memory that another process would need: several processes on one
PostgreSQL serve one class.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib.resources import files

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from .lesson import Lesson
from .security import Headers, RateLimiter
from .store import FEEDBACK, ClassRow, Store, open_engine


@dataclass
class Config:
    """How the class is served: the ``lesson``, the database ``url``, the feedback
    students get at first (`store.FEEDBACK`), an optional ``roster`` (names or IDs
    allowed to join, compared without case), and the rate limits (requests a second and
    at once) per address and per student."""

    lesson: Lesson
    url: str
    feedback: str = "marks"
    roster: frozenset[str] | None = None
    address_rate: tuple[float, float] = (20.0, 400.0)
    student_rate: tuple[float, float] = (10.0, 60.0)
    public_url: str = "http://127.0.0.1:8000"


class Class:
    """What every request handler needs: the lesson, the store, the limits."""

    def __init__(self, config: Config) -> None:
        if config.feedback not in FEEDBACK:
            raise ValueError(f"feedback must be one of {', '.join(FEEDBACK)}, "
                             f"got {config.feedback!r}")
        self.config = config
        self.lesson = config.lesson
        self.store = Store(open_engine(config.url))
        first = self.store.start(config.lesson.fingerprint, config.feedback)
        self.secret, self.teacher_token = first.secret, first.teacher_token  # never change
        self.by_address = RateLimiter(*config.address_rate)
        self.by_student = RateLimiter(*config.student_rate)

    def diagnose(self, student_id: int, variant: int) -> dict[str, dict]:
        """A student's answers, every wrong one diagnosed by the checker (and the
        diagnosis kept): box → stored answer."""
        mine = self.store.answers_of(student_id)
        if any(a["kind"] == "wrong" for a in mine.values()):
            texts = {b: a["text"] for b, a in mine.items()}
            marks = self.lesson.diagnose(variant, texts)
            self.store.diagnosed(student_id, {b: (texts[b], m) for b, m in marks.items()
                                              if mine[b]["kind"] == "wrong"})
            for b, m in marks.items():
                mine[b] |= {"kind": m.kind, "note": m.note, "hint": m.hint}
        return mine

    def row(self) -> ClassRow:
        row = self.store.row()
        assert row is not None  # made by start()
        return row


def create_app(config: Config) -> Starlette:
    """The application serving ``config``'s class (its tables made on first use)."""
    from . import student, teacher

    the_class = Class(config)
    static = StaticFiles(directory=str(files(__package__) / "pages" / "static"))
    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        the_class.store.engine.dispose()  # the database's connections, closed at shutdown

    app = Starlette(routes=[*student.routes(the_class), *teacher.routes(the_class),
                            Mount("/static", static, name="static")],
                    middleware=[Middleware(Headers)], lifespan=lifespan)
    app.state.the_class = the_class
    return app
