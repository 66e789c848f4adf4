"""Deadlines in working days (official calendar and admin overrides), lateness, rating window."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

import feedback.mailbox.service
from engagement.models import HolidayOverride, User
from engagement.settings import get_settings
from engagement.timeutil import utcnow
from tests.feedback import factories as letters

LOCAL = ZoneInfo("Asia/Shanghai")


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch):
    """Sets the mailbox's clock for the duration of a `with clock(...)` block."""

    @contextmanager
    def at(moment: datetime) -> Iterator[None]:
        with monkeypatch.context() as patch:
            patch.setattr(feedback.mailbox.service, "utcnow", lambda: moment)
            yield

    return at


def _track(client: TestClient, made: letters.Made) -> dict:
    response = client.get(f"/api/v1/letters/{made.number}", params={"code": made.code})
    assert response.status_code == 200, response.text
    return response.json()


def _assign(client: TestClient, headers: dict, made: letters.Made) -> dict:
    response = client.post(
        f"/api/v1/staff/letters/{made.number}/assign",
        json={"department": "housing"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    return response.json()


# --- assignment: one working day ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("submitted", "due"),
    [
        ("2025-06-11T10:00", "2025-06-12T10:00:00+08:00"),  # Wednesday -> Thursday
        ("2025-06-13T16:30", "2025-06-16T16:30:00+08:00"),  # Friday -> Monday
        ("2025-06-14T11:00", "2025-06-17T00:00:00+08:00"),  # Saturday -> end of Monday
        ("2025-09-30T09:00", "2025-10-09T09:00:00+08:00"),  # before the National Day week
    ],
)
def test_assignment_is_due_one_working_day_after_arrival(
    client: TestClient, clock, submitted: str, due: str
) -> None:
    with clock(local(submitted)):
        made = letters.submit_api(client)

    body = _track(client, made)

    assert body["due_at"] == due
    assert made.number.startswith(submitted[:10].replace("-", ""))  # the local day of arrival


def test_an_admin_holiday_override_moves_the_deadline(
    client: TestClient, db: Session, clock
) -> None:
    db.add(HolidayOverride(day=date(2025, 6, 12), is_working_day=False, note="县里停电"))
    db.flush()

    with clock(local("2025-06-11T10:00")):
        made = letters.submit_api(client)

    assert _track(client, made)["due_at"] == "2025-06-13T10:00:00+08:00"


# --- reply: 3 working days for consultation and help, 10 for the rest --------------------------


@pytest.mark.parametrize(
    ("category", "assigned", "due"),
    [
        ("consultation", "2025-06-11T10:00", "2025-06-16T10:00:00+08:00"),
        ("help", "2025-06-11T10:00", "2025-06-16T10:00:00+08:00"),
        ("complaint", "2025-06-11T10:00", "2025-06-25T10:00:00+08:00"),
        ("suggestion", "2025-06-11T10:00", "2025-06-25T10:00:00+08:00"),
        ("report", "2025-06-11T10:00", "2025-06-25T10:00:00+08:00"),
        # National Day 2025: 1–8 October off, Saturday 11 October a make-up working day.
        ("help", "2025-09-30T10:00", "2025-10-11T10:00:00+08:00"),
        ("complaint", "2025-09-30T10:00", "2025-10-21T10:00:00+08:00"),
    ],
)
def test_reply_deadline_counts_working_days_from_assignment(
    client: TestClient, tokens: dict, clock, category: str, assigned: str, due: str
) -> None:
    with clock(local(assigned) - timedelta(hours=2)):
        made = letters.submit_api(client, category=category)
    with clock(local(assigned)):
        answer = _assign(client, tokens["leader"], made)

    assert answer["due_at"] == due
    assert _track(client, made)["due_at"] == due


def test_a_transfer_keeps_the_reply_deadline(client: TestClient, tokens: dict, clock) -> None:
    with clock(local("2025-06-11T09:00")):
        made = letters.submit_api(client, category="help")
        _assign(client, tokens["leader"], made)
    with clock(local("2025-06-12T09:00")):
        moved = client.post(
            f"/api/v1/staff/letters/{made.number}/assign",
            json={"department": "transport"},
            headers=tokens["staff"],
        )

    assert moved.status_code == 200
    assert moved.json()["due_at"] == "2025-06-16T09:00:00+08:00"


def test_unsatisfied_gives_a_new_reply_deadline_from_the_rating(
    client: TestClient, db: Session, leader: User, staff: User, clock
) -> None:
    with clock(local("2025-06-02T09:00")):
        made = letters.replied(db, leader, staff, category="consultation")
    with clock(local("2025-06-11T15:00")):
        rated = client.post(
            f"/api/v1/letters/{made.number}/rating",
            json={"code": made.code, "satisfaction": "unsatisfied"},
        )

    assert rated.json()["status"] == "reopened"
    assert rated.json()["due_at"] == "2025-06-16T15:00:00+08:00"


# --- lateness ---------------------------------------------------------------------------------


def _staff_items(client: TestClient, headers: dict, **params: object) -> dict[str, dict]:
    response = client.get("/api/v1/staff/letters", headers=headers, params=params)
    assert response.status_code == 200, response.text
    return {item["number"]: item for item in response.json()["items"]}


def test_a_letter_past_its_reply_deadline_is_overdue(
    client: TestClient, db: Session, tokens: dict, leader: User, clock
) -> None:
    with clock(utcnow() - timedelta(days=30)):
        late = letters.assigned(db, leader, category="complaint")  # 10 working days: passed
    fresh = letters.assigned(db, leader, category="complaint")

    items = _staff_items(client, tokens["staff"])
    overdue_only = _staff_items(client, tokens["staff"], overdue="true")

    assert items[late.number]["overdue"] is True
    assert items[late.number]["urgency"] == "overdue"
    assert items[fresh.number]["overdue"] is False
    assert set(overdue_only) == {late.number}


def test_a_new_letter_not_assigned_in_time_is_overdue(
    client: TestClient, db: Session, tokens: dict, clock
) -> None:
    with clock(utcnow() - timedelta(days=8)):
        waiting = letters.letter(db)
    letters.letter(db)

    overdue_only = _staff_items(client, tokens["leader"], overdue="true")

    assert set(overdue_only) == {waiting.number}
    assert overdue_only[waiting.number]["status"] == "submitted"


def test_a_reply_ends_lateness(
    client: TestClient, db: Session, tokens: dict, leader: User, staff: User, clock
) -> None:
    with clock(utcnow() - timedelta(days=30)):
        made = letters.assigned(db, leader)
    response = client.post(
        f"/api/v1/staff/letters/{made.number}/reply",
        json={"body": "抱歉回复晚了，问题已处理。"},
        headers=tokens["staff"],
    )
    assert response.status_code == 200
    assert response.json()["overdue"] is False

    assert _staff_items(client, tokens["staff"], overdue="true") == {}
    assert letters.stored(db, made.number).on_time is False


def test_a_letter_nearing_its_deadline_is_due_soon(
    client: TestClient, db: Session, tokens: dict, leader: User, clock
) -> None:
    made = letters.assigned(db, leader, category="help")
    letters.stored(db, made.number).reply_due_at = utcnow() + timedelta(hours=2)
    db.flush()

    item = _staff_items(client, tokens["staff"])[made.number]

    assert item["overdue"] is False
    assert item["urgency"] == "due_soon"


# --- the rating window ------------------------------------------------------------------------


def test_a_reply_unrated_past_the_window_shows_as_closed(
    client: TestClient, db: Session, leader: User, staff: User, clock
) -> None:
    window = get_settings().rating_window_days
    with clock(utcnow() - timedelta(days=window, hours=1)):
        old = letters.replied(db, leader, staff)
    with clock(utcnow() - timedelta(days=window) + timedelta(hours=1)):
        recent = letters.replied(db, leader, staff)

    assert _track(client, old)["status"] == "closed"
    assert _track(client, recent)["status"] == "replied"
    late_rating = client.post(
        f"/api/v1/letters/{old.number}/rating",
        json={"code": old.code, "satisfaction": "unsatisfied"},
    )
    assert late_rating.status_code == 409
    assert _track(client, old)["status"] == "closed"


def test_the_staff_list_closes_replies_past_the_window(
    client: TestClient, db: Session, tokens: dict, leader: User, staff: User, clock
) -> None:
    window = get_settings().rating_window_days
    with clock(utcnow() - timedelta(days=window + 2)):
        old = letters.replied(db, leader, staff)

    items = _staff_items(client, tokens["staff"])

    assert items[old.number]["status"] == "closed"
    letter = letters.stored(db, old.number)
    assert letter.closed_at is not None
    assert abs(letter.closed_at - (letter.replied_at + timedelta(days=window))) < timedelta(
        seconds=1
    )
