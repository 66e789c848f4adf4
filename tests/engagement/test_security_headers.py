"""Every answer carries the security headers, a 500 included; served by HTTPS (ENGAGEMENT_HTTPS)
every cookie the site sets is Secure and browsers are told to keep to HTTPS (HSTS)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import APIRouter, Response
from fastapi.testclient import TestClient
from sqlalchemy import Connection
from sqlalchemy.orm import sessionmaker
from starlette.types import ASGIApp, Receive, Scope, Send

from engagement.app import create_app
from engagement.browser import remember_browser
from engagement.ratelimit import limiter
from engagement.settings import get_settings

HSTS = "max-age=31536000; includeSubDomains"
ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("engagement", "feedback", "surveys", "analytics")


class _CrashingMiddleware:
    """A middleware that fails on /test-probe/middleware-crash, outside every other one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].endswith("/test-probe/middleware-crash"):
            raise RuntimeError("a bug in a middleware")
        await self.app(scope, receive, send)


@pytest.fixture
def make_client(
    connection: Connection, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., TestClient]]:
    """A client of a new app built with the given settings, with probe routes that crash or set
    the browser-id cookie."""

    def make(**settings: bool) -> TestClient:
        for name, value in settings.items():
            monkeypatch.setattr(get_settings(), name, value)
        application = create_app()
        application.state.sessionmaker = sessionmaker(
            bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        router = APIRouter()

        @router.get("/test-probe/crash")
        @router.get("/api/v1/test-probe/crash")
        def crash() -> None:
            raise RuntimeError("a bug")

        @router.get("/test-probe/browser")
        def browser() -> Response:
            response = Response("ok")
            remember_browser(response, "a-browser-id")
            return response

        application.include_router(router)
        application.add_middleware(_CrashingMiddleware)
        scheme = "https" if settings.get("https") else "http"
        return TestClient(
            application, base_url=f"{scheme}://testserver", raise_server_exceptions=False
        )

    limiter.reset()
    yield make
    limiter.reset()


def _has_security_headers(response: httpx.Response) -> bool:
    headers = response.headers
    return (
        headers.get("x-content-type-options") == "nosniff"
        and headers.get("x-frame-options") == "DENY"
        and headers.get("referrer-policy") == "same-origin"
        and "default-src 'self'" in headers.get("content-security-policy", "")
    )


def _cookies(client: TestClient) -> dict[str, str]:
    """Each cookie the site sets on a visit that meets every kind, by name."""
    set_cookies = [
        *client.get("/login").headers.get_list("set-cookie"),  # the session (CSRF token)
        *client.get("/display?mode=large", follow_redirects=False).headers.get_list("set-cookie"),
        *client.get("/test-probe/browser").headers.get_list("set-cookie"),
    ]
    return {c.split("=", 1)[0]: c for c in set_cookies}


def _secure(cookie: str) -> bool:
    return "secure" in {part.strip().lower() for part in cookie.split(";")[1:]}


@pytest.mark.parametrize("path", ["/", "/login", "/api/v1/health", "/no-such-page"])
def test_pages_and_the_api_carry_the_security_headers_and_no_hsts_by_default(
    make_client: Callable[..., TestClient], path: str
) -> None:
    response = make_client().get(path)

    assert _has_security_headers(response)
    assert "strict-transport-security" not in response.headers


@pytest.mark.parametrize(
    "path",
    [
        "/test-probe/crash",
        "/api/v1/test-probe/crash",
        "/test-probe/middleware-crash",
        "/api/v1/test-probe/middleware-crash",
    ],
)
def test_a_500_carries_the_security_headers_wherever_it_crashed(
    make_client: Callable[..., TestClient], path: str
) -> None:
    response = make_client().get(path)

    assert response.status_code == 500
    assert _has_security_headers(response)


@pytest.mark.parametrize(
    "path", ["/", "/api/v1/health", "/test-probe/crash", "/test-probe/middleware-crash"]
)
def test_served_by_https_every_answer_has_hsts(
    make_client: Callable[..., TestClient], path: str
) -> None:
    response = make_client(https=True).get(path)

    assert response.headers["strict-transport-security"] == HSTS
    assert _has_security_headers(response)


def test_served_by_https_every_cookie_is_secure(make_client: Callable[..., TestClient]) -> None:
    cookies = _cookies(make_client(https=True))

    assert set(cookies) == {"engagement_session", "display", "browser_id"}
    assert all(_secure(c) for c in cookies.values()), cookies


def test_by_default_cookies_are_not_secure_so_plain_http_works_locally(
    make_client: Callable[..., TestClient],
) -> None:
    cookies = _cookies(make_client())

    assert not any(_secure(c) for c in cookies.values()), cookies


def test_secure_cookies_alone_marks_every_cookie_without_hsts(
    make_client: Callable[..., TestClient],
) -> None:
    client = make_client(secure_cookies=True)
    client.base_url = client.base_url.copy_with(scheme="https")

    cookies = _cookies(client)

    assert all(_secure(c) for c in cookies.values()), cookies
    assert "strict-transport-security" not in client.get("/").headers


def test_the_https_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from engagement.settings import Settings

    monkeypatch.setenv("ENGAGEMENT_HTTPS", "true")

    settings = Settings()

    assert settings.https and settings.cookies_secure


def test_no_module_sets_a_cookie_past_the_one_helper() -> None:
    """A cookie set with `response.set_cookie` elsewhere would miss `Secure` under HTTPS."""
    offenders = [
        str(path.relative_to(ROOT))
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if re.search(r"\.set_cookie\(", path.read_text(encoding="utf-8"))
        and path != ROOT / "engagement" / "browser.py"
    ]

    assert offenders == []
