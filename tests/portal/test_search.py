"""/search over everything public, and /mailbox/similar while a letter is being written.

Only what was reviewed and published is ever found: replied letters whose writer consented and
a leader approved, published consultations, approved comments, published surveys.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from engagement.audit import Actor
from engagement.models import Department, User
from feedback.mailbox import service
from feedback.mailbox.models import Category
from tests import factories
from tests.analytics.helpers import PHONE, WRITER
from tests.conftest import bearer
from tests.portal import content

HX = {"HX-Request": "true"}
REPLY = "经核实，已责成热力公司加快老城区供热管网改造，预计十月底完工。"


@dataclass
class Public:
    published: str  # letter numbers
    elsewhere: str
    no_consent: str
    not_approved: str
    consultation: int


@pytest.fixture
def public(
    client: TestClient, db: Session, housing: Department, leader: User, staff: User
) -> Public:
    water = factories.department(slug="water", name="县水利局")
    factories.user(username="waterstaff", role="staff", department=water)
    lead, own, other = (
        bearer(client, "leader1"),
        bearer(client, "staff1"),
        bearer(client, "waterstaff"),
    )
    body = f"我是{WRITER}，电话{PHONE}，想了解老城区供热管网改造什么时候完工。"
    published = content.letter(client, lead, own, "housing", "供热管网改造进度", body, REPLY)
    elsewhere = content.letter(
        client,
        lead,
        other,
        "water",
        "河道旁管线施工",
        "河道旁一直在施工，请问是什么工程？",
        "该工程由热力公司实施，属于供热管线迁改。",
    )
    no_consent = content.letter(
        client,
        lead,
        own,
        "housing",
        "暖气片漏水",
        "家里暖气片漏水，找谁维修？",
        REPLY,
        consent=False,
    )
    not_approved = content.letter(
        client,
        lead,
        own,
        "housing",
        "锅炉房噪音",
        "小区锅炉房噪音很大，晚上睡不着。",
        REPLY,
        publish=False,
    )
    cid = content.consultation(client, own, "城区停车收费标准调整征求意见")
    content.comment(
        client,
        own,
        cid,
        "建议多建立体车库，缓解停车难。",
        "approve",
        name="李四光",
        contact="13900001111",
    )
    content.comment(client, own, cid, "建议增设共享单车停放点。", "reject")
    content.comment(client, own, cid, "建议小区配建充电桩车位。", None)
    return Public(
        published["number"], elsewhere["number"], no_consent["number"], not_approved["number"], cid
    )


def results(html: str) -> list[str]:
    """The titles of the hits, without the highlighting."""
    items = re.findall(r"<h2><a href=\"[^\"]+\">(.*?)</a></h2>", html, re.S)
    return [re.sub(r"</?mark>", "", t) for t in items]


def count(html: str) -> int:
    match = re.search(r"<p>(\d+) results?</p>", html)
    assert match, "no result count"
    return int(match.group(1))


def search(client: TestClient, **params: str) -> str:
    response = client.get("/search", params={"lang": "en", **params})
    assert response.status_code == 200, response.text
    return response.text


def test_a_published_reply_is_found_by_a_word_it_contains(
    client: TestClient, public: Public
) -> None:
    html = search(client, q="热力公司")

    assert count(html) == 2
    assert sorted(results(html)) == ["供热管网改造进度", "河道旁管线施工"]
    assert "<mark>热力</mark>" in html  # the words are highlighted
    link = re.search(r'<a href="(/mailbox/letters/\d+)">', html)
    assert link
    letter = client.get(link.group(1))
    assert letter.status_code == 200 and "热力公司" in letter.text


def test_unpublished_letters_are_never_found(client: TestClient, public: Public) -> None:
    for q in ("热力公司", "暖气片", "锅炉房", "漏水", "噪音"):
        html = search(client, q=q)
        found = results(html)
        assert "暖气片漏水" not in found, q  # no consent
        assert "锅炉房噪音" not in found, q  # not approved by a leader
        assert "暖气片漏水" not in html and "锅炉房噪音" not in html, q


def test_only_approved_comments_are_found(client: TestClient, public: Public) -> None:
    approved = search(client, q="立体车库", kind="comment")
    rejected = search(client, q="共享单车")
    pending = search(client, q="充电桩")

    assert count(approved) == 1
    assert results(approved) == ["城区停车收费标准调整征求意见"]
    assert "缓解停车难" in approved
    assert count(rejected) == 0 and "共享单车停放点" not in rejected
    assert count(pending) == 0 and "充电桩车位" not in pending


def results_part(html: str) -> str:
    """The results, without the search box (which repeats the query)."""
    return html.split('<div id="results"', 1)[1]


def test_the_writers_name_and_phone_never_show(client: TestClient, public: Public) -> None:
    pages = [results_part(search(client, q=q)) for q in ("供热管网", "立体车库", WRITER, "李四光")]

    for html in pages:
        assert WRITER not in html
        assert PHONE not in html and "13900001111" not in html
        assert "李四光" not in html
    assert count(pages[2]) == 0  # searching for the writer's name finds nothing
    assert "138****5678" in pages[0]  # the phone number, masked


def test_a_self_introduced_four_character_name_is_masked_whole(
    client: TestClient, public: Public
) -> None:
    bodies = [x["body"] for x in client.get("/api/v1/letters").json()["items"]]
    snippet = results_part(search(client, q="供热管网"))

    mine = next(b for b in bodies if "供热管网" in b)
    assert mine.startswith(f"我是{WRITER[0]}***，电话")  # as mask_name writes it
    assert f"{WRITER[-1]}，电话" not in snippet  # today: "…*远，电话138****5678…"


def test_kind_filter(client: TestClient, public: Public) -> None:
    everything = search(client, q="停车")
    comments = search(client, q="停车", kind="comment")
    consultations = search(client, q="停车", kind="consultation")
    letters = search(client, q="停车", kind="letter")

    assert count(everything) == 2
    assert count(comments) == 1 and "立体车库" in comments
    assert count(consultations) == 1 and f'href="/consultations/{public.consultation}"' in (
        consultations
    )
    assert count(letters) == 0


def test_department_filter(client: TestClient, public: Public) -> None:
    housing = search(client, q="热力公司", department="housing")
    water = search(client, q="热力公司", department="water")

    assert results(housing) == ["供热管网改造进度"]
    assert results(water) == ["河道旁管线施工"]


@pytest.fixture
def many_letters(db: Session, housing: Department, leader: User, staff: User) -> list[str]:
    """Twelve published letters on the same matter, through the mailbox's own service."""
    numbers = []
    for i in range(12):
        sent = service.submit_letter(
            db,
            service.NewLetter(
                Category.consultation,
                f"公积金提取第{i + 1}问",
                "请问住房公积金提取需要哪些材料？",
                "赵六",
                PHONE,
                publish_consent=True,
            ),
        )
        service.assign_letter(db, Actor(leader), number=sent.number, department="housing")
        service.reply_letter(
            db, Actor(staff), number=sent.number, body="提取住房公积金需携带身份证。"
        )
        service.publish_letter(db, Actor(leader), number=sent.number)
        numbers.append(sent.number)
    db.flush()
    return numbers


def test_results_are_paged(client: TestClient, many_letters: list[str]) -> None:
    first = search(client, q="公积金")
    second = search(client, q="公积金", page="2")

    assert count(first) == 12 and count(second) == 12
    assert len(results(first)) == 10
    assert len(results(second)) == 2
    assert set(results(first)).isdisjoint(results(second))
    assert len(set(results(first)) | set(results(second))) == 12


def test_htmx_gets_only_the_results(client: TestClient, public: Public) -> None:
    fragment = client.get("/search", params={"q": "热力公司", "lang": "en"}, headers=HX)
    page = client.get("/search", params={"q": "热力公司", "lang": "en"})

    assert fragment.status_code == 200
    assert "<html" not in fragment.text
    assert 'role="search"' not in fragment.text  # not the form
    assert sorted(results(fragment.text)) == ["供热管网改造进度", "河道旁管线施工"]
    assert "<html" in page.text and 'role="search"' in page.text


def test_an_empty_query_shows_no_results(client: TestClient, public: Public) -> None:
    html = search(client, q="")

    assert results(html) == []
    assert 'role="search"' in html


def test_similar_letters_are_at_most_five(
    client: TestClient, many_letters: list[str], public: Public
) -> None:
    similar = client.get("/mailbox/similar", params={"subject": "住房公积金提取"})
    unrelated = client.get("/mailbox/similar", params={"subject": "锅炉房噪音"})

    assert similar.status_code == 200
    links = re.findall(r'<a href="(/mailbox/letters/\d+)"', similar.text)
    assert len(links) == 5
    assert {link.rsplit("/", 1)[1] for link in links} <= set(many_letters)
    assert "<html" not in similar.text
    assert "mailbox/letters" not in unrelated.text  # that letter is not published


def test_a_natural_question_finds_the_answers(client: TestClient, many_letters: list[str]) -> None:
    assert count(search(client, q="住房公积金提取")) == 12
    assert count(search(client, q="住房公积金怎么提取")) == 12


def test_similar_letters_for_a_natural_question(
    client: TestClient, many_letters: list[str]
) -> None:
    similar = client.get("/mailbox/similar", params={"subject": "住房公积金怎么提取"})

    assert len(re.findall(r'<a href="(/mailbox/letters/\d+)"', similar.text)) == 5


@pytest.fixture
def named_places(
    client: TestClient, db: Session, housing: Department, leader: User, staff: User
) -> None:
    """Published letters naming an estate behind a district code, and a loan platform."""
    lead, own = bearer(client, "leader1"), bearer(client, "staff1")
    for subject, body in [
        ("A2区丽发新城搅拌站噪音扰民", "A2区丽发新城旁的搅拌站夜间生产，噪音很大。"),
        ("丽发新城搅拌站粉尘", "丽发新城小区旁搅拌站粉尘污染，请求整治。"),
        ("58车贷案件进展", "58车贷平台的受害人想了解案件追赃进展。"),
        ("城东新城公交站", "城东新城的公交站没有站牌。"),
    ]:
        content.letter(client, lead, own, "housing", subject, body, REPLY)


def test_place_names_and_codes_are_searched_whole(client: TestClient, named_places: None) -> None:
    assert sorted(results(search(client, q="58车贷"))) == ["58车贷案件进展"]
    found = results(search(client, q="丽发新城 搅拌站 夜间 投诉"))
    assert found[:2] == ["A2区丽发新城搅拌站噪音扰民", "丽发新城搅拌站粉尘"]
    assert "城东新城公交站" not in found[:2]


def test_the_writers_hint_shows_each_subject_once_and_nothing_when_nothing_is_close(
    client: TestClient, db: Session, housing: Department, leader: User, staff: User
) -> None:
    for _ in range(3):
        sent = service.submit_letter(
            db,
            service.NewLetter(
                Category.consultation,
                "住房公积金提取材料",
                "请问提取住房公积金需要哪些材料？",
                "赵六",
                PHONE,
                publish_consent=True,
            ),
        )
        service.assign_letter(db, Actor(leader), number=sent.number, department="housing")
        service.reply_letter(db, Actor(staff), number=sent.number, body="需携带身份证。")
        service.publish_letter(db, Actor(leader), number=sent.number)
    db.flush()

    close = client.get("/mailbox/similar", params={"subject": "提取住房公积金要什么材料"})
    far = client.get("/mailbox/similar", params={"subject": "公积金贷款利率调整"})
    unrelated = client.get("/mailbox/similar", params={"subject": "小区路灯不亮"})

    assert len(re.findall(r'<a href="/mailbox/letters/\d+"', close.text)) == 1
    assert "mailbox/letters" not in far.text  # one shared word is not close
    assert "mailbox/letters" not in unrelated.text


@pytest.mark.parametrize(
    ("published_utc", "local_day"),
    [
        ("2026-11-29T15:30:00+00:00", "2026-11-29"),  # 23:30 in Shanghai: still the 29th
        ("2026-11-29T17:00:00+00:00", "2026-11-30"),  # 01:00 in Shanghai: the 30th already
    ],
)
def test_a_results_date_says_what_it_is_in_the_sites_time_zone(
    client: TestClient,
    db: Session,
    housing: Department,
    leader: User,
    staff: User,
    monkeypatch: pytest.MonkeyPatch,
    published_utc: str,
    local_day: str,
) -> None:
    from datetime import datetime

    moment = datetime.fromisoformat(published_utc)
    monkeypatch.setattr(service, "utcnow", lambda: moment)
    sent = service.submit_letter(
        db,
        service.NewLetter(
            Category.consultation,
            "夜间公交末班车时间",
            "请问夜间公交末班车几点？",
            "赵六",
            PHONE,
            publish_consent=True,
        ),
    )
    service.assign_letter(db, Actor(leader), number=sent.number, department="housing")
    service.reply_letter(db, Actor(staff), number=sent.number, body="末班车为晚上十点半。")
    service.publish_letter(db, Actor(leader), number=sent.number)
    db.flush()

    html = client.get("/search", params={"q": "末班车"}).text

    # Named, and the day in Shanghai: a reader never takes it for another date.
    assert f'<time datetime="{local_day}">公开时间：{local_day}</time>' in html
