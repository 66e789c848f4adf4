"""Tracking codes stay out of addresses, histories and shared screens (issue: codes travelled in
query strings, and /mailbox/sent showed the last letter's code to the next person for 8 hours)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from engagement.models import Department, User
from tests.conftest import csrf_from
from tests.feedback import factories as letters
from tests.feedback.htmlparse import hidden_value, text_of
from tests.feedback.test_mailbox_pages import _post_letter


def test_the_receipt_shows_the_code_once(client: TestClient) -> None:
    _post_letter(client)

    first = client.get("/mailbox/sent", follow_redirects=False)
    again = client.get("/mailbox/sent", follow_redirects=False)

    assert first.status_code == 200
    assert text_of(first.text, "tracking-code")
    assert again.status_code == 303
    assert again.headers["location"].endswith("/mailbox")


def test_no_page_puts_the_code_in_an_address(client: TestClient) -> None:
    _post_letter(client)
    receipt = client.get("/mailbox/sent").text
    code = text_of(receipt, "tracking-code")

    tracked = client.post(
        "/mailbox/track",
        data={
            "csrf_token": hidden_value(receipt, "csrf_token"),
            "number": text_of(receipt, "letter-number"),
            "code": code,
        },
    )

    assert tracked.status_code == 200
    assert "东风路夜间施工噪音扰民" in tracked.text
    for page in (receipt, tracked.text, client.get("/mailbox/track").text):
        assert not re.search(r'(href|action)="[^"]*code=', page)
        assert 'method="get" action="/mailbox/track"' not in page


def test_the_tracking_form_needs_its_csrf_token(
    client: TestClient, db: Session, leader: User, housing: Department
) -> None:
    made = letters.assigned(db, leader)
    client.get("/mailbox/track")

    response = client.post("/mailbox/track", data={"number": made.number, "code": made.code})

    assert response.status_code == 403


def test_a_wrong_code_in_the_form_is_the_same_404(
    client: TestClient, db: Session, leader: User, housing: Department
) -> None:
    made = letters.assigned(db, leader)
    token = csrf_from(client, "/mailbox/track")

    response = client.post(
        "/mailbox/track", data={"csrf_token": token, "number": made.number, "code": "WRONGCOD"}
    )

    assert response.status_code == 404
    assert "没有与该信件编号和查询码相符的信件。" in response.text


def test_the_api_takes_the_code_in_a_header(
    client: TestClient, db: Session, leader: User, housing: Department
) -> None:
    made = letters.assigned(db, leader)

    by_header = client.get(f"/api/v1/letters/{made.number}", headers={"X-Tracking-Code": made.code})
    by_query = client.get(f"/api/v1/letters/{made.number}", params={"code": made.code})
    wrong = client.get(f"/api/v1/letters/{made.number}", headers={"X-Tracking-Code": "WRONGCOD"})

    assert by_header.status_code == by_query.status_code == 200
    assert by_header.json() == by_query.json()
    assert wrong.status_code == 404
