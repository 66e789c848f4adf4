"""Hot issues: planted groups of paraphrased letters come out whole, and only they do."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from analytics.hot_issues import hottest, list_issues
from analytics.models import HotIssue
from analytics.refresh import refresh
from engagement.models import Department, User
from tests.analytics.helpers import act, backdate, local
from tests.conftest import bearer
from tests.feedback import factories as letters

API = "/api/v1/analytics/hot-issues"
_phones = (f"139{n:08d}" for n in itertools.count(10_000_000))

# One problem at one place, told by different writers in their own words.
MIXING_PLANT = [
    (
        "丽发新城旁搅拌站噪音扰民",
        "丽发新城小区南边的搅拌站每天夜里还在生产，噪音大，粉尘多，居民无法休息。",
    ),
    (
        "投诉丽发新城附近搅拌站",
        "搅拌站紧挨丽发新城，罐车日夜进出，噪音和粉尘严重影响丽发新城业主生活。",
    ),
    ("丽发新城搅拌站夜间施工", "丽发新城业主反映：旁边搅拌站夜间作业，噪音扰民，灰尘落满阳台。"),
    (
        "请求搬迁丽发新城边的搅拌站",
        "丽发新城小区旁搅拌站粉尘污染、噪音扰民，请求相关部门督促搅拌站搬迁。",
    ),
    (
        "丽发新城居民受搅拌站困扰",
        "我们丽发新城居民长期受搅拌站噪音和粉尘困扰，晚上罐车轰鸣，孩子睡不好。",
    ),
    ("再次反映丽发新城搅拌站扰民", "丽发新城旁的搅拌站依旧夜间生产，噪音粉尘问题没有解决。"),
]
# The same kind of problem at another estate: another issue.
OTHER_ESTATE = [
    (
        "景蓉华苑旁搅拌站噪音",
        "景蓉华苑小区东侧搅拌站夜间生产，噪音很大，粉尘飘进景蓉华苑住户家中。",
    ),
    ("投诉景蓉华苑附近搅拌站", "景蓉华苑业主反映，旁边搅拌站罐车进出，噪音扰民，粉尘严重。"),
    ("景蓉华苑搅拌站扰民", "景蓉华苑居民被搅拌站的噪音和粉尘困扰，请求整治景蓉华苑旁的搅拌站。"),
]
# Letters about unrelated things, each once.
BACKGROUND = [
    ("咨询居住证办理", "请问办理居住证需要哪些材料，在哪个窗口办理，多久能拿到？"),
    ("供暖不热", "东方花园小区今年供暖温度只有十五度，老人孩子都冻感冒了。"),
    ("学校门口增设减速带", "实验小学门口车速很快，建议增设减速带和斑马线，保护学生安全。"),
    ("公交班次太少", "城东到县医院的公交班次太少，一小时才一班，看病很不方便。"),
    ("医保报销咨询", "异地就医的医保报销需要办理什么备案手续？"),
    ("烧烤油烟扰民", "人民路夜市烧烤店油烟直排，楼上住户无法开窗。"),
    ("农民工工资拖欠", "某建筑公司拖欠农民工工资三个月，工友们过年回不了家。"),
    ("路灯不亮", "滨河路的路灯坏了两个月，晚上散步很危险。"),
    ("养犬管理", "小区里有人遛狗不拴绳，吓到了孩子，希望加强养犬管理。"),
    ("停水通知", "为什么停水不提前通知？我们家做饭都成问题。"),
]


def _send(db: Session, texts: list[tuple[str, str]]) -> list[str]:
    return [
        letters.letter(db, subject=s, body=b, phone=next(_phones), name="李明").number
        for s, b in texts
    ]


@pytest.fixture
def planted(db: Session) -> dict[str, list[str]]:
    sent = {
        "plant": _send(db, MIXING_PLANT),
        "other": _send(db, OTHER_ESTATE),
        "background": _send(db, BACKGROUND),
    }
    refresh(db)
    db.flush()
    return sent


def _issues(client: TestClient, headers: dict[str, str], **params: str) -> list[dict]:
    response = client.get(API, params={"per_page": "100", **params}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["items"]


def _members(client: TestClient, headers: dict[str, str], issue_id: int) -> set[str]:
    response = client.get(f"{API}/{issue_id}", headers=headers)
    assert response.status_code == 200, response.text
    return {x["number"] for x in response.json()["letters"]}


def test_a_planted_group_is_one_issue_and_another_place_is_another(
    client: TestClient, leader: User, planted: dict[str, list[str]]
) -> None:
    lead = bearer(client, "leader1")
    groups = [_members(client, lead, i["id"]) for i in _issues(client, lead)]
    plant = set(planted["plant"])
    assert plant in groups, groups
    assert not any(g & set(planted["other"]) and g & plant for g in groups)
    assert not any(g & set(planted["background"]) for g in groups)
    top = _issues(client, lead)[0]
    assert top["letters"] == len(MIXING_PLANT) and top["writers"] == len(MIXING_PLANT)
    assert "丽发新城" in top["title"] + "".join(top["places"])
    assert "搅拌站" in top["keywords"]


def test_no_letter_is_in_two_issues_and_the_same_letters_give_the_same_issues(
    client: TestClient, db: Session, leader: User, planted: dict[str, list[str]]
) -> None:
    lead = bearer(client, "leader1")
    first = {i["id"]: _members(client, lead, i["id"]) for i in _issues(client, lead)}
    everyone = [n for members in first.values() for n in members]
    assert len(everyone) == len(set(everyone))
    refresh(db)
    again = {i["id"]: _members(client, lead, i["id"]) for i in _issues(client, lead)}
    assert again == first


def test_a_new_letter_joins_its_issue_at_the_next_refresh(
    client: TestClient, db: Session, leader: User, planted: dict[str, list[str]]
) -> None:
    lead = bearer(client, "leader1")
    before = _issues(client, lead)[0]
    late = _send(
        db, [("丽发新城搅拌站又在半夜生产", "丽发新城边上的搅拌站昨晚又生产到凌晨，噪音粉尘扰民。")]
    )
    assert late[0] not in _members(client, lead, before["id"])
    refresh(db)
    after = _issues(client, lead)[0]
    assert after["id"] == before["id"]
    assert late[0] in _members(client, lead, after["id"])
    assert after["letters"] == before["letters"] + 1


def test_staff_see_only_their_units_letters_of_an_issue(
    client: TestClient,
    db: Session,
    leader: User,
    staff: User,
    housing: Department,
    water_staff: User,
    planted: dict[str, list[str]],
) -> None:
    lead = bearer(client, "leader1")
    for i, number in enumerate(planted["plant"]):
        act(client, lead, number, "assign", department="housing" if i < 4 else "water")
    issue = _issues(client, lead)[0]
    water = bearer(client, "waterstaff")
    mine = _issues(client, water)
    assert [i["id"] for i in mine] == [issue["id"]]
    assert mine[0]["letters"] == 2
    assert _members(client, water, issue["id"]) == set(planted["plant"][4:])
    assert client.get(API, params={"department": "housing"}, headers=water).status_code == 403
    assert client.get(API).status_code == 401


def test_a_period_counts_only_its_own_letters(
    client: TestClient, db: Session, leader: User, planted: dict[str, list[str]]
) -> None:
    start = local(2025, 3, 1)
    for i, number in enumerate(planted["plant"]):
        backdate(db, number, start + timedelta(days=i * 3))
    refresh(db)
    lead = bearer(client, "leader1")
    march = _issues(client, lead, **{"from": "2025-03-01", "to": "2025-03-09"})
    assert [i["letters"] for i in march] == [3]
    assert march[0]["first_at"].startswith("2025-03-01")
    assert _issues(client, lead, **{"from": "2024-01-01", "to": "2024-12-31"}) == []


def test_the_dashboard_and_briefing_lead_with_hot_issues_that_open(
    client: TestClient, leader: User, planted: dict[str, list[str]]
) -> None:
    from tests.conftest import login

    login(client, "leader1")
    for page in ("/dashboard", "/dashboard/briefing"):
        html = client.get(page).text
        assert "热点问题" in html and "丽发新城" in html
        assert html.index("热点问题") < html.index("热词" if page == "/dashboard" else "主要诉求")
    issue = _issues(client, bearer(client, "leader1"))[0]
    page = client.get(f"/dashboard/hot-issues/{issue['id']}")
    assert page.status_code == 200
    assert all(number in page.text for number in planted["plant"])
    assert "Hot issues" in client.get("/dashboard?lang=en").text


def test_a_clerk_cannot_open_another_units_issue(
    client: TestClient, db: Session, leader: User, staff: User, planted: dict[str, list[str]]
) -> None:
    from tests.conftest import login

    issue = _issues(client, bearer(client, "leader1"))[0]
    login(client, "staff1")  # housing has none of these letters
    assert client.get(f"/dashboard/hot-issues/{issue['id']}").status_code == 404
    assert client.get(f"{API}/{issue['id']}", headers=bearer(client, "staff1")).status_code == 404


def test_the_dashboard_loads_only_the_issues_it_shows(
    db: Session, planted: dict[str, list[str]]
) -> None:
    """A year's dashboard holds hundreds of issues and shows ten: ranking needs no issue
    loaded, so only those shown are (issue #15: server time before the first chart)."""
    every = list_issues(db)
    assert len(every) >= 2
    db.expunge_all()  # so that each issue the query returns is loaded anew
    loaded: list[int] = []

    def count(target: HotIssue, _context: object) -> None:
        loaded.append(target.id)

    event.listen(HotIssue, "load", count)
    try:
        top, total = hottest(db, limit=1)
    finally:
        event.remove(HotIssue, "load", count)

    assert total == len(every)
    assert [(i.issue.id, i.letters, i.heat) for i in top] == [
        (every[0].issue.id, every[0].letters, every[0].heat)
    ]
    assert [d.id for d in top[0].departments] == [d.id for d in every[0].departments]
    assert loaded == [top[0].issue.id]
