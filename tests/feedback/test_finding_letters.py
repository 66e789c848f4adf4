"""Finding letters: staff search by relevance, letters about the same issue, the writer's hint."""

from __future__ import annotations

import itertools

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from analytics.refresh import refresh
from engagement.audit import Actor
from engagement.models import Department, User
from feedback.mailbox import service
from tests.conftest import bearer
from tests.feedback import factories

_phones = (f"137{n:08d}" for n in itertools.count(20_000_000))

SAME_ISSUE = [
    ("丽发新城旁搅拌站噪音扰民", "丽发新城小区南边的搅拌站每天夜里还在生产，噪音大，粉尘多。"),
    ("投诉丽发新城附近搅拌站", "搅拌站紧挨丽发新城，罐车日夜进出，噪音和粉尘影响业主生活。"),
    ("丽发新城搅拌站夜间施工", "丽发新城业主反映：旁边搅拌站夜间作业，噪音扰民，灰尘落满阳台。"),
]
# Each shares one ordinary word with the letters above, and nothing else that matters.
ONE_WORD_ALIKE = [
    ("长期停水", "幸福小区长期停水，居民生活不便。"),
    ("夜间路灯不亮", "滨河路路灯夜间不亮，行人摔倒。"),
    ("小区噪音", "广场舞音响声音太大，每天晚上九点后还在跳。"),
]
CODES = [
    ("58车贷案件进展", "58车贷平台爆雷后，受害人想了解58车贷案件的追赃进展。"),
    ("110kV变电站选址", "新建110kV变电站离住宅太近，担心辐射。"),
]


def _send(db: Session, texts: list[tuple[str, str]]) -> list[str]:
    return [factories.letter(db, subject=s, body=b, phone=next(_phones)).number for s, b in texts]


@pytest.fixture
def sent(db: Session) -> dict[str, list[str]]:
    return {
        "same": _send(db, SAME_ISSUE),
        "alike": _send(db, ONE_WORD_ALIKE),
        "codes": _send(db, CODES),
    }


def _queue(client: TestClient, headers: dict[str, str], q: str) -> list[str]:
    response = client.get("/api/v1/staff/letters", params={"q": q}, headers=headers)
    assert response.status_code == 200, response.text
    return [x["number"] for x in response.json()["items"]]


def _similar(client: TestClient, headers: dict[str, str], number: str, **params: str) -> list[dict]:
    response = client.get(f"/api/v1/staff/letters/{number}/similar", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def test_search_finds_letters_with_most_of_the_words_best_first(
    client: TestClient, leader: User, sent: dict[str, list[str]]
) -> None:
    lead = bearer(client, "leader1")
    # No letter says all four words; those that say most of them come first, and a letter
    # that shares one ordinary word (噪音) comes after them or not at all.
    found = _queue(client, lead, "丽发新城 搅拌站 噪音 投诉")
    assert set(found[:3]) == set(sent["same"])
    assert _queue(client, lead, "丽发新城") and set(_queue(client, lead, "丽发新城")) == set(
        sent["same"]
    )


def test_search_keeps_codes_glued_to_words(
    client: TestClient, leader: User, sent: dict[str, list[str]]
) -> None:
    lead = bearer(client, "leader1")
    assert _queue(client, lead, "58车贷") == [sent["codes"][0]]
    assert _queue(client, lead, "110kV") == [sent["codes"][1]]


def test_a_letter_number_finds_its_letter(
    client: TestClient, leader: User, sent: dict[str, list[str]]
) -> None:
    assert _queue(client, bearer(client, "leader1"), sent["alike"][0]) == [sent["alike"][0]]


def test_similar_letters_are_about_the_same_issue_not_one_shared_word(
    client: TestClient, db: Session, leader: User, sent: dict[str, list[str]]
) -> None:
    refresh(db)  # word weights and learned names
    lead = bearer(client, "leader1")
    items = _similar(client, lead, sent["same"][0])
    numbers = [x["number"] for x in items]
    assert set(numbers) == set(sent["same"][1:])
    scores = [x["score"] for x in items]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)
    assert not _similar(client, lead, sent["alike"][0])


def test_staff_see_only_their_units_similar_letters(
    client: TestClient,
    db: Session,
    leader: User,
    staff: User,
    housing: Department,
    sent: dict[str, list[str]],
) -> None:
    water = Department(slug="water", name="县水利局")
    db.add(water)
    db.flush()
    for number, unit in zip(sent["same"], ["housing", "housing", "water"], strict=True):
        service.assign_letter(db, Actor(leader), number=number, department=unit)
    db.flush()
    own = bearer(client, "staff1")
    assert [x["number"] for x in _similar(client, own, sent["same"][0])] == [sent["same"][1]]
    response = client.get(f"/api/v1/staff/letters/{sent['same'][2]}/similar", headers=own)
    assert response.status_code == 403
    assert client.get(f"/api/v1/staff/letters/{sent['same'][0]}/similar").status_code == 401


def test_the_days_filter_keeps_only_recent_letters(
    client: TestClient, db: Session, leader: User, sent: dict[str, list[str]]
) -> None:
    from tests.analytics.helpers import backdate, local

    old = backdate(db, sent["same"][1], local(2020, 1, 6))
    lead = bearer(client, "leader1")
    everything = {x["number"] for x in _similar(client, lead, sent["same"][0])}
    recent = {x["number"] for x in _similar(client, lead, sent["same"][0], days="30")}
    assert old.number in everything and old.number not in recent
