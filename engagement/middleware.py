"""Small ASGI middlewares: SQLite write intent and security headers."""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from engagement.db import write_intent

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Reads that may write: showing a letter closes it when its rating window has passed.
WRITING_READS = ("/mailbox/track", "/api/v1/letters/", "/staff/letters", "/api/v1/staff/letters")

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)


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


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("X-Frame-Options", "DENY")
                headers.setdefault("Referrer-Policy", "same-origin")
                headers.setdefault("Content-Security-Policy", CSP)
            await send(message)

        await self.app(scope, receive, send_with_headers)
