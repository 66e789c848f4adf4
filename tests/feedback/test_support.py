"""我也关注 on public letters: one per browser, on the letter's page and through the JSON API."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from engagement.browser import BROWSER_COOKIE
from engagement.models import User, table_of
from feedback.mailbox import support
from feedback.mailbox.models import Letter
from tests.conftest import csrf_from
from tests.feedback import factories as letters
from tests.feedback.htmlparse import text_of

Browser = Callable[..., TestClient]


def _support_by_form(browser: TestClient, number: str, **kwargs: bool) -> httpx.Response:
    token = csrf_from(browser, f"/mailbox/letters/{number}")
    return browser.post(f"/mailbox/letters/{number}/support", data={"csrf_token": token}, **kwargs)


def _support_by_api(client: TestClient, number: str, browser: str | None = None) -> httpx.Response:
    headers = {"X-Browser-Id": browser} if browser else {}
    return client.post(f"/api/v1/letters/{number}/support", headers=headers)


def test_the_letter_page_offers_the_button_with_the_count(
    client: TestClient, db: Session, leader: User, staff: User
) -> None:
    made = letters.published(db, leader, staff)

    page = client.get(f"/mailbox/letters/{made.number}")

    assert page.status_code == 200
    assert text_of(page.text, "support") == "我也关注（0）"


def test_a_plain_form_counts_and_comes_back_with_a_thank_you(
    client: TestClient, db: Session, leader: User, staff: User
) -> None:
    made = letters.published(db, leader, staff)

    response = _support_by_form(client, made.number, follow_redirects=False)

    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert "感谢您的关注" in text_of(page.text, "support-message")
    assert 'role="status"' in page.text
    assert "已关注（1）" in text_of(page.text, "support")
    assert "disabled>已关注" in page.text
    assert letters.stored(db, made.number).support == 1


def test_the_same_browser_twice_counts_once(
    client: TestClient, db: Session, leader: User, staff: User
) -> None:
    made = letters.published(db, leader, staff)

    first = _support_by_form(client, made.number)
    again = _support_by_form(client, made.number)

    assert first.status_code == again.status_code == 200
    assert letters.stored(db, made.number).support == 1
    assert "已关注（1）" in text_of(again.text, "support")


def test_the_button_remembers_the_browser_after_its_session_ends(
    client: TestClient, db: Session, browser_for: Browser, leader: User, staff: User
) -> None:
    made = letters.published(db, leader, staff)
    _support_by_form(client, made.number)
    later = browser_for()  # a new session, the same long-lived browser cookie
    later.cookies.set(BROWSER_COOKIE, client.cookies[BROWSER_COOKIE])

    page = later.get(f"/mailbox/letters/{made.number}")

    assert "已关注（1）" in text_of(page.text, "support")
    assert "我也关注" in text_of(
        browser_for().get(f"/mailbox/letters/{made.number}").text, "support"
    )


def test_two_browsers_count_two(
    db: Session, browser_for: Browser, leader: User, staff: User
) -> None:
    made = letters.published(db, leader, staff)

    _support_by_form(browser_for(), made.number)
    page = _support_by_form(browser_for(), made.number)

    assert letters.stored(db, made.number).support == 2
    assert "已关注（2）" in text_of(page.text, "support")


def test_htmx_gets_only_the_support_block(
    client: TestClient, db: Session, leader: User, staff: User
) -> None:
    made = letters.published(db, leader, staff)
    token = csrf_from(client, f"/mailbox/letters/{made.number}")

    response = client.post(
        f"/mailbox/letters/{made.number}/support",
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )

    assert response.status_code == 200
    assert "<html" not in response.text
    assert "已关注（1）" in text_of(response.text, "support")
    assert "感谢您的关注" in response.text


def test_a_form_without_its_csrf_token_is_refused(
    client: TestClient, db: Session, leader: User, staff: User
) -> None:
    made = letters.published(db, leader, staff)
    client.get(f"/mailbox/letters/{made.number}")

    response = client.post(f"/mailbox/letters/{made.number}/support", data={})

    assert response.status_code == 403
    assert letters.stored(db, made.number).support == 0


def test_an_unpublished_letter_cannot_be_supported_from_a_page(
    client: TestClient, db: Session, leader: User, staff: User
) -> None:
    made = letters.replied(db, leader, staff)  # consented and replied, not approved
    token = csrf_from(client, "/mailbox")

    response = client.post(f"/mailbox/letters/{made.number}/support", data={"csrf_token": token})

    assert response.status_code == 404
    assert letters.stored(db, made.number).support == 0


def test_the_api_counts_once_per_browser_id(
    client: TestClient, db: Session, leader: User, staff: User
) -> None:
    made = letters.published(db, leader, staff)

    first = _support_by_api(client, made.number, "browser-a")
    again = _support_by_api(client, made.number, "browser-a")
    other = _support_by_api(client, made.number, "browser-b")

    assert [r.status_code for r in (first, again, other)] == [200, 200, 200]
    assert [r.json()["support"] for r in (first, again, other)] == [1, 1, 2]
    assert other.json()["number"] == made.number
    assert "body" in other.json() and "phone" not in other.json()


def test_the_api_reads_no_cookies(
    client: TestClient, db: Session, leader: User, staff: User
) -> None:
    made = letters.published(db, leader, staff)
    _support_by_form(client, made.number)  # the browser now has its cookie

    response = _support_by_api(client, made.number)

    assert response.status_code == 200
    assert response.json()["support"] == 2


def test_the_api_answers_404_for_unpublished_and_unknown_letters(
    client: TestClient, db: Session, leader: User, staff: User
) -> None:
    hidden = letters.replied(db, leader, staff)

    for number in (hidden.number, "20990101999999", "not-a-number"):
        response = _support_by_api(client, number, "browser-a")
        assert response.status_code == 404, number
        assert "detail" in response.json()
    assert letters.stored(db, hidden.number).support == 0


def test_support_adds_to_an_imported_count(
    client: TestClient, db: Session, leader: User, staff: User
) -> None:
    made = letters.published(db, leader, staff)
    letters.stored(db, made.number).support = 40
    db.flush()

    response = _support_by_api(client, made.number, "browser-a")

    assert response.json()["support"] == 41


def test_the_count_is_raised_in_the_database_not_from_a_stale_copy(
    db: Session, leader: User, staff: User
) -> None:
    made = letters.published(db, leader, staff)
    letter = letters.stored(db, made.number)
    # Another request counts 7 meanwhile; this session's copy still says 0.
    table = table_of(Letter)
    db.execute(update(table).where(table.c.id == letter.id).values(support=7))

    supported = support.support_letter(db, number=made.number, browser="browser-a")

    assert supported.support == 8


def test_the_public_list_carries_support(
    client: TestClient, db: Session, leader: User, staff: User
) -> None:
    made = letters.published(db, leader, staff)
    _support_by_api(client, made.number, "browser-a")

    items = client.get("/api/v1/letters").json()["items"]
    page = client.get("/mailbox/letters")

    assert [(i["number"], i["support"]) for i in items] == [(made.number, 1)]
    assert "1人关注" in page.text
