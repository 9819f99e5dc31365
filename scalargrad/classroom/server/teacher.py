"""The teacher's side: the dashboard (the class's chart, the roster, the join code and its
QR code), live updates by server-sent events, the controls and the exports.

Every teacher route needs the token: given once in the address (``/teacher?token=…``),
compared in constant time, then kept in an HttpOnly SameSite=Strict cookie.  Controls are
POSTs with the teacher's CSRF token.
"""

from __future__ import annotations

import asyncio
import io
import json
from functools import lru_cache

import segno
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from . import dashboard
from .app import Class
from .pages import message, page
from .security import TEACHER_COOKIE, cookie_options, csrf_ok, csrf_token, same_secret
from .store import FEEDBACK, new_code

POLL_SECONDS = 0.25
"""How often a dashboard's event stream asks the database whether anything changed."""
ACTIONS = {"open": {"is_open": True}, "close": {"is_open": False},
           "release": {"released": True}, "hide": {"released": False},
           "expire": {"joining": False}, "admit": {"joining": True}}


def student_address(c: Class, code: str) -> str:
    return f"{c.config.public_url}/?code={code}"


@lru_cache(maxsize=8)
def qr_svg(text: str) -> str:
    """A QR code of ``text`` as inline SVG (made here: nothing is fetched; made once for
    each join code, not on every update of the dashboard)."""
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="svg", scale=6, xmldecl=False,
                                     svgns=True, title="QR code of the students' address")
    return out.getvalue().decode()


def routes(the_class: Class) -> list[Route]:
    c = the_class

    def allowed(request: Request) -> bool:
        return same_secret(request.cookies.get(TEACHER_COOKIE, ""), c.teacher_token)

    def refused() -> Response:
        return message("Teacher only", "This page needs the teacher's address, with its "
                       "token, as the server printed it.", 403)

    async def home(request: Request) -> Response:
        row = await run_in_threadpool(c.row)
        token = request.query_params.get("token")
        if token is not None:
            if not same_secret(token, row.teacher_token):
                return refused()
            response = RedirectResponse("/teacher", 303)  # the token leaves the address bar
            response.set_cookie(TEACHER_COOKIE, token, **cookie_options(request))
            return response
        if not allowed(request):
            return refused()
        address = student_address(c, row.join_code)
        return page("teacher.html", trusted={"svg": await run_in_threadpool(
                        c.lesson.blank_svg, 1), "qr": qr_svg(address)},
                    lesson=c.lesson.name, address=address, code=row.join_code,
                    csrf=csrf_token(row.secret, row.teacher_token),
                    data={"boxes": [{"id": b.id, "name": b.name, "chart": chart}
                                    for b in c.lesson.boxes
                                    for chart in [c.lesson.chart_ids(1).get(b.id)]]})

    async def state(request: Request) -> Response:
        if not allowed(request):
            return refused()
        names = request.query_params.get("names") == "1"
        row, roster, tally = await run_in_threadpool(
            lambda: (c.row(), c.store.roster(), c.store.tally()))
        shown = dashboard.summary(c.lesson, roster, tally, row.secret, names)
        return JSONResponse(shown | {
            "open": row.is_open, "released": row.released, "joining": row.joining,
            "feedback": row.feedback, "code": row.join_code,
            "address": student_address(c, row.join_code), "qr": qr_svg(
                student_address(c, row.join_code))})

    async def box(request: Request) -> Response:
        if not allowed(request):
            return refused()
        box_id = request.path_params["box"]
        if box_id not in c.lesson.by_id:
            return JSONResponse({"error": "no such box"}, 404)
        await run_in_threadpool(_diagnose_box, c, box_id)
        row, roster, answers = await run_in_threadpool(_everything, c)
        return JSONResponse(dashboard.box_detail(
            c.lesson, box_id, roster, answers, row.secret,
            request.query_params.get("names") == "1"))

    async def control(request: Request) -> Response:
        if not allowed(request):
            return refused()
        row = await run_in_threadpool(c.row)
        if not csrf_ok(request, row.secret, row.teacher_token):
            return JSONResponse({"error": "cross-site request refused"}, 403)
        try:
            sent = json.loads(await request.body())
            action = sent["action"]
        except (ValueError, KeyError, TypeError):
            return JSONResponse({"error": "send {action}"}, 400)
        if action in ACTIONS:
            await run_in_threadpool(lambda: c.store.set(**ACTIONS[action]))
        elif action == "new code":
            await run_in_threadpool(lambda: c.store.set(join_code=new_code(), joining=True))
        elif action == "feedback" and sent.get("value") in FEEDBACK:
            await run_in_threadpool(lambda: c.store.set(feedback=sent["value"]))
        elif action == "remove" and isinstance(sent.get("student"), int):
            await run_in_threadpool(c.store.remove, sent["student"])
        else:
            return JSONResponse({"error": f"unknown action {str(action)[:40]!r}"}, 400)
        return JSONResponse({"done": action})

    async def events(request: Request) -> Response:
        if not allowed(request):
            return refused()

        async def stream():  # type: ignore[no-untyped-def]
            last = None
            yield "retry: 1000\n\n"
            while not await request.is_disconnected():
                now = await run_in_threadpool(c.store.changed)
                if now != last:
                    last = now
                    yield "event: changed\ndata: {}\n\n"
                await asyncio.sleep(POLL_SECONDS)

        return StreamingResponse(stream(), media_type="text/event-stream")

    async def grades(request: Request) -> Response:
        if not allowed(request):
            return refused()
        _, roster, answers = await run_in_threadpool(_everything, c)
        return Response(dashboard.grades_csv(c.lesson, roster, answers), media_type=
                        "text/csv; charset=utf-8", headers={"content-disposition":
                        'attachment; filename="grades.csv"'})

    async def submissions(request: Request) -> Response:
        if not allowed(request):
            return refused()
        _, roster, answers = await run_in_threadpool(_everything, c)
        text = await run_in_threadpool(dashboard.submissions_json, c.lesson, roster, answers)
        return Response(text, media_type="application/json", headers={
            "content-disposition": 'attachment; filename="submissions.json"'})

    return [Route("/teacher", home), Route("/teacher/api/state", state),
            Route("/teacher/api/box/{box}", box),
            Route("/teacher/api/control", control, methods=["POST"]),
            Route("/teacher/events", events), Route("/teacher/grades.csv", grades),
            Route("/teacher/submissions.json", submissions)]


def _diagnose_box(c: Class, box_id: str) -> None:
    """The checker's diagnosis of every wrong answer to a box not yet diagnosed (one
    check of each such student's sheet)."""
    variants = {s["id"]: s["variant"] for s in c.store.roster()}
    for a in c.store.all_answers():
        if a["box"] == box_id and a["kind"] == "wrong" and a["student_id"] in variants:
            c.diagnose(a["student_id"], variants[a["student_id"]])


def _everything(c: Class) -> tuple:
    return c.row(), c.store.roster(), c.store.all_answers()
