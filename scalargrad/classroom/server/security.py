"""What keeps a room of students honest: the teacher's token, cross-site request checks,
the headers every page carries (a Content-Security-Policy without inline script), and
limits on request size and rate.

- The teacher's token (24 random bytes, 192 bits) is compared in constant time
  (`hmac.compare_digest`), then kept in an HttpOnly, SameSite=Strict cookie.
- Every request that changes state carries a CSRF token (a header, or a form field for
  joining) that is an HMAC of the caller's session under the class's secret; a request
  whose ``Origin`` is another site is refused as well.
- Request bodies over `MAX_BODY` bytes are refused (413); each address and each student
  has a token bucket (`RateLimiter`), so a script cannot flood the server (429).
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass, field

from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY = 16_384
"""The largest request body accepted, in bytes (an answer is a few dozen)."""
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",  # the teacher's token never leaves in a Referer
    "x-frame-options": "DENY",
    "cache-control": "no-store",
}
TEACHER_COOKIE = "sg_teacher"
STUDENT_COOKIE = "sg_student"
VISITOR_COOKIE = "sg_visitor"


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison of two secrets."""
    return hmac.compare_digest(given.encode(), expected.encode())


def csrf_token(secret: str, session: str) -> str:
    """The CSRF token of a session (a student's, the teacher's, or a visitor's)."""
    return hmac.new(secret.encode(), f"csrf:{session}".encode(), "sha256").hexdigest()


def csrf_ok(request: Request, secret: str, session: str, given: str | None = None) -> bool:
    """Whether a state-changing request is the page's own: its CSRF token matches the
    session's and its Origin, when sent, is this server."""
    origin = request.headers.get("origin")
    if origin is not None and origin.split("://", 1)[-1] != request.headers.get("host"):
        return False
    token = given if given is not None else request.headers.get("x-csrf-token", "")
    return bool(session) and same_secret(token, csrf_token(secret, session))


def cookie_options(request: Request) -> dict:
    return {"httponly": True, "samesite": "strict", "secure": request.url.scheme == "https",
            "path": "/"}


class Headers:
    """ASGI middleware: the security headers on every response, and `MAX_BODY`."""

    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_body):
            await PlainTextResponse("request too large", 413, HEADERS)(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_body:
                raise TooLarge
            return message

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *((k.encode(), v.encode()) for k, v in HEADERS.items()
                                        if k.encode() not in names)]
            await send(message)

        try:
            await self.app(scope, limited, with_headers)
        except TooLarge:
            await PlainTextResponse("request too large", 413, HEADERS)(scope, receive, send)


class TooLarge(Exception):
    """A body longer than its Content-Length said."""


@dataclass
class RateLimiter:
    """Token buckets: each key may make ``burst`` requests at once and ``rate`` a second
    after that. In one process's memory: with several processes each enforces its own."""

    rate: float
    burst: float
    buckets: dict[str, tuple[float, float]] = field(default_factory=dict)

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        tokens, then = self.buckets.get(key, (self.burst, now))
        tokens = min(self.burst, tokens + (now - then) * self.rate)
        if len(self.buckets) > 100_000:  # forget idle keys rather than grow without end
            self.buckets.clear()
        if tokens < 1:
            self.buckets[key] = (tokens, now)
            return False
        self.buckets[key] = (tokens - 1, now)
        return True


def too_many() -> PlainTextResponse:
    return PlainTextResponse("too many requests: wait a moment", 429, {"retry-after": "1"})
