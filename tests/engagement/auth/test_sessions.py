"""Browser sign-in: the session cookie, sign-out, expiry and where the form sends you."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engagement.models import LoginSession, User
from engagement.settings import get_settings
from engagement.timeutil import utcnow
from tests import factories
from tests.conftest import csrf_from, login

COOKIE = "engagement_session"


def _post_login(client: TestClient, next_url: str | None = None, **overrides: str):
    data = {
        "username": "staff1",
        "password": factories.PASSWORD,
        "csrf_token": csrf_from(client, "/login"),
    }
    if next_url is not None:
        data["next"] = next_url
    data.update(overrides)
    return client.post("/login", data=data, follow_redirects=False)


def _logout(client: TestClient):
    token = csrf_from(client, "/staff")
    return client.post("/logout", data={"csrf_token": token}, follow_redirects=False)


def test_sign_in_sets_an_httponly_samesite_cookie_and_opens_the_workbench(
    client: TestClient, staff: User
) -> None:
    response = _post_login(client)

    assert response.status_code == 303
    assert response.headers["location"] == "/staff"
    set_cookie = next(
        c for c in response.headers.get_list("set-cookie") if c.startswith(f"{COOKIE}=")
    )
    attributes = {part.strip().split("=")[0].lower() for part in set_cookie.split(";")[1:]}
    assert "httponly" in attributes
    assert "samesite=lax" in set_cookie.lower()
    assert "path=/" in set_cookie.lower()
    max_age = int(set_cookie.lower().split("max-age=")[1].split(";")[0])
    assert max_age == int(get_settings().session_hours * 3600)

    workbench = client.get("/staff", follow_redirects=False)
    assert workbench.status_code == 200
    assert "staff1" in workbench.text or staff.display_name in workbench.text


def test_sign_in_creates_one_server_side_session(
    client: TestClient, db: Session, staff: User
) -> None:
    _post_login(client)

    rows = db.scalars(select(LoginSession).where(LoginSession.user_id == staff.id)).all()
    assert len(rows) == 1
    hours = (rows[0].expires_at - utcnow()).total_seconds() / 3600
    assert get_settings().session_hours - 0.1 < hours <= get_settings().session_hours


def test_workbench_without_sign_in_redirects_to_login_with_next(client: TestClient) -> None:
    response = client.get("/staff", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/staff"


def test_login_page_carries_next_to_the_form(client: TestClient) -> None:
    page = client.get("/login?next=/admin/users")

    assert 'name="next" value="/admin/users"' in page.text


def test_sign_in_follows_a_local_next(client: TestClient, staff: User) -> None:
    response = _post_login(client, next_url="/departments")

    assert response.headers["location"] == "/departments"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example",
        "http://evil.example/staff",
        "///evil.example",
        "/\\evil.example",
        "/\t/evil.example",
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_sign_in_never_sends_the_browser_to_another_host(
    client: TestClient, staff: User, target: str
) -> None:
    location = _post_login(client, next_url=target).headers["location"]

    assert urlsplit(urljoin("http://testserver/login", location)).netloc == "testserver"
    assert "\\" not in location  # browsers read a backslash as a slash: /\\x means //x


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example"])
def test_login_page_of_a_signed_in_user_does_not_bounce_to_another_host(
    client: TestClient, staff: User, target: str
) -> None:
    login(client, "staff1")

    response = client.get("/login", params={"next": target}, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/staff"


def test_login_page_of_a_signed_in_user_goes_to_the_workbench(
    client: TestClient, staff: User
) -> None:
    login(client, "staff1")

    response = client.get("/login", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == "/staff"


def test_wrong_password_keeps_the_username_and_shows_the_form_again(
    client: TestClient, staff: User
) -> None:
    response = _post_login(client, password="not-the-password")

    assert response.status_code == 401
    assert 'value="staff1"' in response.text
    assert 'name="csrf_token"' in response.text
    assert client.get("/staff", follow_redirects=False).status_code == 303


def test_logout_ends_the_session_on_the_server(
    app: FastAPI, client: TestClient, db: Session, staff: User
) -> None:
    login(client, "staff1")
    stolen = client.cookies.get(COOKIE)
    assert stolen

    response = _logout(client)

    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert client.get("/staff", follow_redirects=False).status_code == 303
    count = db.scalar(select(func.count()).where(LoginSession.user_id == staff.id))
    assert count == 0
    replay = TestClient(app, base_url="http://testserver")
    replay.cookies.set(COOKIE, stolen)
    assert replay.get("/staff", follow_redirects=False).status_code == 303


def test_a_copy_of_the_cookie_works_until_logout(
    app: FastAPI, client: TestClient, staff: User
) -> None:
    login(client, "staff1")
    copy = TestClient(app, base_url="http://testserver")
    copy.cookies.set(COOKIE, client.cookies[COOKIE])

    assert copy.get("/staff", follow_redirects=False).status_code == 200


def test_an_expired_session_row_is_refused(client: TestClient, db: Session, staff: User) -> None:
    login(client, "staff1")
    db.execute(
        update(LoginSession)
        .where(LoginSession.user_id == staff.id)
        .values(expires_at=utcnow() - timedelta(seconds=1))
    )
    db.flush()

    response = client.get("/staff", follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_a_session_of_a_deleted_row_is_refused(
    client: TestClient, db: Session, staff: User
) -> None:
    login(client, "staff1")
    db.execute(LoginSession.__table__.delete().where(LoginSession.user_id == staff.id))
    db.flush()

    assert client.get("/staff", follow_redirects=False).status_code == 303


def test_a_new_sign_in_cleans_up_expired_session_rows(
    client: TestClient, db: Session, staff: User
) -> None:
    db.add(LoginSession(id="old", user_id=staff.id, expires_at=utcnow() - timedelta(days=1)))
    db.flush()

    login(client, "staff1")

    db.expire_all()
    assert db.get(LoginSession, "old") is None


def test_a_session_cookie_signed_with_another_key_is_ignored(
    app: FastAPI, client: TestClient, staff: User
) -> None:
    import base64
    import json

    from itsdangerous import TimestampSigner

    login(client, "staff1")
    sid_payload = base64.b64encode(json.dumps({"sid": "x"}).encode())
    forged = TimestampSigner("guessed-key").sign(sid_payload).decode()
    other = TestClient(app, base_url="http://testserver")
    other.cookies.set(COOKIE, forged)

    assert other.get("/staff", follow_redirects=False).status_code == 303


def test_signing_in_as_someone_else_replaces_the_session_user(
    client: TestClient, db: Session, staff: User
) -> None:
    factories.user(username="other1", role="leader", display_name="另一位领导")
    login(client, "staff1")

    login(client, "other1")

    assert "另一位领导" in client.get("/staff").text


def test_an_error_page_for_a_signed_in_user_still_shows_who_is_signed_in(
    browser: TestClient, db: Session, staff: User
) -> None:
    login(browser, "staff1")

    response = browser.get("/departments/no-such-unit")

    assert response.status_code == 404
    assert staff.label in response.text
    assert 'action="/logout"' in response.text
