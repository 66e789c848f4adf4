"""The unit suggestion (智能分拨): what a leader sees before and after the suggester learned."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from analytics import suggester
from analytics.models import SuggesterModel
from engagement.models import Department, User
from feedback.mailbox.models import Status
from tests import factories
from tests.conftest import bearer, login
from tests.feedback import factories as letters

PLACES = ["幸福路", "解放大道", "人民路", "滨河路", "建设街", "东门桥", "新华小区", "城南市场"]
STREET = [
    ("路灯不亮", "{place}的路灯已经坏了{n}天，晚上一片漆黑，行人和电动车都很危险，请尽快维修。"),
    ("道路坑洼", "{place}的道路坑坑洼洼，下雨天积水很深，车辆经过溅得到处都是，希望修补路面。"),
    ("井盖缺失", "{place}人行道上的井盖缺失{n}天了，老人孩子走路容易掉下去，请派人处理。"),
    ("路灯忽明忽暗", "{place}一排路灯晚上忽明忽暗，有的白天还亮着，浪费电，请检修线路。"),
]
SCHOOL = [
    ("教师有偿补课", "{place}附近学校的教师周末组织学生有偿补课，每次收费{n}十元，家长负担很重。"),
    ("学校食堂卫生", "{place}中学的学校食堂饭菜卫生差，学生反映吃了肚子疼，请教育部门检查。"),
    ("入学学位紧张", "孩子今年上小学，{place}片区学校学位不够，请问教育局怎么安排入学？"),
    ("教师工资拖欠", "{place}乡村学校的代课教师工资拖欠了{n}个月，教师生活困难，请协调解决。"),
]
BUSES = [("公交班次太少", "{place}到县城的公交车班次太少，早上等车要{n}十分钟，建议增开班次。")]
CLINICS = [("医院挂号难", "县医院挂号排队要{n}个小时，{place}的老人看病很不方便，建议增加窗口。")]


def _texts(topics: list[tuple[str, str]], count: int) -> Iterator[tuple[str, str]]:
    """`count` different letters about the same topics: places and numbers vary."""
    combos = itertools.product(range(1, 10), PLACES, topics)
    for _, (n, place, (subject, body)) in zip(range(count), combos, strict=False):
        yield f"{place}{subject}", body.format(place=place, n=n)


@pytest.fixture
def units(db: Session) -> dict[str, Department]:
    names = {
        "urban": "县城市管理局",
        "education": "县教育局",
        "transport": "县交通运输局",
        "health": "县卫生健康局",
    }
    return {slug: factories.department(slug=slug, name=name) for slug, name in names.items()}


@pytest.fixture
def history(db: Session, units: dict[str, Department], admin: User) -> None:
    """Handled letters: street lights go to urban management, schools to education."""
    plan = [
        ("urban", STREET, 36, "complaint"),
        ("education", SCHOOL, 36, "consultation"),
        ("transport", BUSES, 8, "suggestion"),
        ("health", CLINICS, 8, "help"),
    ]
    for slug, topics, count, category in plan:
        for subject, body in _texts(topics, count):
            letters.replied(
                db, admin, admin, unit=slug, subject=subject, body=body, category=category
            )
    rare = factories.department(slug="archives", name="县档案馆")
    for subject, body in _texts(STREET, 3):  # too few letters to be offered
        letters.replied(db, admin, admin, unit=rare.slug, subject=subject, body=body)


@pytest.fixture(autouse=True)
def fresh_model() -> Iterator[None]:
    """Each test's database is rolled back: no model may outlive it in this process."""
    suggester.forget()
    yield
    suggester.forget()


@pytest.fixture
def leader_token(client: TestClient, leader: User) -> dict[str, str]:
    return bearer(client, leader.username)


def _suggestions(client: TestClient, number: str, headers: dict[str, str]) -> dict:
    response = client.get(f"/api/v1/staff/letters/{number}/suggestions", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def _street_light(db: Session) -> str:
    return letters.letter(
        db,
        subject="小区门口路灯坏了",
        body="我家楼下的路灯坏了一个星期，晚上回家很黑，请尽快修好。",
    ).number


def test_before_anything_was_learned_there_are_no_suggestions(
    db: Session, client: TestClient, leader_token: dict[str, str], history: None
) -> None:
    number = _street_light(db)
    assert _suggestions(client, number, leader_token) == {"departments": [], "category": None}


def test_a_street_light_letter_goes_first_to_the_unit_that_handles_street_lights(
    db: Session, client: TestClient, leader_token: dict[str, str], history: None
) -> None:
    summary = suggester.learn(db)
    assert "letters" in summary and "units" in summary

    found = _suggestions(client, _street_light(db), leader_token)
    units = found["departments"]
    assert units[0]["department"] == {"slug": "urban", "name": "县城市管理局"}
    assert units[0]["score"] > max(u["score"] for u in units[1:])
    assert 1 <= len(units) <= 3
    scores = [u["score"] for u in units]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    assert "archives" not in {u["department"]["slug"] for u in units}
    assert found["category"]["value"] == "complaint" and 0 <= found["category"]["score"] <= 1

    school = letters.letter(
        db,
        subject="学校老师收补课费",
        body="我孩子学校的老师让学生周末去他家补课，每次收费，请教育局管一管。",
    )
    assert (
        _suggestions(client, school.number, leader_token)["departments"][0]["department"]["slug"]
        == "education"
    )


def test_every_unit_with_enough_letters_may_be_suggested_but_never_more_than_three(
    db: Session, client: TestClient, leader_token: dict[str, str], history: None
) -> None:
    suggester.learn(db)
    model = suggester.current_model(db)
    assert model is not None and len(model.units.labels) == 4  # not the archive's three letters
    number = letters.letter(
        db, subject="反映几个问题", body="路灯、学校、公交和医院的问题都想反映一下。"
    )
    assert len(_suggestions(client, number.number, leader_token)["departments"]) == 3


def test_an_inactive_unit_is_not_suggested(
    db: Session,
    client: TestClient,
    leader_token: dict[str, str],
    history: None,
    units: dict[str, Department],
) -> None:
    suggester.learn(db)
    units["urban"].active = False
    db.flush()
    found = _suggestions(client, _street_light(db), leader_token)
    assert "urban" not in {u["department"]["slug"] for u in found["departments"]}


def test_learning_twice_gives_the_same_suggestions_and_keeps_one_model(
    db: Session, client: TestClient, leader_token: dict[str, str], history: None
) -> None:
    number = _street_light(db)
    suggester.learn(db)
    first = _suggestions(client, number, leader_token)
    suggester.learn(db)
    assert _suggestions(client, number, leader_token) == first
    assert db.scalar(select(func.count()).select_from(SuggesterModel)) == 1


def test_the_model_is_loaded_once_per_process(
    db: Session, history: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    suggester.learn(db)
    loads: list[int] = []
    original = suggester.Model.from_bytes

    def counted(data: bytes) -> suggester.Model:
        loads.append(len(data))
        return original(data)

    monkeypatch.setattr(suggester.Model, "from_bytes", counted)
    letter = letters.stored(db, _street_light(db))
    for _ in range(3):
        assert suggester.suggest(db, letter).departments
    assert len(loads) == 1


def test_who_may_ask_for_suggestions(
    db: Session,
    client: TestClient,
    units: dict[str, Department],
    leader: User,
    admin: User,
    history: None,
) -> None:
    suggester.learn(db)
    urban_clerk = factories.user(username="clerk-urban", role="staff", department=units["urban"])
    school_clerk = factories.user(
        username="clerk-school", role="staff", department=units["education"]
    )
    new = _street_light(db)
    handled = letters.assigned(
        db, leader, unit="urban", subject="路灯坏了", body="路灯坏了很久了，请尽快修理一下。"
    )
    path = "/api/v1/staff/letters/{}/suggestions"

    assert client.get(path.format(new)).status_code == 401
    assert (
        client.get(path.format(new), headers={"Authorization": "Bearer nonsense"}).status_code
        == 401
    )
    for user, number, status in [
        (leader, new, 200),
        (admin, handled.number, 200),
        (urban_clerk, handled.number, 200),  # its own unit's letter
        (school_clerk, handled.number, 403),  # another unit's
        (urban_clerk, new, 403),  # not assigned yet: leaders only
        (leader, "20990101999999", 404),
    ]:
        response = client.get(path.format(number), headers=bearer(client, user.username))
        assert response.status_code == status, (user.username, number, response.text)


def test_the_letter_page_assigns_a_suggested_unit_in_one_step(
    db: Session, client: TestClient, leader: User, history: None
) -> None:
    suggester.learn(db)
    number = _street_light(db)
    browser = client
    login(browser, leader.username)

    page = browser.get(f"/staff/letters/{number}").text
    assert f'hx-get="/staff/letters/{number}/suggestions"' in page

    fragment = browser.get(f"/staff/letters/{number}/suggestions", headers={"HX-Request": "true"})
    assert fragment.status_code == 200
    assert "县城市管理局" in fragment.text and "<html" not in fragment.text
    form = re.search(
        rf'<form method="post" action="/staff/letters/{number}/assign".*?</form>',
        fragment.text,
        re.S,
    )
    assert form is not None and 'value="urban"' in form.group(0)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.group(0))
    assert token is not None

    posted = browser.post(
        f"/staff/letters/{number}/assign",
        data={"department": "urban", "csrf_token": token.group(1)},
        follow_redirects=False,
    )
    assert posted.status_code == 303
    letter = letters.stored(db, number)
    assert letter.status == Status.assigned and letter.department is not None
    assert letter.department.slug == "urban"


def test_the_fragment_says_plainly_when_nothing_was_learned(
    db: Session, client: TestClient, leader: User
) -> None:
    number = _street_light(db)
    login(client, leader.username)
    page = client.get(f"/staff/letters/{number}/suggestions?lang=en")
    assert page.status_code == 200
    assert "No suggestions yet" in page.text
    assert "/assign" not in page.text
