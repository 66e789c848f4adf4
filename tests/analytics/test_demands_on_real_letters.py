"""On 2,816 real letters (../shared/data): a planted group of paraphrased letters comes out as one
hot issue and as one another's similar letters; no letter is in two issues; the same letters give
the same issues; search finds the planted letters by place and problem."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from analytics.refresh import refresh
from engagement.audit import Actor
from engagement.models import Department, User
from feedback.mailbox import importer
from tests.conftest import bearer
from tests.feedback import factories
from tests.realdata import write_import_csv

# Six writers, one estate's problem, each in their own words (not in the real letters).
PLANTED = [
    (
        "投诉翠湖湾小区垃圾站臭气",
        "翠湖湾小区北门的垃圾中转站夏天臭气熏天，苍蝇成群，居民不敢开窗。",
    ),
    ("翠湖湾垃圾站选址不合理", "垃圾站离翠湖湾住宅楼不到二十米，恶臭扰民，请求另行选址。"),
    ("请求搬迁翠湖湾旁垃圾中转站", "翠湖湾业主强烈要求把小区旁的垃圾中转站搬走，气味太难闻了。"),
    ("翠湖湾垃圾站污水横流", "翠湖湾北侧垃圾站渗滤液流到路面，又脏又臭，孩子上学都要绕道。"),
    ("再次反映翠湖湾垃圾站臭味", "上次反映后翠湖湾垃圾站臭味依旧，每天清晨垃圾车作业噪音也大。"),
    ("翠湖湾居民被垃圾站困扰", "我们翠湖湾的居民长期被垃圾中转站的臭气困扰，希望尽快整改。"),
]
_phones = (f"136{n:08d}" for n in itertools.count(30_000_000))


@pytest.fixture
def real(db: Session, housing: Department, leader: User, tmp_path: Path) -> list[str]:
    path = tmp_path / "real.csv"
    write_import_csv(path, "housing")
    report = importer.import_letters(db, path, actor=Actor(leader))
    assert report.imported == 2816
    planted = [
        factories.letter(db, subject=s, body=b, phone=next(_phones)).number for s, b in PLANTED
    ]
    refresh(db)
    db.flush()
    return planted


def _issues(client: TestClient, headers: dict[str, str]) -> dict[int, set[str]]:
    out, page = {}, 1
    while True:
        body = client.get(
            "/api/v1/analytics/hot-issues", params={"page": page, "per_page": 100}, headers=headers
        ).json()
        for item in body["items"]:
            detail = client.get(f"/api/v1/analytics/hot-issues/{item['id']}", headers=headers)
            out[item["id"]] = {x["number"] for x in detail.json()["letters"]}
        if page * 100 >= body["total"]:
            return out
        page += 1


def test_a_planted_group_is_one_issue_each_others_similar_letters_and_found_by_search(
    client: TestClient, db: Session, real: list[str]
) -> None:
    lead = bearer(client, "leader1")
    issues = _issues(client, lead)
    assert set(real) in issues.values()
    members = [n for letters in issues.values() for n in letters]
    assert len(members) == len(set(members))  # no letter in two issues
    assert len(issues) > 50  # the real letters have their own groups too
    refresh(db)
    assert _issues(client, lead) == issues  # the same letters, the same issues, the same ids

    # One import and refresh serve both halves: they take most of this test's time.
    for number in real:
        items = client.get(f"/api/v1/staff/letters/{number}/similar", headers=lead).json()
        top = {x["number"] for x in items["items"][:5]}
        assert len(top & set(real)) >= 4, (number, items)
    found = client.get(
        "/api/v1/staff/letters", params={"q": "翠湖湾 垃圾站", "per_page": 10}, headers=lead
    ).json()
    assert {x["number"] for x in found["items"][:6]} == set(real)
