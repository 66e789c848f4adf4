"""Past the sign-in limit a client gets 429 with Retry-After: JSON on the API, a page on /login."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from engagement.settings import get_settings
from tests.conftest import csrf_from
from tests.engagement.conftest import alert_text, html_lang

TOKEN_URL = "/api/v1/auth/token"
CREDENTIALS = {"username": "nobody", "password": "whatever-it-is"}


@pytest.fixture
def three_a_minute(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(get_settings(), "ratelimit_login", "3/minute")
    return 3


def test_default_login_limit_is_enforced_on_the_api(client: TestClient) -> None:
    allowed = int(get_settings().ratelimit_login.split("/")[0])
    statuses = [client.post(TOKEN_URL, data=CREDENTIALS).status_code for _ in range(allowed + 1)]

    assert statuses == [401] * allowed + [429]


def test_api_429_is_json_with_retry_after(client: TestClient, three_a_minute: int) -> None:
    for _ in range(three_a_minute):
        assert client.post(TOKEN_URL, data=CREDENTIALS).status_code == 401

    response = client.post(TOKEN_URL, data=CREDENTIALS)

    assert response.status_code == 429
    assert response.headers["content-type"].startswith("application/json")
    assert set(response.json()) == {"detail"}
    assert 1 <= int(response.headers["retry-after"]) <= 60


def test_the_limit_refuses_even_the_right_password(
    client: TestClient, staff, three_a_minute: int
) -> None:
    for _ in range(three_a_minute):
        client.post(TOKEN_URL, data=CREDENTIALS)

    response = client.post(
        TOKEN_URL, data={"username": "staff1", "password": "correct-horse-battery"}
    )

    assert response.status_code == 429


def test_login_page_429_is_an_html_page_with_retry_after(
    client: TestClient, three_a_minute: int
) -> None:
    token = csrf_from(client, "/login")
    form = {**CREDENTIALS, "csrf_token": token}
    for _ in range(three_a_minute):
        assert client.post("/login", data=form).status_code == 401

    response = client.post("/login", data=form)

    assert response.status_code == 429
    assert response.headers["content-type"].startswith("text/html")
    assert html_lang(response.text) == "zh-CN"
    assert alert_text(response.text)
    assert 1 <= int(response.headers["retry-after"]) <= 60


def test_login_page_429_in_english(client: TestClient, three_a_minute: int) -> None:
    client.headers["Accept-Language"] = "en"
    form = {**CREDENTIALS, "csrf_token": csrf_from(client, "/login")}
    for _ in range(three_a_minute):
        client.post("/login", data=form)

    response = client.post("/login", data=form)

    assert "Too many requests" in alert_text(response.text)


def test_the_limit_is_per_route_and_does_not_block_reading(
    client: TestClient, three_a_minute: int
) -> None:
    for _ in range(three_a_minute + 1):
        client.post(TOKEN_URL, data=CREDENTIALS)

    assert client.get("/login").status_code == 200
    assert client.get("/api/v1/health").status_code == 200


def test_rate_limiting_can_be_switched_off(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, three_a_minute: int
) -> None:
    from engagement.ratelimit import limiter

    monkeypatch.setattr(limiter, "enabled", False)

    statuses = {client.post(TOKEN_URL, data=CREDENTIALS).status_code for _ in range(5)}

    assert statuses == {401}


@pytest.mark.parametrize(
    ("setting", "path", "htmx"),
    [
        ("ratelimit_search", "/search?q=路灯", False),
        ("ratelimit_similar", "/mailbox/similar?subject=小区路灯不亮", True),
    ],
)
def test_searching_past_its_limit_is_429_with_retry_after_and_a_short_page(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, setting: str, path: str, htmx: bool
) -> None:
    monkeypatch.setattr(get_settings(), setting, "2/minute")
    client.headers["Accept-Language"] = "en"
    headers = {"HX-Request": "true"} if htmx else {}
    assert [client.get(path, headers=headers).status_code for _ in range(2)] == [200, 200]

    response = client.get(path, headers=headers)

    assert response.status_code == 429
    assert response.headers["content-type"].startswith("text/html")
    assert "Too many requests" in alert_text(response.text)
    assert 1 <= int(response.headers["retry-after"]) <= 60


def test_search_limits_have_settings() -> None:
    settings = get_settings()
    assert (settings.ratelimit_search, settings.ratelimit_similar) == ("60/minute", "60/minute")
