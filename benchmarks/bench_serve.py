"""A class at once, under load: simulated students join ``scalargrad serve`` and fill in
every box of their chart, on 127.0.0.1 only.

    python benchmarks/bench_serve.py                  # 300 students, SQLite
    python benchmarks/bench_serve.py --quick          # 20 students (a smoke run)
    python benchmarks/bench_serve.py --db postgresql://user:pw@127.0.0.1/db --processes 2

Each student joins (the join page, the form, their page), then sends one box every
``--pace`` seconds, in the page's order (values, then gradients), nine in ten right and
one in ten wrong; the students start spread over ``--ramp`` seconds.  A teacher's
dashboard listens to the server's events and reloads the class's state on each.
Reported: the latency of an answer (sent → acknowledged) at p50/p95/p99 (goal: p95 under
150 ms), errors, answers lost (acknowledged but not in the database afterwards), and the
dashboard's delay (acknowledged → counted on the dashboard).  Every loop is bounded; the
script exits 0 whatever the numbers are.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from scalargrad.classroom.server import load_lesson
from scalargrad.classroom.variants import rounded

SOURCE = Path(__file__).resolve().parent.parent / "scalargrad" / "worksheets" / "seed001_x1.txt"
GOAL_P95_MS = 150.0
VARIANTS, SEED = 30, "1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(db: str) -> tuple[subprocess.Popen, str, str, str]:
    """A server process: (process, base address, join code, teacher token)."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "scalargrad", "serve", str(SOURCE), "--variants",
         str(VARIANTS), "--seed", SEED, "--db", db, "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    for line in process.stdout:  # type: ignore[union-attr]
        lines.append(line)
        if line.startswith("Database:") or len(lines) > 100:
            break
    text = "".join(lines)
    code = re.search(r"join code (\w+)", text)
    token = re.search(r"token=(\S+)", text)
    if not code or not token:
        raise SystemExit(f"the server did not start:\n{text}")
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(base + "/static/style.css", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.1)
    return process, base, code[1], token[1]


class Run:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.acked: list[float] = []  # when each answer was acknowledged
        self.errors: list[str] = []
        self.dashboard: list[tuple[float, int]] = []  # (when, answers counted)


async def student(k: int, bases: list[str], code: str, lesson, pace: float, delay: float,
                  run: Run) -> tuple[httpx.AsyncClient, int]:
    await asyncio.sleep(delay)
    client = httpx.AsyncClient(base_url=bases[k % len(bases)], timeout=30)
    page = (await client.get("/")).text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)[1]  # type: ignore[index]
    await client.post("/join", data={"code": code, "name": f"student {k}", "csrf": csrf})
    page = (await client.get("/class")).text
    token = re.search(r'<meta name="csrf" content="([^"]+)"', page)[1]  # type: ignore[index]
    variant = lesson.variant((await client.get("/api/state")).json()["variant"])
    rng = random.Random(k)
    for seq, box in enumerate(lesson.boxes, start=1):
        exact = variant.exact(box.key)
        text = rounded(exact if rng.random() < 0.9 else exact * 1.3 + 0.01)
        began = time.perf_counter()
        try:
            reply = await client.post("/api/answer", json={"box": box.id, "text": text,
                                                           "seq": seq},
                                      headers={"x-csrf-token": token})
            reply.raise_for_status()
            run.latencies.append(time.perf_counter() - began)
            run.acked.append(time.perf_counter())
        except httpx.HTTPError as err:
            run.errors.append(f"{type(err).__name__}: {err}"[:120])
        await asyncio.sleep(max(0.0, pace - (time.perf_counter() - began)))
    return client, k


async def teacher(base: str, token: str, run: Run, done: asyncio.Event) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        await client.get(f"/teacher?token={token}")
        async with client.stream("GET", "/teacher/events", timeout=None) as events:
            async for line in events.aiter_lines():
                if done.is_set():
                    return
                if line.startswith("event: changed"):
                    state = (await client.get("/teacher/api/state")).json()
                    run.dashboard.append((time.perf_counter(),
                                          sum(b["answered"] for b in state["boxes"])))


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 \
        else (values[0] if values else float("nan"))


async def main_async(args: argparse.Namespace) -> int:
    folder = tempfile.mkdtemp(prefix="scalargrad-bench-serve-")
    db = args.db or f"sqlite:///{folder}/class.sqlite"
    servers = [start(db) for _ in range(args.processes)]
    bases = [s[1] for s in servers]
    code, token = servers[0][2], servers[0][3]
    lesson = load_lesson(str(SOURCE), variants=VARIANTS, seed=SEED)
    run = Run()
    done = asyncio.Event()
    watcher = asyncio.create_task(teacher(bases[-1], token, run, done))
    began = time.perf_counter()
    clients = await asyncio.gather(*(
        student(k, bases, code, lesson, args.pace, args.ramp * k / args.students, run)
        for k in range(args.students)))
    took = time.perf_counter() - began
    await asyncio.sleep(1.5)  # the dashboard's last update
    done.set()
    watcher.cancel()
    sent = len(lesson.boxes) * args.students
    async with httpx.AsyncClient(base_url=bases[0], timeout=30) as t:
        await t.get(f"/teacher?token={token}")
        state = (await t.get("/teacher/api/state")).json()
    stored = sum(b["answered"] for b in state["boxes"])
    lost = len(run.acked) - stored
    for client, _ in clients:
        await client.aclose()
    server_cpu = sum(cpu_seconds(process.pid) for process, *_ in servers)
    for process, *_ in servers:
        process.terminate()
        process.wait(10)
    delays = dashboard_delays(run)
    ms = [x * 1000 for x in run.latencies]
    print(f"# bench_serve: {args.students} students × {len(lesson.boxes)} boxes, "
          f"{args.processes} server process(es), {db.split(':')[0]}, "
          f"{platform.python_implementation()} {platform.python_version()}")
    print()
    print("| measure | value |")
    print("| --- | ---: |")
    rows = [("answers sent", f"{sent}"), ("answers acknowledged", f"{len(run.acked)}"),
            ("wall time (join + every box)", f"{took:.1f} s"),
            ("latency p50", f"{percentile(ms, 50):.1f} ms"),
            ("latency p95", f"{percentile(ms, 95):.1f} ms"),
            ("latency p99", f"{percentile(ms, 99):.1f} ms"),
            ("server CPU (all processes)", f"{server_cpu:.1f} s, "
             f"{1000 * server_cpu / max(len(run.acked), 1):.2f} ms an answer"),
            ("this script's CPU (the simulated browsers)", f"{time.process_time():.1f} s"),
            ("errors", f"{len(run.errors)}"), ("answers lost", f"{lost}"),
            ("dashboard delay p50", f"{percentile(delays, 50) * 1000:.0f} ms"),
            ("dashboard delay p95", f"{percentile(delays, 95) * 1000:.0f} ms")]
    for name, value in rows:
        print(f"| {name} | {value} |")
    print()
    p95 = percentile(ms, 95)
    met = p95 < GOAL_P95_MS and not run.errors and lost == 0
    print(f"  [{'met' if met else 'NOT MET'}] p95 under {GOAL_P95_MS:.0f} ms, no errors, "
          f"nothing lost (p95 {p95:.1f} ms, {len(run.errors)} errors, {lost} lost)")
    for error in sorted(set(run.errors))[:5]:
        print(f"  error: {error}")
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux's /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def dashboard_delays(run: Run) -> list[float]:
    """For the i-th acknowledged answer: how long until the dashboard counted i answers."""
    delays = []
    shown = sorted(run.dashboard)
    j = 0
    for i, when in enumerate(sorted(run.acked), start=1):
        while j < len(shown) and (shown[j][1] < i or shown[j][0] < when):
            if shown[j][1] >= i and shown[j][0] >= when:
                break
            j += 1
        if j < len(shown):
            delays.append(shown[j][0] - when)
    return delays


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=300)
    parser.add_argument("--pace", type=float, default=0.8,
                        help="seconds between one student's answers (default 0.8)")
    parser.add_argument("--ramp", type=float, default=5.0,
                        help="seconds over which the students start (default 5)")
    parser.add_argument("--db", help="a database address (default: a new SQLite file)")
    parser.add_argument("--processes", type=int, default=1,
                        help="server processes on the one database (use PostgreSQL)")
    parser.add_argument("--quick", action="store_true", help="20 students, a smoke run")
    args = parser.parse_args()
    if args.quick:
        args.students, args.pace, args.ramp = 20, 0.05, 1.0
    return asyncio.run(main_async(args))


if __name__ == "__main__":
    raise SystemExit(main())
