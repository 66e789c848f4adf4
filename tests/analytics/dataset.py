"""The known set of letters the figures tests share (see test_letter_figures.py's table)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from engagement.models import Department, User
from tests import factories
from tests.analytics.helpers import act, backdate, local, rate, submit
from tests.conftest import bearer

PERIOD = {"from": "2024-03-01", "to": "2024-04-30"}
EMPTY = {"from": "2023-01-01", "to": "2023-01-31"}
API = "/api/v1/analytics/letters"

TEXTS = {
    "L0a": ("complaint", "烧烤油烟", "楼下烧烤店油烟很大，影响开窗。"),
    "L0b": ("consultation", "咨询办事流程", "请问办理居住证需要哪些材料，在哪里办理？"),
    "L1": ("complaint", "供暖不热", "我家小区供暖不热，室温只有十度，希望尽快处理供暖问题。"),
    "L2": ("suggestion", "供暖收费", "供暖费用比去年高了很多，建议公开供暖收费标准。"),
    "L3": ("consultation", "咨询供暖时间", "今年什么时候开始供暖？"),
    "L4": ("help", "老人求助", "独居老人生活困难，请求社区帮助。"),
    "L5": ("report", "举报违建", "邻居在楼顶私搭乱建，存在安全隐患。"),
    "L6": ("complaint", "投诉噪音", "工地夜间施工噪音很大，影响休息。"),
    "L7": ("suggestion", "道路建议", "建议在学校门口增设减速带。"),
    "L9": ("help", "求助供水", "小区停水三天了，请求尽快恢复供水。"),
    "L10": ("complaint", "烧烤扰民", "夜市烧烤营业到凌晨，吵得睡不着。"),
}


@dataclass
class Dataset:
    housing: Department
    water: Department
    leader: User
    staff: User
    water_staff: User
    numbers: dict[str, str]  # the letters' public numbers after they were moved in time


@pytest.fixture
def water(db: Session) -> Department:
    return factories.department(slug="water", name="县水利局")


@pytest.fixture
def water_staff(db: Session, water: Department) -> User:
    return factories.user(username="waterstaff", role="staff", department=water)


@pytest.fixture
def dataset(
    client: TestClient,
    db: Session,
    housing: Department,
    water: Department,
    leader: User,
    staff: User,
    water_staff: User,
) -> Dataset:
    lead, own, other = (
        bearer(client, "leader1"),
        bearer(client, "staff1"),
        bearer(client, "waterstaff"),
    )
    sent = {
        key: submit(client, subject, body, category=category)
        for key, (category, subject, body) in TEXTS.items()
    }
    n = {key: letter["number"] for key, letter in sent.items()}
    reply = {"body": "已转交相关单位处理，请关注后续进展。", "public": True}

    for key in ("L1", "L2", "L3", "L4"):
        act(client, lead, n[key], "assign", department="housing")
    for key in ("L5", "L7"):
        act(client, lead, n[key], "assign", department="water")
    for key in ("L1", "L2", "L3"):
        act(client, own, n[key], "reply", **reply)
    act(client, other, n["L5"], "reply", **reply)
    act(client, other, n["L7"], "reject", reason="不属于本单位职责范围")
    rate(client, sent["L1"], "satisfied")
    rate(client, sent["L2"], "unsatisfied")
    act(client, own, n["L2"], "reply", body="再次核查后已按标准退还多收费用。", public=True)
    rate(client, sent["L2"], "satisfied")
    rate(client, sent["L3"], "unsatisfied")

    times = {
        "L0a": dict(submitted=local(2024, 2, 29, 23, 50)),
        "L0b": dict(submitted=local(2024, 3, 1, 0, 10)),
        "L1": dict(submitted=local(2024, 3, 5), reply_hours=20, on_time=True),
        "L2": dict(submitted=local(2024, 3, 20), reply_hours=50, on_time=False),
        "L7": dict(submitted=local(2024, 3, 25)),
        "L3": dict(submitted=local(2024, 4, 2), reply_hours=30, on_time=True),
        "L4": dict(submitted=local(2024, 4, 10), reply_due=local(2024, 4, 15)),
        "L5": dict(submitted=local(2024, 4, 20), reply_hours=100, on_time=True),
        "L6": dict(submitted=local(2024, 4, 25)),
        "L9": dict(submitted=local(2024, 4, 30, 23, 50)),
        "L10": dict(submitted=local(2024, 5, 1, 0, 10)),
    }
    numbers = {key: backdate(db, n[key], **kw).number for key, kw in times.items()}
    return Dataset(housing, water, leader, staff, water_staff, numbers)


HOUSING = {
    "department": {"slug": "housing", "name": "县住房和城乡建设局"},
    "total": 4,
    "replied": 3,
    "on_time": 2,
    "overdue": 1,
    "median_reply_hours": 30.0,
    "satisfaction_rate": pytest.approx(2 / 3),
}
WATER = {
    "department": {"slug": "water", "name": "县水利局"},
    "total": 2,
    "replied": 1,
    "on_time": 1,
    "overdue": 0,
    "median_reply_hours": 100.0,
    "satisfaction_rate": None,
}
UNASSIGNED = {
    "department": None,
    "total": 3,
    "replied": 0,
    "on_time": 0,
    "overdue": 3,
    "median_reply_hours": None,
    "satisfaction_rate": None,
}
