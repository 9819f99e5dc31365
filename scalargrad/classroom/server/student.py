"""The student's side: join with the class's code and a name, fill in the chart of one's
own variant, get marks (as the teacher chose), and the solution after release.

Nothing in a response to a student holds an exact answer before release: the page has
the blank chart and the boxes' names; an answer's reply says right or wrong (and, with
hints, what the checker says) about the number the student typed.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import unicodedata
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from .app import Class
from .lesson import MAX_ANSWER, Mark
from .pages import (
    ANIMATION_SCRIPT,
    ANIMATION_STYLE,
    animation_page,
    animation_parts,
    message,
    page,
)
from .security import (
    STUDENT_COOKIE,
    VISITOR_COOKIE,
    cookie_options,
    csrf_ok,
    csrf_token,
    same_secret,
    too_many,
)
from .store import ClassRow

MAX_NAME = 80
COMMIT_SECONDS = 60
"""The longest an answer waits for its commit before the request fails (and is resent)."""


def routes(the_class: Class) -> list[Route]:
    c = the_class
    style, script = animation_parts()

    async def start(request: Request) -> Response:
        if await run_in_threadpool(_me, c, request):
            return RedirectResponse("/class", 303)
        return _join_page(c, request, code=request.query_params.get("code", "")[:16])

    async def join(request: Request) -> Response:
        if not c.by_address.allow(_address(request)):
            return too_many()
        form = await request.form()
        code, name = str(form.get("code", "")), clean_name(str(form.get("name", "")))
        visitor = request.cookies.get(VISITOR_COOKIE, "")
        if not csrf_ok(request, c.secret, visitor, str(form.get("csrf", ""))):
            return message("Refused", "This form did not come from this class's page: "
                           "open the class's address again.", 403)
        row = await run_in_threadpool(c.row)
        refusal, status = _refusal(c, row, code, name)
        if refusal:
            return _join_page(c, request, code=code[:16], name=name, error=refusal,
                              status=status)
        joined = await run_in_threadpool(c.store.join, name, len(c.lesson.variants))
        if joined is None:
            return _join_page(c, request, code=code[:16], name=name, status=409,
                              error=f"Someone has already joined as {name}: use the browser "
                                    "you joined with, or ask the teacher.")
        response = RedirectResponse("/class", 303)
        response.set_cookie(STUDENT_COOKIE, joined[1], **cookie_options(request))
        return response

    async def class_page(request: Request) -> Response:
        found = await run_in_threadpool(_me, c, request)
        if found is None:
            return RedirectResponse("/", 303)
        me, _ = found
        number = me["variant"]
        chart = c.lesson.chart_ids(number)
        boxes = [{"id": b.id, "name": b.name, "kind": b.kind, "chart": chart.get(b.id)}
                 for b in c.lesson.boxes]
        svg = await run_in_threadpool(c.lesson.blank_svg, number)
        return page("student.html", trusted={"svg": svg}, lesson=c.lesson.name,
                    name=me["name"], csrf=csrf_token(c.secret, _session(request)),
                    data={"boxes": boxes, "student": me["id"], "class": c.lesson.fingerprint})

    async def caller(request: Request) -> tuple[dict, ClassRow] | Response:
        """The student calling and the class's row, or the refusal: not joined (401),
        too many requests (429)."""
        found = await run_in_threadpool(_me, c, request)
        if found is None:
            return JSONResponse({"error": "not joined"}, 401)
        if not c.by_student.allow(f"s{found[0]['id']}"):
            return too_many()
        return found

    async def state(request: Request) -> Response:
        found = await caller(request)
        if isinstance(found, Response):
            return found
        me, row = found
        if row.released or row.feedback == "hints":  # why each wrong one is wrong
            mine = await run_in_threadpool(c.diagnose, me["id"], me["variant"])
        else:
            mine = await run_in_threadpool(c.store.answers_of, me["id"])
        return JSONResponse({"open": row.is_open, "released": row.released,
                             "feedback": row.feedback, "variant": me["variant"],
                             "answers": [_reply(row, a) for a in mine.values()]})

    async def answer(request: Request) -> Response:
        body = await request.body()
        graded = await run_in_threadpool(_graded, c, request, body)  # one trip to a thread
        if isinstance(graded, Response):
            return graded
        me, row, kept = graded
        committed = asyncio.wrap_future(c.store.save(me["id"], **kept))
        if not await asyncio.wait_for(committed, COMMIT_SECONDS):  # a newer one is stored
            kept = (await run_in_threadpool(c.store.answers_of, me["id"]))[kept["box"]]
        return JSONResponse(_reply(row, kept))

    async def released_variant(request: Request, refusal: Callable[[], Response]
                               ) -> int | Response:
        """The caller's variant once the solution is released; else the refusal."""
        found = await caller(request)
        if isinstance(found, Response):
            return found
        me, row = found
        return me["variant"] if row.released else refusal()

    async def solution(request: Request) -> Response:
        number = await released_variant(request, lambda: JSONResponse(
            {"error": "the solution is not released yet"}, 403))
        if isinstance(number, Response):
            return number
        svg = await run_in_threadpool(c.lesson.solution_svg, number)
        return JSONResponse({"svg": svg, "walkthrough": c.lesson.walkthrough(number)})

    async def animation(request: Request) -> Response:
        number = await released_variant(request, lambda: message(
            "Not yet", "The animation of your variant is shown once the teacher releases "
            "the solution.", 403))
        if isinstance(number, Response):
            return number
        return animation_page(await run_in_threadpool(c.lesson.animation, number))

    async def animation_code(request: Request) -> Response:
        if request.url.path == ANIMATION_SCRIPT:
            return PlainTextResponse(script, media_type="text/javascript")
        return PlainTextResponse(style, media_type="text/css")

    return [Route("/", start), Route("/join", join, methods=["POST"]),
            Route("/class", class_page), Route("/api/state", state),
            Route("/api/answer", answer, methods=["POST"]), Route("/api/solution", solution),
            Route("/animation", animation), Route(ANIMATION_SCRIPT, animation_code),
            Route(ANIMATION_STYLE, animation_code)]


def clean_name(text: str) -> str:
    """A name as kept: no control or format characters, spaces collapsed, at most
    `MAX_NAME` characters (it is escaped wherever it is shown)."""
    kept = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    return " ".join(kept.split())[:MAX_NAME]


def _refusal(c: Class, row, code: str, name: str  # type: ignore[no-untyped-def]
             ) -> tuple[str, int]:
    """Why a join is refused and its status, or ("", 200)."""
    if not row.joining:
        return "Joining is closed: ask the teacher.", 403
    if not same_secret(code.strip().upper(), row.join_code):
        return "That join code is not this class's: check the code on the projector.", 403
    if not name:
        return "Type your name or student ID.", 400
    roster = c.config.roster
    if roster is not None and name.casefold() not in roster:
        return f"{name} is not on the class list: type it as the teacher has it.", 400
    return "", 200


def _join_page(c: Class, request: Request, *, code: str = "", name: str = "",
               error: str = "", status: int = 200) -> Response:
    visitor = request.cookies.get(VISITOR_COOKIE) or secrets.token_urlsafe(24)
    response = page("join.html", status, lesson=c.lesson.name, code=code, name=name,
                    error=error, csrf=csrf_token(c.secret, visitor))
    response.set_cookie(VISITOR_COOKIE, visitor, **cookie_options(request))
    return response


def _session(request: Request) -> str:
    return request.cookies.get(STUDENT_COOKIE, "")


def _me(c: Class, request: Request) -> tuple[dict, ClassRow] | None:
    """The student making the request and the class's row, or None if not joined."""
    token = _session(request)
    return c.store.student(token) if token else None


def _address(request: Request) -> str:
    return request.client.host if request.client else "?"


def _graded(c: Class, request: Request, body: bytes) -> tuple[dict, ClassRow, dict] | Response:
    """An answer sent, refused (not joined 401, too many 429, cross-site 403, malformed
    400, closed 409) or graded: (the student, the class's row, what to store)."""
    found = _me(c, request)
    if found is None:
        return JSONResponse({"error": "not joined"}, 401)
    me, row = found
    if not c.by_student.allow(f"s{me['id']}"):
        return too_many()
    if not csrf_ok(request, row.secret, _session(request)):
        return JSONResponse({"error": "cross-site request refused"}, 403)
    try:
        sent = json.loads(body)
        box, text, seq = sent["box"], sent["text"], sent["seq"]
        if (box not in c.lesson.by_id or not isinstance(text, str)
                or not isinstance(seq, int) or not 0 <= seq < 2**31):
            raise ValueError
    except (ValueError, KeyError, TypeError):
        return JSONResponse({"error": "send {box, text, seq}: a box of your chart, "
                                      "the text typed and a sequence number"}, 400)
    if not row.is_open or row.released:
        return JSONResponse({"error": "the exercise is closed"}, 409)
    text = text.strip()[:MAX_ANSWER]
    mark = c.lesson.mark(me["variant"], box, text) if text else Mark("empty")
    if mark.kind == "wrong" and row.feedback == "hints":  # diagnosed at once
        mine = {b: a["text"] for b, a in c.store.answers_of(me["id"]).items()}
        mark = c.lesson.diagnose(me["variant"], mine | {box: text}, upto=box)[box]
    return me, row, {"box": box, "text": text, "seq": seq, "kind": mark.kind,
                     "note": mark.note, "hint": mark.hint}


def _reply(row, stored: dict) -> dict:  # type: ignore[no-untyped-def]
    """What a student is told of a stored answer: always that it is saved; its mark as
    the feedback mode allows: right or wrong (``marks``), the checker's kind and a hint
    without numbers (``hints``), nothing before release (``release``); after release, the
    checker's note."""
    reply = {"box": stored["box"], "seq": stored["seq"], "text": stored["text"],
             "saved": True}
    kind = stored["kind"]
    if row.released or row.feedback == "hints":
        reply |= {"kind": kind, "hint": stored["note" if row.released else "hint"]}
    elif row.feedback == "marks":
        reply["kind"] = kind if kind in ("right", "unreadable", "empty") else "wrong"
    return reply
