"""GET /api/v1/letters: only replied, consented and approved letters, with personal data masked."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from engagement.models import User
from tests.feedback import factories as letters

PERSONAL = {
    "name": "王建国",
    "mobile": "13912345678",
    "mobile_spaced": "139 8765 4321",
    "landline": "0371-66667777",
    "id_number": "41010219900307123X",
    "email": "wangjg2024@example.com",
}
SUBJECT = "王建国反映13912345678无人接听"
BODY = (
    "我叫王建国，住幸福小区，手机13912345678，另一个号码139 8765 4321，"
    "家里座机0371-66667777，身份证号41010219900307123X，邮箱wangjg2024@example.com。"
    "小区门口的路灯坏了两个月，晚上老人出门很危险。"
)
REPLY = "王建国同志：您好！我局已联系13912345678核实，路灯已修复。身份证41010219900307123X已核验。"


def _public(client: TestClient, **params: object) -> dict:
    response = client.get("/api/v1/letters", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_list_shape_and_an_empty_list(client: TestClient) -> None:
    body = _public(client)

    assert {"items", "total", "page"} <= set(body)
    assert (body["items"], body["total"], body["page"]) == ([], 0, 1)


def test_only_published_letters_are_listed(
    client: TestClient, db: Session, leader: User, staff: User
) -> None:
    shown = letters.published(db, leader, staff)
    letters.letter(db)  # submitted
    letters.assigned(db, leader)  # being handled
    letters.replied(db, leader, staff)  # consented, replied, never approved
    letters.replied(db, leader, staff, publish_consent=False)  # no consent

    body = _public(client)

    assert [item["number"] for item in body["items"]] == [shown.number]
    assert body["total"] == 1


def test_a_letter_appears_once_approved(
    client: TestClient, db: Session, tokens: dict, leader: User, staff: User
) -> None:
    made = letters.replied(db, leader, staff)
    assert _public(client)["total"] == 0

    response = client.post(f"/api/v1/staff/letters/{made.number}/publish", headers=tokens["leader"])

    assert response.status_code == 200, response.text
    assert response.json()["published"] is True
    assert [i["number"] for i in _public(client)["items"]] == [made.number]


def test_without_consent_publishing_is_409_and_the_letter_stays_hidden(
    client: TestClient, db: Session, tokens: dict, leader: User, staff: User
) -> None:
    made = letters.replied(db, leader, staff, publish_consent=False)

    for role in ("leader", "admin"):
        response = client.post(f"/api/v1/staff/letters/{made.number}/publish", headers=tokens[role])
        assert response.status_code == 409

    assert _public(client)["total"] == 0
    assert letters.stored(db, made.number).published is False


def test_a_rated_and_closed_letter_stays_public(
    client: TestClient, db: Session, leader: User, staff: User
) -> None:
    made = letters.published(db, leader, staff)

    rated = client.post(
        f"/api/v1/letters/{made.number}/rating",
        json={"code": made.code, "satisfaction": "satisfied"},
    )

    assert rated.json()["status"] == "closed"
    assert [i["number"] for i in _public(client)["items"]] == [made.number]


def test_personal_data_is_masked_in_subject_body_and_replies(
    client: TestClient, db: Session, leader: User, staff: User
) -> None:
    made = letters.published(
        db, leader, staff, subject=SUBJECT, body=BODY, reply=REPLY, name=PERSONAL["name"]
    )

    response = client.get("/api/v1/letters")

    [item] = response.json()["items"]
    assert item["number"] == made.number
    for kind, value in PERSONAL.items():
        assert value not in response.text, kind
    assert "41010219900307123x" not in response.text.lower()
    assert "路灯坏了两个月" in item["body"]  # the substance is still there
    assert "路灯已修复" in item["replies"][0]["body"]
    for field in ("name", "phone", "email", "tracking_code"):
        assert field not in item


def test_published_items_carry_the_reply_and_units(
    client: TestClient, db: Session, leader: User, staff: User
) -> None:
    letters.published(db, leader, staff, category="suggestion")

    [item] = _public(client)["items"]

    assert item["category"] == "suggestion"
    assert item["department"] == {"slug": "housing", "name": "县住房和城乡建设局"}
    assert len(item["replies"]) == 1
    assert item["replies"][0]["department"]["slug"] == "housing"


def test_a_reply_not_fit_for_publication_is_not_shown(
    client: TestClient, db: Session, tokens: dict, leader: User, staff: User
) -> None:
    made = letters.replied(db, leader, staff, reply="内部答复：请勿公开的处理细节。", public=False)
    from feedback.mailbox import service
    from feedback.mailbox.models import Satisfaction

    service.rate_letter(
        db, number=made.number, code=made.code, satisfaction=Satisfaction.unsatisfied
    )
    db.flush()
    second = client.post(
        f"/api/v1/staff/letters/{made.number}/reply",
        json={"body": "您好，路灯已经全部更换。", "public": True},
        headers=tokens["staff"],
    )
    assert second.status_code == 200
    assert (
        client.post(
            f"/api/v1/staff/letters/{made.number}/publish", headers=tokens["leader"]
        ).status_code
        == 200
    )

    text = client.get("/api/v1/letters").text

    assert "请勿公开" not in text
    assert "路灯已经全部更换" in text


def test_paging_and_per_page_limit(client: TestClient, db: Session, leader, staff) -> None:
    made = [letters.published(db, leader, staff) for _ in range(3)]

    pages = [_public(client, page=n, per_page=2) for n in (1, 2)]

    assert [len(p["items"]) for p in pages] == [2, 1]
    assert {p["total"] for p in pages} == {3}
    assert {i["number"] for p in pages for i in p["items"]} == {m.number for m in made}
    assert len(_public(client, per_page=100)["items"]) == 3


@pytest.mark.parametrize("params", [{"per_page": 101}, {"per_page": 0}, {"page": 0}, {"page": "x"}])
def test_bad_paging_is_422(client: TestClient, params: dict) -> None:
    response = client.get("/api/v1/letters", params=params)

    assert response.status_code == 422
    assert [e["loc"][-1] for e in response.json()["detail"]] == list(params)


def test_category_filter(client: TestClient, db: Session, leader, staff) -> None:
    help_letter = letters.published(db, leader, staff, category="help")
    letters.published(db, leader, staff, category="complaint")

    body = _public(client, category="help")

    assert [i["number"] for i in body["items"]] == [help_letter.number]
