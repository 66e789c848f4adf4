"""POST /api/v1/auth/token and bearer tokens on staff calls."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner
from sqlalchemy.orm import Session

from engagement.auth import service
from engagement.errors import Unauthenticated
from engagement.models import User
from engagement.settings import get_settings
from tests import factories
from tests.conftest import bearer, login
from tests.engagement.conftest import audit_events

TOKEN_URL = "/api/v1/auth/token"


def _token(client: TestClient, username: str, password: str = factories.PASSWORD):
    return client.post(TOKEN_URL, data={"username": username, "password": password})


def test_right_password_gives_a_bearer_token(client: TestClient, staff: User) -> None:
    response = _token(client, "staff1")

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert isinstance(body["access_token"], str) and len(body["access_token"]) > 20


def test_wrong_password_and_unknown_user_get_the_same_401(client: TestClient, staff: User) -> None:
    wrong = _token(client, "staff1", "not-the-password")
    unknown = _token(client, "nobody-here", "not-the-password")

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["detail"]
    assert wrong.headers.get("www-authenticate") == unknown.headers.get("www-authenticate")


def test_repeated_failures_do_not_tell_whether_the_user_exists(
    client: TestClient, staff: User
) -> None:
    known = [_token(client, "staff1", "not-the-password").json() for _ in range(5)]
    unknown = [_token(client, "nobody-here", "not-the-password").json() for _ in range(5)]

    assert known == unknown


def test_deactivated_user_gets_401_like_a_wrong_password(client: TestClient, db: Session) -> None:
    factories.user(username="gone", role="leader", active=False)

    response = _token(client, "gone")

    assert response.status_code == 401
    assert response.json() == _token(client, "nobody-here").json()


def test_missing_form_fields_are_a_422_not_a_500(client: TestClient) -> None:
    response = client.post(TOKEN_URL, data={"username": "x"})

    assert response.status_code == 422
    assert any("password" in entry["loc"] for entry in response.json()["detail"])


def test_bearer_token_authenticates_a_staff_call(
    client: TestClient, staff: User, api_probe: str
) -> None:
    response = client.get(api_probe, headers=bearer(client, "staff1"))

    assert response.status_code == 200
    assert response.json() == {"username": "staff1", "role": "staff"}


def test_staff_call_without_credentials_is_401(client: TestClient, api_probe: str) -> None:
    response = client.get(api_probe)

    assert response.status_code == 401
    assert "detail" in response.json()


def test_tampered_token_is_401(
    client: TestClient, staff: User, admin: User, api_probe: str
) -> None:
    import base64
    import json

    token = bearer(client, "staff1")["Authorization"].removeprefix("Bearer ")
    _payload, timestamp, signature = token.split(".")
    claim = base64.urlsafe_b64encode(json.dumps({"uid": admin.id}).encode()).rstrip(b"=")

    tampered = f"{claim.decode()}.{timestamp}.{signature}"
    response = client.get(api_probe, headers={"Authorization": f"Bearer {tampered}"})

    assert response.status_code == 401
    assert client.get(api_probe, headers={"Authorization": f"Bearer {token}x"}).status_code == 401


def test_token_for_another_user_id_cannot_be_forged(
    client: TestClient, staff: User, admin: User, api_probe: str
) -> None:
    from itsdangerous import URLSafeTimedSerializer

    forged = URLSafeTimedSerializer("guessed-key", salt="engagement-api-token").dumps(
        {"uid": admin.id}
    )

    response = client.get(api_probe, headers={"Authorization": f"Bearer {forged}"})

    assert response.status_code == 401


def test_token_expires_after_token_minutes(
    client: TestClient, staff: User, api_probe: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    headers = bearer(client, "staff1")
    lifetime = timedelta(minutes=get_settings().token_minutes).total_seconds()
    issued_now = TimestampSigner.get_timestamp

    def later(seconds: float):
        return lambda self: int(issued_now(self) + seconds)

    monkeypatch.setattr(TimestampSigner, "get_timestamp", later(lifetime - 60))
    assert client.get(api_probe, headers=headers).status_code == 200

    monkeypatch.setattr(TimestampSigner, "get_timestamp", later(lifetime + 60))
    assert client.get(api_probe, headers=headers).status_code == 401


def test_user_for_token_returns_the_user_and_refuses_expired_tokens(
    db: Session, staff: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = get_settings()
    token = service.issue_token(staff, settings=settings)

    assert service.user_for_token(db, token, settings=settings).id == staff.id

    monkeypatch.setattr(settings, "token_minutes", 1)
    issued_now = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: issued_now(self) + 120)
    with pytest.raises(Unauthenticated):
        service.user_for_token(db, token, settings=settings)


def test_token_of_a_user_deactivated_later_stops_working(
    client: TestClient, db: Session, staff: User, api_probe: str
) -> None:
    headers = bearer(client, "staff1")
    staff.active = False
    db.flush()

    assert client.get(api_probe, headers=headers).status_code == 401


def test_json_api_ignores_the_browser_session_cookie(
    client: TestClient, staff: User, api_probe: str
) -> None:
    login(client, "staff1")
    assert client.get("/staff", follow_redirects=False).status_code == 200

    response = client.get(api_probe)

    assert response.status_code == 401


def test_token_endpoint_needs_no_csrf_token(client: TestClient, staff: User) -> None:
    client.get("/login")  # a browser session with a CSRF token exists, none is sent

    assert _token(client, "staff1").status_code == 200


def test_token_issue_and_failure_are_audited_with_the_address(
    client: TestClient, db: Session, staff: User
) -> None:
    _token(client, "staff1", "not-the-password")

    failed = audit_events(db, "auth.login_failed", object_id=str(staff.id))
    assert len(failed) == 1
    assert failed[0].client_ip == "testclient"
    assert failed[0].actor_name == "staff1"
