"""Sign-in, sign-out and failed sign-ins leave audit rows with the client's address."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from engagement.models import User
from tests import factories
from tests.conftest import csrf_from, login
from tests.engagement.conftest import audit_events


def test_sign_in_is_audited_with_the_address(client: TestClient, db: Session, staff: User) -> None:
    login(client, "staff1")

    (event,) = audit_events(db, "auth.login")
    assert (event.actor_id, event.actor_name) == (staff.id, "staff1")
    assert (event.object_type, event.object_id) == ("user", str(staff.id))
    assert event.client_ip == "testclient"
    assert event.at is not None and event.at.tzinfo is not None


def test_sign_out_is_audited_with_the_address(client: TestClient, db: Session, staff: User) -> None:
    login(client, "staff1")
    token = csrf_from(client, "/staff")

    client.post("/logout", data={"csrf_token": token})

    (event,) = audit_events(db, "auth.logout")
    assert (event.actor_name, event.object_id, event.client_ip) == (
        "staff1",
        str(staff.id),
        "testclient",
    )


def test_sign_out_without_a_session_records_nothing(client: TestClient, db: Session) -> None:
    token = csrf_from(client, "/login")

    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)

    assert response.status_code == 303
    assert audit_events(db, "auth.logout") == []


def test_failed_sign_in_on_the_page_is_audited_with_the_address(
    client: TestClient, db: Session, staff: User
) -> None:
    token = csrf_from(client, "/login")

    client.post("/login", data={"username": "staff1", "password": "nope-nope", "csrf_token": token})

    (event,) = audit_events(db, "auth.login_failed")
    assert (event.actor_name, event.object_id, event.client_ip) == (
        "staff1",
        str(staff.id),
        "testclient",
    )
    assert event.detail["failures"] == 1
    assert "nope-nope" not in str(event.detail)
    assert audit_events(db, "auth.login") == []


def test_sign_in_of_a_locked_account_is_audited(
    client: TestClient, db: Session, staff: User
) -> None:
    for _ in range(5):
        client.post("/api/v1/auth/token", data={"username": "staff1", "password": "nope-nope"})

    client.post("/api/v1/auth/token", data={"username": "staff1", "password": factories.PASSWORD})

    (event,) = audit_events(db, "auth.login_refused_locked")
    assert event.client_ip == "testclient"


def test_a_forwarded_for_header_does_not_change_the_recorded_address(
    client: TestClient, db: Session, staff: User
) -> None:
    token = csrf_from(client, "/login")

    client.post(
        "/login",
        data={"username": "staff1", "password": factories.PASSWORD, "csrf_token": token},
        headers={"X-Forwarded-For": "6.6.6.6"},
    )

    (event,) = audit_events(db, "auth.login")
    assert event.client_ip == "testclient"


def test_failed_sign_in_with_an_unknown_name_is_audited_too(
    client: TestClient, db: Session
) -> None:
    client.post("/api/v1/auth/token", data={"username": "ghost", "password": "nope-nope"})

    events = audit_events(db, "auth.login_failed")
    assert len(events) == 1
    assert events[0].client_ip == "testclient"
