"""Fixtures for the consultation tests: cheap hashing, a second unit, browsers, ready drafts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from engagement import i18n
from engagement.models import AuditEvent, Department, User
from engagement.timeutil import utcnow
from feedback.consultations.models import Consultation
from tests import factories
from tests.conftest import bearer, login

# --- people ------------------------------------------------------------------------------------


@pytest.fixture
def transport(db: Session) -> Department:
    return factories.department(slug="transport", name="县交通运输局")


@pytest.fixture
def outsider(db: Session, transport: Department) -> User:
    """Staff of another unit than the one running the consultation."""
    return factories.user(username="staff-transport", role="staff", department=transport)


@pytest.fixture
def staff_auth(client: TestClient, staff: User) -> dict[str, str]:
    return bearer(client, staff.username)


@pytest.fixture
def browser_for(app: FastAPI) -> Callable[[str | None], TestClient]:
    """A separate browser with its own cookies, signed in as `username` when given."""

    def make(username: str | None = None) -> TestClient:
        browser = TestClient(app, base_url="http://testserver")
        if username:
            login(browser, username)
        return browser

    return make


# --- drafts ------------------------------------------------------------------------------------

SECTIONS = [
    {"heading": "第一条", "text": "为了加强城市绿化管理，改善人居环境，结合本县实际，制定本办法。"},
    {"heading": "第二条", "text": "本办法适用于本县城市规划区内绿地的规划、建设、保护和管理。"},
    {
        "heading": "第三条",
        "text": "任何单位和个人不得擅自占用城市绿地，确需占用的应当依法办理手续。",
    },
]


def iso(moment: datetime) -> str:
    return moment.isoformat()


def consultation_body(**overrides: Any) -> dict[str, Any]:
    """A valid body for POST /api/v1/staff/consultations, open now for 40 days."""
    now = utcnow()
    body: dict[str, Any] = {
        "title": "关于《县城市绿化管理办法（征求意见稿）》公开征求意见的公告",
        "summary": "为规范城市绿化管理，县住建局起草了本办法，现向社会公开征求意见。",
        "sections": [dict(s) for s in SECTIONS],
        "opens_at": iso(now - timedelta(hours=1)),
        "closes_at": iso(now + timedelta(days=40)),
    }
    body.update(overrides)
    return body


def create(client: TestClient, auth: dict[str, str], **overrides: Any) -> int:
    response = client.post(
        "/api/v1/staff/consultations", json=consultation_body(**overrides), headers=auth
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def create_open(client: TestClient, auth: dict[str, str], **overrides: Any) -> int:
    consultation_id = create(client, auth, **overrides)
    published = client.post(f"/api/v1/staff/consultations/{consultation_id}/publish", headers=auth)
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "open"
    return consultation_id


def comment(client: TestClient, consultation_id: int, **body: Any) -> int:
    body.setdefault("body", "建议在老旧小区改造中同步增加绿地面积，方便老年人休闲。")
    response = client.post(f"/api/v1/consultations/{consultation_id}/comments", json=body)
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def moderate(
    client: TestClient, auth: dict[str, str], comment_id: int, decision: str = "approve", **kw: Any
) -> Any:
    return client.post(
        f"/api/v1/staff/comments/{comment_id}/moderate",
        json={"decision": decision, **kw},
        headers=auth,
    )


def close(db: Session, consultation_id: int) -> None:
    """Moves the closing time into the past, as the clock would."""
    db.expire_all()
    consultation = db.get(Consultation, consultation_id)
    assert consultation is not None
    consultation.closes_at = utcnow() - timedelta(minutes=1)
    db.flush()


def audit_actions(db: Session, object_type: str, object_id: object) -> list[str]:
    db.expire_all()
    return list(
        db.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id))
            .order_by(AuditEvent.id)
        )
    )


def zh(msgid: str, **params: Any) -> str:
    """What a reader of the default (Chinese) pages sees for an English msgid."""
    text = i18n.translations("zh").gettext(msgid)
    return text % params if params else text


def error_fields(response: Any) -> list[str]:
    """The field named by each entry of a 422 answer's detail."""
    assert response.status_code == 422, response.text
    return [entry["loc"][-1] for entry in response.json()["detail"]]
