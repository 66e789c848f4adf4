"""Shared by the analytics and portal tests: cheap passwords, no rate limits, and one-line
steps of a letter's life through the real JSON API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from engagement.settings import get_settings
from feedback.mailbox.models import Letter
from feedback.mailbox.service import find_by_number

PHONE = "13812345678"
WRITER = "欧阳明远"


@pytest.fixture(autouse=True)
def no_rate_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests write many letters from one address; create_app reads this setting."""
    monkeypatch.setattr(get_settings(), "ratelimit_enabled", False)


def local(y: int, m: int, d: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(y, m, d, hour, minute, tzinfo=get_settings().tz)


def submit(
    client: TestClient,
    subject: str,
    body: str,
    *,
    category: str = "complaint",
    consent: bool = False,
    name: str = WRITER,
    phone: str = PHONE,
    township: str | None = None,
) -> dict[str, str]:
    payload: dict[str, Any] = {
        "category": category,
        "subject": subject,
        "body": body,
        "name": name,
        "phone": phone,
        "publish_consent": consent,
    }
    if township:
        payload["township"] = township
    response = client.post("/api/v1/letters", json=payload)
    assert response.status_code == 201, response.text
    return response.json()


def act(client: TestClient, headers: dict[str, str], number: str, action: str, **body: Any) -> Any:
    response = client.post(f"/api/v1/staff/letters/{number}/{action}", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def rate(client: TestClient, letter: dict[str, str], satisfaction: str) -> Any:
    response = client.post(
        f"/api/v1/letters/{letter['number']}/rating",
        json={"code": letter["tracking_code"], "satisfaction": satisfaction},
    )
    assert response.status_code == 200, response.text
    return response.json()


def backdate(
    db: Session,
    number: str,
    submitted: datetime,
    *,
    reply_hours: float | None = None,
    on_time: bool | None = None,
    reply_due: datetime | None = None,
) -> Letter:
    """Moves a letter to another time: its arrival (and the day in its number), the first
    reply and the deadlines. Changes the letter's public number, so act on it before."""
    db.expire_all()
    letter = find_by_number(db, number)
    assert letter is not None, number
    letter.submitted_at = submitted.astimezone(UTC)
    letter.number_day = f"{submitted.astimezone(get_settings().tz):%Y%m%d}"
    letter.assign_due_at = submitted + timedelta(days=1)
    if reply_hours is not None:
        letter.first_replied_at = submitted + timedelta(hours=reply_hours)
        letter.reply_hours = reply_hours
        letter.on_time = on_time
    if reply_due is not None:
        letter.reply_due_at = reply_due
    db.flush()
    return letter
