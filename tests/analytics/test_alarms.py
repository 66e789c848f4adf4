"""Alarms on the dashboard: letters unanswered for over 60 days, consultations closed for over
30 days without an adoption report (what fails the national site inspection)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from engagement.models import Department
from engagement.timeutil import utcnow
from feedback.consultations.models import Consultation, Kind, Section
from tests.analytics.helpers import act, backdate, submit
from tests.conftest import bearer, login


def consultation(db: Session, unit: Department, title: str, closed_days_ago: int) -> Consultation:
    now = utcnow()
    c = Consultation(
        department_id=unit.id,
        kind=Kind.other,
        title=title,
        summary="征求意见稿",
        opens_at=now - timedelta(days=closed_days_ago + 20),
        closes_at=now - timedelta(days=closed_days_ago),
        published_at=now - timedelta(days=closed_days_ago + 21),
        sections=[Section(ordinal=1, heading="第一条", text="内容")],
    )
    db.add(c)
    db.flush()
    return c


@pytest.fixture
def late_things(client: TestClient, db: Session, housing: Department, leader, staff) -> None:
    lead, own = bearer(client, "leader1"), bearer(client, "staff1")
    reply = {"body": "已安排人员现场查看并处理。", "public": True}
    letters = {
        "forgotten": submit(client, "路灯坏了两个月", "小区门口的路灯坏了，一直没人修。"),
        "recent": submit(client, "井盖松动", "人行道井盖松动，行人容易绊倒。"),
        "answered": submit(client, "垃圾清运不及时", "小区垃圾桶满了好几天没人清运。"),
        "unassigned": submit(client, "公交站牌缺失", "新开的公交线路没有站牌。"),
    }
    n = {k: v["number"] for k, v in letters.items()}
    for key in ("forgotten", "recent", "answered"):
        act(client, lead, n[key], "assign", department="housing")
    act(client, own, n["answered"], "reply", **reply)
    now = utcnow()
    backdate(db, n["forgotten"], now - timedelta(days=61))
    backdate(db, n["unassigned"], now - timedelta(days=75))
    backdate(db, n["recent"], now - timedelta(days=59))
    backdate(db, n["answered"], now - timedelta(days=90), reply_hours=24 * 20, on_time=False)

    consultation(db, housing, "停车场收费办法征求意见", closed_days_ago=31)
    consultation(db, housing, "菜市场改造方案征求意见", closed_days_ago=29)
    reported = consultation(db, housing, "公园开放时间调整征求意见", closed_days_ago=45)
    reported.reported_at = now - timedelta(days=10)
    db.flush()


def alarm_section(html: str) -> str:
    if 'id="h-alarms"' not in html:
        return ""
    return html.split('id="h-alarms"', 1)[1].split("</section>", 1)[0]


@pytest.mark.usefixtures("late_things")
def test_leader_sees_both_alarms(client: TestClient) -> None:
    login(client, "leader1")

    alarms = alarm_section(client.get("/dashboard", params={"lang": "en"}).text)

    assert "2 letters unanswered for over two months" in alarms
    assert "路灯坏了两个月" in alarms
    assert "公交站牌缺失" in alarms  # never even assigned
    assert "井盖松动" not in alarms  # 59 days
    assert "垃圾清运不及时" not in alarms  # answered, though late
    assert "1 consultation closed over 30 days without a report" in alarms
    assert "停车场收费办法征求意见" in alarms
    assert "菜市场改造方案征求意见" not in alarms  # closed 29 days ago
    assert "公园开放时间调整征求意见" not in alarms  # reported


@pytest.mark.usefixtures("late_things")
def test_alarms_do_not_depend_on_the_period(client: TestClient) -> None:
    login(client, "leader1")

    html = client.get("/dashboard", params={"from": "2020-01-01", "to": "2020-01-31"}).text

    assert "路灯坏了两个月" in alarm_section(html)


@pytest.mark.usefixtures("late_things")
def test_staff_see_their_units_alarms(client: TestClient, db: Session) -> None:
    from tests import factories

    other = factories.department(slug="water", name="县水利局")
    factories.user(username="waterstaff", role="staff", department=other)
    login(client, "staff1")
    mine = alarm_section(client.get("/dashboard", params={"lang": "en"}).text)
    client.cookies.clear()
    login(client, "waterstaff")
    theirs = client.get("/dashboard", params={"lang": "en"}).text

    assert "路灯坏了两个月" in mine and "停车场收费办法征求意见" in mine
    assert "公交站牌缺失" not in mine  # not the unit's letter
    assert alarm_section(theirs) == ""
    assert "路灯坏了两个月" not in theirs


@pytest.mark.usefixtures("late_things")
def test_the_briefing_lists_the_alarms(client: TestClient) -> None:
    login(client, "leader1")

    html = client.get("/dashboard/briefing", params={"lang": "en"}).text

    alarms = html.split('<h2 id="b-alarms">Alarms (whole county, as of ', 1)[1]
    assert "unanswered since" in alarms
    assert "停车场收费办法征求意见" in alarms
