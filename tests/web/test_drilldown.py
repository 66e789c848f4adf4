"""The dashboard's figures link to the letters behind them; staff never see another unit's."""

from __future__ import annotations

from engagement.audit import Actor
from feedback.mailbox import service
from feedback.mailbox.models import Category
from tests import factories
from tests.conftest import login


def letter(db, subject: str, unit, category: Category = Category.complaint) -> str:
    submitted = service.submit_letter(
        db,
        service.NewLetter(
            category=category,
            subject=subject,
            body="这是一封用于测试下钻链接的来信内容。",
            name="张三",
            phone="13812345678",
        ),
    )
    admin = factories.user(role="admin")
    service.assign_letter(db, Actor(admin), number=submitted.number, department=unit.slug)
    return submitted.number


def test_a_leader_drills_down_to_one_units_letters(client, db, leader, housing):
    transport = factories.department(slug="transport", name="县交通运输局")
    mine = letter(db, "供暖不达标", housing)
    other = letter(db, "公交班次太少", transport)
    login(client, leader.username)
    page = client.get("/staff/letters?department=housing").text
    assert mine in page and other not in page
    by_kind = client.get("/staff/letters?category=complaint&department=transport").text
    assert other in by_kind and mine not in by_kind


def test_staff_never_see_another_units_letters_through_a_drill_down(client, db, staff, housing):
    transport = factories.department(slug="transport", name="县交通运输局")
    other = letter(db, "公交班次太少", transport)
    mine = letter(db, "供暖不达标", housing)
    login(client, staff.username)
    page = client.get("/staff/letters?department=transport").text
    assert other not in page and mine not in page
    assert mine in client.get("/staff/letters").text
