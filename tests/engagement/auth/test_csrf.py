"""CSRF protects the cookie-based forms; the bearer-token JSON API needs no token."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engagement.models import User
from tests import factories
from tests.conftest import csrf_from, login
from tests.engagement.conftest import alert_text


def _assert_readable_403(response) -> None:
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "<html" in response.text
    assert alert_text(response.text)


def _users_named(db: Session, username: str) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).where(func.lower(User.username) == username)) or 0


def test_login_without_token_is_403_html(client: TestClient, db: Session, staff: User) -> None:
    client.get("/login")

    response = client.post(
        "/login",
        data={"username": "staff1", "password": factories.PASSWORD},
        follow_redirects=False,
    )

    _assert_readable_403(response)
    assert client.get("/staff", follow_redirects=False).status_code == 303
    db.refresh(staff)
    assert staff.last_login_at is None


def test_login_with_a_wrong_token_is_403(client: TestClient, staff: User) -> None:
    csrf_from(client, "/login")

    response = client.post(
        "/login",
        data={"username": "staff1", "password": factories.PASSWORD, "csrf_token": "forged"},
        follow_redirects=False,
    )

    _assert_readable_403(response)


def test_a_token_from_another_browser_is_refused(app: FastAPI, client: TestClient) -> None:
    attacker = TestClient(app, base_url="http://testserver")
    their_token = csrf_from(attacker, "/login")
    client.get("/login")

    response = client.post(
        "/login",
        data={"username": "x", "password": "y", "csrf_token": their_token},
        follow_redirects=False,
    )

    assert response.status_code == 403


def test_login_with_the_header_instead_of_the_field_is_accepted(
    client: TestClient, staff: User
) -> None:
    token = csrf_from(client, "/login")

    response = client.post(
        "/login",
        data={"username": "staff1", "password": factories.PASSWORD},
        headers={"X-CSRF-Token": token},
        follow_redirects=False,
    )

    assert response.status_code == 303
    assert client.get("/staff", follow_redirects=False).status_code == 200


def test_logout_without_token_is_403_and_keeps_the_session(client: TestClient, staff: User) -> None:
    login(client, "staff1")

    response = client.post("/logout", follow_redirects=False)

    _assert_readable_403(response)
    assert client.get("/staff", follow_redirects=False).status_code == 200


def test_logout_with_the_header_is_accepted(client: TestClient, staff: User) -> None:
    login(client, "staff1")
    token = csrf_from(client, "/staff")

    response = client.post("/logout", headers={"X-CSRF-Token": token}, follow_redirects=False)

    assert response.status_code == 303
    assert client.get("/staff", follow_redirects=False).status_code == 303


def test_admin_form_without_token_is_403_and_writes_nothing(
    client: TestClient, db: Session, admin: User, housing
) -> None:
    login(client, "admin1")

    response = client.post(
        "/admin/users",
        data={
            "username": "newclerk",
            "role": "staff",
            "department": "housing",
            "password": "long-enough-pass",
        },
        follow_redirects=False,
    )

    _assert_readable_403(response)
    assert _users_named(db, "newclerk") == 0


def test_admin_form_with_the_header_is_accepted(
    client: TestClient, db: Session, admin: User, housing
) -> None:
    login(client, "admin1")
    token = csrf_from(client, "/admin/users")

    response = client.post(
        "/admin/users",
        data={
            "username": "newclerk",
            "role": "staff",
            "department": "housing",
            "password": "long-enough-pass",
        },
        headers={"X-CSRF-Token": token},
        follow_redirects=False,
    )

    assert response.status_code == 303
    assert _users_named(db, "newclerk") == 1


@pytest.mark.parametrize(
    "path",
    [
        "/admin/departments",
        "/admin/holidays",
        "/admin/users/staff1/active",
        "/admin/departments/housing/active",
        "/admin/holidays/2027-01-01/delete",
    ],
)
def test_every_admin_form_needs_the_token(
    client: TestClient, admin: User, staff: User, path: str
) -> None:
    login(client, "admin1")

    response = client.post(path, data={"active": "false", "slug": "x", "name": "x"})

    _assert_readable_403(response)


def test_htmx_request_without_token_gets_a_message_fragment(client: TestClient) -> None:
    client.get("/login")

    response = client.post("/logout", headers={"HX-Request": "true"})

    assert response.status_code == 403
    assert "<html" not in response.text
    assert 'role="alert"' in response.text


def test_json_api_takes_no_csrf_token(client: TestClient, staff: User) -> None:
    response = client.post(
        "/api/v1/auth/token", data={"username": "staff1", "password": factories.PASSWORD}
    )

    assert response.status_code == 200


def test_every_page_form_carries_the_token_and_htmx_gets_it_too(
    client: TestClient, admin: User
) -> None:
    login(client, "admin1")
    page = client.get("/admin/users").text
    token = csrf_from(client, "/admin/users")

    assert page.count('name="csrf_token"') >= page.count('<form method="post"')
    assert f'"X-CSRF-Token": "{token}"' in page.replace("&#34;", '"')


def test_signing_in_gives_a_new_token_and_the_old_one_is_refused(
    client: TestClient, staff: User
) -> None:
    before = csrf_from(client, "/login")

    login(client, "staff1")
    after = csrf_from(client, "/staff")
    stale = client.post("/logout", data={"csrf_token": before}, follow_redirects=False)

    assert after != before
    _assert_readable_403(stale)
    assert client.get("/staff", follow_redirects=False).status_code == 200


def test_signing_out_gives_a_new_token(client: TestClient, staff: User) -> None:
    login(client, "staff1")
    signed_in = csrf_from(client, "/staff")

    client.post("/logout", data={"csrf_token": signed_in}, follow_redirects=False)

    assert csrf_from(client, "/login") != signed_in
