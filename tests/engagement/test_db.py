"""Text with a NUL character (0x00) is no server error on either database.

PostgreSQL's text cannot hold one and refused the whole statement (a 500, found by Schemathesis
on /mailbox/track); SQLite keeps it. Both run here when ENGAGEMENT_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from feedback.mailbox.models import Letter
from tests.feedback import factories as letters


def test_a_lookup_with_a_nul_finds_nothing_instead_of_failing(client: TestClient) -> None:
    page = client.get("/mailbox/track", params={"number": "\x00\x00", "code": "\x00"})
    api = client.get("/api/v1/letters/%00", params={"code": "\x00"})

    assert page.status_code < 500
    assert api.status_code == 404


def test_a_letter_with_a_nul_is_stored_without_failing(client: TestClient, db: Session) -> None:
    made = letters.submit_api(client, subject="路灯\x00不亮")

    stored = db.scalar(select(Letter.subject).where(Letter.tracking_code_hash.is_not(None)))

    assert made.number
    assert stored is not None and stored.replace("\x00", "") == "路灯不亮"
