"""The class server as real processes (``scalargrad serve``), on SQLite and PostgreSQL:
an acknowledged answer survives SIGKILL, and two processes on one database serve one
class (the dashboard of one sees, within a second, what a student sent to the other).
Loopback only."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

SEED = Path(__file__).parent.parent / "scalargrad" / "worksheets" / "seed001_x1.txt"


@pytest.fixture
def url(class_db_url):
    return class_db_url


class Server:
    """``scalargrad serve`` on a free loopback port; its join code and teacher token."""

    def __init__(self, url: str) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "scalargrad", "serve", str(SEED), "--variants", "3",
             "--seed", "7", "--db", url, "--port", str(self.port)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        said = []
        for line in self.process.stdout:  # type: ignore[union-attr]
            said.append(line)
            if line.startswith("Database:"):
                break
        text = "".join(said)
        self.code = re.search(r"join code (\w+)", text)[1]  # type: ignore[index]
        self.token = re.search(r"token=(\S+)", text)[1]  # type: ignore[index]
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(100):
            try:
                httpx.get(self.base + "/static/style.css", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


def join(base: str, code: str, name: str) -> tuple[httpx.Client, str]:
    client = httpx.Client(base_url=base, timeout=10)
    csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/").text)[1]  # type: ignore[index]
    client.post("/join", data={"code": code, "name": name, "csrf": csrf})
    page = client.get("/class").text
    return client, re.search(r'<meta name="csrf" content="([^"]+)"', page)[1]  # type: ignore[index]


def test_acknowledged_answers_survive_sigkill(url):
    server = Server(url)
    students = [join(server.base, server.code, f"S{k}") for k in range(8)]
    acked: list[dict[str, tuple[int, str]]] = [{} for _ in students]
    unacked: list[dict[str, tuple[int, str]]] = [{} for _ in students]
    stop = threading.Event()

    def burst(k: int) -> None:
        client, csrf = students[k]
        for seq in range(1, 400):
            if stop.is_set():
                return
            box, text = f"b{seq % 20}", f"0.{seq}{k}"
            try:
                reply = client.post("/api/answer", json={"box": box, "text": text,
                                                         "seq": seq},
                                    headers={"x-csrf-token": csrf}, timeout=5)
                reply.raise_for_status()
                acked[k][box] = (seq, text)
            except httpx.HTTPError:
                unacked[k][box] = (seq, text)
                return

    threads = [threading.Thread(target=burst, args=(k,)) for k in range(len(students))]
    for t in threads:
        t.start()
    time.sleep(1.5)
    server.kill()
    stop.set()
    for t in threads:
        t.join(20)
    assert sum(map(len, acked)) > 20  # the burst did happen before the kill
    again = Server(url)
    try:
        for k, (client, csrf) in enumerate(students):
            client.base_url = again.base
            stored = {a["box"]: a for a in client.get("/api/state").json()["answers"]}
            for box, (seq, text) in acked[k].items():
                assert stored[box]["seq"] >= seq, (k, box)
                if stored[box]["seq"] == seq:
                    assert stored[box]["text"] == text
            for box, (seq, text) in unacked[k].items():  # resent: it arrives
                reply = client.post("/api/answer", json={"box": box, "text": text,
                                                         "seq": seq},
                                    headers={"x-csrf-token": csrf}).json()
                assert reply["seq"] >= seq
    finally:
        again.stop()


def test_two_processes_share_one_database(url):
    first = Server(url)
    second = Server(url)
    try:
        assert (first.code, first.token) == (second.code, second.token)
        client, csrf = join(first.base, first.code, "Ann")
        teacher = httpx.Client(base_url=second.base, timeout=10)
        teacher.get(f"/teacher?token={second.token}")
        got: list[float] = []

        def listen() -> None:
            with teacher.stream("GET", "/teacher/events", timeout=10) as events:
                for line in events.iter_lines():
                    if line.startswith("event: changed"):
                        got.append(time.monotonic())
                        if len(got) == 2:
                            return

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()
        deadline = time.monotonic() + 10
        while not got and time.monotonic() < deadline:
            time.sleep(0.05)
        sent = time.monotonic()
        reply = client.post("/api/answer", json={"box": "b0", "text": "0.5", "seq": 1},
                            headers={"x-csrf-token": csrf})
        assert reply.status_code == 200
        listener.join(5)
        assert len(got) == 2 and got[1] - sent < 1.0
        state = teacher.get("/teacher/api/state").json()
        assert state["boxes"][0]["answered"] == 1 and state["students"][0]["answered"] == 1
        client.base_url = second.base  # the student's session is in the database too
        assert client.get("/api/state").json()["answers"][0]["text"] == "0.5"
    finally:
        first.stop()
        second.stop()


def test_the_load_benchmark_runs_end_to_end():
    """``benchmarks/bench_serve.py --quick`` (20 students, every box): a smoke run, not a
    timing test; nothing it acknowledged may be missing afterwards."""
    script = Path(__file__).parent.parent / "benchmarks" / "bench_serve.py"
    done = subprocess.run([sys.executable, str(script), "--quick"], capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    rows = dict(line.strip("| ").split(" | ", 1) for line in done.stdout.splitlines()
                if line.startswith("| ") and "---" not in line)
    assert rows["answers sent"] == "1280"  # 20 students × the 64 empty boxes of seed 001's chart
    assert rows["answers lost"] == "0"
    assert rows["latency p95"].endswith(" ms")
