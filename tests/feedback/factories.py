"""Letters in a given state, built through the mailbox's own service functions."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engagement.audit import Actor
from engagement.models import User
from feedback.mailbox import service
from feedback.mailbox.models import Category, Letter

_seq = itertools.count(1)

WRITER_NAME = "王建国"
WRITER_PHONE = "13912345678"


def payload(**overrides: Any) -> dict[str, Any]:
    """A valid body for POST /api/v1/letters; keyword arguments replace or add fields."""
    n = next(_seq)
    data: dict[str, Any] = {
        "category": "complaint",
        "subject": f"小区路灯不亮第{n}次反映",
        "body": "幸福小区三号楼前的路灯已经坏了两个月，晚上出行很不方便，请尽快修复。",
        "name": WRITER_NAME,
        "phone": WRITER_PHONE,
        "publish_consent": True,
    }
    data.update(overrides)
    return data


@dataclass(frozen=True)
class Made:
    number: str
    code: str


def submit_api(client: TestClient, **overrides: Any) -> Made:
    response = client.post("/api/v1/letters", json=payload(**overrides))
    assert response.status_code == 201, response.text
    body = response.json()
    return Made(body["number"], body["tracking_code"])


def letter(db: Session, **overrides: Any) -> Made:
    """A submitted letter stored through the service (no rate limit, no HTTP)."""
    data = payload(**overrides)
    result = service.submit_letter(
        db,
        service.NewLetter(
            category=Category(data["category"]),
            subject=data["subject"],
            body=data["body"],
            name=data["name"],
            phone=data["phone"],
            email=data.get("email"),
            township=data.get("township"),
            publish_consent=data["publish_consent"],
        ),
    )
    db.flush()
    assert result.tracking_code is not None
    return Made(result.number, result.tracking_code)


def assigned(db: Session, by: User, unit: str = "housing", **overrides: Any) -> Made:
    made = letter(db, **overrides)
    service.assign_letter(db, Actor(by), number=made.number, department=unit)
    db.flush()
    return made


def replied(
    db: Session,
    by: User,
    handler: User,
    unit: str = "housing",
    reply: str = "您好，路灯已于本周修复，感谢您的监督。",
    public: bool = True,
    **overrides: Any,
) -> Made:
    made = assigned(db, by, unit, **overrides)
    service.reply_letter(db, Actor(handler), number=made.number, body=reply, public=public)
    db.flush()
    return made


def published(db: Session, by: User, handler: User, **kwargs: Any) -> Made:
    made = replied(db, by, handler, **kwargs)
    service.publish_letter(db, Actor(by), number=made.number)
    db.flush()
    return made


def stored(db: Session, number: str) -> Letter:
    """The letter as it is now in the database, after whatever requests changed it."""
    db.expire_all()
    found = service.find_by_number(db, number)
    assert found is not None, number
    return found


def letter_count(db: Session) -> int:
    db.expire_all()
    return db.scalar(select(func.count(Letter.id))) or 0
