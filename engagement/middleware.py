"""Small ASGI middlewares: SQLite write intent, security headers, the answer to a crash."""

from __future__ import annotations

import logging
from collections.abc import Callable

from starlette.datastructures import MutableHeaders
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from engagement.db import write_intent

log = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Reads that may write: showing a letter closes it when its rating window has passed.
WRITING_READS = ("/mailbox/track", "/api/v1/letters/", "/staff/letters", "/api/v1/staff/letters")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
HSTS = "max-age=31536000; includeSubDomains"


class WriteIntentMiddleware:
    """Marks writing requests so SQLite begins them with the write lock already held."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not (
            scope["method"] in WRITE_METHODS or scope["path"].startswith(WRITING_READS)
        ):
            await self.app(scope, receive, send)
            return
        token = write_intent.set(True)
        try:
            await self.app(scope, receive, send)
        finally:
            write_intent.reset(token)


def security_headers(*, https: bool) -> dict[str, str]:
    """The headers every answer carries, pages and errors alike; HSTS only when served by HTTPS
    (`ENGAGEMENT_HTTPS`), where it keeps browsers from ever trying plain HTTP again."""
    headers = {
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "same-origin",
        "Content-Security-Policy": CSP,
    }
    if https:
        headers["Strict-Transport-Security"] = HSTS
    return headers


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, https: bool = False) -> None:
        self.app = app
        self.headers = security_headers(https=https)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class ServerErrorAnswerMiddleware:
    """Answers an exception that no handler took with a 500 and ends the request there.

    Starlette's last-resort handler answers and then raises the exception again for the server
    to log, and uvicorn closes the connection of a request that raised: a browser or proxy that
    kept it alive loses it together with the error page. Here it is logged and not raised again,
    so the connection serves the next request. Once the answer has started nothing else can be
    sent, and the exception goes on as before.
    """

    def __init__(self, app: ASGIApp, answer: Callable[[str], Response]) -> None:
        self.app = app
        self.answer = answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_watching(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_watching)
        except Exception:
            if started:
                raise
            log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            await self.answer(scope["path"])(scope, receive, send)
