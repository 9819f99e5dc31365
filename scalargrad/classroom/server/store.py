"""Everything a class keeps, in one database (SQLAlchemy Core, so that SQLite and
PostgreSQL take the same code path; every statement is parameterised).

Tables: ``class_`` (one row: the secrets, the join code, the switches), ``students``
(who joined, their variant, a hash of their session), ``answers`` (each student's latest
text for each box with its mark).  An answer carries the ``seq`` the browser gave it:
a resent answer (same or older ``seq``) changes nothing, so resending is idempotent.
Every write is one transaction, committed before the server answers.
"""

from __future__ import annotations

import hashlib
import queue
import secrets
import threading
import time
from concurrent.futures import Future
from contextlib import suppress
from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    bindparam,
    case,
    create_engine,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.dml import Insert

metadata = MetaData()

class_ = Table(
    "class_", metadata,
    Column("id", Integer, primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("secret", String(64), nullable=False),
    Column("teacher_token", String(64), nullable=False),
    Column("join_code", String(16), nullable=False),
    Column("joining", Boolean, nullable=False),
    Column("is_open", Boolean, nullable=False),
    Column("released", Boolean, nullable=False),
    Column("feedback", String(16), nullable=False),
    Column("version", Integer, nullable=False),
)

students = Table(
    "students", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(80), nullable=False),
    Column("name_key", String(80), nullable=False, unique=True),
    Column("variant", Integer, nullable=False),
    Column("session_hash", String(64), nullable=False, unique=True),
    Column("removed", Boolean, nullable=False, default=False),
    Column("joined", Float, nullable=False),
)

answers = Table(
    "answers", metadata,
    Column("student_id", Integer, nullable=False),
    Column("box", String(8), nullable=False),
    Column("text", String(64), nullable=False),
    Column("seq", Integer, nullable=False),
    Column("kind", String(16), nullable=False),
    Column("note", String(300), nullable=False),
    Column("hint", String(300), nullable=False),
    Column("at", Float, nullable=False, index=True),
    UniqueConstraint("student_id", "box"),
)

CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
"""A join code's alphabet: no 0/O or 1/I to misread from a projector."""
CODE_LENGTH = 6
FEEDBACK = ("marks", "release", "hints")
"""Marks as they type; nothing until release; marks with the checker's hints."""


class StoreError(RuntimeError):
    """The database holds another class, or cannot be opened."""


def new_code() -> str:
    return "".join(secrets.choice(CODE_LETTERS) for _ in range(CODE_LENGTH))


def digest(token: str) -> str:
    """What is stored of a student's session token (the token stays in their cookie)."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Tally:
    """Counts for the dashboard: box → (answered, right), student id → (answered,
    right), student id → the boxes they have wrong."""

    boxes: dict[str, tuple[int, int]]
    students: dict[int, tuple[int, int]]
    wrong: dict[int, set[str]]


@dataclass(frozen=True)
class ClassRow:
    secret: str
    teacher_token: str
    join_code: str
    joining: bool
    is_open: bool
    released: bool
    feedback: str
    version: int


POOL = 48
"""Connections kept open: one for each of the request threads (anyio's 40) and the
writer, so that no request opens one (a new SQLite connection starts with an empty
cache and sets its pragmas again)."""


def open_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite in WAL mode, synchronous=FULL (a commit survives a
    crash), waiting up to 30 s for a lock."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False},
                               pool_size=POOL, max_overflow=0, pool_timeout=60)

        @event.listens_for(engine, "connect")
        def _pragmas(connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.close()
        return engine
    # no ping before each use (a round trip per request): a connection the server lost
    # fails one request, the pool is then renewed, and the browser sends again
    return create_engine(url, pool_size=30, max_overflow=10, pool_timeout=60)


class Store:
    """The class's database."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def start(self, fingerprint: str, feedback: str) -> ClassRow:
        """Create the tables and the class on first use; on a restart, check that the
        database holds this class and resume it."""
        metadata.create_all(self.engine)
        row = self.row()
        if row is None:
            # another server process may make it first: then its row is the class
            with suppress(IntegrityError), self.engine.begin() as db:
                db.execute(insert(class_).values(
                    id=1, fingerprint=fingerprint, secret=secrets.token_hex(32),
                    teacher_token=secrets.token_urlsafe(24), join_code=new_code(),
                    joining=True, is_open=True, released=False, feedback=feedback,
                    version=0))
        with self.engine.connect() as db:
            stored = db.execute(select(class_.c.fingerprint)).scalar_one()
        if stored != fingerprint:
            raise StoreError("this database holds another class (another source, number of "
                             "variants or seed): give another --db, or the same options")
        return self.row()  # type: ignore[return-value]

    def row(self) -> ClassRow | None:
        with self.engine.connect() as db:
            found = db.execute(select(class_).where(class_.c.id == 1)).mappings().first()
        if found is None:
            return None
        return ClassRow(**{k: found[k] for k in ClassRow.__dataclass_fields__})

    def set(self, **values: object) -> None:
        """Change the class's switches (``joining``, ``is_open``, ``released``,
        ``feedback``, ``join_code``); the dashboard sees the new version."""
        with self.engine.begin() as db:
            db.execute(update(class_).where(class_.c.id == 1)
                       .values(**values, version=class_.c.version + 1))

    # -- students ------------------------------------------------------------------------

    def join(self, name: str, variants: int) -> tuple[int, str] | None:
        """A new student ``name``: (id, session token), or None when the name is taken.
        Variants go round: student k gets variant (k − 1) mod n + 1."""
        token = secrets.token_urlsafe(32)
        try:
            with self.engine.begin() as db:
                new = db.execute(insert(students).values(
                    name=name, name_key=name.casefold(), variant=0,
                    session_hash=digest(token), removed=False, joined=time.time()))
                student_id = new.inserted_primary_key[0]
                db.execute(update(students).where(students.c.id == student_id)
                           .values(variant=(student_id - 1) % variants + 1))
                db.execute(update(class_).values(version=class_.c.version + 1))
        except IntegrityError:
            return None
        return student_id, token

    def student(self, token: str) -> tuple[dict, ClassRow] | None:
        """The student whose session ``token`` is, unless removed, and the class's row
        (one query: every request of a student needs both)."""
        columns = [*students.c, *(class_.c[k] for k in ClassRow.__dataclass_fields__)]
        with self.engine.connect() as db:
            found = db.execute(select(*columns).select_from(
                students.join(class_, class_.c.id == 1)).where(
                students.c.session_hash == digest(token), students.c.removed.is_(False))
            ).mappings().first()
        if found is None:
            return None
        return ({c.name: found[c.name] for c in students.c},
                ClassRow(**{k: found[k] for k in ClassRow.__dataclass_fields__}))

    def remove(self, student_id: int) -> None:
        """Remove a student: their session ends and their name is free again."""
        with self.engine.begin() as db:
            db.execute(update(students).where(students.c.id == student_id).values(
                removed=True, name_key=f"removed {student_id}"))
            db.execute(update(class_).values(version=class_.c.version + 1))

    def roster(self) -> list[dict]:
        with self.engine.connect() as db:
            rows = db.execute(select(students).where(students.c.removed.is_(False))
                              .order_by(students.c.id)).mappings().all()
        return [dict(r) for r in rows]

    # -- answers -------------------------------------------------------------------------

    def answers_of(self, student_id: int) -> dict[str, dict]:
        with self.engine.connect() as db:
            rows = db.execute(select(answers).where(answers.c.student_id == student_id)
                              ).mappings().all()
        return {r["box"]: dict(r) for r in rows}

    def save(self, student_id: int, box: str, text: str, seq: int, kind: str,
             note: str = "", hint: str = "") -> Future:
        """Keep the answer unless a newer one (higher ``seq``) is stored.  Returns at once
        a future whose result, set only once the answer is committed, is whether it was
        kept: answers arriving together are committed together (one transaction, one sync
        to disk), by one writer thread; nobody's thread waits for the disk meanwhile."""
        values = dict(student_id=student_id, box=box, text=text, seq=seq, kind=kind,
                      note=note[:300], hint=hint[:300], at=time.time())
        return self.writer.save(values)

    @cached_property
    def writer(self) -> GroupCommit:
        return GroupCommit(self.engine)

    def diagnosed(self, student_id: int, marks: dict[str, tuple[str, object]]) -> None:
        """Keep the checker's diagnosis of a student's answers: box → (the text
        diagnosed, its `Mark`); an answer changed meanwhile is left as it is."""
        with self.engine.begin() as db:
            for box, (text, mark) in marks.items():
                db.execute(update(answers).where(
                    answers.c.student_id == student_id, answers.c.box == box,
                    answers.c.text == text).values(
                    kind=mark.kind, note=mark.note[:300], hint=mark.hint[:300]))  # type: ignore[attr-defined]

    def tally(self) -> Tally:
        """The dashboard's counts, counted by the database: per box and per student,
        answered and right; and which boxes each student has wrong."""
        answered = answers.c.kind != "empty"
        right = func.sum(case((answers.c.kind == "right", 1), else_=0))
        with self.engine.connect() as db:
            boxes = db.execute(select(answers.c.box, func.count(), right)
                               .where(answered).group_by(answers.c.box)).all()
            people = db.execute(select(answers.c.student_id, func.count(), right)
                                .where(answered).group_by(answers.c.student_id)).all()
            wrong = db.execute(select(answers.c.student_id, answers.c.box).where(
                answers.c.kind.not_in(("right", "empty")))).all()
        not_right: dict[int, set[str]] = {}
        for student_id, box in wrong:
            not_right.setdefault(student_id, set()).add(box)
        return Tally({b: (n, int(r)) for b, n, r in boxes},
                     {s: (n, int(r)) for s, n, r in people}, not_right)

    def all_answers(self) -> list[dict]:
        with self.engine.connect() as db:
            rows = db.execute(select(answers).join(students, students.c.id ==
                                                   answers.c.student_id)
                              .where(students.c.removed.is_(False))).mappings().all()
        return [dict(r) for r in rows]

    def changed(self) -> tuple:
        """What changes whenever anything a dashboard shows does (polled by every
        server process: the database is all they share)."""
        with self.engine.connect() as db:
            version = db.execute(select(class_.c.version)).scalar_one()
            latest = db.execute(select(func.max(answers.c.at), func.count())
                                .select_from(answers)).one()
        return version, *latest


class GroupCommit:
    """One thread that writes answers: it takes every answer waiting (up to `BATCH`),
    writes them in one transaction and commits, then tells each caller whether theirs was
    kept. A failed transaction fails every answer in it (the browsers send them again)."""

    BATCH = 500

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.upsert = _upsert(engine.dialect.name)  # built once, not per answer
        self.waiting: queue.Queue[tuple[dict, Future]] = queue.Queue()
        threading.Thread(target=self._run, name="scalargrad-writer", daemon=True).start()

    def save(self, values: dict) -> Future:
        done: Future = Future()
        self.waiting.put((values, done))
        return done

    def _run(self) -> None:
        while True:
            batch = [self.waiting.get()]
            while len(batch) < self.BATCH and not self.waiting.empty():
                batch.append(self.waiting.get_nowait())
            try:
                with self.engine.begin() as db:
                    kept = [db.execute(self.upsert, values).rowcount > 0
                            for values, _ in batch]
            except Exception as err:
                for _, done in batch:
                    done.set_exception(err)
                continue
            for (_, done), ok in zip(batch, kept):
                done.set_result(ok)


def _upsert(dialect: str) -> Insert:
    """The one statement that saves an answer: insert it, or update the stored one if the
    given ``seq`` is newer (``INSERT … ON CONFLICT DO UPDATE … WHERE``, in SQLite and
    PostgreSQL alike); its row count says whether the answer was kept."""
    dialect_insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = dialect_insert(answers).values({c.name: bindparam(c.name) for c in answers.c})
    return statement.on_conflict_do_update(
        index_elements=[answers.c.student_id, answers.c.box],
        set_={c.name: statement.excluded[c.name] for c in answers.c
              if c.name not in ("student_id", "box")},
        where=answers.c.seq < statement.excluded.seq)
