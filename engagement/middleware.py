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
