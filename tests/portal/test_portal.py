"""The portal: the home page, the units and a unit's page, and the open statistics (with CSV)."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from engagement.models import Department, User
from engagement.settings import get_settings
from engagement.timeutil import utcnow
from surveys.models import Question, QuestionKind, Survey
from tests import factories
from tests.analytics.dataset import Dataset
from tests.analytics.helpers import act, backdate, local, submit
from tests.conftest import bearer
from tests.portal import content

YEAR = utcnow().astimezone(get_settings().tz).year


@dataclass
class Site:
    consultation: int
    other_consultation: int
    survey: int
    closed_survey: int
    published: str


def closed_survey(db: Session, unit: Department, title: str) -> Survey:
    now = utcnow()
    survey = Survey(
        department_id=unit.id,
        title=title,
        opens_at=now - timedelta(days=30),
        closes_at=now - timedelta(days=2),
        published_at=now - timedelta(days=31),
        results_public=True,
        questions=[
            Question(key="q1", ordinal=1, kind=QuestionKind.single, text="满意吗", options=["是"])
        ],
    )
    db.add(survey)
    db.flush()
    return survey


@pytest.fixture
def site(
    client: TestClient,
    db: Session,
    housing: Department,
    township: Department,
    leader: User,
    staff: User,
) -> Site:
    water = factories.department(slug="water", name="县水利局")
    factories.department(slug="old-unit", name="已撤销的单位", active=False)
    factories.user(username="waterstaff", role="staff", department=water)
    lead, own, other = (
        bearer(client, "leader1"),
        bearer(client, "staff1"),
        bearer(client, "waterstaff"),
    )
    cid = content.consultation(client, own, "物业服务收费管理办法（征求意见稿）", days=10)
    other_cid = content.consultation(client, other, "河道管理办法（征求意见稿）", days=20)
    sid = content.survey(client, own, "住房保障服务满意度调查")
    closed = closed_survey(db, housing, "去年的供暖满意度调查")
    published = content.letter(
        client,
        lead,
        own,
        "housing",
        "公租房申请条件",
        "请问申请公租房需要满足哪些条件？",
        "申请公租房需本县户籍且家庭人均住房面积低于标准。",
    )
    content.letter(
        client,
        lead,
        own,
        "housing",
        "公租房排队进度",
        "我申请公租房两年了还没有消息，请问进度。",
        "您的申请正在轮候中。",
        publish=False,
    )
    answered = submit(client, "小区路灯不亮", "小区路灯不亮已经一周了，晚上出行不便。")
    act(client, lead, answered["number"], "assign", department="water")
    submit(client, "公交线路建议", "建议增开到城关镇的公交线路。")
    last_year = submit(client, "去年的来信", "这是一封去年十二月的来信内容。")
    backdate(db, last_year["number"], local(YEAR - 1, 12, 31, 23, 50))
    return Site(cid, other_cid, sid, closed.id, published["number"])


def figures(html: str) -> dict[str, str]:
    block = html.split('<dl class="figures">', 1)[1].split("</dl>", 1)[0]
    return {
        dt: re.sub(r"<[^>]+>", "", dd).strip()
        for dt, dd in re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", block, re.S)
    }


def section(html: str, heading_id: str) -> str:
    return html.split(f'id="{heading_id}"', 1)[1].split("</section>", 1)[0]


def test_home_shows_what_is_open_and_the_years_figures(client: TestClient, site: Site) -> None:
    response = client.get("/", params={"lang": "en"})

    assert response.status_code == 200
    html = response.text
    consultations = section(html, "h-open-consultations")
    assert "物业服务收费管理办法（征求意见稿）" in consultations
    assert re.search(r"物业服务收费管理办法（征求意见稿）</a>.*?10 days left", consultations, re.S)
    assert re.search(r"河道管理办法（征求意见稿）</a>.*?20 days left", consultations, re.S)
    surveys = section(html, "h-open-surveys")
    assert "住房保障服务满意度调查" in surveys
    assert "去年的供暖满意度调查" not in surveys  # closed
    replies = section(html, "h-latest-replies")
    assert "公租房申请条件" in replies
    assert f'href="/mailbox/letters/{site.published}"' in replies
    assert "公租房排队进度" not in html  # replied but not approved for publication
    assert f"The mailbox in {YEAR}" in html
    # this year: four letters (last December's is not counted), two replied, none rated
    assert figures(html) == {
        "Letters received": "4",
        "Replied": "2 (50.0%)",
        "Replied on time": "100.0%",
        "Satisfied writers": "—",
    }


def test_home_in_chinese(client: TestClient, site: Site) -> None:
    html = client.get("/").text

    assert "剩余10天" in html
    assert f"{YEAR}" in html and "住房保障服务满意度调查" in html


def test_home_without_anything_public(client: TestClient) -> None:
    html = client.get("/", params={"lang": "en"}).text

    assert "No draft is open for comment at the moment." in html
    assert "No survey is open at the moment." in html
    assert "No published replies yet." in html
    assert figures(html)["Letters received"] == "0"
    assert figures(html)["Satisfied writers"] == "—"


def test_departments_lists_units_and_townships(client: TestClient, site: Site) -> None:
    html = client.get("/departments", params={"lang": "en"}).text

    departments = section(html, "h-departments")
    townships = section(html, "h-townships")
    assert '<a href="/departments/housing">县住房和城乡建设局</a>' in departments
    assert '<a href="/departments/water">县水利局</a>' in departments
    assert "城关镇" not in departments
    assert '<a href="/departments/chengguan">城关镇</a>' in townships
    assert "已撤销的单位" not in html


def test_a_units_page(client: TestClient, site: Site) -> None:
    response = client.get("/departments/housing", params={"lang": "en"})

    assert response.status_code == 200
    html = response.text
    assert "<h1>县住房和城乡建设局</h1>" in html
    consultations = section(html, "h-unit-consultations")
    assert re.search(r"物业服务收费管理办法（征求意见稿）</a>.*?10 days left", consultations, re.S)
    assert "河道管理办法" not in html  # water's
    surveys = section(html, "h-unit-surveys")
    assert "住房保障服务满意度调查" in surveys
    assert "去年的供暖满意度调查" in surveys
    assert f'href="/surveys/{site.closed_survey}/results"' in surveys  # closed, public results
    letters = section(html, "h-unit-letters")
    assert "公租房申请条件" in letters and "公租房排队进度" not in letters
    assert "All 1 published reply" in letters
    assert figures(html) == {
        "Letters": "2",
        "Reply rate": "100.0%",
        "On-time rate": "100.0%",
        "Satisfaction rate": "—",
        "Median hours to reply": "0",
    }


def test_another_units_page(client: TestClient, site: Site) -> None:
    html = client.get("/departments/water", params={"lang": "en"}).text

    assert "河道管理办法（征求意见稿）" in html
    assert "物业服务收费管理办法" not in html and "公租房申请条件" not in html
    assert figures(html)["Letters"] == "1"  # the street light, assigned, not replied
    assert figures(html)["Reply rate"] == "0.0%"
    assert figures(html)["On-time rate"] == "—"


def test_an_unknown_unit_is_a_404_page(client: TestClient, site: Site) -> None:
    for slug in ("no-such-unit", "old-unit"):
        response = client.get(f"/departments/{slug}", params={"lang": "en"})

        assert response.status_code == 404, slug
        assert "<html" in response.text
        assert f"No such department or township: {slug}" in response.text


# --- open statistics ---------------------------------------------------------------------------


def month_rows(html: str) -> dict[str, list[str]]:
    table = html.split("<caption>By month</caption>", 1)[1].split("</table>", 1)[0]
    out = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>", 1)[1], re.S):
        month = re.search(r'<th scope="row">(.*?)</th>', row)
        if month:
            out[month.group(1)] = re.findall(r"<td[^>]*>(.*?)</td>", row)
    return out


def test_statistics_shows_monthly_counts(client: TestClient, dataset: Dataset) -> None:
    response = client.get("/statistics", params={"year": "2024", "lang": "en"})

    assert response.status_code == 200
    months = month_rows(response.text)
    # consultation, complaint, suggestion, help, report, received, replied, reply rate, on time
    assert months == {
        "2024-02": ["0", "1", "0", "0", "0", "1", "0", "0.0%", "—"],
        "2024-03": ["1", "1", "2", "0", "0", "4", "2", "50.0%", "50.0%"],
        "2024-04": ["1", "1", "0", "2", "1", "5", "2", "40.0%", "100.0%"],
        "2024-05": ["0", "1", "0", "0", "0", "1", "0", "0.0%", "—"],
    }
    units = response.text.split("<caption>By unit</caption>", 1)[1]
    assert "县住房和城乡建设局" in units and "县水利局" in units


def test_statistics_of_a_year_without_letters(client: TestClient, dataset: Dataset) -> None:
    html = client.get("/statistics", params={"year": "2023", "lang": "en"}).text

    assert month_rows(html) == {}
    assert '<td colspan="10">—</td>' in html  # month, five kinds and four figures


def test_statistics_csv(client: TestClient, dataset: Dataset) -> None:
    response = client.get("/statistics.csv", params={"year": "2024"})

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "statistics-2024.csv" in response.headers["content-disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["月份", "单位", "来信类型", "来信总量", "已答复", "按期答复"]
    data = {(r[0], r[1], r[2]): r[3:] for r in rows[1:]}
    assert data[("2024-03", "县住房和城乡建设局", "投诉")] == ["1", "1", "1"]
    assert data[("2024-03", "县住房和城乡建设局", "建议")] == ["1", "1", "0"]
    assert data[("2024-03", "县水利局", "建议")] == ["1", "0", "0"]
    assert data[("2024-04", "县水利局", "举报")] == ["1", "1", "1"]
    assert data[("2024-04", "尚未交办", "求助")] == ["1", "0", "0"]
    assert sum(int(r[3]) for r in rows[1:]) == 11
    assert sum(int(r[4]) for r in rows[1:]) == 4


def test_statistics_csv_in_english(client: TestClient, dataset: Dataset) -> None:
    response = client.get("/statistics.csv", params={"year": "2024", "lang": "en"})

    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Month",
        "Unit",
        "Kind of letter",
        "Letters received",
        "Replied",
        "Replied by the deadline",
    ]
    data = {(r[0], r[1], r[2]): r[3:] for r in rows[1:]}
    assert data[("2024-03", "县住房和城乡建设局", "Complaint")] == ["1", "1", "1"]
    assert data[("2024-04", "not assigned yet", "Request for help")] == ["1", "0", "0"]


@pytest.mark.parametrize(
    ("cookie", "switch", "remembered"),
    [
        ("large", "contrast=on", "large-contrast"),
        ("contrast", "large=on", "large-contrast"),
        ("large-contrast", "large=off", "contrast"),
        ("large-contrast", "contrast=off", "large"),
        ("normal", "large=on", "large"),
        ("large", "large=on", "large"),  # a page drawn before: switching on again stays on
    ],
)
def test_each_display_switch_keeps_the_other_mode(
    client: TestClient, cookie: str, switch: str, remembered: str
) -> None:
    client.cookies.set("display", cookie)
    response = client.get(f"/display?{switch}&next=/departments", follow_redirects=False)

    assert response.status_code == 303 and response.headers["location"] == "/departments"
    assert response.cookies["display"] == remembered
    page = client.get("/departments").text
    body = re.search(r"<body class=\"([^\"]*)\"", page)
    assert body is not None
    assert ("large-text" in body[1], "high-contrast" in body[1]) == (
        "large" in remembered,
        "contrast" in remembered,
    )


def waiting(page: str) -> dict[str, str]:
    """The workbench's counts as a reader sees them: "To reply" -> "2" (and their links)."""
    items = re.findall(
        r'<a class="waiting[^"]*" href="([^"]+)"[^>]*>\s*<span class="waiting-label">([^<]+)</span>'
        r'\s*<span class="waiting-count">(\d+)</span>',
        page,
    )
    return {label.strip(): f"{count} {url}" for url, label, count in items}


def test_the_workbench_shows_what_waits_for_each_person(
    client: TestClient,
    db: Session,
    leader: User,
    staff: User,
    housing: Department,
    water_staff: User,
) -> None:
    from tests.analytics.helpers import act, backdate, submit
    from tests.conftest import login

    lead = bearer(client, "leader1")
    letters = [
        submit(client, f"供暖问题{i}", "小区供暖不热，室温只有十度，请尽快处理。") for i in range(4)
    ]
    act(client, lead, letters[0]["number"], "assign", department="housing")
    act(client, lead, letters[1]["number"], "assign", department="housing")
    act(client, lead, letters[2]["number"], "assign", department="water")
    # the first housing letter's reply deadline has passed
    backdate(
        db,
        letters[0]["number"],
        utcnow() - timedelta(days=40),
        reply_due=utcnow() - timedelta(days=2),
    )

    client.headers["Accept-Language"] = "en"
    login(client, "staff1")
    mine = waiting(client.get("/staff").text)
    assert mine["To reply"].startswith("2 ")  # the housing letters only, not water's
    assert mine["Overdue"] == "1 /staff/letters?queue=overdue"
    assert "To assign" not in mine  # staff do not assign new letters

    login(client, "leader1")
    everyone = waiting(client.get("/staff").text)
    assert everyone["To assign"] == "1 /staff/letters?queue=new"
    assert everyone["To reply"].startswith("3 ")

    login(client, "waterstaff")
    assert waiting(client.get("/staff").text)["To reply"].startswith("1 ")
