"""Starting a class from the command line: where its database is, what is printed (the
students' address and join code with a QR code, the teacher's address with its token),
and uvicorn serving the app."""

from __future__ import annotations

import socket
import sys
from importlib.resources import files
from pathlib import Path

from .app import Config, create_app
from .lesson import Lesson
from .teacher import student_address

LOOPBACK = "127.0.0.1"
KEEP_ALIVE = 75
"""Seconds an idle connection is kept open (uvicorn's 5 s default makes a browser that
sends just as it closes see its request fail)."""


def default_database(source: str, lesson: Lesson, is_file: bool) -> Path:
    """An SQLite file beside the exercise: ``FOLDER/class.sqlite`` for a folder,
    ``NAME.class.sqlite`` beside a worksheet; for an expression or a worksheet shipped
    with scalargrad, ``scalargrad-class-<fingerprint>.sqlite`` in the current folder."""
    path = Path(source)
    if path.is_dir():
        return path / "class.sqlite"
    shipped = Path(str(files("scalargrad"))).resolve()
    if is_file and shipped not in path.resolve().parents:
        return path.with_name(f"{path.stem}.class.sqlite")
    return Path(f"scalargrad-class-{lesson.fingerprint}.sqlite")


def read_roster(path: str) -> frozenset[str]:
    """The names or IDs allowed to join: one a line, blank lines and ``#`` comments
    skipped, compared without case."""
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines
                     if line.strip() and not line.lstrip().startswith("#"))


def public_host(host: str) -> str:
    """The address students type: this machine's name on the network when listening on
    every interface, else the address listened on."""
    if host in ("0.0.0.0", "::"):
        return socket.gethostbyname(socket.gethostname())
    return host


def run(config: Config, *, host: str = LOOPBACK, port: int = 8000,
        certfile: str | None = None, keyfile: str | None = None) -> None:
    """Serve ``config``'s class until Ctrl-C; print how students and the teacher join."""
    import segno
    import uvicorn

    scheme = "https" if certfile else "http"
    config.public_url = f"{scheme}://{public_host(host)}:{port}"
    app = create_app(config)
    row = app.state.the_class.row()
    address = student_address(app.state.the_class, row.join_code)
    if host != LOOPBACK:
        print(f"Listening on {host}: other machines on the network can reach this server.")
    else:
        print("Listening on 127.0.0.1 only (this machine); --host 0.0.0.0 lets a class in.")
    print(f"Students: open {address}  (join code {row.join_code})")
    segno.make(address, error="m").terminal(compact=True)
    print(f"Teacher (keep this secret): {config.public_url}/teacher?token={row.teacher_token}")
    print(f"Database: {config.url}", flush=True)
    uvicorn.run(app, host=host, port=port, ssl_certfile=certfile, ssl_keyfile=keyfile,
                log_level="warning", timeout_keep_alive=KEEP_ALIVE)
    sys.stdout.flush()
