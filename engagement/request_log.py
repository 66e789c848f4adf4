"""One log line per request: its id, method, route template, status and duration.

The route template (`/api/v1/letters/{number}`), never the address itself: an address may carry
a tracking code or a search for a name, and no log line holds a code, password or personal data.
The request id comes from the proxy's `X-Request-ID` when it sent a sane one, else a new one, and
goes back in the response's `X-Request-ID` so a citizen's complaint can be found in the log.
The same figures feed the request metrics of `/metrics`. `ENGAGEMENT_LOG_JSON=true` writes
every log line as one JSON object.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from engagement import metrics

log = logging.getLogger("engagement.requests")
GIVEN_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class RequestLogMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _given_id(scope) or uuid.uuid4().hex
        began = time.perf_counter()
        status = 500  # unless a response starts: the server's own error answer

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - began
            route = route_of(scope)
            metrics.observe(scope["method"], route, status, seconds)
            log.info(
                "%s %s %s %s %.1fms",
                request_id,
                scope["method"],
                route,
                status,
                seconds * 1000,
                extra={
                    "request_id": request_id,
                    "method": scope["method"],
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 1),
                },
            )


def _given_id(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            text = value.decode("latin-1")
            return text if GIVEN_ID.fullmatch(text) else None
    return None


def route_of(scope: Scope) -> str:
    """The matched route's template; static files as one route; anything else `unmatched`."""
    route, path = scope.get("route"), str(scope.get("path", ""))
    if route is not None and hasattr(route, "path") and hasattr(route, "path_regex"):
        return _prefix(path, route.path_regex) + str(route.path)
    if path.startswith("/static/"):
        return "/static"
    return "unmatched"


def _prefix(path: str, regex: re.Pattern[str]) -> str:
    """What an including router put before a route's own path (`/api/v1`): the route knows
    only its own template, so its pattern is found at the end of the address."""
    tail = _TAILS.get(regex.pattern)
    if tail is None:
        tail = _TAILS.setdefault(regex.pattern, re.compile(regex.pattern.removeprefix("^")))
    found = tail.search(path)
    return path[: found.start()] if found else ""


_TAILS: dict[str, re.Pattern[str]] = {}


class JsonFormatter(logging.Formatter):
    """A log record as one JSON object: time, level, logger, message and the request's fields."""

    FIELDS = ("request_id", "method", "route", "status", "duration_ms")

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({k: getattr(record, k) for k in self.FIELDS if hasattr(record, k)})
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def logging_config(*, json_lines: bool, requests: bool) -> dict[str, Any]:
    """uvicorn's logging set-up with our loggers added (`engagement serve` passes it on)."""
    from uvicorn.config import LOGGING_CONFIG

    config: dict[str, Any] = json.loads(json.dumps(LOGGING_CONFIG))
    config["formatters"]["engagement"] = (
        {"()": f"{__name__}.JsonFormatter"}
        if json_lines
        else {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    )
    config["handlers"]["engagement"] = {
        "formatter": "engagement",
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stderr",
    }
    config["loggers"]["engagement"] = {
        "handlers": ["engagement"],
        "level": "INFO",
        "propagate": False,
    }
    config["loggers"]["engagement.requests"] = {"level": "INFO" if requests else "WARNING"}
    # slowapi says when the rate-limit storage (Redis) stops or starts answering.
    config["loggers"]["slowapi"] = {"handlers": ["engagement"], "level": "INFO", "propagate": False}
    if json_lines:
        for formatter in ("default", "access"):
            config["formatters"][formatter] = {"()": f"{__name__}.JsonFormatter"}
    return config
