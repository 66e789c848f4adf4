"""Too many wrong passwords lock an account for a while, on the page and on the API alike."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from engagement.models import User
from engagement.settings import get_settings
from engagement.timeutil import utcnow
from tests import factories
from tests.conftest import csrf_from
from tests.engagement.conftest import alert_text, audit_events

TOKEN_URL = "/api/v1/auth/token"
WRONG = "wrong-password-123"


def _api(client: TestClient, password: str, username: str = "staff1") -> int:
    return client.post(TOKEN_URL, data={"username": username, "password": password}).status_code


def _page(client: TestClient, token: str, password: str, username: str = "staff1"):
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )


def test_settings_name_five_failures_and_fifteen_minutes() -> None:
    settings = get_settings()
    assert (settings.login_max_failures, settings.lockout_minutes) == (5, 15)


def test_five_wrong_passwords_lock_the_api_even_for_the_right_password(
    client: TestClient, db: Session, staff: User
) -> None:
    for _ in range(5):
        assert _api(client, WRONG) == 401

    response = client.post(TOKEN_URL, data={"username": "staff1", "password": factories.PASSWORD})

    assert response.status_code == 401
    assert "lock" in response.json()["detail"].lower()
    db.refresh(staff)
    assert staff.locked_until is not None
    minutes_left = (staff.locked_until - utcnow()).total_seconds() / 60
    assert 14 < minutes_left <= 15


def test_four_wrong_passwords_do_not_lock(client: TestClient, staff: User) -> None:
    for _ in range(4):
        assert _api(client, WRONG) == 401

    assert _api(client, factories.PASSWORD) == 200


def test_locked_account_is_refused_on_the_login_page_with_a_message(
    client: TestClient, staff: User
) -> None:
    token = csrf_from(client, "/login")
    wrong_message = alert_text(_page(client, token, WRONG).text)
    for _ in range(4):
        _page(client, token, WRONG)

    response = _page(client, token, factories.PASSWORD)

    assert response.status_code == 401
    assert "text/html" in response.headers["content-type"]
    locked_message = alert_text(response.text)
    assert locked_message and locked_message != wrong_message
    assert client.get("/staff", follow_redirects=False).status_code == 303


def test_locked_message_names_the_lockout_minutes_in_english(
    client: TestClient, staff: User
) -> None:
    client.headers["Accept-Language"] = "en"
    token = csrf_from(client, "/login")
    for _ in range(5):
        _page(client, token, WRONG)

    message = alert_text(_page(client, token, factories.PASSWORD).text)

    assert "locked" in message and "15 minutes" in message


def test_lockout_is_audited(client: TestClient, db: Session, staff: User) -> None:
    for _ in range(5):
        _api(client, WRONG)

    events = audit_events(db, "auth.lockout", object_id=str(staff.id))
    assert len(events) == 1
    assert events[0].client_ip == "testclient"
    assert len(audit_events(db, "auth.login_failed", object_id=str(staff.id))) == 5


def test_after_the_lock_expires_the_right_password_works_and_resets_the_count(
    client: TestClient, db: Session, staff: User
) -> None:
    for _ in range(5):
        _api(client, WRONG)
    db.refresh(staff)
    staff.locked_until = utcnow() - timedelta(seconds=1)
    db.flush()

    assert _api(client, factories.PASSWORD) == 200

    db.refresh(staff)
    assert staff.failed_logins == 0
    assert staff.locked_until is None


def test_after_an_expired_lock_it_takes_five_new_failures_to_lock_again(
    client: TestClient, db: Session, staff: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "ratelimit_login", "100/minute")
    for _ in range(5):
        _api(client, WRONG)
    db.refresh(staff)
    staff.locked_until = utcnow() - timedelta(seconds=1)
    db.flush()

    for _ in range(4):
        assert _api(client, WRONG) == 401
    assert _api(client, factories.PASSWORD) == 200

    for _ in range(5):
        _api(client, WRONG)
    assert _api(client, factories.PASSWORD) == 401


def test_a_successful_sign_in_resets_the_failure_count(
    client: TestClient, db: Session, staff: User
) -> None:
    for _ in range(3):
        _api(client, WRONG)
    assert _api(client, factories.PASSWORD) == 200
    db.refresh(staff)
    assert staff.failed_logins == 0

    for _ in range(4):
        _api(client, WRONG)
    assert _api(client, factories.PASSWORD) == 200


def test_page_sign_in_also_resets_the_count(client: TestClient, db: Session, staff: User) -> None:
    token = csrf_from(client, "/login")
    for _ in range(3):
        _page(client, token, WRONG)

    assert _page(client, token, factories.PASSWORD).status_code == 303

    db.refresh(staff)
    assert staff.failed_logins == 0


def test_failures_count_across_the_page_and_the_api(
    client: TestClient, db: Session, staff: User
) -> None:
    token = csrf_from(client, "/login")
    for _ in range(3):
        _page(client, token, WRONG)
    for _ in range(2):
        _api(client, WRONG)

    assert _api(client, factories.PASSWORD) == 401


@pytest.mark.parametrize("username", ["STAFF1", " staff1 "])
def test_failures_on_a_spelling_variant_count_for_the_same_account(
    client: TestClient, db: Session, staff: User, username: str
) -> None:
    for _ in range(5):
        _api(client, WRONG, username=username)

    assert _api(client, factories.PASSWORD) == 401
