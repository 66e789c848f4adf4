"""Mail goes through an outbox: written with the action, sent after it, retried when it fails,
and a failing mail server never fails the action itself."""

from __future__ import annotations

import smtplib
from datetime import timedelta
from typing import ClassVar

import pytest
from sqlalchemy import select

from engagement import mail
from engagement.models import OutboxMail
from engagement.settings import get_settings
from engagement.timeutil import utcnow
from tests.conftest import bearer

LETTER = {
    "category": "complaint",
    "subject": "小区供暖不达标",
    "body": "室内温度只有十四度，请尽快处理。",
    "name": "张三",
    "phone": "13812345678",
    "email": "zhang@example.com",
    "publish_consent": False,
}


class FakeSMTP:
    sent: ClassVar[list[str]] = []
    fail = False

    def __init__(self, host: str, port: int, timeout: float) -> None:
        if FakeSMTP.fail:
            raise ConnectionRefusedError("mail server down")

    def __enter__(self) -> FakeSMTP:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def send_message(self, message: object) -> None:
        FakeSMTP.sent.append(str(message["To"]))  # type: ignore[index]


@pytest.fixture
def smtp(monkeypatch):
    monkeypatch.setattr(get_settings(), "smtp_host", "mail.example.org")
    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    monkeypatch.setattr(mail, "deliver_in_background", lambda factory: None)  # the test delivers
    FakeSMTP.sent, FakeSMTP.fail = [], False
    return FakeSMTP


def test_reply_queues_a_mail_to_the_writer_and_assignment_one_to_the_unit(
    client, db, leader, staff, smtp
):
    staff.email = "clerk@housing.example.org"
    db.flush()
    number = client.post("/api/v1/letters", json=LETTER).json()["number"]
    client.post(
        f"/api/v1/staff/letters/{number}/assign",
        json={"department": "housing"},
        headers=bearer(client, leader.username),
    )
    client.post(
        f"/api/v1/staff/letters/{number}/reply",
        json={"body": "已经协调供热公司处理。"},
        headers=bearer(client, staff.username),
    )
    queued = sorted(m.to for m in db.scalars(select(OutboxMail)))
    assert queued == ["clerk@housing.example.org", "zhang@example.com"]
    assert mail.deliver_pending(db) == 2
    assert sorted(smtp.sent) == queued


def test_a_failing_server_never_fails_the_action_and_the_mail_is_retried(
    client, db, leader, staff, smtp
):
    smtp.fail = True
    number = client.post("/api/v1/letters", json=LETTER).json()["number"]
    client.post(
        f"/api/v1/staff/letters/{number}/assign",
        json={"department": "housing"},
        headers=bearer(client, leader.username),
    )
    reply = client.post(
        f"/api/v1/staff/letters/{number}/reply",
        json={"body": "已处理完毕。"},
        headers=bearer(client, staff.username),
    )
    assert reply.status_code == 200 and reply.json()["status"] == "replied"
    assert mail.deliver_pending(db) == 0
    queued = db.scalar(select(OutboxMail))
    assert queued.sent_at is None and queued.attempts == 1 and "down" in queued.last_error
    assert queued.next_attempt_at > utcnow()  # backs off instead of hammering the server
    smtp.fail = False
    queued.next_attempt_at = utcnow() - timedelta(seconds=1)
    assert mail.deliver_pending(db) == 1
    assert smtp.sent == ["zhang@example.com"]


def test_without_smtp_nothing_is_queued(client, db):
    client.post("/api/v1/letters", json=LETTER)
    assert db.scalar(select(OutboxMail)) is None
