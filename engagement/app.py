"""create_app(): the composition root. The only core module that imports the domains."""

from __future__ import annotations

import functools
import importlib
import logging
import operator
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from slowapi.errors import RateLimitExceeded
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.sessions import SessionMiddleware

from engagement import assets, i18n, log_redaction, metrics, segment
from engagement.audit import CORE_LABELS, AuditLabels
from engagement.auth.deps import LoginRequired
from engagement.body_limit import BodyLimitMiddleware
from engagement.db import make_engine, make_sessionmaker
from engagement.errors import DomainError, Invalid, Unauthenticated
from engagement.i18n import LanguageMiddleware
from engagement.middleware import (
    SecurityHeadersMiddleware,
    ServerErrorAnswerMiddleware,
    WriteIntentMiddleware,
    security_headers,
)
from engagement.ratelimit import limiter, retry_after_seconds
from engagement.rendering import is_htmx, make_templates, redirect, render
from engagement.request_log import RequestLogMiddleware
from engagement.settings import Settings, get_settings

log = logging.getLogger(__name__)
CORE_DIR = Path(__file__).parent

# Domain packages, each exposing `api_router`, `page_router` and `TEMPLATE_DIR` in `web`.
DOMAINS: list[str] = ["feedback", "surveys", "analytics"]


def domain_modules() -> list[ModuleType]:
    return [importlib.import_module(f"{name}.web") for name in DOMAINS]


def load_models() -> None:
    """Imports every model module so that Base.metadata knows all tables (Alembic, tests)."""
    importlib.import_module("engagement.models")
    importlib.import_module("engagement.search")
    for name in DOMAINS:
        importlib.import_module(f"{name}.models")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    log_redaction.install()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        app.state.engine = engine
        app.state.sessionmaker = make_sessionmaker(engine)
        await run_in_threadpool(segment.warm_up)
        yield
        engine.dispose()

    app = FastAPI(
        title="Public engagement platform",
        version="0.1.0",
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url=None,  # Swagger UI would load from a CDN; the spec is at /openapi.json
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.limiter = limiter
    limiter.enabled = settings.ratelimit_enabled

    _add_middleware(app, settings)
    _add_routes(app)
    _add_error_handlers(app)
    return app


def _add_middleware(app: FastAPI, settings: Settings) -> None:
    # Added innermost first: the session must wrap the language choice that it remembers.
    app.add_middleware(ServerErrorAnswerMiddleware, answer=_server_error)
    app.add_middleware(WriteIntentMiddleware)
    app.add_middleware(LanguageMiddleware)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key,
        session_cookie="engagement_session",
        max_age=int(settings.session_hours * 3600),
        same_site="lax",
        https_only=settings.cookies_secure,
    )
    app.add_middleware(SecurityHeadersMiddleware, https=settings.https)
    app.add_middleware(BodyLimitMiddleware, limit_for=_body_limits(settings))
    app.add_middleware(RequestLogMiddleware)


def _body_limits(settings: Settings) -> Callable[[str], int]:
    """The most bytes a request's body may have: the domains' larger uploads, else the default."""
    larger = {
        path: limit(settings)
        for module in domain_modules()
        for path, limit in getattr(module, "BODY_LIMITS", {}).items()
    }
    return lambda path: larger.get(path, settings.body_max_bytes)


def _add_routes(app: FastAPI) -> None:
    from engagement import api as core_api
    from engagement.admin import pages as admin_pages
    from engagement.auth import api as auth_api
    from engagement.auth import pages as auth_pages
    from engagement.portal import pages as portal_pages
    from engagement.portal import search_pages

    template_dirs = [CORE_DIR / "templates"]
    app.state.domain_modules = domain_modules()
    # (msgid, url, policy action) entries that domains add to the staff workbench.
    app.state.workbench_links = [
        link for module in domain_modules() for link in getattr(module, "WORKBENCH_LINKS", [])
    ]
    # Functions (session, user) -> counts under those links: what waits for each person.
    app.state.workbench_counts = [
        counts for module in domain_modules() for counts in getattr(module, "WORKBENCH_COUNTS", [])
    ]
    app.include_router(auth_api.router, prefix="/api/v1")
    app.include_router(core_api.router, prefix="/api/v1")
    for module in domain_modules():
        app.include_router(module.api_router, prefix="/api/v1")
    for module in domain_modules():
        app.include_router(module.page_router)
        template_dirs.append(Path(module.TEMPLATE_DIR))
    app.include_router(auth_pages.router)
    app.include_router(admin_pages.router)
    app.include_router(portal_pages.router)
    app.include_router(search_pages.router)
    app.include_router(metrics.router)
    # The audit log's words: the core's and each domain's (`web.AUDIT_LABELS`).
    app.state.audit_labels = functools.reduce(
        operator.or_,
        [getattr(module, "AUDIT_LABELS", AuditLabels()) for module in domain_modules()],
        CORE_LABELS,
    )
    app.state.metric_readers = [
        read for module in domain_modules() for read in getattr(module, "METRICS", [])
    ]

    app.state.templates = make_templates(template_dirs)
    app.mount("/static", assets.static_assets(), name="static")
    app.add_route("/favicon.ico", assets.favicon, methods=["GET", "HEAD"], include_in_schema=False)


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error_page(request: Request, status: int, message: str) -> Response:
    if is_htmx(request):
        return render(
            request,
            "error.html",
            {"status": status, "message": message},
            block="message",
            status_code=status,
        )
    return render(request, "error.html", {"status": status, "message": message}, status_code=status)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def domain_error(request: Request, exc: DomainError) -> Response:
        if _is_api(request):
            return _api_error(exc)
        if isinstance(exc, LoginRequired):
            return redirect(request, f"/login?next={request.url.path}")
        return _error_page(request, exc.status_code, exc.render(i18n.gettext))

    @app.exception_handler(RateLimitExceeded)
    async def rate_limited(request: Request, exc: RateLimitExceeded) -> Response:
        headers = {"Retry-After": str(retry_after_seconds(request))}
        if _is_api(request):
            return JSONResponse({"detail": f"Rate limit exceeded: {exc.detail}"}, 429, headers)
        response = _error_page(
            request,
            429,
            i18n.gettext(
                "Too many requests from your address. Please wait a moment and try again."
            ),
        )
        response.headers.update(headers)
        return response

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": exc.detail}, exc.status_code, exc.headers)
        message = {
            404: i18n.gettext("The page you asked for does not exist or has moved."),
            405: i18n.gettext("This address does not accept that kind of request."),
            413: i18n.gettext("What you sent is too large."),
        }.get(exc.status_code, str(exc.detail))
        return _error_page(request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": _jsonable(exc.errors())}, 422)
        return _error_page(
            request,
            422,
            i18n.gettext(
                "Some of what you sent is missing or not valid. Go back and check the form."
            ),
        )

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        """Only for a crash in a middleware outside `ServerErrorAnswerMiddleware`."""
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        response = _server_error(request.url.path)
        response.headers.update(security_headers(https=request.app.state.settings.https))
        return response


def _server_error(path: str) -> Response:
    if path.startswith("/api/"):
        return JSONResponse({"detail": "Internal server error"}, 500)
    return Response(_SERVER_ERROR_PAGE, 500, media_type="text/html")


def _api_error(exc: DomainError) -> JSONResponse:
    if isinstance(exc, Invalid):
        detail: Any = [
            {
                "loc": ["body", field] if field else ["body"],
                "msg": err.render(),
                "type": "value_error",
            }
            for field, err in exc.errors
        ]
        return JSONResponse({"detail": detail}, 422)
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthenticated) else None
    return JSONResponse({"detail": exc.render()}, exc.status_code, headers)


def _jsonable(errors: Any) -> Any:
    from fastapi.encoders import jsonable_encoder

    return jsonable_encoder(errors, custom_encoder={Exception: str})


# Static: also served when a middleware or the templates crashed, so it relies on none of them.
_SERVER_ERROR_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>系统错误 · Server error</title><link rel="stylesheet" href="/static/site.css"></head>
<body><main class="container error-page"><h1>抱歉，系统出现错误</h1>
<p>我们已记录此问题，请稍后再试。您提交的内容如未显示成功，请重新提交。</p>
<p lang="en">Sorry, something went wrong on our side. It has been logged;
please try again later.</p>
<p><a href="/">返回首页 · Home</a></p></main></body></html>"""
